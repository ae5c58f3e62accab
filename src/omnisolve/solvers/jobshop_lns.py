"""Job-shop backend: a full CP-SAT search (hinted with the best dispatching rule; it proves
the lower bound) beside improvers that share one best schedule with it: each runs tabu search
(`algorithms.jobshop_tabu`, N5 moves) until it stalls, then large-neighbourhood search with
short CP-SAT sub-solves (`algorithms.jobshop_lns`) from the best schedule. With one thread they
take turns: CP-SAT first for a share of the time, then one improver. The caller's own stopping
criteria (`Limits.stop`) end all of them: CP-SAT through its solution callback and a watcher
thread (`solvers.stopping`), the improvers through their time left (at most one `SLICE`
sub-solve later). `ortools` is imported inside the methods."""

from __future__ import annotations

import itertools
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable

import numpy as np

from omnisolve.limits import Limits, Tracker
from omnisolve.problems import Problem
from omnisolve.problems.jobshop import JobShop
from omnisolve.result import Result, Status
from omnisolve.solvers.base import SolverInterface
from omnisolve.solvers.requirements import EXACT_INT, structured_totals, too_large_reason
from omnisolve.solvers.stopping import stop_when

# With one thread, the share of the time for plain CP-SAT before LNS: enough to prove small
# instances and get a bound (single noisy runs at 20 s: ta21 5.7 % gap with 15 %, 13.7 % with 35 %).
EXACT_SHARE = 0.1
SLICE = 1.0  # seconds per neighbourhood sub-solve
# Tabu search gives way to LNS after this many seconds without a gain, or half its run time if longer.
MIN_PATIENCE, PATIENCE_SHARE = 5.0, 0.5


class JobShopLnsSolver(SolverInterface):
    """Job shop: dispatching rules, then CP-SAT beside tabu search and CP-SAT
    large-neighbourhood search

    CP-SAT interval model beside tabu search and LNS over machine orders."""

    name = "jobshop-lns"
    package = "ortools"
    accepts = (JobShop,)

    def unsupported_reason(self, problem: Problem) -> str | None:
        # a job shop's totals: its sum of durations
        return super().unsupported_reason(problem) or too_large_reason(
            "jobshop-lns", structured_totals(problem), EXACT_INT, "scale the durations down"
        )

    def _solve(self, shop: Problem, limits: Limits, tracker: Tracker) -> Result:
        assert isinstance(shop, JobShop)  # unsupported_reason has refused every other problem
        from omnisolve.algorithms import jobshop_lns, jobshop_tabu
        from omnisolve.algorithms.dispatching import best_rule_schedule
        from omnisolve.solvers.cpsat_models import build_jobshop

        rule, starts = best_rule_schedule(shop)
        first = jobshop_lns.makespan(shop, starts)
        shared = jobshop_lns.SharedSchedule(shop, starts, shop.lower_bound, tracker.report)
        tracker.report(first, shop.lower_bound)
        form = build_jobshop(shop)
        form.hint(starts)
        seeds = itertools.count(limits.seed + 1)

        def time_left() -> float:
            """Seconds the searches may still run: none once the caller's own criteria hold. In
            a race, asked this often, it also swaps schedules with the race's board."""
            if limits.exchange is not None:
                better = limits.exchange.swap(shared.value, lambda: shop._nested(shared.starts))
                if better is not None:
                    shared.offer(np.array([s for row in better[1] for s in row], dtype=np.int64))
            return 0.0 if tracker.stop_requested() else tracker.search_remaining()

        def solve_sub(before, after, incumbent, cap, seconds):
            return _sub_solve(form, limits, next(seeds), before, after, incumbent, cap, seconds)

        def improve(seed: int) -> None:
            """Tabu search until it stalls, then LNS, both feeding `shared`."""
            jobshop_tabu.tabu_search(
                shop,
                shared.starts,
                time_left,
                lambda best: shared.closed,
                seed,
                shared.offer,
                lambda searched, idle: idle > max(MIN_PATIENCE, PATIENCE_SHARE * searched),
            )
            jobshop_lns.search(shared, solve_sub, time_left, SLICE, seed=seed)

        full_workers = limits.threads // 2
        if full_workers == 0:  # one thread: CP-SAT, then one improver
            _cpsat(form, limits, max(EXACT_SHARE * time_left(), 0.01), 1, shared, tracker.stop_requested)
            improve(limits.seed)
        else:
            done = threading.Event()  # set once the improvers have finished

            def stop() -> bool:
                return done.is_set() or tracker.stop_requested()

            with ThreadPoolExecutor(limits.threads) as pool:
                full = pool.submit(_cpsat, form, limits, time_left(), full_workers, shared, stop)
                improvers = [pool.submit(improve, limits.seed + i) for i in range(limits.threads - full_workers)]
                try:
                    for improver in improvers:
                        improver.result()  # re-raises an improver's error
                finally:
                    done.set()
                full.result()
        status = Status.OPTIMAL if shared.closed else Status.FEASIBLE
        message = f"first schedule by {rule} ({first})"
        return Result(
            status,
            objective=float(shared.value),
            bound=float(shared.bound),
            solution=shop._nested(shared.starts),
            message=message,
            problem_name=shop.name,
        )


def _parameters(solver: Any, limits: Limits, seconds: float, seed: int, workers: int) -> None:
    params = solver.parameters
    params.max_time_in_seconds = max(seconds, 1e-3)
    params.num_workers = workers
    params.random_seed = seed
    params.relative_gap_limit = limits.gap
    if limits.memory_mb is not None:
        params.max_memory_in_mb = limits.memory_mb


def _cpsat(form: Any, limits: Limits, seconds: float, workers: int, shared: Any, stop: Callable[[], bool]) -> None:
    """Plain CP-SAT on the whole model with `workers` threads, offering every schedule it finds
    to `shared` and raising its bound; it stops early once `shared` is closed or `stop()` holds
    (asked on every solution and every `stopping.POLL` seconds)."""
    from ortools.sat.python import cp_model

    solver = cp_model.CpSolver()
    _parameters(solver, limits, seconds, limits.seed, workers)

    class Incumbents(cp_model.CpSolverSolutionCallback):
        def on_solution_callback(self) -> None:
            shared.offer(np.array([self.value(v) for v in form.starts], dtype=np.int64))
            shared.raise_bound(int(np.ceil(self.best_objective_bound - 1e-9)))
            if shared.closed or stop():
                self.stop_search()

    with stop_when(lambda: shared.closed or stop(), solver.stop_search):
        status = solver.solve(form.model, Incumbents())
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        shared.raise_bound(int(np.ceil(solver.best_objective_bound - 1e-9)))
        shared.proven = shared.proven or status == cp_model.OPTIMAL


def _sub_solve(
    form: Any,
    limits: Limits,
    seed: int,
    before: np.ndarray,
    after: np.ndarray,
    incumbent: np.ndarray,
    cap: int,
    seconds: float,
) -> tuple[np.ndarray | None, bool]:
    """Re-optimize under the machine-order precedences `before[i]` -> `after[i]` with the
    makespan capped at the incumbent's, hinted with the incumbent."""
    from ortools.sat.python import cp_model

    model, starts = form.restricted(before.tolist(), after.tolist(), cap, incumbent)
    solver = cp_model.CpSolver()
    _parameters(solver, limits, seconds, seed, 1)  # each improver runs one sub-solve at a time
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None, status == cp_model.INFEASIBLE
    return np.array([solver.value(s) for s in starts], dtype=np.int64), status == cp_model.OPTIMAL
