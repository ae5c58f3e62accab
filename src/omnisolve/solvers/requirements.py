"""Shared checks behind backends' `unsupported_reason`: data that must be integral, and numbers a
backend's integer or floating-point arithmetic cannot represent (refused in one line, never an
OverflowError or a pybind11 cast error)."""

from __future__ import annotations

from typing import Any, Iterable

import numpy as np

from omnisolve.problems import CVRP, TSP, JobShop, Knapsack, Problem, StructuredProblem


def non_integer_reason(solver: str, data: Iterable[tuple[str, np.ndarray]], fallback: str) -> str | None:
    """`"<solver> needs integer <what> (found v); use <fallback>"` for the first array holding a
    fractional value, None when all are integral."""
    for what, values in data:
        values = np.asarray(values)
        bad = np.flatnonzero(values != np.round(values))
        if bad.size:
            return f"{solver} needs integer {what} (found {values.flat[bad[0]]:g}); use {fallback}"
    return None


def kind_reason(problem: Problem, *classes: type[StructuredProblem]) -> str | None:
    """`"solves TSP and CVRP only, not MILP"` unless `problem` is one of `classes`."""
    if isinstance(problem, classes):
        return None
    what = getattr(problem, "kind", "") or type(problem).__name__
    return f"solves {' and '.join(c.kind for c in classes)} only, not {what}"


def asymmetric_reason(problem: Problem, fallback: str) -> str | None:
    """Why a backend for symmetric routing refuses an asymmetric TSP or CVRP; None for every
    other problem."""
    if isinstance(problem, (TSP, CVRP)) and not problem.symmetric:
        return f"needs symmetric distances (this {problem.kind} is asymmetric); use {fallback}"
    return None


def matrix_reason(problem: Problem) -> str | None:
    """Why a backend that needs the full distance matrix refuses `problem`: a TSP too large to
    hold one (`TSP.matrix_reason`); None for every other problem."""
    return problem.matrix_reason() if isinstance(problem, TSP) else None


def routing_data_reason(problem: Problem, solver: str, largest: float, fallback: str) -> str | None:
    """Routing engines with integer arc costs: the distance matrix, integral distances (and
    demands, capacity for a CVRP), and no tour length that could overflow `largest`; None for
    a problem that is neither a TSP nor a CVRP."""
    if not isinstance(problem, (TSP, CVRP)):
        return None
    reason = matrix_reason(problem)
    if reason is not None:
        return reason
    data: list[tuple[str, Any]] = [("distances", problem.distances)]
    if isinstance(problem, CVRP):
        data += [("demands", problem.demands), ("capacity", [problem.capacity])]
    reason = non_integer_reason(solver, data, fallback)
    if reason is None and _largest(problem.distances) * problem.n >= largest:
        reason = f"distances up to {_largest(problem.distances):g} overflow {solver}'s integer costs"
    if reason is None and isinstance(problem, CVRP) and not float(problem.capacity) < EXACT_INT:
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


def horizon(shop: JobShop) -> float:
    """A job shop's sum of durations, as a float (an int64 sum could wrap)."""
    return float(sum(float(d) for job in shop.jobs for _, d in job))


def structured_totals(problem: Problem) -> list[tuple[str, float]]:
    """The largest totals a structured problem's integer model reaches: a tour or all routes
    (n x the longest distance), the capacity, a schedule's horizon, a knapsack's summed weights
    and values; none for a model."""
    if isinstance(problem, (TSP, CVRP)):
        totals = [("tour length (nodes x longest distance)", problem.n * _largest(problem.distances))]
        if isinstance(problem, CVRP):
            totals.append(("capacity", float(problem.capacity)))
        return totals
    if isinstance(problem, JobShop):
        return [("sum of durations", horizon(problem))]
    if isinstance(problem, Knapsack):
        with np.errstate(over="ignore"):
            return [
                ("sum of weights", float(np.sum(problem.weights))),
                ("sum of values", float(np.sum(problem.values))),
            ]
    return []


def milp_range_reason(problem: StructuredProblem, solver: str) -> str | None:
    """A structured problem's MILP (`to_model`) within HiGHS's / SCIP's numbers: costs and matrix
    values (distances, weights, values, the capacity and the horizon as big-M) below `MILP_LARGEST`;
    a TSP's model needs its distance matrix."""
    reason = matrix_reason(problem)
    if reason is not None:
        return reason
    data: list[tuple[str, Any]] = []
    if isinstance(problem, (TSP, CVRP)):
        data.append(("distances", problem.distances))
        if isinstance(problem, CVRP):
            data.append(("capacity", [problem.capacity]))
    elif isinstance(problem, JobShop):
        data.append(("sum of durations (the big-M)", [horizon(problem)]))
    elif isinstance(problem, Knapsack):
        data += [("weights", problem.weights), ("values", problem.values)]
    return too_large_reason(solver, data, MILP_LARGEST, "scale the data down")
