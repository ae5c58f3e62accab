"""Symmetric TSP local search on an array tour: 2-opt, Or-opt (paths of 1-3 nodes, both
orientations) and Or-3opt (a path of any length moved between two near nodes, the sequential
3-opt move without reversal), driven by k-nearest-neighbour candidate lists and a queue of
active nodes (don't-look bits); iterated local search with local double-bridge kicks.

Every move is a sequence of 2-opt reversals that reverse the shorter side of the tour, so a move
costs at most n/2 swaps and nothing is O(n) per kick: an ILS round logs its reversals in a
journal and undoes a rejected round by replaying them backwards (a reversal is its own inverse).
Distances come from `tsp_metric.dist`, so the same kernels run on a matrix or on coordinates.
Kernels are numba-jitted with cache=True and take a step or round budget, so the caller checks
the clock between chunks; the move searches are inlined into `local_search` (numba's
inline="always": a third faster, since a call passes nine arrays, at the price of a slower
first compile).

The search state is one tuple of arrays, `new_search`'s `(tour, pos, queue, queued, state,
journal)`: `tour[i]` the node at position i and `pos` its inverse; `queue` a cyclic queue of the
active nodes and `queued` their flags; `state` = [queue head, queue length, reversals logged,
logging on]; `journal` the (i, j) of every reversal of the current round while logging.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from omnisolve.algorithms.tsp_metric import dist

EPS = 1e-7  # smallest gain that counts as an improvement
HEAD, COUNT, LOGGED, LOGGING = range(4)
JOURNAL_ROWS = 1 << 14  # reversals one ILS round may make before its local search stops early

Search = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]


def new_search(tour: np.ndarray) -> Search:
    """The search state of `tour` (copied) with every node active."""
    tour = np.array(tour, dtype=np.int64)
    n = len(tour)
    pos = np.empty(n, np.int64)
    pos[tour] = np.arange(n)
    state = np.array([0, n, 0, 0], np.int64)
    return tour, pos, tour.copy(), np.ones(n, np.bool_), state, np.empty((JOURNAL_ROWS, 2), np.int64)


@njit(cache=True, inline="always")
def _next(tour: np.ndarray, pos: np.ndarray, v: int, step: int) -> int:
    """The node after `v` in direction `step` (+1 successor, -1 predecessor)."""
    n = tour.shape[0]
    return tour[(pos[v] + step + n) % n]


@njit(cache=True, inline="always")
def _between(pos: np.ndarray, a: int, b: int, c: int, step: int) -> bool:
    """Whether b lies on the path from a to c in direction `step` (both ends included)."""
    n = pos.shape[0]
    if step == 1:
        return (pos[b] - pos[a] + n) % n <= (pos[c] - pos[a] + n) % n
    return (pos[a] - pos[b] + n) % n <= (pos[a] - pos[c] + n) % n


@njit(cache=True)
def _flip(tour: np.ndarray, pos: np.ndarray, i: int, j: int) -> None:
    """Reverse positions i..j (cyclic, inclusive), or the complement when it is shorter: both
    give the same undirected cycle, and flipping (i, j) again restores the tour."""
    n = tour.shape[0]
    inner = (j - i + n) % n + 1
    if 2 * inner > n:
        i, j = (j + 1) % n, (i - 1 + n) % n
        inner = n - inner
    for _ in range(inner // 2):
        a, b = tour[i], tour[j]
        tour[i], pos[b] = b, i
        tour[j], pos[a] = a, j
        i = i + 1 if i + 1 < n else 0
        j = j - 1 if j > 0 else n - 1


@njit(cache=True, inline="always")
def _reverse(tour: np.ndarray, pos: np.ndarray, state: np.ndarray, journal: np.ndarray, i: int, j: int) -> None:
    """`_flip`, logged in the journal while logging is on."""
    if state[LOGGING]:
        journal[state[LOGGED], 0] = i
        journal[state[LOGGED], 1] = j
        state[LOGGED] += 1
    _flip(tour, pos, i, j)


@njit(cache=True)
def _two_opt_move(tour, pos, state, journal, a: int, b: int, c: int, e: int) -> None:
    """Replace tour edges (a, b) and (c, e), met in the same direction, by (a, c) and (b, e)."""
    n = tour.shape[0]
    if tour[(pos[a] + 1) % n] == b:
        _reverse(tour, pos, state, journal, pos[b], pos[c])
    else:
        _reverse(tour, pos, state, journal, pos[c], pos[b])


@njit(cache=True)
def _insert_segment(tour, pos, state, journal, p: int, s1: int, sl: int, nx: int, c: int, e: int, reversed_: bool):
    """Move the path s1..sl (between p and nx) into the edge (c, e), where p -> s1, sl -> nx
    and c -> e run in one direction; it ends as c-sl..s1-e when `reversed_`, else c-s1..sl-e."""
    if c == nx:
        _two_opt_move(tour, pos, state, journal, p, s1, c, e)
    elif e == p:
        _two_opt_move(tour, pos, state, journal, nx, sl, e, c)
    else:
        _two_opt_move(tour, pos, state, journal, p, s1, c, e)
        _two_opt_move(tour, pos, state, journal, p, c, nx, sl)
    if not reversed_ and s1 != sl:
        _two_opt_move(tour, pos, state, journal, c, sl, s1, e)


@njit(cache=True, inline="always")
def _push(queue: np.ndarray, queued: np.ndarray, state: np.ndarray, v: int) -> None:
    """Activate node v (clear its don't-look bit)."""
    if not queued[v]:
        n = queue.shape[0]
        queue[(state[HEAD] + state[COUNT]) % n] = v
        state[COUNT] += 1
        queued[v] = True


@njit(cache=True, inline="always")
def _pop(queue: np.ndarray, queued: np.ndarray, state: np.ndarray) -> int:
    v = queue[state[HEAD]]
    state[HEAD] = (state[HEAD] + 1) % queue.shape[0]
    state[COUNT] -= 1
    queued[v] = False
    return v


@njit(cache=True, inline="always")
def _try_two_opt(m, neigh, tour, pos, queue, queued, state, journal, t1: int) -> float:
    """First improving 2-opt move removing an edge at t1 and adding (t1, near neighbour)."""
    for step in (1, -1):
        t2 = _next(tour, pos, t1, step)
        d12 = dist(m, t1, t2)
        for k in range(neigh.shape[1]):
            t3 = neigh[t1, k]
            g1 = d12 - dist(m, t1, t3)
            if g1 <= EPS:
                break
            t4 = _next(tour, pos, t3, step)
            if t3 == t2 or t4 == t1:
                continue
            gain = g1 + dist(m, t3, t4) - dist(m, t2, t4)
            if gain > EPS:
                _two_opt_move(tour, pos, state, journal, t1, t2, t3, t4)
                for v in (t1, t2, t3, t4):
                    _push(queue, queued, state, v)
                return gain
    return 0.0


@njit(cache=True, inline="always")
def _try_or_opt(m, neigh, tour, pos, queue, queued, state, journal, t1: int) -> float:
    """First improving move of a path of 1-3 nodes starting at t1 next to a near neighbour of
    one of its ends, in either orientation."""
    seg = np.empty(3, np.int64)
    for step in (1, -1):
        sl = t1
        for length in range(1, 4):
            if length > 1:
                sl = _next(tour, pos, sl, step)
            seg[length - 1] = sl
            p = _next(tour, pos, t1, -step)
            nx = _next(tour, pos, sl, step)
            if nx == p or _next(tour, pos, nx, step) == p:
                break
            removed = dist(m, p, t1) + dist(m, sl, nx) - dist(m, p, nx)
            if removed <= EPS:
                continue
            for end in range(2 if length > 1 else 1):
                a, other = (t1, sl) if end == 0 else (sl, t1)
                for k in range(neigh.shape[1]):
                    c = neigh[a, k]
                    g1 = removed - dist(m, a, c)
                    if g1 <= EPS:
                        break
                    inside = False
                    for i in range(length):
                        inside |= seg[i] == c
                    if inside:
                        continue
                    for side in (step, -step):
                        e = _next(tour, pos, c, side)
                        inside = False
                        for i in range(length):
                            inside |= seg[i] == e
                        if inside:
                            continue
                        gain = g1 + dist(m, c, e) - dist(m, other, e)
                        if gain > EPS:
                            # the result is c - a..other - e; express it along `step`
                            if side == step:
                                _insert_segment(tour, pos, state, journal, p, t1, sl, nx, c, e, a == sl)
                            else:
                                _insert_segment(tour, pos, state, journal, p, t1, sl, nx, e, c, a == t1)
                            for v in (p, nx, t1, sl, c, e):
                                _push(queue, queued, state, v)
                            return gain
    return 0.0


@njit(cache=True, inline="always")
def _try_or3(m, neigh, tour, pos, queue, queued, state, journal, t1: int) -> float:
    """First improving Or-3opt move at t1: along `step` the tour runs t1 t2..t5 t6..t3 t4; the
    path t2..t5 moves between t3 (a near neighbour of t2) and t4, keeping its orientation:
    t1 t6..t3 t2..t5 t4, with t5 a near neighbour of t4."""
    for step in (1, -1):
        t2 = _next(tour, pos, t1, step)
        d12 = dist(m, t1, t2)
        for t3 in neigh[t2]:
            g1 = d12 - dist(m, t2, t3)
            if g1 <= EPS:
                break
            if t3 == t1:
                continue
            t4 = _next(tour, pos, t3, step)
            g1 += dist(m, t3, t4)
            for t5 in neigh[t4]:
                g2 = g1 - dist(m, t4, t5)
                if g2 <= EPS:
                    break
                if t5 == t3 or t5 == t1 or not _between(pos, t2, t5, t3, step):
                    continue
                t6 = _next(tour, pos, t5, step)
                gain = g2 + dist(m, t5, t6) - dist(m, t6, t1)
                if gain > EPS:
                    reversed_ = bool(False)  # bool(): a literal would compile _insert_segment once more
                    _insert_segment(tour, pos, state, journal, t1, t2, t5, t6, t3, t4, reversed_)
                    for v in (t1, t2, t3, t4, t5, t6):
                        _push(queue, queued, state, v)
                    return gain
    return 0.0


@njit(cache=True)
def local_search(m, neigh, s, steps: int, or3: bool) -> float:
    """2-opt, Or-opt and (when `or3`) Or-3opt moves from the queued nodes until none improves or
    `steps` nodes were taken from the queue (steps < 0: no limit), or the journal is nearly full
    (the rest of the queue is then dropped); returns the total gain."""
    tour, pos, queue, queued, state, journal = s
    n = tour.shape[0]
    total = 0.0
    while state[COUNT] > 0 and steps != 0:
        if n < 4 or (state[LOGGING] and state[LOGGED] + 3 > journal.shape[0]):
            while state[COUNT] > 0:
                _pop(queue, queued, state)
            break
        steps -= 1
        t1 = _pop(queue, queued, state)
        gain = _try_two_opt(m, neigh, tour, pos, queue, queued, state, journal, t1)
        if gain <= 0.0:
            gain = _try_or_opt(m, neigh, tour, pos, queue, queued, state, journal, t1)
        if gain <= 0.0 and or3:
            gain = _try_or3(m, neigh, tour, pos, queue, queued, state, journal, t1)
        if gain > 0.0:
            total += gain
            _push(queue, queued, state, t1)
    return total


@njit(cache=True)
def _swap_paths(tour: np.ndarray, pos: np.ndarray, start: int, l1: int, l2: int, buf: np.ndarray) -> None:
    """The paths of `l1` and `l2` nodes after position `start` change places (A B C D ->
    A C B D); `_swap_paths(start, l2, l1)` changes them back."""
    n = tour.shape[0]
    for i in range(l1 + l2):
        buf[i] = tour[(start + 1 + i) % n]
    for i in range(l2):
        v = buf[l1 + i]
        at = (start + 1 + i) % n
        tour[at], pos[v] = v, at
    for i in range(l1):
        v = buf[i]
        at = (start + 1 + l2 + i) % n
        tour[at], pos[v] = v, at


@njit(cache=True)
def ils(m, neigh, s, length: np.ndarray, rounds: int, max_len: int, or3: bool, seed: int) -> int:
    """`rounds` of kick + local search from the locally optimal tour of `s` (its length in
    length[0]), keeping each result no longer than before and undoing the others. The kick is
    a local double bridge: two adjacent random paths of at most `max_len` nodes each change
    places. Returns how many rounds shortened the tour. `seed` >= 0 reseeds the generator."""
    if seed >= 0:
        np.random.seed(seed)
    tour, pos, queue, queued, state, journal = s
    n = tour.shape[0]
    if n < 5:
        return 0
    max_len = max(1, min(max_len, (n - 2) // 2))
    buf = np.empty(2 * max_len, np.int64)
    improved = 0
    state[LOGGING] = 1
    for _ in range(rounds):
        l1 = np.random.randint(1, max_len + 1)
        l2 = np.random.randint(1, max_len + 1)
        start = np.random.randint(n)
        a, b0, b1 = tour[start], tour[(start + 1) % n], tour[(start + l1) % n]
        c0, c1, f = tour[(start + l1 + 1) % n], tour[(start + l1 + l2) % n], tour[(start + l1 + l2 + 1) % n]
        delta = dist(m, a, c0) + dist(m, c1, b0) + dist(m, b1, f) - dist(m, a, b0) - dist(m, b1, c0) - dist(m, c1, f)
        _swap_paths(tour, pos, start, l1, l2, buf)
        for v in (a, b0, b1, c0, c1, f):
            _push(queue, queued, state, v)
        state[LOGGED] = 0
        # int(-1), not the literal -1, which numba types as Literal[int](-1) and would compile
        # local_search for a second time (12 s cold), as any literal argument of a kernel would
        new = length[0] + delta - local_search(m, neigh, s, int(-1), or3)
        if new <= length[0] + EPS:
            if new < length[0] - EPS:
                improved += 1
            length[0] = new
        else:
            for r in range(state[LOGGED] - 1, -1, -1):
                _flip(tour, pos, journal[r, 0], journal[r, 1])
            _swap_paths(tour, pos, start, l2, l1, buf)
    state[LOGGING] = 0
    return improved
