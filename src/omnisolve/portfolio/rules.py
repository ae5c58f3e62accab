"""The rule-based `auto` choice of a backend, used until (and beside) the learned selector."""

from __future__ import annotations

import numpy as np

from omnisolve.errors import UnsupportedError
from omnisolve.model import ProblemData
from omnisolve.problems import CVRP, TSP, JobShop, Knapsack, Problem, StructuredProblem
from omnisolve.solvers import registry
from omnisolve.solvers.base import SolverInterface
from omnisolve.verify.convexity import is_convex

#: CP-SAT's circuit model proves TSPLIB instances up to about this size in seconds; beyond,
#: LKH-3 reaches near-optimal tours far sooner (proof is left to racing, a later piece).
TSP_PROOF_NODES = 110
#: local NLP backends, best first: IPOPT and then the augmented Lagrangian from the same start
#: (`local-nlp`: each reaches optima the other misses, hs39 and hs106 in benchmarks/bench_hs.py),
#: IPOPT alone (exact derivatives of the algebraic parts, sparse; as good as SciPy or better on
#: every model there, and faster on the larger ones), SciPy when casadi is not installed
LOCAL_NLP = ["local-nlp", "ipopt", "alm", "scipy"]


def preferences(problem: Problem) -> list[str]:
    """Backend names to try in order, by problem class.

    TSP: small -> cpsat (proves optimality), else lkh, our tsp-ils, then exact models; one too
    large to hold its distance matrix (`TSP.matrix_reason`) -> tsp-ils, the one backend without it.
    CVRP: pyvrp, OR-Tools routing, then exact models. Job shop: CP-SAT + LNS, then plain CP-SAT.
    Knapsack: dynamic programming when items x capacity is moderate, else cpsat.
    Nonlinear (callables) on a bounded box -> global-nlp (a black-box global phase, then local
    searches), then the local ones; other nonlinear or quadratically constrained -> local-nlp
    (ipopt, then alm from the same start), ipopt, alm, scipy (continuous only); non-convex
    continuous QP -> the same (local optimum); LP, convex QP
    -> highs; MILP -> highs, then SCIP (the second racer of a rule-based race)."""
    if isinstance(problem, StructuredProblem):
        return _structured_preferences(problem) + ["cpsat", "highs"]
    if not isinstance(problem, ProblemData):
        raise UnsupportedError(
            f"cannot solve a {type(problem).__name__}: give a Model, ProblemData or structured problem"
        )
    if problem.is_nonlinear or problem.quadratic_rows:
        if problem.is_mip:
            raise UnsupportedError(f"MINLP is not supported yet: this {problem.kind} has integer variables")
        bounded = bool(np.isfinite(problem.lb).all() and np.isfinite(problem.ub).all())
        return ["global-nlp", *LOCAL_NLP] if problem.is_nonlinear and bounded else LOCAL_NLP
    if problem.kind == "QP" and not is_convex(problem):
        return LOCAL_NLP
    return ["highs", "scip"] if problem.is_mip else ["highs"]


def beyond_selector(problem: Problem) -> bool:
    """Whether the rules, not the learned selector, choose for `problem`: a TSP too large to
    hold its distance matrix is far outside the sizes the selector was trained on, and there
    the rules' tsp-ils is measured ahead of LKH (random uniform, 100,000 nodes at 60 s: LKH's
    tour 14 % longer; at 10,000 nodes at 30 s LKH's is 0.15 % shorter; BENCHMARKS.md)."""
    return isinstance(problem, TSP) and problem.matrix_reason() is not None


def _structured_preferences(problem: StructuredProblem) -> list[str]:
    if isinstance(problem, TSP):
        if problem.matrix_reason() is not None:
            return ["tsp-ils"]
        return ["cpsat"] if problem.n <= TSP_PROOF_NODES else ["lkh", "tsp-ils"]
    if isinstance(problem, CVRP):
        return ["pyvrp", "ortools-routing"]
    if isinstance(problem, JobShop):
        return ["jobshop-lns"]
    if isinstance(problem, Knapsack):
        from omnisolve.algorithms.knapsack_dp import prefer_dp

        return ["knapsack-dp"] if prefer_dp(problem) else []
    return []


def choose(problem: Problem) -> SolverInterface:
    """The first installed backend in `preferences(problem)` that accepts `problem`;
    `UnsupportedError` with every backend's reason when none does."""
    reasons = []
    for name in dict.fromkeys(preferences(problem)):
        try:
            solver = registry.get(name)
        except UnsupportedError as exc:
            reasons.append(str(exc))
            continue
        if not solver.available():
            reasons.append(f"{name} needs the package {solver.package!r}")
            continue
        reason = solver.unsupported_reason(problem)
        if reason is None:
            return solver
        reasons.append(f"{name}: {reason}")
    raise UnsupportedError("no solver accepts this problem (" + "; ".join(reasons) + ")")
