"""Exact 0-1 knapsack by dynamic programming (`algorithms.knapsack_dp`): integer weights,
moderate capacity; proves the optimum where branch and bound can stall. It first fixes most
items by reduced costs and runs the DP over the core only, where that is the smaller table."""

from __future__ import annotations

import numpy as np

from omnisolve.algorithms.knapsack_dp import core_of, dp_reason, solve_by_core, solve_knapsack
from omnisolve.limits import Limits, Tracker
from omnisolve.problems import Problem
from omnisolve.problems.knapsack import Knapsack
from omnisolve.result import Result, Status
from omnisolve.solvers.base import SolverInterface


class KnapsackDpSolver(SolverInterface):
    """Dynamic programming: 0-1 knapsack with integer weights and moderate capacity, exact

    Dynamic programming over the capacity, O(items x capacity) time, bit-packed table; over
    the core left by reduced-cost fixing against the greedy choice where that is smaller."""

    name = "knapsack-dp"
    package = ""  # numpy only, a core dependency: always available
    accepts = (Knapsack,)

    def unsupported_reason(self, problem: Problem) -> str | None:
        if not isinstance(problem, Knapsack):
            return super().unsupported_reason(problem)
        top = float(np.max(problem.values)) * problem.size  # Python float: inf, never an overflow warning
        if not top < 1e300:
            return f"values up to {float(np.max(problem.values)):g} overflow the DP's float64 sums; scale them down"
        reason = dp_reason(problem)  # the full DP's; the core's DP may still be small enough
        return None if reason is None or core_of(problem) is not None else reason

    def _solve(self, problem: Problem, limits: Limits, tracker: Tracker) -> Result:
        assert isinstance(problem, Knapsack)  # unsupported_reason has refused every other problem
        chosen = None
        core = core_of(problem)
        if core is not None and core[1].cells < problem.dp_cells:  # milliseconds, not minutes
            chosen = solve_by_core(problem, core, tracker.should_stop)
        if chosen is None and dp_reason(problem) is None:
            chosen = solve_knapsack(problem.values, problem.weights, problem.reachable_capacity, tracker.should_stop)
        if chosen is None:
            return Result(Status.TIME_LIMIT, message="the dynamic program did not finish within the time limit")
        objective = problem.evaluate(chosen)
        tracker.report(objective, objective)
        return Result(Status.OPTIMAL, objective=objective, bound=objective, solution=chosen)
