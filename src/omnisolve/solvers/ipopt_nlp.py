"""IPOPT backend through CasADi (which bundles IPOPT 3.14 with MUMPS): continuous LP, QP, QCP and
NLP by a primal-dual interior-point local search (the model's form for it: `casadi_nlp`).

Like the `scipy` backend, a converged run is a local optimum: optimal, with a bound, only on a
model known to be convex (then an LP's or QP's row multipliers go along as duals, which the
verifier checks), feasible otherwise. IPOPT's "Infeasible_Problem_Detected" means it converged
to a point of locally least infeasibility, which proves nothing on a nonconvex model: the result
is an error naming the most violated constraints there, and `infeasible` only when the model's
rows are linear and IPOPT's multipliers make a Farkas certificate that checks from the data.
The time limit is IPOPT's `max_wall_time`, and every iteration asks `Tracker.should_stop()`
(`Limits.stop`); a single evaluation of a slow callable can still overrun it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from omnisolve.limits import Tracker
from omnisolve.model import ProblemData, Sense
from omnisolve.result import Result, Status
from omnisolve.solvers.continuous import FEASIBILITY_TOL, LocalNlpSolver, LocalRun, LocalSearch, local_result
from omnisolve.verify.model_check import most_violated
from omnisolve.verify.optimality import farkas_margin

if TYPE_CHECKING:
    from omnisolve.solvers.casadi_nlp import Run

STOPPED = {"Maximum_WallTime_Exceeded", "Maximum_CpuTime_Exceeded", "User_Requested_Stop"}
INFEASIBLE = "Infeasible_Problem_Detected"


class IpoptSolver(LocalNlpSolver):
    """IPOPT through CasADi (interior point): continuous LP, QP, QCP and NLP, local optima

    IPOPT via `casadi.nlpsol`, exact derivatives for the algebraic parts, finite differences
    (and an L-BFGS Hessian) for Python callables without a gradient."""

    name = "ipopt"
    package = "casadi"

    def local_search(self, data: ProblemData) -> LocalSearch:
        """IPOPT from each x0 it is given until converged, the time limit or
        `tracker.should_stop()`. The NLP is built at the first call (calling each nonlinear
        constraint at its x0) and kept for the later starts."""
        from omnisolve.solvers import casadi_nlp

        built: list[casadi_nlp.Nlp] = []

        def search(tracker: Tracker, x0: np.ndarray) -> Result:
            x0 = np.asarray(x0, dtype=float)
            try:
                if not built:
                    built.append(casadi_nlp.build(data, x0))
                run = built[0].solve(x0, tracker.search_remaining(), tracker.should_stop)
            except Exception as exc:  # CasADi refusing the problem, or a failure inside IPOPT
                return Result(Status.ERROR, message=f"IPOPT failed: {type(exc).__name__}: {exc}")
            return _result(data, run, built[0].errors, tracker)

        return search


def _result(data: ProblemData, run: Run, errors: list[str], tracker: Tracker) -> Result:
    """The `Result` of one IPOPT run (see the module's docstring for what each ending is worth)."""
    x = run.x if np.isfinite(run.x).all() else None
    feasible = x is not None and _violation(data, x) <= FEASIBILITY_TOL
    message = run.status
    if run.status == INFEASIBLE:
        message += " (IPOPT's claim: it converged to a point of locally least infeasibility; not a proof)"
    if errors:
        message += f"; the model's callable failed {len(errors)} times, last: {errors[-1]}"
    timed_out = run.status in STOPPED or (not run.success and tracker.should_stop())
    log = f"IPOPT (CasADi) {run.status}: {run.iterations} iterations"
    local = LocalRun("IPOPT", x, run.success, feasible, timed_out, message, log)
    result = local_result(data, local)
    result.log = log
    lam = run.lam_g[: data.A.shape[0]]
    linear_rows = not data.is_nonlinear and not data.quadratic_rows
    if result.status == Status.OPTIMAL and linear_rows:
        result.duals = lam if data.sense == Sense.MAX else -lam  # HiGHS's convention, the user's sense
    elif run.status == INFEASIBLE and linear_rows and farkas_margin(data, lam) > FEASIBILITY_TOL:
        result = Result(Status.INFEASIBLE, ray=lam, message="IPOPT's multipliers prove the rows infeasible", log=log)
    return result


def _violation(data: ProblemData, x: np.ndarray) -> float:
    """The largest relative violation at x; infinite when the model's callables fail there (a
    point whose objective cannot be computed is no answer either)."""
    try:
        worst = most_violated(data, x, 1)
        if not np.isfinite(data.objective_value(x)):
            return float("inf")
    except Exception:
        return float("inf")
    return worst[0][1] if worst else 0.0
