"""milp-alns: exact bandit statistics, feasible sub-MIPs from every destroy operator, and the
solver's quality, time limit and refusal of LPs."""

import csv
import dataclasses
import math
import time

import numpy as np
import pytest

import omnisolve as om
from conftest import BENCHDATA, OVERRUN, grace
from omnisolve.algorithms.bandit import UCB1, ThompsonSampling
from omnisolve.algorithms.milp_lns import OPERATORS, LnsState
from omnisolve.errors import UnsupportedError
from omnisolve.io import read
from omnisolve.limits import Limits, Tracker
from omnisolve.model import VarType
from omnisolve.result import Result, Status
from omnisolve.solvers.highs_run import run_highs
from omnisolve.solvers.milp_alns import MilpAlnsSolver
from omnisolve.verify import certify

MIP_HARD = BENCHDATA / "mip_hard"


def _best_known(name: str) -> float:
    with open(MIP_HARD / "optima.csv") as f:
        return next(float(r["best_known"]) for r in csv.DictReader(f) if r["name"] == name)


def test_ucb1_plays_each_arm_once_then_the_highest_upper_bound():
    bandit = UCB1(3)
    rewards = {0: [1.0, 0.0], 1: [0.0], 2: [0.5, 1.0]}
    played = []
    for _ in range(5):
        arm = bandit.select()
        played.append(arm)
        bandit.update(arm, rewards[arm].pop(0))
    # rounds 1-3: untried arms in index order. Round 4 (t = 3): 1 + sqrt(2 ln 3) = 2.48 beats
    # 0.5 + 1.48 and 0 + 1.48. Round 5 (t = 4): arm 0 has 0.5 + sqrt(2 ln 4 / 2) = 1.677,
    # arm 1 0 + sqrt(2 ln 4) = 1.665, arm 2 0.5 + 1.665 = 2.165.
    assert played == [0, 1, 2, 0, 2]
    assert bandit.counts.tolist() == [2, 1, 2]
    assert bandit.means == pytest.approx([0.5, 0.0, 0.75])
    log5 = math.log(5)
    expected = [0.5 + math.sqrt(2 * log5 / 2), math.sqrt(2 * log5), 0.75 + math.sqrt(2 * log5 / 2)]
    assert bandit.scores() == pytest.approx(expected)


def test_thompson_sampling_favours_the_better_arm_and_keeps_exact_statistics():
    bandit = ThompsonSampling(3, seed=7)
    reward_of = [0.1, 0.9, 0.3]
    for _ in range(200):
        arm = bandit.select()
        bandit.update(arm, reward_of[arm])
    assert bandit.counts.sum() == 200
    assert bandit.counts[1] > 150
    played = bandit.counts > 0
    assert bandit.means[played] == pytest.approx(np.asarray(reward_of)[played])
    assert bandit.alpha == pytest.approx(1 + bandit.counts * reward_of)
    twin = ThompsonSampling(3, seed=7)
    for _ in range(200):  # the same seed and rewards replay the same choices
        arm = twin.select()
        twin.update(arm, reward_of[arm])
    assert twin.counts.tolist() == bandit.counts.tolist()


def _greedy(data) -> np.ndarray:
    """Items in index order while every knapsack row stays within capacity."""
    x = np.zeros(data.num_variables)
    for j in range(data.num_variables):
        x[j] = 1.0
        if (data.activity(x) > data.row_ub + 1e-9).any():
            x[j] = 0.0
    return x


def test_every_destroy_operator_gives_a_sub_mip_whose_solutions_are_feasible():
    data = read(MIP_HARD / "mknap_1.mps")
    greedy, empty = _greedy(data), np.zeros(data.num_variables)
    limits = Limits(time=60)
    tracker = Tracker(None, data.sense, limits)
    relaxed = dataclasses.replace(data, vtype=np.full(data.num_variables, VarType.CONTINUOUS))
    lp = run_highs(relaxed, tracker.elapsed() + 5, limits, tracker)
    state = LnsState(
        data,
        [(data.objective_value(greedy), greedy), (0.0, empty)],
        np.random.default_rng(0),
        lp_values=lp.values,
    )
    for name, (operator, share) in OPERATORS.items():
        hood = operator(state, share)
        assert hood is not None, name
        sub = hood.problem
        assert sub.num_variables == data.num_variables
        run = run_highs(sub, tracker.elapsed() + 1.0, limits, tracker, start=greedy if hood.warm_start else None)
        assert run.status in ("optimal", "feasible"), name
        cert = certify(data, Result(Status.FEASIBLE, values=run.values))
        assert cert.passed, (name, cert.messages)
        if name == "random":  # the fixed integers keep the incumbent's values
            fixed = sub.lb == sub.ub
            assert 0 < fixed.sum() < data.num_variables
            assert np.array_equal(run.values[fixed].round(), greedy[fixed])
        if name == "proximity":  # strictly better than the incumbent
            assert cert.objective >= state.incumbents[0][0] + 1


def test_milp_alns_improves_its_first_incumbent_within_valid_bounds_and_the_time_limit():
    """How close it gets to the best known in 5 s is a benchmark's claim (about 0.5 % here);
    asserted: it improves, stays below the dual bound, and the bound is valid."""
    data = read(MIP_HARD / "mknap_1.mps")
    start = time.perf_counter()
    result = om.solve(data, solver="milp-alns", time_limit=5)
    assert time.perf_counter() - start < 5 + grace(OVERRUN)
    assert result.status in (Status.FEASIBLE, Status.OPTIMAL) and result.certificate.passed
    best_known = _best_known("mknap_1")
    assert result.bound is not None and result.bound >= best_known - 1e-6  # the full model's dual bound
    incumbents = [o for _, o, _ in result.trace if o is not None]
    assert incumbents[-1] == pytest.approx(result.objective) and result.objective <= result.bound + 1e-6
    assert len(incumbents) >= 3 and result.objective > incumbents[0]  # maximization: it improved


def test_milp_alns_refuses_lp_and_qp_with_a_reason():
    m = om.Model()
    x = m.add_variable("x", ub=4)
    m.add_constraint(2 * x <= 3)
    m.maximize(x)
    lp = m.compile()
    assert "nothing for LNS to do" in MilpAlnsSolver().unsupported_reason(lp)
    with pytest.raises(UnsupportedError, match="nothing for LNS"):
        om.solve(lp, solver="milp-alns", time_limit=1)
    m.minimize(x * x)
    assert "QP" in MilpAlnsSolver().unsupported_reason(m.compile())
