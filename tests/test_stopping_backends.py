"""Every backend with a native search stops soon after a criterion of `Limits.stop` fires, each
through its library's own hook, and returns its best incumbent as a normal answer: feasible
(verified) or a clean time limit without a solution, never a claim it did not prove. Each run
has a 60 s limit on an instance the backend does not prove within 10 s, and must be back
within `STOPPED` seconds. Only generous wall-clock bounds are asserted."""

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
import pytest
import scipy.sparse as sp

import omnisolve as om
from conftest import BENCHDATA, STOPPED, grace
from omnisolve.limits import Cancelled, Limits, StoppingCriterion, TargetObjective
from omnisolve.model import ProblemData
from omnisolve.result import Status
from omnisolve.solvers import registry
from omnisolve.verify import verify

FT10 = BENCHDATA / "jobshop" / "ft10.txt"  # optimum 930; one CP-SAT worker has not proven it at 15 s
MKNAP = BENCHDATA / "mip_hard" / "mknap_1.mps"  # max; SCIP and HiGHS leave a gap at 120 s
CVRP = BENCHDATA / "cvrp" / "X-n101-k25.vrp"  # optimum 27591; heuristics never prove it
PCB442 = BENCHDATA / "tsp" / "pcb442.tsp"  # optimum 50778; single HiGHS runs of tsp-dfj take seconds

# backend -> (instance, an objective it reaches within a second or two, threads)
CASES = {
    "cpsat": (FT10, 1100, 1),
    "jobshop-lns": (FT10, 1000, 1),
    "scip": (MKNAP, 58500, 1),
    "highs": (MKNAP, 58500, 1),
    "ortools-routing": (CVRP, 29500, 1),
    "pyvrp": (CVRP, 28500, 2),  # a helper process beside the first search
    "tsp-dfj": (PCB442, 60000, 1),
}


def solve(name: str, problem, stop: StoppingCriterion, threads: int = 1):
    """The backend's result (verified) and the wall-clock seconds it took."""
    began = time.perf_counter()
    result = registry.get(name).solve(problem, Limits(time=60, threads=threads, stop=stop))
    return verify(problem, result), time.perf_counter() - began


@contextmanager
def cancelled_after(seconds: float) -> Iterator[Cancelled]:
    """A `Cancelled` whose event a timer thread sets after `seconds` (the timer ends with the block)."""
    event = threading.Event()
    timer = threading.Timer(seconds, event.set)
    timer.start()
    try:
        yield Cancelled(event)
    finally:
        timer.cancel()


def assert_normal_stop(result, wall: float) -> None:
    """Back in time, with a verified incumbent or a clean answer without one, claiming nothing."""
    assert wall < grace(STOPPED), f"took {wall:.1f} s"
    if result.status == Status.FEASIBLE:
        assert result.certificate.passed, result.certificate.messages
    else:
        assert result.status == Status.TIME_LIMIT, (result.status, result.message)
        assert result.values is None and result.solution is None


@pytest.mark.parametrize("name", CASES)
def test_a_target_objective_stops_the_search(name):
    path, target, threads = CASES[name]
    problem = om.read(path)
    result, wall = solve(name, problem, TargetObjective(target), threads)
    assert_normal_stop(result, wall)
    assert result.status == Status.FEASIBLE  # not optimal: none of these is proven this soon
    better = (lambda a, b: a >= b) if problem.sense == "max" else (lambda a, b: a <= b)
    assert better(result.objective, target)


@pytest.mark.parametrize("name", CASES)
def test_a_cancel_stops_the_search_between_solutions(name):
    path, _, threads = CASES[name]
    with cancelled_after(1.0) as cancel:
        result, wall = solve(name, om.read(path), cancel, threads)
    assert_normal_stop(result, wall)


def test_a_cancel_stops_a_highs_lp_inside_its_iterations():
    n, k = 20_000, 20  # a random covering LP (k entries a row) HiGHS has not solved at 20 s
    rng = np.random.default_rng(0)
    A = sp.csr_matrix((rng.uniform(0, 1, k * n), (np.repeat(np.arange(n), k), rng.integers(0, n, k * n))), shape=(n, n))
    lp = ProblemData(
        None, np.zeros(n), np.full(n, np.inf), np.zeros(n, np.int8), rng.uniform(1, 2, n), A,
        rng.uniform(0.5, 1, n), np.full(n, np.inf), None,
    )  # fmt: skip
    with cancelled_after(1.0) as cancel:
        result, wall = solve("highs", lp, cancel)
    assert_normal_stop(result, wall)
