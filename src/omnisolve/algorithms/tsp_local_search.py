"""Symmetric TSP local search on an array tour (`tour[i]` the node at position i, `pos` its
inverse): nearest-neighbour construction, 2-opt and Or-opt driven by k-nearest-neighbour
candidate lists and a queue of active nodes (don't-look bits), and iterated local search with
local double-bridge kicks. Every move is a sequence of 2-opt reversals that reverse the shorter
side of the tour, so a move costs at most n/2 swaps. Kernels are numba-jitted with cache=True;
`ils` runs in chunks of iterations so the caller can check the clock between them."""

from __future__ import annotations

import numpy as np
from numba import njit

EPS = 1e-7  # smallest gain that counts as an improvement


def neighbor_lists(d: np.ndarray, k: int) -> np.ndarray:
    """(n, k) int64: each node's k nearest other nodes, nearest first."""
    n = d.shape[0]
    k = min(k, n - 1)
    far = d + np.diag(np.full(n, np.inf))
    near = np.argpartition(far, k - 1, axis=1)[:, :k]
    order = np.argsort(np.take_along_axis(far, near, axis=1), axis=1, kind="stable")
    return np.ascontiguousarray(np.take_along_axis(near, order, axis=1)).astype(np.int64)


@njit(cache=True)
def nearest_neighbor_tour(d: np.ndarray, start: int) -> np.ndarray:
    """Greedy walk to the closest unvisited node, O(n^2)."""
    n = d.shape[0]
    tour = np.empty(n, np.int64)
    seen = np.zeros(n, np.bool_)
    tour[0] = start
    seen[start] = True
    for i in range(1, n):
        last = tour[i - 1]
        best, best_d = -1, np.inf
        for v in range(n):
            if not seen[v] and d[last, v] < best_d:
                best, best_d = v, d[last, v]
        tour[i] = best
        seen[best] = True
    return tour


@njit(cache=True)
def tour_length(d: np.ndarray, tour: np.ndarray) -> float:
    total = 0.0
    n = tour.shape[0]
    for i in range(n):
        total += d[tour[i], tour[(i + 1) % n]]
    return total


@njit(cache=True)
def _next(tour: np.ndarray, pos: np.ndarray, v: int, step: int) -> int:
    """The node after `v` in direction `step` (+1 successor, -1 predecessor)."""
    n = tour.shape[0]
    return tour[(pos[v] + step + n) % n]


@njit(cache=True)
def _reverse(tour: np.ndarray, pos: np.ndarray, i: int, j: int) -> None:
    """Reverse positions i..j (cyclic, inclusive), or the complement when it is shorter: both
    give the same undirected cycle."""
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


@njit(cache=True)
def _two_opt_move(tour: np.ndarray, pos: np.ndarray, a: int, b: int, c: int, e: int) -> None:
    """Replace tour edges (a, b) and (c, e), met in the same direction, by (a, c) and (b, e)."""
    n = tour.shape[0]
    if tour[(pos[a] + 1) % n] == b:
        _reverse(tour, pos, pos[b], pos[c])
    else:
        _reverse(tour, pos, pos[c], pos[b])


@njit(cache=True)
def _push(v: int, queue: np.ndarray, queued: np.ndarray, qs: np.ndarray) -> None:
    """Activate node v (clear its don't-look bit); qs = [head, count] of the cyclic queue."""
    if not queued[v]:
        n = queue.shape[0]
        queue[(qs[0] + qs[1]) % n] = v
        qs[1] += 1
        queued[v] = True


@njit(cache=True)
def _try_two_opt(d, neigh, tour, pos, t1, queue, queued, qs) -> float:
    """First improving 2-opt move removing an edge at t1 and adding (t1, near neighbour)."""
    for step in (1, -1):
        t2 = _next(tour, pos, t1, step)
        d12 = d[t1, t2]
        for k in range(neigh.shape[1]):
            t3 = neigh[t1, k]
            g1 = d12 - d[t1, t3]
            if g1 <= EPS:
                break
            t4 = _next(tour, pos, t3, step)
            if t3 == t2 or t4 == t1:
                continue
            gain = g1 + d[t3, t4] - d[t2, t4]
            if gain > EPS:
                _two_opt_move(tour, pos, t1, t2, t3, t4)
                for v in (t1, t2, t3, t4):
                    _push(v, queue, queued, qs)
                return gain
    return 0.0


@njit(cache=True)
def _insert_segment(tour, pos, p, s1, sl, nx, c, e, reversed_) -> None:
    """Move the path s1..sl (between p and nx) into the edge (c, e), where p -> s1, sl -> nx
    and c -> e run in one direction; it ends as c-sl..s1-e when `reversed_`, else c-s1..sl-e."""
    if c == nx:
        _two_opt_move(tour, pos, p, s1, c, e)
    elif e == p:
        _two_opt_move(tour, pos, nx, sl, e, c)
    else:
        _two_opt_move(tour, pos, p, s1, c, e)
        _two_opt_move(tour, pos, p, c, nx, sl)
    if not reversed_ and s1 != sl:
        _two_opt_move(tour, pos, c, sl, s1, e)


@njit(cache=True)
def _try_or_opt(d, neigh, tour, pos, t1, queue, queued, qs) -> float:
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
            removed = d[p, t1] + d[sl, nx] - d[p, nx]
            if removed <= EPS:
                continue
            for end in range(2 if length > 1 else 1):
                a, other = (t1, sl) if end == 0 else (sl, t1)
                for k in range(neigh.shape[1]):
                    c = neigh[a, k]
                    g1 = removed - d[a, c]
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
                        gain = g1 + d[c, e] - d[other, e]
                        if gain > EPS:
                            # the result is c - a..other - e; express it along `step`
                            if side == step:
                                _insert_segment(tour, pos, p, t1, sl, nx, c, e, a == sl)
                            else:
                                _insert_segment(tour, pos, p, t1, sl, nx, e, c, a == t1)
                            for v in (p, nx, t1, sl, c, e):
                                _push(v, queue, queued, qs)
                            return gain
    return 0.0


@njit(cache=True)
def local_search(d, neigh, tour, pos, queue, queued, qs) -> float:
    """2-opt + Or-opt until no queued node has an improving move; returns the total gain."""
    n = tour.shape[0]
    total = 0.0
    if n < 4:
        qs[1] = 0
        queued[:] = False
        return total
    while qs[1] > 0:
        t1 = queue[qs[0]]
        qs[0] = (qs[0] + 1) % n
        qs[1] -= 1
        queued[t1] = False
        gain = _try_two_opt(d, neigh, tour, pos, t1, queue, queued, qs)
        if gain <= 0.0:
            gain = _try_or_opt(d, neigh, tour, pos, t1, queue, queued, qs)
        if gain > 0.0:
            total += gain
            _push(t1, queue, queued, qs)
    return total


@njit(cache=True)
def _double_bridge(d, tour, pos, max_len, queue, queued, qs, buf) -> float:
    """Swap two adjacent random paths of at most `max_len` nodes each (A B C D -> A C B D)
    at a random place; returns the length change and activates the six touched nodes."""
    n = tour.shape[0]
    l1 = np.random.randint(1, max_len + 1)
    l2 = np.random.randint(1, max_len + 1)
    start = np.random.randint(n)
    a = tour[start]
    b0, b1 = tour[(start + 1) % n], tour[(start + l1) % n]
    c0, c1 = tour[(start + l1 + 1) % n], tour[(start + l1 + l2) % n]
    f = tour[(start + l1 + l2 + 1) % n]
    delta = d[a, c0] + d[c1, b0] + d[b1, f] - d[a, b0] - d[b1, c0] - d[c1, f]
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
    for v in (a, b0, b1, c0, c1, f):
        _push(v, queue, queued, qs)
    return delta


@njit(cache=True)
def ils(d, neigh, tour, pos, best, lengths, iterations, max_len, seed) -> int:
    """`iterations` rounds of kick + local search from `tour` (length lengths[0]), accepting
    equal or shorter tours; `best` (length lengths[1]) keeps the shortest. Returns how many
    rounds improved the best. `seed` >= 0 reseeds the generator."""
    if seed >= 0:
        np.random.seed(seed)
    n = tour.shape[0]
    if n < 5:
        return 0
    queue = np.empty(n, np.int64)
    queued = np.zeros(n, np.bool_)
    qs = np.zeros(2, np.int64)
    buf = np.empty(n, np.int64)
    saved, saved_pos = tour.copy(), pos.copy()
    max_len = max(1, min(max_len, (n - 2) // 2))
    improved = 0
    for _ in range(iterations):
        delta = _double_bridge(d, tour, pos, max_len, queue, queued, qs, buf)
        length = lengths[0] + delta - local_search(d, neigh, tour, pos, queue, queued, qs)
        if length <= lengths[0] + EPS:
            lengths[0] = length
            saved[:] = tour
            saved_pos[:] = pos
            if length < lengths[1] - EPS:
                lengths[1] = length
                best[:] = tour
                improved += 1
        else:
            tour[:] = saved
            pos[:] = saved_pos
    return improved


def optimize(d: np.ndarray, neigh: np.ndarray, tour: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """`tour` made 2-opt and Or-opt optimal (with respect to the neighbour lists); returns the
    tour and its position array."""
    n = len(tour)
    tour = np.ascontiguousarray(tour, dtype=np.int64).copy()
    pos = np.empty(n, np.int64)
    pos[tour] = np.arange(n)
    queue = tour.copy()
    local_search(d, neigh, tour, pos, queue, np.ones(n, np.bool_), np.array([0, n], np.int64))
    return tour, pos


def warm_up() -> None:
    """Compile every kernel (or load it from numba's cache) on a tiny instance, so that the
    first real solve does not pay for it: about 5-10 s cold, 0.3 s from the cache."""
    xy = np.random.default_rng(0).uniform(0, 1, size=(8, 2))
    d = np.sqrt(((xy[:, None] - xy[None]) ** 2).sum(-1))
    neigh = neighbor_lists(d, 4)
    tour, pos = optimize(d, neigh, nearest_neighbor_tour(d, 0))
    length = tour_length(d, tour)
    ils(d, neigh, tour, pos, tour.copy(), np.array([length, length]), 2, 2, 0)
