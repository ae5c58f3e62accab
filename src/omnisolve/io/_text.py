"""Helpers shared by the text readers: read a file with a clear error, split it into numbered
lines of tokens, and turn tokens into numbers, naming the file and line when one is not."""

from __future__ import annotations

import os
from typing import Callable, Sequence, TypeVar

import numpy as np

from omnisolve.errors import InputError, ModelError

T = TypeVar("T")

Row = tuple[int, list[str]]  # (1-based line number, whitespace-separated tokens)


def read_text(path: str | os.PathLike) -> str:
    """The whole file as text; `InputError` if it is missing or unreadable."""
    name = os.fspath(path)
    try:
        with open(name, encoding="utf-8", errors="replace") as f:
            return f.read()
    except FileNotFoundError:
        raise InputError("file not found", path=name) from None
    except IsADirectoryError:
        raise InputError("is a directory, not a file", path=name) from None
    except OSError as exc:
        raise InputError(f"cannot read the file: {exc.strerror}", path=name) from None


def rows_of(text: str) -> list[Row]:
    """Non-empty lines as (line number, tokens), with `#` comments removed."""
    rows = []
    for number, line in enumerate(text.split("\n"), 1):
        tokens = line.split("#", 1)[0].split()
        if tokens:
            rows.append((number, tokens))
    return rows


def plain_number(x: float) -> float | int:
    """An integral float as an int, for shorter files; it reads back as the same float."""
    x = float(x)
    return int(x) if x.is_integer() and abs(x) < 2**53 else x


def to_array(tokens: Sequence[str], lines: Sequence[int], path: str, what: str, integer: bool = False) -> np.ndarray:
    """`tokens` as a float64 (or int64) array; `lines[k]` is the line of `tokens[k]`.

    Converts all tokens at once and only on failure walks them to name the bad one.
    """
    dtype = np.int64 if integer else np.float64
    try:
        values = np.array(tokens, dtype=str).astype(dtype)
    except (ValueError, OverflowError):
        values = None
    bad = _first_bad(tokens, integer) if values is None else _first_nonfinite(values)
    if bad is not None:
        kind = "an integer" if integer else "a finite number"
        raise InputError(f"{what}: {tokens[bad]!r} is not {kind}", path=path, line=lines[bad])
    return values


def row_array(row: Row, path: str, what: str, integer: bool = False) -> np.ndarray:
    """The tokens of one row as numbers."""
    number, tokens = row
    return to_array(tokens, [number] * len(tokens), path, what, integer)


def block(rows: Sequence[Row], width: int, path: str, what: str, integer: bool = False) -> np.ndarray:
    """Rows of exactly `width` numbers as a (len(rows), width) array."""
    for number, tokens in rows:
        if len(tokens) != width:
            raise InputError(f"{what}: expected {width} values, found {len(tokens)}", path=path, line=number)
    tokens = [t for _, row in rows for t in row]
    lines = [number for number, row in rows for _ in row]
    return to_array(tokens, lines, path, what, integer).reshape(len(rows), width)


def _first_bad(tokens: Sequence[str], integer: bool) -> int | None:
    for k, token in enumerate(tokens):
        try:
            value = int(token) if integer else float(token)
        except (ValueError, OverflowError):
            return k
        if not (-(2**63) <= value < 2**63 if integer else np.isfinite(value)):
            return k
    return None


def _first_nonfinite(values: np.ndarray) -> int | None:
    if values.dtype == np.int64:
        return None
    bad = np.flatnonzero(~np.isfinite(values))
    return int(bad[0]) if bad.size else None


def construct(path: str, make: Callable[[], T]) -> T:
    """`make()`, with a `ModelError` about the data it read reported against the file."""
    try:
        return make()
    except ModelError as exc:
        raise InputError(str(exc), path=path) from None
