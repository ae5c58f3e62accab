"""SCIP backend through `pyscipopt`: LP, MILP and (MI)QP / (MI)QCP solved to global optimality,
plus structured problems through their MILP. An independent second solver beside HiGHS (a
cross-check witness and a MILP racer): the SCIP model is built from `ProblemData`'s arrays here,
nothing is shared with the HiGHS translation.

SCIP's branch-and-bound is single-threaded, so `Limits.threads` is not used. The caller's own
stopping criteria (`Limits.stop`) are asked by an event handler after every node and LP, which
interrupts the solve (`_progress`). A quadratic
objective becomes an epigraph variable t with a quadratic row (t >= x'Qx for min, t <= x'Qx for
max). `pyscipopt` is imported inside the functions only, so `import omnisolve` works without it.
"""

from __future__ import annotations

import dataclasses
import math
import os
import tempfile
from typing import Any

import numpy as np

from omnisolve.limits import Limits, Tracker
from omnisolve.model import ProblemData, Sense
from omnisolve.problems import Problem, StructuredProblem
from omnisolve.result import Result, Status
from omnisolve.solvers.base import SolverInterface, concluded
from omnisolve.solvers.requirements import milp_range_reason, too_large_reason
from omnisolve.solvers.via_milp import solve_via_milp

SCIP_INFINITY = 1e20  # SCIP's default infinity: a coefficient this large is an input-data error

_SEED_RANGE = 2**31 - 1  # randomization/randomseedshift is a C int
_STOPPED = {
    "timelimit",
    "gaplimit",
    "nodelimit",
    "totalnodelimit",
    "stallnodelimit",
    "memlimit",
    "sollimit",
    "bestsollimit",
    "restartlimit",
    "primallimit",
    "duallimit",
    "userinterrupt",
}


class ScipSolver(SolverInterface):
    """SCIP: LP, MILP, (MI)QP and (MI)QCP to global optimality (single-threaded); structured
    problems via their MILP

    SCIP (branch-and-cut with SoPlex; spatial branching for quadratic parts) via `pyscipopt`."""

    name = "scip"
    package = "pyscipopt"
    global_search = True

    def unsupported_reason(self, problem: Problem) -> str | None:
        if isinstance(problem, StructuredProblem):
            return milp_range_reason(problem, "SCIP")
        if not isinstance(problem, ProblemData):
            return f"cannot solve a {type(problem).__name__}; give a ProblemData or a structured problem"
        if problem.is_nonlinear:
            return "nonlinear (callable) objective or constraints need a nonlinear solver such as scipy"
        coefficients = [("objective coefficients", problem.c), ("matrix coefficients", problem.A.data)]
        reason = too_large_reason("SCIP", coefficients, SCIP_INFINITY, "use highs")  # SCIP takes 1e20 as infinity
        if reason is not None:
            return reason
        semi = getattr(problem, "semi_mask", None)
        if semi is not None and semi.any():
            return "the scip backend has no semi-continuous or semi-integer variables; use highs"
        return None

    def _solve(self, problem: Problem, limits: Limits, tracker: Tracker) -> Result:
        if isinstance(problem, StructuredProblem):
            return solve_via_milp(problem, limits, tracker, self._solve_data)
        return self._solve_data(problem, limits, tracker)

    def _solve_data(self, data: ProblemData, limits: Limits, tracker: Tracker) -> Result:
        if np.any(data.lb > data.ub) or np.any(data.row_lb > data.row_ub):
            return Result(Status.INFEASIBLE, message="a lower bound exceeds its upper bound", problem_name=data.name)
        fd, logfile = tempfile.mkstemp(prefix="omnisolve-scip-", suffix=".log")
        os.close(fd)
        try:
            model, xs = build(data, limits, tracker, logfile)
            solving = attach_progress(model, tracker)
            model.optimize()
            solving[0] = False
            status = model.getStatus()
            point = None
            if status in ("inforunbd", "unbounded"):
                status, point = _feasibility(data, limits, tracker, model, xs, status)
            model.setLogfile(None)  # closes the file
            with open(logfile, errors="replace") as f:
                log = f.read()
            result = _result(model, xs, status, data, log)
        finally:
            os.unlink(logfile)
        return concluded(result, tracker, data, point)


def _events() -> Any:
    from pyscipopt import SCIP_EVENTTYPE

    return SCIP_EVENTTYPE


def build(data: ProblemData, limits: Limits, tracker: Tracker, logfile: str | None = None) -> tuple[Any, list]:
    """A silent `pyscipopt.Model` of `data` with `limits` set (time counted from `tracker`), and
    its variables in `data`'s order; the epigraph variable of a quadratic objective comes last.
    The log goes to `logfile` when given."""
    import pyscipopt
    from pyscipopt.scip import Expr, ExprCons, Term

    m = pyscipopt.Model(data.name or "model")
    m.hideOutput()
    if logfile:
        m.setLogfile(logfile)
    integer = data.integer_mask.tolist()
    lbs = [None if v == -math.inf else v for v in data.lb.tolist()]
    ubs = [None if v == math.inf else v for v in data.ub.tolist()]
    add_var = m.addVar
    xs = [
        add_var(
            vtype=("B" if lb is not None and ub is not None and lb >= 0 and ub <= 1 else "I") if is_int else "C",
            lb=lb,
            ub=ub,
            obj=c,
        )
        for is_int, lb, ub, c in zip(integer, lbs, ubs, data.c.tolist())
    ]
    A = data.A
    indptr, indices, coefs = A.indptr.tolist(), A.indices.tolist(), A.data.tolist()
    add_cons, add_coef = m.addCons, m.addCoefLinear
    for i, (lo, hi) in enumerate(zip(data.row_lb.tolist(), data.row_ub.tolist())):
        if lo == -math.inf and hi == math.inf:
            continue  # a free row constrains nothing
        cons = add_cons(ExprCons(Expr(), None if lo == -math.inf else lo, None if hi == math.inf else hi))
        for j, a in zip(indices[indptr[i] : indptr[i + 1]], coefs[indptr[i] : indptr[i + 1]]):
            add_coef(cons, xs[j], a)
    if data.Q is not None and data.Q.nnz:  # epigraph: min t + c'x s.t. x'Qx - t <= 0 (>= 0 for max)
        t = m.addVar(name="objective_epigraph", lb=None, ub=None, obj=1.0)
        terms = _quadratic_terms(data.Q, xs, Term)
        terms[Term(t)] = -1.0
        m.addCons(ExprCons(Expr(terms), None, 0.0) if data.sense == Sense.MIN else ExprCons(Expr(terms), 0.0, None))
        xs.append(t)
    for row in data.quadratic_rows:
        terms = _quadratic_terms(row.Q, xs, Term)
        for j in np.flatnonzero(row.a):
            terms[Term(xs[j])] = terms.get(Term(xs[j]), 0.0) + float(row.a[j])
        lo, hi = (None if v in (-math.inf, math.inf) else float(v) for v in (row.lb, row.ub))
        if lo is not None or hi is not None:
            m.addCons(ExprCons(Expr(terms), lo, hi))
    if data.sense == Sense.MAX:
        m.setMaximize()
    else:
        m.setMinimize()
    if data.c0:
        m.addObjoffset(float(data.c0))
    if limits.start is not None and len(limits.start) == data.num_variables:
        _add_start(m, data, xs, np.asarray(limits.start, dtype=float))
    set_scip_limits(m, limits, tracker)
    return m, xs


def set_scip_limits(m: Any, limits: Limits, tracker: Tracker) -> None:
    """The time left on `tracker`, the gap, the seed and the memory of `limits`, as SCIP parameters."""
    m.setParam("limits/time", max(tracker.remaining(), 1e-3))
    m.setParam("limits/gap", limits.gap)
    m.setParam("randomization/randomseedshift", int(limits.seed) % _SEED_RANGE)
    if limits.memory_mb:
        m.setParam("limits/memory", float(limits.memory_mb))


def attach_progress(m: Any, tracker: Tracker) -> list[bool]:
    """Send SCIP's incumbents and bounds to `tracker` while `m` solves (`_progress`); the
    returned flag's one element is to be set False once `optimize()` returns: freeing a model
    stopped at its time limit empties its tree, which fires "dual bound improved" with the
    bound at the incumbent (ft06: 87, optimum 55), a bound no search proved."""
    solving = [True]
    events = _progress_events(tracker)
    m.attachEventHandlerCallback(lambda model, _: _progress(tracker, model) if solving[0] else None, events)
    return solving


def _quadratic_terms(Q: Any, xs: list, Term: Any) -> dict:
    """{Term(x_i, x_j): Q_ij} for an upper-triangular `Q` (sum of Q_ij x_i x_j)."""
    coo = Q.tocoo()
    terms: dict = {}
    for i, j, q in zip(coo.row.tolist(), coo.col.tolist(), coo.data.tolist()):
        if q:
            key = Term(xs[i], xs[j])
            terms[key] = terms.get(key, 0.0) + q
    return terms


def _add_start(m: Any, data: ProblemData, xs: list, start: np.ndarray) -> None:
    """`start` as a SCIP start solution: complete, or partial when some entries are NaN (SCIP then
    completes it). A start is only a hint: one SCIP rejects is dropped."""
    known = np.flatnonzero(np.isfinite(start))
    if not len(known):
        return
    partial = len(known) < data.num_variables
    sol = m.createPartialSol() if partial else m.createOrigSol()
    for j in known.tolist():
        m.setSolVal(sol, xs[j], float(start[j]))
    if not partial and len(xs) > data.num_variables:  # the epigraph variable at its tightest value
        m.setSolVal(sol, xs[-1], float(start @ (data.Q @ start)))
    try:
        m.addSol(sol)
    except Exception:  # noqa: BLE001 - a rejected hint must not fail the solve
        pass


def _finite(m: Any, value: float) -> float | None:
    return None if m.isInfinity(abs(value)) or not math.isfinite(value) else float(value)


def _progress_events(tracker: Tracker) -> list[Any]:
    """When `_progress` runs: on a new incumbent or bound; with criteria of the caller's own
    (`Limits.stop`) also after every node and LP, so a cancel acts between solutions too."""
    events = _events()
    asked = [events.NODESOLVED, events.LPSOLVED] if tracker.extra is not None else []
    return [events.BESTSOLFOUND, events.DUALBOUNDIMPROVED, *asked]


def _progress(tracker: Tracker, m: Any) -> None:
    """Forward SCIP's incumbent and dual bound (original problem, user's sense) to the tracker,
    then interrupt SCIP once the caller's own criteria hold (SCIP enforces the time limit and
    the gap itself; its best solution comes back as feasible)."""
    objective = _finite(m, m.getPrimalbound()) if m.getNSols() else None
    bound = _finite(m, m.getDualbound())
    if objective is not None or bound is not None:
        tracker.report(objective, bound)
    if tracker.stop_requested():
        m.interruptSolve()


def _values(m: Any, xs: list, n: int) -> np.ndarray:
    sol = m.getBestSol()
    get = m.getSolVal
    return np.array([get(sol, x) for x in xs[:n]], dtype=float)


def _feasibility(
    data: ProblemData, limits: Limits, tracker: Tracker, m: Any, xs: list, status: str
) -> tuple[str, np.ndarray | None]:
    """Decide "unbounded or infeasible" and find the feasible point an unbounded claim needs, as
    highs.py does: solve with objective zero; feasible -> unbounded (with that point),
    infeasible -> infeasible. An unbounded SCIP run that kept a finite solution uses it."""
    n = data.num_variables
    if status == "unbounded" and m.getNSols():
        x = _values(m, xs, n)
        if np.all(np.isfinite(x)) and np.all(np.abs(x) < 1e15):
            return status, x
    feasibility = dataclasses.replace(data, c=np.zeros(n), c0=0.0, Q=None)
    f, fxs = build(feasibility, dataclasses.replace(limits, start=None), tracker)
    f.optimize()
    found = f.getStatus()
    if found == "optimal":
        return "unbounded", _values(f, fxs, n)
    if found == "infeasible":
        return "infeasible", None
    return status, None


def _result(m: Any, xs: list, status: str, data: ProblemData, log: str) -> Result:
    """Map SCIP's status and best solution to a `Result`."""
    n = data.num_variables
    if status == "infeasible":
        return Result(Status.INFEASIBLE, log=log)
    if status == "unbounded":
        ray = None
        if m.hasPrimalRay() and len(xs) == n:
            ray = np.array([m.getPrimalRayVal(x) for x in xs], dtype=float)
        return Result(Status.UNBOUNDED, log=log, ray=ray)
    if status == "inforunbd":
        return Result(Status.ERROR, message="SCIP: unbounded or infeasible, and the check did not decide", log=log)
    has_solution = m.getNSols() > 0
    if status == "optimal" and has_solution:
        solved, message = Status.OPTIMAL, ""
    elif status == "gaplimit" and has_solution:  # Limits.gap: the gap at which a solver may claim optimality
        solved, message = Status.OPTIMAL, f"SCIP stopped at the relative gap limit (gap {m.getGap():.3g})"
    elif status in _STOPPED and has_solution:
        solved, message = Status.FEASIBLE, f"SCIP stopped: {status}"
    elif status in _STOPPED:
        return Result(Status.TIME_LIMIT, message=f"SCIP stopped: {status}", log=log)
    else:
        return Result(Status.ERROR, message=f"SCIP: {status}", log=log)
    values = _values(m, xs, n)
    if len(xs) > n:  # the epigraph's t equals x'Qx only within SCIP's tolerance
        objective = data.objective_value(values)
    else:
        objective = float(m.getSolObjVal(m.getBestSol()))
    return Result(
        solved, objective=objective, bound=_finite(m, m.getDualbound()), values=values, log=log, message=message
    )
