"""Knapsack `.kp` files: a line `n capacity`, then n lines `value weight`; `#` starts a comment.
Weights are integers (Pisinger's format); values and the capacity are any numbers of the input policy."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from omnisolve.errors import InputError, UnsupportedError
from omnisolve.io._text import construct, plain_number, read_text, refuse_negative, row_array, rows_of, to_array
from omnisolve.io.limits import MAX_ITEMS
from omnisolve.problems.knapsack import Knapsack


def read_knapsack(path: str | os.PathLike) -> Knapsack:
    """A `.kp` file as a `Knapsack`."""
    name = os.fspath(path)
    rows = rows_of(read_text(name))
    if not rows:
        raise InputError("empty file: expected a line 'n capacity'", path=name, line=1)
    (line, tokens), items = rows[0], rows[1:]
    if len(tokens) != 2:
        raise InputError(f"expected a line 'n capacity', found {len(tokens)} values", path=name, line=line)
    count = row_array((line, tokens[:1]), name, "item count n", integer=True)[0]
    capacity = row_array((line, tokens[1:]), name, "capacity")  # one value
    if count < 1:
        raise InputError(f"item count n is {count}, must be at least 1", path=name, line=line)
    if count > MAX_ITEMS:
        raise InputError(
            f"item count n is {count}, more than the {MAX_ITEMS} items omnisolve reads", path=name, line=line
        )
    refuse_negative(capacity, [line], name, "capacity")
    if len(items) > count:
        raise InputError(f"more than the {count} items announced on line {line}", path=name, line=items[count][0])
    if len(items) < count:
        end = items[-1][0] if items else line
        raise InputError(f"file ends after {len(items)} items; line {line} announces {count}", path=name, line=end)
    for number, row in items:
        if len(row) != 2:
            raise InputError(f"item 'value weight': expected 2 values, found {len(row)}", path=name, line=number)
    lines = [number for number, _ in items]
    columns, errors = [], []
    for k, what, integer in ((0, "item value", False), (1, "item weight", True)):  # weights: integers, as .kp says
        try:
            column = to_array([row[k] for _, row in items], lines, name, what, integer)
            refuse_negative(column, lines, name, what)
            columns.append(column)
        except InputError as exc:
            errors.append(exc)
    if errors:
        raise min(errors, key=lambda exc: exc.line or 0)  # the first bad line of the file
    values, weights = columns
    return construct(name, lambda: Knapsack(values, weights.astype(float), float(capacity[0]), name=Path(name).stem))


def write_knapsack(problem: Knapsack, path: str | os.PathLike) -> None:
    """Write `problem` as a `.kp` file, whose weights are integers."""
    fractional = np.flatnonzero(problem.weights != np.round(problem.weights))
    if fractional.size:
        k = int(fractional[0])
        raise UnsupportedError(
            f"item {k} weighs {problem.weights[k]:g}; the .kp format holds integer weights: write it as .json instead"
        )
    lines = [f"{problem.size} {plain_number(problem.capacity)}"]
    lines += [f"{plain_number(v)} {plain_number(w)}" for v, w in zip(problem.values, problem.weights)]
    Path(path).write_text("\n".join(lines) + "\n")
