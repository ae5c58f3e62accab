"""The travelling salesman problem: a shortest closed tour through every node, for symmetric
and asymmetric distances, given as a matrix or computed from coordinates by a TSPLIB rule."""

from __future__ import annotations

import functools
from typing import Any, cast

import numpy as np

from omnisolve.errors import ModelError, UnsupportedError
from omnisolve.model import Model, ProblemData, Sense
from omnisolve.problems import _routing as routing
from omnisolve.problems import coordinate_metric as metric
from omnisolve.problems._common import (
    index_list,
    int_list,
    label,
    listing,
    readonly,
    real_array,
    repeated,
    value_vector,
)
from omnisolve.problems.base import StructuredProblem

#: the most nodes of a TSP with computed distances whose full matrix is built (on first use, and
#: kept: 200 MB at 5,000 nodes); beyond, `distances` refuses and distances come from coordinates
MATRIX_NODES = 5000
#: random node pairs whose distances stand for all of them in `features` beyond `MATRIX_NODES`
FEATURE_PAIRS = 100_000


class TSP(StructuredProblem):
    """Visit all `n` nodes once and return to the start, minimizing the summed distances.

    A solution is a tour: a permutation of 0..n-1, closed implicitly back to its first node.
    The diagonal of `distances` is never used.

    Distances are a given n x n matrix, or (`distances=None`) computed from `coords` by
    `edge_weight_type`, a TSPLIB rule of `coordinate_metric.COORDINATE_TYPES`: then `pair_distances`,
    `evaluate` and `features` need no matrix, and `distances` builds one only up to `MATRIX_NODES`.
    """

    kind = "TSP"
    sense = Sense.MIN

    def __init__(
        self,
        distances: np.ndarray | None = None,
        coords: np.ndarray | None = None,
        name: str = "tsp",
        edge_weight_type: str = "EXPLICIT",
    ):
        where = label(self.kind, name)
        self.name = name
        self.edge_weight_type = edge_weight_type
        self.computed = distances is None  # distances come from `coords` by `edge_weight_type`
        self._matrix: np.ndarray | None = None
        if distances is not None:
            self._matrix = routing.distance_matrix(distances, where)
            self.n: int = self._matrix.shape[0]
        elif edge_weight_type not in metric.COORDINATE_TYPES:
            raise ModelError(f"{where}: distances missing (needed when edge_weight_type is {edge_weight_type!r})")
        elif coords is None:
            raise ModelError(f"{where}: coords missing (needed to compute {edge_weight_type} distances)")
        else:
            self.n = len(real_array(coords, where, "coords", 2))
            if self.n < 2:
                raise ModelError(f"{where}: needs at least 2 nodes, got {self.n}")
        self.coords = routing.coordinates(coords, self.n, where)

    @property
    def distances(self) -> np.ndarray:
        """The n x n distance matrix: the given one, or computed from the coordinates on first
        use and kept, up to `MATRIX_NODES` nodes; beyond, `UnsupportedError` (`matrix_reason`)."""
        if self._matrix is None:
            reason = self.matrix_reason()
            if reason is not None:
                raise UnsupportedError(f"{label(self.kind, self.name)}: {reason}")
            self._matrix = readonly(metric.coordinate_distances(cast(np.ndarray, self.coords), self.edge_weight_type))
        return self._matrix

    def matrix_reason(self) -> str | None:
        """Why this TSP holds no distance matrix (one line, for the `unsupported_reason` of a
        backend that needs one), or None when `distances` is available."""
        if self._matrix is not None or self.n <= MATRIX_NODES:
            return None
        return (
            f"needs the n x n distance matrix, which a TSP of {self.n} nodes does not hold (at most "
            f"{MATRIX_NODES}; its {self.edge_weight_type} distances come from the coordinates); use tsp-ils"
        )

    def pair_distances(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """The distance from node a[k] to node b[k] for every k, from the matrix when one is held,
        else from the coordinates (the same numbers)."""
        if self._matrix is not None:
            return self._matrix[np.asarray(a, dtype=np.int64), np.asarray(b, dtype=np.int64)]
        return metric.pair_distances(cast(np.ndarray, self.coords), self.edge_weight_type, a, b)

    def tour_length(self, nodes: Any) -> float:
        """Length of the closed walk through `nodes` (node indices, unchecked) and back."""
        idx = np.asarray(nodes, dtype=np.int64)
        return float(self.pair_distances(idx, np.roll(idx, -1)).sum()) if len(idx) > 1 else 0.0

    @property
    def size(self) -> int:
        return self.n

    @functools.cached_property
    def symmetric(self) -> bool:
        """d(i, j) == d(j, i) for every pair (to 1e-9): what the symmetric-only backends need.
        Compared in blocks of rows (no n x n temporaries) and computed once; every coordinate
        rule is symmetric."""
        return self.computed or routing.is_symmetric(self.distances)

    def __repr__(self) -> str:
        return f"TSP({self.name!r}, {self.n} nodes)"

    # ---- MILP ----------------------------------------------------------------------------------
    def to_model(self) -> Model:
        """Binary arcs x_ij (i != j) with in- and out-degree 1, and MTZ order variables
        u_i in [1, n-1] for nodes 1..n-1 that forbid subtours not through node 0.
        Variables: x (n(n-1), row-major over i then j), then u (n-1)."""
        n = self.n
        m = Model(self.name)
        tail, head = routing.arcs(n)
        x = m.add_variables(len(tail), "x", vtype="binary")
        m.add_constraint(routing.incidence(tail, n) @ x == 1, name="out")
        m.add_constraint(routing.incidence(head, n) @ x == 1, name="in")
        routing.add_ordering(m, x, n, np.arange(1, n), np.ones(n - 1), n - 1, "u")
        m.minimize(self.distances[tail, head] @ x)
        return m

    def solution_from_values(self, data: ProblemData, values: np.ndarray) -> list[int]:
        """Follow the chosen arcs from node 0; a subtour gives a short tour that `check` rejects."""
        x = value_vector(values, self.n * (self.n - 1))
        succ = routing.successors(x, self.n)
        return [0] + routing.walk(succ, int(succ[0]), 0)

    def values_from_solution(self, tour: list[int]) -> np.ndarray:
        """The `to_model()` variable values of a valid tour (for MIP starts and round trips)."""
        problems = self.check(tour)
        if problems:
            raise ModelError(f"{label(self.kind, self.name)}: cannot encode an invalid tour: {problems[0]}")
        nodes = cast(list[int], int_list(tour, "tour")[0])  # check() read it
        start = nodes.index(0)
        tour = nodes[start:] + nodes[:start]
        u = np.empty(self.n)
        u[tour] = np.arange(self.n)
        return np.concatenate([routing.arc_values(self.n, [tour]), u[1:]])

    # ---- solutions -----------------------------------------------------------------------------
    def _read(self, tour: Any) -> tuple[list[int] | None, str | None]:
        return index_list(tour, "tour", self.n, "tour contains {bad}, not nodes (0..{last})")

    def check(self, tour: Any) -> list[str]:
        nodes, problem = self._read(tour)
        if nodes is None:
            return [cast(str, problem)]  # _read gives a problem whenever it gives no nodes
        problems = []
        if len(nodes) != self.n:
            problems.append(f"tour has {len(nodes)} nodes, expected {self.n}")
        twice = repeated(nodes)
        if twice:
            problems.append(f"nodes visited more than once: {listing(twice)}")
        missing = sorted(set(range(self.n)) - set(nodes))
        if missing:
            problems.append(f"nodes missing from the tour: {listing(missing)}")
        return problems

    def evaluate(self, tour: Any) -> float:
        """Length of the closed tour; NaN when `tour` is not a list of node indices."""
        nodes, _ = self._read(tour)
        return float("nan") if nodes is None else self.tour_length(nodes)

    def features(self) -> dict[str, float]:
        """Sizes and distance statistics; beyond `MATRIX_NODES` computed from the coordinates:
        each node's nearest neighbour exactly (k-d tree), the spread from `FEATURE_PAIRS`
        random pairs."""
        if self.matrix_reason() is None:
            summary = routing.distance_features(self.distances)
            symmetric = float(np.array_equal(self.distances, self.distances.T))
        else:
            summary, symmetric = self._sampled_features(), 1.0
        return {
            "num_nodes": float(self.n),
            "symmetric": symmetric,
            "has_coords": float(self.coords is not None),
            **summary,
        }

    def _sampled_features(self) -> dict[str, float]:
        coords = cast(np.ndarray, self.coords)
        rng = np.random.default_rng(0)
        a = rng.integers(self.n, size=FEATURE_PAIRS)
        b = (a + rng.integers(1, self.n, size=FEATURE_PAIRS)) % self.n  # never a itself
        nearest = metric.nearest_neighbors(coords, self.edge_weight_type, 1)[:, 0]
        nn = self.pair_distances(np.arange(self.n), nearest)
        return routing.distance_summary(self.pair_distances(a, b), nn, 0.0)
