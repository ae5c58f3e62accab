"""Solving a structured problem (TSP, CVRP, JobShop, Knapsack) through its MILP, shared by the
general MILP backends (`highs`, `scip`): compile, solve the `ProblemData`, decode the answer."""

from __future__ import annotations

import dataclasses
from typing import Any, Callable

import numpy as np

from omnisolve.limits import Limits, Tracker
from omnisolve.model import ProblemData
from omnisolve.problems.base import StructuredProblem
from omnisolve.result import Result

SolveData = Callable[[ProblemData, Limits, Tracker], Result]


def solve_via_milp(problem: StructuredProblem, limits: Limits, tracker: Tracker, solve_data: SolveData) -> Result:
    """Solve `problem.to_model().compile()` with `solve_data` and put the decoded answer in
    `Result.solution` (a structured start in `limits.start` becomes the MILP's start)."""
    data = problem.to_model().compile()
    result = solve_data(data, dataclasses.replace(limits, start=model_start(problem, limits.start)), tracker)
    if result.status.has_solution and result.values is not None:
        result.solution = problem.solution_from_values(data, result.values)
        if not problem.check(result.solution):  # exact, without the MILP's round-off
            result.objective = problem.evaluate(result.solution)
    result.values = None
    result.problem_name = problem.name
    return result


def model_start(problem: StructuredProblem, solution: Any) -> np.ndarray | None:
    """The MILP values of a structured start solution; None without one or when it is invalid
    (a start is only a hint)."""
    if solution is None or problem.check(solution):
        return None
    return problem.values_from_solution(solution)
