"""Optimality, infeasibility and unboundedness evidence checked from the data alone.

A backend's word is not proof. These functions take the multipliers or directions a backend
returned (or any other source) and recompute what they prove from `ProblemData` only:

- `dual_bound(data, y)`: weak duality. For *any* row multipliers y, the reduced costs
  d = c - A'y give the bound  c'x >= sum_i min(y_i l_i, y_i u_i) + sum_j min(d_j lb_j, d_j ub_j)
  over the box and the rows (a maximization is handled by negation). It holds for the LP
  relaxation, hence for a MILP too; it is tight only for the LP's optimal duals. A convex
  quadratic objective is linearized at the answer (f(x) >= f(x*) + grad f(x*)'(x - x*)).
- `farkas_margin(data, y)`: y'Ax lies in [L, inf) by the rows and in (-inf, U] by the box; L > U
  proves that no x satisfies both (the LP relaxation is infeasible, so the MILP is too).
- `ray_residual(data, r)`: r keeps every row and bound satisfied along x + t r and improves the
  objective; with a feasible point this proves unboundedness (for a MILP with rational data too).

Multipliers that meet an infinite side are allowed only when tiny (round-off): they are set to
0 before anything is computed from them, so the bound holds for the multipliers used; their
size is reported as the residual. Reduced costs that meet an infinite variable bound are
dropped under the same tolerance.
"""

from __future__ import annotations

import numpy as np

from omnisolve.model import ProblemData, Sense

DUAL_TOL = 1e-7  # relative to max(1, |c|_inf): largest multiplier allowed against an infinite side
RAY_TOL = 1e-9  # on the ray normalized to max |r_j| = 1


def _box(data: ProblemData) -> tuple[np.ndarray, np.ndarray]:
    """The variables' box, widened to include 0 for semi-continuous variables (x = 0 or in [lb, ub])."""
    semi = getattr(data, "semi_mask", None)
    if semi is None or not np.any(semi):
        return data.lb, data.ub
    return np.where(semi, np.minimum(data.lb, 0.0), data.lb), np.where(semi, np.maximum(data.ub, 0.0), data.ub)


def _clean(coef: np.ndarray, lo: np.ndarray, hi: np.ndarray, tol: float) -> tuple[np.ndarray | None, float]:
    """`coef` with the entries that meet an infinite side set to 0 when all are at most `tol`
    (round-off; their largest size is the residual), else None. Zeroing them before anything
    is computed from `coef` keeps the bound valid for the multipliers actually used."""
    open_side = ((coef > 0) & ~np.isfinite(lo)) | ((coef < 0) & ~np.isfinite(hi))
    residual = float(np.abs(coef[open_side]).max()) if open_side.any() else 0.0
    if residual > tol:
        return None, residual
    return np.where(open_side, 0.0, coef), residual


def _min_over(coef: np.ndarray, lo: np.ndarray, hi: np.ndarray, tol: float) -> tuple[float, float]:
    """(min of sum coef_k t_k over lo <= t <= hi, residual): a coefficient that meets an infinite
    side counts as 0 when |coef| <= tol (its size is the residual), else the minimum is -inf."""
    side = np.where(coef > 0, lo, np.where(coef < 0, hi, 0.0))
    open_side = ~np.isfinite(side) & (coef != 0)
    residual = float(np.abs(coef[open_side]).max()) if open_side.any() else 0.0
    if residual > tol:
        return -np.inf, residual
    terms = np.where(open_side | (coef == 0), 0.0, coef * np.where(np.isfinite(side), side, 0.0))
    return float(terms.sum()), residual


def dual_bound(data: ProblemData, y: np.ndarray, x: np.ndarray | None = None) -> tuple[float, float]:
    """(bound on the optimum in the user's sense, dual residual) from row multipliers `y` (with
    reduced costs c - A'y, HiGHS's convention). With a quadratic objective, `x` is the point at
    which it is linearized (the answer); the bound is valid only for a convex objective."""
    sign = 1.0 if data.sense == Sense.MIN else -1.0
    y = sign * np.asarray(y, dtype=float)
    if y.shape != (data.A.shape[0],) or not np.isfinite(y).all():
        return -sign * np.inf, np.inf
    c, const = sign * np.asarray(data.c, dtype=float), sign * data.c0
    if data.Q is not None and data.Q.nnz:
        if x is None:
            return -sign * np.inf, np.inf
        x = np.asarray(x, dtype=float)
        quad = float(x @ (data.Q @ x))
        grad = data.c + (data.Q + data.Q.T) @ x
        # f(x') >= f(x) + grad'(x' - x) = (c0 + c'x + x'Qx - grad'x) + grad'x'
        const = sign * (data.c0 + float(data.c @ x) + quad - float(grad @ x))
        c = sign * grad
    tol = DUAL_TOL * max(1.0, float(np.abs(c).max(initial=0.0)))
    used, row_residual = _clean(y, data.row_lb, data.row_ub, tol)
    if used is None:
        return -sign * np.inf, row_residual
    rows, _ = _min_over(used, data.row_lb, data.row_ub, tol)
    lb, ub = _box(data)
    cols, col_residual = _min_over(c - data.A.T @ used, lb, ub, tol)
    return sign * (rows + cols + const), max(row_residual, col_residual)


def farkas_margin(data: ProblemData, y: np.ndarray) -> float:
    """How far the rows' lower bound on y'Ax exceeds the box's upper bound on it (either sign of
    `y` is tried); a positive margin proves the linear relaxation infeasible."""
    y = np.asarray(y, dtype=float)
    scale = float(np.abs(y).max(initial=0.0))
    if not np.isfinite(scale) or scale == 0 or y.shape != (data.A.shape[0],):
        return -np.inf
    lb, ub = _box(data)
    best = -np.inf
    for z in (y / scale, -y / scale):
        used, _ = _clean(z, data.row_lb, data.row_ub, RAY_TOL)
        if used is None:
            continue
        low, _ = _min_over(used, data.row_lb, data.row_ub, RAY_TOL)
        neg_high, _ = _min_over(-(data.A.T @ used), lb, ub, RAY_TOL)
        best = max(best, (low + neg_high) / max(1.0, abs(low)))
    return best


def ray_residual(data: ProblemData, r: np.ndarray) -> tuple[float, float]:
    """(cone violation, objective slope) of a direction `r` normalized to max |r_j| = 1: the
    violation must be ~0 and the slope negative (for the user's sense) for r to be a ray along
    which the linear objective improves without end."""
    r = np.asarray(r, dtype=float)
    scale = float(np.abs(r).max(initial=0.0))
    if not np.isfinite(scale) or scale == 0 or r.shape != (data.num_variables,):
        return np.inf, 0.0
    r = r / scale
    lb, ub = _box(data)
    ar = data.A @ r
    violation = max(
        float(np.max(np.where(np.isfinite(lb), -r, 0.0), initial=0.0)),
        float(np.max(np.where(np.isfinite(ub), r, 0.0), initial=0.0)),
        float(np.max(np.where(np.isfinite(data.row_lb), -ar, 0.0), initial=0.0)),
        float(np.max(np.where(np.isfinite(data.row_ub), ar, 0.0), initial=0.0)),
    )
    sign = 1.0 if data.sense == Sense.MIN else -1.0
    return violation, sign * float(data.c @ r)
