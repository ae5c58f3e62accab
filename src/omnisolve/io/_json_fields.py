"""Validation of untrusted JSON values: each check returns the clean value or raises an
`InputError` naming the field's path, e.g. `constraints[3].coefficients: unknown variable 'z'`."""

from __future__ import annotations

import json
import math
from typing import Any, Iterable

import numpy as np

from omnisolve.errors import InputError
from omnisolve.io.limits import MAX_INTEGER, MAX_REAL

INF = float("inf")
_INFINITIES = {"inf": INF, "+inf": INF, "infinity": INF, "+infinity": INF, "-inf": -INF, "-infinity": -INF}


def field(where: str, key: str | int) -> str:
    """The path of `key` inside `where`: `a.b` for names, `a[3]` for indices."""
    if isinstance(key, int):
        return f"{where}[{key}]"
    return f"{where}.{key}" if where else key


def _kind(value: Any) -> str:
    names = {dict: "an object", list: "a list", str: "a string", bool: "a boolean", type(None): "null"}
    return names.get(type(value), "a number")


def shown_json(value: Any) -> str:
    """`value` as a message quotes it: null, true and false as JSON spells them (not None, True,
    False), a list or object by its kind, not its content; strings and numbers as Python's repr."""
    if value is None or isinstance(value, bool):
        return json.dumps(value)
    if isinstance(value, (dict, list)):
        return _kind(value)
    return repr(value)


def _is_real(value: Any) -> bool:
    return type(value) in (int, float)


class Fields:
    """Checks values read from the JSON document `source` (a file name, or None)."""

    def __init__(self, source: str | None):
        self.source = source

    def error(self, where: str, message: str) -> InputError:
        return InputError(f"{where}: {message}" if where else message, path=self.source)

    def object(self, value: Any, where: str, required: Iterable[str] = (), optional: Iterable[str] = ()) -> dict:
        """A JSON object with all `required` keys and no key outside `required` + `optional`."""
        if not isinstance(value, dict):
            raise self.error(where, f"expected an object, got {_kind(value)}")
        required, optional = tuple(required), tuple(optional)
        for key in value:
            if key not in required and key not in optional:
                known = ", ".join(required + optional)
                raise self.error(field(where, str(key)), f"unknown field (expected {known})")
        for key in required:
            if key not in value:
                raise self.error(field(where, key), "missing")
        return value

    def list(self, value: Any, where: str, min_length: int = 0) -> list:
        if not isinstance(value, list):
            raise self.error(where, f"expected a list, got {_kind(value)}")
        if len(value) < min_length:
            raise self.error(where, f"needs at least {min_length} entr{'y' if min_length == 1 else 'ies'}")
        return value

    def string(self, value: Any, where: str) -> str:
        if not isinstance(value, str):
            raise self.error(where, f"expected a string, got {_kind(value)}")
        return value

    def choice(self, value: Any, where: str, choices: dict[str, Any]) -> Any:
        """`choices[value]` for a string key of `choices` (compared in lower case)."""
        text = self.string(value, where).lower()
        if text not in choices:
            raise self.error(where, f"{value!r} is not one of {', '.join(dict.fromkeys(choices))}")
        return choices[text]

    def number(self, value: Any, where: str, limit: float = MAX_REAL) -> float:
        """A finite real number (a JSON boolean is not one) with |value| < `limit`."""
        if not _is_real(value) or not math.isfinite(value):
            raise self.error(where, f"expected a finite number, got {shown_json(value)}")
        if not abs(value) < limit:
            raise self.error(where, f"{shown_json(value)} is out of range (|value| must be below {limit:g})")
        return float(value)

    def integer(self, value: Any, where: str, low: int | None = None, limit: int = MAX_INTEGER) -> int:
        """An integer (an integral float such as 3.0 is accepted), at least `low` if given, and
        with |value| < `limit`."""
        if not _is_real(value) or not math.isfinite(value) or value != int(value):
            raise self.error(where, f"expected an integer, got {shown_json(value)}")
        if not abs(value) < limit:
            raise self.error(where, f"{shown_json(value)} is out of range (|value| must be below {limit:g})")
        if low is not None and value < low:
            raise self.error(where, f"must be at least {low}, got {int(value)}")
        return int(value)

    def bound(self, value: Any, where: str, default: float) -> float:
        """A bound: a number, `null` (no bound: `default`, an infinity) or "inf" / "-inf"."""
        if value is None:
            return default
        if isinstance(value, str):
            if value.lower() not in _INFINITIES:
                raise self.error(where, f'expected a number, null, "inf" or "-inf", got {shown_json(value)}')
            return _INFINITIES[value.lower()]
        if not _is_real(value) or math.isnan(value):
            raise self.error(where, f'expected a number, null, "inf" or "-inf", got {shown_json(value)}')
        return float(value)

    def vector(self, value: Any, where: str, length: int | None = None, limit: float = MAX_REAL) -> np.ndarray:
        """A list of finite numbers with |value| < `limit` as a float64 array, of `length` entries if given."""
        items = self.list(value, where)
        if length is not None and len(items) != length:
            raise self.error(where, f"has {len(items)} entries, expected {length}")
        if not all(type(v) in (int, float) for v in items):
            bad = next(k for k, v in enumerate(items) if not _is_real(v))
            raise self.error(field(where, bad), f"expected a number, got {_kind(items[bad])}")
        arr = np.array(items, dtype=float)
        nonfinite = np.flatnonzero(~np.isfinite(arr))
        if nonfinite.size:
            k = int(nonfinite[0])
            raise self.error(field(where, k), f"expected a finite number, got {shown_json(items[k])}")
        out = np.flatnonzero(np.abs(arr) >= limit)
        if out.size:
            k = int(out[0])
            message = f"{shown_json(items[k])} is out of range (|value| must be below {limit:g})"
            raise self.error(field(where, k), message)
        return arr

    def matrix(
        self, value: Any, where: str, rows: int | None = None, cols: int | None = None, limit: float = MAX_REAL
    ) -> np.ndarray:
        """A list of equally long rows of finite numbers (|value| < `limit`) as a 2-d float64 array."""
        items = self.list(value, where, min_length=1)
        if rows is not None and len(items) != rows:
            raise self.error(where, f"has {len(items)} rows, expected {rows}")
        width = cols if cols is not None else (len(items[0]) if isinstance(items[0], list) else None)
        return np.array([self.vector(row, field(where, k), width, limit) for k, row in enumerate(items)], dtype=float)
