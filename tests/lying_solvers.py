"""Test-only backends that lie: each returns a claim the data contradicts, the way real solvers
have (wrong presolve reductions, wrong infeasibility or unboundedness verdicts). omnisolve must
catch every one of them: refute the claim and return the true answer."""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from omnisolve.model import ProblemData
from omnisolve.result import Result, Status
from omnisolve.solvers.base import Limits, SolverInterface, Tracker
from omnisolve.solvers.highs import HighsSolver


class _Liar(SolverInterface):
    description = "test liar"

    def unsupported_reason(self, problem: Any) -> str | None:
        return None if isinstance(problem, ProblemData) else "takes models only"


class SuboptimalSolver(_Liar):
    """Returns a feasible point of the feasibility problem (objective ignored) as OPTIMAL, with
    its own objective as the 'bound'."""

    name = "liar-suboptimal"

    def _solve(self, data: ProblemData, limits: Limits, tracker: Tracker) -> Result:
        blind = dataclasses.replace(data, c=np.zeros(data.num_variables), Q=None)
        found = HighsSolver().solve(blind, limits)
        if not found.status.has_solution:
            return found
        objective = data.objective_value(found.values)
        return Result(Status.OPTIMAL, objective=objective, bound=objective, values=found.values)


class WrongDualsSolver(_Liar):
    """A suboptimal point claimed OPTIMAL together with made-up duals: they must prove nothing."""

    name = "liar-duals"

    def _solve(self, data: ProblemData, limits: Limits, tracker: Tracker) -> Result:
        result = SuboptimalSolver().solve(data, limits)
        result.duals, result.solver = np.ones(data.A.shape[0]), self.name
        return result


class InfeasibleSolver(_Liar):
    """Claims INFEASIBLE for everything, with a made-up Farkas ray."""

    name = "liar-infeasible"

    def _solve(self, data: ProblemData, limits: Limits, tracker: Tracker) -> Result:
        return Result(Status.INFEASIBLE, ray=np.ones(data.A.shape[0]))


class UnboundedSolver(_Liar):
    """Claims UNBOUNDED for everything, with a made-up ray."""

    name = "liar-unbounded"

    def _solve(self, data: ProblemData, limits: Limits, tracker: Tracker) -> Result:
        return Result(Status.UNBOUNDED, ray=np.ones(data.num_variables))


class EmptyKnapsackSolver(SolverInterface):
    """Claims the empty selection is an optimal knapsack answer."""

    name = "liar-knapsack"
    description = "test liar"

    def unsupported_reason(self, problem: Any) -> str | None:
        return None if getattr(problem, "kind", "") == "Knapsack" else "knapsack only"

    def _solve(self, problem: Any, limits: Limits, tracker: Tracker) -> Result:
        return Result(Status.OPTIMAL, objective=0.0, bound=0.0, solution=[])


LIARS = {
    cls.name: f"lying_solvers:{cls.__name__}"
    for cls in (SuboptimalSolver, WrongDualsSolver, InfeasibleSolver, UnboundedSolver, EmptyKnapsackSolver)
}
