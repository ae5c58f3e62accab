"""Pieces shared by the routing problems (TSP, CVRP): distance matrices, directed arc
variables with MTZ ordering rows, decoding chosen arcs into paths, and distance features."""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp

from omnisolve.errors import ModelError
from omnisolve.model import Model, VariableArray
from omnisolve.problems._common import nonnegative, readonly, real_array, stats


def distance_matrix(value: Any, where: str) -> np.ndarray:
    """A read-only square, finite, non-negative float64 copy of `value`."""
    d = real_array(value, where, "distances", 2)
    if d.shape[0] != d.shape[1]:
        raise ModelError(f"{where}: distances must be a square matrix, got shape {d.shape}")
    if d.shape[0] < 2:
        raise ModelError(f"{where}: needs at least 2 nodes, got {d.shape[0]}")
    nonnegative(d, where, "distances")
    return readonly(d)


def coordinates(value: Any, n: int, where: str) -> np.ndarray | None:
    """A read-only (n, 2) float64 copy of `value`, or None."""
    if value is None:
        return None
    c = real_array(value, where, "coords", 2)
    if c.shape != (n, 2):
        raise ModelError(f"{where}: coords must have shape ({n}, 2), got {c.shape}")
    return readonly(c)


def arcs(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Tails and heads of the n(n-1) directed arcs i -> j (i != j) in row-major order; this
    order is the layout of the arc variables x."""
    tail = np.repeat(np.arange(n), n - 1)
    head = np.tile(np.arange(n - 1), n)
    head += head >= tail
    return tail, head


def arc_position(n: int, tail: np.ndarray, head: np.ndarray) -> np.ndarray:
    """Index of arc tail -> head in the layout of `arcs(n)`."""
    tail, head = np.asarray(tail), np.asarray(head)
    position: np.ndarray = tail * (n - 1) + head - (head > tail)
    return position


def incidence(ends: np.ndarray, n: int) -> sp.csr_matrix:
    """Node-by-arc 0/1 matrix: row i sums the arcs whose tail (or head) is i."""
    m = len(ends)
    return sp.csr_matrix((np.ones(m), (ends, np.arange(m))), shape=(n, m))


def add_ordering(
    model: Model, x: VariableArray, n: int, nodes: np.ndarray, step: np.ndarray, cap: float, name: str
) -> VariableArray:
    """MTZ rows: u_i in [step_i, cap] for `nodes` and u_i - u_j + cap x_ij <= cap - step_j for
    each arc between two of them. Along a used arc u grows by at least the head's step, so no
    cycle among `nodes` survives when all steps are positive; an unused arc is never binding.
    With steps = demands and cap = capacity, u is the load (the capacity cut of CVRP)."""
    step = np.asarray(step, dtype=float)
    u = model.add_variables(len(nodes), name, lb=step, ub=cap)
    if len(nodes) < 2:
        return u
    ti, hj = arcs(len(nodes))
    rows = np.arange(len(ti))
    U = sp.csr_matrix(
        (np.r_[np.ones(len(rows)), -np.ones(len(rows))], (np.r_[rows, rows], np.r_[ti, hj])),
        shape=(len(rows), len(nodes)),
    )
    X = sp.csr_matrix(
        (np.full(len(rows), float(cap)), (rows, arc_position(n, nodes[ti], nodes[hj]))),
        shape=(len(rows), len(x)),
    )
    model.add_constraint(U @ u + X @ x <= cap - step[hj], name=name)
    return u


def successors(arc_values: np.ndarray, n: int) -> np.ndarray:
    """For each node the head of its chosen (value > 0.5) outgoing arc with the largest value,
    or -1 if it has none."""
    x = np.full((n, n), -np.inf)
    tail, head = arcs(n)
    x[tail, head] = arc_values
    succ = x.argmax(axis=1)
    return np.where(x[np.arange(n), succ] > 0.5, succ, -1)


def walk(succ: np.ndarray, first: int, stop: int) -> list[int]:
    """The nodes met following `succ` from `first` until `stop`, a dead end or a repeat."""
    path: list[int] = []
    seen: set[int] = set()
    node = first
    while node >= 0 and node != stop and node not in seen:
        path.append(int(node))
        seen.add(node)
        node = int(succ[node])
    return path


def cycle_length(distances: np.ndarray, nodes: list[int]) -> float:
    """Length of the closed walk nodes[0] -> ... -> nodes[-1] -> nodes[0]."""
    idx = np.asarray(nodes, dtype=np.int64)
    return float(distances[idx, np.roll(idx, -1)].sum()) if len(idx) > 1 else 0.0


def arc_values(n: int, cycles: list[list[int]]) -> np.ndarray:
    """0/1 arc vector (layout of `arcs(n)`) with the arcs of each closed walk set."""
    x = np.zeros(n * (n - 1))
    for nodes in cycles:
        idx = np.asarray(nodes, dtype=np.int64)
        if len(idx) > 1:
            x[arc_position(n, idx, np.roll(idx, -1))] = 1.0
    return x


def is_symmetric(d: np.ndarray) -> bool:
    """d(i, j) == d(j, i) for every pair (to 1e-9), compared in blocks of rows (no n x n
    temporaries)."""
    n = d.shape[0]
    block = max(1, 2**22 // max(n, 1))
    return all(np.abs(d[i : i + block] - d[:, i : i + block].T).max(initial=0.0) <= 1e-9 for i in range(0, n, block))


def distance_features(d: np.ndarray) -> dict[str, float]:
    """Spread of the off-diagonal distances and of each node's nearest-neighbour distance."""
    n = d.shape[0]
    off = ~np.eye(n, dtype=bool)
    dist = d[off]
    return distance_summary(dist, np.where(off, d, np.inf).min(axis=1), float(np.abs(d - d.T).max()))


def distance_summary(dist: np.ndarray, nn: np.ndarray, asymmetry: float) -> dict[str, float]:
    """The features of `distance_features` from (a sample of) the off-diagonal distances, each
    node's nearest-neighbour distance and the largest |d_ij - d_ji|."""
    mean, top = float(dist.mean()), float(dist.max())
    return {
        **stats("dist", dist),
        **stats("nn_dist", nn),
        "nn_to_mean_dist": float(nn.mean()) / mean if mean else 0.0,
        "asymmetry": asymmetry / top if top else 0.0,
    }
