"""The travelling salesman problem: a shortest closed tour through every node, for symmetric
and asymmetric distances."""

from __future__ import annotations

import functools
from collections import Counter
from typing import Any, cast

import numpy as np

from omnisolve.errors import ModelError
from omnisolve.model import Model, ProblemData, Sense
from omnisolve.problems import _routing as routing
from omnisolve.problems._common import int_list, label, listing, value_vector
from omnisolve.problems.base import StructuredProblem


class TSP(StructuredProblem):
    """Visit all `n` nodes once and return to the start, minimizing the summed distances.

    A solution is a tour: a permutation of 0..n-1, closed implicitly back to its first node.
    The diagonal of `distances` is never used.
    """

    kind = "TSP"
    sense = Sense.MIN

    def __init__(
        self,
        distances: np.ndarray,
        coords: np.ndarray | None = None,
        name: str = "tsp",
        edge_weight_type: str = "EXPLICIT",
    ):
        where = label(self.kind, name)
        self.name = name
        self.edge_weight_type = edge_weight_type
        self.distances = routing.distance_matrix(distances, where)
        self.n: int = self.distances.shape[0]
        self.coords = routing.coordinates(coords, self.n, where)

    @property
    def size(self) -> int:
        return self.n

    @functools.cached_property
    def symmetric(self) -> bool:
        """d(i, j) == d(j, i) for every pair (to 1e-9): what the symmetric-only backends need.
        Compared in blocks of rows (no n x n temporaries) and computed once."""
        d, block = self.distances, max(1, 2**22 // max(self.n, 1))
        return all(
            np.abs(d[i : i + block] - d[:, i : i + block].T).max(initial=0.0) <= 1e-9 for i in range(0, self.n, block)
        )

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
        nodes, problem = int_list(tour, "tour")
        if nodes is not None:
            bad = [v for v in nodes if not 0 <= v < self.n]
            if bad:
                return None, f"tour contains {listing(bad)}, not nodes (0..{self.n - 1})"
        return nodes, problem

    def check(self, tour: Any) -> list[str]:
        nodes, problem = self._read(tour)
        if nodes is None:
            return [cast(str, problem)]  # _read gives a problem whenever it gives no nodes
        problems = []
        if len(nodes) != self.n:
            problems.append(f"tour has {len(nodes)} nodes, expected {self.n}")
        twice = sorted(v for v, k in Counter(nodes).items() if k > 1)
        if twice:
            problems.append(f"nodes visited more than once: {listing(twice)}")
        missing = sorted(set(range(self.n)) - set(nodes))
        if missing:
            problems.append(f"nodes missing from the tour: {listing(missing)}")
        return problems

    def evaluate(self, tour: Any) -> float:
        """Length of the closed tour; NaN when `tour` is not a list of node indices."""
        nodes, _ = self._read(tour)
        return float("nan") if nodes is None else routing.cycle_length(self.distances, nodes)

    def features(self) -> dict[str, float]:
        return {
            "num_nodes": float(self.n),
            "symmetric": float(np.array_equal(self.distances, self.distances.T)),
            "has_coords": float(self.coords is not None),
            **routing.distance_features(self.distances),
        }
