"""HGS-CVRP backend: Vidal's hybrid genetic search for the CVRP (Vidal 2022, "Hybrid genetic
search for the CVRP: open-source implementation and SWAP* neighborhood"), the C++ code through
the `hygese` package. A population of routes recombined by crossover and improved by local search
with SWAP*: on CVRPLIB instances of 30-200 customers at 10 s it ends nearer the optimum than
PyVRP's iterated local search (BENCHMARKS.md).

Guarded, not trusted: HGS-CVRP loops forever on one customer and dies of SIGSEGV when the fleet
cannot carry the total demand (hygese 0.1.0). So the search is a single C call in a helper
process (a task of `omnisolve.processes`, entry `run_search`): a crash is an error result, a
hang past the time limit is killed, and neither harms the caller. The cases known to break it are
answered here without it. Its routes come once, at the end; its progress comes as it goes: the
helper reads HGS-CVRP's own trace lines (its fd 1 turned into a pipe) for the best feasible cost
and sends each improvement as an incumbent. It counts its time limit in CPU seconds (`clock()`):
the helper asks for the wall seconds left times the CPU share it gets (`_cpu_share`, sampled),
so that on a machine with more busy processes than cores it still ends by the deadline. Past the
deadline plus a grace, the helper is killed when it has had more CPU seconds than the wall
seconds it was given (HGS-CVRP has overrun its own clock: it hangs). A helper starved of CPU (a
load that rose after it started, or a slow start) is waited for a while longer, so it ends late
with an answer rather than on time without one (`Result.extra["starved_wait"]`: the seconds
waited past the deadline and the grace). A caller's stopping criterion ends it at once,
without an answer.
HGS-CVRP wants the depot at node 0 and symmetric distances: the problem is renumbered for it,
and an asymmetric one is refused. `hygese` is imported in the helper only."""

from __future__ import annotations

import contextlib
import os
import pickle
import re
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

from omnisolve.limits import Limits, Tracker
from omnisolve.problems import Problem
from omnisolve.problems.cvrp import CVRP
from omnisolve.processes import Channel, Kind, LocalExecutor, Task
from omnisolve.result import Result, Status
from omnisolve.solvers.base import SolverInterface
from omnisolve.solvers.requirements import EXACT_INT, asymmetric_reason, routing_data_reason

# HGS-CVRP stops after this many iterations without improvement unless its time is up first:
# high enough that the time limit ends it
_NO_IMPROVEMENT_CAP = 10**9
# seconds the helper may run past the deadline before it is killed without an answer
_GRACE = 1.0
# a helper starved of CPU is waited for this long past the grace, or half its planned seconds if more
_STARVED_WAIT = 5.0
_POLL = 0.05
# HGS-CVRP writes a trace line every this many iterations; " | Feas <count> <best> <mean>" in it
_TRACE_EVERY = 100
_BEST_FEASIBLE = re.compile(r"\| Feas \d+ ([0-9.]+)")
# a CPU share above this counts as a whole core: start-up waits (disk, spawn) are not load
_WHOLE_CORE = 0.85
# below it, the load may rise further: the helper asks for this part of its share, at least the least share
_LOADED_MARGIN = 0.75
_LEAST_SHARE = 0.1
_SAMPLE = 0.1  # seconds of busy sampling for the CPU share


class HgsCvrpSolver(SolverInterface):
    """HGS-CVRP (Vidal): CVRP with integer data and symmetric distances; one search, its routes at the end

    Hybrid genetic search with SWAP*, the C++ code through hygese; single-threaded."""

    name = "hgs"
    package = "hygese"
    accepts = (CVRP,)

    def unsupported_reason(self, problem: Problem) -> str | None:
        return (
            super().unsupported_reason(problem)
            or routing_data_reason(problem, "HGS-CVRP", EXACT_INT, "highs")
            or asymmetric_reason(problem, "pyvrp")
        )

    def _solve(self, problem: Problem, limits: Limits, tracker: Tracker) -> Result:
        assert isinstance(problem, CVRP)  # unsupported_reason has refused every other problem
        known = _without_search(problem)
        if known is not None:
            if known.objective is not None:
                tracker.report(known.objective, known.bound)
            return known
        planned = tracker.search_remaining()
        deadline = time.time() + planned
        with tempfile.TemporaryDirectory(prefix="omnisolve-hgs-") as tmp:
            path = Path(tmp) / "problem.pkl"
            path.write_bytes(pickle.dumps(problem))
            spec = {"problem": str(path), "deadline": deadline, "seed": limits.seed}
            with LocalExecutor().submit(Task(f"{__name__}:run_search", spec)) as helper:
                while not (helper.poll() or _overdue(helper.pid, deadline, planned) or tracker.stop_requested()):
                    for message in helper.messages(_POLL):
                        if message["kind"] == Kind.INCUMBENT:
                            tracker.report(message["objective"])
                outcome = helper.wait(0)  # ended, or cancelled now
        if outcome.result is None:
            why = "stopped" if outcome.cancelled else f"helper {outcome.ended()}"
            status = Status.TIME_LIMIT if outcome.cancelled else Status.ERROR
            return Result(status, message=f"HGS-CVRP gave no answer ({why})")
        late = {"starved_wait": round(waited, 3)} if (waited := time.time() - deadline - _GRACE) > 0 else {}
        routes = outcome.result["solution"]
        if routes is None:
            none = "HGS-CVRP found no solution within the capacity and fleet limits"
            return Result(Status.TIME_LIMIT, message=none, extra=late)
        cost = problem.evaluate(routes)
        tracker.report(cost)
        return Result(Status.FEASIBLE, objective=cost, solution=routes, extra=late)


def _without_search(problem: CVRP) -> Result | None:
    """The answer where HGS-CVRP must not be called (no customer, one customer, a demand or a
    total demand the fleet cannot carry); None otherwise."""
    demands = np.asarray(problem.demands, dtype=float)[problem.customers]
    fleet = problem.num_vehicles or len(problem.customers)
    if len(demands) and (demands.max() > problem.capacity or demands.sum() > fleet * problem.capacity):
        return Result(Status.TIME_LIMIT, message="no solution: the fleet cannot carry the demand (HGS-CVRP not run)")
    if len(demands) > 1:
        return None
    routes = [[int(c)] for c in problem.customers]
    cost = problem.evaluate(routes)
    return Result(Status.OPTIMAL, objective=cost, bound=cost, solution=routes, message="at most one customer")


def run_search(spec: dict[str, Any], channel: Channel) -> None:
    """The helper's side: one HGS-CVRP search until the spec's deadline; its routes (None when
    it found no feasible solution) as the result's solution."""
    problem = pickle.loads(Path(spec["problem"]).read_bytes())
    channel.started()
    start = time.perf_counter()
    order = np.array([problem.depot, *problem.customers])  # HGS node i is our node order[i]
    cpu_seconds = (spec["deadline"] - time.time()) * _cpu_share()
    with _trace_costs(lambda cost: channel.incumbent(time.perf_counter() - start, cost)):
        routes = _search(problem, order, cpu_seconds, spec["seed"])
    channel.result(Result(Status.FEASIBLE if routes else Status.TIME_LIMIT, solution=routes))


def _overdue(pid: int, deadline: float, planned: float) -> bool:
    """Whether the helper is to be killed: past the deadline plus the grace, when it has had more
    CPU seconds than the `planned` wall seconds (it hangs) or /proc cannot tell; else (starved)
    past the longer wait as well."""
    late = time.time() - deadline - _GRACE
    if late <= 0:
        return False
    times = _process_times(str(pid))
    return times is None or times[0] > planned or late > max(_STARVED_WAIT, planned / 2)


def _cpu_share() -> float:
    """The part of a core to plan HGS-CVRP's CPU seconds on, from a busy sample of _SAMPLE wall
    seconds (the CPU seconds this process gets over them): 1 where it gets nearly a whole core,
    else a margin below the share it got. Sampled, not read from the process's life so far: a
    helper forked by the zygote has no past to read."""
    wall, cpu = time.monotonic(), time.process_time()
    while time.monotonic() - wall < _SAMPLE:
        pass
    share = (time.process_time() - cpu) / (time.monotonic() - wall)
    return 1.0 if share >= _WHOLE_CORE else max(share * _LOADED_MARGIN, _LEAST_SHARE)


def _process_times(pid: str) -> tuple[float, float] | None:
    """A process's CPU seconds (user and system) and wall seconds since it started, from /proc;
    None where /proc cannot tell."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        uptime = float(Path("/proc/uptime").read_text().split()[0])
    except (OSError, IndexError, ValueError):
        return None
    ticks = os.sysconf("SC_CLK_TCK")
    # fields 14, 15 and 22 of stat (counted from 1 with the pid and name): utime, stime, starttime
    return (int(fields[11]) + int(fields[12])) / ticks, uptime - int(fields[19]) / ticks


def _search(problem: CVRP, order: np.ndarray, seconds: float, seed: int) -> list[list[int]] | None:
    """One HGS-CVRP search of `seconds` on the problem renumbered by `order` (depot first): its
    routes in our node numbers, or None when its best breaks the capacity or the fleet limit
    (HGS-CVRP answers its best penalized solution when it found no feasible one)."""
    import hygese

    distances = np.rint(problem.distances[np.ix_(order, order)]).astype(np.float64)
    data = {
        "distance_matrix": distances,
        "demands": np.asarray(problem.demands, dtype=np.float64)[order],
        "vehicle_capacity": float(problem.capacity),
        "depot": 0,
    }
    if problem.num_vehicles is not None:
        data["num_vehicles"] = int(problem.num_vehicles)
    params = hygese.AlgorithmParameters(
        timeLimit=max(seconds, 0.01), seed=seed, nbIter=_NO_IMPROVEMENT_CAP, nbIterTraces=_TRACE_EVERY
    )
    found = hygese.Solver(parameters=params, verbose=True).solve_cvrp(data)  # its trace: `_trace_costs`
    routes = [[int(order[i]) for i in route] for route in found.routes if len(route)]
    fleet_ok = problem.num_vehicles is None or len(routes) <= problem.num_vehicles
    loads_ok = all(float(problem.demands[route].sum()) <= problem.capacity for route in routes)
    return routes if fleet_ok and loads_ok else None


@contextlib.contextmanager
def _trace_costs(on_best: Callable[[float], None]) -> Iterator[None]:
    """While the block runs, this process's fd 1 is a pipe whose lines a thread reads: each
    HGS-CVRP trace line whose best feasible cost improves on the last calls `on_best(cost)`."""
    read_end, write_end = os.pipe()
    saved = os.dup(1)
    os.dup2(write_end, 1)
    os.close(write_end)

    def read() -> None:
        best = float("inf")
        with os.fdopen(read_end, errors="replace") as lines:
            for line in lines:
                found = _BEST_FEASIBLE.search(line)
                if found and float(found.group(1)) < best:
                    best = float(found.group(1))
                    on_best(best)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        yield
    finally:
        os.dup2(saved, 1)  # the pipe's last write end closes: the reader reads to its end and stops
        os.close(saved)
        reader.join(1.0)
