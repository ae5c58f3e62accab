"""HiGHS backend: LP, MILP and convex continuous QP, plus structured problems through their MILP.

`highspy` is imported inside the methods only, so `import omnisolve` works without it.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any, Callable

import numpy as np

from omnisolve.io.highs_model import log_errors, new_highs, to_highs_model
from omnisolve.limits import Limits, Tracker
from omnisolve.model import ProblemData
from omnisolve.problems import Problem, StructuredProblem
from omnisolve.processes import interrupt_requested
from omnisolve.result import Result, Status
from omnisolve.solvers.base import SolverInterface, concluded
from omnisolve.solvers.requirements import milp_range_reason
from omnisolve.solvers.via_milp import solve_via_milp

# HiGHS keeps one global thread pool per process, sized by the first solve; a solve asking for
# another size fails until the pool is reset. Remember the size to reset only when it changes.
_pool_threads: int | None = None


def _finite(value: float) -> float | None:
    return float(value) if math.isfinite(value) else None


def unsupported_model_reason(data: ProblemData) -> str | None:
    """Why HiGHS cannot take `data` (nonlinear, quadratic rows, MIQP), or None."""
    if data.is_nonlinear:
        return "nonlinear (callable) objective or constraints need a nonlinear solver such as scipy"
    if data.quadratic_rows:
        return "HiGHS has no quadratic constraints; use scipy for a continuous QCP"
    if data.kind == "MIQP":
        return "HiGHS's QP solver takes continuous variables only (this is an MIQP)"
    return None


class HighsSolver(SolverInterface):
    """HiGHS: LP, MILP and convex continuous QP; structured problems via their MILP

    HiGHS (simplex / IPM / branch-and-cut / active-set QP) through `highspy`. Optimal LPs and
    QPs carry their row duals, infeasible and unbounded LPs their rays, for the verifier to check.
    `presolve=False` makes a second, independent path through HiGHS (a cross-check witness)."""

    name = "highs"
    package = "highspy"

    def __init__(self, presolve: bool = True):
        self.presolve = presolve

    def unsupported_reason(self, problem: Problem) -> str | None:
        if isinstance(problem, StructuredProblem):
            return milp_range_reason(problem, "HiGHS")
        if not isinstance(problem, ProblemData):
            return f"cannot solve a {type(problem).__name__}; give a ProblemData or a structured problem"
        return unsupported_model_reason(problem)

    def _solve(self, problem: Problem, limits: Limits, tracker: Tracker) -> Result:
        if not isinstance(problem, StructuredProblem):
            return self._solve_data(problem, limits, tracker)
        return solve_via_milp(problem, limits, tracker, self._solve_data)

    def _solve_data(self, data: ProblemData, limits: Limits, tracker: Tracker) -> Result:
        import highspy

        log: list[str] = []
        h = new_highs(log.append)
        if h.passModel(to_highs_model(data)) == highspy.HighsStatus.kError:
            return Result(Status.ERROR, message=f"HiGHS rejected the model: {log_errors(log)}", log="".join(log))
        set_limits(h, limits, tracker.remaining())
        if not self.presolve:
            h.setOptionValue("presolve", "off")
        if limits.start is not None and len(limits.start) == data.num_variables:
            start = np.asarray(limits.start, dtype=float)
            h.setSolution(len(start), np.arange(len(start), dtype=np.int32), start)
        interrupted: list[bool] = []
        if data.is_mip:
            progress = interruptible(_progress(tracker), interrupted)
            h.cbMipImprovingSolution.subscribe(progress)
            h.cbMipInterrupt.subscribe(progress)
            if limits.exchange is not None:  # in a race: offer each improving solution to the board
                improving, interrupt = _offers(limits.exchange)
                h.cbMipImprovingSolution.subscribe(interruptible(improving, interrupted))
                h.cbMipInterrupt.subscribe(interruptible(interrupt, interrupted))
        else:
            stop_lp_when_requested(h, tracker, lambda handler: interruptible(handler, interrupted))
        h.run()
        if interrupted or interrupt_requested() or "KeyboardInterrupt" in "".join(log):
            raise KeyboardInterrupt  # Ctrl-C reached a callback: stop like any other Python code
        status = h.getModelStatus()
        point = None
        if status in (highspy.HighsModelStatus.kUnboundedOrInfeasible, highspy.HighsModelStatus.kUnbounded):
            status, point = _feasibility(data, limits, tracker, status)
        return concluded(_result(h, status, data, log), tracker, data, point)


def set_limits(h: Any, limits: Limits, seconds: float) -> None:
    """HiGHS's threads, gap and seed from `limits`, and a time limit of `seconds` from now."""
    import highspy

    global _pool_threads
    if _pool_threads is not None and _pool_threads != limits.threads:
        highspy.Highs.resetGlobalScheduler(True)
    _pool_threads = limits.threads
    h.setOptionValue("time_limit", max(seconds, 1e-3))
    h.setOptionValue("threads", limits.threads)
    h.setOptionValue("mip_rel_gap", limits.gap)
    h.setOptionValue("random_seed", limits.seed)


def interruptible(handler: Callable[[Any], None], interrupted: list[bool]) -> Callable[[Any], None]:
    """A callback that turns Ctrl-C (raised inside it, since HiGHS runs Python only there) into
    HiGHS's own interrupt and notes it in `interrupted`, so the solve stops at once and the
    caller re-raises it (HiGHS would otherwise swallow the exception and run on)."""

    def call(event: Any) -> None:
        try:
            if interrupt_requested():  # an earlier Ctrl-C whose exception HiGHS swallowed
                raise KeyboardInterrupt
            handler(event)
        except KeyboardInterrupt:
            interrupted.append(True)
            event.data_in.user_interrupt = True

    return call


def _progress(tracker: Tracker) -> Callable[[Any], None]:
    """A MIP callback forwarding its incumbent and dual bound (user's sense) to the tracker and
    interrupting HiGHS once the caller's own criteria (`Limits.stop`) hold; HiGHS enforces the
    time limit and the gap itself."""

    def handle(event: Any) -> None:
        out = event.data_out
        objective, bound = _finite(out.objective_function_value), _finite(out.mip_dual_bound)
        if objective is not None or bound is not None:
            tracker.report(objective, bound)
        if tracker.stop_requested():
            event.interrupt()

    return handle


def _offers(exchange: Any) -> tuple[Callable[[Any], None], Callable[[Any], None]]:
    """MIP callbacks offering HiGHS's incumbents to a race's board (`Limits.exchange`): the
    improving-solution one keeps a copy of each incumbent and offers it, the interrupt one (run
    often) offers the last copy again, so an incumbent found between two of the exchange's
    looks still reaches the board. HiGHS takes nothing back mid-run."""
    latest: list[Any] = []

    def offer() -> None:
        if latest:
            exchange.swap(latest[0], latest[1].tolist)

    def improving(event: Any) -> None:
        objective = _finite(event.data_out.objective_function_value)
        if objective is not None:
            latest[:] = [objective, np.array(event.data_out.mip_solution, dtype=float)]
            offer()

    return improving, lambda event: offer()


def stop_lp_when_requested(
    h: Any, tracker: Tracker, wrap: Callable[[Callable[[Any], None]], Callable[[Any], None]] = lambda handler: handler
) -> None:
    """Interrupt `h`'s LP iterations (simplex and interior point) once the caller's own criteria
    (`Limits.stop`) hold; the callback, passed through `wrap`, reports nothing, since an LP's
    iterate is no incumbent. Without such criteria nothing is subscribed: no Python runs in an
    LP's iterations."""
    if tracker.extra is None:
        return

    def handle(event: Any) -> None:
        if tracker.stop_requested():
            event.interrupt()

    h.cbSimplexInterrupt.subscribe(wrap(handle))
    h.cbIpmInterrupt.subscribe(wrap(handle))


def _feasibility(data: ProblemData, limits: Limits, tracker: Tracker, status: Any) -> tuple[Any, np.ndarray | None]:
    """Solve the feasibility problem (objective zero): a feasible point turns "unbounded or
    infeasible" into unbounded and backs an unbounded claim with the point the verifier needs;
    infeasible means infeasible. Returns (status, point or None)."""
    import highspy

    h = new_highs()
    feasibility = dataclasses.replace(data, c=np.zeros(data.num_variables), c0=0.0, Q=None)
    h.passModel(to_highs_model(feasibility))
    set_limits(h, limits, tracker.remaining())
    h.run()
    found = h.getModelStatus()
    if found == highspy.HighsModelStatus.kOptimal:
        return highspy.HighsModelStatus.kUnbounded, np.asarray(h.getSolution().col_value, dtype=float)
    if found == highspy.HighsModelStatus.kInfeasible:
        return found, None
    return status, None


def _result(h: Any, status: Any, data: ProblemData, log: list[str]) -> Result:
    """Map HiGHS's model status and solution to a `Result`."""
    import highspy

    S = highspy.HighsModelStatus
    info = h.getInfo()
    has_solution = info.primal_solution_status == highspy.SolutionStatus.kSolutionStatusFeasible
    text = "".join(log)
    if status == S.kInfeasible:
        return Result(Status.INFEASIBLE, log=text, ray=None if data.is_mip else _ray(h.getDualRay()))
    if status == S.kUnbounded:
        return Result(Status.UNBOUNDED, log=text, ray=None if data.is_mip else _ray(h.getPrimalRay()))
    if status == S.kUnboundedOrInfeasible:
        return Result(Status.ERROR, message="HiGHS: unbounded or infeasible, and the check did not decide", log=text)
    if status == S.kOptimal:
        solved = Status.OPTIMAL
    elif has_solution:
        solved = Status.FEASIBLE
    # kHighsInterrupt is in highspy 1.16 at run time but missing from its stubs
    elif status in (S.kTimeLimit, S.kIterationLimit, S.kInterrupt, S.kHighsInterrupt, S.kSolutionLimit):  # type: ignore[attr-defined]
        return Result(Status.TIME_LIMIT, message=f"HiGHS stopped: {h.modelStatusToString(status)}", log=text)
    else:
        detail = log_errors(log) or h.modelStatusToString(status)
        return Result(Status.ERROR, message=f"HiGHS: {detail}", log=text)
    objective = float(info.objective_function_value)
    if data.is_mip:
        bound = _finite(info.mip_dual_bound)
    else:
        bound = objective if solved == Status.OPTIMAL else None
    message = "" if solved == Status.OPTIMAL else f"HiGHS stopped: {h.modelStatusToString(status)}"
    solution = h.getSolution()
    values = np.asarray(solution.col_value, dtype=float)
    duals = None
    if not data.is_mip and info.dual_solution_status == highspy.SolutionStatus.kSolutionStatusFeasible:
        duals = np.asarray(solution.row_dual, dtype=float)
    return Result(solved, objective=objective, bound=bound, values=values, duals=duals, log=text, message=message)


def _ray(answer: Any) -> np.ndarray | None:
    """The vector of `getDualRay()` / `getPrimalRay()`, when HiGHS has one."""
    try:
        _, has_ray, ray = answer
    except (TypeError, ValueError):
        return None
    return np.asarray(ray, dtype=float) if has_ray else None
