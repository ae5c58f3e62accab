"""The PyVRP backend on CVRPLIB instances and the knapsack dynamic program on Pisinger's classes."""

import csv
import itertools
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import omnisolve as om
from conftest import BENCHDATA, OVERRUN, grace
from omnisolve.algorithms.knapsack_dp import core_of, prefer_dp, solve_by_core
from omnisolve.io import read, read_cvrp
from omnisolve.problems import CVRP, Knapsack
from omnisolve.result import Optimality, Status
from omnisolve.solvers import registry

KNAPSACK = BENCHDATA / "knapsack"
with open(KNAPSACK / "optima.csv") as f:
    KNAPSACK_OPTIMA = {row["name"]: (row["file"], float(row["optimum"])) for row in csv.DictReader(f)}
# The 1,000-item ones take 2-6 s each: one stands for them, inverse_strongly_1000, which HiGHS
# cannot close in 60 s (test_known_optima solves the others with the defaults)
DP_PROOFS = [name for name in KNAPSACK_OPTIMA if not name.endswith("_1000")] + ["inverse_strongly_1000"]


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


@pytest.mark.parametrize("solver", ["pyvrp", "hgs"])
def test_without_feasible_answer_reports_time_limit(solver):
    problem = read_cvrp(BENCHDATA / "cvrp" / "A-n32-k5.vrp", num_vehicles=4)  # demand needs 5 vehicles
    result = om.solve(problem, solver=solver, time_limit=0.5)
    assert result.status == Status.TIME_LIMIT and "no solution" in result.message


def test_hgs_reaches_near_the_optimum_where_pyvrp_stalls_within_its_fleet_and_time():
    # A-n53-k7: optimum 1010; PyVRP at 10 s ends at 1017 (benchmarks), HGS-CVRP finds 1010 in ~3 s
    problem = read_cvrp(BENCHDATA / "cvrp" / "A-n53-k7.vrp", num_vehicles=7)
    start = time.perf_counter()
    result = om.solve(problem, solver="hgs", time_limit=4)
    # on time, unless the load starved the helper and it was waited for (the time it says)
    assert time.perf_counter() - start < 4 + grace(OVERRUN) + result.extra.get("starved_wait", 0.0)
    assert result.status == Status.FEASIBLE and result.certificate.passed
    assert 1010 <= result.objective <= 1015 and len([r for r in result.solution if r]) <= 7
    assert result.trace[-1][1] == result.objective
    assert result.trace[0][0] < result.runtime - 1  # progress streamed from HGS-CVRP's trace, not only at the end


def test_hgs_is_not_called_where_it_breaks():
    d = np.array([[0, 2, 3], [2, 0, 1], [3, 1, 0]], dtype=float)
    one = om.solve(CVRP(d[:2, :2], [0, 1], 2), solver="hgs", time_limit=5)  # HGS-CVRP would loop forever
    assert one.status == Status.OPTIMAL and one.solution == [[1]] and one.objective == 4 and one.runtime < 2
    short = om.solve(CVRP(d, [0, 1, 1], 1, num_vehicles=1), solver="hgs", time_limit=5)  # it would segfault
    assert short.status == Status.TIME_LIMIT and "cannot carry" in short.message
    assert "symmetric" in registry.get("hgs").unsupported_reason(CVRP(d + np.triu(d), [0, 1, 1], 2))


def test_hgs_helper_crash_or_hang_is_a_clean_result(monkeypatch):
    """With the guard lifted, the cases that break HGS-CVRP reach it: the helper process dies
    or is killed, and the solve still answers, on time."""
    from omnisolve.solvers import hgs_cvrp

    monkeypatch.setattr(hgs_cvrp, "_without_search", lambda problem: None)
    d = np.array([[0, 2, 3], [2, 0, 1], [3, 1, 0]], dtype=float)
    crash = om.solve(CVRP(d, [0, 1, 1], 1, num_vehicles=1), solver="hgs", time_limit=3)
    assert crash.status == Status.ERROR and "SIGSEGV" in crash.message
    start = time.perf_counter()
    hang = om.solve(CVRP(d[:2, :2], [0, 1], 2), solver="hgs", time_limit=1)
    assert hang.status == Status.TIME_LIMIT and "stopped" in hang.message
    # killed once past the grace when it has burned more CPU than its wall seconds; on a loaded
    # machine it may look starved and be waited for
    assert time.perf_counter() - start < 1 + hgs_cvrp._GRACE + hgs_cvrp._STARVED_WAIT + grace(OVERRUN)


@pytest.mark.parametrize("solver", ["pyvrp", "hgs"])
def test_depot_not_first_and_routes_in_node_indices(solver):
    rng = np.random.default_rng(3)
    xy = rng.integers(0, 100, (12, 2))
    d = np.rint(np.hypot(*(xy[:, None] - xy[None]).transpose(2, 0, 1)))
    demands = rng.integers(1, 5, 12).astype(float)
    demands[7] = 0
    problem = CVRP(d, demands, capacity=10, depot=7, coords=xy)
    result = om.solve(problem, solver=solver, time_limit=0.5)
    assert result.certificate.passed
    assert sorted(c for r in result.solution for c in r) == [i for i in range(12) if i != 7]


@pytest.mark.parametrize("name", ["pyvrp", "hgs"])
def test_refuses_fractional_data(name):
    solver = registry.get(name)
    problem = a_n32_k5()
    fractional = CVRP(problem.distances + 0.5 * ~np.eye(problem.n, dtype=bool), problem.demands, problem.capacity)
    assert "integer distances" in solver.unsupported_reason(fractional)
    assert "integer demands" in solver.unsupported_reason(CVRP(problem.distances, problem.demands * 0.5, 50))
    assert "CVRP only" in solver.unsupported_reason(Knapsack([1.0], [1.0], 1))


@pytest.mark.parametrize("name", DP_PROOFS)
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
    # subset sum (values = weights): no item is fixed, the core is all 1,000 items x 5e10
    weights = np.random.default_rng(3).integers(10**7, 10**8, 1000).astype(float)
    huge = Knapsack(weights, weights, weights.sum() / 2)
    assert "GiB" in solver.unsupported_reason(huge)
    assert not prefer_dp(huge)
    # everything fits: a table of 12 GiB, but the greedy choice is settled at once
    fits = Knapsack(np.ones(1000), np.full(1000, 1e8), 1e11)
    assert solver.unsupported_reason(fits) is None
    result = om.solve(fits, solver="knapsack-dp", time_limit=5)
    assert (result.status, result.objective, result.optimality) == (Status.OPTIMAL, 1000.0, Optimality.PROVEN)


def test_knapsack_dp_solves_a_capacity_of_millions_by_its_core():
    """1,200 items and a capacity of 3.7 million: the full DP would span 4.5e9 cells (minutes);
    fixing against the greedy choice leaves a core it solves in well under a second, and the
    answer is the known optimum, proven from the data."""
    problem = read(Path(__file__).parents[1] / "benchmarks" / "data" / "knapsack_heldapart" / "uncorrelated_h1200.kp")
    assert problem.dp_cells > 4e9
    result = om.solve(problem, solver="knapsack-dp", time_limit=10, cross_check="off")
    assert (result.status, result.objective, result.optimality) == (Status.OPTIMAL, 5595014.0, Optimality.PROVEN)


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


def test_the_core_solve_matches_brute_force():
    """Fixing against the greedy choice and the DP over the core (the path knapsack-dp takes
    past PREFER_CELLS) gives an optimal choice: 300 seeded knapsacks of 1-12 items,
    uncorrelated, strongly correlated and with weightless items, against every subset."""
    rng = np.random.default_rng(11)
    cores = 0
    for k in range(300):
        n = int(rng.integers(1, 13))
        weights = rng.integers(0 if k % 3 == 2 else 1, 40, n).astype(float)
        values = weights + 10 if k % 3 == 1 else rng.integers(0, 40, n).astype(float)
        capacity = float(rng.integers(0, int(weights.sum()) + 2))
        problem = Knapsack(values, weights, capacity)
        best = max(
            values[list(s)].sum()
            for r in range(n + 1)
            for s in itertools.combinations(range(n), r)
            if weights[list(s)].sum() <= capacity
        )
        core = core_of(problem)
        assert core is not None  # small integer data: the core always fits
        cores += not core[1].settled
        chosen = solve_by_core(problem, core)
        assert problem.check(chosen) == [] and problem.evaluate(chosen) == best, (values, weights, capacity)
    assert cores > 100  # most need the core's DP, not just the greedy choice


def test_hgs_helper_is_killed_when_it_overruns_its_cpu_seconds_and_waited_for_when_starved():
    """Past the deadline and the grace: a helper that has burned more CPU seconds than the wall
    seconds planned for it hangs and is killed; one that has had less (starved by the load)
    is waited for, up to the longer wait."""
    from omnisolve.solvers.hgs_cvrp import _GRACE, _STARVED_WAIT, _overdue, _process_times

    burner = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        end = time.time() + 30
        while (_process_times(str(burner.pid)) or (0.0,))[0] <= 0.3 and time.time() < end:
            time.sleep(0.05)
        just_late = time.time() - _GRACE - 0.1
        assert _overdue(burner.pid, just_late, planned=0.3)
        assert not _overdue(sleeper.pid, just_late, planned=0.3)
        assert _overdue(sleeper.pid, time.time() - _GRACE - _STARVED_WAIT - 0.1, planned=0.3)
        assert not _overdue(burner.pid, time.time() + 1.0, planned=0.3)  # before the deadline: never
    finally:
        for process in (burner, sleeper):
            process.kill()
            process.wait()


def test_hgs_helper_asks_for_the_cpu_share_it_gets():
    """HGS-CVRP counts CPU seconds: a helper that gets part of a core (here two busy loops share
    its core) asks for that part of the wall seconds left, so it ends by the deadline on an
    overloaded machine."""
    core = {min(os.sched_getaffinity(0))}
    burn = "import os, sys; os.sched_setaffinity(0, {int(sys.argv[1])})\nwhile True: pass"
    burners = [subprocess.Popen([sys.executable, "-c", burn, str(*core)]) for _ in range(2)]
    try:
        code = (
            "import os, sys, time; os.sched_setaffinity(0, {int(sys.argv[1])}); time.sleep(0.5)\n"
            "from omnisolve.solvers.hgs_cvrp import _cpu_share; print(_cpu_share())"
        )
        run = subprocess.run([sys.executable, "-c", code, str(*core)], capture_output=True, text=True, check=True)
    finally:
        for burner in burners:
            burner.kill()
            burner.wait()
    assert 0.1 <= float(run.stdout) < 0.85
