"""Helpers shared by the text readers: read a file with a clear error, split it into numbered
lines of tokens, and turn tokens into numbers, naming the file and line when one is not. The
rules themselves (decoding, number grammar, ranges) are the input policy in `limits`."""

from __future__ import annotations

from typing import Callable, Sequence, TypeVar

import numpy as np

from omnisolve.errors import InputError, ModelError
from omnisolve.io.limits import numbers, read_text  # noqa: F401  (read_text is re-exported)

T = TypeVar("T")

Row = tuple[int, list[str]]  # (1-based line number, whitespace-separated tokens)


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


def to_array(
    tokens: Sequence[str], lines: Sequence[int], path: str, what: str, integer: bool = False, limit: float | None = None
) -> np.ndarray:
    """`tokens` as a float64 (or int64) array; `lines[k]` is the line of `tokens[k]`. The input
    policy (`limits.numbers`): ASCII numbers, |value| < `limit` (default by kind)."""
    return numbers(tokens, lines, path, what, integer, limit)


def row_array(row: Row, path: str, what: str, integer: bool = False, limit: float | None = None) -> np.ndarray:
    """The tokens of one row as numbers."""
    number, tokens = row
    return to_array(tokens, [number] * len(tokens), path, what, integer, limit)


def block(
    rows: Sequence[Row], width: int, path: str, what: str, integer: bool = False, limit: float | None = None
) -> np.ndarray:
    """Rows of exactly `width` numbers as a (len(rows), width) array."""
    for number, tokens in rows:
        if len(tokens) != width:
            raise InputError(f"{what}: expected {width} values, found {len(tokens)}", path=path, line=number)
    tokens = [t for _, row in rows for t in row]
    lines = [number for number, row in rows for _ in row]
    return to_array(tokens, lines, path, what, integer, limit).reshape(len(rows), width)


def refuse_negative(values: np.ndarray, lines: Sequence[int] | np.ndarray, path: str, what: str) -> None:
    """An `InputError` at the line of the first negative entry (`lines[k]` holds `values[k]`): the
    problem classes refuse it too, but they cannot name the line."""
    if values.size and values.min() < 0:
        k = int(np.flatnonzero(values < 0)[0])
        raise InputError(f"{what} is {plain_number(values[k])}, must be >= 0", path=path, line=int(lines[k]))


def construct(path: str | None, make: Callable[[], T]) -> T:
    """`make()`, with a `ModelError` about the data it read reported against the file (if any:
    `path` None for data that came from no file)."""
    try:
        return make()
    except ModelError as exc:
        raise InputError(str(exc), path=path) from None
