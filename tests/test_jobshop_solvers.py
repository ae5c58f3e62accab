"""Dispatching rules and the jobshop-lns backend: valid schedules, known optima, time limits."""

import time

import numpy as np
import pytest

import omnisolve as om
from conftest import BENCHDATA
from omnisolve.algorithms import jobshop_lns
from omnisolve.algorithms.dispatching import RULES, best_dispatch, dispatch, rule_schedules
from omnisolve.solvers.base import Limits
from omnisolve.solvers.jobshop_lns import JobShopLnsSolver

LNS = JobShopLnsSolver()


def shop(name: str):
    return om.read(BENCHDATA / "jobshop" / f"{name}.txt")


@pytest.mark.parametrize("name", ["ft06", "la01", "ta01"])
def test_every_rule_gives_a_valid_schedule(name):
    js = shop(name)
    schedules = rule_schedules(js)
    assert len(schedules) == 2 * len(RULES)
    for rule, flat in schedules.items():
        starts = js._nested(flat)
        assert js.check(starts) == [], rule
        assert js.evaluate(starts) >= js.lower_bound
    best = best_dispatch(js)
    assert js.check(best) == []
    assert js.evaluate(best) == min(js.evaluate(js._nested(s)) for s in schedules.values())


@pytest.mark.parametrize("rule", list(RULES))
def test_active_schedules_leave_no_gap_an_operation_fits_in(rule):
    """Giffler-Thompson: no operation could move into an idle gap before it on its machine."""
    js = shop("la01")
    s = dispatch(js, RULES[rule](js), active=True)
    d, order = js._duration, jobshop_lns.machine_order(js, s)
    ready = np.where(np.arange(js.size) == js._first[js._job], 0, np.roll(s + d, 1))
    for mach in range(js.num_machines):
        ops = order[js._machine[order] == mach]
        gaps = list(zip(np.r_[0, (s + d)[ops[:-1]]], s[ops]))  # idle time before each op
        for k, o in enumerate(ops):
            assert all(max(g0, ready[o]) + d[o] > g1 for g0, g1 in gaps[:k] if g1 > g0), (rule, o)


def test_dispatching_handles_zero_durations():
    js = om.JobShop([[(0, 0), (1, 3)], [(1, 0), (0, 2)], [(0, 2), (1, 0)]])
    for flat in rule_schedules(js).values():
        assert js.check(js._nested(flat)) == []


def test_critical_operations_form_a_chain_to_the_makespan():
    js = shop("ft06")
    s = np.array([x for row in best_dispatch(js) for x in row])
    crit = jobshop_lns.critical(js, s)
    end = s + js._duration
    assert crit[end == end.max()].all() and crit[s == 0].any()


def test_neighbourhoods_relax_about_their_size_and_keep_the_rest_in_order():
    js = shop("la21")
    s = np.array([x for row in best_dispatch(js) for x in row])
    hoods = jobshop_lns.Neighbourhoods(js, np.random.default_rng(1))
    seen = set()
    for _ in range(40):
        name, relaxed = hoods.pick(s)
        seen.add(name)
        size = int(hoods.sizes[name])
        assert size <= relaxed.sum() <= 2 * size  # whole machines or jobs may overshoot
        before, after = jobshop_lns.fixed_precedences(js, s, relaxed)
        assert not relaxed[before].any() and not relaxed[after].any()
        assert (s[after] >= s[before] + js._duration[before]).all()
        assert (js._machine[before] == js._machine[after]).all()
        assert len(before) == (~relaxed).sum() - len(np.unique(js._machine[~relaxed]))
    assert seen == set(jobshop_lns.Neighbourhoods.KINDS)


def test_lns_proves_ft06():
    result = om.solve(shop("ft06"), solver="jobshop-lns", time_limit=10, threads=2)
    assert result.status == om.Status.OPTIMAL and result.objective == 55 and result.bound == 55
    assert result.certificate.passed


def test_lns_reaches_la01_optimum():
    result = om.solve(shop("la01"), solver="jobshop-lns", time_limit=10, threads=2)
    assert result.objective == 666 and result.certificate.passed
    assert result.status == om.Status.OPTIMAL  # 666 is the machine-load bound


def test_lns_time_limit_and_incumbents_on_ft10():
    js = shop("ft10")
    calls = []
    start = time.perf_counter()
    result = om.solve(js, solver="jobshop-lns", time_limit=3, threads=2,
                      on_incumbent=lambda t, obj, bound: calls.append((obj, bound)))
    assert time.perf_counter() - start < 4.0
    assert result.status in (om.Status.FEASIBLE, om.Status.OPTIMAL) and result.certificate.passed
    assert 930 <= result.objective <= js.evaluate(best_dispatch(js))
    objectives = [obj for obj, _ in calls if obj is not None]
    assert objectives == sorted(objectives, reverse=True) and objectives[-1] == result.objective
    assert all(bound <= 930 for _, bound in calls if bound is not None)


def test_lns_search_alone_improves_a_dispatching_schedule():
    """The neighbourhood loop without the exact phase: every neighbourhood kind is used and
    the schedule only gets better."""
    js = shop("la21")
    form_starts = np.array([x for row in best_dispatch(js) for x in row])
    seen = []

    def sub(before, after, incumbent, cap, seconds):
        from omnisolve.solvers.jobshop_lns import _sub_solve
        from omnisolve.solvers.cpsat_models import build_jobshop

        seen.append(cap)
        return _sub_solve(build_jobshop(js), Limits(threads=1), len(seen), before, after, incumbent, cap, seconds)

    deadline = time.perf_counter() + 3
    out = jobshop_lns.search(js, form_starts, sub, lambda: deadline - time.perf_counter(), 0.3, js.lower_bound)
    assert js.check(js._nested(out)) == []
    assert jobshop_lns.makespan(js, out) < jobshop_lns.makespan(js, form_starts)
    assert seen == sorted(seen, reverse=True)


def test_lns_refuses_other_problems():
    assert "solves JobShop only, not Knapsack" == LNS.unsupported_reason(om.Knapsack([1.0], [1.0], 1.0))
