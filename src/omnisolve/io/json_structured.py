"""JSON form of the structured problems (`tsp`, `cvrp`, `jobshop`, `knapsack`), version 1.

Routing problems whose distances follow a TSPLIB rule from their coordinates store only the
coordinates and the rule; otherwise the full distance matrix is stored. A TSP stored that way
is read back computing its distances itself (no matrix, whatever its size).
"""

from __future__ import annotations

from typing import Any, Callable, cast

import numpy as np

from omnisolve.errors import UnsupportedError
from omnisolve.io._json_fields import Fields, field
from omnisolve.io._text import construct, plain_number
from omnisolve.io.limits import MAX_COORDINATE, dense_matrix_reason
from omnisolve.problems import CVRP, TSP, JobShop, Knapsack, StructuredProblem
from omnisolve.problems.coordinate_metric import COORDINATE_TYPES, coordinate_distances

EDGE_WEIGHT_TYPES = {kind.lower(): kind for kind in (*COORDINATE_TYPES, "EXPLICIT")}


def _numbers(values: np.ndarray) -> list:
    return [plain_number(v) for v in np.asarray(values, dtype=float).ravel()]


def _rows(matrix: np.ndarray) -> list[list]:
    return [_numbers(row) for row in np.asarray(matrix, dtype=float)]


# ---- distances shared by TSP and CVRP --------------------------------------------------------
def _distances_to_dict(distances: np.ndarray, coords: np.ndarray | None, kind: str) -> dict[str, Any]:
    """Coordinates and rule when the rule reproduces `distances`, else the matrix as well."""
    out: dict[str, Any] = {}
    if coords is not None:
        out["coords"] = _rows(coords)
        if kind in COORDINATE_TYPES and np.array_equal(coordinate_distances(coords, kind), distances):
            return {"edge_weight_type": kind, **out}
    return {"edge_weight_type": "EXPLICIT", "distances": _rows(distances), **out}


def _rule_from_dict(d: dict, f: Fields) -> tuple[str, np.ndarray | None]:
    """(edge weight type, coords or None) from the fields of `_distances_to_dict`."""
    kind = f.choice(d.get("edge_weight_type", "EXPLICIT"), "edge_weight_type", EDGE_WEIGHT_TYPES)
    return kind, f.matrix(d["coords"], "coords", cols=2, limit=MAX_COORDINATE) if "coords" in d else None


def _distances_from_dict(d: dict, f: Fields) -> tuple[np.ndarray, np.ndarray | None, str]:
    """(distances, coords or None, edge weight type) from the fields of `_distances_to_dict`."""
    kind, coords = _rule_from_dict(d, f)
    n = None if coords is None else len(coords)
    reason = None if n is None else dense_matrix_reason(n)
    if reason is not None:
        raise f.error("coords", reason)
    if "distances" in d:
        size = n if n is not None else len(f.list(d["distances"], "distances", min_length=1))
        return f.matrix(d["distances"], "distances", rows=size, cols=size), coords, kind
    if kind == "EXPLICIT":
        raise f.error("distances", "missing (needed when edge_weight_type is EXPLICIT)")
    if coords is None:
        raise f.error("coords", f"missing (needed to compute {kind} distances)")
    return coordinate_distances(coords, kind), coords, kind


# ---- one pair of functions per class ---------------------------------------------------------
def _tsp_to_dict(p: TSP) -> dict:
    if p.computed:
        return {"name": p.name, "edge_weight_type": p.edge_weight_type, "coords": _rows(cast(np.ndarray, p.coords))}
    return {"name": p.name, **_distances_to_dict(p.distances, p.coords, p.edge_weight_type)}


def _tsp_from_dict(d: dict, f: Fields) -> TSP:
    f.object(d, "", optional=("name", "edge_weight_type", "coords", "distances"))
    kind, coords = _rule_from_dict(d, f)
    distances: np.ndarray | None = None  # computed from the coordinates by the TSP
    if "distances" in d or kind not in COORDINATE_TYPES or coords is None:
        distances, coords, kind = _distances_from_dict(d, f)
    name = f.string(d.get("name", "tsp"), "name")
    return construct(f.source, lambda: TSP(distances, coords=coords, name=name, edge_weight_type=kind))


def _cvrp_to_dict(p: CVRP) -> dict:
    return {
        "name": p.name,
        "capacity": plain_number(p.capacity),
        "depot": p.depot,
        "num_vehicles": p.num_vehicles,
        "demands": _numbers(p.demands),
        **_distances_to_dict(p.distances, p.coords, "EUC_2D"),
    }


def _cvrp_from_dict(d: dict, f: Fields) -> CVRP:
    f.object(
        d,
        "",
        required=("capacity", "demands"),
        optional=("name", "depot", "num_vehicles", "edge_weight_type", "coords", "distances"),
    )
    distances, coords, _ = _distances_from_dict(d, f)
    demands = f.vector(d["demands"], "demands", len(distances))
    capacity = f.number(d["capacity"], "capacity")
    depot = f.integer(d.get("depot", 0), "depot", low=0)
    vehicles = d.get("num_vehicles")
    vehicles = None if vehicles is None else f.integer(vehicles, "num_vehicles", low=1)
    name = f.string(d.get("name", "cvrp"), "name")
    return construct(
        f.source,
        lambda: CVRP(distances, demands, capacity, depot=depot, num_vehicles=vehicles, coords=coords, name=name),
    )


def _jobshop_to_dict(p: JobShop) -> dict:
    return {"name": p.name, "jobs": [[[int(m), int(t)] for m, t in job] for job in p.jobs]}


def _jobshop_from_dict(d: dict, f: Fields) -> JobShop:
    f.object(d, "", required=("jobs",), optional=("name",))
    jobs = []
    for j, ops in enumerate(f.list(d["jobs"], "jobs", min_length=1)):
        where = field("jobs", j)
        job = []
        for k, op in enumerate(f.list(ops, where, min_length=1)):
            pair = f.list(op, field(where, k))
            if len(pair) != 2:
                raise f.error(field(where, k), f"expected [machine, duration], got {len(pair)} values")
            machine = f.integer(pair[0], field(field(where, k), 0), low=0)
            job.append((machine, f.integer(pair[1], field(field(where, k), 1), low=0)))
        jobs.append(job)
    name = f.string(d.get("name", "jobshop"), "name")
    return construct(f.source, lambda: JobShop(jobs, name=name))


def _knapsack_to_dict(p: Knapsack) -> dict:
    return {
        "name": p.name,
        "capacity": plain_number(p.capacity),
        "values": _numbers(p.values),
        "weights": _numbers(p.weights),
    }


def _knapsack_from_dict(d: dict, f: Fields) -> Knapsack:
    f.object(d, "", required=("capacity", "values", "weights"), optional=("name",))
    values = f.vector(d["values"], "values")
    weights = f.vector(d["weights"], "weights", len(values))
    capacity = f.number(d["capacity"], "capacity")
    name = f.string(d.get("name", "knapsack"), "name")
    return construct(f.source, lambda: Knapsack(values, weights, capacity, name=name))


# format name -> (class, to_dict, from_dict)
STRUCTURED: dict[str, tuple[type, Callable[[Any], dict], Callable[[dict, Fields], StructuredProblem]]] = {
    "tsp": (TSP, _tsp_to_dict, _tsp_from_dict),
    "cvrp": (CVRP, _cvrp_to_dict, _cvrp_from_dict),
    "jobshop": (JobShop, _jobshop_to_dict, _jobshop_from_dict),
    "knapsack": (Knapsack, _knapsack_to_dict, _knapsack_from_dict),
}


def structured_to_dict(problem: StructuredProblem) -> tuple[str, dict]:
    """(format name, fields) of a structured problem."""
    for fmt, (cls, to_dict, _) in STRUCTURED.items():
        if isinstance(problem, cls):
            return fmt, to_dict(problem)
    raise UnsupportedError(f"no JSON format for {type(problem).__name__}")


def structured_from_dict(fmt: str, body: dict, f: Fields) -> StructuredProblem:
    """The problem of format `fmt` from its fields (the header keys already removed)."""
    return STRUCTURED[fmt][2](body, f)
