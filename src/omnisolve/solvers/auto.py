"""The rule-based `auto` choice of a backend, used until (and beside) the learned selector."""

from __future__ import annotations

from typing import Any

from omnisolve.errors import UnsupportedError
from omnisolve.model import ProblemData
from omnisolve.problems.base import StructuredProblem
from omnisolve.solvers import registry
from omnisolve.solvers.base import SolverInterface
from omnisolve.solvers.scipy_nlp import is_convex


def preferences(problem: Any) -> list[str]:
    """Backend names to try in order, by problem class:
    structured problems -> cpsat (exact, fast on these), else highs on their MILP (e.g. a CVRP
    too large for CP-SAT); nonlinear or quadratically constrained -> scipy (continuous only);
    non-convex continuous QP -> scipy (local optimum); LP, MILP, convex QP -> highs."""
    if isinstance(problem, StructuredProblem):
        return ["cpsat", "highs"]
    if not isinstance(problem, ProblemData):
        raise UnsupportedError(
            f"cannot solve a {type(problem).__name__}: give a Model, ProblemData or structured problem"
        )
    if problem.is_nonlinear or problem.quadratic_rows:
        if problem.is_mip:
            raise UnsupportedError(f"MINLP is not supported yet: this {problem.kind} has integer variables")
        return ["scipy"]
    if problem.kind == "QP" and not is_convex(problem):
        return ["scipy"]
    return ["highs"]


def choose(problem: Any) -> SolverInterface:
    """The first installed backend in `preferences(problem)` that accepts `problem`;
    `UnsupportedError` with every backend's reason when none does."""
    reasons = []
    for name in preferences(problem):
        solver = registry.get(name)
        if not solver.available():
            reasons.append(f"{name} needs the package {solver.package!r}")
            continue
        reason = solver.unsupported_reason(problem)
        if reason is None:
            return solver
        reasons.append(f"{name}: {reason}")
    raise UnsupportedError("no solver accepts this problem (" + "; ".join(reasons) + ")")
