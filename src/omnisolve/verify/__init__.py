"""The certificate: recompute objective and every constraint from the problem and the returned
answer, and check what the claimed status is worth (`claims`); never trust the solver's own word.
A failed certificate turns the result into an error."""

from __future__ import annotations

from omnisolve.model import ProblemData, Sense
from omnisolve.problems import Problem, StructuredProblem
from omnisolve.result import Certificate, Optimality, Result, Status, Verdict
from omnisolve.verify.claims import assess, local_only
from omnisolve.verify.model_check import check_values
from omnisolve.verify.tolerances import Tolerances

__all__ = ["Certificate", "Optimality", "Tolerances", "certify", "verify"]


def certify(problem: Problem, result: Result, tol: Tolerances = Tolerances()) -> Certificate:
    """Check `result`'s answer against `problem` and return the certificate (does not modify it)."""
    if not result.status.has_solution:
        cert = Certificate(
            verdict=Verdict.NONE, tolerance=tol.feasibility, messages=[f"no solution to check ({result.status.value})"]
        )
        assess(problem, result, cert, tol)
        return cert
    if isinstance(problem, StructuredProblem):
        try:
            messages = problem.check(result.solution)
            objective = problem.evaluate(result.solution) if not messages else None
        except Exception as exc:  # a malformed solution must fail the check, never crash it
            messages, objective = [f"solution cannot be evaluated: {exc}"], None
        max_violation, integrality = (float("inf") if messages else 0.0), 0.0
    elif isinstance(problem, ProblemData):
        max_violation, integrality, objective, messages = check_values(problem, result.values, tol)
    else:
        raise TypeError(f"cannot verify a {type(problem).__name__}")
    objective_error = 0.0
    if objective is not None and result.objective is not None:
        objective_error = abs(result.objective - objective) / max(1.0, abs(objective))
        if not objective_error <= tol.objective:  # NaN fails too
            messages.append(f"solver reported objective {result.objective:.10g}, recomputed {objective:.10g}")
    if objective is not None and result.bound is not None:
        sign = 1.0 if getattr(problem, "sense", Sense.MIN) == Sense.MIN else -1.0
        if sign * (result.bound - objective) > tol.objective * max(1.0, abs(objective)):
            messages.append(f"bound {result.bound:.10g} is on the wrong side of objective {objective:.10g}")
    verdict = Verdict.FAIL if messages else Verdict.PASS
    cert = Certificate(
        verdict=verdict,
        objective=objective,
        max_violation=max_violation,
        integrality_violation=integrality,
        objective_error=objective_error,
        tolerance=tol.feasibility,
        messages=messages,
    )
    if verdict == Verdict.PASS:
        assess(problem, result, cert, tol)
    return cert


def verify(problem: Problem, result: Result, tol: Tolerances = Tolerances()) -> Result:
    """Attach the certificate; a failed one turns the result into `Status.ERROR`. An unproven
    "optimal" on a model that may have local optima becomes "feasible": a local optimum is
    not an optimum."""
    cert = certify(problem, result, tol)
    result.certificate = cert
    if cert.verdict == Verdict.FAIL:
        claimed = result.status.value
        result.status = Status.ERROR
        result.message = f"verification failed (solver claimed {claimed}): " + "; ".join(cert.messages)
        cert.optimality = Optimality.NONE
        return result
    if cert.objective is not None:
        result.objective = cert.objective
    if result.status == Status.FEASIBLE and cert.optimality == Optimality.PROVEN:
        result.status = Status.OPTIMAL  # the answer reaches a bound from the data
        result.message = f"proven optimal: {cert.evidence}"
    local_method = not result.extra.get("global_search", False)
    if (
        result.status == Status.OPTIMAL
        and cert.optimality != Optimality.PROVEN
        and local_method
        and local_only(problem)
    ):
        result.status = Status.FEASIBLE
        cert.evidence = "a local optimum: the model is not known to be convex, so no global claim is made"
        result.message = result.message or cert.evidence
    return result
