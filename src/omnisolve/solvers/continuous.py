"""What the local continuous backends (`scipy`, `ipopt`) share: the models they take, where a
search starts, and what one local search's outcome is worth as a `Result`.

A converged local search is a local optimum: optimal (with a bound) only on a model known to be
convex, feasible otherwise. A search that ends without a feasible point proves nothing about
infeasibility: its result is an error naming the most violated constraints at its last point.
"""

from __future__ import annotations

from abc import abstractmethod
from dataclasses import dataclass
from typing import Callable

import numpy as np

from omnisolve.limits import Limits, Tracker
from omnisolve.model import ProblemData
from omnisolve.problems import Problem
from omnisolve.result import Result, Status
from omnisolve.solvers.base import SolverInterface
from omnisolve.verify.convexity import is_convex
from omnisolve.verify.model_check import most_violated

FEASIBILITY_TOL = 1e-6  # relative to max(1, |bound|), as the verifier measures it

#: (tracker, x0) -> the `Result` of one local search from x0, until converged or `tracker.should_stop()`
LocalSearch = Callable[[Tracker, np.ndarray], Result]


class LocalNlpSolver(SolverInterface):
    """A backend that runs one local search (`local_search`) from `default_start`."""

    def unsupported_reason(self, problem: Problem) -> str | None:
        return unsupported(self.name, problem)

    @abstractmethod
    def local_search(self, data: ProblemData) -> LocalSearch:
        """The search on `data`, for one start or several (`global-nlp` refines its points with it)."""

    def _solve(self, data: Problem, limits: Limits, tracker: Tracker) -> Result:
        assert isinstance(data, ProblemData)  # unsupported_reason has refused every other problem
        result = self.local_search(data)(tracker, default_start(data))
        result.problem_name = data.name
        if result.status.has_solution:
            tracker.report(result.objective, result.bound)
        return result


def unsupported(name: str, problem: Problem) -> str | None:
    """None for a continuous `ProblemData`, else why backend `name` refuses `problem`."""
    if not isinstance(problem, ProblemData):
        return f"{name} takes continuous models (ProblemData), not a {type(problem).__name__}"
    if problem.is_mip:
        count = int(problem.integer_mask.sum())
        semi = int(problem.semi_mask.sum())
        what = f"{count} integer variables" if count else f"{semi} semi-continuous variables"
        return f"{name} handles continuous variables only; this {problem.kind} has {what}"
    return None


def default_start(data: ProblemData) -> np.ndarray:
    """0 clipped into the bounds; the midpoint for variables bounded on both sides."""
    x0 = np.clip(np.zeros(data.num_variables), data.lb, data.ub)
    both = np.isfinite(data.lb) & np.isfinite(data.ub)
    x0[both] = (data.lb[both] + data.ub[both]) / 2
    return x0


@dataclass
class LocalRun:
    """The outcome of one local search."""

    method: str
    x: np.ndarray | None
    success: bool  # converged (to a local optimum)
    feasible: bool  # x within FEASIBILITY_TOL of every bound and constraint
    timed_out: bool
    message: str
    log: str


def local_result(data: ProblemData, run: LocalRun) -> Result:
    """OPTIMAL with a bound for a feasible success on a convex problem, FEASIBLE for any other
    feasible success (a local optimum) or stop, TIME_LIMIT or ERROR (with the most violated
    constraints at the last point) otherwise."""
    x, method = run.x, run.method
    if x is not None and run.feasible and run.success:
        objective = data.objective_value(x)
        if is_convex(data):
            return Result(Status.OPTIMAL, objective=objective, bound=objective, values=x)
        note = f"local optimum found by {method}; the problem is not known to be convex, so it may not be global"
        return Result(Status.FEASIBLE, objective=objective, values=x, message=note)
    if x is not None and run.feasible:
        stop = "time limit reached" if run.timed_out else run.message
        return Result(Status.FEASIBLE, objective=data.objective_value(x), values=x, message=f"{method} stopped: {stop}")
    if run.timed_out:
        return Result(Status.TIME_LIMIT, message=f"{method} reached the time limit without a feasible point")
    return Result(Status.ERROR, message=f"{method} found no feasible point: {run.message}{_violated(data, x)}")


def _violated(data: ProblemData, x: np.ndarray | None) -> str:
    """The most violated bounds and constraints at `x` for a message ("" without a point)."""
    if x is None or not np.isfinite(x).all():
        return ""
    try:
        worst = most_violated(data, x)
    except Exception:  # the model's callable failing there: the search's message says enough
        return ""
    listed = ", ".join(f"{name} by {excess:.3g}" for name, excess in worst if excess > FEASIBILITY_TOL)
    return f"; most violated at its last point (relative to max(1, |side|)): {listed}" if listed else ""
