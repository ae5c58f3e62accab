"""The augmented Lagrangian backend (`alm`) and `local-nlp` (IPOPT, then `alm` from the same
start), auto's backend for nonlinear models it cannot search globally: known optima of
Hock–Schittkowski problems (tests/hs_problems.py), where one local method stops and the other
goes on, what a local answer is worth, scaling, and the time limit."""

from __future__ import annotations

import time

import numpy as np
import pytest

import omnisolve as om
from conftest import OVERRUN, grace
from hs_problems import CASES, EQUALITY_CASES
from omnisolve.result import Optimality, Status
from omnisolve.solvers.local_nlp import RESTARTS, restart
from test_solvers import rosenbrock_in_disk


def solve(model, solver: str = "alm", **kwargs) -> om.Result:
    return om.solve(model, solver=solver, time_limit=kwargs.pop("time_limit", 20), cross_check="off", **kwargs)


@pytest.mark.parametrize("name", ["hs7", "hs26", "hs39", "hs42", "hs46", "hs77", "hs79"])
def test_equality_problems_reach_their_known_optima(name):
    case = EQUALITY_CASES[name]
    result = solve(case.build())
    assert case.reached(result.objective), (result.objective, case.optimum, result.log)
    assert result.status == Status.FEASIBLE and result.optimality == Optimality.NONE and result.certificate.passed
    assert "local optimum found by ALM" in result.message


@pytest.mark.parametrize("name", ["hs23", "hs71", "hs100", "qcp200", "exp100"])
def test_inequality_and_larger_problems_reach_their_known_optima(name):
    case = CASES[name]
    result = solve(case.build())
    assert case.reached(result.objective) and result.certificate.passed, (result.objective, case.optimum)


def test_a_badly_scaled_model_reaches_its_optimum():
    """hs106's rows reach 10^7 at the start and its variables range from 10 to 10,000: with the
    rows scaled by their gradients (as IPOPT scales) and the boxed variables mapped onto [0, 1],
    the search reaches the optimum (before the first: no feasible point; before the second:
    2.3e-5 above it, after 22,000 evaluations)."""
    case = CASES["hs106"]
    result = solve(case.build(), time_limit=120)  # about 3 s alone; time for a loaded machine
    assert case.reached(result.objective) and result.certificate.passed, (result.objective, result.log)


def test_a_convex_model_is_optimal_with_its_bound():
    m = om.Model("convex")
    x = m.add_variables(3, "x", lb=-10, ub=10)
    m.minimize(x[0] * x[0] + x[1] * x[1] + x[2] * x[2] - x[0])
    m.add_constraint(x[0] + x[1] + x[2] == 3, name="sum")
    result = solve(m)
    assert result.status == Status.OPTIMAL and result.objective == pytest.approx(
        11 / 6, abs=1e-6
    )  # x = (4/3, 5/6, 5/6)


def test_no_feasible_point_is_an_error_naming_the_most_violated_row():
    ring = om.Model("ring")  # x^2 + y^2 >= 4 cannot hold in [-1, 1]^2
    ring.add_variables(2, "x", lb=-1, ub=1)
    ring.minimize(lambda v: float(v.sum()))
    ring.add_nonlinear_constraint(lambda v: np.array([v @ v]), lb=4, name="ring")
    result = solve(ring)
    assert result.status == Status.ERROR and "ALM found no feasible point" in result.message
    assert "ring[0] by 0.5" in result.message


@pytest.mark.parametrize("with_derivatives", [True, False])
def test_derivatives_or_central_differences_give_the_same_optimum(with_derivatives):
    result = solve(rosenbrock_in_disk(with_derivatives))
    assert result.objective == pytest.approx(0.0456748, abs=1e-6) and result.certificate.passed


def test_the_time_limit_is_honoured():
    """A slow callable (2 ms a call, 50 variables: 0.2 s per differenced gradient) is stopped
    at the limit, between two calls."""

    def slow(v: np.ndarray) -> float:
        time.sleep(0.002)
        return float(np.sum((v - 1) ** 2))

    m = om.Model("slow")
    m.add_variables(50, "x", lb=-float("inf"), ub=float("inf"))
    m.minimize(slow)
    m.add_nonlinear_constraint(lambda v: np.array([v @ v]), lb=10, ub=10, name="sphere")
    began = time.perf_counter()
    result = solve(m, time_limit=0.5)
    assert time.perf_counter() - began < grace(0.5) + OVERRUN
    assert result.status in (Status.FEASIBLE, Status.TIME_LIMIT, Status.ERROR) and "time limit" in result.message


def test_local_nlp_keeps_the_better_of_ipopt_and_alm():
    """hs39 from its default start: IPOPT stops at a stationary point of value 0, the augmented
    Lagrangian from the same start reaches the optimum -1; `local-nlp` (what auto runs on a
    model with an unbounded variable) reports it and names both in its log."""
    pytest.importorskip("casadi")
    case = EQUALITY_CASES["hs39"]
    assert solve(case.build(), solver="ipopt").objective == pytest.approx(0.0, abs=1e-6)
    result = om.solve(case.build(), time_limit=20, cross_check="off")
    assert result.solver == "local-nlp" and case.reached(result.objective)
    assert "ipopt: feasible" in result.log and "alm: feasible" in result.log


def test_local_nlp_stops_at_a_convex_optimum():
    m = om.Model("convex_nl")
    m.add_variables(2, "x", lb=-5, ub=float("inf"))
    m.minimize(lambda v: float((v[0] - 1) ** 2 + (v[1] + 2) ** 2))
    result = om.solve(m, solver="local-nlp", time_limit=20, cross_check="off")
    assert result.objective == pytest.approx(0.0, abs=1e-8)
    assert result.status == Status.FEASIBLE  # callables: not known convex, so a local optimum only


@pytest.mark.parametrize("name", ["hs40", "hs56"])
def test_local_nlp_restarts_leave_a_stationary_start(name):
    """From the zero start every method stops at a stationary point of value 0 on hs40 and hs56;
    `local-nlp`'s later starts reach the optima, and its log and extra say how many ran."""
    case = EQUALITY_CASES[name]
    assert solve(case.build()).objective == pytest.approx(0.0, abs=1e-9)
    result = om.solve(case.build(), time_limit=20, cross_check="off", seed=0)
    assert result.solver == "local-nlp" and case.reached(result.objective), result.log
    assert result.extra["starts"] == 1 + RESTARTS and "start 4:" in result.log
    assert result.status == Status.FEASIBLE and result.certificate.passed


def test_restarts_are_seeded_and_stay_in_the_bounds():
    m = om.Model("bounds")
    m.add_variable("free", lb=-float("inf"))
    m.add_variable("boxed", lb=2, ub=3)
    m.add_variable("above", lb=5)
    data = m.compile()
    x0 = np.array([0.0, 2.5, 5.0])
    first = [restart(data, x0, np.random.default_rng(1)) for _ in range(2)]
    np.testing.assert_array_equal(first[0], first[1])
    points = np.array([restart(data, x0, np.random.default_rng(seed)) for seed in range(200)])
    assert (points[:, 1] >= 2).all() and (points[:, 1] <= 3).all() and (points[:, 2] >= 5).all()
    assert points[:, 0].std() == pytest.approx(1.0, rel=0.2)  # free: a normal step of scale max(1, |x0|)


def test_local_nlp_keeps_ipopts_answer_when_the_other_method_raises(monkeypatch):
    """A method that raises (the model's callable failing on its path) costs that method's run,
    not the answer: local-nlp reports IPOPT's and its log names the failure."""
    pytest.importorskip("casadi")
    from omnisolve.solvers import local_nlp
    from omnisolve.solvers.alm import AlmSolver
    from omnisolve.solvers.ipopt_nlp import IpoptSolver

    class Raising(AlmSolver):
        def local_search(self, data):
            def search(tracker, x0):
                raise ValueError("outside the model's range")

            return search

    monkeypatch.setattr(local_nlp, "methods", lambda: [IpoptSolver(), Raising()])
    m = om.Model("fragile")
    m.add_variables(2, "x", lb=-float("inf"), ub=float("inf"))
    m.minimize(lambda v: float((v[0] - 1) ** 2 + (v[1] - 2) ** 2))
    m.add_nonlinear_constraint(lambda v: np.array([v[0] + v[1]]), lb=3, ub=3, name="sum")
    result = om.solve(m, solver="local-nlp", time_limit=20, cross_check="off")
    assert result.status == Status.FEASIBLE and result.objective == pytest.approx(0.0, abs=1e-8)
    assert "alm: error None alm failed: ValueError: outside the model's range" in result.log
