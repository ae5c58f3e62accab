"""`Explanation`: why a problem is infeasible, as an irreducible infeasible subset (IIS) named
with the user's constraint and variable names, plus how it was found and whether it is proven
irreducible."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any, Iterable

INFEASIBLE, FEASIBLE, UNKNOWN = "infeasible", "feasible", "unknown"


def _num(value: float | None) -> float | None:
    """A finite float, or None for an infinite / missing value (JSON has no infinity)."""
    if value is None or not math.isfinite(value):
        return None
    return float(value)


def fmt(value: float) -> str:
    return f"{value:.10g}"


def _side(value: float | None, missing: float) -> float:
    """`value`, or `missing` (-inf for a lower side, +inf for an upper one) when there is none."""
    return missing if value is None else value


@dataclass(frozen=True)
class RowEntry:
    """A constraint in the IIS: `lower <= row <= upper` (None = no such side) and which side is
    part of the conflict: "lower", "upper" or "both". Structured problems use it for their data
    (e.g. a customer's demand), with `side` "" and their own `text`."""

    name: str
    lower: float | None
    upper: float | None
    side: str
    text: str = ""

    def __str__(self) -> str:
        if self.text:
            return self.text
        lo, up = _side(self.lower, -math.inf), _side(self.upper, math.inf)
        if self.side == "lower":
            return f"{self.name} (>= {fmt(lo)})"
        if self.side == "upper":
            return f"{self.name} (<= {fmt(up)})"
        if lo == up:
            return f"{self.name} (= {fmt(lo)})"
        return f"{self.name} ({fmt(lo)} <= ... <= {fmt(up)})"


@dataclass(frozen=True)
class BoundEntry:
    """A variable bound in the IIS: kind "lower" (x >= value), "upper" (x <= value) or
    "integer" (x must be integral; value None)."""

    name: str
    kind: str
    value: float | None = None

    def __str__(self) -> str:
        if self.kind == "lower":
            return f"{self.name} >= {fmt(_side(self.value, -math.inf))}"
        if self.kind == "upper":
            return f"{self.name} <= {fmt(_side(self.value, math.inf))}"
        return f"{self.name} integer"


@dataclass
class Explanation:
    """Why a problem is (or is not) infeasible.

    status: "infeasible" (with an infeasible subset in rows/bounds), "feasible", or "unknown"
    (could not decide in time, or the problem has parts no method here handles; `message` says).
    rows/bounds: the subset as readable strings ("c1 (<= 5)", "x >= 3", "x integer");
    row_entries/bound_entries: the same, structured. irreducible: True only when verified,
    i.e. dropping any one member was shown to leave a feasible rest."""

    status: str
    rows: list[str] = field(default_factory=list)
    bounds: list[str] = field(default_factory=list)
    method: str = ""
    irreducible: bool = False
    message: str = ""
    row_entries: list[RowEntry] = field(default_factory=list)
    bound_entries: list[BoundEntry] = field(default_factory=list)
    time: float = 0.0  # seconds spent
    solves: int = 0  # solver calls made

    @classmethod
    def of(
        cls,
        status: str,
        row_entries: Iterable[RowEntry] = (),
        bound_entries: Iterable[BoundEntry] = (),
        **kw: Any,
    ) -> "Explanation":
        rows, bounds = list(row_entries), list(bound_entries)
        return cls(
            status, [str(r) for r in rows], [str(b) for b in bounds], row_entries=rows, bound_entries=bounds, **kw
        )

    @property
    def size(self) -> int:
        return len(self.row_entries) + len(self.bound_entries)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: infinite bounds become None."""
        out = asdict(self)
        out["row_entries"] = [
            {**asdict(r), "lower": _num(r.lower), "upper": _num(r.upper), "text": str(r)} for r in self.row_entries
        ]
        out["bound_entries"] = [{**asdict(b), "value": _num(b.value), "text": str(b)} for b in self.bound_entries]
        out["time"] = round(self.time, 4)
        return out
