"""Our own symmetric TSP heuristic, from a few nodes to 100,000 and more: k-nearest-neighbour
candidate lists, a first tour (nearest neighbour; the greedy edge matching from `LARGE_NODES`),
2-opt + Or-opt (+ Or-3opt from `LARGE_NODES`) with don't-look bits, then iterated local search
with local double-bridge kicks until the time limit. A TSP that computes
its distances from coordinates is searched on the coordinates (candidates from a k-d tree,
distances on demand), so no n x n matrix is ever built; an explicit matrix is searched as it is.
Kernels in `omnisolve.algorithms.tsp_metric`, `tsp_construction` and `tsp_local_search`,
numba-jitted and imported lazily."""

from __future__ import annotations

from typing import Iterator

import numpy as np

from omnisolve.limits import Limits, Tracker
from omnisolve.problems import Problem
from omnisolve.problems.tsp import TSP
from omnisolve.result import Result, Status
from omnisolve.solvers.base import SolverInterface
from omnisolve.solvers.requirements import kind_reason

NEIGHBORS = 10  # candidate list length per node
KICK_LENGTH = 50  # the double bridge swaps two adjacent paths of at most this many nodes
CHUNK_SECONDS = 0.05  # the clock is checked between chunks of kernel work this long
REPORT_SECONDS = 0.1  # an improved tour is measured and reported at most this often (O(n) each)
#: from this many nodes the first tour is the greedy matching (nearest neighbour is O(n^2)) and
#: Or-3opt joins the moves: measured at equal CPU time, both give shorter tours from 1,432 nodes
#: (u1432, u1817, pcb3038, fnl4461, random 10,000) but longer ones at 442-1,002 (the extra move
#: costs more time than it gains when the search has time to converge)
LARGE_NODES = 1500


class TspIlsSolver(SolverInterface):
    """Iterated 2-opt / Or-opt / Or-3opt local search for the symmetric TSP, at any size."""

    name = "tsp-ils"
    package = "numba"
    description = "Iterated local search (2-opt, Or-opt, Or-3opt, double bridge; numba): symmetric TSP, any size"

    def unsupported_reason(self, problem: Problem) -> str | None:
        if not isinstance(problem, TSP):
            return kind_reason(problem, TSP)
        if not problem.symmetric:
            return "needs symmetric distances (this TSP is asymmetric); use lkh or cpsat"
        return None

    def _solve(self, problem: Problem, limits: Limits, tracker: Tracker) -> Result:
        assert isinstance(problem, TSP)  # unsupported_reason has refused every other problem
        from omnisolve.algorithms import tsp_construction, tsp_metric
        from omnisolve.algorithms import tsp_local_search as ls

        m = tsp_metric.metric_of(problem)
        neigh = tsp_metric.candidates(problem, m, NEIGHBORS)
        large = problem.n >= LARGE_NODES
        if large:
            first = tsp_construction.greedy_tour(m, neigh)
        else:
            first = tsp_construction.nearest_neighbor_tour(m, problem.n, limits.seed % problem.n)
        search = ls.new_search(first)
        tour, state = search[0], search[4]
        report = _Reports(problem, tracker)
        report(tour, True)
        for steps in _chunks(tracker, 1000):  # the first descent, interruptible
            report(tour, ls.local_search(m, neigh, search, steps, large) > 0)
            if state[ls.COUNT] == 0:
                break
        length, seed = np.array([tsp_metric.tour_length(m, tour)]), limits.seed
        for rounds in _chunks(tracker, 16) if problem.n >= 5 else ():
            report(tour, ls.ils(m, neigh, search, length, rounds, KICK_LENGTH, large, seed) > 0)
            seed = -1  # seed the generator once, then keep its stream
        solution = tour.tolist()
        objective = problem.evaluate(solution)
        tracker.report(objective)
        return Result(Status.FEASIBLE, objective=objective, solution=solution)


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
