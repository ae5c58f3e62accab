"""The verifier on `ProblemData`: a correct answer passes with the objective recomputed; every
broken row, bound, integrality requirement, malformed vector or false claim fails, naming what
is wrong; `verify` turns a failed answer into `Status.ERROR`."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
import scipy.sparse as sp

from omnisolve.model import Model, Names, ProblemData
from omnisolve.problems.base import StructuredProblem
from omnisolve.result import Result, Status
from omnisolve.verify import Tolerances, certify, verify

INF = math.inf
GOOD = [2.0, 2.0, 1.0]  # x, y, z: objective 2*2 + 3*2 + 1 + 1 = 12


@pytest.fixture
def data() -> ProblemData:
    """max 2x + 3y + z + 1  s.t.  cap: 3x + 2y + z <= 12,  link: x - y >= -2,  eq: x + z == 3,
    x in [0, 4], y integer in [0, 10], z binary."""
    m = Model("small")
    x = m.add_variable("x", ub=4)
    y = m.add_variable("y", ub=10, vtype="integer")
    z = m.add_variable("z", vtype="binary")
    m.add_constraint(3 * x + 2 * y + z <= 12, name="cap")
    m.add_constraint(x - y >= -2, name="link")
    m.add_constraint(x + z == 3, name="eq")
    m.maximize(2 * x + 3 * y + z + 1)
    return m.compile()


def answer(values, objective=None, status=Status.OPTIMAL, bound=None) -> Result:
    values = None if values is None else np.asarray(values, float)
    return Result(status, objective=objective, bound=bound, values=values)


def test_correct_solution_passes_with_recomputed_objective(data):
    cert = certify(data, answer(GOOD, objective=12.0, bound=12.0))
    assert cert.verdict == "pass" and cert.passed and cert.messages == []
    assert cert.objective == 12.0
    assert cert.max_violation == 0.0 and cert.integrality_violation == 0.0 and cert.objective_error == 0.0
    assert certify(data, answer(GOOD)).verdict == "pass"  # no claim to compare is fine too
    tiny = certify(data, answer([2.0, 2.0 + 1e-9, 1.0], objective=12.0 + 1e-9, bound=13.0))
    assert tiny.verdict == "pass"  # within tolerances
    assert tiny.objective == pytest.approx(12.0 + 3e-9)


def test_verify_keeps_a_passing_answer_and_reports_the_recomputed_objective(data):
    result = verify(data, answer(GOOD, objective=12.0 + 1e-9, status=Status.FEASIBLE))
    assert result.status == Status.FEASIBLE and result.certificate.verdict == "pass"
    assert result.objective == 12.0  # the recomputed value, not the solver's


@pytest.mark.parametrize(
    "values, pattern",
    [
        ([2.0, 3.0, 1.0], r"1 rows violated; worst cap by 0.0833"),  # 3x + 2y + z = 13 > 12
        ([0.0, 3.0, 1.0], r"2 rows violated; worst eq by 0.667"),  # x - y = -3 < -2, x + z = 1 != 3
        ([2.0, -1.0, 1.0], r"1 bounds violated; worst y by 1\b"),
        ([4.5, 0.0, 0.0], r"bounds violated; worst x by 0.125"),  # (4.5 - 4) / 4
        ([2.0, 1.5, 1.0], r"1 integrality requirements violated; worst y by 0.5"),
        ([2.5, 2.0, 0.5], r"1 integrality requirements violated; worst z by 0.5"),
        ([2.0, math.nan, 1.0], r"solution contains NaN or infinite values"),
        ([2.0, math.inf, 1.0], r"solution contains NaN or infinite values"),
        ([2.0, 2.0], r"expected 3 values, got shape \(2,\)"),
        ([[2.0, 2.0, 1.0]], r"expected 3 values, got shape \(1, 3\)"),
        (None, r"expected 3 values, got nothing"),
    ],
)
def test_broken_values_fail_naming_what_is_wrong(data, values, pattern):
    cert = certify(data, answer(values))
    assert cert.verdict == "fail" and not cert.passed
    assert any(re.search(pattern, msg) for msg in cert.messages), cert.messages
    assert cert.max_violation > 1e-6 or cert.integrality_violation > 1e-5


def test_non_numeric_values_fail_instead_of_crashing(data):
    for values in (["a", "b", "c"], [[1.0], [2.0, 3.0]], {"x": 1.0}):
        result = Result(Status.OPTIMAL, values=values)
        cert = certify(data, result)
        assert cert.verdict == "fail" and cert.objective is None, values


def test_wrong_claimed_objective_fails(data):
    cert = certify(data, answer(GOOD, objective=13.0))
    assert cert.verdict == "fail" and cert.objective == 12.0
    assert cert.messages == ["solver reported objective 13, recomputed 12"]
    assert cert.objective_error == pytest.approx(1 / 12)
    assert certify(data, answer(GOOD, objective=12.001)).verdict == "fail"  # 1e-4 relative
    assert certify(data, answer(GOOD, objective=math.nan)).verdict == "fail"


def test_bound_on_the_wrong_side_of_the_objective_fails(data):
    # data maximizes: a valid bound is >= the objective
    assert certify(data, answer(GOOD, 12.0, bound=20.0)).verdict == "pass"
    assert certify(data, answer(GOOD, 12.0, bound=INF)).verdict == "pass"
    cert = certify(data, answer(GOOD, 12.0, bound=11.0))
    assert cert.verdict == "fail" and cert.messages == ["bound 11 is on the wrong side of objective 12"]
    m = Model()
    x = m.add_variable("x", lb=1, ub=5)
    m.minimize(3 * x)
    low = m.compile()  # minimizes: a valid bound is <= the objective
    assert certify(low, answer([1.0], 3.0, bound=2.5)).verdict == "pass"
    assert certify(low, answer([1.0], 3.0, bound=-INF)).verdict == "pass"
    assert "wrong side" in certify(low, answer([1.0], 3.0, bound=3.5)).messages[0]


def test_verify_turns_a_failed_optimal_answer_into_an_error(data):
    result = verify(data, answer([2.0, 3.0, 1.0], objective=16.0))
    assert result.status == Status.ERROR
    assert result.message.startswith("verification failed (solver claimed optimal): ")
    assert "worst cap" in result.message and "solver reported objective 16, recomputed 15" in result.message
    assert result.certificate.verdict == "fail" and result.certificate.objective == 15.0
    assert result.values.tolist() == [2.0, 3.0, 1.0]  # the answer is kept for inspection


@pytest.mark.parametrize("status", [Status.INFEASIBLE, Status.UNBOUNDED, Status.TIME_LIMIT, Status.ERROR])
def test_results_without_a_solution_get_verdict_none(data, status):
    result = verify(data, Result(status, message="as reported"))
    assert result.status == status and result.message == "as reported"
    assert result.certificate.verdict == "none"
    assert result.certificate.messages == [f"no solution to check ({status.value})"]


def test_quadratic_and_nonlinear_rows_are_checked():
    m = Model()
    x, y = m.add_variable("x", lb=-5, ub=5), m.add_variable("y", lb=-5, ub=5)
    m.add_constraint(x * x + y * y <= 4, name="disk")
    m.add_nonlinear_constraint(lambda v: np.array([v[0] * v[1]]), lb=-1.0, ub=1.0, name="hyper")
    m.minimize(x + y)
    d = m.compile()
    assert certify(d, answer([1.0, 1.0], 2.0)).verdict == "pass"
    cert = certify(d, answer([2.0, 1.0]))  # x^2 + y^2 = 5 > 4 and xy = 2 > 1
    assert "1 quadratic rows violated; worst disk by 0.25" in cert.messages
    assert "1 nonlinear rows violated; worst hyper[0] by 1" in cert.messages


def test_structured_problem_whose_check_crashes_fails():
    class Broken(StructuredProblem):
        kind, sense = "Broken", "min"

        def to_model(self):
            raise NotImplementedError

        def solution_from_values(self, data, values):
            raise NotImplementedError

        def values_from_solution(self, solution):
            raise NotImplementedError

        def check(self, solution):
            raise IndexError("node 99 does not exist")

        def evaluate(self, solution):
            return 0.0

        def features(self):
            return {}

        @property
        def size(self):
            return 1

    cert = certify(Broken(), Result(Status.FEASIBLE, solution=[99]))
    assert cert.verdict == "fail" and cert.messages == ["solution cannot be evaluated: node 99 does not exist"]
    with pytest.raises(TypeError, match="cannot verify a str"):
        certify("not a problem", Result(Status.OPTIMAL, values=np.zeros(1)))


# ---- randomized: every perturbation that provably breaks something is caught --------------------
def random_milp(rng: np.random.Generator, n: int = 30, m: int = 20) -> tuple[ProblemData, np.ndarray]:
    """A random MILP and a feasible point of it (rows are built around the point's activity)."""
    vtype = rng.integers(0, 3, n).astype(np.int8)
    lb = np.where(vtype == 2, 0.0, rng.integers(-5, 1, n).astype(float))
    ub = np.where(vtype == 2, 1.0, lb + rng.integers(1, 10, n))
    ub[rng.random(n) < 0.2] = INF
    lb[(rng.random(n) < 0.2) & (vtype == 0)] = -INF
    lo = np.where(np.isfinite(lb), lb, -10.0)
    hi = np.where(np.isfinite(ub), ub, lo + 10.0)
    point = np.where(vtype == 0, rng.uniform(lo, hi), np.floor(rng.uniform(lo, hi + 1)))  # integers in [lo, hi]
    A = sp.random(m, n, density=0.3, random_state=rng, format="csr", data_rvs=lambda k: rng.uniform(-5, 5, k))
    act = A @ point
    kind = rng.integers(0, 4, m)  # 0: <=, 1: >=, 2: range, 3: equality
    row_lb = np.where((kind == 1) | (kind == 2), act - rng.uniform(0, 3, m), -INF)
    row_ub = np.where((kind == 0) | (kind == 2), act + rng.uniform(0, 3, m), INF)
    row_lb[kind == 3] = row_ub[kind == 3] = act[kind == 3]
    data = ProblemData(
        var_names=Names.of([f"v{j}" for j in range(n)]),
        lb=lb,
        ub=ub,
        vtype=vtype,
        c=rng.normal(size=n),
        A=A,
        row_lb=row_lb,
        row_ub=row_ub,
        row_names=Names.of([f"r{i}" for i in range(m)]),
        name="random",
    )
    return data, point


def violated_rows(data: ProblemData, x: np.ndarray, tol: float) -> set[str]:
    """Rows violated beyond `tol` (relative to the side), computed row by row in plain Python."""
    out = set()
    for i in range(data.A.shape[0]):
        a = float(data.A[i].toarray().ravel() @ x)
        lo, hi = data.row_lb[i], data.row_ub[i]
        below = math.isfinite(lo) and (lo - a) / max(1.0, abs(lo)) > tol
        above = math.isfinite(hi) and (a - hi) / max(1.0, abs(hi)) > tol
        if below or above:
            out.add(data.row_names[i])
    return out


def break_point(rng, data: ProblemData, point: np.ndarray) -> tuple[np.ndarray, str, str]:
    """A copy of `point` with one provable violation: (values, kind, the name it must mention)."""
    x = point.copy()
    n = len(x)
    while True:
        kind = ("bound", "integrality", "row")[rng.integers(3)]
        if kind == "bound":
            j = int(rng.integers(n))
            side = rng.integers(2)
            limit = data.ub[j] if side else data.lb[j]
            if not np.isfinite(limit):
                continue
            x[j] = limit + (1 if side else -1) * max(1.0, abs(limit)) * rng.uniform(1e-4, 2.0)
            return x, kind, data.var_names[j]
        if kind == "integrality":
            ints = np.flatnonzero(data.integer_mask)
            if not ints.size:
                continue
            j = int(rng.choice(ints))
            x[j] += rng.uniform(1e-3, 1 - 1e-3)
            return x, kind, data.var_names[j]
        i = int(rng.integers(data.A.shape[0]))
        row = data.A[i]
        if not row.nnz:
            continue
        side = rng.integers(2)
        target = data.row_ub[i] if side else data.row_lb[i]
        if not np.isfinite(target):
            continue
        k = int(rng.integers(row.nnz))
        j, a = int(row.indices[k]), float(row.data[k])
        excess = max(1.0, abs(target)) * rng.uniform(1e-3, 2.0)
        x[j] += ((target + (excess if side else -excess)) - (row @ point)[0]) / a
        return x, kind, data.row_names[i]


def test_random_perturbations_of_a_feasible_milp_solution_are_all_caught():
    rng = np.random.default_rng(2024)
    data, point = random_milp(rng)
    tol = Tolerances()
    base = certify(data, answer(point, objective=data.objective_value(point)))
    assert base.verdict == "pass", base.messages
    kinds = {"bound": 0, "integrality": 0, "row": 0}
    for _ in range(200):
        x, kind, name = break_point(rng, data, point)
        kinds[kind] += 1
        cert = certify(data, answer(x, objective=data.objective_value(x)))
        assert cert.verdict == "fail", (kind, name, x)
        text = " | ".join(cert.messages)
        if kind == "row":
            broken = violated_rows(data, x, tol.feasibility)
            assert name in broken
            worst = re.search(r"rows violated; worst (\S+) by", text)
            assert worst and worst.group(1) in broken, text
        elif kind == "bound":
            assert f"bounds violated; worst {name} by" in text, text
        else:
            assert f"integrality requirements violated; worst {name} by" in text, text
        result = verify(data, answer(x, objective=data.objective_value(x)))
        assert result.status == Status.ERROR and "verification failed" in result.message
    assert min(kinds.values()) > 30  # all three kinds exercised
