"""A first infeasible subset of a pure-integer model from CP-SAT: one assumption literal per
row side (the side holds when its literal is true), all literals assumed, and on infeasibility
`SufficientAssumptionsForInfeasibility` names the row sides of a conflict. The HiGHS deletion
filter then verifies (and if need be shrinks) it. Only for models CP-SAT takes exactly: every
variable integer with finite bounds, every row integral after scaling by a power of ten."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from omnisolve.model import ProblemData

ROW_LO, ROW_UP = "rl", "ru"


def applicable(data: ProblemData) -> bool:
    try:
        from omnisolve.solvers.cpsat_models import unsupported_reason
    except Exception:
        return False
    if data.quadratic_rows or data.nl_constraints or not data.integer_mask.all():
        return False
    if not (np.isfinite(data.lb).all() and np.isfinite(data.ub).all()):
        return False  # CP-SAT would clamp them; a conflict found there might not be real
    plain = data if data.Q is None and not np.any(data.c) else None
    try:
        if plain is None:
            import dataclasses

            plain = dataclasses.replace(data, c=np.zeros(data.num_variables), Q=None)
        return unsupported_reason(plain) is None
    except Exception:
        return False


def core(data: ProblemData, seconds: float) -> tuple[bool | None, list[tuple[str, int]]]:
    """(False, row-side members of a conflict) when CP-SAT proves infeasibility; (True, [])
    when it finds a solution; (None, []) when undecided in `seconds`."""
    from ortools.sat.python import cp_model

    from omnisolve.solvers.cpsat_models import _int_bound, _row_bound, _row_scales

    model = cp_model.CpModel()
    x = [
        model.new_int_var(_int_bound(a, up=False), max(_int_bound(a, up=False), _int_bound(b, up=True)), f"x{j}")
        for j, (a, b) in enumerate(zip(data.lb, data.ub))
    ]
    A, scales = data.A, _row_scales(data)
    literals: list[Any] = []
    members: list[tuple[str, int]] = []
    for i in range(A.shape[0]):
        s, part = scales[i], slice(A.indptr[i], A.indptr[i + 1])
        coefs = np.round(A.data[part] * s).astype(np.int64).tolist()
        expr = cp_model.LinearExpr.weighted_sum([x[j] for j in A.indices[part]], coefs)
        for kind, bound in ((ROW_LO, data.row_lb[i]), (ROW_UP, data.row_ub[i])):
            if not math.isfinite(bound):
                continue
            lit = model.new_bool_var(f"{kind}{i}")
            if kind == ROW_LO:
                model.add(expr >= _row_bound(bound * s, up=False)).only_enforce_if(lit)
            else:
                model.add(expr <= _row_bound(bound * s, up=True)).only_enforce_if(lit)
            literals.append(lit)
            members.append((kind, i))
    model.add_assumptions(literals)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(seconds, 0.01)
    solver.parameters.num_workers = 1  # the core of assumptions is reported by a single worker
    status = solver.solve(model)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return True, []
    if status != cp_model.INFEASIBLE:
        return None, []
    index = {lit.index: k for k, lit in enumerate(literals)}
    found = [members[index[i]] for i in solver.sufficient_assumptions_for_infeasibility() if i in index]
    return False, found
