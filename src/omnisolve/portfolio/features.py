"""Cheap instance features per problem class, in the spirit of SATzilla: sizes, density,
coefficient ranges and spreads, integrality share and constraint types for models; the
structured class's own statistics (distance/nearest-neighbour graph statistics for routing,
job/machine ratios and duration spreads for scheduling, weight/value correlations for knapsack).

Everything here is a few vectorized passes over the data: milliseconds even for the largest
benchmark instances (see docs/portfolio.md for measured costs)."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from omnisolve.model import ProblemData
from omnisolve.problems import Problem, StructuredProblem
from omnisolve.problems._common import stats


def problem_class(problem: Problem) -> str:
    """The selector's class key: the structured kind (TSP, CVRP, JobShop, Knapsack) or the
    model kind (LP, MILP, QP, ...)."""
    if isinstance(problem, (StructuredProblem, ProblemData)):
        return problem.kind
    raise TypeError(f"no features for {type(problem).__name__}")


def model_features(data: ProblemData) -> dict[str, float]:
    """Sizes, density, integrality share, coefficient ranges and constraint types of a model."""
    n, m = data.num_variables, data.A.shape[0]
    A = sp.csr_matrix(data.A)
    coefs = np.abs(A.data[A.data != 0])
    obj = np.abs(data.c[data.c != 0])
    finite_rhs = np.abs(np.concatenate([data.row_lb[np.isfinite(data.row_lb)], data.row_ub[np.isfinite(data.row_ub)]]))
    row_nnz = np.diff(A.indptr)
    col_nnz = np.bincount(A.indices, minlength=n) if n else np.zeros(1)
    return {
        "variables": n,
        "constraints": data.num_constraints,
        "nonzeros": data.nnz,
        "density": data.nnz / max(1, n * m),
        "integer_share": float(data.integer_mask.mean()) if n else 0.0,
        "binary_share": float(((data.vtype != 0) & (data.lb >= 0) & (data.ub <= 1)).mean()) if n else 0.0,
        "free_share": float((np.isinf(data.lb) & np.isinf(data.ub)).mean()) if n else 0.0,
        **_row_types(data, A),
        "coef_min": float(coefs.min()) if coefs.size else 0.0,
        "coef_max": float(coefs.max()) if coefs.size else 0.0,
        "coef_log10_range": float(np.log10(coefs.max() / coefs.min())) if coefs.size else 0.0,
        "coef_integral_share": float(np.mean(coefs == np.round(coefs))) if coefs.size else 1.0,
        "objective_log10_range": float(np.log10(obj.max() / obj.min())) if obj.size else 0.0,
        "objective_nonzero_share": obj.size / max(1, n),
        "rhs_max": float(finite_rhs.max()) if finite_rhs.size else 0.0,
        "row_nnz_max": int(row_nnz.max()) if m else 0,
        **stats("row_nnz", row_nnz),
        **stats("col_nnz", col_nnz),
        "quadratic_objective_terms": int(data.Q.nnz) if data.Q is not None else 0,
        "quadratic_rows": len(data.quadratic_rows),
        "nonlinear": int(data.is_nonlinear),
    }


def _row_types(data: ProblemData, A: sp.csr_matrix) -> dict[str, float]:
    """Shares of equality, ranged and one-sided rows, and of set-partitioning/packing/covering
    rows (all coefficients 1 on binaries with right-hand side 1)."""
    m = A.shape[0]
    if not m:
        return {"equality_share": 0.0, "ranged_share": 0.0, "set_row_share": 0.0}
    lo, hi = np.isfinite(data.row_lb), np.isfinite(data.row_ub)
    eq = np.isclose(data.row_lb, data.row_ub)
    binary = ((data.vtype != 0) & (data.lb >= 0) & (data.ub <= 1)).astype(float)
    ones = np.abs(A.data - 1.0) < 1e-12
    rows = np.repeat(np.arange(m), np.diff(A.indptr))
    all_ones = np.bincount(rows, weights=ones * binary[A.indices], minlength=m) == np.diff(A.indptr)
    unit_rhs = np.isclose(np.where(hi, data.row_ub, 0.0), 1.0) | np.isclose(np.where(lo, data.row_lb, 0.0), 1.0)
    return {
        "equality_share": float(eq.mean()),
        "ranged_share": float((lo & hi & ~eq).mean()),
        "set_row_share": float((all_ones & unit_rhs).mean()),
    }


def features(problem: Problem) -> dict[str, float]:
    """The numeric features of a compiled model or a structured problem."""
    if isinstance(problem, StructuredProblem):
        return {"size": float(problem.size), **problem.features()}
    if isinstance(problem, ProblemData):
        return {k: float(v) for k, v in model_features(problem).items()}
    raise TypeError(f"no features for {type(problem).__name__}")


def describe(problem: Problem) -> tuple[str, dict[str, float]]:
    """(class name for display, features) for a compiled model or a structured problem."""
    if isinstance(problem, ProblemData):
        return f"{problem.kind} ({problem.sense})", model_features(problem)
    return problem_class(problem), features(problem)
