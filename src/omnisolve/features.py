"""Cheap descriptive features of any problem: the structured class's own, or model statistics."""

from __future__ import annotations

from typing import Any

import numpy as np

from omnisolve.model import ProblemData
from omnisolve.problems.base import StructuredProblem


def model_features(data: ProblemData) -> dict[str, float]:
    """Sizes, density, integrality share and coefficient ranges of a compiled model."""
    n, m = data.num_variables, data.A.shape[0]
    coefs = np.abs(data.A.data[data.A.data != 0])
    obj = np.abs(data.c[data.c != 0])
    finite_rhs = np.abs(np.concatenate([data.row_lb[np.isfinite(data.row_lb)], data.row_ub[np.isfinite(data.row_ub)]]))
    eq = np.isclose(data.row_lb, data.row_ub)
    return {
        "variables": n,
        "constraints": data.num_constraints,
        "nonzeros": data.nnz,
        "density": data.nnz / max(1, n * m),
        "integer_share": float(data.integer_mask.mean()),
        "binary_share": float(((data.vtype != 0) & (data.lb >= 0) & (data.ub <= 1)).mean()),
        "equality_share": float(eq.mean()) if m else 0.0,
        "coef_min": float(coefs.min()) if coefs.size else 0.0,
        "coef_max": float(coefs.max()) if coefs.size else 0.0,
        "coef_log10_range": float(np.log10(coefs.max() / coefs.min())) if coefs.size else 0.0,
        "objective_log10_range": float(np.log10(obj.max() / obj.min())) if obj.size else 0.0,
        "rhs_max": float(finite_rhs.max()) if finite_rhs.size else 0.0,
        "row_nnz_max": int(np.diff(data.A.indptr).max()) if m else 0,
        "quadratic_objective_terms": int(data.Q.nnz) if data.Q is not None else 0,
        "quadratic_rows": len(data.quadratic_rows),
        "nonlinear": int(data.is_nonlinear),
    }


def describe(problem: Any) -> tuple[str, dict[str, float]]:
    """(class name, features) for a compiled model or a structured problem."""
    if isinstance(problem, StructuredProblem):
        return problem.kind, {"size": problem.size, **problem.features()}
    if isinstance(problem, ProblemData):
        return f"{problem.kind} ({problem.sense})", model_features(problem)
    raise TypeError(f"no features for {type(problem).__name__}")
