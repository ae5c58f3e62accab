"""Knapsack `.kp` files: a line `n capacity`, then n lines `value weight`; `#` starts a comment."""

from __future__ import annotations

import os
from pathlib import Path


from omnisolve.errors import InputError
from omnisolve.io._text import block, construct, plain_number, read_text, row_array, rows_of
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
    capacity = row_array((line, tokens[1:]), name, "capacity")[0]
    if count < 1:
        raise InputError(f"item count n is {count}, must be at least 1", path=name, line=line)
    if len(items) > count:
        raise InputError(f"more than the {count} items announced on line {line}", path=name, line=items[count][0])
    if len(items) < count:
        end = items[-1][0] if items else line
        raise InputError(f"file ends after {len(items)} items; line {line} announces {count}", path=name, line=end)
    data = block(items, 2, name, "item 'value weight'")
    return construct(name, lambda: Knapsack(data[:, 0], data[:, 1], capacity, name=Path(name).stem))


def write_knapsack(problem: Knapsack, path: str | os.PathLike) -> None:
    """Write `problem` as a `.kp` file."""
    lines = [f"{problem.size} {plain_number(problem.capacity)}"]
    lines += [f"{plain_number(v)} {plain_number(w)}" for v, w in zip(problem.values, problem.weights)]
    Path(path).write_text("\n".join(lines) + "\n")
