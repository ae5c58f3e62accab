"""The scip backend (pyscipopt): known optima, statuses, limits, starts, incumbent reports, and
that pyscipopt lives in one process with highspy and ortools."""

import csv
import itertools
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import omnisolve
from conftest import BENCHDATA
from omnisolve.errors import UnsupportedError
from omnisolve.io.mps import read_mps
from omnisolve.limits import Limits
from omnisolve.model import Model
from omnisolve.problems import Knapsack
from omnisolve.result import Status
from omnisolve.solvers import registry
from omnisolve.solvers.scip import ScipSolver
from omnisolve.verify import Tolerances, certify
from omnisolve.verify.model_check import check_values

SCIP = ScipSolver()
INF = float("inf")
OPTIMA = {row["name"]: row for row in csv.DictReader(open(BENCHDATA / "mip" / "optima.csv"))}


def solve(problem, **kwargs):
    """`omnisolve.solve` with scip alone (no witnesses), and the certificate must pass."""
    result = omnisolve.solve(problem, solver="scip", cross_check="off", **{"time_limit": 20, **kwargs})
    assert result.solver == "scip"
    if result.status.has_solution:
        assert result.certificate.passed, result.certificate.messages
    return result


def assert_certified(problem, result):
    cert = certify(problem, result)
    assert cert.passed, cert.messages


def pulp_test_mip():
    """PuLP's test_mip: optimum 64 at x = 3, y = -0.5, z = 7."""
    m = Model("pulp_mip")
    x, y = m.add_variable("x", 0, 4), m.add_variable("y", -1, 1)
    z = m.add_variable("z", 0, INF, "integer")
    m.add_constraint(x + y <= 5)
    m.add_constraint(x + z >= 10)
    m.add_constraint(-y + z == 7.5)
    m.minimize(x + 4 * y + 9 * z)
    return m


def max_model(vtype="integer"):
    """max 5x + 4y + 3z + 2: LP and integer optimum 15 at (2, 0, 1)."""
    m = Model("max")
    x, y, z = (m.add_variable(n, 0, INF, vtype) for n in "xyz")
    m.add_constraint(2 * x + 3 * y + z <= 5)
    m.add_constraint(4 * x + y + 2 * z <= 11)
    m.add_constraint(3 * x + 4 * y + 2 * z <= 8)
    m.maximize(5 * x + 4 * y + 3 * z + 2)
    return m


def market_split(m=4, n=30, seed=3):
    """Cornuejols-Dawande market split: min total slack; very hard for branch and bound."""
    rng = np.random.default_rng(seed)
    a = rng.integers(0, 100, size=(m, n))
    model = Model("market_split")
    x = [model.add_variable(f"x{j}", vtype="binary") for j in range(n)]
    slack = [model.add_variable(f"s{i}", 0, INF) for i in range(2 * m)]
    for i in range(m):
        row = sum(int(a[i, j]) * x[j] for j in range(n))
        model.add_constraint(row + slack[2 * i] - slack[2 * i + 1] == int(a[i].sum()) // 2)
    model.minimize(sum(slack))
    return model.compile()


# ---- environment -----------------------------------------------------------------------------------
@pytest.mark.parametrize("order", list(itertools.permutations(["pyscipopt", "highspy", "ortools"])), ids="-".join)
def test_pyscipopt_highspy_and_ortools_work_in_one_process(order):
    imports = {
        "pyscipopt": "import pyscipopt",
        "highspy": "import highspy",
        "ortools": "from ortools.sat.python import cp_model",
    }
    code = (
        "\n".join(imports[name] for name in order) + "\n"
        "s = pyscipopt.Model(); s.hideOutput()\n"
        f"s.readProblem({str(BENCHDATA / 'mip' / 'flugpl.mps')!r}); s.optimize()\n"
        "h = highspy.Highs(); h.setOptionValue('output_flag', False)\n"
        f"h.readModel({str(BENCHDATA / 'mip' / 'flugpl.mps')!r}); h.run()\n"
        "m = cp_model.CpModel(); x = m.new_int_var(0, 5, 'x'); m.maximize(x)\n"
        "c = cp_model.CpSolver(); assert c.solve(m) == cp_model.OPTIMAL\n"
        "print(round(s.getObjVal()), round(h.getInfo().objective_function_value), int(c.value(x)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split()[-3:] == ["1201500", "1201500", "5"]  # (raw highspy 1.16 prints a banner first)


def test_scip_module_imports_pyscipopt_lazily_and_is_registered():
    code = "import sys, omnisolve.solvers.scip; print('pyscipopt' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.split() == ["False"], out.stderr
    assert "scip" in registry.names()
    assert isinstance(registry.get("scip"), ScipSolver) and SCIP.available() and SCIP.version()


# ---- known optima ----------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["afiro", "adlittle", "egout", "flugpl", "gt2"])
def test_benchmark_optima(name):
    row = OPTIMA[name]
    data = read_mps(BENCHDATA / "mip" / row["file"])
    assert data.kind == row["type"]
    result = SCIP.solve(data, Limits(time=20))
    assert result.status == Status.OPTIMAL, result.message
    optimum = float(row["optimum"])
    assert result.objective == pytest.approx(optimum, rel=1e-6)
    assert result.bound == pytest.approx(optimum, rel=1e-6)
    assert result.values.dtype == float and result.values.shape == (data.num_variables,)
    assert result.log and result.runtime < 20
    assert_certified(data, result)


def test_pulp_test_mip():
    result = solve(pulp_test_mip())
    assert result.status == Status.OPTIMAL
    assert result.objective == pytest.approx(64)
    assert np.allclose(result.values, [3, -0.5, 7], atol=1e-6)


@pytest.mark.parametrize("vtype", ["integer", "continuous"])
def test_maximization(vtype):
    result = solve(max_model(vtype))
    assert result.status == Status.OPTIMAL
    assert result.objective == pytest.approx(15)
    assert result.bound == pytest.approx(15)


def test_incumbents_and_bounds_are_reported_in_the_users_sense():
    seen = []
    result = solve(max_model(), on_incumbent=lambda t, obj, bound: seen.append((obj, bound)))
    assert seen and result.trace
    objectives = [obj for obj, _ in seen if obj is not None]
    bounds = [b for _, b in seen if b is not None]
    assert objectives[-1] == pytest.approx(15) and all(b >= 15 - 1e-6 for b in bounds)  # max: bounds from above


def test_knapsack_through_its_milp():
    rng = np.random.default_rng(1)
    sack = Knapsack(rng.integers(1, 50, 30).astype(float), rng.integers(1, 30, 30).astype(float), 100.0)
    exact = omnisolve.solve(sack, solver="knapsack-dp", cross_check="off")
    result = solve(sack)
    assert result.status == Status.OPTIMAL and result.solution is not None and result.values is None
    assert result.objective == pytest.approx(exact.objective)
    again = SCIP.solve(sack, Limits(time=20, start=result.solution))  # a structured start is accepted
    assert again.status == Status.OPTIMAL and again.objective == pytest.approx(exact.objective)


def test_quadratic_objectives():
    m = Model("qp")
    x, y = m.add_variable("x", -10, 10), m.add_variable("y", -10, 10)
    m.add_constraint(x + y >= 4)
    m.minimize(x * x + y * y + x * y - 2 * x - 4 * y + 5)  # optimum 4 at (1, 3)
    result = solve(m)
    assert result.status == Status.OPTIMAL and result.objective == pytest.approx(4, abs=1e-5)
    m = Model("miqp")
    x = m.add_variable("x", 0, 5, "integer")
    m.minimize(x * x - 3 * x)  # -2 at x = 1 or 2
    result = solve(m)
    assert result.status == Status.OPTIMAL and result.objective == pytest.approx(-2)
    m = Model("qcp")
    x, y = m.add_variable("x", -5, 5), m.add_variable("y", -5, 5)
    m.add_constraint(x * x + y * y <= 2)
    m.maximize(x + y)  # 2 at (1, 1)
    data = m.compile()
    result = SCIP.solve(data, Limits(time=20))
    assert result.status == Status.OPTIMAL and result.objective == pytest.approx(2, abs=1e-5)
    assert_certified(data, result)


# ---- statuses --------------------------------------------------------------------------------------
def test_infeasible_milp():
    m = Model("infeasible")
    x, y = m.add_variable("x", vtype="binary"), m.add_variable("y", vtype="binary")
    z = m.add_variable("z", 0, 10, "integer")
    m.add_constraint(x + y >= 1.5)
    m.add_constraint(x + y + 0.5 * z <= 1.2)
    m.minimize(x + z)
    assert solve(m).status == Status.INFEASIBLE
    data = read_mps(BENCHDATA / "mip" / "infeasible-mip0.mps")
    assert SCIP.solve(data, Limits(time=20)).status == Status.INFEASIBLE


def test_unbounded_lp_comes_with_a_feasible_point():
    m = Model("unbounded")
    x, y = m.add_variable("x"), m.add_variable("y")
    m.add_constraint(x - y <= 1)
    m.add_constraint(x + 2 * y >= 2)
    m.maximize(x + y)
    data = m.compile()
    result = SCIP.solve(data, Limits(time=20))
    assert result.status == Status.UNBOUNDED
    assert result.values is not None and not check_values(data, result.values, Tolerances())[3]


def test_unbounded_or_infeasible_is_decided():
    m = Model("free")  # min x - y with x - y unconstrained below
    x, y = m.add_variable("x", -INF, INF, "integer"), m.add_variable("y", -INF, INF)
    m.add_constraint(x + y >= 1)
    m.minimize(x - y)
    assert solve(m).status == Status.UNBOUNDED
    m = Model("inforunbd")  # SCIP says "infeasible or unbounded"; the zero-objective run decides
    x, y = m.add_variable("x"), m.add_variable("y", 0, INF, "integer")
    m.add_constraint(y >= 2)
    m.add_constraint(y <= 1)
    m.minimize(-x)
    assert solve(m).status == Status.INFEASIBLE


def test_unsupported_problem_is_refused():
    m = Model("nlp")
    m.add_variables(2, "x", lb=-2, ub=2)
    m.minimize(lambda v: float(np.sin(v[0]) + v[1] ** 2))
    with pytest.raises(UnsupportedError, match="nonlinear"):
        omnisolve.solve(m, solver="scip")
    assert "ProblemData" in SCIP.unsupported_reason("not a problem")


# ---- limits ----------------------------------------------------------------------------------------
def test_time_limit_stops_a_hard_instance():
    data = market_split()
    result = SCIP.solve(data, Limits(time=2))
    assert result.status in (Status.FEASIBLE, Status.TIME_LIMIT), result.status
    assert result.runtime < 2 + 5
    if result.status == Status.FEASIBLE:
        assert_certified(data, result)
        assert result.bound is not None and result.bound <= result.objective
        assert "timelimit" in result.message


def test_seed_gap_threads_and_start_are_accepted():
    data = pulp_test_mip().compile()
    start = np.array([2.0, 0.5, 8.0])  # feasible, objective 76
    for seed in (0, 7, 2**40):
        result = SCIP.solve(data, Limits(time=20, seed=seed, threads=2, gap=1e-4, start=start))
        assert result.status == Status.OPTIMAL and result.objective == pytest.approx(64)
        assert_certified(data, result)
    assert "feasible solution given by solution candidate storage" in result.log
    partial = SCIP.solve(data, Limits(time=20, start=np.array([np.nan, np.nan, 7.0])))
    assert partial.status == Status.OPTIMAL and partial.objective == pytest.approx(64)
    gapped = SCIP.solve(read_mps(BENCHDATA / "mip" / "flugpl.mps"), Limits(time=20, gap=0.5))
    assert gapped.status == Status.OPTIMAL and gapped.bound <= gapped.objective


def test_freeing_a_model_stopped_at_its_limit_reports_no_bound():
    """SCIP stopped on ft06 (optimum 55) at 0.3 s, then freed: emptying its tree fires "dual
    bound improved" with the incumbent's value (87), which must not reach the caller as a bound."""
    import gc

    shop = omnisolve.read(Path(omnisolve.__file__).parent / "data" / "ft06.txt")
    trace: list[tuple[float, float | None, float | None]] = []
    result = registry.get("scip").solve(shop, Limits(time=0.3, threads=1), lambda t, o, b: trace.append((t, o, b)))
    gc.collect()  # frees the model while `trace` is still listening
    assert result.status == Status.FEASIBLE and trace
    assert all(bound is None or bound <= 55 for _, _, bound in trace), trace[-3:]
