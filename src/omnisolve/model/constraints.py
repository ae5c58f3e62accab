"""Constraints: a scalar row `lb <= expr <= ub`, or a block of rows `lb <= A x <= ub`."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from omnisolve.errors import ModelError
from omnisolve.model.expressions import LinearExpr, QuadExpr, Variable, _add, _is_number, as_expression

INF = float("inf")


def _bounds_for(op: str, rhs):
    if op == "<=":
        return -INF, rhs
    if op == ">=":
        return rhs, INF
    return rhs, rhs


@dataclass
class Constraint:
    """`lb <= expr <= ub` for one linear or quadratic expression (constant folded into bounds)."""

    expr: LinearExpr | QuadExpr
    lb: float
    ub: float
    name: str = ""

    @classmethod
    def from_comparison(cls, left, right, op: str) -> "Constraint":
        if _is_number(right) and isinstance(left, (Variable, LinearExpr)):  # fast path: `expr <= 10`
            lin = left._as_linear()  # terms are shared, never copied: expressions are immutable
            lb, ub = _bounds_for(op, float(right) - lin.constant)
            return cls(LinearExpr(lin.model, lin.terms, 0.0), lb, ub)
        from omnisolve.model.arrays import LinearArray, VariableArray

        if isinstance(right, (LinearArray, VariableArray, np.ndarray)):
            raise ModelError("compare an expression with a scalar; use array expressions for vectors")
        diff = as_expression(_add(left, right, -1.0))
        constant = diff.constant
        if isinstance(diff, QuadExpr):
            diff = QuadExpr(diff.model, diff.quad, LinearExpr(diff.model, diff.linear.terms, 0.0))
        else:
            diff = LinearExpr(diff.model, diff.terms, 0.0)
        lb, ub = _bounds_for(op, -constant)
        return cls(diff, lb, ub)

    def __bool__(self) -> bool:
        raise ModelError(
            "a constraint has no truth value; for a range write model.add_range(lo, expr, hi)"
        )


@dataclass
class MatrixConstraint:
    """`lb <= A x + constant <= ub` for many rows at once; `A` has global variable columns."""

    A: sp.csr_matrix
    lb: np.ndarray
    ub: np.ndarray
    model: object
    name: str = ""

    def __bool__(self) -> bool:
        raise ModelError("a block of constraints has no truth value; pass it to model.add_constraints")


def vector_bounds(op: str, rhs: np.ndarray, m: int) -> tuple[np.ndarray, np.ndarray]:
    """Row bounds for `row op rhs` broadcast to `m` rows."""
    rhs = np.broadcast_to(np.asarray(rhs, dtype=float), (m,)).copy()
    if op == "<=":
        return np.full(m, -INF), rhs
    if op == ">=":
        return rhs, np.full(m, INF)
    return rhs, rhs.copy()
