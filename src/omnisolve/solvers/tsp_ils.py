"""Our own symmetric TSP heuristic, from a few nodes to 100,000 and more: k-nearest-neighbour
candidate lists, a first tour (nearest neighbour; the greedy edge matching from `LARGE_NODES`),
2-opt + Or-opt (+ Or-3opt from `LARGE_NODES`) with don't-look bits, then iterated local search
with local double-bridge kicks until the time limit. A TSP that computes
its distances from coordinates is searched on the coordinates (candidates from a k-d tree,
distances on demand), so no n x n matrix is ever built; an explicit matrix is searched as it is.
Kernels in `omnisolve.algorithms.tsp_metric`, `tsp_construction` and `tsp_local_search`,
numba-jitted and imported lazily. A run never waits for numba beyond its time: until the kernels
are compiled (`tsp_kernels`, in a thread) the answer is a tour built with numpy alone."""

from __future__ import annotations

from typing import Iterator

import numpy as np

from omnisolve.limits import Limits, Tracker
from omnisolve.problems import Problem
from omnisolve.problems.tsp import TSP
from omnisolve.result import Result, Status
from omnisolve.solvers.base import SolverInterface
from omnisolve.solvers.requirements import asymmetric_reason

NEIGHBORS = 10  # candidate list length per node
KICK_LENGTH = 50  # the double bridge swaps two adjacent paths of at most this many nodes
CHUNK_SECONDS = 0.05  # the clock is checked between chunks of kernel work this long
REPORT_SECONDS = 0.1  # an improved tour is measured and reported at most this often (O(n) each)
#: from this many nodes the first tour is the greedy matching (nearest neighbour is O(n^2)) and
#: Or-3opt joins the moves: measured at equal CPU time, both give shorter tours from 1,432 nodes
#: (u1432, u1817, pcb3038, fnl4461, random 10,000) but longer ones at 442-1,002 (the extra move
#: costs more time than it gains when the search has time to converge)
LARGE_NODES = 1500
#: the message of a run that ended before numba had compiled its kernels
COMPILING = (
    "numba was still compiling the search kernels (a cold cache, once; tsp_kernels.warm_up() does it ahead): "
    "answered with a first tour built with numpy"
)


class TspIlsSolver(SolverInterface):
    """Iterated local search (2-opt, Or-opt, Or-3opt, double bridge; numba): symmetric TSP, any
    size"""

    name = "tsp-ils"
    package = "numba"
    accepts = (TSP,)

    def unsupported_reason(self, problem: Problem) -> str | None:
        return super().unsupported_reason(problem) or asymmetric_reason(problem, "lkh or cpsat")

    def _solve(self, problem: Problem, limits: Limits, tracker: Tracker) -> Result:
        assert isinstance(problem, TSP)  # unsupported_reason has refused every other problem
        from omnisolve.algorithms import tsp_construction, tsp_kernels, tsp_metric
        from omnisolve.algorithms import tsp_local_search as ls

        tsp_kernels.ready(0)  # starts compiling them (or loading them from the cache) at once
        m = tsp_metric.metric_of(problem)
        neigh = tsp_metric.candidates(problem, m, NEIGHBORS)
        large, start = problem.n >= LARGE_NODES, int(limits.seed) % problem.n
        report = _Reports(problem, tracker)
        starts: list[np.ndarray] = []
        if not tsp_kernels.ready(0):
            starts.append(tsp_construction.plain_tour(problem, large, start))
            report(starts[0], True)
            if not tsp_kernels.ready(tracker.search_remaining()) or tracker.should_stop():
                return _answer(problem, tracker, starts[0], COMPILING)
        if large:
            starts.append(tsp_construction.greedy_tour(m, neigh))
        else:
            starts.append(tsp_construction.nearest_neighbor_tour(m, problem.n, start))
        search = ls.new_search(min(starts, key=problem.tour_length))  # the search never lengthens it
        tour, state = search[0], search[4]
        report(tour, True)
        for steps in _chunks(tracker, 1000):  # the first descent, interruptible
            report(tour, ls.local_search(m, neigh, search, steps, large) > 0)
            if state[ls.COUNT] == 0:
                break
        length, seed = np.array([tsp_metric.tour_length(m, tour)]), int(limits.seed)
        for rounds in _chunks(tracker, 16) if problem.n >= 5 else ():
            report(tour, ls.ils(m, neigh, search, length, rounds, KICK_LENGTH, large, seed) > 0)
            seed = -1  # seed the generator once, then keep its stream
            if limits.exchange is not None:  # in a race: offer the tour, continue from a better one
                better = limits.exchange.swap(problem.tour_length(tour), tour.tolist)
                if better is not None:
                    search = ls.new_search(np.asarray(better[1], dtype=np.int64))
                    tour, state = search[0], search[4]
                    length[0] = tsp_metric.tour_length(m, tour)
                    report(tour, True)
        return _answer(problem, tracker, tour)


def _answer(problem: TSP, tracker: Tracker, tour: np.ndarray, message: str = "") -> Result:
    """The result of `tour`, its exact length reported to the tracker."""
    solution = tour.tolist()
    objective = problem.evaluate(solution)
    tracker.report(objective)
    return Result(Status.FEASIBLE, objective=objective, solution=solution, message=message)


def _chunks(tracker: Tracker, size: int) -> Iterator[int]:
    """Budgets (steps or rounds) for successive kernel calls, each sized to take about
    `CHUNK_SECONDS` from how long the last one took, until the tracker says stop."""
    while not tracker.should_stop():
        began = tracker.elapsed()
        yield size
        took = max(tracker.elapsed() - began, 1e-6)
        budget = min(CHUNK_SECONDS, tracker.search_remaining())
        size = int(np.clip(size * budget / took, 1, 4 * size))


class _Reports:
    """Reports the tour's exact length to the tracker when it `improved`, at most every
    `REPORT_SECONDS` (an improvement within that time is reported once it has passed)."""

    def __init__(self, problem: TSP, tracker: Tracker):
        self.problem, self.tracker, self.last, self.pending = problem, tracker, -np.inf, False

    def __call__(self, tour: np.ndarray, improved: bool) -> None:
        self.pending |= improved
        if self.pending and self.tracker.elapsed() - self.last >= REPORT_SECONDS:
            self.tracker.report(self.problem.tour_length(tour))
            self.last, self.pending = self.tracker.elapsed(), False
