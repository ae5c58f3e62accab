"""TSPLIB95 edge weights from node coordinates, exactly as the library defines them (Reinelt,
"TSPLIB 95", sec. 2): published optima reproduce only with these exact rules.

`nint(x)` is the C `(int)(x + 0.5)`, which CVRPLIB uses as well: `int(sqrt(dx^2 + dy^2) + 0.5)`.
Each rule is elementwise over two broadcastable arrays of (x, y) rows, so a block of the full
matrix (`coordinate_distances`) and the distances of chosen node pairs (`pair_distances`) are
the same numbers bit for bit. `nearest_neighbors` finds each node's nearest others under a rule
with a k-d tree, without any matrix.
"""

from __future__ import annotations

import numpy as np

GEO_PI = 3.141592
EARTH_RADIUS = 6378.388


def _nint(x: np.ndarray) -> np.ndarray:
    return np.floor(x + 0.5)


def _deltas(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Coordinate differences of the (broadcast) rows of `a` and `b`."""
    return a[..., 0] - b[..., 0], a[..., 1] - b[..., 1]


def euc_2d(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    xd, yd = _deltas(a, b)
    return _nint(np.sqrt(xd * xd + yd * yd))


def ceil_2d(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    xd, yd = _deltas(a, b)
    out: np.ndarray = np.ceil(np.sqrt(xd * xd + yd * yd))
    return out


def man_2d(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    xd, yd = _deltas(a, b)
    return _nint(np.abs(xd) + np.abs(yd))


def max_2d(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    xd, yd = _deltas(a, b)
    out: np.ndarray = np.maximum(_nint(np.abs(xd)), _nint(np.abs(yd)))
    return out


def att(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Pseudo-Euclidean: r = sqrt((dx^2 + dy^2) / 10); nint(r), plus one if that is below r."""
    xd, yd = _deltas(a, b)
    r = np.sqrt((xd * xd + yd * yd) / 10.0)
    t = _nint(r)
    return np.where(t < r, t + 1.0, t)


def geo_radians(degrees_minutes: np.ndarray) -> np.ndarray:
    """DDD.MM (degrees and minutes) to radians with TSPLIB's PI; degrees are truncated."""
    deg = np.trunc(degrees_minutes)
    minutes = degrees_minutes - deg
    radians: np.ndarray = GEO_PI * (deg + 5.0 * minutes / 3.0) / 180.0
    return radians


def geo(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Great-circle distance in km on TSPLIB's idealized sphere, truncated after adding 1 (a
    node's distance to itself is set to 0 by the callers)."""
    lat_a, lon_a = geo_radians(a[..., 0]), geo_radians(a[..., 1])
    lat_b, lon_b = geo_radians(b[..., 0]), geo_radians(b[..., 1])
    q1 = np.cos(lon_a - lon_b)
    q2 = np.cos(lat_a - lat_b)
    q3 = np.cos(lat_a + lat_b)
    arg = np.clip(0.5 * ((1.0 + q1) * q2 - (1.0 - q1) * q3), -1.0, 1.0)
    out: np.ndarray = np.trunc(EARTH_RADIUS * np.arccos(arg) + 1.0)
    return out


COORDINATE_TYPES = {
    "EUC_2D": euc_2d,
    "CEIL_2D": ceil_2d,
    "MAN_2D": man_2d,
    "MAX_2D": max_2d,
    "ATT": att,
    "GEO": geo,
}

#: entries computed at once: the temporaries of a block stay near 64 MB, so a large instance needs
#: little more than its n x n result (all at once, an 18,512-node matrix took six times its 2.6 GB)
BLOCK_ENTRIES = 1 << 23


def coordinate_distances(coords: np.ndarray, edge_weight_type: str) -> np.ndarray:
    """The n x n matrix of `edge_weight_type` (a key of `COORDINATE_TYPES`) over n x 2 coords,
    computed in blocks of rows (each entry exactly as computed all at once)."""
    rule = COORDINATE_TYPES[edge_weight_type]
    coords = np.asarray(coords, dtype=float)
    n = len(coords)
    out = np.empty((n, n))
    step = max(1, BLOCK_ENTRIES // max(n, 1))
    for lo in range(0, n, step):
        out[lo : lo + step] = rule(coords[lo : lo + step, None], coords[None])
    if edge_weight_type == "GEO":
        np.fill_diagonal(out, 0.0)
    return out


def pair_distances(coords: np.ndarray, edge_weight_type: str, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The distances from node a[k] to node b[k] for every k: the entries `coordinate_distances`
    holds at (a, b), computed in blocks without the matrix."""
    rule = COORDINATE_TYPES[edge_weight_type]
    a, b = np.asarray(a, dtype=np.int64).ravel(), np.asarray(b, dtype=np.int64).ravel()
    out = np.empty(len(a))
    for lo in range(0, len(a), BLOCK_ENTRIES):
        i, j = a[lo : lo + BLOCK_ENTRIES], b[lo : lo + BLOCK_ENTRIES]
        out[lo : lo + BLOCK_ENTRIES] = rule(coords[i], coords[j])
    if edge_weight_type == "GEO":
        out[a == b] = 0.0
    return out


def search_points(coords: np.ndarray, edge_weight_type: str) -> tuple[np.ndarray, float]:
    """Points and a Minkowski p whose p-distances order node pairs as the rule does (each rule
    is a non-decreasing function of that distance): the coordinates with p = 2 (1 for MAN_2D,
    infinity for MAX_2D), or for GEO the nodes on the unit sphere (chords order great circles)."""
    if edge_weight_type == "GEO":
        lat, lon = geo_radians(coords[:, 0]), geo_radians(coords[:, 1])
        return np.column_stack([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)]), 2.0
    p = {"MAN_2D": 1.0, "MAX_2D": np.inf}.get(edge_weight_type, 2.0)
    return np.asarray(coords, dtype=float), p


def nearest_neighbors(coords: np.ndarray, edge_weight_type: str, k: int) -> np.ndarray:
    """(n, k) int64: each node's k nearest other nodes under the rule, nearest first (ties in
    any order), from a k-d tree: O(n log n) time and O(n k) memory."""
    from scipy.spatial import cKDTree

    n = len(coords)
    k = min(k, n - 1)
    points, p = search_points(coords, edge_weight_type)
    _, found = cKDTree(points).query(points, k=k + 1, p=p)
    found = np.asarray(found, dtype=np.int64).reshape(n, k + 1)
    keep = found != np.arange(n)[:, None]
    keep[keep.all(axis=1), -1] = False  # a node among more than k duplicates of itself: drop the last
    return np.ascontiguousarray(found[keep].reshape(n, k))
