"""One HiGHS MIP run on a `ProblemData` up to a deadline, with an optional start solution, a
callback on every improving solution and an optional early stop; the building block of the
MILP LNS (full-model runs and sub-MIP repairs alike). `highspy` is imported lazily."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import numpy as np

from omnisolve.io.highs_model import new_highs, to_highs_model
from omnisolve.limits import Limits, Tracker
from omnisolve.model import ProblemData
from omnisolve.processes import interrupt_requested
from omnisolve.solvers.highs import interruptible, set_limits


@dataclass
class HighsRun:
    """status: "optimal", "infeasible", "unbounded", "feasible" (stopped with a solution) or
    "none" (stopped without one). objective and bound are in the run's model's own terms."""

    status: str
    values: np.ndarray | None = None
    objective: float | None = None
    bound: float | None = None
    runtime: float = 0.0


def _finite(value: float) -> float | None:
    return float(value) if math.isfinite(value) else None


def run_highs(
    data: ProblemData,
    deadline: float,
    limits: Limits,
    tracker: Tracker,
    start: np.ndarray | None = None,
    on_solution: Callable[[np.ndarray], object] | None = None,  # its return value is ignored
    on_progress: Callable[[float | None, float | None], None] | None = None,
    stop: Callable[[], bool] | None = None,
) -> HighsRun:
    """Solve `data` with HiGHS until `deadline` (seconds on `tracker`'s clock).
    `on_solution(values)` sees every improving solution, `on_progress(objective, bound)` every
    callback's primal and dual values; the run is interrupted as soon as `stop()` or
    `tracker.should_stop()` is true."""
    import highspy
    from highspy.highs import HighsCallbackEvent

    began = tracker.elapsed()
    interrupted: list[bool] = []

    def notice_interrupt(log_line: str) -> None:  # Ctrl-C raised where `interruptible` cannot catch it
        if "KeyboardInterrupt" in log_line:
            interrupted.append(True)

    h = new_highs(notice_interrupt)
    h.passModel(to_highs_model(data))
    set_limits(h, limits, deadline - tracker.elapsed())
    if start is not None:
        h.setSolution(len(start), np.arange(len(start), dtype=np.int32), np.asarray(start, dtype=float))

    def improving(e: HighsCallbackEvent) -> None:
        if on_solution is not None:
            on_solution(np.array(e.data_out.mip_solution, dtype=float))
        progress(e)

    def progress(e: HighsCallbackEvent) -> None:
        if on_progress is not None:
            on_progress(_finite(e.data_out.objective_function_value), _finite(e.data_out.mip_dual_bound))
        if tracker.elapsed() >= deadline or tracker.should_stop() or (stop is not None and stop()):
            e.interrupt()  # HiGHS checks its own time limit less often than this callback runs

    h.cbMipImprovingSolution.subscribe(interruptible(improving, interrupted))
    h.cbMipInterrupt.subscribe(interruptible(progress, interrupted))
    h.run()
    if interrupted or interrupt_requested():
        raise KeyboardInterrupt  # Ctrl-C reached a callback: stop the whole search, not this run
    S = highspy.HighsModelStatus
    status = h.getModelStatus()
    info = h.getInfo()
    runtime = tracker.elapsed() - began
    if status == S.kInfeasible:
        return HighsRun("infeasible", runtime=runtime)
    if status in (S.kUnbounded, S.kUnboundedOrInfeasible):
        return HighsRun("unbounded", runtime=runtime)
    bound = _finite(info.mip_dual_bound)
    if info.primal_solution_status != highspy.SolutionStatus.kSolutionStatusFeasible:
        return HighsRun("none", bound=bound, runtime=runtime)
    values = np.asarray(h.getSolution().col_value, dtype=float)
    solved = "optimal" if status == S.kOptimal else "feasible"
    return HighsRun(solved, values, float(info.objective_function_value), bound, runtime)
