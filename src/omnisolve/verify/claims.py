"""What a result's status claim is worth: proven from the data, or only claimed.

`assess` fills the optimality part of a `Certificate` from the problem and the evidence the
backend returned (`Result.duals`, `Result.ray`); it never takes a solver's word for a bound.
Claims it cannot prove stay `claimed`; `omnisolve.portfolio.crosscheck` may then confirm or
refute them with an independent solver.
"""

from __future__ import annotations

import numpy as np

from omnisolve.model import ProblemData, Sense
from omnisolve.problems import Problem
from omnisolve.result import Certificate, Optimality, Result, Status
from omnisolve.verify.convexity import is_convex
from omnisolve.verify.model_check import check_values
from omnisolve.verify.optimality import RAY_TOL, dual_bound, farkas_margin, ray_residual
from omnisolve.verify.structured_bounds import data_bound
from omnisolve.verify.tolerances import Tolerances


def closes(objective: float, bound: float, sense: Sense, tol: float) -> bool:
    """The bound reaches the objective (for the sense) within `tol` relative."""
    sign = 1.0 if sense == Sense.MIN else -1.0
    return bool(np.isfinite(bound)) and sign * (objective - bound) <= tol * max(1.0, abs(objective))


def local_only(data: Problem) -> bool:
    """A model whose optima may be merely local: callables, or a nonconvex quadratic part."""
    return isinstance(data, ProblemData) and (data.is_nonlinear or bool(data.quadratic_rows) or not is_convex(data))


def assess(problem: Problem, result: Result, cert: Certificate, tol: Tolerances) -> None:
    """Set `cert.optimality`, `bound`, `evidence` and `residual` for `result`'s claim (a
    feasible answer that reaches a bound computed from the data is proven optimal)."""
    claim = result.status
    if claim.has_solution and cert.objective is not None:
        _bound_from_data(problem, cert.objective, cert, tol)
        if cert.optimality == Optimality.PROVEN:  # a feasible answer can be proven optimal too
            return
    if claim not in (Status.OPTIMAL, Status.INFEASIBLE, Status.UNBOUNDED):
        cert.optimality = Optimality.NONE
        return
    cert.optimality = Optimality.CLAIMED
    cert.evidence = f"{claim.value} is {result.solver or 'the solver'}'s claim; no certificate was checked"
    if not isinstance(problem, ProblemData) or problem.is_nonlinear or problem.quadratic_rows:
        return
    if claim == Status.OPTIMAL and result.duals is not None and cert.objective is not None:
        _check_duals(problem, result.duals, result.values, cert.objective, cert, tol)
    elif claim == Status.INFEASIBLE and result.ray is not None:
        margin = farkas_margin(problem, result.ray)
        if margin > tol.feasibility:
            cert.optimality = Optimality.PROVEN
            cert.evidence = f"Farkas ray checked from the data (margin {margin:.3g})"
    elif claim == Status.UNBOUNDED and result.ray is not None:
        _check_ray(problem, result, result.ray, cert, tol)


def _bound_from_data(problem: Problem, objective: float, cert: Certificate, tol: Tolerances) -> None:
    """A structured problem's own bound: certified whatever the claim, proof when it is reached."""
    found = data_bound(problem, objective)
    if found is None:
        return
    bound, how = found
    sense = problem.sense
    if not np.isfinite(bound) or not closes(bound, objective, sense, tol.objective):
        return  # a bound past a verified answer would be a bug; certify nothing
    cert.bound = bound
    if closes(objective, bound, sense, tol.objective):
        cert.optimality = Optimality.PROVEN
        cert.evidence = f"{how}: {bound:.10g}"


def _check_duals(
    data: ProblemData,
    duals: np.ndarray,
    values: np.ndarray | None,
    objective: float,
    cert: Certificate,
    tol: Tolerances,
) -> None:
    if data.Q is not None and data.Q.nnz and not is_convex(data):
        return
    bound, residual = dual_bound(data, duals, values)
    cert.residual = residual
    if np.isfinite(bound):
        cert.bound = bound  # weak duality: valid whatever the multipliers
    if closes(objective, bound, data.sense, tol.objective):
        cert.optimality = Optimality.PROVEN
        cert.evidence = f"dual certificate checked from the data (bound {bound:.10g}, dual residual {residual:.2g})"


def _check_ray(data: ProblemData, result: Result, ray: np.ndarray, cert: Certificate, tol: Tolerances) -> None:
    if data.Q is not None and data.Q.nnz:
        return  # a quadratic objective may turn along the ray
    violation, slope = ray_residual(data, ray)
    cert.residual = violation
    if result.values is None or violation > RAY_TOL or slope >= -RAY_TOL:
        return
    if check_values(data, result.values, tol)[3]:
        return
    cert.optimality = Optimality.PROVEN
    cert.evidence = (
        f"primal ray checked from the data (objective slope {slope:.3g}, cone violation {violation:.2g}) "
        "from a verified feasible point"
    )
