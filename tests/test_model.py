"""The model layer: expression and matrix APIs, `compile()` results, `ProblemData` immutability,
and the validation errors a user can cause (each a one-line `ModelError` naming what is wrong)."""

from __future__ import annotations

import dataclasses
import math
import time

import numpy as np
import pytest
import scipy.sparse as sp

from omnisolve.errors import ModelError
from omnisolve.model import LinearArray, LinearExpr, Model, QuadExpr, VarType, quicksum

INF = math.inf


@pytest.fixture
def xy():
    """A model with x in [0, 4] (continuous) and y >= 0 (integer)."""
    m = Model("toy")
    return m, m.add_variable("x", ub=4), m.add_variable("y", vtype="integer")


def lin(e) -> tuple[dict, float]:
    assert isinstance(e, LinearExpr), type(e)
    return dict(e.terms), e.constant


def quad(e) -> tuple[dict, dict, float]:
    assert isinstance(e, QuadExpr), type(e)
    return dict(e.quad), dict(e.linear.terms), e.constant


# ---- expression API ----------------------------------------------------------------------------
def test_linear_arithmetic_with_numbers_on_both_sides(xy):
    m, x, y = xy
    assert lin(3 * x + 2 * y - 1) == ({0: 3.0, 1: 2.0}, -1.0)
    assert lin(x * 3 + y * 2.5 + 1) == ({0: 3.0, 1: 2.5}, 1.0)
    assert lin(2 - x) == ({0: -1.0}, 2.0)
    assert lin(5 + x) == ({0: 1.0}, 5.0)
    assert lin(-x) == ({0: -1.0}, 0.0)
    assert lin(-(x - 2 * y + 3)) == ({0: -1.0, 1: 2.0}, -3.0)
    assert lin((x + y) / 4) == ({0: 0.25, 1: 0.25}, 0.0)
    assert lin((2 * x + 6) / 2) == ({0: 1.0}, 3.0)
    assert lin(x + x + x - y) == ({0: 3.0, 1: -1.0}, 0.0)
    assert lin(x - x) == ({0: 0.0}, 0.0)
    assert lin(np.float64(2.5) * x) == ({0: 2.5}, 0.0)
    assert lin(x * np.int64(3)) == ({0: 3.0}, 0.0)
    assert lin(sum([x, y, 2])) == ({0: 1.0, 1: 1.0}, 2.0)
    assert +x is x and x**1 is x


def test_expressions_are_not_modified_by_later_arithmetic(xy):
    _, x, y = xy
    e = 2 * x + 1
    f = e + 3 * y
    g = e * 2
    m = e <= 5
    assert lin(e) == ({0: 2.0}, 1.0)
    assert lin(f) == ({0: 2.0, 1: 3.0}, 1.0)
    assert lin(g) == ({0: 4.0}, 2.0)
    assert (m.lb, m.ub) == (-INF, 4.0)


def test_quadratic_arithmetic_keys_are_upper_triangular(xy):
    _, x, y = xy
    assert quad(x * y + y * x) == ({(0, 1): 2.0}, {}, 0.0)
    assert quad((x + 1) ** 2) == ({(0, 0): 1.0}, {0: 2.0}, 1.0)
    assert quad((y - 2) * (x + 3)) == ({(0, 1): 1.0}, {1: 3.0, 0: -2.0}, -6.0)
    assert quad(3 * x * x - x * y / 2 + y + 4) == ({(0, 0): 3.0, (0, 1): -0.5}, {1: 1.0}, 4.0)
    assert quad(1 - x * x) == ({(0, 0): -1.0}, {}, 1.0)
    assert quad(-(x * y)) == ({(0, 1): -1.0}, {}, 0.0)
    q = x * x + 2 * y
    assert quad(q - q) == ({(0, 0): 0.0}, {1: 0.0}, 0.0)


def test_expression_values(xy):
    _, x, y = xy
    point = np.array([1.5, 2.0])
    assert (3 * x - y + 7).value(point) == 3 * 1.5 - 2 + 7
    assert ((x + 1) ** 2 + x * y).value(point) == pytest.approx(2.5**2 + 3.0)


def test_degree_and_division_errors(xy):
    _, x, y = xy
    with pytest.raises(ModelError, match="only powers 1 and 2"):
        x**3
    with pytest.raises(ModelError, match="degree > 2"):
        (x * y) * x
    with pytest.raises(ModelError, match="division of an expression by zero"):
        x / 0
    with pytest.raises(TypeError):  # Python's own error: dividing by an expression is not linear
        2 / x
    with pytest.raises(TypeError):
        x + "1"


def test_quicksum_matches_sum_and_merges_terms(xy):
    _, x, y = xy
    items = [x, 2 * y, 3, x - 1, y * 0.5]
    assert lin(quicksum(items)) == lin(sum(items)) == ({0: 2.0, 1: 2.5}, 2.0)
    assert lin(quicksum(c * v for c, v in [(1.0, x), (2.0, y), (3.0, x)])) == ({0: 4.0, 1: 2.0}, 0.0)
    assert quad(quicksum([x * y, x, y * x, 5])) == ({(0, 1): 2.0}, {0: 1.0}, 5.0)
    empty = quicksum([])
    assert lin(empty) == ({}, 0.0) and empty.model is None
    assert lin(quicksum([1, 2.5])) == ({}, 3.5)


def test_scalar_comparisons_fold_constants_into_bounds(xy):
    _, x, y = xy
    c = 3 * x + 2 * y + 1 <= 10
    assert lin(c.expr) == ({0: 3.0, 1: 2.0}, 0.0) and (c.lb, c.ub) == (-INF, 9.0)
    c = 10 >= x + y  # reflected: int.__ge__ defers to LinearExpr.__le__
    assert lin(c.expr) == ({0: 1.0, 1: 1.0}, 0.0) and (c.lb, c.ub) == (-INF, 10.0)
    c = 2 <= x
    assert lin(c.expr) == ({0: 1.0}, 0.0) and (c.lb, c.ub) == (2.0, INF)
    c = x + 5 >= 2 * y - 1
    assert lin(c.expr) == ({0: 1.0, 1: -2.0}, 0.0) and (c.lb, c.ub) == (-6.0, INF)
    c = x == 3
    assert (c.lb, c.ub) == (3.0, 3.0)
    c = 4 == x - 1
    assert lin(c.expr) == ({0: 1.0}, 0.0) and (c.lb, c.ub) == (5.0, 5.0)
    c = x == y
    assert lin(c.expr) == ({0: 1.0, 1: -1.0}, 0.0) and c.lb == c.ub == 0.0
    c = np.float64(2.5) <= x
    assert (c.lb, c.ub) == (2.5, INF)
    c = x * x + y <= 4
    assert quad(c.expr) == ({(0, 0): 1.0}, {1: 1.0}, 0.0) and (c.lb, c.ub) == (-INF, 4.0)
    c = (x + 1) ** 2 >= 9
    assert quad(c.expr) == ({(0, 0): 1.0}, {0: 2.0}, 0.0) and (c.lb, c.ub) == (8.0, INF)


def test_constraint_has_no_truth_value(xy):
    _, x, y = xy
    with pytest.raises(ModelError, match="no truth value.*add_range"):
        if x <= 1:
            pass
    with pytest.raises(ModelError, match="no truth value"):
        1 <= x <= 2  # chained comparison calls bool() on the first constraint
    X = xy[0].add_variables(2)
    with pytest.raises(ModelError, match="block of constraints has no truth value"):
        bool(X <= 1)


def test_add_range_and_row_names(xy):
    m, x, y = xy
    m.add_constraint(3 * x + 2 * y + 1 <= 10, name="cap")
    row = m.add_range(1, x - y + 2, 5)
    m.add_range(-2, x * x + y, 7, name="disk")
    assert (row.lb, row.ub, row.name) == (-1.0, 3.0, "c1")
    d = m.compile()
    assert d.A.toarray().tolist() == [[3.0, 2.0], [1.0, -1.0]]
    assert d.row_lb.tolist() == [-INF, -1.0] and d.row_ub.tolist() == [9.0, 3.0]
    assert list(d.row_names) == ["cap", "c1"]
    (qrow,) = d.quadratic_rows
    assert (qrow.lb, qrow.ub, qrow.name) == (-2.0, 7.0, "disk")
    assert qrow.Q.toarray().tolist() == [[1.0, 0.0], [0.0, 0.0]] and qrow.a.tolist() == [0.0, 1.0]
    with pytest.raises(ModelError, match="constraint c3: range lower end 5 > upper end 1"):
        m.add_range(5, x, 1)


def test_compile_quadratic_objective(xy):
    m, x, y = xy
    m.add_constraint(x + y >= 1)
    m.maximize(x * y + y * x + 3 * y * y - x + 7)
    d = m.compile()
    assert d.sense == "max" and d.kind == "MIQP"
    assert d.c.tolist() == [-1.0, 0.0] and d.c0 == 7.0
    Q = d.Q.toarray()
    assert Q.tolist() == [[0.0, 2.0], [0.0, 3.0]]
    assert np.array_equal(Q, np.triu(Q))
    assert d.objective_value([2.0, 1.0]) == 2 * 2 + 3 - 2 + 7
    assert list(d.var_names) == ["x", "y"] and d.var_names[1] == "y" and d.var_names[-1] == "y"
    assert d.lb.tolist() == [0.0, 0.0] and d.ub.tolist() == [4.0, INF]
    assert d.vtype.tolist() == [VarType.CONTINUOUS, VarType.INTEGER]
    assert d.integer_mask.tolist() == [False, True] and d.is_mip
    assert d.num_variables == 2 and d.num_constraints == 1 and d.nnz == 2
    assert d.name == "toy"


def test_variable_attributes_and_default_names():
    m = Model()
    a = m.add_variable()
    b = m.add_variable("b", lb=-3, ub=8, vtype=VarType.INTEGER)
    c = m.add_variable(vtype="Binary", lb=-5, ub=7)  # binary bounds are clipped to [0, 1]
    assert (a.name, a.lb, a.ub, a.vtype) == ("x0", 0.0, INF, VarType.CONTINUOUS)
    assert (b.name, b.lb, b.ub, b.vtype) == ("b", -3.0, 8.0, VarType.INTEGER)
    assert (c.name, c.lb, c.ub, c.vtype) == ("x2", 0.0, 1.0, VarType.BINARY)
    m.minimize(a)
    assert m.compile().vtype.tolist() == [0, 1, 2]


@pytest.mark.parametrize(
    "build, kind",
    [
        (lambda m, x, y: m.minimize(x + y), "LP"),
        (lambda m, x, y: (m.add_variable("b", vtype="binary"), m.minimize(x)), "MILP"),
        (lambda m, x, y: m.minimize(x * x + y), "QP"),
        (lambda m, x, y: m.add_constraint(x * x + y * y <= 4), "QCP"),
        (lambda m, x, y: m.minimize(lambda v: float(np.sum(v**4))), "NLP"),
        (lambda m, x, y: m.add_nonlinear_constraint(lambda v: v[:1] ** 3, ub=1.0), "NLP"),
    ],
)
def test_kind_of_continuous_models(build, kind):
    m = Model()
    x, y = m.add_variable("x"), m.add_variable("y")
    build(m, x, y)
    assert m.compile().kind == kind


@pytest.mark.parametrize(
    "build, kind",
    [
        (lambda m, x, y: m.minimize(x + y), "MILP"),
        (lambda m, x, y: m.minimize(x * y), "MIQP"),
        (lambda m, x, y: m.add_constraint(x * y >= 1), "MIQCP"),
        (lambda m, x, y: m.minimize(lambda v: float(v @ v)), "MINLP"),
    ],
)
def test_kind_of_integer_models(build, kind):
    m = Model()
    x, y = m.add_variable("x"), m.add_variable("y", vtype="integer")
    build(m, x, y)
    assert m.compile().kind == kind


def test_nonlinear_callables_are_stored_in_problem_data(xy):
    m, x, y = xy

    def f(v):
        return float((v[0] - 1) ** 2 + np.exp(v[1]))

    def grad(v):
        return np.array([2 * (v[0] - 1), np.exp(v[1])])

    def g(v):
        return np.array([v[0] * v[1], v[0] ** 2])

    def jac(v):
        return np.array([[v[1], v[0]], [2 * v[0], 0.0]])

    m.add_constraint(x + y <= 3)
    m.minimize(f, grad=grad)
    m.add_nonlinear_constraint(g, lb=[1.0, -INF], ub=[INF, 2.0], jac=jac, name="curve")
    d = m.compile()
    assert d.nl_objective.fun is f and d.nl_objective.grad is grad
    (con,) = d.nl_constraints
    assert con.fun is g and con.jac is jac and con.name == "curve"
    assert con.lb.tolist() == [1.0, -INF] and con.ub.tolist() == [INF, 2.0]
    assert d.kind == "MINLP" and d.num_constraints == 3
    assert d.c.tolist() == [0.0, 0.0] and d.Q is None
    assert d.objective_value([3.0, 0.0]) == 5.0
    m.minimize(2 * x)  # a linear objective replaces the callable
    assert m.compile().nl_objective is None
    with pytest.raises(ModelError, match="fun must be callable"):
        m.add_nonlinear_constraint(3.0)


def test_sense_is_validated(xy):
    m, x, _ = xy
    with pytest.raises(ModelError, match="sense must be 'min' or 'max', not 'maximum'"):
        m.set_objective(x, "maximum")


# ---- matrix API --------------------------------------------------------------------------------
def test_add_variables_with_scalar_and_array_bounds():
    m = Model()
    x = m.add_variables(3, name="x", lb=-1, ub=[1, 2, 3])
    z = m.add_variables(2, name="z", lb=np.array([0.0, 5.0]), vtype="integer")
    b = m.add_variables(2, name="b", vtype="binary")
    s = m.add_variable("s")
    assert (len(x), x.shape, len(z)) == (3, (3,), 2)
    assert x.indices.tolist() == [0, 1, 2] and z.indices.tolist() == [3, 4] and s.index == 7
    m.minimize(x.sum() + z.sum() + b.sum() + s)
    d = m.compile()
    assert d.lb.tolist() == [-1, -1, -1, 0, 5, 0, 0, 0]
    assert d.ub.tolist() == [1, 2, 3, INF, INF, 1, 1, INF]
    assert d.vtype.tolist() == [0, 0, 0, 1, 1, 2, 2, 0]
    assert list(d.var_names) == ["x[0]", "x[1]", "x[2]", "z[0]", "z[1]", "b[0]", "b[1]", "s"]
    assert d.var_names[4] == "z[1]" and d.var_names[7] == "s"
    assert x[2].name == "x[2]" and (x[2].lb, x[2].ub) == (-1.0, 3.0)
    assert [v.index for v in z] == [3, 4]


@pytest.mark.parametrize(
    "wrap", [np.asarray, sp.csr_matrix, sp.csr_array, sp.csc_matrix], ids=["dense", "csr_matrix", "csr_array", "csc"]
)
def test_matrix_times_vector_compiles_to_exact_rows(wrap):
    m = Model()
    x = m.add_variables(3, ub=10)
    A = np.array([[1.0, 0.0, 2.0], [0.0, -3.0, 4.0]])
    block = wrap(A) @ x
    assert isinstance(block, LinearArray) and block.shape == (2,)
    m.add_constraints(block <= np.array([5.0, 6.0]), name="cap")
    m.add_constraints(wrap(A) @ x + 1 >= 2)  # constant folded into the bounds
    m.minimize(np.array([1.0, 2.0, 3.0]) @ x + 4)
    d = m.compile()
    assert d.A.toarray().tolist() == [[1, 0, 2], [0, -3, 4], [1, 0, 2], [0, -3, 4]]
    assert d.row_lb.tolist() == [-INF, -INF, 1.0, 1.0]
    assert d.row_ub.tolist() == [5.0, 6.0, INF, INF]
    assert list(d.row_names) == ["cap[0]", "cap[1]", "block1[0]", "block1[1]"]
    assert d.c.tolist() == [1.0, 2.0, 3.0] and d.c0 == 4.0 and d.kind == "LP"


def test_vector_operations():
    m = Model()
    x = m.add_variables(4, name="x")
    y = m.add_variables(4, name="y")
    e = np.array([2.0, 0.0, -1.0, 3.0]) @ x
    assert lin(e) == ({0: 2.0, 2: -1.0, 3: 3.0}, 0.0)
    assert lin(x.sum()) == ({0: 1.0, 1: 1.0, 2: 1.0, 3: 1.0}, 0.0)
    assert lin((x + 2).sum()) == ({0: 1.0, 1: 1.0, 2: 1.0, 3: 1.0}, 8.0)
    assert lin(x[1:3].sum()) == ({1: 1.0, 2: 1.0}, 0.0)
    assert x[1:3].indices.tolist() == [1, 2] and x[-1].index == 3 and x[::2].indices.tolist() == [0, 2]
    assert (x * 3).A.toarray()[:, :4].tolist() == (3 * np.eye(4)).tolist()
    scaled = x * np.array([1.0, 2.0, 3.0, 4.0])
    assert scaled.A.toarray()[:, :4].tolist() == np.diag([1.0, 2.0, 3.0, 4.0]).tolist()
    assert (np.array([1.0, 2.0, 3.0, 4.0]) * x).A.toarray()[:, :4].tolist() == np.diag([1.0, 2.0, 3.0, 4.0]).tolist()
    diff = 2 * x - y + 1
    assert diff.A.toarray().tolist() == np.hstack([2 * np.eye(4), -np.eye(4)]).tolist()
    assert diff.constant.tolist() == [1.0] * 4
    neg = 5 - x
    assert neg.A.toarray()[:, :4].tolist() == (-np.eye(4)).tolist() and neg.constant.tolist() == [5.0] * 4
    assert (-x).A.toarray()[:, :4].tolist() == (-np.eye(4)).tolist()


def test_vector_comparisons():
    m = Model()
    x = m.add_variables(3, name="x")
    y = m.add_variables(3, name="y")
    m.add_constraints(x <= np.array([1.0, 2.0, 3.0]), name="ub")
    m.add_constraints(x - 1 >= 0, name="lb")
    m.add_constraints(x == y, name="eq")
    m.add_constraints(x + 2 <= y, name="gap")
    m.add_constraints(np.array([4.0, 5.0, 6.0]) >= y, name="ref")  # reflected vector comparison
    d = m.compile()
    assert d.A.shape == (15, 6)
    assert d.row_lb.tolist() == [-INF] * 3 + [1.0] * 3 + [0.0] * 3 + [-INF] * 3 + [-INF] * 3
    assert d.row_ub.tolist() == [1.0, 2.0, 3.0] + [INF] * 3 + [0.0] * 3 + [-2.0] * 3 + [4.0, 5.0, 6.0]
    assert d.A.toarray()[6:9].tolist() == np.hstack([np.eye(3), -np.eye(3)]).tolist()
    assert d.A.toarray()[12:].tolist() == np.hstack([np.zeros((3, 3)), np.eye(3)]).tolist()
    assert d.row_names[9] == "gap[0]"


def test_block_added_before_more_variables_is_widened():
    m = Model()
    x = m.add_variables(2)
    m.add_constraints(np.array([[1.0, 1.0]]) @ x <= 1)
    z = m.add_variable("z")
    m.add_constraint(x[0] + z >= 1, name="late")
    d = m.compile()
    assert d.A.shape == (2, 3)
    assert d.A.toarray().tolist() == [[1.0, 0.0, 1.0], [1.0, 1.0, 0.0]]  # scalar rows come first
    assert list(d.row_names) == ["late", "block0[0]"]


def test_matrix_and_expression_api_give_the_same_problem():
    rng = np.random.default_rng(3)
    A = sp.random(30, 20, density=0.2, random_state=rng, format="csr")
    b, c = rng.uniform(1, 5, 30), rng.normal(size=20)
    m1, m2 = Model(), Model()
    x1, x2 = m1.add_variables(20, ub=3), m2.add_variables(20, ub=3)
    m1.add_constraints(A @ x1 <= b)
    m1.minimize(c @ x1)
    v = list(x2)
    for i in range(30):
        row = A.getrow(i)
        m2.add_constraint(quicksum(a * v[j] for a, j in zip(row.data, row.indices)) <= b[i])
    m2.minimize(quicksum(cj * vj for cj, vj in zip(c, v)))
    d1, d2 = m1.compile(), m2.compile()
    assert (d1.A != d2.A).nnz == 0 and d1.A.shape == d2.A.shape
    assert np.array_equal(d1.row_ub, d2.row_ub) and np.array_equal(d1.c, d2.c)


# ---- ProblemData immutability ------------------------------------------------------------------
def test_problem_data_is_read_only(xy):
    m, x, y = xy
    m.add_constraint(x + 2 * y <= 3)
    m.add_constraint(x * y <= 2)
    m.add_nonlinear_constraint(lambda v: v, lb=[0.0, 0.0], ub=[1.0, 1.0])
    m.minimize(x * x + y)
    d = m.compile()
    arrays = [d.lb, d.ub, d.vtype, d.c, d.row_lb, d.row_ub, d.A.data, d.A.indices, d.A.indptr, d.Q.data]
    arrays += [d.quadratic_rows[0].a, d.quadratic_rows[0].Q.data, d.nl_constraints[0].lb]
    for a in arrays:
        with pytest.raises(ValueError, match="read-only"):
            a[0] = 7
    with pytest.raises(dataclasses.FrozenInstanceError):
        d.sense = "max"
    with pytest.raises(dataclasses.FrozenInstanceError):
        d.lb = np.zeros(2)
    assert d.A @ np.array([1.0, 1.0]) == pytest.approx([3.0])  # still usable by scipy
    assert d.A.T.tocsc().nnz == 2 and sp.vstack([d.A, d.A]).shape == (2, 2)


def test_problem_data_is_independent_of_the_model_and_of_caller_arrays(xy):
    m, x, y = xy
    m.add_constraint(x + y <= 3)
    d = m.compile()
    m.add_variable("z", ub=1)
    m.add_constraint(x - y >= 0)
    assert d.num_variables == 2 and d.A.shape == (1, 2) and d.ub.tolist() == [4.0, INF]
    assert m.compile().A.shape == (2, 3)
    lb = np.zeros(2)
    A = sp.csr_matrix(np.eye(2))
    d2 = dataclasses.replace(d, lb=lb, A=A, row_lb=np.zeros(2), row_ub=np.ones(2))
    lb[0] = 1.0  # the caller's arrays stay writable and do not leak into the data
    A.data[0] = 9.0
    assert d2.lb.tolist() == [0.0, 0.0] and d2.A.toarray().tolist() == [[1.0, 0.0], [0.0, 1.0]]


# ---- validation errors -------------------------------------------------------------------------
@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_nan_or_inf_coefficient_names_constraint_and_variable(xy, bad):
    m, x, y = xy
    with pytest.raises(ModelError, match=r"^constraint cap: coefficient .* of y is NaN or infinite$"):
        m.add_constraint(x + bad * y <= 1, name="cap")
    with pytest.raises(ModelError, match=r"^constraint c0: coefficient .* of x\*y is NaN or infinite$"):
        m.add_constraint(bad * x * y <= 1)
    with pytest.raises(ModelError, match=r"^objective: coefficient .* of x is NaN or infinite$"):
        m.minimize(y + x * bad)
    X = m.add_variables(2, name="v")
    A = sp.csr_matrix(np.array([[1.0, 2.0], [3.0, bad]]))
    with pytest.raises(ModelError, match=r"^constraint rows\[1\]: coefficient .* of v\[1\] is NaN or infinite$"):
        m.add_constraints(A @ X <= 1, name="rows")


def test_nan_or_infinite_right_hand_side(xy):
    m, x, y = xy
    with pytest.raises(ModelError, match="constraint c0: right-hand side is NaN or infinite"):
        m.add_constraint(x + y <= math.nan)
    with pytest.raises(ModelError, match="constraint up: right-hand side is NaN or infinite"):
        m.add_constraint(x >= math.inf, name="up")
    X = m.add_variables(2)
    with pytest.raises(ModelError, match=r"constraint blk\[1\]: right-hand side is NaN or infinite"):
        m.add_constraints(X <= np.array([1.0, math.nan]), name="blk")
    with pytest.raises(ModelError, match=r"constraint block0\[0\]: right-hand side is NaN or infinite"):
        m.add_constraints(X >= math.inf)
    assert m.compile().A.shape == (0, 4)  # nothing half-added


def test_lower_above_upper_names_the_variable():
    m = Model()
    with pytest.raises(ModelError, match=r"^variable z: lower bound 3 > upper bound 1$"):
        m.add_variable("z", lb=3, ub=1)
    with pytest.raises(ModelError, match=r"^variable w\[1\]: lower bound 5 > upper bound 2$"):
        m.add_variables(3, name="w", lb=[0, 5, 0], ub=2)
    with pytest.raises(ModelError, match=r"^variable w\[2\]: lower bound 0 > upper bound -1$"):
        m.add_variables(3, name="w", ub=np.array([1.0, 1.0, -1.0]))
    with pytest.raises(ModelError, match=r"^variable b: lower bound 2 > upper bound 1$"):
        m.add_variable("b", lb=2, vtype="binary")
    with pytest.raises(ModelError, match=r"^variable n: bounds \[nan, inf\]"):
        m.add_variable("n", lb=math.nan)
    with pytest.raises(ModelError, match=r"^variables v\[0\]..v\[2\]: bounds must be scalars or arrays of length 3"):
        m.add_variables(3, name="v", lb=[0, 1])
    with pytest.raises(ModelError, match=r"add_variables\(0\): need at least one variable"):
        m.add_variables(0)
    assert m.num_variables == 0  # failed calls add nothing


def test_unknown_vtype():
    with pytest.raises(ModelError, match="unknown variable type 'real': use continuous, integer or binary"):
        Model().add_variable("x", vtype="real")
    with pytest.raises(ModelError, match="unknown variable type"):
        Model().add_variables(2, vtype="semi")


def test_variables_of_two_models_are_never_mixed():
    m1, m2 = Model("a"), Model("b")
    x, z = m1.add_variable("x"), m2.add_variable("z")
    X, Z = m1.add_variables(2), m2.add_variables(2)
    for make in (
        lambda: x + z,
        lambda: x * z,
        lambda: 2 * x - z,
        lambda: quicksum([x, z]),
        lambda: quicksum([x * x, z]),
        lambda: X + Z,
        lambda: x <= z,
    ):
        with pytest.raises(ModelError, match="mixes variables of two different models"):
            make()
    with pytest.raises(ModelError, match="constraint c0 uses variables of another model"):
        m1.add_constraint(z <= 1)
    with pytest.raises(ModelError, match="constraint own uses variables of another model"):
        m1.add_range(0, 2 * z, 1, name="own")
    with pytest.raises(ModelError, match="constraint block0 uses variables of another model"):
        m1.add_constraints(Z <= 1)
    with pytest.raises(ModelError, match="objective uses variables of another model"):
        m1.minimize(z)
    with pytest.raises(ModelError, match="objective uses variables of another model"):
        m1.maximize(np.ones(2) @ Z)


def test_empty_model_and_wrong_arguments():
    with pytest.raises(ModelError, match="model 'empty' is empty: it has no variables"):
        Model("empty").compile()
    m = Model()
    x = m.add_variable("x")
    with pytest.raises(ModelError, match="plain True/False"):
        m.add_constraint(3 <= 4)
    with pytest.raises(ModelError, match="add_constraint expects a constraint, got LinearExpr"):
        m.add_constraint(x + 1)
    d = m.compile()  # no constraints, zero objective: still a valid LP
    assert d.A.shape == (0, 1) and d.row_lb.shape == (0,) and d.c.tolist() == [0.0] and d.kind == "LP"


def test_scalar_expression_compared_or_combined_with_array_raises():
    m = Model()
    x = m.add_variable("x")
    X = m.add_variables(3)
    for make in (
        lambda: x <= X,
        lambda: X <= x,
        lambda: x + 1 == X,
        lambda: X >= 2 * x,
        lambda: x <= np.ones(3),
        lambda: x + X,
        lambda: X - x,
        lambda: x * X,
        lambda: X * X,
    ):
        with pytest.raises(ModelError):
            make()
    with pytest.raises(ModelError, match="compare an expression with a scalar"):
        x <= np.ones(3)
    with pytest.raises(ModelError, match="cannot combine an array expression with a Variable"):
        X <= x


def test_shape_mismatches():
    m = Model()
    x = m.add_variables(3)
    y = m.add_variables(2)
    cases = [
        (lambda: np.ones((2, 4)) @ x, "matrix has 4 columns, vector has 3 entries"),
        (lambda: sp.csr_matrix(np.ones((2, 2))) @ x, "matrix has 2 columns, vector has 3 entries"),
        (lambda: np.ones(4) @ x, "4 coefficients for 3 expressions"),
        (lambda: x <= np.ones(2), r"right-hand side has shape \(2,\), expected \(3,\)"),
        (lambda: x >= np.ones((3, 1)), r"right-hand side has shape \(3, 1\), expected \(3,\)"),
        (lambda: x * np.ones(2), r"cannot multiply 3 expressions by an array of shape \(2,\)"),
        (lambda: x + np.ones(4), r"shape mismatch: 3 expressions and an array of shape \(4,\)"),
        (lambda: x - y, "shape mismatch: 3 vs 2 expressions"),
        (lambda: x <= y, "shape mismatch: 3 vs 2 expressions"),
    ]
    for make, message in cases:
        with pytest.raises(ModelError, match=message):
            make()


# ---- scale -------------------------------------------------------------------------------------
def test_million_nonzeros_through_the_matrix_api_under_two_seconds():
    rng = np.random.default_rng(0)
    m_rows, per_row = 100_000, 10
    cols = (rng.integers(0, m_rows, (m_rows, 1)) + np.arange(per_row) * 7919) % m_rows  # distinct per row
    indptr = np.arange(0, m_rows * per_row + 1, per_row)
    A = sp.csr_matrix((rng.uniform(1, 10, indptr[-1]), np.sort(cols, axis=1).ravel(), indptr), shape=(m_rows, m_rows))
    b, c = rng.uniform(10, 100, m_rows), rng.uniform(-1, 1, m_rows)
    start = time.perf_counter()
    model = Model("big")
    x = model.add_variables(m_rows, ub=1)
    model.add_constraints(A @ x <= b)
    model.minimize(c @ x)
    data = model.compile()
    elapsed = time.perf_counter() - start
    assert data.nnz == 1_000_000 and data.A.shape == (m_rows, m_rows)
    assert np.array_equal(data.row_ub, b) and np.array_equal(data.c, c)
    assert elapsed < 2.0, f"building 1M non-zeros took {elapsed:.2f} s"
