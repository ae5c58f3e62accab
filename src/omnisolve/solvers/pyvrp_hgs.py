"""PyVRP backend for CVRP: PyVRP 0.14's iterated local search (the successor of its hybrid
genetic search). With `threads` >= 2 it runs one search per thread with consecutive seeds, the
extra ones in helper processes (PyVRP is single-threaded), and keeps the best answer: on two
cores the best of two runs beats one run of the same wall time. Helpers are tasks of
`omnisolve.processes` (entry `run_seed`), fresh interpreters rather than multiprocessing, which
would re-run an unguarded user script in every child. The caller's own stopping criteria
(`Limits.stop`) are asked on every iteration of the first search, which then ends the helpers
through a stop file they look for on theirs. `pyvrp` is imported inside the functions only."""

from __future__ import annotations

import contextlib
import os
import pickle
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

import numpy as np

from omnisolve.limits import Limits, Tracker
from omnisolve.problems import Problem
from omnisolve.problems.cvrp import CVRP
from omnisolve.processes import Channel, Handle, Kind, LocalExecutor, Task
from omnisolve.result import Result, Status
from omnisolve.solvers.base import SolverInterface
from omnisolve.solvers.requirements import routing_data_reason

# PyVRP's largest distance (pyvrp.constants.MAX_VALUE); costs at or above it mean "no solution".
_MAX_VALUE = 1 << 44
# Seconds a helper may overrun the deadline before it is killed (the deadline is `stop_margin`
# before the time limit, so this is at most 0.2 s past the limit from a 3 s limit on).
_GRACE = 0.5

Routes = list[list[int]]
Outcome = tuple[int, Routes, bool]  # (cost, routes as node indices, feasible)


class PyVrpSolver(SolverInterface):
    """PyVRP iterated local search: CVRP with integer data; one seed per thread, best kept

    PyVRP (Wouda, Lan and Kool): CVRP with integer distances, demands and capacity."""

    name = "pyvrp"
    package = "pyvrp"
    accepts = (CVRP,)

    def unsupported_reason(self, problem: Problem) -> str | None:
        return super().unsupported_reason(problem) or routing_data_reason(problem, "PyVRP", _MAX_VALUE, "highs")

    def _solve(self, problem: Problem, limits: Limits, tracker: Tracker) -> Result:
        assert isinstance(problem, CVRP)  # unsupported_reason has refused every other problem
        deadline = time.time() + tracker.search_remaining()
        seeds = [limits.seed + k for k in range(limits.threads)]
        outcomes: list[Outcome] = []
        with tempfile.TemporaryDirectory(prefix="omnisolve-pyvrp-") as tmp, contextlib.ExitStack() as running:
            problem_file = Path(tmp) / "problem.pkl"  # the helpers' input
            stop_file = Path(tmp) / "stop"  # the helpers end once it exists
            if len(seeds) > 1:
                problem_file.write_bytes(pickle.dumps(problem))
            helpers = [
                running.enter_context(_start_helper(problem_file, stop_file, seed, deadline)) for seed in seeds[1:]
            ]
            drain = _drainer(helpers, tracker, outcomes)
            outcomes.append(run(problem, seeds[0], deadline, tracker.report, drain, tracker.stop_requested))
            stop_file.touch()  # the helpers end with this search (at the deadline or by the caller's criteria)
            while len(outcomes) < len(seeds) and time.time() < deadline + _GRACE:
                drain(True)
            for helper in helpers:
                helper.wait(max(0.0, deadline + _GRACE - time.time()))
        feasible = [o for o in outcomes if o[2]]
        if not feasible:
            return Result(Status.TIME_LIMIT, message="PyVRP found no solution within the capacity and fleet limits")
        cost, routes, _ = min(feasible, key=lambda o: o[0])
        tracker.report(float(cost))
        runs = f"best of {len(outcomes)} runs (seeds {seeds[0]}..{seeds[-1]})" if len(seeds) > 1 else ""
        return Result(Status.FEASIBLE, objective=float(cost), solution=routes, message=runs)


def run(
    problem: CVRP,
    seed: int,
    deadline: float,
    on_best: Callable[[float], None],
    on_iteration: Callable[[bool], None] = lambda wait: None,
    asked: Callable[[], bool] = lambda: False,
) -> Outcome:
    """One PyVRP search until the wall-clock `deadline` (time.time()) or until `asked()` holds
    (the caller's own criteria). The stopping criterion, called every iteration with the best
    feasible cost, streams improvements to `on_best`, calls `on_iteration(False)` and asks
    `asked()` (so both must be cheap)."""
    import pyvrp

    best_seen = [_MAX_VALUE]

    def stop(best_cost: int) -> bool:
        if best_cost < best_seen[0]:
            best_seen[0] = best_cost
            on_best(float(best_cost))
        on_iteration(False)
        return time.time() >= deadline or asked()

    best = pyvrp.solve(problem_data(problem), stop=stop, seed=seed, collect_stats=False).best
    return int(best.distance()), routes_of(problem, best), bool(best.is_feasible())


def problem_data(problem: CVRP) -> Any:
    """The CVRP as a pyvrp.ProblemData whose locations are our node indices: one depot, a
    client per customer, and one vehicle type of `num_vehicles` (free fleet: one per customer)."""
    from pyvrp import Client, Depot, Location, ProblemData, VehicleType

    coords = problem.coords if problem.coords is not None else np.zeros((problem.n, 2))
    locations = [Location(float(x), float(y)) for x, y in coords]
    clients = [Client(location=int(c), delivery=[int(problem.demands[c])]) for c in problem.customers]
    fleet = problem.num_vehicles or len(problem.customers)
    vehicles = [VehicleType(num_available=fleet, capacity=[int(problem.capacity)])]
    distances = np.rint(problem.distances).astype(np.int64)
    return ProblemData(
        locations, clients, [Depot(location=problem.depot)], vehicles, [distances], [np.zeros_like(distances)]
    )


def routes_of(problem: CVRP, solution: Any) -> Routes:
    """PyVRP's routes (client activities, numbered from 0) as lists of our customer nodes."""
    from pyvrp import ActivityType

    return [
        [int(problem.customers[a.idx]) for a in route if a.type == ActivityType.CLIENT] for route in solution.routes()
    ]


# ---- helper processes ------------------------------------------------------------------------
def _start_helper(problem_file: Path, stop_file: Path, seed: int, deadline: float) -> Handle:
    """Start `run` with `seed` on the pickled problem in a helper process, until `deadline` or
    until `stop_file` exists."""
    spec = {"problem": str(problem_file), "stop": str(stop_file), "seed": seed, "deadline": deadline}
    return LocalExecutor().submit(Task(f"{__name__}:run_seed", spec))


def run_seed(spec: dict[str, Any], channel: Channel) -> None:
    """The helper's side: one search with the spec's seed, its improvements as incumbents, its
    best as the result (feasible, or time_limit without a feasible one)."""
    problem = pickle.loads(Path(spec["problem"]).read_bytes())
    stop_file = spec["stop"]
    channel.started()
    start = time.perf_counter()
    cost, routes, feasible = run(
        problem,
        spec["seed"],
        spec["deadline"],
        lambda best: channel.incumbent(time.perf_counter() - start, best),
        asked=lambda: os.path.exists(stop_file),
    )
    status = Status.FEASIBLE if feasible else Status.TIME_LIMIT
    channel.result(Result(status, objective=float(cost), solution=routes))


def _drainer(helpers: list[Handle], tracker: Tracker, outcomes: list[Outcome]) -> Callable[[bool], None]:
    """A hook forwarding the helpers' messages: improvements to the tracker, outcomes to
    `outcomes` (a helper that ends without a result counts as an infeasible one). Without
    `wait` it looks at most every 0.05 s, cheap enough for every iteration; with `wait` it
    sleeps 0.05 s when nothing came."""
    last = [0.0]
    running = list(helpers)

    def drain(wait: bool) -> None:
        now = time.perf_counter()
        if not wait and now - last[0] < 0.05:
            return
        last[0] = now
        heard = False
        for helper in list(running):
            for message in helper.messages():
                heard = True
                if message["kind"] == Kind.INCUMBENT:
                    tracker.report(message["objective"])
            ended = helper.poll()
            if ended is not None:
                heard = True
                running.remove(helper)
                result = ended.result
                if result is not None and result["status"] == Status.FEASIBLE:
                    outcomes.append((int(result["objective"]), result["solution"], True))
                else:
                    outcomes.append((0, [], False))
        if wait and not heard:
            time.sleep(0.05)

    return drain
