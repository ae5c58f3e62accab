"""Racing: certified winner, every racer's trace, isolation from crashing and hanging solvers,
no stray process afterwards, start solutions forwarded to a later stage."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from conftest import BENCHDATA, RACE_OVERRUN, grace
from fake_solvers import ALL, FAKES, alive
from omnisolve.api import solve
from omnisolve.io import read
from omnisolve.limits import Limits
from omnisolve.portfolio.race import Stage, race
from omnisolve.result import Optimality, Status
from omnisolve.solvers import registry
from test_trust import infeasible_lp, transport, unbounded_lp

DATA = Path(__file__).resolve().parents[1] / "src" / "omnisolve" / "data"
TESTS = str(Path(__file__).resolve().parent)


def test_race_returns_the_certified_optimum_and_every_trace():
    shop = read(DATA / "ft06.txt")
    result = race(shop, ["cpsat", "jobshop-lns"], time_limit=60, threads=2)
    assert result.status == Status.OPTIMAL and result.objective == 55
    assert result.certificate.passed and shop.evaluate(result.solution) == 55
    info = result.extra["race"]
    assert result.solver == f"race(cpsat,jobshop-lns)->{info['winner']}"
    assert {r["solver"] for r in info["racers"]} == {"cpsat", "jobshop-lns"}
    winner = next(r for r in info["racers"] if r["solver"] == info["winner"])
    assert winner["status"] == "optimal" and winner["verdict"] == "pass" and winner["trace"]
    assert result.runtime < 60 / 2  # stopped when one proved optimality, far before the limit


def test_crashing_and_hanging_racers_harm_nobody_and_leave_no_process(tmp_path, monkeypatch):
    pidfile = tmp_path / "pids"
    monkeypatch.setenv("OMNISOLVE_TEST_PIDFILE", str(pidfile))
    # the winner starts once crash and exit are dead and hang runs, so the race sees all three
    (tmp_path / "dying").mkdir()
    monkeypatch.setenv("OMNISOLVE_TEST_DYING", str(tmp_path / "dying"))
    monkeypatch.setenv("OMNISOLVE_TEST_DEATHS", "2")
    shop = read(DATA / "ft06.txt")
    start = time.monotonic()
    names = ["crash", "hang", "exit", "cpsat-after-deaths"]
    result = race(shop, names, time_limit=60, threads=4, extra_solvers=ALL, sys_path=(TESTS,))
    assert result.status == Status.OPTIMAL and result.objective == 55 and result.certificate.passed
    assert time.monotonic() - start < 60 / 2  # the hanging racer did not hold the race up to its limit
    racers = {r["solver"]: r for r in result.extra["race"]["racers"]}
    assert racers["crash"]["status"] == "crashed" and "SIGSEGV" in racers["crash"]["message"]
    assert racers["exit"]["status"] == "crashed" and "code 3" in racers["exit"]["message"]
    assert racers["hang"]["status"] == "stopped"
    for pid in map(int, pidfile.read_text().split()):  # the hanging solver and its child
        assert not alive(pid), f"process {pid} survived the race"


def test_a_race_of_only_hanging_racers_ends_at_the_limit(tmp_path, monkeypatch):
    pidfile = tmp_path / "pids"
    monkeypatch.setenv("OMNISOLVE_TEST_PIDFILE", str(pidfile))
    start = time.monotonic()
    result = race(read(DATA / "ft06.txt"), ["hang"], time_limit=2, extra_solvers=FAKES, sys_path=(TESTS,))
    assert result.status == Status.TIME_LIMIT and "no racer found a certified answer" in result.message
    assert time.monotonic() - start < 2 + grace(RACE_OVERRUN)
    assert not any(alive(int(p)) for p in pidfile.read_text().split())


def test_keyboard_interrupt_still_kills_every_racer(tmp_path, monkeypatch):
    pidfile = tmp_path / "pids"
    monkeypatch.setenv("OMNISOLVE_TEST_PIDFILE", str(pidfile))
    import omnisolve.portfolio.race as race_module

    real_drain, calls = race_module._drain, []

    def interrupt(*args, **kwargs):
        real_drain(*args, **kwargs)
        calls.append(1)
        if pidfile.exists() and pidfile.read_text().strip() and len(calls) > 5:
            raise KeyboardInterrupt

    monkeypatch.setattr(race_module, "_drain", interrupt)
    with pytest.raises(KeyboardInterrupt):
        race(read(DATA / "ft06.txt"), ["hang"], time_limit=30, extra_solvers=FAKES, sys_path=(TESTS,))
    assert not any(alive(int(p)) for p in pidfile.read_text().split())


def test_a_later_stage_starts_from_the_best_solution_so_far():
    tsp = read(BENCHDATA / "tsp" / "eil51.tsp")  # optimum 426
    result = race(tsp, [Stage(["lkh"], 0.3), Stage(["cpsat"])], time_limit=20)
    assert result.status == Status.OPTIMAL and result.objective == 426 and result.certificate.passed
    cpsat = next(r for r in result.extra["race"]["racers"] if r["solver"] == "cpsat")
    assert cpsat["stage"] == 1


KNAPSACK = BENCHDATA / "knapsack" / "uncorrelated_100.kp"  # optimum 38095


def test_the_best_answer_of_a_stage_is_the_start_of_the_next():
    """greedy-knapsack answers at once without proof, so the race moves on to stage 1, whose
    start-echo returns exactly the start the race handed it (nothing without one)."""
    sack = read(KNAPSACK)
    result = race(
        sack,
        [Stage(["greedy-knapsack"], 0.2), Stage(["start-echo"])],
        time_limit=10,
        extra_solvers=ALL,
        sys_path=(TESTS,),
    )
    racers = {r["solver"]: r for r in result.extra["race"]["racers"]}
    greedy = racers["greedy-knapsack"]
    assert greedy["status"] == "feasible" and greedy["objective"] < 38095
    assert racers["start-echo"]["stage"] == 1
    assert racers["start-echo"]["status"] == "feasible" and racers["start-echo"]["objective"] == greedy["objective"]


@pytest.mark.parametrize("gap, limit, stops_early", [(0.05, 30, True), (1e-6, 4, False)])
def test_a_race_stops_once_a_certified_answer_is_within_the_gap(tmp_path, monkeypatch, gap, limit, stops_early):
    """The greedy answer is within 5 % of Dantzig's bound (a certified bound from the data), so
    with gap 5 % the race ends there and stops the hanging racer; at the default gap it waits
    for the time limit."""
    monkeypatch.setenv("OMNISOLVE_TEST_PIDFILE", str(tmp_path / "pids"))
    start = time.monotonic()
    result = race(
        read(KNAPSACK), ["greedy-knapsack", "hang"], time_limit=limit, gap=gap, extra_solvers=ALL, sys_path=(TESTS,)
    )
    took = time.monotonic() - start
    assert result.status == Status.FEASIBLE and result.extra["race"]["winner"] == "greedy-knapsack"
    assert result.certificate.passed and result.gap is not None and 0 < result.gap <= 0.05
    assert (took < limit / 2) == stops_early and took < limit + grace(RACE_OVERRUN), took


@pytest.mark.parametrize("model, status", [(infeasible_lp, Status.INFEASIBLE), (unbounded_lp, Status.UNBOUNDED)])
def test_a_proven_infeasible_or_unbounded_answer_ends_the_race(tmp_path, monkeypatch, model, status):
    monkeypatch.setenv("OMNISOLVE_TEST_PIDFILE", str(tmp_path / "pids"))
    limit = 30
    start = time.monotonic()
    result = race(model().compile(), ["highs", "hang"], time_limit=limit, extra_solvers=ALL, sys_path=(TESTS,))
    assert result.status == status and result.optimality == Optimality.PROVEN
    assert time.monotonic() - start < limit / 2
    racers = {r["solver"]: r for r in result.extra["race"]["racers"]}
    assert racers["hang"]["status"] == "stopped"


def test_highs_and_cpsat_accept_a_start():
    sack = read(BENCHDATA / "knapsack" / "uncorrelated_100.kp")  # optimum 38095
    best = solve(sack, solver="knapsack-dp").solution
    for name in ("highs", "cpsat"):
        result = registry.get(name).solve(sack, Limits(time=10, start=best))
        assert result.objective == 38095
    highs = registry.get("highs").solve(sack, Limits(time=10, start=best))
    assert highs.trace[0][1] == 38095  # the first incumbent is the start itself


def test_solve_race_through_the_api():
    result = solve(DATA / "afiro.mps", solver="race", time_limit=20)
    assert result.status == Status.OPTIMAL and result.objective == pytest.approx(-464.7531428571)
    assert result.solver.startswith("race(") and result.extra["selection"]["ranked"]


# ---- lying racers ------------------------------------------------------------------------------
@pytest.fixture
def raced_fakes(monkeypatch):
    """`solve(..., solver="race:A,B")` looks the names up here but runs each racer in a child
    process that knows only the built-in backends and never hears of `registry.register`: so
    the fakes are registered here and handed to every racer (race's `extra_solvers`/`sys_path`,
    as the bench does for its workers)."""
    import functools

    import omnisolve.portfolio.race as race_module

    for name, target in ALL.items():
        monkeypatch.setitem(registry._BACKENDS, name, target)
    monkeypatch.setattr(race_module, "race", functools.partial(race_module.race, extra_solvers=ALL, sys_path=(TESTS,)))


@pytest.mark.parametrize(
    "liar, why",
    [
        ("liar-violated", "2 rows violated; worst demand1 by 1"),
        ("liar-objective", "solver reported objective 16, recomputed 17"),
        ("liar-bound", "bound 18 is on the wrong side of objective 17"),
    ],
)
def test_a_racer_whose_certificate_fails_never_wins_the_race(raced_fakes, liar, why):
    """The liar answers "optimal" seconds before the honest racer (slow-highs starts 3 s late):
    were its answer accepted, the race would stop there with it."""
    result = solve(transport(), solver=f"race:{liar},slow-highs", time_limit=30, threads=2)
    info = result.extra["race"]
    racers = {r["solver"]: r for r in info["racers"]}
    assert racers[liar]["status"] == "error" and racers[liar]["verdict"] == "fail", racers[liar]
    assert "verification failed (solver claimed optimal)" in racers[liar]["message"] and why in racers[liar]["message"]
    assert info["winner"] == "slow-highs" and racers["slow-highs"]["verdict"] == "pass"
    assert result.status == Status.OPTIMAL and result.objective == pytest.approx(17.0)
    assert result.certificate.passed and result.optimality == Optimality.PROVEN
    assert all(obj is None or obj >= 17.0 - 1e-9 for _, obj, _ in result.trace), "a lie became an incumbent"
    assert racers[liar]["trace"] == [], "the race took the liar's answer as its best so far"  # it reports none itself


def test_a_false_optimal_claim_that_wins_the_race_is_refuted_by_the_cross_check(raced_fakes):
    """liar-suboptimal's answer passes its certificate (feasible, objective exact), so it wins the
    race by answering first; its "optimal" is a lie only an independent run can show."""
    result = solve(transport(), solver="race:liar-suboptimal,slow-highs", time_limit=30, threads=2)
    assert result.extra["race"]["winner"] == "liar-suboptimal"
    assert result.extra["cross_check"]["refuted_claim"]["objective"] > 17.0
    assert result.optimality == Optimality.REFUTED
    assert "liar-suboptimal claimed optimal" in result.certificate.refutation
    assert result.status == Status.OPTIMAL and result.objective == pytest.approx(17.0)
    assert result.certificate.passed and result.certificate.bound == pytest.approx(17.0)


@pytest.mark.parametrize("liar", ["liar-infeasible", "liar-unbounded"])
def test_an_unproven_infeasible_or_unbounded_claim_does_not_end_the_race(raced_fakes, liar):
    """The liar's claim comes seconds before slow-highs' optimum but proves nothing (its ray
    fails the check): the race goes on and the certified optimum wins, no refutation needed."""
    result = solve(transport(), solver=f"race:{liar},slow-highs", time_limit=30, threads=2)
    racers = {r["solver"]: r for r in result.extra["race"]["racers"]}
    assert racers[liar]["status"] in ("infeasible", "unbounded")
    assert result.extra["race"]["winner"] == "slow-highs" and "refuted_claim" not in result.extra.get("cross_check", {})
    assert result.status == Status.OPTIMAL and result.objective == pytest.approx(17.0)
    assert result.optimality == Optimality.PROVEN
