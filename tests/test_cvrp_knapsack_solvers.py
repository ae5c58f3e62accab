"""The PyVRP backend on CVRPLIB instances and the knapsack dynamic program on Pisinger's classes."""

import csv
import itertools
import time

import numpy as np
import pytest

import omnisolve as om
from conftest import BENCHDATA, OVERRUN, grace
from omnisolve.algorithms.knapsack_dp import prefer_dp
from omnisolve.io import read_cvrp
from omnisolve.problems import CVRP, Knapsack
from omnisolve.result import Status
from omnisolve.solvers import registry

KNAPSACK = BENCHDATA / "knapsack"
with open(KNAPSACK / "optima.csv") as f:
    KNAPSACK_OPTIMA = {row["name"]: (row["file"], float(row["optimum"])) for row in csv.DictReader(f)}
# The largest take 1-3 s each, inverse_strongly_1000 too (which auto's HiGHS cannot close in 60 s).


def a_n32_k5() -> CVRP:
    return read_cvrp(BENCHDATA / "cvrp" / "A-n32-k5.vrp", num_vehicles=5)


@pytest.mark.parametrize("threads", [1, 2])
def test_pyvrp_stays_near_a_n32_k5_optimum_within_its_fleet_and_its_time_limit(threads):
    start = time.perf_counter()
    result = om.solve(a_n32_k5(), solver="pyvrp", time_limit=2, threads=threads)
    assert time.perf_counter() - start < 2 + grace(OVERRUN)
    assert result.status == Status.FEASIBLE and result.certificate.passed
    assert 784 <= result.objective <= 784 * 1.03  # 784 is the optimum: a bound, not a race to reach it
    assert len([r for r in result.solution if r]) <= 5
    assert result.trace and result.trace[-1][1] == result.objective


def test_pyvrp_tight_fleet_limit_is_kept():
    # P-n22-k8 has a cheaper solution with 9 vehicles (590 < 603): the limit must bind.
    problem = read_cvrp(BENCHDATA / "cvrp" / "P-n22-k8.vrp", num_vehicles=8)
    result = om.solve(problem, solver="pyvrp", time_limit=1)
    assert result.certificate.passed and len([r for r in result.solution if r]) <= 8
    assert result.objective >= 603


def test_pyvrp_without_feasible_answer_reports_time_limit():
    problem = read_cvrp(BENCHDATA / "cvrp" / "A-n32-k5.vrp", num_vehicles=4)  # demand needs 5 vehicles
    result = om.solve(problem, solver="pyvrp", time_limit=0.5)
    assert result.status == Status.TIME_LIMIT and "no solution" in result.message


def test_pyvrp_depot_not_first_and_routes_in_node_indices():
    rng = np.random.default_rng(3)
    xy = rng.integers(0, 100, (12, 2))
    d = np.rint(np.hypot(*(xy[:, None] - xy[None]).transpose(2, 0, 1)))
    demands = rng.integers(1, 5, 12).astype(float)
    demands[7] = 0
    problem = CVRP(d, demands, capacity=10, depot=7, coords=xy)
    result = om.solve(problem, solver="pyvrp", time_limit=0.5)
    assert result.certificate.passed
    assert sorted(c for r in result.solution for c in r) == [i for i in range(12) if i != 7]


def test_pyvrp_refuses_fractional_data():
    solver = registry.get("pyvrp")
    problem = a_n32_k5()
    fractional = CVRP(problem.distances + 0.5 * ~np.eye(problem.n, dtype=bool), problem.demands, problem.capacity)
    assert "integer distances" in solver.unsupported_reason(fractional)
    assert "integer demands" in solver.unsupported_reason(CVRP(problem.distances, problem.demands * 0.5, 50))
    assert "CVRP only" in solver.unsupported_reason(Knapsack([1.0], [1.0], 1))


@pytest.mark.parametrize("name", KNAPSACK_OPTIMA)
def test_knapsack_dp_proves_benchmark_optima(name):
    file, optimum = KNAPSACK_OPTIMA[name]
    problem = om.read(KNAPSACK / file)
    assert prefer_dp(problem)
    result = om.solve(problem, solver="knapsack-dp", time_limit=30)
    assert result.status == Status.OPTIMAL and result.certificate.passed
    assert result.objective == optimum == result.bound


def test_knapsack_dp_stops_at_the_time_limit():
    # 1000 items x capacity 4e6 = 4e9 cells (0.5 GB of kept bits): about 40 s at 1e8 cells per
    # second, so out of reach in 0.2 s even on a machine 100 times faster than ours
    rng = np.random.default_rng(0)
    weights = rng.integers(4_000, 12_000, 1000).astype(float)
    problem = Knapsack(weights + rng.integers(0, 100, 1000), weights, 4e6)
    assert registry.get("knapsack-dp").unsupported_reason(problem) is None
    result = om.solve(problem, solver="knapsack-dp", time_limit=0.2)
    assert result.status == Status.TIME_LIMIT and result.runtime < 0.2 + grace(OVERRUN)


def test_knapsack_dp_refuses_fractional_weights_and_huge_tables():
    solver = registry.get("knapsack-dp")
    assert "integer weights" in solver.unsupported_reason(Knapsack([3.0, 4.0], [1.5, 2.0], 3))
    huge = Knapsack(np.ones(1000), np.full(1000, 1e8), 1e11)
    assert "GiB" in solver.unsupported_reason(huge)
    assert not prefer_dp(huge)


def test_knapsack_dp_matches_brute_force_on_tiny_instances():
    rng = np.random.default_rng(7)
    solver = registry.get("knapsack-dp")
    for _ in range(30):
        n = int(rng.integers(1, 13))
        weights = rng.integers(0, 20, n).astype(float)
        values = rng.random(n) * 10  # float values are fine, only weights must be integer
        capacity = float(rng.integers(0, 60)) + 0.7  # a fractional capacity is floored
        best = max(
            values[list(s)].sum()
            for k in range(n + 1)
            for s in itertools.combinations(range(n), k)
            if weights[list(s)].sum() <= capacity
        )
        result = solver.solve(Knapsack(values, weights, capacity))
        assert result.status == Status.OPTIMAL
        assert Knapsack(values, weights, capacity).check(result.solution) == []
        assert result.objective == pytest.approx(best, abs=1e-9)
