"""Augmented Lagrangian backend (`alm`): continuous models with many equality rows, and rows whose
Jacobian is rank-deficient at the answer, by a sequence of bound-constrained subproblems.

Every row lo <= c(x) <= hi (linear, quadratic, nonlinear; an equality has lo = hi) moves into the
objective through the Powell-Hestenes-Rockafellar augmented Lagrangian

    L(x; lam, rho) = f(x) + rho/2 * |w - P(w)|^2,   w = c(x) + lam / rho,   P: projection on [lo, hi]

and each subproblem, min L over the variables' bounds only, goes to L-BFGS-B. After each, the
multipliers become rho (w - P(w)) (safeguarded), and rho grows tenfold when the rows' violation
(with complementarity) did not halve (Birgin and Martinez, *Practical Augmented Lagrangian
Methods for Constrained Optimization*, SIAM 2014, the outer loop of ALGENCAN). No step solves a
system with the rows' Jacobian, so redundant or degenerate equalities (x1 * x2 = 0 at the
origin, a row given twice) cost nothing, where a Newton-type method needs a regular Jacobian.

Rows are scaled as the verifier measures them (by 1 / max(1, |side|)) and, as IPOPT scales,
a row or the objective steeper than GRADIENT_SCALE at the start down to it; a variable with two
finite bounds is searched on [0, 1]. Callables without a gradient are differenced centrally.
A converged run is a local optimum, feasible unless the model is known convex
(`solvers.continuous`), like the `scipy` and `ipopt` backends."""

from __future__ import annotations

import functools
import warnings
from typing import Any

import numpy as np

from omnisolve.limits import Tracker
from omnisolve.model import ProblemData, Sense
from omnisolve.result import Result
from omnisolve.solvers.continuous import FEASIBILITY_TOL, LocalNlpSolver, LocalRun, LocalSearch, local_result
from omnisolve.solvers.scipy_nlp import max_violation, objective_parts, scipy_constraints

OUTER = 60  # most subproblems
RHO_GROWTH, DECREASE = 10.0, 0.5  # rho x10 unless the violation fell to half
RHO_FIRST, RHO_MAX, LAM_MAX = 10.0, 1e12, 1e12
TOLERANCE = 1e-8  # on the rows' violation in the verifier's unit, below its 1e-6
GRADIENT_SCALE = 100.0  # a row or objective steeper than this at the start is scaled down to it
GRADIENT_TOLERANCE = 1e-6  # L-BFGS-B's projected gradient of the last subproblem
DIFF_STEP = 6e-6  # relative central-difference step, about the cube root of machine epsilon
DIVERGED = 1e10  # a point this far out: the objective falls without bound along the search


class AlmSolver(LocalNlpSolver):
    """augmented Lagrangian (PHR) with L-BFGS-B subproblems: continuous NLP with many or
    degenerate equality rows, local optima

    Every row moves into the objective with its multiplier and a penalty; only the bounds stay
    constraints, so no step needs a regular Jacobian of the rows."""

    name = "alm"
    package = "scipy"

    def local_search(self, data: ProblemData) -> LocalSearch:
        return functools.partial(local_solve, data)


def local_solve(data: ProblemData, tracker: Tracker, x0: np.ndarray) -> Result:
    """One augmented Lagrangian run from `x0` until converged, OUTER subproblems, or
    `tracker.should_stop()`."""
    x0 = np.clip(np.asarray(x0, dtype=float), data.lb, data.ub)
    run = _run(data, _Rows(data, x0), tracker, x0)
    result = local_result(data, run)
    result.log = run.log
    return result


class _Rows:
    """The model's rows as one scaled vector function c(x) in [lo, hi], with J(x)' v."""

    def __init__(self, data: ProblemData, x0: np.ndarray):
        """The rows' sizes are those of their values at `x0`."""
        from scipy.optimize import LinearConstraint

        self.parts = scipy_constraints(data, dense=False)
        self.linear = [isinstance(p, LinearConstraint) for p in self.parts]
        sizes = [len(v) for v in self._values(x0)]
        lo = [np.broadcast_to(np.asarray(p.lb, float), (k,)) for p, k in zip(self.parts, sizes)]
        hi = [np.broadcast_to(np.asarray(p.ub, float), (k,)) for p, k in zip(self.parts, sizes)]
        self.lo = np.concatenate(lo) if lo else np.zeros(0)
        self.hi = np.concatenate(hi) if hi else np.zeros(0)
        side = np.fmax(
            np.where(np.isfinite(self.lo), np.abs(self.lo), 0.0), np.where(np.isfinite(self.hi), np.abs(self.hi), 0.0)
        )
        self.cuts = np.cumsum([0] + sizes)
        self.scale = 1.0 / np.maximum(1.0, side)  # the verifier's unit: relative to max(1, |side|)
        # and, as IPOPT scales, a row whose gradient at x0 is steeper than GRADIENT_SCALE is
        # scaled down to it; `unit` turns a scaled violation back into the verifier's unit
        self.unit = np.minimum(1.0, GRADIENT_SCALE / np.maximum(self._steepness(x0), 1e-300))
        self.scale = self.scale * self.unit
        self.lo, self.hi = self.lo * self.scale, self.hi * self.scale

    def _steepness(self, x: np.ndarray) -> np.ndarray:
        """Each row's largest partial derivative at `x`, in the verifier's unit: read from the
        matrix or the Jacobian where there is one, else by a central difference along each
        variable (2n calls of the callable, once per run)."""
        parts = []
        for k, (p, lin) in enumerate(zip(self.parts, self.linear)):
            size = int(self.cuts[k + 1] - self.cuts[k])
            if lin:
                parts.append(abs(p.A).max(axis=1).toarray().ravel() if p.A.shape[1] else np.zeros(size))
            elif callable(p.jac):
                parts.append(np.max(np.abs(np.atleast_2d(np.asarray(p.jac(x), float))), axis=1, initial=0.0))
            else:
                steps = [np.abs(self._differenced_along(p, x, e)) for e in np.eye(len(x))]
                parts.append(np.max(steps, axis=0) if steps else np.zeros(size))
        return (np.concatenate(parts) if parts else np.zeros(0)) * self.scale

    @staticmethod
    def _differenced_along(part: Any, x: np.ndarray, d: np.ndarray) -> np.ndarray:
        """A central difference of a callable part along the direction d."""
        h = DIFF_STEP * max(1.0, float(np.max(np.abs(x), initial=0.0)))
        up = np.atleast_1d(np.asarray(part.fun(x + h * d), float))
        down = np.atleast_1d(np.asarray(part.fun(x - h * d), float))
        return (up - down) / (2 * h)

    def __len__(self) -> int:
        return len(self.lo)

    def value(self, x: np.ndarray) -> np.ndarray:
        values = self._values(x)
        return (np.concatenate(values) if values else np.zeros(0)) * self.scale

    def _values(self, x: np.ndarray) -> list[np.ndarray]:
        return [
            p.A @ x if lin else np.atleast_1d(np.asarray(p.fun(x), float)) for p, lin in zip(self.parts, self.linear)
        ]

    def vjp(self, x: np.ndarray, v: np.ndarray) -> np.ndarray:
        """J(x)' v of the scaled rows (finite differences of v' c for a callable without a Jacobian)."""
        v = v * self.scale
        total = np.zeros(len(x))
        for k, (p, lin) in enumerate(zip(self.parts, self.linear)):
            vk = v[self.cuts[k] : self.cuts[k + 1]]
            if not vk.any():
                continue
            if lin:
                total += p.A.T @ vk
            elif callable(p.jac):
                total += np.asarray(p.jac(x), float).T @ vk
            else:
                total += _differenced(lambda y, p=p, vk=vk: float(vk @ np.atleast_1d(np.asarray(p.fun(y), float))), x)
        return total

    def excess(self, c: np.ndarray) -> np.ndarray:
        """How far each scaled row is outside [lo, hi]."""
        return np.maximum(np.maximum(self.lo - c, c - self.hi), 0.0)


def _differenced(fun: Any, x: np.ndarray) -> np.ndarray:
    """Central differences of a scalar function, a relative step per coordinate (forward
    differences' error, sqrt(eps) relative, stalls L-BFGS-B's line search near the answer)."""
    grad = np.empty(len(x))
    for i in range(len(x)):
        h = DIFF_STEP * max(1.0, abs(x[i]))
        up, down = x.copy(), x.copy()
        up[i] += h
        down[i] -= h
        grad[i] = (fun(up) - fun(down)) / (2 * h)
    return grad


class _TimeUp(Exception):
    """Raised from inside L-BFGS-B when the time limit has passed."""


def _run(data: ProblemData, rows: _Rows, tracker: Tracker, x: np.ndarray) -> LocalRun:
    """The outer loop (module docstring); the answer is the last subproblem's point."""
    from scipy.optimize import minimize

    fun, jac, _ = objective_parts(data, 1.0 if data.sense == Sense.MIN else -1.0)
    gradient = jac if callable(jac) else functools.partial(_differenced, fun)
    f_scale = min(1.0, GRADIENT_SCALE / max(float(np.max(np.abs(gradient(x)), initial=0.0)), 1e-300))
    lam = np.zeros(len(rows))
    c = rows.value(x)
    # ALGENCAN's first penalty, at most RHO_FIRST: a steep first subproblem (hs106: rho 1e5)
    # stalls L-BFGS-B's line search, and rho grows as the violation asks
    spread = max(1.0, 0.5 * float(np.sum(rows.excess(c) ** 2)))
    rho = float(np.clip(10 * max(1.0, abs(fun(x) * f_scale)) / spread, 1e-8, RHO_FIRST))
    previous, logs, converged, timed_out, diverged = np.inf, [], False, False, False
    # the subproblems search z, a variable with two finite bounds mapped onto [0, 1] (hs106's
    # range from 10 to 10,000 makes L-BFGS-B's steps ill-conditioned otherwise), x = offset + span z
    boxed = np.isfinite(data.lb) & np.isfinite(data.ub) & (data.ub > data.lb)
    span, offset = np.where(boxed, data.ub - data.lb, 1.0), np.where(boxed, data.lb, 0.0)
    bounds = [
        (0.0, 1.0) if box else (lo if np.isfinite(lo) else None, hi if np.isfinite(hi) else None)
        for box, lo, hi in zip(boxed, data.lb, data.ub)
    ]

    def lagrangian(z: np.ndarray) -> tuple[float, np.ndarray]:
        if tracker.should_stop():
            raise _TimeUp
        y = offset + span * z
        w = rows.value(y) + lam / rho
        shift = w - np.clip(w, rows.lo, rows.hi)
        value = f_scale * fun(y) + 0.5 * rho * float(shift @ shift)
        return value, span * (f_scale * gradient(y) + rows.vjp(y, rho * shift))

    for outer in range(OUTER):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                sub = minimize(
                    lagrangian, (x - offset) / span, jac=True, method="L-BFGS-B", bounds=bounds,
                    options={"maxiter": 2000, "gtol": GRADIENT_TOLERANCE, "ftol": 1e-15, "maxcor": 20, "maxls": 50},
                )  # fmt: skip
        except _TimeUp:
            timed_out = True
            break
        found = np.clip(offset + span * np.asarray(sub.x, float), data.lb, data.ub)
        moved = float(np.max(np.abs(found - x), initial=0.0))
        x = found
        if not np.all(np.abs(x) < DIVERGED):  # an unbounded problem's path: no optimum to claim
            diverged = True
            break
        c = rows.value(x)
        w = c + lam / rho
        lam = np.clip(rho * (w - np.clip(w, rows.lo, rows.hi)), -LAM_MAX, LAM_MAX)
        # violation with complementarity: zero iff x is feasible and each multiplier is on its side
        measure = float(np.max(np.abs(c - np.clip(c + lam / rho, rows.lo, rows.hi)) / rows.unit, initial=0.0))
        outside = float(np.max(rows.excess(c) / rows.unit, initial=0.0))
        logs.append(f"{outer}: rho={rho:.3g} violation={outside:.3g} {sub.message}")
        # converged: feasible and complementary, and the subproblem's stationarity reached or no
        # step left (its line search fails where differenced gradients are as good as they get)
        if measure <= TOLERANCE and (sub.success or moved <= 1e-12 * (1.0 + float(np.max(np.abs(x), initial=0.0)))):
            converged = True
            break
        if measure > DECREASE * previous:
            rho = min(RHO_MAX, RHO_GROWTH * rho)
        previous = measure
    feasible = bool(np.isfinite(x).all()) and max_violation(data)(x) <= FEASIBILITY_TOL
    why = (
        "converged"
        if converged
        else "time limit reached"
        if timed_out
        else f"a variable passed {DIVERGED:g}: the objective may fall without bound"
        if diverged
        else f"no convergence in {OUTER} subproblems"
    )
    log = f"augmented Lagrangian (L-BFGS-B subproblems), {len(logs)} subproblems: {why}\n" + "\n".join(logs)
    return LocalRun("ALM", x, converged, feasible, timed_out, why, log)
