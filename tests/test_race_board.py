"""A race's board of certified solutions: racers offer their best while they run, the race
verifies each offer before it goes on the board, and a racer that can continue from another's
solution takes the board's best (portfolio/board.py)."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from conftest import BENCHDATA
from fake_solvers import ALL
from omnisolve.api import solve
from omnisolve.io import read
from omnisolve.limits import Cancelled, Limits
from omnisolve.portfolio.board import INTERVAL, PER_INTERVAL, Exchange
from omnisolve.portfolio.race import race
from omnisolve.processes import Listener
from omnisolve.processes.broadcast import FileBroadcast
from omnisolve.result import Status
from omnisolve.solvers import registry
from omnisolve.verify import verify

TESTS = str(Path(__file__).resolve().parent)
DATA = Path(__file__).resolve().parents[1] / "src" / "omnisolve" / "data"
KNAPSACK = BENCHDATA / "knapsack" / "uncorrelated_100.kp"  # optimum 38095


def racers_of(result):
    return {r["solver"]: r for r in result.extra["race"]["racers"]}


def test_a_racer_answers_the_solution_another_racer_offered_to_the_board():
    """board-adopter has no solution of its own: the one it answers came from board-poster
    through the board, verified by the race on the way."""
    sack = read(KNAPSACK)
    result = race(sack, ["board-poster", "board-adopter"], time_limit=4, extra_solvers=ALL, sys_path=(TESTS,))
    racers = racers_of(result)
    poster, adopter = racers["board-poster"], racers["board-adopter"]
    assert adopter["status"] == "feasible" and adopter["verdict"] == "pass" and adopter["adopted"] == 1
    assert adopter["objective"] == poster["objective"] < 38095
    posts = result.extra["race"]["board"]
    assert posts[0]["solver"] == "board-poster" and posts[0]["verified"] and posts[0]["published"]
    assert posts[0]["objective"] == poster["objective"]
    assert result.status == Status.FEASIBLE and result.certificate.passed


def test_an_offer_whose_objective_is_false_is_refused_and_reaches_no_racer():
    sack = read(KNAPSACK)
    result = race(sack, ["board-liar", "board-adopter"], time_limit=3, extra_solvers=ALL, sys_path=(TESTS,))
    racers = racers_of(result)
    assert racers["board-adopter"]["status"] == "time_limit" and racers["board-adopter"]["adopted"] == 0
    refused = [p for p in result.extra["race"]["board"] if p["solver"] == "board-liar" and not p["verified"]]
    assert refused and not refused[0]["published"] and "objective" in refused[0]["why"]
    # the liar's final answer is honest: it wins, at its true worth
    assert result.extra["race"]["winner"] == "board-liar" and result.certificate.passed
    assert result.objective == racers["board-liar"]["objective"]


def test_tsp_ils_continues_from_a_better_tour_offered_by_another_racer(monkeypatch):
    """pr1002's optimal tour (259045) is offered by tour-poster; tsp-ils, some per cent above it
    after seconds on its own, takes it from the board and ends there (it cannot do better)."""
    monkeypatch.setenv("OMNISOLVE_TEST_TOUR", str(BENCHDATA / "tsp" / "pr1002.opt.tour"))
    tsp = read(BENCHDATA / "tsp" / "pr1002.tsp")
    result = race(tsp, ["tour-poster", "tsp-ils"], time_limit=8, threads=2, extra_solvers=ALL, sys_path=(TESTS,))
    ils = racers_of(result)["tsp-ils"]
    assert ils["adopted"] >= 1 and ils["verdict"] == "pass" and ils["objective"] == 259045
    assert result.objective == 259045 and tsp.evaluate(result.solution) == 259045


def test_an_exchange_sends_only_improvements_and_returns_only_a_better_board(tmp_path):
    with FileBroadcast() as broadcast:
        sent: list[tuple[float, object]] = []
        exchange = Exchange(Listener(broadcast.path), lambda o, s: sent.append((o, s)), sign=1.0)
        assert exchange.swap(100.0, lambda: "a") is None and sent == [(100.0, "a")]
        assert exchange.swap(90.0, lambda: "b") is None and sent == [(100.0, "a")]  # too soon
        time.sleep(INTERVAL)
        broadcast.publish(json.dumps([95.0, "board"]).encode())
        assert exchange.swap(100.0, lambda: "c") == (95.0, "board") and sent == [(100.0, "a")]
        time.sleep(INTERVAL)
        assert exchange.swap(95.0, lambda: "d") is None and sent == [(100.0, "a")]  # no better than the board
        time.sleep(INTERVAL)
        assert exchange.swap(80.0, lambda: "e") is None and sent[-1] == (80.0, "e")
        assert exchange.adopted == 1


class HandOver:
    """A racer's exchange as jobshop-lns sees it: hands `board` over at the first swap, then
    asks the run to stop (so nothing but the handed schedule can explain the answer)."""

    def __init__(self, board: tuple[float, object], stop: threading.Event):
        self.board, self.stop, self.asked = board, stop, 0

    def swap(self, objective, solution):
        self.asked += 1
        if self.stop.is_set():
            return None
        self.stop.set()
        return self.board


def test_jobshop_lns_continues_from_the_schedule_the_board_hands_it():
    """ft06's optimal schedule (55, from CP-SAT) is handed over at jobshop-lns's first look at
    the board, and the run is stopped at once: it answers that schedule, not its first one
    (the best dispatching rule's, longer)."""
    shop = read(DATA / "ft06.txt")
    optimum = solve(shop, solver="cpsat", time_limit=60)
    assert optimum.objective == 55
    stop = threading.Event()
    exchange = HandOver((55.0, optimum.solution), stop)
    limits = Limits(time=60, threads=1, stop=Cancelled(stop), exchange=exchange)
    result = verify(shop, registry.get("jobshop-lns").solve(shop, limits))
    first = int(result.message.rsplit("(", 1)[1].rstrip(")"))  # "first schedule by RULE (MAKESPAN)"
    assert exchange.asked >= 1 and first > 55
    assert result.objective == 55 and result.certificate.passed


def test_a_large_solution_is_offered_less_often():
    """After a solution of 20 x PER_INTERVAL entries the next offer waits 20 x INTERVAL (4 s)."""
    with FileBroadcast() as broadcast:
        sent: list[float] = []
        exchange = Exchange(Listener(broadcast.path), lambda o, s: sent.append(o), sign=1.0)
        big = list(range(20 * PER_INTERVAL))
        exchange.swap(100.0, lambda: big)
        time.sleep(2 * INTERVAL)
        exchange.swap(90.0, lambda: big)
        assert sent == [100.0]


SETCOVER = BENCHDATA / "mip_hard" / "setcover_3.mps"  # HiGHS proves nothing on it within seconds


@pytest.mark.skipif(not SETCOVER.is_file(), reason="needs ../shared/benchdata/mip_hard")
def test_highs_offers_its_incumbents_to_the_board_while_it_runs():
    """board-adopter answers the first incumbent HiGHS offered mid-run (HiGHS itself answers
    only at the limit): the values in the original space, verified by the race."""
    model = read(SETCOVER)
    result = race(model, ["highs", "board-adopter"], time_limit=6, threads=2, extra_solvers=ALL, sys_path=(TESTS,))
    racers = racers_of(result)
    adopter = racers["board-adopter"]
    first = result.extra["race"]["board"][0]
    assert first["solver"] == "highs" and first["verified"] and first["published"]
    assert adopter["adopted"] == 1 and adopter["verdict"] == "pass" and adopter["objective"] == first["objective"]
    assert adopter["runtime"] < racers["highs"]["runtime"]  # it had HiGHS's solution before HiGHS answered


@pytest.mark.skipif(not SETCOVER.is_file(), reason="needs ../shared/benchdata/mip_hard")
def test_milp_alns_takes_a_better_incumbent_from_the_board():
    """milp-alns holding the all-ones cover takes HiGHS's better cover from the board (checked
    feasible for the full model, as any incumbent it keeps)."""
    from omnisolve.limits import Tracker
    from omnisolve.solvers.milp_alns_search import MilpAlns

    model = read(SETCOVER)
    better = solve(model, solver="highs", time_limit=3)
    assert better.certificate.passed
    exchange = HandOver((better.objective, better.values.tolist()), threading.Event())
    search = MilpAlns(model, Limits(time=10, exchange=exchange), Tracker())
    assert search.offer(np.ones(model.num_variables))
    worse = search.objective
    assert worse > better.objective
    search.swap()
    assert exchange.asked == 1 and search.objective == better.objective
    assert np.array_equal(search.state.incumbents[0][1], better.values)


def test_lkh_offers_each_tour_it_finds_to_the_board():
    """board-adopter answers the tour LKH offered after its first call (LKH itself answers at
    the limit): the same length, certified."""
    tsp = read(BENCHDATA / "tsp" / "a280.tsp")  # optimum 2579
    result = race(tsp, ["lkh", "board-adopter"], time_limit=6, threads=2, extra_solvers=ALL, sys_path=(TESTS,))
    racers = racers_of(result)
    first = result.extra["race"]["board"][0]
    assert first["solver"] == "lkh" and first["verified"] and first["published"]
    assert racers["board-adopter"]["adopted"] == 1 and racers["board-adopter"]["verdict"] == "pass"
    assert racers["board-adopter"]["objective"] == first["objective"] >= 2579
