"""Shared checks behind backends' `unsupported_reason`: data that must be integral, and numbers a
backend's integer or floating-point arithmetic cannot represent (refused in one line, never an
OverflowError or a pybind11 cast error)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterable

import numpy as np

if TYPE_CHECKING:
    from omnisolve.problems.base import StructuredProblem


def non_integer_reason(solver: str, data: Iterable[tuple[str, np.ndarray]], fallback: str) -> str | None:
    """`"<solver> needs integer <what> (found v); use <fallback>"` for the first array holding a
    fractional value, None when all are integral."""
    for what, values in data:
        values = np.asarray(values)
        bad = np.flatnonzero(values != np.round(values))
        if bad.size:
            return f"{solver} needs integer {what} (found {values.flat[bad[0]]:g}); use {fallback}"
    return None


def kind_reason(problem: Any, *classes: type[StructuredProblem]) -> str | None:
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
    if reason is None and _largest(problem.distances) * problem.n >= largest:
        reason = f"distances up to {_largest(problem.distances):g} overflow {solver}'s integer costs"
    if reason is None and hasattr(problem, "capacity") and not float(problem.capacity) < EXACT_INT:
        reason = f"capacity {float(problem.capacity):g} is past {solver}'s integer loads (below 2^53); use {fallback}"
    return reason


#: integers every integer backend holds exactly: a float64's 53-bit mantissa, far within CP-SAT's,
#: PyVRP's and OR-Tools' int64 (so sums of a route or a schedule cannot overflow either)
EXACT_INT = 2.0**53
#: HiGHS refuses matrix values of 1e15 and more, and HiGHS and SCIP take 1e20 as infinity
MILP_LARGEST = 1e15


def _largest(values: Any) -> float:
    v = np.abs(np.asarray(values, dtype=float))
    return float(v.max()) if v.size else 0.0


def too_large_reason(solver: str, data: Iterable[tuple[str, Any]], largest: float, advice: str) -> str | None:
    """`"<what> reaches v, past <solver>'s range (below <largest>); <advice>"` for the first
    quantity whose magnitude reaches `largest`, None when all are within it."""
    for what, values in data:
        top = _largest(values)
        if not top < largest:
            return f"{what} reaches {top:g}, past {solver}'s range (below {largest:g}); {advice}"
    return None


def horizon(shop: Any) -> float:
    """A job shop's sum of durations, as a float (an int64 sum could wrap)."""
    return float(sum(float(d) for job in shop.jobs for _, d in job))


def structured_totals(problem: Any) -> list[tuple[str, float]]:
    """The largest totals a structured problem's integer model reaches: a tour or all routes
    (n x the longest distance), the capacity, a schedule's horizon, a knapsack's summed weights and values."""
    kind = getattr(problem, "kind", "")
    if kind in ("TSP", "CVRP"):
        totals = [("tour length (nodes x longest distance)", problem.n * _largest(problem.distances))]
        if kind == "CVRP":
            totals.append(("capacity", float(problem.capacity)))
        return totals
    if kind == "JobShop":
        return [("sum of durations", horizon(problem))]
    if kind == "Knapsack":
        with np.errstate(over="ignore"):
            return [
                ("sum of weights", float(np.sum(problem.weights))),
                ("sum of values", float(np.sum(problem.values))),
            ]
    return []


def milp_range_reason(problem: Any, solver: str) -> str | None:
    """A structured problem's MILP (`to_model`) within HiGHS's / SCIP's numbers: costs and matrix
    values (distances, weights, values, the capacity and the horizon as big-M) below `MILP_LARGEST`."""
    kind = getattr(problem, "kind", "")
    data: list[tuple[str, Any]] = []
    if kind in ("TSP", "CVRP"):
        data.append(("distances", problem.distances))
        if kind == "CVRP":
            data.append(("capacity", [problem.capacity]))
    elif kind == "JobShop":
        data.append(("sum of durations (the big-M)", [horizon(problem)]))
    elif kind == "Knapsack":
        data += [("weights", problem.weights), ("values", problem.values)]
    return too_large_reason(solver, data, MILP_LARGEST, "scale the data down")
