"""Blocks of constraint rows `lb <= A x <= ub`, as array expressions compare into (a scalar row
`lb <= expr <= ub` is `expressions.Constraint`)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from omnisolve.errors import ModelError

INF = float("inf")


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
