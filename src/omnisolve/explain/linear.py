"""Irreducible infeasible subsets of linear models (`ProblemData`), found with HiGHS.

A model is a system of *members*: each finite side of each row, each finite variable bound,
and each variable's integrality. A subsystem keeps some members and relaxes the rest (a row
side to +-inf, a bound to +-inf, an integer variable to continuous); an IIS is a subsystem that
is infeasible while dropping any one member makes it feasible.

- data check: a variable with lower > upper, an integer variable with no integer in its
  bounds, a row with lower > upper, an empty row that excludes 0: irreducible by inspection.
- LP (and MILPs whose LP relaxation is infeasible): HiGHS `getIis`, then every member is
  dropped once and the rest re-solved, which verifies irreducibility (and shrinks the set if
  HiGHS's answer was not minimal). Without a usable HiGHS answer, the deletion filter below.
- MILP whose LP relaxation is feasible: a deletion filter with grouping over rows, then
  bounds, then integrality, each test a short HiGHS MILP solve. A block of members is dropped
  at once when the rest stays infeasible; the block doubles after a success and halves after a
  failure, so k conflicting members among n cost about k log(n/k) solves, not n.

A member kept because dropping it made the rest *feasible* is necessary in every later
(smaller) subsystem too, so the filter's own tests prove irreducibility; a member kept because
a test ran out of time leaves the set infeasible but unproven minimal (`irreducible=False`).
"""

from __future__ import annotations

import dataclasses
import math
import time
from typing import Any, Iterable

import numpy as np

from omnisolve.explain.explanation import FEASIBLE, INFEASIBLE, UNKNOWN, BoundEntry, Explanation, RowEntry, fmt
from omnisolve.model import ProblemData, Sense

ROW_LO, ROW_UP, COL_LO, COL_UP, INTEGER = "rl", "ru", "lb", "ub", "int"
Member = tuple[str, int]

_TOL = 1e-9
_LISTED = 12  # members named in the message; rows/bounds list them all


class Budget:
    """Wall-clock deadline shared by every step of one explanation."""

    def __init__(self, seconds: float):
        self.start = time.perf_counter()
        self.seconds = seconds
        self.deadline = self.start + seconds

    def left(self) -> float:
        return self.deadline - time.perf_counter()

    def elapsed(self) -> float:
        return time.perf_counter() - self.start


class _Rejected(Exception):
    """HiGHS refused the model."""


def _configure_threads(h: Any) -> None:
    """One thread, through the HiGHS backend's own helper so its record of the process-wide
    thread pool stays right (a pool of another size makes later solves fail)."""
    try:
        from omnisolve.limits import Limits
        from omnisolve.solvers.highs import set_limits

        set_limits(h, Limits(time=1.0, threads=1), 1.0)
    except Exception:  # a renamed helper must not break explanations; HiGHS's default is used
        pass


def _feasibility_model(data: ProblemData) -> Any:
    """The linear rows, bounds and integrality of `data` with a zero objective."""
    from omnisolve.io.highs_model import to_highs_model

    plain = dataclasses.replace(
        data,
        c=np.zeros(data.num_variables),
        c0=0.0,
        Q=None,
        sense=Sense.MIN,
        quadratic_rows=(),
        nl_objective=None,
        nl_constraints=(),
    )
    return to_highs_model(plain)


def _new_highs(data: ProblemData) -> Any:
    import highspy

    from omnisolve.io.highs_model import new_highs

    log: list[str] = []
    h = new_highs(log.append)
    _configure_threads(h)
    if h.passModel(_feasibility_model(data)) == highspy.HighsStatus.kError:
        from omnisolve.io.highs_model import log_errors

        raise _Rejected(log_errors(log) or "HiGHS rejected the model")
    return h


class HighsOracle:
    """Answers "is this subsystem feasible?" with one HiGHS instance whose row and column
    bounds and integrality are switched between solves (an LP re-solve starts from the last
    basis). Answers True (feasible), False (infeasible) or None (undecided in time)."""

    def __init__(self, data: ProblemData, budget: Budget):
        import highspy

        self.hs = highspy
        self.data = data
        self.budget = budget
        self.h = _new_highs(data)
        self.m, self.n = data.A.shape
        self.full = {
            ROW_LO: np.array(data.row_lb, dtype=float),
            ROW_UP: np.array(data.row_ub, dtype=float),
            COL_LO: np.array(data.lb, dtype=float),
            COL_UP: np.array(data.ub, dtype=float),
        }
        self.cur = {k: v.copy() for k, v in self.full.items()}
        self.integer = np.array(data.integer_mask, dtype=bool)
        self.cur_int = self.integer.copy()
        self.solves = 0

    # ---- the system's members ---------------------------------------------------------------
    def members(self, kinds: Iterable[str] = (ROW_LO, ROW_UP, COL_LO, COL_UP, INTEGER)) -> list[Member]:
        out: list[Member] = []
        for kind in kinds:
            idx = np.flatnonzero(self.integer) if kind == INTEGER else np.flatnonzero(np.isfinite(self.full[kind]))
            out.extend((kind, int(i)) for i in idx)
        return out

    def set_active(self, active: Iterable[Member]) -> None:
        """Keep exactly `active`, relax everything else."""
        keep: dict[str, list[int]] = {ROW_LO: [], ROW_UP: [], COL_LO: [], COL_UP: [], INTEGER: []}
        for kind, i in active:
            keep[kind].append(i)
        for kind in (ROW_LO, ROW_UP, COL_LO, COL_UP):
            relaxed = np.full_like(self.full[kind], -math.inf if kind in (ROW_LO, COL_LO) else math.inf)
            idx = np.asarray(keep[kind], dtype=np.int64)
            relaxed[idx] = self.full[kind][idx]
            self.cur[kind] = relaxed
        self.cur_int = np.zeros(self.n, dtype=bool)
        self.cur_int[np.asarray(keep[INTEGER], dtype=np.int64)] = True
        self._push(np.arange(self.m), np.arange(self.n), np.arange(self.n) if self.integer.any() else np.array([], int))

    def relax(self, members: Iterable[Member]) -> None:
        self._change(members, on=False)

    def restore(self, members: Iterable[Member]) -> None:
        self._change(members, on=True)

    def _change(self, members: Iterable[Member], on: bool) -> None:
        rows: set[int] = set()
        cols: set[int] = set()
        ints: set[int] = set()
        for kind, i in members:
            if kind == INTEGER:
                self.cur_int[i] = on
                ints.add(i)
                continue
            off = -math.inf if kind in (ROW_LO, COL_LO) else math.inf
            self.cur[kind][i] = self.full[kind][i] if on else off
            (rows if kind in (ROW_LO, ROW_UP) else cols).add(i)
        self._push(*(np.array(sorted(s), dtype=np.int64) for s in (rows, cols, ints)))

    def _push(self, rows: np.ndarray, cols: np.ndarray, ints: np.ndarray) -> None:
        h = self.h
        if rows.size:
            h.changeRowsBounds(rows.size, rows.astype(np.int32), self.cur[ROW_LO][rows], self.cur[ROW_UP][rows])
        if cols.size:
            h.changeColsBounds(cols.size, cols.astype(np.int32), self.cur[COL_LO][cols], self.cur[COL_UP][cols])
        if ints.size:
            kinds = np.where(
                self.cur_int[ints], int(self.hs.HighsVarType.kInteger), int(self.hs.HighsVarType.kContinuous)
            )
            h.changeColsIntegrality(ints.size, ints.astype(np.int32), kinds.astype(np.uint8))

    # ---- solving ------------------------------------------------------------------------------
    def solve(self, cap: float = math.inf) -> bool | None:
        left = min(cap, self.budget.left())
        if left <= 1e-3:
            return None
        S = self.hs.HighsModelStatus
        self.h.setOptionValue("time_limit", left)
        self.h.run()
        self.solves += 1
        status = self.h.getModelStatus()
        if status == S.kUnboundedOrInfeasible:  # zero objective: cannot be unbounded; ask without presolve
            self.h.setOptionValue("presolve", "off")
            self.h.setOptionValue("time_limit", max(min(cap, self.budget.left()), 1e-3))
            self.h.run()
            self.solves += 1
            self.h.setOptionValue("presolve", "choose")
            status = self.h.getModelStatus()
        if status == S.kOptimal:
            return True
        if status == S.kInfeasible:
            return False
        if self.h.getInfo().primal_solution_status == self.hs.SolutionStatus.kSolutionStatusFeasible:
            return True
        return None


def deletion_filter(oracle: HighsOracle, candidates: list[Member], block: int, cap: float) -> tuple[list[Member], bool]:
    """Shrink `candidates` (the current subsystem, proven infeasible, may include background
    members not listed here, which stay) to the members that are necessary. Returns the kept
    members and whether each was proven necessary (dropping it gave a feasible rest)."""
    kept: list[Member] = []
    proven = True
    todo = list(candidates)
    size = max(1, block)
    while todo:
        if oracle.budget.left() <= 1e-3:
            return kept + todo, False
        size = min(size, len(todo))
        group = todo[:size]
        oracle.relax(group)
        answer = oracle.solve(cap)
        if answer is False:  # still infeasible without the group: drop it for good
            del todo[:size]
            size *= 2
            continue
        oracle.restore(group)
        if size > 1:
            size //= 2
            continue
        kept.append(group[0])
        del todo[0]
        if answer is None:
            proven = False
    return kept, proven


def highs_iis(data: ProblemData, budget: Budget) -> list[Member] | None:
    """HiGHS's irreducible IIS of the LP relaxation as members, or None when it gives none."""
    import highspy

    try:
        h = _new_highs(data.relaxation())
        h.setOptionValue("iis_strategy", int(highspy.IisStrategy.kIisStrategyIrreducible))
        h.setOptionValue("time_limit", max(budget.left() * 0.5, 1e-3))
        status, iis = h.getIis()
    except Exception:
        return None
    if status == highspy.HighsStatus.kError or not iis.valid_:
        return None
    B = highspy.IisBoundStatus
    members: list[Member] = []

    def add(index: int, bound: Any, lo: str, up: str) -> None:
        if bound in (B.kIisBoundStatusLower, B.kIisBoundStatusBoxed):
            members.append((lo, int(index)))
        if bound in (B.kIisBoundStatusUpper, B.kIisBoundStatusBoxed):
            members.append((up, int(index)))

    for i, bound in zip(iis.row_index_, iis.row_bound_):
        add(i, bound, ROW_LO, ROW_UP)
    for j, bound in zip(iis.col_index_, iis.col_bound_):
        add(j, bound, COL_LO, COL_UP)
    full = {ROW_LO: data.row_lb, ROW_UP: data.row_ub, COL_LO: data.lb, COL_UP: data.ub}
    members = [(k, i) for k, i in members if math.isfinite(full[k][i])]
    return members or None


# ---- the explanation ---------------------------------------------------------------------------
def entries(data: ProblemData, members: Iterable[Member]) -> tuple[list[RowEntry], list[BoundEntry]]:
    """Members as named entries, rows and bounds in model order."""
    members = set(members)
    rows: dict[int, set[str]] = {}
    for kind, i in members:
        if kind in (ROW_LO, ROW_UP):
            rows.setdefault(i, set()).add(kind)
    row_entries = []
    for i in sorted(rows):
        sides = rows[i]
        side = "both" if len(sides) == 2 else ("lower" if ROW_LO in sides else "upper")
        lo, up = float(data.row_lb[i]), float(data.row_ub[i])
        row_entries.append(
            RowEntry(data.row_names[i], lo if math.isfinite(lo) else None, up if math.isfinite(up) else None, side)
        )
    bound_entries = []
    order = {COL_LO: 0, COL_UP: 1, INTEGER: 2}
    for kind, j in sorted((m for m in members if m[0] in order), key=lambda m: (m[1], order[m[0]])):
        name = data.var_names[j]
        if kind == COL_LO:
            bound_entries.append(BoundEntry(name, "lower", float(data.lb[j])))
        elif kind == COL_UP:
            bound_entries.append(BoundEntry(name, "upper", float(data.ub[j])))
        else:
            bound_entries.append(BoundEntry(name, "integer"))
    return row_entries, bound_entries


def infeasible(
    data: ProblemData,
    members: list[Member],
    method: str,
    irreducible: bool,
    budget: Budget,
    solves: int,
    note: str = "",
) -> Explanation:
    rows, bounds = entries(data, members)
    names = [str(r) for r in rows] + [str(b) for b in bounds]
    listed = "; ".join(names[:_LISTED]) + (f"; ... ({len(names) - _LISTED} more)" if len(names) > _LISTED else "")
    parts = []
    if rows:
        parts.append(f"{len(rows)} constraint{'s' if len(rows) != 1 else ''}")
    if bounds:
        parts.append(f"{len(bounds)} variable condition{'s' if len(bounds) != 1 else ''} (bounds, integrality)")
    text = f"The problem is infeasible. {' and '.join(parts).capitalize()} cannot all hold at once: {listed}. "
    if irreducible:
        text += "Dropping any one of them makes the rest feasible (verified), so the conflict is among exactly these."
    else:
        text += (
            "This subset is proven infeasible but was not shown to be minimal "
            "(a test ran out of time); a smaller conflict may exist within it."
        )
    if note:
        text += " " + note
    text += f" Found by {method} with {solves} solve{'s' if solves != 1 else ''} in {budget.elapsed():.2f} s."
    return Explanation.of(
        INFEASIBLE,
        rows,
        bounds,
        method=method,
        irreducible=irreducible,
        message=text,
        time=budget.elapsed(),
        solves=solves,
    )


def data_check(data: ProblemData, budget: Budget) -> Explanation | None:
    """Conflicts visible in the data alone, each irreducible by inspection."""
    lb, ub = np.asarray(data.lb), np.asarray(data.ub)

    def conflict(members: list[Member], text: str) -> Explanation:
        return infeasible(data, members, "data check", True, budget, 0, text)

    bad = np.flatnonzero(lb > ub + _TOL)
    if bad.size:
        j = int(bad[0])
        text = f"Variable {data.var_names[j]} has lower bound {fmt(lb[j])} above its upper bound {fmt(ub[j])}."
        return conflict([(COL_LO, j), (COL_UP, j)], text)
    integer = np.flatnonzero(data.integer_mask & np.isfinite(lb) & np.isfinite(ub))
    if integer.size:
        empty = integer[np.ceil(lb[integer] - 1e-6) > np.floor(ub[integer] + 1e-6)]
        if empty.size:
            j = int(empty[0])
            text = f"Integer variable {data.var_names[j]} has no integer value in [{fmt(lb[j])}, {fmt(ub[j])}]."
            return conflict([(COL_LO, j), (COL_UP, j), (INTEGER, j)], text)
    rl, ru = np.asarray(data.row_lb), np.asarray(data.row_ub)
    bad = np.flatnonzero(rl > ru + _TOL)
    if bad.size:
        i = int(bad[0])
        text = f"Constraint {data.row_names[i]} has lower side {fmt(rl[i])} above its upper side {fmt(ru[i])}."
        return conflict([(ROW_LO, i), (ROW_UP, i)], text)
    counts = np.diff(data.A.indptr)
    empty_rows = np.flatnonzero(counts == 0)
    for i in empty_rows[(rl[empty_rows] > _TOL) | (ru[empty_rows] < -_TOL)][:1]:
        i = int(i)
        member = (ROW_LO, i) if rl[i] > _TOL else (ROW_UP, i)
        return conflict([member], f"Constraint {data.row_names[i]} has no variables, so its activity is 0.")
    return None


def explain_data(data: ProblemData, budget: Budget) -> Explanation:
    """The explanation of a linear model (see the module docstring); never raises for a
    `ProblemData` HiGHS accepts, answers "unknown" with the reason otherwise."""
    found = data_check(data, budget)
    if found is not None:
        return found
    extra = data.quadratic_rows or data.nl_constraints
    caveat = " (only the linear constraints were analysed)" if extra else ""
    try:
        oracle = HighsOracle(data, budget)
    except _Rejected as exc:
        return unknown(f"HiGHS cannot take this model: {exc}", budget, 0)
    ints = oracle.members([INTEGER])
    oracle.relax(ints)
    lp = oracle.solve()
    if lp is None:
        return unknown(
            "HiGHS could not decide whether the LP relaxation is feasible within the time limit.", budget, oracle.solves
        )
    if lp is False:
        return _explain_lp(data, oracle, budget, caveat)
    if data.is_mip:
        oracle.restore(ints)
        mip = oracle.solve(max(budget.left() * 0.5, 0.1))
        from omnisolve.explain import cpsat

        use_cpsat = cpsat.applicable(data)
        if mip is None and use_cpsat:  # a combinatorial model HiGHS cannot decide: ask CP-SAT
            verdict, conflict = cpsat.core(data, budget.left() * 0.6)
            if verdict is True:
                return feasible(
                    "CP-SAT found a point satisfying every constraint, bound and integrality.",
                    "CP-SAT feasibility solve",
                    budget,
                    oracle.solves + 1,
                )
            if verdict is False:
                return _explain_mip(data, oracle, budget, caveat, conflict, decided_by_cpsat=True)
        if mip is None:
            return unknown(
                "HiGHS could not decide whether the model (with integrality) is feasible within "
                f"{budget.seconds:g} s; the LP relaxation is feasible.",
                budget,
                oracle.solves,
            )
        if mip is False:
            start = None
            if use_cpsat and len(oracle.members([ROW_LO, ROW_UP])) > 64:
                verdict, conflict = cpsat.core(data, min(budget.left() * 0.25, 5.0))
                start = conflict if verdict is False and conflict else None
            return _explain_mip(data, oracle, budget, caveat, start)
    if extra:
        return unknown(
            "The linear constraints are feasible; the quadratic or nonlinear constraints are not "
            "analysed here, so infeasibility, if any, lies in them.",
            budget,
            oracle.solves,
        )
    return feasible(
        f"HiGHS found a point satisfying every constraint, bound and integrality "
        f"({oracle.solves} solve{'s' if oracle.solves != 1 else ''}).",
        "HiGHS feasibility solve",
        budget,
        oracle.solves,
    )


def _explain_lp(data: ProblemData, oracle: HighsOracle, budget: Budget, caveat: str) -> Explanation:
    """The LP relaxation is infeasible (integrality is relaxed in `oracle`): HiGHS's IIS,
    verified member by member, else the deletion filter from all rows and bounds."""
    note = "The LP relaxation is already infeasible, so integrality plays no part." if data.is_mip else ""
    kind = "LP relaxation" if data.is_mip else "LP"
    candidate = highs_iis(data, budget)
    if candidate is not None:
        oracle.set_active(candidate)
        if oracle.solve() is False:
            kept, proven = deletion_filter(oracle, candidate, 1, math.inf)
            return infeasible(data, kept, f"HiGHS IIS ({kind}){caveat}", proven, budget, oracle.solves, note)
    everything = oracle.members([ROW_LO, ROW_UP, COL_LO, COL_UP])
    oracle.set_active(everything)
    rows, proven_rows = deletion_filter(
        oracle, oracle.members([ROW_LO, ROW_UP]), max(1, len(everything) // 2), math.inf
    )
    bounds, proven_bounds = deletion_filter(oracle, oracle.members([COL_LO, COL_UP]), 1 << 30, math.inf)
    return infeasible(
        data,
        rows + bounds,
        f"deletion filter over rows and bounds ({kind}){caveat}",
        proven_rows and proven_bounds,
        budget,
        oracle.solves,
        note,
    )


def _explain_mip(
    data: ProblemData,
    oracle: HighsOracle,
    budget: Budget,
    caveat: str,
    start: list[Member] | None = None,
    decided_by_cpsat: bool = False,
) -> Explanation:
    """The MILP is infeasible, its LP relaxation feasible: deletion filter over rows, then
    bounds, then integrality, with short MILP solves. `start`: row sides of a conflict CP-SAT
    found (then the filter begins from them, one by one)."""
    cap = max(0.5, 0.1 * budget.seconds)
    method = f"deletion filter over rows and bounds (MILP){caveat}"
    extra = 0
    if start:
        extra = 1
        oracle.set_active(start + oracle.members([COL_LO, COL_UP, INTEGER]))
        answer = oracle.solve(cap)
        if answer is False:
            method = f"CP-SAT assumptions + deletion filter over rows and bounds (MILP){caveat}"
        elif decided_by_cpsat:  # proven by CP-SAT (exact integers, no clamped bound); HiGHS cannot check it
            return infeasible(
                data,
                start,
                f"CP-SAT assumptions{caveat}",
                False,
                budget,
                oracle.solves + extra,
                "CP-SAT proved this set of constraints infeasible (with all bounds and integrality); "
                "HiGHS could not verify it in time.",
            )
        else:
            start = None
            oracle.set_active(oracle.members())
    row_members = start or oracle.members([ROW_LO, ROW_UP])
    rows, p1 = deletion_filter(oracle, row_members, 1 if start else max(1, len(row_members)), cap)
    bounds, p2 = deletion_filter(oracle, oracle.members([COL_LO, COL_UP]), 1 << 30, cap)
    # integrality of a variable in none of the kept rows and with no kept bound cannot matter
    used = set(data.A[[i for _, i in rows]].indices.tolist()) if rows else set()
    used |= {j for _, j in bounds}
    ints = oracle.members([INTEGER])
    oracle.relax([m for m in ints if m[1] not in used])
    ints, p3 = deletion_filter(oracle, [m for m in ints if m[1] in used], 1 << 30, cap)
    return infeasible(
        data,
        rows + bounds + ints,
        method,
        p1 and p2 and p3,
        budget,
        oracle.solves + extra,
        "The LP relaxation is feasible: integrality is part of the conflict.",
    )


def unknown(reason: str, budget: Budget, solves: int = 0, method: str = "") -> Explanation:
    return Explanation(
        UNKNOWN, method=method, message=f"Could not explain: {reason}", time=budget.elapsed(), solves=solves
    )


def feasible(reason: str, method: str, budget: Budget, solves: int = 0) -> Explanation:
    return Explanation(
        FEASIBLE,
        method=method,
        irreducible=False,
        message=f"The problem is feasible: {reason}",
        time=budget.elapsed(),
        solves=solves,
    )
