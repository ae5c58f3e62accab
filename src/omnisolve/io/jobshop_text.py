"""Job-shop text files: the standard format and Taillard's, told apart by content.

Standard: a line `jobs machines`, then one line per job of `machine time` pairs in processing
order, machines numbered from 0. Taillard: a line `jobs machines` (possibly followed by seeds
and bounds, and possibly after a text header), then `jobs` rows of `machines` durations and
`jobs` rows of 1-based machine orders, either under `Times` / `Machines` labels or unlabeled.
`#` starts a comment.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from omnisolve.errors import InputError, UnsupportedError
from omnisolve.io._text import Row, block, construct, read_text, row_array, rows_of
from omnisolve.io.limits import MAX_OPERATIONS
from omnisolve.problems.jobshop import JobShop

Jobs = list[list[tuple[int, int]]]
LABELS = ("times", "machines")


def read_jobshop(path: str | os.PathLike) -> JobShop:
    """A job-shop file in the standard or Taillard format as a `JobShop`."""
    name = os.fspath(path)
    rows = rows_of(read_text(name))
    if not rows:
        raise InputError("empty file: expected a line 'jobs machines'", path=name, line=1)
    if any(_label(row) for row in rows):
        jobs = _taillard_labeled(rows, name)
    else:
        jobs_count, machines = _header(rows[0], name)
        body = rows[1:]
        if len(body) == 2 * jobs_count and all(len(tokens) == machines for _, tokens in body):
            jobs = _taillard(body[:jobs_count], body[jobs_count:], machines, name)
        else:
            jobs = _standard(rows[0], body, jobs_count, machines, name)
    return construct(name, lambda: JobShop(jobs, name=Path(name).stem))


def _label(row: Row) -> str | None:
    tokens = row[1]
    return tokens[0].lower() if len(tokens) == 1 and tokens[0].lower() in LABELS else None


def _header(header: Row, path: str) -> tuple[int, int]:
    """(jobs, machines) from a `jobs machines ...` line."""
    line, tokens = header
    if len(tokens) < 2:
        raise InputError(f"expected a line 'jobs machines', found {' '.join(tokens)!r}", path=path, line=line)
    jobs, machines = (int(v) for v in row_array(header, path, "header 'jobs machines'", integer=True)[:2])
    if jobs < 1 or machines < 1:
        raise InputError(f"header: {jobs} jobs and {machines} machines, both must be at least 1", path=path, line=line)
    if jobs * machines > MAX_OPERATIONS:
        raise InputError(
            f"header: {jobs} jobs x {machines} machines is more than the {MAX_OPERATIONS} operations omnisolve reads",
            path=path,
            line=line,
        )
    return jobs, machines


def _exact(rows: list[Row], count: int, what: str, anchor: int, path: str) -> None:
    """`rows` must hold exactly `count` rows (one per job); `anchor` is the line announcing them."""
    if len(rows) > count:
        message = f"{what}: more than the {count} rows announced on line {anchor}"
        raise InputError(message, path=path, line=rows[count][0])
    if len(rows) < count:
        end = rows[-1][0] if rows else anchor
        message = f"{what}: only {len(rows)} of the {count} rows announced on line {anchor}"
        raise InputError(message, path=path, line=end)


def _check_range(values: np.ndarray, rows: list[Row], low: int, high: int, what: str, path: str) -> None:
    """Every entry of `values` (one row per entry of `rows`) must lie in low..high."""
    bad = np.argwhere((values < low) | (values > high))
    if bad.size:
        r, k = bad[0]
        raise InputError(f"{what} {values[r, k]} outside {low}..{high}", path=path, line=rows[r][0])


def _standard(header: Row, body: list[Row], jobs: int, machines: int, path: str) -> Jobs:
    _exact(body, jobs, "job lines", header[0], path)
    for line, tokens in body:
        if len(tokens) != 2 * machines:
            raise InputError(
                f"expected {machines} 'machine time' pairs ({2 * machines} values), found {len(tokens)} values",
                path=path,
                line=line,
            )
    data = block(body, 2 * machines, path, "job line", integer=True)
    machine, time = data[:, 0::2], data[:, 1::2]
    _check_range(machine, body, 0, machines - 1, "machine", path)
    _check_range(time, body, 0, np.iinfo(np.int64).max, "processing time", path)
    return [list(zip(m.tolist(), t.tolist())) for m, t in zip(machine, time)]


def _taillard(times: list[Row], orders: list[Row], machines: int, path: str) -> Jobs:
    """Jobs from Taillard's duration rows and 1-based machine-order rows."""
    time = block(times, machines, path, "Times row", integer=True)
    machine = block(orders, machines, path, "Machines row", integer=True)
    _check_range(time, times, 0, np.iinfo(np.int64).max, "processing time", path)
    _check_range(machine, orders, 1, machines, "machine", path)
    return [list(zip((m - 1).tolist(), t.tolist())) for m, t in zip(machine, time)]


def _taillard_labeled(rows: list[Row], path: str) -> Jobs:
    """Taillard's layout with `Times` and `Machines` labels, after an optional text header."""
    where = {label: k for k, row in enumerate(rows) if (label := _label(row))}
    for label in LABELS:
        if label not in where:
            raise InputError(f"Taillard format: no '{label.title()}' line", path=path, line=rows[-1][0])
    t, m = where["times"], where["machines"]
    if m < t:
        raise InputError("Taillard format: 'Machines' comes before 'Times'", path=path, line=rows[m][0])
    sizes = [row for row in rows[:t] if not row[1][0][0].isalpha()]
    if not sizes:
        raise InputError("Taillard format: no line 'jobs machines' before 'Times'", path=path, line=rows[t][0])
    if len(sizes) > 1:
        message = "Taillard format: expected one line 'jobs machines' before 'Times'"
        raise InputError(message, path=path, line=sizes[1][0])
    jobs, machines = _header(sizes[0], path)
    times, orders = rows[t + 1 : m], rows[m + 1 :]
    _exact(times, jobs, "Times", sizes[0][0], path)
    _exact(orders, jobs, "Machines", sizes[0][0], path)
    return _taillard(times, orders, machines, path)


def write_jobshop(problem: JobShop, path: str | os.PathLike) -> None:
    """Write `problem` in the standard format, which needs one operation per machine in every job."""
    m = problem.num_machines
    uneven = [j for j, job in enumerate(problem.jobs) if len(job) != m]
    if uneven:
        raise UnsupportedError(
            f"job {uneven[0]} has {len(problem.jobs[uneven[0]])} operations; the standard job-shop "
            f"format needs exactly {m} per job (one per machine): write it as .json instead"
        )
    lines = [f"{problem.num_jobs} {m}"]
    lines += [" ".join(f"{machine} {time}" for machine, time in job) for job in problem.jobs]
    Path(path).write_text("\n".join(lines) + "\n")
