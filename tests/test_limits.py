"""Limits, the Tracker and the stopping criteria on a fake clock (no sleeping, no timing luck), then
backends honouring extra criteria given in `Limits.stop`."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

import omnisolve as om
from conftest import BENCHDATA
from omnisolve.limits import (
    MARGIN_CAP,
    MARGIN_FLOOR,
    AnyOf,
    Cancelled,
    Limits,
    Stall,
    TargetGap,
    TargetObjective,
    TimeLimit,
    Tracker,
    stop_margin,
)
from omnisolve.result import Status
from omnisolve.solvers import registry

DATA = Path(om.__file__).resolve().parent / "data"  # the bundled instances


class FakeClock:
    """A clock that moves only when told to."""

    def __init__(self, now: float = 100.0):
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def tracker(sense: str = "min", **limits) -> tuple[Tracker, FakeClock]:
    clock = FakeClock()
    return Tracker(None, sense, Limits(**limits), clock), clock


def test_time_limit_stops_at_its_seconds():
    t, clock = tracker(time=60)
    criterion = TimeLimit(2.0)
    clock.advance(1.999)
    assert not criterion.should_stop(t)
    clock.advance(0.001)
    assert criterion.should_stop(t)


def test_target_gap_needs_an_incumbent_and_a_bound_within_the_gap():
    t, _ = tracker()
    criterion = TargetGap(0.01)
    assert not criterion.should_stop(t)
    t.report(100.0)
    assert not criterion.should_stop(t)  # no bound yet
    t.report(None, 98.0)
    assert not criterion.should_stop(t)  # 2 % apart
    t.report(None, 99.0)
    assert criterion.should_stop(t)  # 1 %: reached


def test_target_gap_is_absolute_below_one():
    t, _ = tracker()
    t.report(0.001, 0.0)
    assert TargetGap(0.01).should_stop(t)  # |0.001 - 0| <= 0.01 * max(1, 0.001)
    assert not TargetGap(0.0001).should_stop(t)


@pytest.mark.parametrize(
    "sense,reports,stops",
    [
        ("min", [12.0], False),
        ("min", [12.0, 10.0], True),
        ("min", [9.0], True),
        ("max", [9.0], False),
        ("max", [9.0, 10.0], True),
    ],
)
def test_target_objective_follows_the_sense(sense, reports, stops):
    t, _ = tracker(sense)
    criterion = TargetObjective(10.0)
    assert not criterion.should_stop(t)
    for objective in reports:
        t.report(objective)
    assert criterion.should_stop(t) == stops


def test_stall_counts_from_the_last_improvement():
    t, clock = tracker()
    criterion = Stall(5.0)
    clock.advance(4.0)
    assert not criterion.should_stop(t)
    t.report(10.0)  # improves at 4 s
    clock.advance(4.9)
    t.report(11.0)  # worse: not an improvement
    t.report(None, 1.0)  # a bound: not an improvement of the objective
    assert not criterion.should_stop(t)
    clock.advance(0.1)
    assert criterion.should_stop(t)


def test_stall_without_an_incumbent_counts_from_the_start():
    t, clock = tracker()
    clock.advance(5.0)
    assert Stall(5.0).should_stop(t)


def test_cancelled_follows_its_event():
    t, _ = tracker()
    event = threading.Event()
    criterion = Cancelled(event)
    assert not criterion.should_stop(t)
    event.set()
    assert criterion.should_stop(t)


def test_criteria_combine_with_or_and_flatten():
    t, clock = tracker()
    event = threading.Event()
    combined = TimeLimit(10.0) | TargetObjective(5.0) | Cancelled(event)
    assert isinstance(combined, AnyOf) and len(combined.criteria) == 3
    assert AnyOf().should_stop(t) is False
    assert not combined.should_stop(t)
    t.report(5.0)
    assert combined.should_stop(t)
    t2, clock2 = tracker()
    clock2.advance(10.0)
    assert combined.should_stop(t2)
    t3, _ = tracker()
    event.set()
    assert combined.should_stop(t3)


def test_margin_policy_is_a_share_with_a_floor_and_a_cap():
    assert stop_margin(1.0) == pytest.approx(0.1)
    assert stop_margin(0.2) == MARGIN_FLOOR
    assert stop_margin(1000.0) == MARGIN_CAP
    assert stop_margin(0.06) == pytest.approx(0.03)  # never more than half the limit
    limits = [0.001, 0.05, 0.3, 1.0, 2.9, 3.0, 10.0, 3600.0]
    margins = [stop_margin(t) for t in limits]
    assert margins == sorted(margins)
    assert all(0 < m <= t / 2 for m, t in zip(margins, limits))


def test_deadline_and_remaining_agree():
    t, clock = tracker(time=10.0)
    assert t.deadline == 10.0
    assert t.stop_at == pytest.approx(10.0 - stop_margin(10.0))
    assert t.remaining() == 10.0 and t.search_remaining() == pytest.approx(t.stop_at)
    clock.advance(4.0)
    assert t.elapsed() == 4.0
    assert t.remaining() == pytest.approx(t.deadline - t.elapsed()) == pytest.approx(6.0)
    assert t.search_remaining() == pytest.approx(t.remaining() - stop_margin(10.0))
    clock.advance(7.0)
    assert t.remaining() == pytest.approx(-1.0)


def test_default_criteria_stop_at_the_margin_before_the_limit():
    t, clock = tracker(time=10.0)
    clock.advance(t.stop_at - 0.001)
    assert not t.should_stop()
    clock.advance(0.001)
    assert t.should_stop() and t.search_remaining() <= 0 < t.remaining()


def test_default_criteria_stop_at_the_gap_limit():
    t, _ = tracker(time=10.0, gap=1e-4)
    t.report(100.0, 99.9)
    assert not t.should_stop()
    t.report(None, 99.995)
    assert t.should_stop()


def test_limits_stop_adds_to_the_default_criteria():
    event = threading.Event()
    limits = Limits(time=10.0, stop=Cancelled(event))
    assert limits == Limits(time=10.0)  # extra criteria do not make limits differ
    t = Tracker(None, "min", limits, FakeClock())
    assert not t.should_stop()
    event.set()
    assert t.should_stop()


def test_report_keeps_improvements_and_tells_the_callback():
    clock = FakeClock()
    seen = []
    t = Tracker(lambda *event: seen.append(event), "max", Limits(), clock)
    t.report(5.0)
    clock.advance(1.0)
    t.report(4.0)  # worse for a maximization
    t.report(None, 9.0)
    clock.advance(1.0)
    t.report(6.0, 8.0)
    assert t.trace == seen == [(0.0, 5.0, None), (1.0, None, 9.0), (2.0, 6.0, 8.0)]
    assert (t.objective, t.bound, t.improved_at) == (6.0, 8.0, 2.0)


@pytest.mark.parametrize("bad", [{"time": 0}, {"threads": 0}, {"gap": 1.0}, {"gap": -0.1}])
def test_limits_refuse_bad_values(bad):
    with pytest.raises(ValueError):
        Limits(**bad)


# ---- backends honour extra criteria in Limits.stop (a 60 s limit each: they must stop far earlier) ----
@pytest.mark.parametrize("name", ["tsp-ils", "tsp-dfj"])
def test_tsp_backends_stop_at_a_target_objective(name):
    tsp = om.read(DATA / "berlin52.tsp")  # optimum 7542; a 2-opt tour is below 9000
    result = registry.get(name).solve(tsp, Limits(time=60, stop=TargetObjective(9000)))
    assert result.status == Status.FEASIBLE and result.objective <= 9000
    assert result.runtime < 30


def test_knapsack_dp_stops_when_cancelled():
    event = threading.Event()
    event.set()
    result = registry.get("knapsack-dp").solve(
        om.read(DATA / "strongly_100.kp"), Limits(time=60, stop=Cancelled(event))
    )
    assert result.status == Status.TIME_LIMIT


@pytest.mark.parametrize("name", ["highs", "milp-alns"])
def test_milp_backends_stop_when_cancelled(name):
    data = om.read(BENCHDATA / "mip_hard" / "mknap_1.mps")  # not solved at HiGHS's root
    event = threading.Event()
    event.set()
    result = registry.get(name).solve(data, Limits(time=60, stop=Cancelled(event)))
    assert result.status in (Status.FEASIBLE, Status.TIME_LIMIT)
    assert result.runtime < 30
