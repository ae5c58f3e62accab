"""`ProblemData`: the immutable, solver-neutral compiled form of a model (sparse arrays)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Callable, Iterator, Sequence, overload

import numpy as np
import scipy.sparse as sp

from omnisolve.errors import ModelError
from omnisolve.model.expressions import VarType


class Sense(StrEnum):
    """The objective's direction. A `str`: equal to, and written as, "min" / "max"."""

    MIN = "min"
    MAX = "max"


class Names(Sequence[str]):
    """Variable or row names, stored as blocks so a million names cost nothing until read.

    A block is `(start, stop, prefix, explicit)`: either explicit names, or `prefix[k]` for
    k = 0..stop-start-1.
    """

    def __init__(self, blocks: Sequence[tuple[int, int, str, tuple[str, ...] | None]], length: int):
        self._blocks = tuple(blocks)
        self._len = length
        self._starts = np.array([b[0] for b in self._blocks], dtype=np.int64)

    @classmethod
    def of(cls, names: Sequence[str]) -> "Names":
        names = tuple(names)
        return cls([(0, len(names), "", names)], len(names))

    def __len__(self) -> int:
        return self._len

    @overload
    def __getitem__(self, i: int) -> str: ...
    @overload
    def __getitem__(self, i: slice) -> list[str]: ...
    def __getitem__(self, i: int | slice) -> str | list[str]:
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(self._len))]
        if i < 0:
            i += self._len
        if not 0 <= i < self._len:
            raise IndexError(i)
        b = self._blocks[int(np.searchsorted(self._starts, i, side="right")) - 1]
        start, _, prefix, explicit = b
        return explicit[i - start] if explicit is not None else f"{prefix}[{i - start}]"

    def tolist(self) -> list[str]:
        out: list[str] = []
        for start, stop, prefix, explicit in self._blocks:
            out.extend(explicit if explicit is not None else (f"{prefix}[{k}]" for k in range(stop - start)))
        return out

    def __iter__(self) -> Iterator[str]:
        return iter(self.tolist())


def _freeze(a: np.ndarray) -> np.ndarray:
    """A read-only array; copied first when writable, so the caller's own array stays writable."""
    a = np.array(a, order="C", copy=True if a.flags.writeable else None)
    a.setflags(write=False)
    return a


def _freeze_csr(M: object) -> sp.csr_matrix:
    """A float csr copy in canonical form (sorted, no duplicates) with read-only arrays."""
    csr = sp.csr_matrix(M, dtype=float, copy=True)
    csr.sum_duplicates()  # also sorts, so later scipy calls never need to write
    for a in (csr.data, csr.indices, csr.indptr):
        a.setflags(write=False)
    return csr


@dataclass(frozen=True)
class NonlinearFunction:
    """A scalar objective `fun(x) -> float` with optional gradient `grad(x) -> array`."""

    fun: Callable[[np.ndarray], float]
    grad: Callable[[np.ndarray], np.ndarray] | None = None


@dataclass(frozen=True)
class NonlinearConstraint:
    """`lb <= fun(x) <= ub` where fun returns a vector; `jac(x)` its optional Jacobian."""

    fun: Callable[[np.ndarray], np.ndarray]
    lb: np.ndarray
    ub: np.ndarray
    jac: Callable[[np.ndarray], np.ndarray] | None = None
    name: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "lb", _freeze(np.asarray(self.lb, dtype=float)))
        object.__setattr__(self, "ub", _freeze(np.asarray(self.ub, dtype=float)))


@dataclass(frozen=True)
class QuadraticRow:
    """`lb <= x'Qx + a x <= ub` with Q upper-triangular (one entry per pair i <= j)."""

    Q: sp.csr_matrix
    a: np.ndarray
    lb: float
    ub: float
    name: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "Q", _freeze_csr(self.Q))
        object.__setattr__(self, "a", _freeze(np.asarray(self.a, dtype=float)))


@dataclass(frozen=True)
class ProblemData:
    """min/max c'x + x'Qx + c0 (+ nonlinear f(x)) s.t. row_lb <= A x <= row_ub, quadratic and
    nonlinear rows, lb <= x <= ub, x_j integer where `integer_mask[j]` (integer, binary,
    semi-integer); a semi-continuous or semi-integer x_j (`semi_mask`) may also be 0 outside
    [lb, ub].

    `Q` is upper-triangular: the objective's quadratic part is sum over stored (i, j) of
    Q_ij * x_i * x_j. Arrays are read-only; build a new `ProblemData` to change anything.
    """

    var_names: Names
    lb: np.ndarray
    ub: np.ndarray
    vtype: np.ndarray
    c: np.ndarray
    A: sp.csr_matrix
    row_lb: np.ndarray
    row_ub: np.ndarray
    row_names: Names
    sense: Sense = Sense.MIN
    c0: float = 0.0
    Q: sp.csr_matrix | None = None
    quadratic_rows: tuple[QuadraticRow, ...] = ()
    nl_objective: NonlinearFunction | None = None
    nl_constraints: tuple[NonlinearConstraint, ...] = ()
    name: str = "model"
    meta: dict[str, Any] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        if self.sense not in tuple(Sense):
            raise ModelError(f"objective sense must be 'min' or 'max', not {self.sense!r}")
        object.__setattr__(self, "sense", Sense(self.sense))
        for attr in ("lb", "ub", "c", "row_lb", "row_ub"):
            object.__setattr__(self, attr, _freeze(np.asarray(getattr(self, attr), dtype=float)))
        object.__setattr__(self, "vtype", _freeze(np.asarray(self.vtype, dtype=np.int8)))
        object.__setattr__(self, "A", _freeze_csr(self.A))
        if self.Q is not None:
            object.__setattr__(self, "Q", _freeze_csr(self.Q))

    @property
    def num_variables(self) -> int:
        return len(self.lb)

    @property
    def num_constraints(self) -> int:
        return int(self.A.shape[0]) + len(self.quadratic_rows) + sum(len(c.lb) for c in self.nl_constraints)

    @property
    def nnz(self) -> int:
        return int(self.A.nnz)

    @property
    def integer_mask(self) -> np.ndarray:
        """Variables that must be integral: integer, binary and semi-integer."""
        mask: np.ndarray = (
            (self.vtype == VarType.INTEGER) | (self.vtype == VarType.BINARY) | (self.vtype == VarType.SEMIINTEGER)
        )
        return mask

    @property
    def semi_mask(self) -> np.ndarray:
        """Semi-continuous and semi-integer variables: 0, or within [lb, ub]."""
        mask: np.ndarray = (self.vtype == VarType.SEMICONTINUOUS) | (self.vtype == VarType.SEMIINTEGER)
        return mask

    @property
    def is_mip(self) -> bool:
        """Any variable that is not plain continuous (integer, binary, semi-continuous or
        semi-integer) makes the model mixed-integer."""
        return bool((self.vtype != VarType.CONTINUOUS).any())

    def relaxation(self) -> "ProblemData":
        """The continuous relaxation: every variable continuous, and a semi-continuous or
        semi-integer one widened to [min(lb, 0), ub] (setting only `vtype` to continuous would
        cut off its value 0, which is not a relaxation)."""
        import dataclasses

        lb = np.where(self.semi_mask, np.minimum(self.lb, 0.0), self.lb)
        return dataclasses.replace(self, lb=lb, vtype=np.zeros(self.num_variables, dtype=np.int8))

    @property
    def is_nonlinear(self) -> bool:
        return self.nl_objective is not None or bool(self.nl_constraints)

    @property
    def kind(self) -> str:
        """Problem class: LP, MILP, QP, MIQP, QCP, MIQCP, NLP or MINLP."""
        prefix = "MI" if self.is_mip else ""
        if self.is_nonlinear:
            return prefix + "NLP"
        if self.quadratic_rows:
            return prefix + "QCP"
        if self.Q is not None and self.Q.nnz:
            return prefix + "QP"
        return "MILP" if self.is_mip else "LP"

    def objective_value(self, x: np.ndarray) -> float:
        """The objective at `x`, computed from the data alone (used by the verifier)."""
        x = np.asarray(x, dtype=float)
        value = float(self.c @ x) + self.c0
        if self.Q is not None and self.Q.nnz:
            value += float(x @ (self.Q @ x))
        if self.nl_objective is not None:
            value += float(self.nl_objective.fun(x))
        return value

    def activity(self, x: np.ndarray) -> np.ndarray:
        """A x for the linear rows."""
        rows: np.ndarray = self.A @ np.asarray(x, dtype=float)
        return rows
