"""PyVRP backend for CVRP: PyVRP 0.14's iterated local search (the successor of its hybrid
genetic search). With `threads` >= 2 it runs one search per thread with consecutive seeds, the
extra ones in helper interpreters (PyVRP is single-threaded), and keeps the best answer: on two
cores the best of two runs beats one run of the same wall time. Helpers are plain subprocesses
(`python -m omnisolve.solvers.pyvrp_hgs`) rather than multiprocessing, which would re-run an
unguarded user script in every child. `pyvrp` is imported inside the functions only."""

from __future__ import annotations

import os
import pickle
import queue
import subprocess
import sys
import threading
import time
from typing import Any, BinaryIO, Callable

import numpy as np

from omnisolve.limits import Limits, Tracker
from omnisolve.problems import Problem
from omnisolve.problems.cvrp import CVRP
from omnisolve.result import Result, Status
from omnisolve.solvers.base import SolverInterface
from omnisolve.solvers.requirements import kind_reason, routing_data_reason

# PyVRP's largest distance (pyvrp.constants.MAX_VALUE); costs at or above it mean "no solution".
_MAX_VALUE = 1 << 44
# Seconds a helper may overrun the deadline before it is killed (the deadline is `stop_margin`
# before the time limit, so this is at most 0.2 s past the limit from a 3 s limit on).
_GRACE = 0.5

Routes = list[list[int]]
Outcome = tuple[int, Routes, bool]  # (cost, routes as node indices, feasible)


class PyVrpSolver(SolverInterface):
    """PyVRP (Wouda, Lan and Kool): CVRP with integer distances, demands and capacity."""

    name = "pyvrp"
    package = "pyvrp"
    description = "PyVRP iterated local search: CVRP with integer data; one seed per thread, best kept"

    def unsupported_reason(self, problem: Problem) -> str | None:
        if not isinstance(problem, CVRP):
            return kind_reason(problem, CVRP)
        return routing_data_reason(problem, "PyVRP", _MAX_VALUE, "highs")

    def _solve(self, problem: Problem, limits: Limits, tracker: Tracker) -> Result:
        assert isinstance(problem, CVRP)  # unsupported_reason has refused every other problem
        deadline = time.time() + tracker.search_remaining()
        seeds = [limits.seed + k for k in range(limits.threads)]
        messages: queue.Queue = queue.Queue()
        helpers = [_start_helper(problem, seed, deadline, messages) for seed in seeds[1:]]
        outcomes: list[Outcome] = []
        try:
            drain = _drainer(messages, tracker, outcomes)
            outcomes.append(run(problem, seeds[0], deadline, tracker.report, drain))
            while len(outcomes) < len(seeds) and time.time() < deadline + _GRACE:
                drain(True)
        finally:
            for helper in helpers:
                try:
                    helper.wait(max(0.0, deadline + _GRACE - time.time()))
                except subprocess.TimeoutExpired:
                    helper.kill()
                    helper.wait()
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
) -> Outcome:
    """One PyVRP search until the wall-clock `deadline` (time.time()). The stopping criterion,
    called every iteration with the best feasible cost, streams improvements to `on_best` and
    calls `on_iteration(False)` (so hooks there must be cheap)."""
    import pyvrp

    best_seen = [_MAX_VALUE]

    def stop(best_cost: int) -> bool:
        if best_cost < best_seen[0]:
            best_seen[0] = best_cost
            on_best(float(best_cost))
        on_iteration(False)
        return time.time() >= deadline

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


# ---- helper interpreters ---------------------------------------------------------------------
def _start_helper(problem: CVRP, seed: int, deadline: float, messages: queue.Queue) -> subprocess.Popen:
    """Start `run` with `seed` in a fresh interpreter; a thread forwards its pickled messages
    ("best", cost) and finally ("done", outcome) into `messages`. A helper that dies without
    an outcome counts as an infeasible one."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}  # finds omnisolve wherever we did
    helper = subprocess.Popen(
        [sys.executable, "-m", __name__],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    assert helper.stdin is not None and helper.stdout is not None
    pickle.dump((problem, seed, deadline), helper.stdin)
    helper.stdin.close()

    def forward(stream: BinaryIO) -> None:
        done = False
        try:
            while not done:
                message = pickle.load(stream)
                done = message[0] == "done"
                messages.put(message)
        except (EOFError, pickle.UnpicklingError):
            messages.put(("done", (0, [], False)))

    threading.Thread(target=forward, args=(helper.stdout,), daemon=True).start()
    return helper


def _helper_main() -> None:
    """The helper side: read (problem, seed, deadline) from stdin, write messages to stdout
    (anything else printing goes to stderr, so it cannot corrupt the stream)."""
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    problem, seed, deadline = pickle.load(sys.stdin.buffer)

    def send(message: tuple) -> None:
        pickle.dump(message, out)
        out.flush()

    send(("done", run(problem, seed, deadline, lambda cost: send(("best", cost)))))


def _drainer(messages: queue.Queue, tracker: Tracker, outcomes: list[Outcome]) -> Callable[[bool], None]:
    """A hook forwarding the helpers' messages: improvements to the tracker, outcomes to
    `outcomes`. Without `wait` it looks at most every 0.05 s, cheap enough for every iteration;
    with `wait` it blocks up to 0.05 s for the next message."""
    last = [0.0]

    def drain(wait: bool) -> None:
        now = time.perf_counter()
        if not wait and now - last[0] < 0.05:
            return
        last[0] = now
        while True:
            try:
                kind, payload = messages.get(timeout=0.05) if wait else messages.get_nowait()
            except queue.Empty:
                return
            if kind == "best":
                tracker.report(payload)
            else:
                outcomes.append(payload)
            wait = False

    return drain


if __name__ == "__main__":
    _helper_main()
