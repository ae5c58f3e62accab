"""Distances as the TSP kernels see them: one numba function, `dist(m, i, j)`, over a metric
tuple `m = (matrix, xy, rule, scale)` that holds either an n x n distance matrix or the node
coordinates with a TSPLIB rule computed on demand (so no matrix is needed at any size), times a
power of two (`unit_scale`). Also each node's candidate neighbours, from the matrix or a k-d
tree. The rules are those of `omnisolve.problems.coordinate_metric`, exactly (GEO's cosines may
differ from numpy's in the last bit, which only steers the search: tour lengths are recomputed
by the problem)."""

from __future__ import annotations

import numpy as np
from numba import njit

from omnisolve.problems.coordinate_metric import EARTH_RADIUS, geo_radians, nearest_neighbors
from omnisolve.problems.tsp import TSP

MATRIX, EUC_2D, CEIL_2D, ATT, GEO, MAN_2D, MAX_2D = range(7)
RULES = {"EUC_2D": EUC_2D, "CEIL_2D": CEIL_2D, "ATT": ATT, "GEO": GEO, "MAN_2D": MAN_2D, "MAX_2D": MAX_2D}

Metric = tuple[np.ndarray, np.ndarray, int, float]


def _readonly(a: np.ndarray) -> np.ndarray:
    a.setflags(write=False)
    return a


# the unused half of a metric tuple: every metric has the same numba type (one compiled kernel)
_NO_MATRIX = _readonly(np.zeros((1, 1)))
_NO_COORDS = _readonly(np.zeros((1, 2)))


def matrix_metric(d: np.ndarray) -> Metric:
    """The kernels' view of a distance matrix (a read-only C-ordered one is not copied)."""
    d = np.ascontiguousarray(d, dtype=float)
    if d.flags.writeable:
        d = _readonly(d.copy())
    return d, _NO_COORDS, MATRIX, unit_scale(float(d.max()))


def metric_of(problem: TSP) -> Metric:
    """The kernels' view of `problem`: its coordinates and rule when it computes its distances
    (GEO's coordinates turned into radians), else its distance matrix."""
    if not problem.computed:
        return matrix_metric(problem.distances)
    coords = np.asarray(problem.coords, dtype=float)
    if problem.edge_weight_type == "GEO":
        coords = np.column_stack([geo_radians(coords[:, 0]), geo_radians(coords[:, 1])])
    far = problem.pair_distances(np.zeros(problem.n, dtype=np.int64), np.arange(problem.n))
    # the farthest node from node 0 is at least half the largest distance: scale enough
    return (
        _NO_MATRIX,
        _readonly(np.array(coords, dtype=float, order="C")),
        RULES[problem.edge_weight_type],
        unit_scale(float(far.max())),
    )


def unit_scale(top: float) -> float:
    """A power of two (exact to multiply by) that brings the largest distance `top` near 2^20,
    so the kernels' absolute improvement threshold is far above rounding noise and far below
    any real gain, whatever the units of the data."""
    return 2.0 ** (20 - int(np.ceil(np.log2(top)))) if top > 0 else 1.0


def candidates(problem: TSP, m: Metric, k: int) -> np.ndarray:
    """(n, k) int64: each node's k nearest other nodes, nearest first."""
    if problem.computed:
        return nearest_neighbors(np.asarray(problem.coords), problem.edge_weight_type, k)
    return neighbor_lists(m[0], k)


def neighbor_lists(d: np.ndarray, k: int) -> np.ndarray:
    """(n, k) int64 from a distance matrix: each node's k nearest other nodes, nearest first."""
    n = d.shape[0]
    k = min(k, n - 1)
    far = d + np.diag(np.full(n, np.inf))
    near = np.argpartition(far, k - 1, axis=1)[:, :k]
    order = np.argsort(np.take_along_axis(far, near, axis=1), axis=1, kind="stable")
    return np.ascontiguousarray(np.take_along_axis(near, order, axis=1)).astype(np.int64)


@njit(cache=True, inline="always")
def dist(m, i, j) -> float:
    """The (scaled) distance from node i to node j."""
    d, xy, rule, scale = m
    if rule == MATRIX:
        return d[i, j] * scale
    dx = xy[i, 0] - xy[j, 0]
    dy = xy[i, 1] - xy[j, 1]
    if rule == EUC_2D:
        r = np.floor(np.sqrt(dx * dx + dy * dy) + 0.5)
    elif rule == CEIL_2D:
        r = np.ceil(np.sqrt(dx * dx + dy * dy))
    elif rule == ATT:
        s = np.sqrt((dx * dx + dy * dy) / 10.0)
        r = np.floor(s + 0.5)
        r = r + 1.0 if r < s else r
    elif rule == GEO:
        if i == j:
            return 0.0
        q1 = np.cos(xy[i, 1] - xy[j, 1])
        q2 = np.cos(xy[i, 0] - xy[j, 0])
        q3 = np.cos(xy[i, 0] + xy[j, 0])
        arg = min(1.0, max(-1.0, 0.5 * ((1.0 + q1) * q2 - (1.0 - q1) * q3)))
        r = np.trunc(EARTH_RADIUS * np.arccos(arg) + 1.0)
    elif rule == MAN_2D:
        r = np.floor(abs(dx) + abs(dy) + 0.5)
    else:
        r = max(np.floor(abs(dx) + 0.5), np.floor(abs(dy) + 0.5))
    return r * scale


@njit(cache=True)
def tour_length(m, tour: np.ndarray) -> float:
    """The (scaled) length of the closed tour."""
    total = 0.0
    n = tour.shape[0]
    for i in range(n):
        total += dist(m, tour[i], tour[(i + 1) % n])
    return total


@njit(cache=True)
def pair_lengths(m, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The (scaled) distance from a[k] to b[k] for every k."""
    out = np.empty(a.shape[0])
    for k in range(a.shape[0]):
        out[k] = dist(m, a[k], b[k])
    return out
