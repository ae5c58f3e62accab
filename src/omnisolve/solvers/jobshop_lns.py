"""Job-shop backend: CP-SAT for a share of the time (hinted with the best dispatching rule; it
also proves the lower bound), then large-neighbourhood search from its incumbent with short
CP-SAT sub-solves (`algorithms.jobshop_lns`). `ortools` is imported inside the methods only."""

from __future__ import annotations

import itertools
from typing import Any, Callable

import numpy as np

from omnisolve.problems.jobshop import JobShop
from omnisolve.result import Result, Status
from omnisolve.solvers.base import Limits, SolverInterface, Tracker
from omnisolve.solvers.requirements import kind_reason

# Share of the time for plain CP-SAT: enough to prove small instances and get a bound; on
# 20x10..20x20 instances LNS improves faster than CP-SAT, so a larger share costs quality
# (single noisy runs at 20 s, 2 threads: ta21 5.7 % gap with 15 %, 13.7 % with 35 %).
EXACT_SHARE = 0.1
SLICE = 1.0  # seconds per neighbourhood sub-solve
MARGIN = 0.15  # seconds kept free for building the result


class JobShopLnsSolver(SolverInterface):
    """CP-SAT interval model, then LNS over machine orders with CP-SAT sub-solves."""

    name = "jobshop-lns"
    package = "ortools"
    description = "Job shop: dispatching rules, CP-SAT, then CP-SAT large-neighbourhood search"

    def unsupported_reason(self, problem: Any) -> str | None:
        return kind_reason(problem, JobShop)

    def _solve(self, shop: Any, limits: Limits, tracker: Tracker) -> Result:
        from omnisolve.algorithms import jobshop_lns
        from omnisolve.algorithms.dispatching import best_rule_schedule
        from omnisolve.solvers.cpsat_models import build_jobshop

        deadline = limits.time - MARGIN
        rule, starts = best_rule_schedule(shop)
        bound, first = shop.lower_bound, jobshop_lns.makespan(shop, starts)
        tracker.report(first, bound)
        form = build_jobshop(shop)
        form.hint(starts)
        seconds = max(EXACT_SHARE * deadline - tracker.elapsed(), 0.01)
        exact = _cpsat(form, limits, seconds, lambda obj, lb: tracker.report(obj, max(lb, bound)))
        if exact.starts is not None and jobshop_lns.makespan(shop, exact.starts) <= first:
            starts = exact.starts
        bound = max(bound, exact.bound)
        best = jobshop_lns.makespan(shop, starts)
        if not exact.proven and best > bound:

            seeds = itertools.count(limits.seed + 1)

            def solve_sub(before, after, incumbent, cap, seconds):
                return _sub_solve(form, limits, next(seeds), before, after, incumbent, cap, seconds)

            starts = jobshop_lns.search(
                shop,
                starts,
                solve_sub,
                lambda: deadline - tracker.elapsed(),
                SLICE,
                bound,
                workers=limits.threads,
                seed=limits.seed,
                on_improve=lambda s: tracker.report(jobshop_lns.makespan(shop, s), bound),
            )
            best = jobshop_lns.makespan(shop, starts)
        status = Status.OPTIMAL if best <= bound else Status.FEASIBLE
        message = f"first schedule by {rule} ({first})"
        return Result(status, objective=float(best), bound=float(bound), solution=shop._nested(starts),
                      message=message, problem_name=shop.name)


class _Outcome:
    """What one CP-SAT run gave: flat starts (or None), its bound, and whether it proved optimality."""

    def __init__(self, starts: np.ndarray | None, bound: int, proven: bool):
        self.starts, self.bound, self.proven = starts, bound, proven


def _parameters(solver: Any, limits: Limits, seconds: float, seed: int) -> None:
    params = solver.parameters
    params.max_time_in_seconds = max(seconds, 1e-3)
    params.num_workers = limits.threads
    params.random_seed = seed
    params.relative_gap_limit = limits.gap
    if limits.memory_mb is not None:
        params.max_memory_in_mb = limits.memory_mb


def _cpsat(form: Any, limits: Limits, seconds: float, report: Callable[[int, int], None]) -> _Outcome:
    """Plain CP-SAT on the whole model; `report(makespan, bound)` on every incumbent."""
    from ortools.sat.python import cp_model

    solver = cp_model.CpSolver()
    _parameters(solver, limits, seconds, limits.seed)

    class Incumbents(cp_model.CpSolverSolutionCallback):
        def on_solution_callback(self) -> None:
            report(int(self.objective_value), int(np.ceil(self.best_objective_bound - 1e-9)))

    status = solver.solve(form.model, Incumbents())
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return _Outcome(None, 0, False)
    starts = np.array([solver.value(v) for v in form.starts], dtype=np.int64)
    return _Outcome(starts, int(np.ceil(solver.best_objective_bound - 1e-9)), status == cp_model.OPTIMAL)


def _sub_solve(
    form: Any, limits: Limits, seed: int, before: np.ndarray, after: np.ndarray, incumbent: np.ndarray, cap: int,
    seconds: float,
) -> tuple[np.ndarray | None, bool]:
    """Re-optimize under the machine-order precedences `before[i]` -> `after[i]` with the
    makespan capped at the incumbent's, hinted with the incumbent."""
    from ortools.sat.python import cp_model

    model, starts = form.restricted(before.tolist(), after.tolist(), cap, incumbent)
    solver = cp_model.CpSolver()
    _parameters(solver, limits, seconds, seed)
    solver.parameters.num_workers = 1  # the search runs limits.threads sub-solves at once
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None, status == cp_model.INFEASIBLE
    return np.array([solver.value(s) for s in starts], dtype=np.int64), status == cp_model.OPTIMAL
