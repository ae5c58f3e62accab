"""Helpers shared by the structured problems: validating input arrays, reading untrusted
solutions without raising, and summary statistics for features."""

from __future__ import annotations

import math
from collections import Counter
from numbers import Real
from typing import Any, Iterable

import numpy as np

from omnisolve.errors import ModelError

TOLERANCE = 1e-9


def label(kind: str, name: str) -> str:
    """How error messages name a problem, e.g. `CVRP 'A-n32-k5'`."""
    return f"{kind} {name!r}"


def real_array(value: Any, where: str, field: str, ndim: int) -> np.ndarray:
    """A float64 copy of `value` with `ndim` dimensions and only finite entries."""
    try:
        arr = np.array(value, dtype=float)
    except (TypeError, ValueError):
        raise ModelError(f"{where}: {field} must be numeric") from None
    if arr.ndim != ndim:
        raise ModelError(f"{where}: {field} must be a {ndim}-d array, got shape {arr.shape}")
    bad = np.argwhere(~np.isfinite(arr))
    if bad.size:
        raise ModelError(f"{where}: {field}{_index(bad[0])} is {arr[tuple(bad[0])]}, not a finite number")
    return arr


def nonnegative(arr: np.ndarray, where: str, field: str) -> None:
    """Raise naming the first negative entry of `arr`."""
    bad = np.argwhere(arr < 0)
    if bad.size:
        raise ModelError(f"{where}: {field}{_index(bad[0])} is {arr[tuple(bad[0])]:g}, must be >= 0")


def finite_number(value: Any, where: str, field: str) -> float:
    """`value` as a finite float, or raise naming the field."""
    if isinstance(value, bool) or not isinstance(value, Real) or not math.isfinite(value):
        raise ModelError(f"{where}: {field} must be a finite number, got {value!r}")
    return float(value)


def readonly(arr: np.ndarray) -> np.ndarray:
    arr.setflags(write=False)
    return arr


def _index(idx: np.ndarray) -> str:
    return "[" + ", ".join(str(int(i)) for i in idx) + "]"


def as_int(value: Any) -> int | None:
    """`value` as an int if it is an integral real number (not a bool), else None."""
    if isinstance(value, bool) or not isinstance(value, Real):
        return None
    if isinstance(value, (int, np.integer)):
        return int(value)
    value = float(value)
    return int(value) if math.isfinite(value) and value.is_integer() else None


def int_list(obj: Any, what: str) -> tuple[list[int] | None, str | None]:
    """Read a list of integers from an untrusted value: `(ints, None)` or `(None, problem)`."""
    if isinstance(obj, np.ndarray):
        if obj.ndim != 1:
            return None, f"{what} must be a flat list of integers, got an array of shape {obj.shape}"
        obj = obj.tolist()
    if not isinstance(obj, (list, tuple)):
        return None, f"{what} must be a list of integers, got {type(obj).__name__}"
    out = []
    for k, item in enumerate(obj):
        v = as_int(item)
        if v is None:
            return None, f"{what}[{k}] is {item!r}, not an integer"
        out.append(v)
    return out, None


def index_list(obj: Any, what: str, size: int, refusal: str) -> tuple[list[int] | None, str | None]:
    """`int_list(obj, what)` whose every entry is an index in 0..size-1: `(ints, None)`, or
    `(None, problem)` where an out-of-range problem is `refusal` formatted with `bad` (the
    offending entries) and `last` (size - 1)."""
    values, problem = int_list(obj, what)
    if values is not None:
        bad = [v for v in values if not 0 <= v < size]
        if bad:
            return None, refusal.format(bad=listing(bad), last=size - 1)
    return values, problem


def repeated(values: Iterable[int]) -> list[int]:
    """The values that occur more than once, sorted."""
    return sorted(v for v, k in Counter(values).items() if k > 1)


def listing(items: Iterable[Any], limit: int = 10) -> str:
    """`1, 2, 3` or `1, 2, ... (57 in all)` for messages about many items."""
    items = list(items)
    shown = ", ".join(str(i) for i in items[:limit])
    return shown if len(items) <= limit else f"{shown}, ... ({len(items)} in all)"


def exceeds(amount: float, capacity: float) -> bool:
    """`amount > capacity` beyond floating-point noise."""
    return amount > capacity + TOLERANCE * max(1.0, abs(capacity))


def value_vector(values: Any, n: int) -> np.ndarray:
    """Solver values as a float vector of length `n` (NaN and missing entries become 0)."""
    try:
        v = np.asarray(values, dtype=float).ravel()
    except (TypeError, ValueError):
        v = np.zeros(0)
    out = np.zeros(n)
    k = min(n, v.size)
    out[:k] = np.nan_to_num(v[:k], nan=0.0, posinf=0.0, neginf=0.0)
    return out


def stats(prefix: str, x: np.ndarray) -> dict[str, float]:
    """Mean, std, coefficient of variation, min and max of `x` under `prefix_*` keys."""
    x = np.asarray(x, dtype=float)
    if x.size == 0:
        x = np.zeros(1)
    mean, std = float(x.mean()), float(x.std())
    return {
        f"{prefix}_mean": mean,
        f"{prefix}_std": std,
        f"{prefix}_cv": std / abs(mean) if mean else 0.0,
        f"{prefix}_min": float(x.min()),
        f"{prefix}_max": float(x.max()),
    }


def capped(lines: list[str], what: str, limit: int = 10) -> list[str]:
    """The first `limit` lines, then one line counting the rest, so garbage stays readable."""
    if len(lines) <= limit:
        return lines
    return lines[:limit] + [f"... and {len(lines) - limit} more {what}"]
