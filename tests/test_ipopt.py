"""The `ipopt` backend (IPOPT through CasADi) and IPOPT as `global-nlp`'s local search: known
optima of Hock–Schittkowski problems (tests/hs_problems.py), what each ending is worth (a local
optimum is feasible, not optimal; IPOPT's infeasibility is a claim, named by its most violated
constraints, unless a Farkas ray proves it), derivatives, failures of the model's callables,
the time limit and `Limits.stop`."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

import omnisolve as om
from conftest import OVERRUN, grace
from hs_problems import CASES
from omnisolve.blackbox.model_solver import GlobalNlpSolver
from omnisolve.limits import Cancelled, Limits
from omnisolve.result import Optimality, Status
from omnisolve.solvers.ipopt_nlp import IpoptSolver
from test_solvers import rosenbrock_in_disk
from test_trust import infeasible_lp, transport

pytest.importorskip("casadi")


def solve(model, **kwargs) -> om.Result:
    return om.solve(model, solver="ipopt", time_limit=kwargs.pop("time_limit", 20), cross_check="off", **kwargs)


def test_hs71_reaches_its_known_optimum_and_is_only_feasible():
    result = solve(CASES["hs71"].build())
    assert result.objective == pytest.approx(17.0140173, abs=1e-5)
    np.testing.assert_allclose(result.values, [1, 4.7429994, 3.8211503, 1.3794082], atol=1e-4)
    assert result.status == Status.FEASIBLE and result.optimality == Optimality.NONE and result.bound is None
    assert "local optimum found by IPOPT" in result.message and result.certificate.passed


@pytest.mark.parametrize("with_derivatives", [True, False])
def test_the_models_derivatives_or_finite_differences_give_the_same_optimum(with_derivatives):
    result = IpoptSolver().solve(rosenbrock_in_disk(with_derivatives), Limits(time=20))
    assert result.status == Status.FEASIBLE and result.objective == pytest.approx(0.0456748, abs=1e-6)
    np.testing.assert_allclose(result.values, [0.7864, 0.6177], atol=1e-3)


def test_a_nonconvex_model_is_feasible_never_optimal():
    """max x^2 + y^2 on [-1, 2]^2 with x + y <= 3 (a convex function maximized): IPOPT's
    converged answer is a local optimum only."""
    m = om.Model("nonconvex")
    x, y = m.add_variable("x", lb=-1, ub=2), m.add_variable("y", lb=-1, ub=2)
    m.add_constraint(x + y <= 3)
    m.maximize(x * x + y * y)
    result = solve(m)
    assert result.status == Status.FEASIBLE and result.optimality == Optimality.NONE and result.certificate.passed


@pytest.mark.parametrize("sense", ["min", "max"])
def test_an_lp_optimum_is_proven_by_ipopts_multipliers(sense):
    result = solve(transport(sense))
    assert result.status == Status.OPTIMAL and result.objective == pytest.approx(17.0 if sense == "min" else -17.0)
    assert result.optimality == Optimality.PROVEN and "dual certificate" in result.certificate.evidence


def test_an_infeasible_lp_is_proven_by_a_farkas_ray():
    result = solve(infeasible_lp())
    assert result.status == Status.INFEASIBLE and result.optimality == Optimality.PROVEN
    assert "Farkas" in result.certificate.evidence


def test_ipopts_infeasibility_on_an_nlp_is_a_claim_naming_the_most_violated_constraint():
    """x^2 + y^2 >= 4 cannot hold in [-1, 1]^2 (at most 2 there): IPOPT stops at a point of
    locally least infeasibility, which proves nothing for a nonconvex model."""
    m = om.Model("outside")
    m.add_variables(2, "x", lb=-1, ub=1)
    m.minimize(lambda v: float(v[0] + v[1]))
    m.add_nonlinear_constraint(lambda v: np.array([v @ v, v[0] - v[1]]), lb=[4, -5], name="ring")
    result = solve(m)
    assert result.status == Status.ERROR and result.optimality != Optimality.PROVEN
    assert "Infeasible_Problem_Detected" in result.message and "not a proof" in result.message
    assert "most violated at its last point" in result.message and "ring[0] by 0.5" in result.message
    assert "ring[1]" not in result.message  # satisfied there


def test_scalar_sides_broadcast_over_a_vector_constraint():
    """min -sum(x) with x_i^2 <= 1 for each i, given as one 3-vector constraint with ub=1: -3."""
    m = om.Model("broadcast")
    m.add_variables(3, "x", lb=-5, ub=5)
    m.minimize(lambda v: float(-v.sum()))
    m.add_nonlinear_constraint(lambda v: v**2, ub=1.0, name="square")
    result = solve(m)
    assert result.status == Status.FEASIBLE and result.objective == pytest.approx(-3.0, abs=1e-6)


def test_a_callable_that_always_fails_gives_an_error_with_its_message():
    m = om.Model("broken")
    m.add_variables(2, "x", lb=-1, ub=1)

    def objective(v):
        raise ValueError("no data for this point")

    m.minimize(objective)
    result = solve(m)
    assert result.status == Status.ERROR and "ValueError: no data for this point" in result.message


def slow_model() -> om.Model:
    m = om.Model("slow")
    m.add_variables(3, "x", lb=-5, ub=5)

    def slow(v):
        time.sleep(0.02)
        return float(np.sum((v - 1) ** 4) + np.sin(v).sum())

    m.minimize(slow)
    return m


def test_the_time_limit_is_honoured():
    start = time.perf_counter()
    result = IpoptSolver().solve(slow_model().compile(), Limits(time=0.3))
    assert time.perf_counter() - start < 0.3 + grace(OVERRUN)
    assert result.status in (Status.FEASIBLE, Status.TIME_LIMIT) and "time limit" in result.message


def test_a_stop_criterion_ends_the_run():
    stop = threading.Event()
    threading.Timer(0.3, stop.set).start()
    start = time.perf_counter()
    result = IpoptSolver().solve(slow_model().compile(), Limits(time=60, stop=Cancelled(stop)))
    assert time.perf_counter() - start < 0.3 + grace(OVERRUN)
    assert result.status in (Status.FEASIBLE, Status.TIME_LIMIT)


def test_global_nlp_refines_with_ipopt_and_finds_what_one_local_search_misses():
    """HS23 from the default start: IPOPT alone stops at 9.47; the global phase then IPOPT find 2."""
    case = CASES["hs23"]
    assert not case.reached(solve(case.build()).objective)
    assert GlobalNlpSolver().local == "ipopt"
    result = om.solve(case.build(), solver="global-nlp", time_limit=20, cross_check="off")
    assert case.reached(result.objective) and result.extra["local"] == "ipopt"
    assert result.status == Status.FEASIBLE and result.certificate.passed


def test_global_nlp_takes_scipy_on_request():
    result = GlobalNlpSolver(local="scipy").solve(om.load(CASES["schwefel"].build()), Limits(time=20))
    assert CASES["schwefel"].reached(result.objective) and result.extra["local"] == "scipy"
    with pytest.raises(ValueError, match="local must be 'ipopt' or 'scipy'"):
        GlobalNlpSolver(local="knitro")


def test_the_lagrangians_hessian_given_to_ipopt_is_casadis_own():
    """A model without callables gets its Lagrangian's Hessian from the data (quadratic
    objective in the solver's sense, each quadratic row by its multiplier after the linear rows)."""
    import casadi as ca

    from omnisolve.solvers import casadi_nlp

    m = om.Model("hessian")
    x, y, z = (m.add_variable(name, -3, 3) for name in "xyz")
    m.add_constraint(x + y <= 3)
    m.add_constraint(x * y + z * z <= 4)
    m.add_constraint(x * x - y * z >= -1)
    m.maximize(x * y - z * z + 2 * x * z + x)
    nlp = casadi_nlp.build(m.compile(), np.zeros(3))
    point, lam_f, lam_g = np.array([0.5, -1.0, 2.0]), 0.7, np.array([0.3, -1.2, 2.5])
    lagrangian = lam_f * nlp.f + ca.dot(ca.DM(lam_g), nlp.g)
    expected = np.array(ca.Function("h", [nlp.x], [ca.hessian(lagrangian, nlp.x)[0]])(point))
    given = np.array(ca.densify(nlp.hess_lag(point, ca.DM(0, 1), lam_f, lam_g)))
    np.testing.assert_allclose(given, np.triu(expected), atol=1e-12)


def test_the_qcp_reaches_its_optimum_through_the_given_hessian():
    case = CASES["qcp200"]
    result = solve(case.build())
    assert case.reached(result.objective) and result.certificate.passed
