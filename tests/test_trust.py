"""Trust: claims are proven from the data or by an independent run, lies are refuted.

The checks here never compare omnisolve with itself: optima are known by hand, and every lie
comes from a backend in tests/fake_solvers.py that claims something the data contradicts."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

import omnisolve as om
import omnisolve.io
from fake_solvers import LIARS
from omnisolve.problems import Knapsack
from omnisolve.result import Optimality, Status
from omnisolve.solvers import registry
from omnisolve.verify.optimality import dual_bound, farkas_margin, ray_residual


@pytest.fixture(autouse=True, scope="module")
def liars():
    for name, target in LIARS.items():
        registry.register(name, target)
    yield
    for name in LIARS:
        registry._BACKENDS.pop(name, None)


def pulp_test_mip(integer: bool = True) -> om.Model:
    """PuLP's test_mip: the optimum is 64 at x=3, y=-0.5, z=7 (58 for the LP relaxation)."""
    m = om.Model("test_mip")
    x = m.add_variable("x", lb=0, ub=4)
    y = m.add_variable("y", lb=-1, ub=1)
    z = m.add_variable("z", lb=0, vtype="integer" if integer else "continuous")
    m.add_constraint(x + y <= 5, name="c1")
    m.add_constraint(x + z >= 10, name="c2")
    m.add_constraint(-y + z == 7.5, name="c3")
    m.minimize(x + 4 * y + 9 * z)
    return m


def transport(sense: str = "min") -> om.Model:
    """A 2x2 transportation LP with optimum 17 (by hand: a=4, b=1, d=1 or a=3, b=2, c=1)."""
    m = om.Model("transport")
    a, b, c, d = (m.add_variable(n) for n in "abcd")
    m.add_constraint(a + b <= 5, name="supply1")
    m.add_constraint(c + d <= 4, name="supply2")
    m.add_constraint(a + c >= 4, name="demand1")
    m.add_constraint(b + d >= 2, name="demand2")
    cost = 2 * a + 4 * b + 3 * c + 5 * d
    if sense == "min":
        m.minimize(cost)
    else:
        m.maximize(-cost)
    return m


def infeasible_lp() -> om.Model:
    m = om.Model("infeasible")
    x, y = m.add_variable("x"), m.add_variable("y")
    m.add_constraint(x + y <= 1, name="cap")
    m.add_constraint(x + 2 * y >= 3, name="need")
    m.add_constraint(y <= 1, name="ylim")
    m.minimize(x)
    return m


def unbounded_lp() -> om.Model:
    m = om.Model("unbounded")
    x, y = m.add_variable("x"), m.add_variable("y")
    m.add_constraint(x - y <= 1, name="r")
    m.minimize(-x)
    return m


# ---- evidence checked from the data -------------------------------------------------------------
@pytest.mark.parametrize("sense", ["min", "max"])
def test_lp_optimum_is_proven_by_its_dual_certificate(sense):
    result = om.solve(transport(sense), solver="highs")
    expected = 17.0 if sense == "min" else -17.0
    assert result.status == Status.OPTIMAL and result.objective == pytest.approx(expected)
    assert result.optimality == Optimality.PROVEN and "dual certificate" in result.certificate.evidence
    assert result.certificate.bound == pytest.approx(expected) and result.gap == pytest.approx(0, abs=1e-9)


def test_dual_bound_holds_for_any_multipliers_and_is_tight_only_for_good_ones():
    data = transport().compile()
    good = om.solve(data, solver="highs").duals
    assert dual_bound(data, good)[0] == pytest.approx(17.0)
    for seed in range(5):  # weak duality: any multipliers bound from below, never above
        y = np.random.default_rng(seed).normal(size=len(good))
        assert dual_bound(data, y)[0] <= 17.0 + 1e-9


def test_convex_qp_optimum_is_proven_by_linearized_duals():
    m = om.Model()
    x, y = m.add_variable("x", lb=-5, ub=5), m.add_variable("y", lb=-5, ub=5)
    m.add_constraint(x + y >= 1)
    m.minimize(x * x + y * y + x)  # optimum 7/8 at (1/4, 3/4)
    result = om.solve(m, solver="highs")
    assert result.objective == pytest.approx(0.875) and result.optimality == Optimality.PROVEN


def test_malformed_evidence_proves_nothing_and_never_crashes():
    data = transport().compile()
    assert dual_bound(data, np.ones(7))[0] == -np.inf  # wrong length
    assert dual_bound(data, np.array([np.nan, 1, 1, 1]))[0] == -np.inf
    assert farkas_margin(data, np.ones(2)) == -np.inf
    assert ray_residual(data, np.ones(3))[0] == np.inf


def test_infeasible_lp_is_proven_by_a_farkas_ray():
    result = om.solve(infeasible_lp(), solver="highs")
    assert result.status == Status.INFEASIBLE and result.optimality == Optimality.PROVEN
    assert "Farkas" in result.certificate.evidence
    assert farkas_margin(infeasible_lp().compile(), np.ones(3)) < 0  # not every vector is a ray


def test_unbounded_lp_is_proven_by_a_ray_from_a_feasible_point():
    result = om.solve(unbounded_lp(), solver="highs")
    assert result.status == Status.UNBOUNDED and result.optimality == Optimality.PROVEN
    data = unbounded_lp().compile()
    violation, slope = ray_residual(data, np.array([1.0, 0.0]))  # leaves x - y <= 1
    assert violation > 0.5 and slope < 0


# ---- claims that need a witness -----------------------------------------------------------------
def test_pulp_test_mip_is_64_and_proven_by_an_independent_bound():
    result = om.solve(pulp_test_mip())  # highspy 1.14's presolve said 76
    assert result.status == Status.OPTIMAL and result.objective == pytest.approx(64.0)
    assert result.optimality == Optimality.PROVEN and result.gap == pytest.approx(0, abs=1e-9)
    assert "scip" in result.certificate.evidence
    np.testing.assert_allclose(result.values, [3, -0.5, 7], atol=1e-6)


def test_without_cross_check_an_unproven_milp_optimum_is_only_claimed():
    result = om.solve(pulp_test_mip(), solver="highs", cross_check="off")
    assert result.status == Status.OPTIMAL and result.optimality == Optimality.CLAIMED
    assert result.gap is None  # no certified bound


def test_witnesses_get_the_time_the_solve_left_plus_their_share_past_the_limit(monkeypatch):
    """HiGHS claims pulp_test_mip's optimum in milliseconds of a 10 s limit: its witnesses may use
    the rest of the 10 s and the 2 s share past it, the first (SCIP) all of it but a second left
    to the other (HiGHS without presolve); a claim made at the limit leaves the share."""
    from omnisolve.portfolio import crosscheck

    given: list[float] = []
    run = crosscheck._run
    monkeypatch.setattr(crosscheck, "_run", lambda p, w, limits: given.append(limits.time) or run(p, w, limits))
    result = om.solve(pulp_test_mip(), solver="highs", time_limit=10)
    assert result.optimality == Optimality.PROVEN and 10.0 < given[0] <= 11.0
    claim = om.solve(pulp_test_mip(), solver="highs", cross_check="off")
    given.clear()
    crosscheck.cross_check(pulp_test_mip().compile(), claim, "claims", time_limit=10, unused=0.0)
    assert 0.9 < given[0] <= 1.0 and len(given) == 1  # SCIP settles it: no second witness


def test_a_local_optimum_is_feasible_never_optimal():
    """2-D Schwefel over [-500, 500]^2: the global minimum is -837.97 at (420.97, 420.97); a
    local method from the box's centre stops far from it."""
    m = om.Model("schwefel")
    m.add_variables(2, "x", lb=-500, ub=500)
    m.minimize(lambda v: float(np.sum(-v * np.sin(np.sqrt(np.abs(v))))))
    result = om.solve(m, solver="scipy", time_limit=10)
    assert result.status == Status.FEASIBLE and result.optimality == Optimality.NONE
    assert result.objective > -837.9  # not the global optimum, and nobody says it is
    assert "local optimum" in result.message and result.gap is None


# ---- lying backends -----------------------------------------------------------------------------
@pytest.mark.parametrize("liar", ["liar-suboptimal", "liar-duals"])
def test_a_suboptimal_optimal_claim_is_refuted_and_the_optimum_returned(liar):
    result = om.solve(transport(), solver=liar)
    assert result.optimality == Optimality.REFUTED and result.objective == pytest.approx(17.0)
    assert f"{liar} claimed optimal" in result.certificate.refutation
    assert result.certificate.passed and result.status == Status.OPTIMAL
    assert result.certificate.bound == pytest.approx(17.0)  # the new answer is proven from the data


def test_a_suboptimal_milp_claim_is_refuted():
    result = om.solve(pulp_test_mip(), solver="liar-suboptimal")
    assert result.optimality == Optimality.REFUTED and result.objective == pytest.approx(64.0)


@pytest.mark.parametrize("model", [transport, pulp_test_mip])
def test_a_false_infeasible_claim_is_refuted_with_a_solution(model):
    result = om.solve(model(), solver="liar-infeasible")
    assert result.optimality == Optimality.REFUTED and "claimed infeasible" in result.certificate.refutation
    assert result.status.has_solution and result.certificate.passed


@pytest.mark.parametrize("model", [transport, pulp_test_mip])
def test_a_false_unbounded_claim_is_refuted_with_a_bound(model):
    result = om.solve(model(), solver="liar-unbounded")
    assert result.optimality == Optimality.REFUTED and "claimed unbounded" in result.certificate.refutation
    expected = 17.0 if model is transport else 64.0
    assert result.objective == pytest.approx(expected)


def test_a_true_claim_from_an_unproven_backend_is_confirmed():
    result = om.solve(infeasible_lp(), solver="liar-infeasible")  # right for once, with a bad ray
    assert result.status == Status.INFEASIBLE and result.optimality == Optimality.PROVEN
    assert "Farkas" in result.certificate.evidence


def test_a_lying_structured_backend_is_refuted():
    knapsack = Knapsack(np.array([10.0, 7, 4]), np.array([5.0, 4, 3]), 8)  # optimum 14: items 0, 2
    result = om.solve(knapsack, solver="liar-knapsack")
    assert result.optimality == Optimality.REFUTED and result.objective == pytest.approx(14.0)
    assert sorted(result.solution) == [0, 2]


def test_cross_check_off_lets_a_lie_through_but_says_it_is_only_claimed():
    result = om.solve(transport(), solver="liar-suboptimal", cross_check="off")
    assert result.optimality == Optimality.CLAIMED and result.objective > 17.0


def test_cli_exit_code_and_output_for_a_refuted_claim(tmp_path):
    from omnisolve.cli import app

    path = tmp_path / "transport.json"
    om.io.write(transport(), path)
    run = CliRunner().invoke(app, ["solve", str(path), "--solver", "liar-suboptimal", "-o", str(tmp_path / "r.json")])
    assert run.exit_code == 8, run.output
    assert "refuted" in run.output and "liar-suboptimal claimed optimal" in run.output
    saved = om.Result.from_dict(__import__("json").loads((tmp_path / "r.json").read_text()))
    assert saved.certificate.optimality == Optimality.REFUTED and saved.objective == pytest.approx(17.0)


def test_cli_rejects_an_unknown_cross_check_mode(tmp_path):
    from omnisolve.cli import app

    path = tmp_path / "transport.json"
    om.io.write(transport(), path)
    run = CliRunner().invoke(app, ["solve", str(path), "--cross-check", "sometimes"])
    assert run.exit_code == 2


def test_an_infeasible_solve_says_why_by_name():
    result = om.solve(infeasible_lp(), solver="highs")
    why = result.extra["explanation"]
    assert why["status"] == "infeasible" and why["irreducible"]
    assert sorted(why["rows"]) == ["cap (<= 1)", "need (>= 3)"]


def test_a_nonconvex_optimum_is_optimal_only_from_a_global_method():
    """max x^2 + y^2 on the box [-1, 2]^2 cut by x + y <= 3: nonconvex (a convex function
    maximized); the global optimum is 5 at (2, 1) or (1, 2); a local method from the centre
    may stop at another vertex."""

    def model() -> om.Model:
        m = om.Model("nonconvex")
        x, y = m.add_variable("x", lb=-1, ub=2), m.add_variable("y", lb=-1, ub=2)
        m.add_constraint(x + y <= 3)
        m.maximize(x * x + y * y)
        return m

    local = om.solve(model(), solver="scipy", time_limit=10)
    assert local.status == Status.FEASIBLE and local.optimality == Optimality.NONE
    exact = om.solve(model(), solver="scip", time_limit=10)  # spatial branch-and-bound
    assert exact.status == Status.OPTIMAL and exact.objective == pytest.approx(5.0, abs=1e-6)


# ---- bounds of structured problems, from their data ---------------------------------------------
def _suite(name: str) -> list[dict]:
    import csv

    from conftest import BENCHDATA

    return [
        dict(row, path=BENCHDATA / name / row["file"])
        for row in csv.DictReader((BENCHDATA / name / "optima.csv").open())
    ]


def test_jobshop_data_bound_never_exceeds_an_optimum_and_often_reaches_it():
    from omnisolve.io import read
    from omnisolve.verify.structured_bounds import jobshop_bound

    rows = [r for r in _suite("jobshop") if r.get("optimum")]
    reached = 0
    for row in rows:
        bound, optimum = jobshop_bound(read(row["path"])), float(row["optimum"])
        assert bound <= optimum, row["name"]
        reached += bound == optimum
    assert len(rows) >= 40 and reached >= 10  # la01, la02, la05-la15, ... are proven by it alone


def test_knapsack_dantzig_bound_is_above_every_optimum():
    from omnisolve.io import read
    from omnisolve.verify.structured_bounds import dantzig_bound

    for row in _suite("knapsack"):
        assert dantzig_bound(read(row["path"])) >= float(row["optimum"]) - 1e-9, row["name"]


def test_a_jobshop_answer_that_reaches_the_data_bound_is_proven_even_from_a_heuristic():
    from omnisolve.io import read
    from omnisolve.result import Result
    from omnisolve.verify import verify

    la01 = read(next(r["path"] for r in _suite("jobshop") if r["name"] == "la01"))
    optimal = om.solve(la01, solver="cpsat", time_limit=20, cross_check="off")
    assert optimal.optimality == Optimality.PROVEN and "one-machine bound" in optimal.certificate.evidence
    heuristic = verify(
        la01, Result(Status.FEASIBLE, objective=optimal.objective, solution=optimal.solution, solver="x")
    )
    assert heuristic.status == Status.OPTIMAL and heuristic.optimality == Optimality.PROVEN
    assert heuristic.gap == 0


def test_a_large_knapsack_answer_is_proven_by_reduction_from_the_data():
    """1,200 items and a capacity of 3.7 million (benchmarks/data/knapsack_heldapart): a DP
    over the capacity spans 4.5e9 cells; reduced-cost fixing against HiGHS's answer leaves a
    core whose DP proves it in milliseconds, with no witness."""
    problem = omnisolve.io.read(
        Path(__file__).parents[1] / "benchmarks" / "data" / "knapsack_heldapart" / "uncorrelated_h1200.kp"
    )
    from omnisolve.verify.structured_bounds import dantzig_bound, data_bound, reduction_bound

    assert dantzig_bound(problem) > 5595014 + 50
    assert reduction_bound(problem, 5595014.0) == 5595014
    assert reduction_bound(problem, 5595000.0) == 5595014  # the optimum, from a worse answer
    assert data_bound(problem, 5595014.0) == (
        5595014.0,
        "reduced-cost fixing against the answer, the core by dynamic programming, from the data",
    )
    result = om.solve(problem, solver="highs", time_limit=20, cross_check="off")
    assert (result.status, result.objective, result.optimality) == (Status.OPTIMAL, 5595014.0, Optimality.PROVEN)
    assert result.certificate.evidence.startswith("reduced-cost fixing against the answer")


@pytest.mark.parametrize("suite, name, sense", [("jobshop", "ft10", "min"), ("knapsack", "uncorrelated_100", "max")])
def test_an_unproven_structured_answer_gets_the_data_bound_and_a_certified_gap(suite, name, sense):
    """A heuristic answer short of the bound stays feasible, yet its gap is certified: the
    one-machine bound (job shop) or, for a knapsack, the optimum itself found by reduced-cost
    fixing against the answer (or else Dantzig's bound), computed from the data."""
    from omnisolve.io import read
    from omnisolve.result import Result
    from omnisolve.verify import verify
    from omnisolve.verify.structured_bounds import data_bound

    problem = read(next(r["path"] for r in _suite(suite) if r["name"] == name))
    # any feasible answer will do: 2 s of CP-SAT give one for ft10
    first = om.solve(problem, solver="cpsat" if suite == "jobshop" else "knapsack-dp", time_limit=2, cross_check="off")
    worse = _worsen(problem, first.solution)
    answer = verify(problem, Result(Status.FEASIBLE, solution=worse, solver="x"))
    bound = data_bound(problem, answer.objective)[0]
    assert answer.status == Status.FEASIBLE and answer.optimality == Optimality.NONE
    assert answer.certificate.bound == pytest.approx(bound)
    assert answer.gap == pytest.approx(abs(answer.objective - bound) / abs(answer.objective))
    assert (answer.objective > bound) if sense == "min" else (answer.objective < bound)


def _worsen(problem, solution):
    """A feasible but worse solution: job 0 delayed until every other job has finished (a
    longer makespan), or one knapsack item dropped."""
    if getattr(problem, "kind", "") == "Knapsack":
        return solution[1:]
    makespan = problem.evaluate(solution)
    return [[s + makespan for s in row] if j == 0 else list(row) for j, row in enumerate(solution)]


def test_scip_races_highs_on_a_milp_by_name():
    result = om.solve(pulp_test_mip(), solver="race:highs,scip", time_limit=20, threads=2)
    assert result.status == Status.OPTIMAL and result.objective == pytest.approx(64.0)
    assert result.optimality == Optimality.PROVEN
    assert {r["solver"] for r in result.extra["race"]["racers"]} == {"highs", "scip"}


def test_an_outside_backend_registered_by_the_user_races_by_name(monkeypatch):
    """Racers run in child processes: `solve` hands them the backends added with
    `registry.register`, so a user's own backend can race (here a liar, whose answer fails;
    the honest racer starts 3 s late so the liar answers first)."""
    from fake_solvers import ALL

    monkeypatch.setitem(registry._BACKENDS, "slow-highs", ALL["slow-highs"])
    result = om.solve(transport(), solver="race:liar-violated,slow-highs", time_limit=20, threads=2)
    racers = {r["solver"]: r for r in result.extra["race"]["racers"]}
    assert racers["liar-violated"]["verdict"] == "fail" and "unknown solver" not in racers["liar-violated"]["message"]
    assert result.objective == pytest.approx(17.0) and result.optimality == Optimality.PROVEN
