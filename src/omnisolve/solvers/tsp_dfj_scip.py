"""Exact symmetric TSP by the Dantzig-Fulkerson-Johnson formulation on SCIP, with the subtour
constraints as lazy constraints of a constraint handler.

One binary column per edge {i, j}, degree 2 at every node, minimize the summed distances, in one
SCIP branch-and-cut: the handler rejects every integer solution with more than one cycle (its
components are cut off, x(delta(S)) >= 2) and separates violated subtour constraints of the LP
solutions (`tsp_dfj.violated_sets`). Every added row holds for every tour (S is a proper subset
of the nodes), so SCIP's dual bound is a lower bound on the shortest tour found by SCIP's own
search, independent of HiGHS: the witness that confirms `tsp-dfj`'s claims (whose MILP proof
is HiGHS's alone). A tour in `Limits.start` (the claim under test, when it is a witness) is its
first solution; otherwise nearest neighbour + 2-opt. `pyscipopt` is imported inside the
functions only.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from omnisolve.limits import Limits, Tracker
from omnisolve.problems.tsp import TSP
from omnisolve.result import Result, Status
from omnisolve.solvers.tsp_dfj import (
    TspDfjSolver,
    edge_cycles,
    integral_bound,
    nearest_neighbour,
    two_opt,
    violated_sets,
)

BUILD_CHECK = 2000  # columns added between two looks at the clock


class TspDfjScipSolver(TspDfjSolver):
    """Exact symmetric TSP: DFJ formulation on SCIP, subtour cuts as lazy constraints

    One SCIP branch-and-cut with a constraint handler; the independent witness for tsp-dfj. It
    refuses what tsp-dfj refuses."""

    name = "tsp-dfj-scip"
    package = "pyscipopt"

    def _search(self, problem: TSP, limits: Limits, tracker: Tracker) -> Result:
        return _solve_scip(problem, limits, tracker)


def _solve_scip(problem: TSP, limits: Limits, tracker: Tracker) -> Result:
    import pyscipopt

    from omnisolve.solvers.scip import attach_progress, set_scip_limits

    n = problem.n
    d = np.asarray(problem.distances, dtype=float)
    tail, head = np.triu_indices(n, 1)  # edge k joins tail[k] < head[k]
    cost = d[tail, head]
    tour = _start(limits.start, n)
    if tour is None:
        tour = two_opt(d, nearest_neighbour(d), tracker)
    m = pyscipopt.Model("tsp-dfj")
    m.hideOutput()
    x = []
    for k, c in enumerate(cost.tolist()):
        if k % BUILD_CHECK == 0 and tracker.should_stop():  # the model alone can outlast a short limit
            return _unsolved(problem, tour, tracker)
        x.append(m.addVar(vtype="B", obj=c))
    incident: list[list[int]] = [[] for _ in range(n)]
    for k, (i, j) in enumerate(zip(tail.tolist(), head.tolist())):
        incident[i].append(k)
        incident[j].append(k)
    for v in range(n):
        m.addCons(pyscipopt.quicksum(x[k] for k in incident[v]) == 2)
    handler = _Subtours(x, n, tail, head, tracker)
    m.includeConshdlr(
        handler,
        "subtour",
        "subtour elimination x(delta(S)) >= 2",
        sepapriority=1,
        enfopriority=-1,
        chckpriority=-1,
        sepafreq=1,
        needscons=False,
    )
    if tracker.should_stop():
        return _unsolved(problem, tour, tracker)
    edge = np.full((n, n), -1, dtype=np.int64)
    edge[tail, head] = edge[head, tail] = np.arange(len(tail))
    sol = m.createSol()
    chosen = set(edge[tour, np.roll(tour, -1)].tolist())
    for k, var in enumerate(x):
        m.setSolVal(sol, var, 1.0 if k in chosen else 0.0)
    m.addSol(sol)
    set_scip_limits(m, limits, tracker)
    integral = bool(np.all(cost == np.round(cost)))
    if integral:
        m.setParam("limits/absgap", 0.99)  # integral lengths: a gap below 1 is closed
    solving = attach_progress(m, tracker)
    m.optimize()
    solving[0] = False
    return _result(m, x, problem, tail, head, integral, tracker)


def _unsolved(problem: TSP, tour: np.ndarray, tracker: Tracker) -> Result:
    """The start tour, when the time ran out before SCIP could search."""
    order = [int(v) for v in tour]
    length = problem.evaluate(order)
    tracker.report(length)
    return Result(
        Status.FEASIBLE, objective=length, solution=order, message="stopped by the time limit before the search"
    )


class _Subtours:
    """The constraint handler; a factory so that `pyscipopt` is imported lazily."""

    def __new__(cls, x: list, n: int, tail: np.ndarray, head: np.ndarray, tracker: Tracker) -> Any:
        from pyscipopt import SCIP_RESULT, Conshdlr, quicksum

        class Subtours(Conshdlr):  # type: ignore[misc]  # pyscipopt has no type information
            def sets(self, sol: Any, fractional: bool) -> list[np.ndarray]:
                values = np.array([self.model.getSolVal(sol, v) for v in x])
                if fractional:
                    return violated_sets(values, n, tail, head, tracker)
                return _components(values > 0.5, n, tail, head)

            def cut(self, sets: list[np.ndarray]) -> None:
                for members in sets:
                    inside = np.zeros(n, dtype=bool)
                    inside[members] = True
                    if not 0 < inside.sum() < n:
                        continue  # only proper subsets give valid rows
                    crossing = np.flatnonzero(inside[tail] != inside[head])
                    self.model.addCons(quicksum(x[k] for k in crossing.tolist()) >= 2, removable=False)

            def conscheck(self, constraints, solution, checkintegrality, checklprows, printreason, completely):  # type: ignore[no-untyped-def]
                return {"result": SCIP_RESULT.INFEASIBLE if self.sets(solution, False) else SCIP_RESULT.FEASIBLE}

            def consenfolp(self, constraints, nusefulconss, solinfeasible):  # type: ignore[no-untyped-def]
                sets = self.sets(None, False)
                self.cut(sets)
                return {"result": SCIP_RESULT.CONSADDED if sets else SCIP_RESULT.FEASIBLE}

            def consenfops(self, constraints, nusefulconss, solinfeasible, objinfeasible):  # type: ignore[no-untyped-def]
                return {"result": SCIP_RESULT.INFEASIBLE if self.sets(None, False) else SCIP_RESULT.FEASIBLE}

            def conssepalp(self, constraints, nusefulconss):  # type: ignore[no-untyped-def]
                sets = self.sets(None, True)
                self.cut(sets)
                return {"result": SCIP_RESULT.CONSADDED if sets else SCIP_RESULT.DIDNOTFIND}

            def conslock(self, constraint, locktype, nlockspos, nlocksneg):  # type: ignore[no-untyped-def]
                for var in x:  # a row x(delta(S)) >= 2: raising any x never violates it
                    self.model.addVarLocks(var, nlocksneg, nlockspos)

        return Subtours()


def _components(on: np.ndarray, n: int, tail: np.ndarray, head: np.ndarray) -> list[np.ndarray]:
    """The node sets of the graph of the edges `on`, when there is more than one."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    graph = coo_matrix((np.ones(int(on.sum())), (tail[on], head[on])), shape=(n, n))
    count, label = connected_components(graph, directed=False)
    return [np.flatnonzero(label == c) for c in range(count)] if count > 1 else []


def _start(start: Any, n: int) -> np.ndarray | None:
    """`start` as a tour when it is a permutation of the nodes, else None."""
    if start is None:
        return None
    try:
        tour = np.asarray(start, dtype=np.int64).ravel()
    except (TypeError, ValueError):
        return None
    return tour if len(tour) == n and np.array_equal(np.sort(tour), np.arange(n)) else None


def _result(
    m: Any, x: list, problem: TSP, tail: np.ndarray, head: np.ndarray, integral: bool, tracker: Tracker
) -> Result:
    status = m.getStatus()
    bound = m.getDualbound()
    bound = None if m.isInfinity(abs(bound)) or not math.isfinite(bound) else float(bound)
    if not m.getNSols():
        return Result(Status.TIME_LIMIT, bound=bound, message=f"SCIP found no tour ({status})")
    sol = m.getBestSol()
    on = np.array([m.getSolVal(sol, v) for v in x]) > 0.5
    degree = np.bincount(np.concatenate([tail[on], head[on]]), minlength=problem.n)
    cycles = edge_cycles(on, problem.n, tail, head) if bool(np.all(degree == 2)) else []
    if len(cycles) != 1:  # the degree rows and the handler reject these; never an answer
        return Result(Status.ERROR, bound=bound, message="SCIP's best solution is not one tour")
    tour = cycles[0]
    objective = problem.evaluate(tour)
    if bound is not None:
        if integral:  # no tour is shorter than the next integer up
            bound = integral_bound(bound)
        bound = min(bound, objective)
    tracker.report(objective, bound)
    if status == "optimal" or status == "gaplimit":
        return Result(Status.OPTIMAL, objective=objective, bound=bound, solution=tour)
    message = "stopped by a criterion of Limits.stop" if status == "userinterrupt" else "stopped by the time limit"
    return Result(Status.FEASIBLE, objective=objective, bound=bound, solution=tour, message=message)
