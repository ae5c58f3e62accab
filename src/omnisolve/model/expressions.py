"""Scalar variables and linear / quadratic expressions built by operator overloading, and the
scalar constraint a comparison of them makes.

Expressions keep their terms in dicts keyed by variable index, so `3*x + 2*y <= 10` costs a few
dict operations. Each variable remembers its model; mixing two models raises `ModelError`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import IntEnum
from numbers import Real
from types import NotImplementedType
from typing import TYPE_CHECKING, Any, Iterable, Self, Sequence, SupportsFloat, TypeGuard, Union, cast, overload

import numpy as np

from omnisolve.errors import ModelError

if TYPE_CHECKING:
    from omnisolve.model.model import Model


class VarType(IntEnum):
    """Domain of a variable; binary is an integer with bounds [0, 1]. A semi-continuous variable
    is 0 or in [lb, ub] (lb >= 0); a semi-integer one is 0 or an integer in [lb, ub]."""

    CONTINUOUS = 0
    INTEGER = 1
    BINARY = 2
    SEMICONTINUOUS = 3
    SEMIINTEGER = 4

    @property
    def is_integer(self) -> bool:
        return self in (VarType.INTEGER, VarType.BINARY, VarType.SEMIINTEGER)

    @property
    def is_semi(self) -> bool:
        return self in (VarType.SEMICONTINUOUS, VarType.SEMIINTEGER)

    @classmethod
    def parse(cls, value: "VarType | str") -> "VarType":
        if isinstance(value, VarType):
            return value
        try:
            return cls[str(value).upper().replace("-", "").replace("_", "")]
        except KeyError:
            raise ModelError(
                f"unknown variable type {value!r}: use continuous, integer or binary (or semicontinuous, semiinteger)"
            ) from None


def _same_model(a: "Model | None", b: "Model | None") -> "Model | None":
    if a is None:
        return b
    if b is not None and a is not b:
        raise ModelError("expression mixes variables of two different models")
    return a


#: what an expression's operators take besides expressions: numbers, numpy scalars included
Operand = Union["Variable", "LinearExpr", "QuadExpr", float, np.number[Any]]
#: a full solution vector, indexed by variable index
Vector = Union[np.ndarray, Sequence[float]]


class _Arith:
    """Operator overloading shared by variables and expressions (via `_as_quad`/`_as_linear`)."""

    __array_ufunc__ = None  # make numpy defer to our reflected operators

    def __add__(self, other: Operand) -> LinearExpr | QuadExpr:
        return _add(self, other, 1.0)

    def __radd__(self, other: Operand) -> LinearExpr | QuadExpr:
        return _add(self, other, 1.0)

    def __sub__(self, other: Operand) -> LinearExpr | QuadExpr:
        return _add(self, other, -1.0)

    def __rsub__(self, other: Operand) -> LinearExpr | QuadExpr:
        return _add(_scale(self, -1.0), other, 1.0)

    def __neg__(self) -> LinearExpr | QuadExpr:
        return _scale(self, -1.0)

    def __pos__(self) -> Self:
        return self

    def __mul__(self, other: Operand) -> LinearExpr | QuadExpr:
        return _mul(self, other)

    def __rmul__(self, other: Operand) -> LinearExpr | QuadExpr:
        return _mul(self, other)

    def __truediv__(self, other: float | np.number[Any]) -> LinearExpr | QuadExpr:
        if isinstance(other, Real):
            if other == 0:
                raise ModelError("division of an expression by zero")
            return _scale(self, 1.0 / float(other))
        return NotImplemented

    def __pow__(self, power: int) -> Self | LinearExpr | QuadExpr:
        if power == 2:
            return _mul(self, self)
        if power == 1:
            return self
        raise ModelError("only powers 1 and 2 are supported; use a nonlinear callable otherwise")

    def __le__(self, other: Operand) -> "Constraint":
        return Constraint.from_comparison(self, other, "<=")

    def __ge__(self, other: Operand) -> "Constraint":
        return Constraint.from_comparison(self, other, ">=")

    # `x == 3` builds a constraint (as in every modelling library), not the bool object.__eq__ promises
    def __eq__(self, other: object) -> "Constraint":  # type: ignore[override]
        return Constraint.from_comparison(self, other, "==")

    __hash__ = object.__hash__


class Variable(_Arith):
    """One decision variable; created by `Model.add_variable` (or indexing a `VariableArray`)."""

    __slots__ = ("model", "index")

    def __init__(self, model: "Model", index: int):
        self.model = model
        self.index = index

    @property
    def name(self) -> str:
        return self.model._names[self.index]

    @property
    def lb(self) -> float:
        return float(self.model._lb[self.index])

    @property
    def ub(self) -> float:
        return float(self.model._ub[self.index])

    @property
    def vtype(self) -> VarType:
        return VarType(int(self.model._vtype[self.index]))

    def __repr__(self) -> str:
        return f"Variable({self.name})"

    def __hash__(self) -> int:
        return hash((id(self.model), self.index))

    def _as_linear(self) -> "LinearExpr":
        return LinearExpr(self.model, {self.index: 1.0}, 0.0)

    def __mul__(self, other: Operand) -> LinearExpr | QuadExpr:
        if type(other) in _PLAIN_NUMBERS:  # fast path for the common `coef * x`
            return LinearExpr(self.model, {self.index: float(cast(float, other))}, 0.0)
        return _mul(self, other)

    __rmul__ = __mul__


class LinearExpr(_Arith):
    """sum(coef * x_i) + constant."""

    __slots__ = ("model", "terms", "constant")

    def __init__(self, model: "Model | None", terms: dict[int, float] | None = None, constant: float = 0.0):
        self.model = model
        self.terms = terms if terms is not None else {}
        self.constant = float(constant)

    def _as_linear(self) -> "LinearExpr":
        return self

    def __repr__(self) -> str:
        return f"LinearExpr({len(self.terms)} terms, constant={self.constant})"

    def value(self, x: Vector) -> float:
        """Evaluate at a full solution vector `x` (indexed by variable index)."""
        return self.constant + math.fsum(c * float(x[i]) for i, c in self.terms.items())


class QuadExpr(_Arith):
    """sum(q_ij * x_i * x_j) (i <= j) + a linear part."""

    __slots__ = ("model", "quad", "linear")

    def __init__(self, model: "Model | None", quad: dict[tuple[int, int], float], linear: LinearExpr):
        self.model = model
        self.quad = quad
        self.linear = linear

    @property
    def constant(self) -> float:
        return self.linear.constant

    def __repr__(self) -> str:
        return f"QuadExpr({len(self.quad)} quadratic terms, {len(self.linear.terms)} linear)"

    def value(self, x: Vector) -> float:
        q = math.fsum(c * float(x[i]) * float(x[j]) for (i, j), c in self.quad.items())
        return q + self.linear.value(x)


Expr = Union[Variable, LinearExpr, QuadExpr]


def as_expression(value: object) -> LinearExpr | QuadExpr:
    """Turn a number, variable or expression into a `LinearExpr`/`QuadExpr`."""
    if isinstance(value, QuadExpr):
        return value
    if isinstance(value, (Variable, LinearExpr)):
        return value._as_linear()
    if isinstance(value, Real) or (hasattr(value, "shape") and getattr(value, "shape", None) == ()):
        return LinearExpr(None, {}, float(cast(SupportsFloat, value)))  # a Real or a 0-d array
    raise ModelError(f"cannot use {type(value).__name__} in an expression")


_PLAIN_NUMBERS = (float, int)


def _is_number(value: object) -> TypeGuard[SupportsFloat]:
    if type(value) in _PLAIN_NUMBERS:  # skip the slow abstract-class check
        return True
    return isinstance(value, Real) or (hasattr(value, "dtype") and getattr(value, "shape", None) == ())


@overload
def _scale(expr: Variable | LinearExpr, k: float) -> LinearExpr: ...
@overload
def _scale(expr: object, k: float) -> LinearExpr | QuadExpr: ...
def _scale(expr: object, k: float) -> LinearExpr | QuadExpr:
    e = as_expression(expr)
    if isinstance(e, QuadExpr):
        return QuadExpr(e.model, {key: c * k for key, c in e.quad.items()}, _scale(e.linear, k))
    # a zero constant stays zero, so `nan * x` is reported as a bad coefficient, not a bad constant
    return LinearExpr(e.model, {i: c * k for i, c in e.terms.items()}, e.constant * k if e.constant else 0.0)


@overload
def _add(left: Variable | LinearExpr, right: Variable | LinearExpr, sign: float) -> LinearExpr: ...
@overload
def _add(left: object, right: object, sign: float) -> LinearExpr | QuadExpr | NotImplementedType: ...
def _add(left: object, right: object, sign: float) -> LinearExpr | QuadExpr | NotImplementedType:
    if not (_is_number(right) or isinstance(right, (Variable, LinearExpr, QuadExpr))):
        # typeshed derives NotImplementedType from Any, so mypy reads any return of it as Any
        return NotImplemented  # type: ignore[no-any-return]
    a, b = as_expression(left), as_expression(right)
    model = _same_model(a.model, b.model)
    if isinstance(a, QuadExpr) or isinstance(b, QuadExpr):
        qa = a.quad if isinstance(a, QuadExpr) else {}
        qb = b.quad if isinstance(b, QuadExpr) else {}
        quad = dict(qa)
        for key, c in qb.items():
            quad[key] = quad.get(key, 0.0) + sign * c
        la = a.linear if isinstance(a, QuadExpr) else a
        lb = b.linear if isinstance(b, QuadExpr) else b
        return QuadExpr(model, quad, _add(la, lb, sign))
    terms = dict(a.terms)
    for i, c in b.terms.items():
        terms[i] = terms.get(i, 0.0) + sign * c
    return LinearExpr(model, terms, a.constant + sign * b.constant)


def _mul(left: object, right: object) -> LinearExpr | QuadExpr | NotImplementedType:
    if _is_number(right):
        return _scale(left, float(right))
    if not isinstance(right, (Variable, LinearExpr, QuadExpr)):
        # typeshed derives NotImplementedType from Any, so mypy reads any return of it as Any
        return NotImplemented  # type: ignore[no-any-return]
    a, b = as_expression(left), as_expression(right)
    if isinstance(a, QuadExpr) or isinstance(b, QuadExpr):
        raise ModelError("product of degree > 2; use a nonlinear callable for such terms")
    model = _same_model(a.model, b.model)
    quad: dict[tuple[int, int], float] = {}
    for i, ci in a.terms.items():
        for j, cj in b.terms.items():
            key = (i, j) if i <= j else (j, i)
            quad[key] = quad.get(key, 0.0) + ci * cj
    terms: dict[int, float] = {}
    for expr, k in ((a, b.constant), (b, a.constant)):
        if k:
            for i, c in expr.terms.items():
                terms[i] = terms.get(i, 0.0) + c * k
    linear = LinearExpr(model, terms, a.constant * b.constant)
    return QuadExpr(model, quad, linear)


def quicksum(items: Iterable[Operand]) -> LinearExpr | QuadExpr:
    """Sum many expressions in place (linear time, unlike the built-in `sum`)."""
    model: Model | None = None
    item: Any  # narrowed by the exact-type tests of the fast paths, which isinstance would slow down
    terms: dict[int, float] = {}
    get = terms.get
    quad: dict[tuple[int, int], float] = {}
    constant = 0.0
    for item in items:
        kind = type(item)
        if kind is Variable or kind is LinearExpr:  # fast paths: no conversion, no copies
            if item.model is not model:
                model = _same_model(model, item.model)
            if kind is Variable:
                terms[item.index] = get(item.index, 0.0) + 1.0
                continue
            for i, c in item.terms.items():
                terms[i] = get(i, 0.0) + c
            constant += item.constant
            continue
        e = as_expression(item)
        model = _same_model(model, e.model)
        lin = e.linear if isinstance(e, QuadExpr) else e
        if isinstance(e, QuadExpr):
            for key, c in e.quad.items():
                quad[key] = quad.get(key, 0.0) + c
        for i, c in lin.terms.items():
            terms[i] = get(i, 0.0) + c
        constant += lin.constant
    linear = LinearExpr(model, terms, constant)
    return QuadExpr(model, quad, linear) if quad else linear


class ArrayExpression:
    """Base of the array forms (`arrays.py`): a scalar expression refuses to compare with one."""


INF = float("inf")


def _bounds_for(op: str, rhs: float) -> tuple[float, float]:
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
    def from_comparison(cls, left: object, right: object, op: str) -> "Constraint":
        if _is_number(right) and isinstance(left, (Variable, LinearExpr)):  # fast path: `expr <= 10`
            lin = left._as_linear()  # terms are shared, never copied: expressions are immutable
            lb, ub = _bounds_for(op, float(right) - lin.constant)
            return cls(LinearExpr(lin.model, lin.terms, 0.0), lb, ub)
        if isinstance(right, (ArrayExpression, np.ndarray)):
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
        raise ModelError("a constraint has no truth value; for a range write model.add_range(lo, expr, hi)")
