"""Shared checks behind backends' `unsupported_reason`: data that must be integral."""

from __future__ import annotations

from typing import Any, Iterable

import numpy as np


def non_integer_reason(solver: str, data: Iterable[tuple[str, np.ndarray]], fallback: str) -> str | None:
    """`"<solver> needs integer <what> (found v); use <fallback>"` for the first array holding a
    fractional value, None when all are integral."""
    for what, values in data:
        values = np.asarray(values)
        bad = np.flatnonzero(values != np.round(values))
        if bad.size:
            return f"{solver} needs integer {what} (found {values.flat[bad[0]]:g}); use {fallback}"
    return None


def kind_reason(problem: Any, *classes: type) -> str | None:
    """`"solves TSP and CVRP only, not MILP"` unless `problem` is one of `classes`."""
    if isinstance(problem, classes):
        return None
    what = getattr(problem, "kind", "") or type(problem).__name__
    return f"solves {' and '.join(c.kind for c in classes)} only, not {what}"


def routing_data_reason(problem: Any, solver: str, largest: float, fallback: str) -> str | None:
    """Routing engines with integer arc costs: integral distances (and demands, capacity for a
    CVRP), and no tour length that could overflow `largest`."""
    data = [("distances", problem.distances)]
    if hasattr(problem, "demands"):
        data += [("demands", problem.demands), ("capacity", [problem.capacity])]
    reason = non_integer_reason(solver, data, fallback)
    if reason is None and problem.distances.max() * problem.n >= largest:
        reason = f"distances up to {problem.distances.max():g} overflow {solver}'s integer costs"
    return reason
