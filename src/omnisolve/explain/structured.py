"""Why a structured problem is infeasible, in its own terms (customers, demands, vehicles).

- Knapsack: choosing nothing is always allowed (weights and capacity are >= 0): feasible.
- TSP: any order of the nodes is a tour: feasible.
- JobShop: any machine order, started late enough, is a schedule (no deadlines): feasible.
- CVRP: the only rules that can conflict are demand vs capacity and the fleet size. A free
  fleet is feasible as soon as every demand fits one vehicle (one route per customer). With k
  vehicles the question is bin packing: can the customers be split into k loads of at most the
  capacity? A deletion filter over customers (quick sufficient tests, then a small HiGHS bin
  packing MILP) finds a minimal set of customers that do not fit.
"""

from __future__ import annotations

import math

import numpy as np

from omnisolve.explain.explanation import INFEASIBLE, Explanation, RowEntry, fmt
from omnisolve.explain.linear import Budget, HighsOracle, feasible, unknown
from omnisolve.problems import CVRP, TSP, JobShop, Knapsack, StructuredProblem

_TOL = 1e-9


def explain_structured(problem: StructuredProblem, budget: Budget) -> Explanation:
    if isinstance(problem, Knapsack):
        return _knapsack(problem, budget)
    if isinstance(problem, TSP):
        return feasible(
            f"any order of the {problem.n} nodes is a tour, so a TSP is feasible by construction.", "data check", budget
        )
    if isinstance(problem, JobShop):
        return feasible(
            "operations have no deadlines, so running them one after another in job order is a "
            "schedule: a job shop is feasible by construction.",
            "data check",
            budget,
        )
    if isinstance(problem, CVRP):
        return _cvrp(problem, budget)
    from omnisolve.explain.linear import explain_data

    return explain_data(problem.to_model().compile(), budget)


def _knapsack(problem: Knapsack, budget: Budget) -> Explanation:
    if problem.capacity < 0:  # the constructor forbids it; say so if it ever happens
        row = RowEntry("capacity", None, float(problem.capacity), "upper", f"capacity {fmt(problem.capacity)} < 0")
        return Explanation.of(
            INFEASIBLE,
            [row],
            method="data check",
            irreducible=True,
            time=budget.elapsed(),
            message=f"The knapsack is infeasible: its capacity {fmt(problem.capacity)} is negative, "
            "so not even the empty choice fits.",
        )
    return feasible(
        "choosing no item always fits (weights and capacity are >= 0), so a 0-1 knapsack is never infeasible.",
        "data check",
        budget,
    )


# ---- CVRP --------------------------------------------------------------------------------------
def _cvrp(problem: CVRP, budget: Budget) -> Explanation:
    demands = np.asarray(problem.demands, dtype=float)
    capacity = float(problem.capacity)
    customers = [int(c) for c in np.asarray(problem.customers)]
    k = problem.num_vehicles
    cap_row = RowEntry("capacity", None, capacity, "upper", f"vehicle capacity {fmt(capacity)}")
    over = [c for c in customers if demands[c] > capacity + _TOL]
    if over:
        c = max(over, key=lambda v: demands[v])
        rows = [_customer(c, demands), cap_row]
        return Explanation.of(
            INFEASIBLE,
            rows,
            method="data check",
            irreducible=True,
            time=budget.elapsed(),
            message=f"The CVRP is infeasible: customer {c} needs {fmt(demands[c])}, more than the vehicle capacity "
            f"{fmt(capacity)}, so no route can serve it"
            + (
                f" ({len(over)} customers are too large: {', '.join(map(str, over[:10]))}"
                f"{', ...' if len(over) > 10 else ''})."
                if len(over) > 1
                else "."
            ),
        )
    if k is None or len(customers) <= k:
        why = "the fleet is free" if k is None else f"there are at most as many customers as the {k} vehicles"
        return feasible(
            f"every demand fits one vehicle and {why}, so one route per customer is a solution.", "data check", budget
        )
    packer = _BinPacking(demands, capacity, k, budget)
    whole = packer.fits(customers)
    if whole is True:
        return feasible(
            f"the customers' demands can be split into {k} vehicle loads of at most {fmt(capacity)}.",
            "data check + bin packing",
            budget,
            packer.solves,
        )
    if whole is None:
        return unknown(
            f"could not decide within {budget.seconds:g} s whether the demands fit into {k} vehicles "
            f"of capacity {fmt(capacity)}.",
            budget,
            packer.solves,
            "bin packing",
        )
    conflict, proven = packer.minimal(customers)
    fleet_row = RowEntry("vehicles", None, float(k), "upper", f"at most {k} vehicle{'s' if k != 1 else ''}")
    rows = [_customer(c, demands) for c in conflict] + [cap_row, fleet_row]
    total = float(demands[conflict].sum())
    if total > k * capacity + _TOL:
        why = f"together they need {fmt(total)}, more than {k} x {fmt(capacity)} = {fmt(k * capacity)}"
    else:
        why = (
            f"together they need {fmt(total)} (at most {k} x {fmt(capacity)}), but no split of them into {k} "
            f"loads of at most {fmt(capacity)} exists"
        )
    shown = conflict[:12]
    more = f", ... ({len(conflict) - len(shown)} more)" if len(conflict) > len(shown) else ""
    text = "The CVRP is infeasible. "
    everyone = float(demands[customers].sum())
    if everyone > k * capacity + _TOL:
        text += (
            f"The customers' total demand {fmt(everyone)} exceeds what {k} vehicles of capacity "
            f"{fmt(capacity)} carry ({fmt(k * capacity)}). "
        )
    text += (
        f"Customers {', '.join(map(str, shown))}{more} (demands "
        f"{', '.join(fmt(demands[c]) for c in shown)}{', ...' if more else ''}) cannot be served by {k} "
        f"vehicle{'s' if k != 1 else ''} of capacity {fmt(capacity)}: {why}. "
    )
    text += (
        "Without any one of these customers the rest fit (verified)."
        if proven
        else "This set is proven too large for the fleet but was not shown to be minimal (time limit)."
    )
    return Explanation.of(
        INFEASIBLE,
        rows,
        method="data check + deletion filter over customers (bin packing)",
        irreducible=proven,
        message=text,
        time=budget.elapsed(),
        solves=packer.solves,
    )


def _customer(c: int, demands: np.ndarray) -> RowEntry:
    return RowEntry(f"customer {c}", float(demands[c]), None, "", f"customer {c}: demand {fmt(demands[c])}")


class _BinPacking:
    """Do these customers fit into k vehicles? Cheap answers first (total load, at most k
    customers, first-fit decreasing), then a HiGHS assignment MILP."""

    def __init__(self, demands: np.ndarray, capacity: float, k: int, budget: Budget):
        self.d, self.q, self.k, self.budget = demands, capacity, k, budget
        self.solves = 0

    def fits(self, customers: list[int]) -> bool | None:
        d = self.d[customers]
        if d.sum() > self.k * self.q + _TOL:
            return False
        if len(customers) <= self.k or self._first_fit(d):
            return True
        big = np.count_nonzero(d > self.q / 2 + _TOL)  # no two of these share a vehicle
        if big > self.k:
            return False
        return self._milp(np.sort(d)[::-1])

    def _first_fit(self, d: np.ndarray) -> bool:
        loads: list[float] = []
        for w in np.sort(d)[::-1]:
            for b, load in enumerate(loads):
                if load + w <= self.q + _TOL:
                    loads[b] += w
                    break
            else:
                if len(loads) == self.k:
                    return False
                loads.append(float(w))
        return True

    def _milp(self, d: np.ndarray) -> bool | None:
        """x[i, b]: item i (largest first) in vehicle b <= i (symmetry broken), each item once,
        each load within the capacity."""
        import scipy.sparse as sp

        from omnisolve.model import Names, ProblemData, VarType

        n, k = len(d), self.k
        cols = [(i, b) for i in range(n) for b in range(min(i + 1, k))]
        col = np.arange(len(cols))
        item = np.array([i for i, _ in cols])
        vehicle = np.array([b for _, b in cols])
        A = sp.vstack(
            [
                sp.csr_matrix((np.ones(len(cols)), (item, col)), shape=(n, len(cols))),
                sp.csr_matrix((d[item], (vehicle, col)), shape=(k, len(cols))),
            ]
        ).tocsr()
        data = ProblemData(
            var_names=Names.of([f"x{i}_{b}" for i, b in cols]),
            lb=np.zeros(len(cols)),
            ub=np.ones(len(cols)),
            vtype=np.full(len(cols), int(VarType.BINARY), dtype=np.int8),
            c=np.zeros(len(cols)),
            A=A,
            row_lb=np.concatenate([np.ones(n), np.full(k, -math.inf)]),
            row_ub=np.concatenate([np.ones(n), np.full(k, self.q)]),
            row_names=Names.of([f"r{i}" for i in range(n + k)]),
            name="binpacking",
        )
        oracle = HighsOracle(data, self.budget)
        answer = oracle.solve(max(0.5, 0.2 * self.budget.seconds))
        self.solves += oracle.solves
        return answer

    def minimal(self, customers: list[int]) -> tuple[list[int], bool]:
        """A minimal set of customers that do not fit (deletion filter; largest demands are
        tried for removal last, so the set tends to consist of the large ones)."""
        current = sorted(customers, key=lambda c: self.d[c])
        # start from the largest customers whose total already exceeds the fleet, when they do
        by_size = current[::-1]
        prefix = np.cumsum(self.d[by_size])
        over = np.flatnonzero(prefix > self.k * self.q + _TOL)
        if over.size:
            current = by_size[: int(over[0]) + 1][::-1]
        kept: list[int] = []
        proven = True
        todo = list(current)
        size = 1 if over.size else max(1, len(todo) // 2)
        while todo:
            if self.budget.left() <= 1e-3:
                return sorted(kept + todo), False
            size = min(size, len(todo))
            rest = kept + todo[size:]
            answer = self.fits(rest)
            if answer is False:
                del todo[:size]
                size *= 2
                continue
            if size > 1:
                size //= 2
                continue
            kept.append(todo.pop(0))
            proven = proven and answer is True
        return sorted(kept), proven
