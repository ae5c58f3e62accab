"""`global-nlp`: the default backend for continuous models with callables on a bounded box.

A local method from one start stops in the first basin it meets (on the 2-D Schwefel function
SLSQP from the centre ends at -403.69; the global minimum is -837.97). This backend runs a
global phase first, a black-box method (GLOBAL_METHOD) on the box for at most half the search
time or its budget of calls, then refines the best distinct points it found by local
searches while time remains: IPOPT's (`solvers.ipopt_nlp`) when casadi is installed, SciPy's
(`solvers.scipy_nlp`) otherwise; then local searches from RESTARTS points drawn uniformly in the
box, as `local-nlp` restarts. The global phase sees the rows only through their largest
violation, so on a model with equality rows its points are merely the least infeasible ones,
all in one basin (hs80: all three stop at 0.4389, where the optimum is 0.05395); the uniform
starts spread where it cannot. The answer is the best point found: "feasible", never
"optimal": no bound is proven (a model known to be convex goes to a local backend, whose
converged search is optimal there)."""

from __future__ import annotations

from typing import Any

import numpy as np

from omnisolve.blackbox.ask_tell import BlackBox, Evaluation
from omnisolve.blackbox.evaluate import Evaluator
from omnisolve.blackbox.minimize import search
from omnisolve.limits import Limits, Tracker
from omnisolve.model import ProblemData, Sense
from omnisolve.problems import Problem
from omnisolve.result import Result, Status
from omnisolve.solvers.base import SolverInterface
from omnisolve.solvers.continuous import default_start
from omnisolve.solvers.ipopt_nlp import IpoptSolver
from omnisolve.solvers.local_nlp import RESTARTS, restart
from omnisolve.solvers.scipy_nlp import ScipySolver, max_violation

GLOBAL_SHARE = 0.5  # of the search time, at most, for the global phase
CALLS_PER_VARIABLE = 500  # the global phase's budget of calls: this many per variable ...
MIN_CALLS = 1000  # ... and at least this many
STARTS = 3  # local searches from this many distinct best points, time permitting
APART = 0.01  # points closer than this (in the box scaled to the unit cube, max norm) share a start
#: The global phase looks for basins for the local searches to finish. `method="auto"` is not
#: asked: its learned choice ranks methods by how soon they reach COCO's targets, which favours
#: local model methods (COBYQA) that stay in the first basin they find (-620.8 on the 2-D
#: Schwefel function where dual annealing's restarts find -837.97).
GLOBAL_METHOD = "scipy-da"
GLOBAL_WHY = "dual annealing: the global phase looks for basins, the local searches finish them"


class GlobalNlpSolver(SolverInterface):
    """models with callables on a box: a black-box global phase, then IPOPT or SciPy local
    searches"""

    name = "global-nlp"
    package = "scipy"

    def __init__(self, local: str | None = None):
        """`local`: "ipopt" or "scipy", the local searches; None: ipopt when casadi is installed."""
        if local not in (None, "ipopt", "scipy"):
            raise ValueError(f"local must be 'ipopt' or 'scipy', not {local!r}")
        self.local = local or ("ipopt" if IpoptSolver.available() else "scipy")

    def unsupported_reason(self, problem: Problem) -> str | None:
        if not isinstance(problem, ProblemData):
            return f"global-nlp takes continuous models (ProblemData), not a {type(problem).__name__}"
        if problem.is_mip:
            return (
                f"global-nlp handles continuous variables only; this {problem.kind} has integer or semi-continuous ones"
            )
        open_ = np.flatnonzero(~(np.isfinite(problem.lb) & np.isfinite(problem.ub)))
        if open_.size:
            return (
                f"the global phase searches a box, but {open_.size} variables have an infinite bound "
                f"(first {problem.var_names[int(open_[0])]})"
            )
        return None

    def _solve(self, data: Problem, limits: Limits, tracker: Tracker) -> Result:
        assert isinstance(data, ProblemData)  # unsupported_reason has refused every other problem
        box, evaluate, ended = _global_phase(data, limits, tracker)
        sign = 1.0 if data.sense == Sense.MIN else -1.0
        x, f = box.best
        best = None if x is None or f is None else Result(Status.FEASIBLE, objective=sign * f, values=x)
        logs: list[str] = []
        search = (IpoptSolver() if self.local == "ipopt" else ScipySolver()).local_search(data)
        rng = np.random.default_rng(limits.seed)
        uniform = [restart(data, default_start(data), rng) for _ in range(RESTARTS)]
        for start in starts(box, STARTS) + uniform:
            if tracker.should_stop():
                break
            try:
                run = search(tracker, start)
            except Exception as exc:  # the model's callable failing there leaves the phase's answer standing
                logs.append(f"local search from {start} failed: {type(exc).__name__}: {exc}")
                continue
            logs.append(run.log)
            if run.objective is not None and run.status.has_solution:
                tracker.report(run.objective)  # a local search proves no bound here
                if best is None or best.objective is None or sign * (run.objective - best.objective) < 0:
                    best = run
        what = f"global phase {box.method}: {evaluate.calls} calls, {ended}; then {len(logs)} local searches"
        result = _answer(best, box, what, evaluate.last_error)
        result.log = "\n".join(logs)
        result.problem_name = data.name
        result.extra = {
            "global_phase": {"method": box.method, "rule": GLOBAL_WHY, "calls": evaluate.calls},
            "local_searches": len(logs),
            "local": self.local,
        }
        return result


def _global_phase(data: ProblemData, limits: Limits, tracker: Tracker) -> tuple[BlackBox, Evaluator, str]:
    """The black-box search of the box, minimizing (the objective negated for a maximization)
    with the largest relative constraint violation as g; incumbents go to `tracker`."""
    sign = 1.0 if data.sense == Sense.MIN else -1.0
    constrained = data.num_constraints > 0
    violation = max_violation(data)

    def objective(x: np.ndarray) -> float:
        return sign * data.objective_value(x)

    def g(x: np.ndarray) -> np.ndarray:
        return np.array([violation(x)])

    budget = max(MIN_CALLS, CALLS_PER_VARIABLE * data.num_variables)
    box = BlackBox(
        list(zip(data.lb.tolist(), data.ub.tolist())),
        budget=budget,
        constraints=constrained,
        method=GLOBAL_METHOD,
        seed=limits.seed,
        on_incumbent=lambda t, f, b: tracker.report(sign * f) if f is not None else None,
    )
    evaluate = Evaluator(objective, g if constrained else None, budget)
    until = tracker.elapsed() + GLOBAL_SHARE * max(0.0, tracker.search_remaining())
    try:
        ended = search(box, evaluate, lambda: tracker.should_stop() or tracker.elapsed() >= until)
    finally:
        box.close()
    return box, evaluate, ended


def starts(box: BlackBox, count: int) -> list[np.ndarray]:
    """Up to `count` points of the global phase to refine, best first, no two within APART of
    each other: the best feasible points, or the least infeasible ones while none is feasible."""
    told = [e for e in box.history if e.objective is not None]
    feasible = [e for e in told if e.feasible]

    def rank(e: Evaluation) -> Any:
        return e.objective if feasible else e.violation

    chosen: list[np.ndarray] = []
    scale = np.where(box.space.hi > box.space.lo, box.space.hi - box.space.lo, 1.0)
    for e in sorted(feasible or told, key=rank):
        if all(np.max(np.abs(e.x - c) / scale) > APART for c in chosen):
            chosen.append(e.x)
            if len(chosen) == count:
                break
    return chosen


def _answer(best: Result | None, box: BlackBox, what: str, last_error: str) -> Result:
    """The best point found, feasible and without a bound, or why there is none."""
    if best is not None:
        best.status, best.bound = Status.FEASIBLE, None
        best.message = f"the best point found ({what}); no bound is proven, so it may not be global"
        return best
    phase = box.result()
    if phase.status == Status.ERROR:
        return Result(Status.ERROR, message=f"{phase.message} ({what}); the last error: {last_error}")
    return Result(Status.TIME_LIMIT, message=f"no feasible point found ({what})")
