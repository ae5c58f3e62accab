"""`omnisolve.solve(..., stop=...)`: the caller's criteria reach the backend it runs, the one
`auto` picks and every racer of a race, and a race honours a cancel itself in the parent. FT10
(optimum 930) is not proven within 10 s by any of them but gets below 1100 within a second or
two, so a run stopped by the target is back long before its 60 s limit (`STOPPED`)."""

import threading
import time

import pytest

import omnisolve as om
from conftest import BENCHDATA, STOPPED, grace
from omnisolve.limits import Cancelled, Stall, TargetObjective, combined
from omnisolve.result import Status

FT10 = BENCHDATA / "jobshop" / "ft10.txt"
TARGET = 1100


@pytest.fixture(scope="module")
def shop():
    return om.read(FT10)


def solve(shop, **options):
    """om.solve's result on FT10 with a 60 s limit, and the wall-clock seconds it took."""
    began = time.perf_counter()
    result = om.solve(shop, time_limit=60, cross_check="off", **options)
    return result, time.perf_counter() - began


def assert_reached(shop, result, wall: float) -> None:
    """Stopped at the target, back in time, its answer verified."""
    assert wall < grace(STOPPED), f"took {wall:.1f} s"
    assert result.status == Status.FEASIBLE, (result.status, result.message)
    assert result.certificate.passed, result.certificate.messages
    assert result.objective <= TARGET and shop.evaluate(result.solution) == result.objective


def test_several_criteria_are_combined_as_any_of():
    target, stall = TargetObjective(1.0), Stall(5.0)
    assert combined(None) is None and combined([]) is None and combined(target) is target
    assert combined([target, stall]).criteria == (target, stall)


def test_a_target_stops_a_single_backend(shop):
    result, wall = solve(shop, solver="cpsat", threads=1, stop=TargetObjective(TARGET))
    assert_reached(shop, result, wall)
    assert result.solver == "cpsat"


def test_a_target_stops_the_backend_auto_picks(shop):
    result, wall = solve(shop, threads=1, stop=[TargetObjective(TARGET), Stall(50)])
    assert_reached(shop, result, wall)
    assert "race" not in result.extra["selection"]["method"]


def test_a_target_reached_by_one_racer_ends_the_race(shop):
    result, wall = solve(shop, solver="race:cpsat,jobshop-lns", threads=2, stop=TargetObjective(TARGET))
    assert_reached(shop, result, wall)
    assert result.extra["race"]["criterion"] and result.message.startswith("stopped by a stopping criterion")


def test_a_user_cancel_stops_a_race_in_the_parent(shop):
    event = threading.Event()  # a threading.Event cannot reach the racers: the race asks it itself
    # the cancel comes with the first incumbent: the racers have something to report by then
    result, wall = solve(
        shop, solver="race:cpsat,jobshop-lns", threads=2, stop=Cancelled(event), on_incumbent=lambda *_: event.set()
    )
    assert wall < grace(STOPPED), f"took {wall:.1f} s"
    assert result.extra["race"]["criterion"] and "stopped by a stopping criterion" in result.message
    # asked to stop (SIGTERM), the racers report what they found: the answer so far, certified
    assert result.status == Status.FEASIBLE and result.certificate.passed, (result.status, result.message)
    assert 930 <= result.objective < 1500
    assert {r["status"] for r in result.extra["race"]["racers"]} <= {"stopped", "feasible"}
