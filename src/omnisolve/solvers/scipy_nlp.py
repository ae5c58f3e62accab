"""SciPy backend: continuous LP, QP, QCP and NLP by local optimization with
`scipy.optimize.minimize` (SLSQP for small problems, trust-constr otherwise).

A success is a local optimum: it is reported optimal, with a bound, only when the problem is
provably convex (linear, or convex quadratic parts only), and feasible otherwise: a local
optimum is not an optimum (`solvers.continuous` decides, as for `ipopt`). `local_solve` runs
the search from a given start (`global-nlp` refines its best points with it without casadi).
"""

from __future__ import annotations

import functools
import warnings
from typing import Any, Callable

import numpy as np
import scipy.sparse as sp

from omnisolve.limits import Tracker
from omnisolve.model import ProblemData, Sense
from omnisolve.result import Result
from omnisolve.solvers.continuous import FEASIBILITY_TOL, LocalNlpSolver, LocalRun, LocalSearch, local_result
from omnisolve.verify.convexity import hessian

SLSQP_MAX_SIZE = 200  # variables + constraints up to which dense SLSQP is the faster choice


class ScipySolver(LocalNlpSolver):
    """SciPy minimize (SLSQP / trust-constr): continuous LP, QP, QCP and NLP, local optima

    `scipy.optimize.minimize` with bounds, linear, quadratic and nonlinear constraints."""

    name = "scipy"
    package = "scipy"

    def local_search(self, data: ProblemData) -> LocalSearch:
        return functools.partial(local_solve, data)


def local_solve(data: ProblemData, tracker: Tracker, x0: np.ndarray) -> Result:
    """A local search from `x0`: SLSQP for small problems (trust-constr when it fails),
    trust-constr otherwise, until converged or `tracker.should_stop()`."""
    small = data.num_variables + data.num_constraints <= SLSQP_MAX_SIZE
    logs: list[str] = []
    for method in ("SLSQP", "trust-constr") if small else ("trust-constr",):
        run = _minimize(data, method, tracker, x0)
        logs.append(run.log)
        if (run.success and run.feasible) or run.timed_out:
            break  # otherwise a failed SLSQP gets a second chance with trust-constr
    result = local_result(data, run)
    result.log = "\n".join(logs)
    return result


def max_violation(data: ProblemData) -> Callable[[np.ndarray], float]:
    """x -> the largest violation of a bound or constraint of `data` at x, relative to
    max(1, |side|) as the verifier measures it."""
    constraints = scipy_constraints(data, dense=False)
    return lambda x: _max_violation(x, data, constraints)


class _TimeUp(Exception):
    """Raised from inside scipy's iteration when the time limit has passed."""


def _minimize(data: ProblemData, method: str, tracker: Tracker, x0: np.ndarray) -> LocalRun:
    """Run `method` from `x0`; `tracker.should_stop()` (the time limit) is asked at every
    iteration and function evaluation (a single long factorization inside scipy can still
    overrun it)."""
    from scipy.optimize import Bounds, minimize

    # trust-constr takes sparse or dense Jacobians, not both: the quadratic and nonlinear rows' are dense
    dense = method == "SLSQP" or bool(data.quadratic_rows or data.nl_constraints)
    constraints = scipy_constraints(data, dense=dense)
    fun, jac, hess = objective_parts(data, 1.0 if data.sense == Sense.MIN else -1.0)
    last: dict[str, np.ndarray | None] = {"x": None}

    def watched(x: np.ndarray) -> float:
        if tracker.should_stop():
            raise _TimeUp
        return fun(x)

    def at_iteration(intermediate_result: Any) -> None:
        last["x"] = np.array(intermediate_result.x, dtype=float)
        if tracker.should_stop():
            raise StopIteration

    if method == "SLSQP":
        options, extra = {"maxiter": 1000, "ftol": 1e-10}, {}
    else:
        options, extra = {"maxiter": 5000, "xtol": 1e-10, "gtol": 1e-9}, {"hess": hess}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # e.g. trust-constr's "delta_grad == 0.0" notes
        try:
            res = minimize(
                watched,
                x0,
                jac=jac,
                bounds=Bounds(data.lb, data.ub),
                constraints=constraints,
                method=method,
                callback=at_iteration,
                options=options,
                **extra,
            )
            x, success, message = res.x, bool(res.success), str(res.message)
            timed_out = tracker.should_stop() and not success
            counts = f"nit={getattr(res, 'nit', '?')} nfev={res.nfev}"
        except _TimeUp:
            x, success, timed_out, message, counts = last["x"], False, True, "time limit reached", "stopped"
    x = None if x is None else np.asarray(x, dtype=float)
    feasible = x is not None and bool(np.isfinite(x).all()) and _max_violation(x, data, constraints) <= FEASIBILITY_TOL
    log = f"scipy.optimize.minimize method={method} {counts}: {message}"
    return LocalRun(method, x, success, feasible, timed_out, message, log)


def objective_parts(data: ProblemData, sign: float) -> tuple[Any, Any, Any]:
    """(fun, jac, hess) of sign * objective; finite differences for a callable without gradient."""
    from scipy.optimize import BFGS

    n = data.num_variables
    H = hessian(data.Q) if data.Q is not None else sp.csr_matrix((n, n))
    nl = data.nl_objective
    nl_grad = None if nl is None else nl.grad

    def fun(x: np.ndarray) -> float:
        return sign * data.objective_value(x)

    def jac(x: np.ndarray) -> np.ndarray:
        grad = data.c + H @ x
        if nl_grad is not None:
            grad = grad + np.asarray(nl_grad(x), dtype=float)
        return sign * grad

    if nl is not None:
        return fun, (jac if nl_grad is not None else "2-point"), BFGS()
    return fun, jac, lambda x: sign * H


def scipy_constraints(data: ProblemData, dense: bool) -> list[Any]:
    """Linear rows (`dense` for SLSQP, which works on dense Jacobians anyway, and beside the
    dense Jacobians of other rows), all quadratic rows as one vector constraint, then the
    nonlinear ones."""
    from scipy.optimize import BFGS, LinearConstraint, NonlinearConstraint

    out: list[Any] = []
    if data.A.shape[0]:
        out.append(LinearConstraint(data.A.toarray() if dense else data.A, data.row_lb, data.row_ub))
    if data.quadratic_rows:
        rows = data.quadratic_rows
        hs = [hessian(r.Q) for r in rows]

        def q_fun(x: np.ndarray) -> np.ndarray:
            return np.array([x @ (r.Q @ x) + r.a @ x for r in rows])

        def q_jac(x: np.ndarray) -> np.ndarray:
            return np.array([h @ x + r.a for h, r in zip(hs, rows)])

        def q_hess(x: np.ndarray, v: np.ndarray) -> sp.csr_matrix:
            return sum((vk * h for vk, h in zip(v, hs)), sp.csr_matrix(hs[0].shape))

        lb, ub = [r.lb for r in rows], [r.ub for r in rows]
        out.append(NonlinearConstraint(q_fun, lb, ub, jac=q_jac, hess=q_hess))
    for con in data.nl_constraints:
        out.append(NonlinearConstraint(con.fun, con.lb, con.ub, jac=con.jac or "2-point", hess=BFGS()))
    return out


def _max_violation(x: np.ndarray, data: ProblemData, constraints: list[Any]) -> float:
    """Largest relative violation of the bounds and of the constraints given to scipy."""
    from scipy.optimize import LinearConstraint

    parts = [_excess(x, data.lb, data.ub)]
    for con in constraints:
        value = con.A @ x if isinstance(con, LinearConstraint) else np.atleast_1d(np.asarray(con.fun(x), float))
        parts.append(_excess(value, np.broadcast_to(con.lb, value.shape), np.broadcast_to(con.ub, value.shape)))
    return float(max(p.max(initial=0.0) for p in parts))


def _excess(value: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        below = np.where(np.isfinite(lo), (lo - value) / np.maximum(1.0, np.abs(lo)), 0.0)
        above = np.where(np.isfinite(hi), (value - hi) / np.maximum(1.0, np.abs(hi)), 0.0)
    return np.maximum(np.maximum(below, above), 0.0)
