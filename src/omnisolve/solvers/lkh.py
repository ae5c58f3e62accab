"""LKH-3 (Helsgaun's Lin-Kernighan heuristic) through the `elkai` package, for symmetric and
asymmetric TSP.

elkai's public `DistanceMatrix.solve_tsp(runs)` has no time limit, and every call repeats LKH's
subgradient ascent (about 1 s at 800 nodes). We call `_elkai.solve_problem(parameters,
problem)`, which `solve_tsp` wraps and which takes LKH's own parameters: RUNS runs of at most
TIME_LIMIT CPU seconds each, TOTAL_TIME_LIMIT checked between runs. The limits count CPU time
and the ascent cannot be interrupted, so we convert wall to CPU time with the ratio measured
from the load average (then after each call), estimate the ascent (shortened with
INITIAL_PERIOD when it would take a large share), and call again with a new seed while the
wall clock leaves room. LKH cannot be stopped inside a call, so the caller's own stopping
criteria (`Limits.stop`) are asked between calls only: a cancel acts once the current call
ends (the first may take `FIRST_SHARE` of the time limit).

An instance with TSPLIB coordinates (EUC_2D, CEIL_2D, ATT, GEO) goes to LKH as coordinates,
never as a matrix: LKH computes those distances itself, exactly as TSPLIB defines them. From
`LARGE` nodes on, LKH takes Delaunay candidate edges and skips the subgradient ascent, whose
O(n^2) work would eat the time limit; it takes such coordinates at any size, and refuses an
explicit matrix that large (`size_reason`). Measured end to end (BENCHMARKS.md, TSP at scale):
random uniform 10,000 nodes at 30 s, 0.15 % shorter than tsp-ils; 100,000 nodes at 60 s, within
the limit and 184 MB but 14 % longer than tsp-ils, so auto keeps tsp-ils there."""

from __future__ import annotations

import os
import time
from typing import cast

import numpy as np

from omnisolve.limits import Limits, Tracker
from omnisolve.problems import Problem
from omnisolve.problems.tsp import TSP
from omnisolve.result import Result, Status
from omnisolve.solvers.base import SolverInterface

RUNS = 10  # independent LKH runs sharing the time limit
FIRST_SHARE = 0.6  # of the time the first call may use, before the wall/CPU ratio is measured
ASCENT_SECONDS_PER_NODE2 = 2e-6  # estimated ascent time per n^2 (explicit matrix)
LARGEST = 10**7  # LKH multiplies distances by PRECISION=100 into C ints: keep them below this
COORDINATE_TYPES = ("EUC_2D", "CEIL_2D", "ATT", "GEO")  # metrics LKH computes as TSPLIB does
LARGE = 5000  # nodes from which LKH uses Delaunay candidates and no ascent


class LkhSolver(SolverInterface):
    """LKH-3 (Lin-Kernighan-Helsgaun) via elkai: symmetric and asymmetric TSP

    LKH-3 via elkai: the strongest TSP heuristic here; FEASIBLE answers, no bound."""

    name = "lkh"
    package = "elkai"
    accepts = (TSP,)

    def unsupported_reason(self, problem: Problem) -> str | None:
        return super().unsupported_reason(problem) or size_reason(cast(TSP, problem))

    def _solve(self, problem: Problem, limits: Limits, tracker: Tracker) -> Result:
        assert isinstance(problem, TSP)  # unsupported_reason has refused every other problem
        if problem.n <= 3:  # elkai needs 3 nodes; below 4 there is nothing to optimize anyway
            tour = min([list(range(problem.n)), list(range(problem.n))[::-1]], key=problem.evaluate)
            return Result(Status.FEASIBLE, objective=problem.evaluate(tour), solution=tour)
        from elkai import _elkai

        clock = _Clock()
        text, note = lkh_problem(problem)
        ratio = max(clock.ratio(default=1.0), os.getloadavg()[0] / (os.cpu_count() or 1))
        ascent = ASCENT_SECONDS_PER_NODE2 * problem.n**2 * ratio
        params: dict[str, float | str] = {"RUNS": RUNS}  # ints stay ints: `.6g` prints them exactly below 10^6
        if problem.n >= LARGE and "NODE_COORD_SECTION" in text:
            params.update(CANDIDATE_SET_TYPE="DELAUNAY", SUBGRADIENT="NO")
            ascent = 0.0
        elif ascent > 0.3 * tracker.search_remaining():
            params["INITIAL_PERIOD"] = 100  # a third of the default ascent at 800 nodes
            ascent /= 3
        best: list[int] | None = None
        best_length = float("inf")
        calls = 0
        while best is None or (tracker.search_remaining() > 2 * ascent + 0.1 and not tracker.should_stop()):
            share = 1.0 if calls else FIRST_SHARE
            search = max(share * (tracker.search_remaining() - ascent) / ratio, 0.01)  # CPU seconds
            params.update(SEED=(limits.seed + calls) % 999_983 + 1, TIME_LIMIT=search / RUNS, TOTAL_TIME_LIMIT=search)
            clock = _Clock()
            lines = [f"{key} = {_text(value)}" for key, value in params.items()] + ["PROBLEM_FILE = :stdin:"]
            tour = [int(v) - 1 for v in _elkai.solve_problem("\n".join(lines) + "\n", text)]
            calls += 1
            if sorted(tour) != list(range(problem.n)):
                break  # no run finished in its budget: elkai hands back the previous call's tour
            length = problem.evaluate(tour)
            if best is None or length < best_length:
                best, best_length = tour, length
                tracker.report(length)
                if limits.exchange is not None:  # in a race: offer the tour to the board
                    limits.exchange.swap(length, lambda: tour)
            if clock.cpu() < 0.8 * search:
                break  # LKH finished its runs before the limit: more seeds rarely help
            ratio = clock.ratio(default=ratio)
            # the call's time beyond its search budget: its preprocessing. A call that ended before
            # its budget makes this an underestimate (fnl4461: a third call started on it and ran
            # 19 % past the limit), so later calls only ever raise the first call's measurement
            measured = max(clock.wall() - ratio * search, 0.0)
            ascent = measured if calls == 1 else max(ascent, measured)
        if best is None:  # the limit was too short for LKH's preprocessing: a construction tour
            from omnisolve.algorithms.tsp_construction import plain_tour
            from omnisolve.solvers.tsp_ils import LARGE_NODES

            tour = plain_tour(problem, problem.n >= LARGE_NODES, limits.seed % problem.n).tolist()
            note = f"LKH finished no run of {problem.n} nodes within the time limit: a nearest-neighbour or strips tour"
            length = problem.evaluate(tour)
            tracker.report(length)
            return Result(Status.FEASIBLE, objective=length, solution=tour, message=note)
        note = "; ".join(filter(None, [note, f"{calls} LKH call(s) of {RUNS} runs"]))
        return Result(Status.FEASIBLE, objective=best_length, solution=best, message=note)


class _Clock:
    """Wall and CPU time of this process since creation: LKH's limits are CPU seconds, which
    on a busy machine pass slower than the wall clock."""

    def __init__(self) -> None:
        self.start = (time.perf_counter(), time.process_time())

    def wall(self) -> float:
        return time.perf_counter() - self.start[0]

    def cpu(self) -> float:
        return time.process_time() - self.start[1]

    def ratio(self, default: float) -> float:
        """Wall seconds per CPU second, `default` when too little time passed to tell."""
        return max(1.0, self.wall() / self.cpu()) if self.cpu() > 0.02 else default


def as_coordinates(problem: TSP) -> bool:
    """Whether LKH gets `problem` as coordinates (a TSPLIB metric it computes itself)."""
    return problem.coords is not None and problem.edge_weight_type in COORDINATE_TYPES


def size_reason(problem: TSP) -> str | None:
    """Why LKH refuses `problem`: from `LARGE` nodes on it needs coordinates (a matrix of that
    size is hundreds of MB of text and an O(n^2) ascent that outlasts any sensible limit)."""
    if problem.n < LARGE or as_coordinates(problem):
        return None
    return (
        f"takes a TSP of {LARGE} nodes or more only as {', '.join(COORDINATE_TYPES)} coordinates, "
        f"not as {problem.edge_weight_type} distances ({problem.n} nodes)"
    )


def integer_weights(d: np.ndarray) -> tuple[np.ndarray, str]:
    """The matrix LKH gets: `d` itself when integral and small enough, else scaled to at most
    10^6 and rounded (the tour stays valid; its length is recomputed from `d`)."""
    top = float(d.max())
    if np.array_equal(d, np.round(d)) and top < LARGEST:
        return d.astype(np.int64), ""
    scale = 1e6 / top if top > 0 else 1.0
    return np.rint(d * scale).astype(np.int64), f"LKH saw the distances scaled by {scale:.6g} and rounded"


def lkh_problem(problem: TSP) -> tuple[str, str]:
    """The TSPLIB text LKH reads, and a note on what it saw: the coordinates for a TSPLIB
    metric LKH knows, else the full matrix (`integer_weights`; TYPE ATSP when asymmetric)."""
    if as_coordinates(problem):
        assert problem.coords is not None  # as_coordinates checked it
        nodes = "\n".join(f"{i + 1} {x!r} {y!r}" for i, (x, y) in enumerate(problem.coords.tolist()))
        head = f"TYPE : TSP\nDIMENSION : {problem.n}\nEDGE_WEIGHT_TYPE : {problem.edge_weight_type}\n"
        return f"{head}NODE_COORD_SECTION\n{nodes}\nEOF\n", ""
    weights, note = integer_weights(problem.distances)
    kind = "TSP" if np.array_equal(weights, weights.T) else "ATSP"
    rows = "\n".join(" ".join(map(str, row)) for row in weights.tolist())
    text = (
        f"TYPE : {kind}\nDIMENSION : {len(weights)}\nEDGE_WEIGHT_TYPE : EXPLICIT\n"
        f"EDGE_WEIGHT_FORMAT : FULL_MATRIX\nEDGE_WEIGHT_SECTION\n{rows}\nEOF\n"
    )
    return text, note


def _text(value: float | str) -> str:
    """A parameter's value as LKH reads it (numbers exactly below 10^6)."""
    return value if isinstance(value, str) else f"{value:.6g}"
