"""`Model`: the mutable builder a user states a problem with; `compile()` gives `ProblemData`."""

from __future__ import annotations

import math
from typing import Any, Callable, Union, overload

import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike, DTypeLike

from omnisolve.errors import ModelError
from omnisolve.model.arrays import LinearArray, VariableArray, _widen
from omnisolve.model.constraints import MatrixConstraint
from omnisolve.model.data import Names, NonlinearConstraint, NonlinearFunction, ProblemData, QuadraticRow, Sense
from omnisolve.model.expressions import Constraint, LinearExpr, QuadExpr, Variable, VarType, as_expression

INF = float("inf")

#: what `minimize`/`maximize` take: an expression or number, or a callable f(x) -> float
Objective = Union[Variable, LinearExpr, QuadExpr, float, Callable[[np.ndarray], float]]


class _Column:
    """Growable float/int arrays for variable attributes (amortized doubling)."""

    def __init__(self, dtype: DTypeLike):
        self.data = np.empty(16, dtype=dtype)
        self.size = 0

    def extend(self, values: np.ndarray) -> None:
        n = len(values)
        if self.size + n > len(self.data):
            grown = np.empty(max(2 * len(self.data), self.size + n), dtype=self.data.dtype)
            grown[: self.size] = self.data[: self.size]
            self.data = grown
        self.data[self.size : self.size + n] = values
        self.size += n

    def view(self) -> np.ndarray:
        return self.data[: self.size]

    def __getitem__(self, i: int) -> Any:  # a numpy scalar of the column's dtype
        return self.data[: self.size][i]


def _check_terms(model: "Model", terms: dict[int, float] | dict[tuple[int, int], float], what: str) -> None:
    """Raise naming the variable whose coefficient in `terms` (index or (i, j) keys) is NaN/inf."""
    if math.isfinite(sum(terms.values())):  # one C-level pass for the usual, clean case
        return
    for key, c in terms.items():
        if not math.isfinite(c):
            names = [model._names[i] for i in (key if isinstance(key, tuple) else (key,))]
            raise ModelError(f"{what}: coefficient {c} of {'*'.join(names)} is NaN or infinite")


def _check_block(model: "Model", A: sp.csr_matrix, label: str) -> None:
    """Raise naming the row and variable of the first NaN/inf entry of a constraint block."""
    bad = np.flatnonzero(~np.isfinite(A.data))
    if bad.size:
        k = int(bad[0])
        row = int(np.searchsorted(A.indptr, k, side="right")) - 1
        raise ModelError(
            f"constraint {label}[{row}]: coefficient {A.data[k]} of {model._names[int(A.indices[k])]} "
            "is NaN or infinite"
        )


class Model:
    """Build a problem with variables, expressions and constraints, then `compile()` or solve it.

    >>> m = Model()
    >>> x, y = m.add_variable("x", ub=4), m.add_variable("y", vtype="integer")
    >>> m.add_constraint(3 * x + 2 * y <= 10)
    >>> m.maximize(x + y)
    """

    def __init__(self, name: str = "model"):
        self.name = name
        self._lb = _Column(float)
        self._ub = _Column(float)
        self._vtype = _Column(np.int8)
        self._name_blocks: list[tuple[int, int, str, tuple[str, ...] | None]] = []
        self._scalar_names: list[str] = []
        self._rows: list[tuple[LinearExpr, float, float, str]] = []
        self._blocks: list[tuple[MatrixConstraint, str]] = []
        self._quad_rows: list[tuple[QuadExpr, float, float, str]] = []
        self._nl_constraints: list[NonlinearConstraint] = []
        self._objective: LinearExpr | QuadExpr = LinearExpr(self)
        self._nl_objective: NonlinearFunction | None = None
        self._sense = Sense.MIN

    # ---- variables -------------------------------------------------------------------------
    @property
    def num_variables(self) -> int:
        return self._lb.size

    @property
    def _names(self) -> Names:
        self._flush_scalar_names()
        return Names(self._name_blocks, self.num_variables)

    def _flush_scalar_names(self) -> None:
        if self._scalar_names:
            start = self.num_variables - len(self._scalar_names)
            self._name_blocks.append((start, self.num_variables, "", tuple(self._scalar_names)))
            self._scalar_names = []

    def _add_columns(
        self, n: int, lb_in: ArrayLike, ub_in: ArrayLike, vtype: VarType | str, label: Callable[[int], str]
    ) -> None:
        """Append `n` columns; `label(k)` names the k-th new variable in error messages."""
        vt = VarType.parse(vtype)
        try:
            lb = np.broadcast_to(np.asarray(lb_in, dtype=float), (n,))
            ub = np.broadcast_to(np.asarray(ub_in, dtype=float), (n,))
        except ValueError:
            raise ModelError(
                f"variables {label(0)}..{label(n - 1)}: bounds must be scalars or arrays of length {n}"
            ) from None
        if vt == VarType.BINARY:
            lb, ub = np.maximum(lb, 0.0), np.minimum(ub, 1.0)
        bad = np.flatnonzero(np.isnan(lb) | np.isnan(ub) | (lb > ub) | (lb == INF) | (ub == -INF))
        if bad.size:
            k = int(bad[0])
            problem = (
                f"lower bound {lb[k]:g} > upper bound {ub[k]:g}"
                if lb[k] > ub[k]
                else f"bounds [{lb[k]:g}, {ub[k]:g}] are NaN or leave no finite value"
            )
            raise ModelError(f"variable {label(k)}: {problem}")
        if vt.is_semi and (lb < 0).any():
            k = int(np.flatnonzero(lb < 0)[0])
            raise ModelError(
                f"variable {label(k)}: a {vt.name.lower()} variable is 0 or in [lb, ub] "
                f"and needs lb >= 0, got {lb[k]:g}"
            )
        self._lb.extend(lb)
        self._ub.extend(ub)
        self._vtype.extend(np.full(n, int(vt), dtype=np.int8))

    def add_variable(
        self, name: str | None = None, lb: float = 0.0, ub: float = INF, vtype: VarType | str = "continuous"
    ) -> Variable:
        """One variable; default bounds [0, inf) as in most modeling tools."""
        name = name if name is not None else f"x{self.num_variables}"
        self._add_columns(1, lb, ub, vtype, lambda k: name)
        self._scalar_names.append(name)
        return Variable(self, self.num_variables - 1)

    def add_variables(
        self, n: int, name: str = "x", lb: ArrayLike = 0.0, ub: ArrayLike = INF, vtype: VarType | str = "continuous"
    ) -> VariableArray:
        """A vector of `n` variables named `name[0]..name[n-1]`; bounds scalar or arrays."""
        if n < 1:
            raise ModelError(f"add_variables({n}): need at least one variable")
        self._flush_scalar_names()
        start = self.num_variables
        self._add_columns(n, lb, ub, vtype, lambda k: f"{name}[{k}]")
        self._name_blocks.append((start, start + n, name, None))
        return VariableArray(self, np.arange(start, start + n))

    # ---- constraints -----------------------------------------------------------------------
    def _own(self, model: object, what: str) -> None:
        if model is not None and model is not self:
            raise ModelError(f"{what} uses variables of another model")

    @overload
    def add_constraint(self, constraint: Constraint, name: str | None = None) -> Constraint: ...
    @overload
    def add_constraint(self, constraint: MatrixConstraint, name: str | None = None) -> MatrixConstraint: ...
    def add_constraint(self, constraint: object, name: str | None = None) -> Constraint | MatrixConstraint:
        """Add `expr <= / >= / == rhs`, or a block `A @ x <= b` from the array API."""
        if isinstance(constraint, MatrixConstraint):
            label = name or f"block{len(self._blocks)}"
            self._own(constraint.model, f"constraint {label}")
            _check_block(self, constraint.A, label)
            lb, ub = constraint.lb, constraint.ub
            bad = np.flatnonzero(np.isnan(lb) | np.isnan(ub) | (lb == INF) | (ub == -INF))
            if bad.size:
                raise ModelError(f"constraint {label}[{int(bad[0])}]: right-hand side is NaN or infinite")
            self._blocks.append((constraint, label))
            return constraint
        if isinstance(constraint, bool):
            raise ModelError("constraint is a plain True/False: did it contain any variable?")
        if not isinstance(constraint, Constraint):
            raise ModelError(f"add_constraint expects a constraint, got {type(constraint).__name__}")
        label = name or constraint.name or f"c{len(self._rows) + len(self._quad_rows)}"
        return self._add_row(constraint.expr, constraint.lb, constraint.ub, label)

    add_constraints = add_constraint

    def add_range(self, lo: float, expr: object, hi: float, name: str | None = None) -> Constraint:
        """`lo <= expr <= hi` as one row."""
        e = as_expression(expr)
        label = name or f"c{len(self._rows) + len(self._quad_rows)}"
        if lo > hi:
            raise ModelError(f"constraint {label}: range lower end {lo} > upper end {hi}")
        lin = e.linear if isinstance(e, QuadExpr) else e
        base = LinearExpr(lin.model, lin.terms, 0.0)
        e = QuadExpr(e.model, e.quad, base) if isinstance(e, QuadExpr) else base
        return self._add_row(e, lo - lin.constant, hi - lin.constant, label)

    def _add_row(self, expr: LinearExpr | QuadExpr, lb: float, ub: float, label: str) -> Constraint:
        self._own(expr.model, f"constraint {label}")
        lin = expr.linear if isinstance(expr, QuadExpr) else expr
        _check_terms(self, lin.terms, f"constraint {label}")
        if isinstance(expr, QuadExpr):
            _check_terms(self, expr.quad, f"constraint {label}")
        if math.isnan(lb) or math.isnan(ub) or lb == INF or ub == -INF:
            raise ModelError(f"constraint {label}: right-hand side is NaN or infinite")
        if isinstance(expr, QuadExpr):
            self._quad_rows.append((expr, lb, ub, label))
        else:
            self._rows.append((expr, lb, ub, label))
        return Constraint(expr, lb, ub, label)

    def add_nonlinear_constraint(
        self,
        fun: Callable[[np.ndarray], np.ndarray],
        lb: ArrayLike = -INF,
        ub: ArrayLike = INF,
        jac: Callable[[np.ndarray], np.ndarray] | None = None,
        name: str | None = None,
    ) -> None:
        """`lb <= fun(x) <= ub` with `x` the full variable vector; `jac` optional."""
        if not callable(fun):
            raise ModelError("nonlinear constraint: fun must be callable")
        lb_arr, ub_arr = np.atleast_1d(np.asarray(lb, float)), np.atleast_1d(np.asarray(ub, float))
        label = name or f"nl{len(self._nl_constraints)}"
        self._nl_constraints.append(NonlinearConstraint(fun, lb_arr, ub_arr, jac, label))

    # ---- objective ---------------------------------------------------------------------------
    def minimize(self, objective: Objective, grad: Callable[[np.ndarray], np.ndarray] | None = None) -> None:
        self.set_objective(objective, Sense.MIN, grad)

    def maximize(self, objective: Objective, grad: Callable[[np.ndarray], np.ndarray] | None = None) -> None:
        self.set_objective(objective, Sense.MAX, grad)

    def set_objective(
        self,
        objective: Objective,
        sense: Sense | str = Sense.MIN,
        grad: Callable[[np.ndarray], np.ndarray] | None = None,
    ) -> None:
        """A linear/quadratic expression, or a callable f(x) (nonlinear, optional gradient)."""
        if sense not in tuple(Sense):
            raise ModelError(f"objective sense must be 'min' or 'max', not {sense!r}")
        self._sense = Sense(sense)
        if callable(objective) and not isinstance(objective, (Variable, LinearExpr, QuadExpr)):
            self._nl_objective = NonlinearFunction(objective, grad)
            self._objective = LinearExpr(self)
            return
        e = as_expression(objective)
        self._own(e.model, "objective")
        lin = e.linear if isinstance(e, QuadExpr) else e
        _check_terms(self, lin.terms, "objective")
        if isinstance(e, QuadExpr):
            _check_terms(self, e.quad, "objective")
        if not math.isfinite(lin.constant):
            raise ModelError(f"objective: constant {lin.constant} is NaN or infinite")
        self._objective, self._nl_objective = e, None

    # ---- compile -----------------------------------------------------------------------------
    def compile(self) -> ProblemData:
        """Freeze the model into sparse arrays; raises `ModelError` if it is empty."""
        n = self.num_variables
        if n == 0:
            raise ModelError(f"model {self.name!r} is empty: it has no variables")
        self._flush_scalar_names()
        blocks: list[sp.csr_matrix] = []
        names: list[tuple[int, int, str, tuple[str, ...] | None]] = []
        if self._rows:
            blocks.append(_rows_to_csr([r[0] for r in self._rows], n))
            names.append((0, len(self._rows), "", tuple(r[3] for r in self._rows)))
        lbs = [np.array([r[1] for r in self._rows], float)]
        ubs = [np.array([r[2] for r in self._rows], float)]
        m = len(self._rows)
        for block, label in self._blocks:
            k = block.A.shape[0]
            blocks.append(_widen(block.A, n))
            names.append((m, m + k, label, None))
            lbs.append(block.lb)
            ubs.append(block.ub)
            m += k
        A = sp.vstack(blocks, format="csr") if blocks else sp.csr_matrix((0, n))
        obj = self._objective
        lin = obj.linear if isinstance(obj, QuadExpr) else obj
        c = np.zeros(n)
        if lin.terms:
            c[np.fromiter(lin.terms.keys(), np.int64)] = np.fromiter(lin.terms.values(), float)
        Q = _quad_to_csr(obj.quad, n) if isinstance(obj, QuadExpr) and obj.quad else None
        qrows = tuple(
            QuadraticRow(_quad_to_csr(e.quad, n), _dense(e.linear.terms, n), lb, ub, label)
            for e, lb, ub, label in self._quad_rows
        )
        return ProblemData(
            var_names=Names(self._name_blocks, n),
            lb=self._lb.view().copy(),
            ub=self._ub.view().copy(),
            vtype=self._vtype.view().copy(),
            c=c,
            A=A,
            row_lb=np.concatenate(lbs),
            row_ub=np.concatenate(ubs),
            row_names=Names(names, m),
            sense=self._sense,
            c0=lin.constant,
            Q=Q,
            quadratic_rows=qrows,
            nl_objective=self._nl_objective,
            nl_constraints=tuple(self._nl_constraints),
            name=self.name,
        )

    def __repr__(self) -> str:
        rows = len(self._rows) + sum(b.A.shape[0] for b, _ in self._blocks)
        return f"Model({self.name!r}: {self.num_variables} variables, {rows} linear rows)"


def _dense(terms: dict[int, float], n: int) -> np.ndarray:
    out = np.zeros(n)
    for i, v in terms.items():
        out[i] += v
    return out


def _rows_to_csr(exprs: list[LinearExpr], n: int) -> sp.csr_matrix:
    indptr = np.zeros(len(exprs) + 1, dtype=np.int64)
    indptr[1:] = np.cumsum([len(e.terms) for e in exprs])
    cols = np.fromiter((i for e in exprs for i in e.terms), np.int64, count=int(indptr[-1]))
    vals = np.fromiter((v for e in exprs for v in e.terms.values()), float, count=int(indptr[-1]))
    A = sp.csr_matrix((vals, cols, indptr), shape=(len(exprs), n))
    A.eliminate_zeros()
    return A


def _quad_to_csr(quad: dict[tuple[int, int], float], n: int) -> sp.csr_matrix:
    rows = np.fromiter((k[0] for k in quad), np.int64, count=len(quad))
    cols = np.fromiter((k[1] for k in quad), np.int64, count=len(quad))
    vals = np.fromiter(quad.values(), float, count=len(quad))
    Q = sp.csr_matrix((vals, (rows, cols)), shape=(n, n))
    Q.eliminate_zeros()
    return Q


__all__ = ["Model", "LinearArray"]
