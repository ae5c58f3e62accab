"""Tabu search for the job shop over machine orders (N5 neighbourhood, Nowicki-Smutnicki).

A solution is the order of operations on every machine, kept as linked lists (`mpred`,
`msucc`). A move swaps the first two or the last two operations of a block (operations of
one machine in a row on a critical path) — the only adjacent swaps that can shorten the
makespan — and never creates a cycle. Each candidate is evaluated exactly by recomputing
the heads (earliest starts) in topological order, O(operations). The reverse of a move is
tabu for a random tenure unless it beats the best; after a long stall the search restarts
from the best schedule with a few random critical swaps. Kernels are numba-jitted with
nogil, so the search runs in a thread beside CP-SAT.
"""

from __future__ import annotations

import time
from typing import Callable

import numpy as np
from numba import njit

from omnisolve.problems import JobShop

CHUNK = 200  # iterations per call into the kernel, between time checks
STALL = 3000  # iterations without a new best before a restart from the best
KICKS = 3  # random critical swaps at a restart


@njit(cache=True, nogil=True)
def heads(dur, jpred, jsucc, mpred, msucc, r, order):
    """Earliest starts `r` in topological `order`; the makespan, or -1 on a cycle."""
    n = len(dur)
    indeg = np.zeros(n, np.int64)
    top = 0
    for o in range(n):
        indeg[o] = (jpred[o] >= 0) + (mpred[o] >= 0)
        r[o] = 0
        if indeg[o] == 0:
            order[top] = o
            top += 1
    done, span = 0, 0
    while done < top:
        o = order[done]
        done += 1
        end = r[o] + dur[o]
        if end > span:
            span = end
        for s in (jsucc[o], msucc[o]):
            if s >= 0:
                if end > r[s]:
                    r[s] = end
                indeg[s] -= 1
                if indeg[s] == 0:
                    order[top] = s
                    top += 1
    return span if done == n else -1


@njit(cache=True, nogil=True)
def swap(mpred, msucc, u, v):
    """Machine order ... a, u, v, b ... becomes ... a, v, u, b ..."""
    a, b = mpred[u], msucc[v]
    if a >= 0:
        msucc[a] = v
    if b >= 0:
        mpred[b] = u
    mpred[v], msucc[v] = a, u
    mpred[u], msucc[u] = v, b


@njit(cache=True, nogil=True)
def moves(dur, jpred, mpred, r, span, out):
    """The N5 candidate swaps (u, v) of one critical path into `out`; their number."""
    n = len(dur)
    last = 0
    for o in range(n):
        if r[o] + dur[o] == span:
            last = o
            break
    path = np.empty(n, np.int64)  # the critical path, from its end backwards
    steps = np.empty(n, np.bool_)  # steps[i]: path[i] follows path[i + 1] on its machine
    k, o = 0, last
    while o >= 0:
        path[k] = o
        p, via_machine = -1, False
        m = mpred[o]
        if m >= 0 and r[m] + dur[m] == r[o]:
            p, via_machine = m, True
        else:
            j = jpred[o]
            if j >= 0 and r[j] + dur[j] == r[o]:
                p = j
        steps[k] = via_machine
        k += 1
        o = p
    count, i = 0, k - 1  # walk the path forwards: index k - 1 is its first operation
    while i >= 0:
        start = i  # a block runs from path[start] down to path[stop]
        while i > 0 and steps[i - 1]:
            i -= 1
        stop = i
        if start > stop:  # at least two operations
            first_block, last_block = start == k - 1, stop == 0
            if not first_block:
                out[count, 0], out[count, 1] = path[start], path[start - 1]
                count += 1
            if not last_block and (first_block or start - 1 != stop):
                out[count, 0], out[count, 1] = path[stop + 1], path[stop]
                count += 1
        i -= 1
    return count


@njit(cache=True, nogil=True)
def seed_rng(seed):
    np.random.seed(seed)


@njit(cache=True, nogil=True)
def run(dur, jpred, jsucc, mpred, msucc, best_pred, best_succ, tabu, state, iterations, min_tenure, max_tenure):
    """`iterations` tabu steps from the current orders; `state` = [iteration, span, best span,
    stall]. The best orders found are kept in best_pred / best_succ."""
    n = len(dur)
    r = np.empty(n, np.int64)
    order = np.empty(n, np.int64)
    cand = np.empty((2 * n, 2), np.int64)
    it, span, best, stall = state[0], state[1], state[2], state[3]
    for _ in range(iterations):
        span = heads(dur, jpred, jsucc, mpred, msucc, r, order)
        count = moves(dur, jpred, mpred, r, span, cand)
        if count == 0:  # a single block: the makespan is a machine's load, optimal
            break
        pick, pick_span, oldest, oldest_tabu = -1, 1 << 60, -1, 1 << 60
        for c in range(count):
            u, v = cand[c, 0], cand[c, 1]
            swap(mpred, msucc, u, v)
            s = heads(dur, jpred, jsucc, mpred, msucc, r, order)
            swap(mpred, msucc, v, u)
            if s < 0:
                continue
            forbidden = tabu[v, u] > it
            if (not forbidden or s < best) and s < pick_span:
                pick, pick_span = c, s
            if forbidden and tabu[v, u] < oldest_tabu:
                oldest, oldest_tabu = c, tabu[v, u]
        if pick < 0:
            pick = oldest
        if pick < 0:
            break
        u, v = cand[pick, 0], cand[pick, 1]
        swap(mpred, msucc, u, v)
        tabu[u, v] = it + min_tenure + np.random.randint(0, max_tenure - min_tenure + 1)
        it += 1
        span = heads(dur, jpred, jsucc, mpred, msucc, r, order)
        if span < best:
            best, stall = span, 0
            best_pred[:] = mpred
            best_succ[:] = msucc
        else:
            stall += 1
        if stall >= STALL:  # restart from the best with a few random critical swaps
            mpred[:] = best_pred
            msucc[:] = best_succ
            stall = 0
            for _k in range(KICKS):
                span = heads(dur, jpred, jsucc, mpred, msucc, r, order)
                count = moves(dur, jpred, mpred, r, span, cand)
                if count == 0:
                    break
                c = np.random.randint(0, count)
                swap(mpred, msucc, cand[c, 0], cand[c, 1])
    state[0], state[1], state[2], state[3] = it, span, best, stall


class TabuSearch:
    """Tabu search from a schedule (flat start times job by job) of a `JobShop`."""

    def __init__(self, shop: JobShop, starts: np.ndarray, seed: int = 0):
        n = shop.size
        self.shop = shop
        self.dur = np.ascontiguousarray(shop._duration, dtype=np.int64)
        self.jpred, self.jsucc = np.full(n, -1, np.int64), np.full(n, -1, np.int64)
        chain = shop._chain()
        self.jsucc[chain], self.jpred[chain + 1] = chain + 1, chain
        self.mpred, self.msucc = np.full(n, -1, np.int64), np.full(n, -1, np.int64)
        order = np.lexsort((starts + shop._duration, starts, shop._machine))
        same = shop._machine[order[:-1]] == shop._machine[order[1:]]
        self.msucc[order[:-1][same]], self.mpred[order[1:][same]] = order[1:][same], order[:-1][same]
        self.best_pred, self.best_succ = self.mpred.copy(), self.msucc.copy()
        self.tabu = np.zeros((n, n), np.int64)
        span = self.makespan_of(self.mpred, self.msucc)
        self.state = np.array([0, span, span, 0], np.int64)
        tenure = 2 + shop.num_jobs // 2 if shop.num_jobs < 2 * shop.num_machines else 4 + shop.num_jobs // 2
        self.tenure = (max(2, tenure - 2), tenure + 4)
        seed_rng(seed)

    def makespan_of(self, mpred: np.ndarray, msucc: np.ndarray) -> int:
        return int(heads(self.dur, self.jpred, self.jsucc, mpred, msucc, *self._buffers()))

    def best_starts(self) -> np.ndarray:
        """The best schedule found, as flat start times job by job."""
        r, order = self._buffers()
        heads(self.dur, self.jpred, self.jsucc, self.best_pred, self.best_succ, r, order)
        return r

    @property
    def best(self) -> int:
        return int(self.state[2])

    def step(self, iterations: int = CHUNK) -> int:
        """Run `iterations` more steps; the best makespan so far."""
        run(
            self.dur,
            self.jpred,
            self.jsucc,
            self.mpred,
            self.msucc,
            self.best_pred,
            self.best_succ,
            self.tabu,
            self.state,
            iterations,
            *self.tenure,
        )
        return self.best

    def _buffers(self) -> tuple[np.ndarray, np.ndarray]:
        n = len(self.dur)
        return np.empty(n, np.int64), np.empty(n, np.int64)


def tabu_search(
    shop: JobShop,
    starts: np.ndarray,
    time_left: Callable[[], float],
    done: Callable[[int], bool],
    seed: int = 0,
    on_improve: Callable[[np.ndarray], object] | None = None,  # its return value is ignored
    patience: Callable[[float, float], bool] | None = None,
) -> np.ndarray:
    """Improve `starts` until `time_left()` runs out, `done(best makespan)` holds, or
    `patience(seconds searched, seconds since the last gain)` says to give up."""
    search = TabuSearch(shop, starts, seed)
    best, begin = search.best, time.perf_counter()
    last_gain = begin
    while time_left() > 0 and not done(best):
        before = search.state[0]
        value = search.step()
        now = time.perf_counter()
        if value < best:
            best, last_gain = value, now
            if on_improve is not None:
                on_improve(search.best_starts())
        if search.state[0] == before:  # no move possible: a single critical block, optimal
            break
        if patience is not None and patience(now - begin, now - last_gain):
            break
    return search.best_starts()


def warm_up() -> None:
    """Compile every kernel (or load it from numba's cache) on a tiny instance, so that the
    first real solve does not pay for it: about 7 s cold."""
    from omnisolve.problems.jobshop import JobShop

    shop = JobShop([[(0, 2), (1, 3)], [(1, 2), (0, 1)]])
    tabu_search(shop, np.array([0, 2, 0, 2]), lambda: 1.0, lambda best: best <= 3)
