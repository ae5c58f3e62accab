"""TSPLIB95 edge weights, exactly as the library defines them (Reinelt, "TSPLIB 95", sec. 2),
vectorized over all pairs. Published optima reproduce only with these exact rules.

`nint(x)` is the C `(int)(x + 0.5)`, which CVRPLIB uses as well: `int(sqrt(dx^2 + dy^2) + 0.5)`.
Each rule takes two coordinate arrays and gives the distances from every row of the first to
every row of the second.
"""

from __future__ import annotations

import numpy as np

GEO_PI = 3.141592
EARTH_RADIUS = 6378.388


def _nint(x: np.ndarray) -> np.ndarray:
    return np.floor(x + 0.5)


def _deltas(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Coordinate differences of every row of `a` to every row of `b`."""
    return a[:, 0, None] - b[None, :, 0], a[:, 1, None] - b[None, :, 1]


def euc_2d(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    xd, yd = _deltas(a, b)
    return _nint(np.sqrt(xd * xd + yd * yd))


def ceil_2d(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    xd, yd = _deltas(a, b)
    return np.ceil(np.sqrt(xd * xd + yd * yd))


def man_2d(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    xd, yd = _deltas(a, b)
    return _nint(np.abs(xd) + np.abs(yd))


def max_2d(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    xd, yd = _deltas(a, b)
    return np.maximum(_nint(np.abs(xd)), _nint(np.abs(yd)))


def att(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Pseudo-Euclidean: r = sqrt((dx^2 + dy^2) / 10); nint(r), plus one if that is below r."""
    xd, yd = _deltas(a, b)
    r = np.sqrt((xd * xd + yd * yd) / 10.0)
    t = _nint(r)
    return np.where(t < r, t + 1.0, t)


def _geo_radians(degrees_minutes: np.ndarray) -> np.ndarray:
    """DDD.MM (degrees and minutes) to radians with TSPLIB's PI; degrees are truncated."""
    deg = np.trunc(degrees_minutes)
    minutes = degrees_minutes - deg
    return GEO_PI * (deg + 5.0 * minutes / 3.0) / 180.0


def geo(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Great-circle distance in km on TSPLIB's idealized sphere, truncated after adding 1 (the
    diagonal is set to 0 by `coordinate_distances`)."""
    lat_a, lon_a = _geo_radians(a[:, 0]), _geo_radians(a[:, 1])
    lat_b, lon_b = _geo_radians(b[:, 0]), _geo_radians(b[:, 1])
    q1 = np.cos(lon_a[:, None] - lon_b[None, :])
    q2 = np.cos(lat_a[:, None] - lat_b[None, :])
    q3 = np.cos(lat_a[:, None] + lat_b[None, :])
    arg = np.clip(0.5 * ((1.0 + q1) * q2 - (1.0 - q1) * q3), -1.0, 1.0)
    return np.trunc(EARTH_RADIUS * np.arccos(arg) + 1.0)


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
        out[lo : lo + step] = rule(coords[lo : lo + step], coords)
    if edge_weight_type == "GEO":
        np.fill_diagonal(out, 0.0)
    return out


def _upper_row(n: int) -> tuple[np.ndarray, np.ndarray]:
    return np.triu_indices(n, k=1)


def _lower_row(n: int) -> tuple[np.ndarray, np.ndarray]:
    return np.tril_indices(n, k=-1)


def _upper_diag_row(n: int) -> tuple[np.ndarray, np.ndarray]:
    return np.triu_indices(n)


def _lower_diag_row(n: int) -> tuple[np.ndarray, np.ndarray]:
    return np.tril_indices(n)


# Each triangular format as the (row, column) positions its values fill, in file order. A
# column-wise upper triangle lists the same pairs in the same order as the row-wise lower one.
TRIANGULAR_FORMATS = {
    "UPPER_ROW": _upper_row,
    "LOWER_ROW": _lower_row,
    "UPPER_DIAG_ROW": _upper_diag_row,
    "LOWER_DIAG_ROW": _lower_diag_row,
    "UPPER_COL": _lower_row,
    "LOWER_COL": _upper_row,
    "UPPER_DIAG_COL": _lower_diag_row,
    "LOWER_DIAG_COL": _upper_diag_row,
}
EXPLICIT_FORMATS = ("FULL_MATRIX", *TRIANGULAR_FORMATS)


def explicit_size(edge_weight_format: str, n: int) -> int:
    """How many values an EDGE_WEIGHT_SECTION of this format holds for n nodes (counted, not
    enumerated: nothing of size n x n is allocated)."""
    if edge_weight_format == "FULL_MATRIX":
        return n * n
    return n * (n + 1) // 2 if "DIAG" in edge_weight_format else n * (n - 1) // 2


def explicit_matrix(values: np.ndarray, edge_weight_format: str, n: int) -> np.ndarray:
    """The n x n matrix from the `explicit_size` values of an EDGE_WEIGHT_SECTION.

    A full matrix's diagonal is set to 0: some files put a large "forbidden" value there, and a
    tour never goes from a node to itself.
    """
    if edge_weight_format == "FULL_MATRIX":
        d = np.asarray(values, dtype=float).reshape(n, n).copy()
        np.fill_diagonal(d, 0.0)
        return d
    rows, cols = TRIANGULAR_FORMATS[edge_weight_format](n)
    d = np.zeros((n, n))
    d[rows, cols] = values
    d[cols, rows] = values
    return d
