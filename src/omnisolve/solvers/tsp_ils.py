"""Our own symmetric TSP heuristic: nearest-neighbour tour, 2-opt + Or-opt with neighbour
lists, then iterated local search with local double-bridge kicks until the time limit
(kernels in `omnisolve.algorithms.tsp_local_search`, numba-jitted and imported lazily)."""

from __future__ import annotations

import numpy as np

from omnisolve.limits import Limits, Tracker
from omnisolve.problems import Problem
from omnisolve.problems.tsp import TSP
from omnisolve.result import Result, Status
from omnisolve.solvers.base import SolverInterface
from omnisolve.solvers.requirements import kind_reason

NEIGHBORS = 10  # candidate list length per node
KICK_LENGTH = 50  # the double bridge swaps two adjacent paths of at most this many nodes
CHUNK_SECONDS = 0.05  # the clock is checked between chunks of ILS rounds this long


class TspIlsSolver(SolverInterface):
    """Iterated 2-opt / Or-opt local search for the symmetric TSP."""

    name = "tsp-ils"
    package = "numba"
    description = "Iterated local search (2-opt, Or-opt, double bridge; numba): symmetric TSP"

    def unsupported_reason(self, problem: Problem) -> str | None:
        if not isinstance(problem, TSP):
            return kind_reason(problem, TSP)
        if not problem.symmetric:
            return "needs symmetric distances (this TSP is asymmetric); use lkh or cpsat"
        return None

    def _solve(self, problem: Problem, limits: Limits, tracker: Tracker) -> Result:
        assert isinstance(problem, TSP)  # unsupported_reason has refused every other problem
        from omnisolve.algorithms import tsp_local_search as ls

        d = problem.distances * unit_scale(problem.distances)
        neigh = ls.neighbor_lists(d, NEIGHBORS)
        start = limits.seed % problem.n
        tour, pos = ls.optimize(d, neigh, ls.nearest_neighbor_tour(d, start))
        length = ls.tour_length(d, tour)
        tracker.report(problem.evaluate(tour.tolist()))
        best, lengths = tour.copy(), np.array([length, length])
        rounds, seed = 16, limits.seed
        while problem.n >= 5 and not tracker.should_stop():
            began = tracker.elapsed()
            if ls.ils(d, neigh, tour, pos, best, lengths, rounds, KICK_LENGTH, seed):
                tracker.report(problem.evaluate(best.tolist()))
            seed = -1  # seed the generator once, then keep its stream
            took = max(tracker.elapsed() - began, 1e-6)
            budget = min(CHUNK_SECONDS, tracker.search_remaining())
            rounds = int(np.clip(rounds * budget / took, 1, 4 * rounds))
        solution = [int(v) for v in best]
        return Result(Status.FEASIBLE, objective=problem.evaluate(solution), solution=solution)


def unit_scale(d: np.ndarray) -> float:
    """A power of two (exact to multiply by) that brings the largest distance near 2^20, so the
    kernels' absolute improvement threshold is far above rounding noise and far below any real
    gain, whatever the units of the data."""
    top = float(d.max())
    return 2.0 ** (20 - int(np.ceil(np.log2(top)))) if top > 0 else 1.0
