"""TSPLIB95 explicit edge weights: the EDGE_WEIGHT_SECTION formats (full matrix and the eight
triangular ones) and the n x n matrix they give. The rules computing weights from coordinates
are `omnisolve.problems.coordinate_metric`'s.
"""

from __future__ import annotations

import numpy as np


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
