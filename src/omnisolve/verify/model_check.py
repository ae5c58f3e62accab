"""Check a value vector against `ProblemData` from the data alone: bounds, integrality, rows,
quadratic and nonlinear rows, and the objective. A semi-continuous or semi-integer variable
meets its bounds at 0 (within the feasibility tolerance) or within [lb, ub]; a semi-integer one
must also be integral (`integer_mask`)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np

from omnisolve.model import ProblemData
from omnisolve.verify.tolerances import Tolerances


def _excess(activity: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Violation of lo <= activity <= hi, relative to max(1, |violated side|)."""
    with np.errstate(invalid="ignore"):
        below = np.where(np.isfinite(lo), (lo - activity) / np.maximum(1.0, np.abs(lo)), 0.0)
        above = np.where(np.isfinite(hi), (activity - hi) / np.maximum(1.0, np.abs(hi)), 0.0)
    return np.maximum(np.maximum(below, above), 0.0)


def _worst(name: str, excess: np.ndarray, names: Sequence[str], tol: float, messages: list[str]) -> float:
    if excess.size == 0:
        return 0.0
    k = int(np.argmax(excess))
    worst = float(excess[k])
    if worst > tol:
        count = int((excess > tol).sum())
        messages.append(f"{count} {name} violated; worst {names[k]} by {worst:.3g}")
    return worst


def _violations(data: ProblemData, x: np.ndarray) -> Iterator[tuple[str, np.ndarray, Sequence[str]]]:
    """(what, relative violation of each, their names) for the bounds, the rows, the quadratic
    rows and each nonlinear constraint at `x`."""
    bounds = _excess(x, data.lb, data.ub)
    semi = data.semi_mask
    if semi.any():  # a semi-continuous / semi-integer variable may also be 0
        bounds[semi] = np.minimum(bounds[semi], np.abs(x[semi]))
    yield "bounds", bounds, data.var_names
    yield "rows", _excess(data.activity(x), data.row_lb, data.row_ub), data.row_names
    for row in data.quadratic_rows:
        act = np.array([x @ (row.Q @ x) + row.a @ x])
        yield "quadratic rows", _excess(act, np.array([row.lb]), np.array([row.ub])), [row.name]
    for con in data.nl_constraints:
        act = np.atleast_1d(np.asarray(con.fun(x), dtype=float))
        yield "nonlinear rows", _excess(act, con.lb, con.ub), [f"{con.name}[{k}]" for k in range(len(act))]


def most_violated(data: ProblemData, x: np.ndarray, count: int = 3) -> list[tuple[str, float]]:
    """The `count` largest relative violations at `x` of a bound ("bound of NAME") or a
    constraint (its name), worst first; [] when `x` violates nothing."""
    found: list[tuple[str, float]] = []
    for label, excess, names in _violations(data, np.asarray(x, dtype=float)):
        what = "bound of {}" if label == "bounds" else "{}"
        found += [(what.format(names[int(k)]), float(excess[k])) for k in np.flatnonzero(excess > 0)]
    return sorted(found, key=lambda item: -item[1])[:count]


def check_values(data: ProblemData, values: object, tol: Tolerances) -> tuple[float, float, float | None, list[str]]:
    """(max violation, integrality violation, recomputed objective, messages)."""
    messages: list[str] = []
    try:
        x = np.asarray(values, dtype=float) if values is not None else None
    except (TypeError, ValueError) as exc:  # a malformed answer fails the check, never crashes it
        return float("inf"), 0.0, None, [f"values are not numbers: {exc}"]
    if x is None or x.shape != (data.num_variables,):
        got = "nothing" if x is None else f"shape {x.shape}"
        return float("inf"), 0.0, None, [f"expected {data.num_variables} values, got {got}"]
    if not np.isfinite(x).all():
        return float("inf"), 0.0, None, ["solution contains NaN or infinite values"]
    worst = 0.0
    for label, excess, names in _violations(data, x):
        worst = max(worst, _worst(label, excess, names, tol.feasibility, messages))
    frac = np.abs(x - np.round(x)) * data.integer_mask
    integrality = _worst("integrality requirements", frac, data.var_names, tol.integrality, messages)
    return worst, integrality, data.objective_value(x), messages
