"""Array form of the model: vectors of variables and `A @ x` blocks, built without Python loops."""

from __future__ import annotations

from numbers import Real
from typing import TYPE_CHECKING, Any, Iterator, Sequence, overload

import numpy as np
import scipy.sparse as sp

from omnisolve.errors import ModelError
from omnisolve.model.constraints import MatrixConstraint, vector_bounds
from omnisolve.model.expressions import ArrayExpression, LinearExpr, QuadExpr, Variable

if TYPE_CHECKING:
    from omnisolve.model.model import Model


def _width(model: "Model") -> int:
    return model.num_variables


def _numbers(value: object) -> np.ndarray:
    """`value` as a float array, or a `ModelError` for scalar expressions and other objects."""
    if not isinstance(value, (Variable, LinearExpr, QuadExpr)):
        try:
            return np.asarray(value, dtype=float)
        except (TypeError, ValueError):
            pass
    raise ModelError(
        f"cannot combine an array expression with a {type(value).__name__}: "
        "use numbers, numeric arrays or array expressions"
    )


class _ArrayArith(ArrayExpression):
    """Operators shared by `VariableArray` and `LinearArray` (both reduce to `as_linear_array`)."""

    __array_ufunc__ = None
    __array_priority__ = 1000

    if TYPE_CHECKING:  # defined by each subclass; declared here for the checker only

        def as_linear_array(self) -> LinearArray: ...

    def __array__(self, dtype: object = None, copy: object = None) -> np.ndarray:
        """Appear to numpy/scipy as an opaque scalar, so `A @ x` falls to `__rmatmul__`."""
        opaque = np.empty((), dtype=object)
        opaque[()] = self
        return opaque

    def __add__(self, other: object) -> LinearArray:
        return self.as_linear_array()._combine(other, 1.0)

    __radd__ = __add__

    def __sub__(self, other: object) -> LinearArray:
        return self.as_linear_array()._combine(other, -1.0)

    def __rsub__(self, other: object) -> LinearArray:
        return (-self.as_linear_array())._combine(other, 1.0)

    def __neg__(self) -> LinearArray:
        a = self.as_linear_array()
        return LinearArray(a.model, -a.A, -a.constant)

    def __mul__(self, other: object) -> LinearArray:
        a = self.as_linear_array()
        if isinstance(other, Real):
            return LinearArray(a.model, a.A * float(other), a.constant * float(other))
        k = _numbers(other)
        if k.ndim != 1 or k.shape[0] != a.shape[0]:
            raise ModelError(f"cannot multiply {a.shape[0]} expressions by an array of shape {k.shape}")
        return LinearArray(a.model, sp.diags(k) @ a.A, a.constant * k)

    __rmul__ = __mul__

    def __rmatmul__(self, other: object) -> LinearExpr | LinearArray:
        """`A @ x` with a numpy array or scipy sparse matrix on the left."""
        a = self.as_linear_array()
        if sp.issparse(other):
            M = sp.csr_matrix(other, dtype=float)
        else:
            w = np.asarray(other, dtype=float)
            if w.ndim == 1:
                return _weighted_sum(w, a)
            M = sp.csr_matrix(w)
        if M.shape[1] != a.shape[0]:
            raise ModelError(f"shape mismatch: matrix has {M.shape[1]} columns, vector has {a.shape[0]} entries")
        return LinearArray(a.model, (M @ a.A).tocsr(), M @ a.constant)

    def sum(self) -> LinearExpr:
        a = self.as_linear_array()
        return _weighted_sum(np.ones(a.shape[0]), a)

    def _compare(self, other: object, op: str) -> MatrixConstraint:
        a = self.as_linear_array()
        if isinstance(other, _ArrayArith):
            a = a._combine(other, -1.0)
            other = 0.0
        rhs = _numbers(other)
        if rhs.ndim > 1 or (rhs.ndim == 1 and rhs.shape[0] != a.shape[0]):
            raise ModelError(f"right-hand side has shape {rhs.shape}, expected ({a.shape[0]},)")
        lb, ub = vector_bounds(op, rhs - a.constant, a.shape[0])
        return MatrixConstraint(a.A, lb, ub, a.model)

    def __le__(self, other: object) -> MatrixConstraint:
        return self._compare(other, "<=")

    def __ge__(self, other: object) -> MatrixConstraint:
        return self._compare(other, ">=")

    # `A @ x == b` builds a block of constraints, not the bool object.__eq__ promises
    def __eq__(self, other: object) -> MatrixConstraint:  # type: ignore[override]
        return self._compare(other, "==")

    __hash__ = object.__hash__


class VariableArray(_ArrayArith):
    """A 1-d vector of variables of one model (from `Model.add_variables`)."""

    def __init__(self, model: "Model", indices: np.ndarray):
        self.model = model
        self.indices = np.asarray(indices, dtype=np.int64)

    @property
    def shape(self) -> tuple[int]:
        return (len(self.indices),)

    def __len__(self) -> int:
        return len(self.indices)

    def __iter__(self) -> Iterator[Variable]:
        return (Variable(self.model, int(i)) for i in self.indices)

    @overload
    def __getitem__(self, key: int | np.integer[Any]) -> Variable: ...
    @overload
    def __getitem__(self, key: slice | np.ndarray | Sequence[int]) -> VariableArray: ...
    def __getitem__(self, key: int | np.integer[Any] | slice | np.ndarray | Sequence[int]) -> Variable | VariableArray:
        if isinstance(key, (int, np.integer)):
            return Variable(self.model, int(self.indices[key]))
        return VariableArray(self.model, self.indices[key])

    def __repr__(self) -> str:
        return f"VariableArray({len(self)} variables)"

    def as_linear_array(self) -> "LinearArray":
        n = len(self.indices)
        A = sp.csr_matrix((np.ones(n), self.indices, np.arange(n + 1)), shape=(n, _width(self.model)))
        return LinearArray(self.model, A, np.zeros(n))


class LinearArray(_ArrayArith):
    """A vector of linear expressions `A x + constant` (A: sparse, columns = variable indices)."""

    def __init__(self, model: "Model", A: sp.csr_matrix, constant: np.ndarray):
        self.model = model
        self.A = A
        self.constant = np.asarray(constant, dtype=float)

    @property
    def shape(self) -> tuple[int]:
        return (self.A.shape[0],)

    def __len__(self) -> int:
        return int(self.A.shape[0])

    def __repr__(self) -> str:
        return f"LinearArray({self.A.shape[0]} rows, {self.A.nnz} non-zeros)"

    def as_linear_array(self) -> "LinearArray":
        return self

    def _combine(self, other: object, sign: float) -> "LinearArray":
        if isinstance(other, _ArrayArith):
            b = other.as_linear_array()
            if b.model is not self.model:
                raise ModelError("expression mixes variables of two different models")
            if b.shape != self.shape:
                raise ModelError(f"shape mismatch: {self.shape[0]} vs {b.shape[0]} expressions")
            n = max(self.A.shape[1], b.A.shape[1])
            A = _widen(self.A, n) + sign * _widen(b.A, n)
            return LinearArray(self.model, A.tocsr(), self.constant + sign * b.constant)
        k = _numbers(other)
        if k.ndim > 1 or (k.ndim == 1 and k.shape != self.shape):
            raise ModelError(f"shape mismatch: {self.shape[0]} expressions and an array of shape {k.shape}")
        return LinearArray(self.model, self.A, self.constant + sign * k)


def _weighted_sum(w: np.ndarray, a: LinearArray) -> LinearExpr:
    """`w @ a` for a 1-d array of weights: one linear expression."""
    if w.shape[0] != a.shape[0]:
        raise ModelError(f"shape mismatch: {w.shape[0]} coefficients for {a.shape[0]} expressions")
    row = sp.csr_matrix(w.reshape(1, -1)) @ a.A
    row = row.tocoo()
    terms = dict(zip(row.col.tolist(), row.data.tolist()))
    return LinearExpr(a.model, terms, float(w @ a.constant))


def _widen(A: sp.csr_matrix, n: int) -> sp.csr_matrix:
    """Pad columns so matrices built before later `add_variables` calls line up."""
    if A.shape[1] == n:
        return A
    A = A.copy()
    A.resize((A.shape[0], n))
    return A
