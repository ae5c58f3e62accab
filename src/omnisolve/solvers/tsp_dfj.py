"""Exact symmetric TSP by the Dantzig-Fulkerson-Johnson formulation, solved by HiGHS with
subtour-elimination cuts added in rounds.

One column per edge {i, j} (i < j), degree 2 at every node, minimize the summed distances.
First the LP relaxation: the violated subtour constraints of each LP optimum are separated
exactly (connected components of the support graph, then the phase cuts of Stoer-Wagner on
the support graph with edges at 1 shrunk) and added as rows to the same `Highs` object, which
re-solves from its basis, until the subtour (Held-Karp) bound is reached. Then the columns
become integer and the MILP is solved from the best tour; a run is interrupted at its first
improving solution that is not one tour, whose subtours are cut off before the next run, until
a run proves a tour optimal (HiGHS has no lazy constraints, so the rounds stand in for them).
Every round's LP or MILP is a relaxation of the TSP (a subset of the subtour constraints), so
its optimum, or the MILP's dual bound, is a valid lower bound; with integral distances it is
rounded up. The best tour (nearest neighbour + 2-opt, then the MILP's subtours patched together
and 2-opt'ed) is an incumbent at all times.

Used as the independent witness for TSP optimality claims (`portfolio.crosscheck`).
`highspy` is imported inside the methods only.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from omnisolve.limits import Limits, Tracker
from omnisolve.problems import Problem
from omnisolve.problems.tsp import TSP
from omnisolve.result import Result, Status
from omnisolve.solvers.base import SolverInterface
from omnisolve.solvers.requirements import asymmetric_reason, matrix_reason

MAX_NODES = 1500  # one column per edge: beyond this the model alone is millions of columns
SUPPORT = 1e-6  # an edge with x above this is in the support graph
VIOLATION = 1e-6  # a subtour cut x(delta(S)) < 2 - VIOLATION is added


class TspDfjSolver(SolverInterface):
    """Exact symmetric TSP: DFJ formulation on HiGHS with subtour cuts in rounds (LP, then MILP)"""

    name = "tsp-dfj"
    package = "highspy"
    accepts = (TSP,)

    def unsupported_reason(self, problem: Problem) -> str | None:
        reason = super().unsupported_reason(problem) or asymmetric_reason(problem, "cpsat or lkh")
        if reason is None and isinstance(problem, TSP) and problem.n > MAX_NODES:
            return f"one column per edge is too large beyond {MAX_NODES} nodes ({problem.n} here); use lkh"
        return reason or matrix_reason(problem)

    def _solve(self, problem: Problem, limits: Limits, tracker: Tracker) -> Result:
        assert isinstance(problem, TSP)  # unsupported_reason has refused every other problem
        if problem.n <= 3:  # one tour only
            tour = list(range(problem.n))
            length = problem.evaluate(tour)
            tracker.report(length, length)
            return Result(Status.OPTIMAL, objective=length, bound=length, solution=tour)
        return self._search(problem, limits, tracker)

    def _search(self, problem: TSP, limits: Limits, tracker: Tracker) -> Result:
        """The exact search on more than three nodes."""
        return _Dfj(problem, limits, tracker).run()


class _Dfj:
    """One solve: the HiGHS model, the best tour and the best bound."""

    def __init__(self, problem: TSP, limits: Limits, tracker: Tracker):
        self.problem, self.limits, self.tracker = problem, limits, tracker
        n = self.n = problem.n
        self.d = np.asarray(problem.distances, dtype=float)
        self.I, self.J = np.triu_indices(n, 1)
        self.cost = self.d[self.I, self.J]
        self.edge = np.full((n, n), -1, dtype=np.int64)
        self.edge[self.I, self.J] = self.edge[self.J, self.I] = np.arange(len(self.I))
        self.integral = bool(np.all(self.cost == np.round(self.cost)))
        self.tour = two_opt(self.d, nearest_neighbour(self.d), tracker)  # the best tour so far
        self.length = problem.evaluate(self.tour.tolist())
        self.bound = -math.inf
        self.log: list[str] = []
        self.cuts: set[bytes] = set()  # the node sets cut off so far (as masks without node 0)
        self.proven = False  # a MILP relaxation's optimum was a tour
        self.pending: list[np.ndarray] = []  # subtours of the running MILP's improving solutions

    # ---- bookkeeping ---------------------------------------------------------------------------
    def offer(self, tour: np.ndarray) -> None:
        """Keep `tour` if it is shorter than the best one."""
        length = self.problem.evaluate(tour.tolist())
        if length < self.length - 1e-9:
            self.tour, self.length = tour.copy(), length
            self.tracker.report(self.length, self.reported_bound())

    def raise_bound(self, value: float) -> None:
        """A relaxation's optimum or dual bound: rounded up for integral distances."""
        if not math.isfinite(value):
            return
        if self.integral:
            value = integral_bound(value)
        if value > self.bound:
            self.bound = value
            self.tracker.report(self.length, self.reported_bound())

    def reported_bound(self) -> float | None:
        return None if not math.isfinite(self.bound) else min(self.bound, self.length)

    def closed(self) -> bool:
        """The best tour is optimal (within the gap limit) by the best bound."""
        if not math.isfinite(self.bound):
            return False
        gap = self.length - self.bound
        return gap <= 1e-9 * max(1.0, abs(self.length)) or gap <= self.limits.gap * max(1.0, abs(self.length))

    # ---- the loop ------------------------------------------------------------------------------
    def run(self) -> Result:
        import highspy

        from omnisolve.solvers.highs import stop_lp_when_requested

        S = highspy.HighsModelStatus
        self.tracker.report(self.length)
        h = self.model()
        stop_lp_when_requested(h, self.tracker)
        # LP rounds: exact subtour separation until the subtour (Held-Karp) bound
        rounds = 0
        while not self.closed() and not self.tracker.should_stop():
            if self.run_highs(h) != S.kOptimal:
                break
            rounds += 1
            self.raise_bound(h.getInfo().objective_function_value)
            x = np.asarray(h.getSolution().col_value, dtype=float)
            added = self.add_cuts(h, self.separate(x))
            self.log.append(f"LP round {rounds}: bound {self.bound:.10g}, {added} subtour cuts\n")
            if not added:
                break
        # MILP rounds: each run starts from the best tour and is interrupted at its first improving
        # solution with subtours (cut off before the next run); it ends at a tour it proves optimal
        if not self.closed() and not self.tracker.should_stop():
            m = len(self.cost)
            h.changeColsIntegrality(m, np.arange(m, dtype=np.int32), np.ones(m, dtype=np.uint8))
            if self.integral:
                h.setOptionValue("mip_abs_gap", 0.99)  # integral objective: a gap below 1 is closed
            h.cbMipInterrupt.subscribe(self.on_interrupt)
            h.cbMipImprovingSolution.subscribe(lambda e: self.hear(e.data_out.mip_solution))
        rounds = 0
        while not self.closed() and not self.proven and not self.tracker.should_stop():
            self.pending = []
            start = np.zeros(len(self.cost))
            start[self.edge[self.tour, np.roll(self.tour, -1)]] = 1.0
            h.setSolution(len(start), np.arange(len(start), dtype=np.int32), start)
            status = self.run_highs(h)
            rounds += 1
            info = h.getInfo()
            self.raise_bound(info.mip_dual_bound)
            if info.primal_solution_status != highspy.SolutionStatus.kSolutionStatusFeasible:
                break
            cycles = self.cycles(np.asarray(h.getSolution().col_value, dtype=float))
            if len(cycles) == 1:
                self.offer(np.asarray(cycles[0]))
                # the relaxation's optimum (within the gap limit) is a tour: no shorter tour exists
                tolerance = 1e-9 * max(1.0, abs(self.length))
                self.proven = status == S.kOptimal and self.length <= info.objective_function_value + tolerance
            else:
                self.pending += [np.asarray(c) for c in cycles]
                self.offer(two_opt(self.d, patch(self.d, cycles), self.tracker))
            added = self.add_cuts(h, self.pending)
            self.log.append(
                f"MILP round {rounds} ({self.tracker.elapsed():.2f} s): bound {self.bound:.10g}, "
                f"answer {info.objective_function_value:.10g} in {len(cycles)} cycle(s), "
                f"{added} subtour cuts, best tour {self.length:.10g}\n"
            )
            if status not in (S.kOptimal, S.kInterrupt) or (not added and not self.proven):
                break  # stopped by the time limit, or (numerically) nothing left to cut off
        return self.result()

    def on_interrupt(self, event: Any) -> None:
        self.raise_bound(event.data_out.mip_dual_bound)
        # set every time: HiGHS keeps the flag from one run to the next
        event.data_in.user_interrupt = bool(self.pending) or self.tracker.stop_requested()

    def hear(self, values: Any) -> None:
        """An improving solution of the running MILP: a tour is offered as incumbent, the
        subtours of any other are kept, to interrupt the run and cut them off."""
        x = np.asarray(values, dtype=float)
        if x.shape != self.cost.shape:
            return
        cycles = self.cycles(x)
        if len(cycles) == 1:
            self.offer(np.asarray(cycles[0]))
        else:
            self.pending += [np.asarray(c) for c in cycles]

    def result(self) -> Result:
        tour = self.tour.tolist()
        at = tour.index(0)
        tour = [int(v) for v in tour[at:] + tour[:at]]
        objective = self.problem.evaluate(tour)
        bound = self.reported_bound()
        log = "".join(self.log) + f"{len(self.cuts)} subtour cuts in all\n"
        if self.proven or self.closed():
            return Result(Status.OPTIMAL, objective=objective, bound=bound, solution=tour, log=log)
        return Result(
            Status.FEASIBLE,
            objective=objective,
            bound=bound,
            solution=tour,
            log=log,
            message="stopped by a criterion of Limits.stop"
            if self.tracker.stop_requested()
            else "stopped by the time limit",
        )

    def run_highs(self, h: Any) -> Any:
        from omnisolve.solvers.highs import set_limits

        set_limits(h, self.limits, self.tracker.search_remaining())
        h.run()
        return h.getModelStatus()

    # ---- model ---------------------------------------------------------------------------------
    def model(self) -> Any:
        """The degree-2 LP over all edges, in a silent `Highs`."""
        import highspy

        from omnisolve.io.highs_model import new_highs

        n, m = self.n, len(self.cost)
        lp = highspy.HighsLp()
        lp.num_col_, lp.num_row_ = m, n
        lp.col_cost_ = self.cost
        lp.col_lower_, lp.col_upper_ = np.zeros(m), np.ones(m)
        lp.row_lower_ = lp.row_upper_ = np.full(n, 2.0)
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.num_col_, lp.a_matrix_.num_row_ = m, n
        lp.a_matrix_.start_ = np.arange(0, 2 * m + 1, 2, dtype=np.int32)
        lp.a_matrix_.index_ = np.column_stack([self.I, self.J]).ravel().astype(np.int32)
        lp.a_matrix_.value_ = np.ones(2 * m)
        h = new_highs()
        h.passModel(lp)
        return h

    def add_cuts(self, h: Any, sets: list[np.ndarray]) -> int:
        """x(E(S)) <= |S| - 1 for each node set S not cut off before, stated on the smaller of
        S and its complement (the same constraint under the degree equations, with fewer
        nonzeros); returns how many rows were added."""
        starts, indices, uppers = [], [], []
        nnz = 0
        for members in sets:
            mask = np.zeros(self.n, dtype=bool)
            mask[np.asarray(members, dtype=np.int64)] = True
            if mask[0]:
                mask = ~mask
            key = np.packbits(mask).tobytes()
            S = np.flatnonzero(mask if 2 * mask.sum() <= self.n else ~mask)
            if len(S) < 2 or key in self.cuts:
                continue
            self.cuts.add(key)
            inside = self.edge[np.ix_(S, S)][np.triu_indices(len(S), 1)]
            starts.append(nnz)
            indices.append(inside)
            uppers.append(len(S) - 1.0)
            nnz += len(inside)
        k = len(starts)
        if k:
            h.addRows(
                k,
                np.full(k, -np.inf),
                np.asarray(uppers),
                nnz,
                np.asarray(starts, dtype=np.int32),
                np.concatenate(indices).astype(np.int32),
                np.ones(nnz),
            )
        return k

    # ---- separation ----------------------------------------------------------------------------
    def separate(self, x: np.ndarray) -> list[np.ndarray]:
        return violated_sets(x, self.n, self.I, self.J, self.tracker)

    def cycles(self, x: np.ndarray) -> list[list[int]]:
        """The cycles of an integer solution (every node has two chosen edges)."""
        return edge_cycles(x > 0.5, self.n, self.I, self.J)


def edge_cycles(chosen: np.ndarray, n: int, tail: np.ndarray, head: np.ndarray) -> list[list[int]]:
    """The cycles of the `chosen` edges (edge k joins tail[k] and head[k]) when every node has
    two of them, each from its smallest node; the first from node 0."""
    adj: list[list[int]] = [[] for _ in range(n)]
    for i, j in zip(tail[chosen].tolist(), head[chosen].tolist()):
        adj[i].append(j)
        adj[j].append(i)
    seen = np.zeros(n, dtype=bool)
    out = []
    for s in range(n):
        if seen[s]:
            continue
        cycle, prev, v = [s], -1, s
        seen[s] = True
        while True:
            nxt = next((w for w in adj[v] if w != prev and not seen[w]), None)
            if nxt is None:
                break
            cycle.append(nxt)
            seen[nxt] = True
            prev, v = v, nxt
        out.append(cycle)
    return out


def integral_bound(value: float) -> float:
    """A lower bound on a sum of integers, rounded up to the next integer (less a relative 1e-6
    of slack for the solver's tolerances)."""
    return math.ceil(value - 1e-6 * max(1.0, abs(value)))


def support_weights(x: np.ndarray, n: int, tail: np.ndarray, head: np.ndarray) -> np.ndarray:
    """The symmetric n x n matrix of the edge values `x` (edge k joins tail[k] and head[k]) above `SUPPORT`."""
    on = x > SUPPORT
    W = np.zeros((n, n))
    W[tail[on], head[on]] = x[on]
    return W + W.T


def violated_sets(x: np.ndarray, n: int, tail: np.ndarray, head: np.ndarray, tracker: Tracker) -> list[np.ndarray]:
    """Node sets whose subtour constraints the edge values `x` violate (exact: none means none
    exists): the components of the support graph when it is disconnected, else, with edges at 1
    shrunk (safe: some violated set never separates their ends), every Stoer-Wagner phase cut
    below 2."""
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import connected_components

    W = support_weights(x, n, tail, head)
    count, label = connected_components(csr_matrix(W > 0), directed=False)
    if count > 1:
        return [np.flatnonzero(label == c) for c in range(count)]
    one = np.where(W >= 1 - 1e-9, 1, 0)
    count, label = connected_components(csr_matrix(one), directed=False)
    if count < 2:
        return []
    M = csr_matrix((np.ones(n), (np.arange(n), label)), shape=(n, count))
    shrunk = np.asarray(M.T @ (M.T @ W).T)  # M' W M, W symmetric
    np.fill_diagonal(shrunk, 0.0)
    cuts = stoer_wagner_cuts(shrunk, 2.0 - VIOLATION, tracker)
    return [np.flatnonzero(np.isin(label, members)) for members in cuts]


def stoer_wagner_cuts(W: np.ndarray, below: float, tracker: Tracker) -> list[list[int]]:
    """The cut-of-the-phase shores of Stoer-Wagner on the symmetric weights `W` (one per phase;
    their minimum is the global minimum cut) whose weight is below `below`, as lists of nodes;
    fewer phases once `tracker.should_stop()`."""
    k = len(W)
    W = W.copy()
    members = [[i] for i in range(k)]
    alive = np.ones(k, dtype=bool)
    out = []
    for _ in range(k - 1):
        if tracker.should_stop():
            break
        idx = np.flatnonzero(alive)
        done = ~alive
        done[idx[0]] = True
        key = W[idx[0]].copy()
        key[done] = -np.inf
        s = t = idx[0]
        for _ in range(len(idx) - 1):
            s, t = t, int(np.argmax(key))
            cut = key[t]
            done[t] = True
            key += W[t]
            key[done] = -np.inf
        if cut < below:
            out.append(list(members[t]))
        W[s] += W[t]
        W[:, s] += W[:, t]
        W[s, s] = 0.0
        W[t] = 0.0
        W[:, t] = 0.0
        alive[t] = False
        members[s] += members[t]
    return out


def nearest_neighbour(d: np.ndarray, start: int = 0) -> np.ndarray:
    n = len(d)
    free = np.ones(n, dtype=bool)
    tour = [start]
    free[start] = False
    for _ in range(n - 1):
        row = np.where(free, d[tour[-1]], np.inf)
        nxt = int(np.argmin(row))
        tour.append(nxt)
        free[nxt] = False
    return np.asarray(tour)


def two_opt(d: np.ndarray, tour: np.ndarray, tracker: Tracker) -> np.ndarray:
    """Best-improvement 2-opt per position, passes until none improves (or `tracker.should_stop()`)."""
    t = np.asarray(tour).copy()
    n = len(t)
    if n < 5:
        return t
    improved = True
    while improved and not tracker.should_stop():
        improved = False
        for i in range(n - 2):
            a, b = t[i], t[i + 1]
            c = t[i + 2 :]
            e = np.roll(t, -1)[i + 2 :]  # successor of each c (wraps to t[0])
            delta = d[a, c] + d[b, e] - d[a, b] - d[c, e]
            if i == 0:
                delta[-1] = 0.0  # c = last node: its successor is a, no move
            j = int(np.argmin(delta))
            if delta[j] < -1e-9:
                t[i + 1 : i + 3 + j] = t[i + 1 : i + 3 + j][::-1]
                improved = True
    return t


def patch(d: np.ndarray, cycles: list[list[int]]) -> np.ndarray:
    """One tour from several cycles: repeatedly join the smallest cycle to another by the
    cheapest exchange of one edge of each."""
    cycles = [list(c) for c in cycles]
    while len(cycles) > 1:
        cycles.sort(key=len)
        A = np.asarray(cycles[0])
        An = np.roll(A, -1)
        best = (math.inf, 0, 0, 0, False)
        for k, other in enumerate(cycles[1:], start=1):
            B = np.asarray(other)
            Bn = np.roll(B, -1)
            removed = d[A, An][:, None] + d[B, Bn][None, :]
            same = d[A[:, None], Bn[None, :]] + d[An[:, None], B[None, :]] - removed  # a-b', b-a'
            flip = d[A[:, None], B[None, :]] + d[An[:, None], Bn[None, :]] - removed  # a-b, a'-b'
            for cost, flipped in ((same, False), (flip, True)):
                row, col = np.unravel_index(int(np.argmin(cost)), cost.shape)
                if cost[row, col] < best[0]:
                    best = (float(cost[row, col]), k, int(row), int(col), flipped)
        _, k, i, j, flipped = best
        a_path = list(A[i + 1 :]) + list(A[: i + 1])  # a' ... a
        joined = cycles[k]
        if flipped:  # a -> b, then the joined cycle backwards to b', then a'
            b_path = list(reversed(joined[j + 1 :] + joined[: j + 1]))  # b ... b'
        else:  # a -> b', the joined cycle forwards to b, then a'
            b_path = joined[j + 1 :] + joined[: j + 1]  # b' ... b
        merged = a_path + b_path
        cycles = [c for idx, c in enumerate(cycles) if idx not in (0, k)] + [merged]
    return np.asarray(cycles[0])
