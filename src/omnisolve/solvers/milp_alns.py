"""milp-alns backend: adaptive large-neighbourhood search over HiGHS sub-MIPs for MILP models
(see `omnisolve.solvers.milp_alns_search`). `highspy` is imported lazily by the search."""

from __future__ import annotations

from omnisolve.limits import Limits, Tracker
from omnisolve.model import ProblemData
from omnisolve.problems import Problem
from omnisolve.result import Result, Status
from omnisolve.solvers.base import SolverInterface


class MilpAlnsSolver(SolverInterface):
    """Adaptive LNS for MILP: bandit-chosen destroy operators, HiGHS sub-MIP repair

    Balans-style ALNS: a bandit picks destroy operators, HiGHS repairs the sub-MIPs."""

    name = "milp-alns"
    package = "highspy"

    def unsupported_reason(self, problem: Problem) -> str | None:
        if not isinstance(problem, ProblemData):
            return f"takes a MILP model (ProblemData), not a {type(problem).__name__}"
        if problem.kind == "LP":
            return "an LP has no integer variables, so there is nothing for LNS to do; use highs"
        if problem.kind != "MILP":
            return f"searches linear models with integer variables only, not {problem.kind}"
        if problem.semi_mask.any():
            return "semi-continuous/semi-integer variables are not supported by its neighbourhoods; use highs"
        return None

    def _solve(self, problem: Problem, limits: Limits, tracker: Tracker) -> Result:
        assert isinstance(problem, ProblemData)  # unsupported_reason has refused every other problem
        from omnisolve.solvers.milp_alns_search import MilpAlns

        outcome = MilpAlns(problem, limits, tracker).run()
        if outcome.values is None:
            if outcome.status == "infeasible":
                return Result(Status.INFEASIBLE, problem_name=problem.name)
            if outcome.status == "unbounded":  # let HiGHS tell unbounded from infeasible
                from omnisolve.solvers.highs import HighsSolver

                return HighsSolver()._solve_data(problem, limits, tracker)
            return Result(
                Status.TIME_LIMIT, message="no feasible solution within the time limit", problem_name=problem.name
            )
        rounds = ", ".join(f"{name} {count}" for name, count in outcome.rounds.items())
        return Result(
            Status.OPTIMAL if outcome.optimal else Status.FEASIBLE,
            objective=outcome.objective,
            bound=outcome.bound,
            values=outcome.values,
            message=f"LNS rounds: {rounds}",
            problem_name=problem.name,
        )
