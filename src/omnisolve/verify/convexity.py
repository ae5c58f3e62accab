"""Convexity of a model from its data: every local optimum is global only when the objective is
convex for its sense and every quadratic row bounds a convex function from above (concave from
below). Callables are never known to be convex."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from omnisolve.model import ProblemData, Sense

CONVEXITY_MAX_DIM = 500  # largest quadratic block whose eigenvalues we compute


def hessian(Q: sp.spmatrix) -> sp.csr_matrix:
    """H with x'Hx/2 = x'Qx, i.e. the Hessian of x'Qx."""
    return sp.csr_matrix(Q + Q.T)


def is_convex(data: ProblemData) -> bool:
    """True when every local optimum is global: no callables, a convex quadratic objective for
    the sense, and quadratic rows that bound convex functions from above (concave from below).
    Quadratic blocks larger than CONVEXITY_MAX_DIM count as not convex (not checked)."""
    if data.is_nonlinear:
        return False
    sign = 1.0 if data.sense == Sense.MIN else -1.0
    if data.Q is not None and not semidefinite(sign * hessian(data.Q)):
        return False
    for row in data.quadratic_rows:
        H = hessian(row.Q)
        if (np.isfinite(row.ub) and not semidefinite(H)) or (np.isfinite(row.lb) and not semidefinite(-H)):
            return False
    return True


def semidefinite(H: sp.csr_matrix) -> bool:
    """H is positive semidefinite (checked on the variables it involves)."""
    support = np.unique(np.concatenate([H.nonzero()[0], H.nonzero()[1]]))
    if support.size == 0:
        return True
    if support.size > CONVEXITY_MAX_DIM:
        return False
    block = H[support][:, support].toarray()
    scale = max(1.0, float(np.abs(block).max()))
    return bool(np.linalg.eigvalsh(block).min() >= -1e-9 * scale)
