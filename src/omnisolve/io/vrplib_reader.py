"""VRPLIB / CVRPLIB files: `.vrp` instances as `CVRP`, and `.sol` solutions as routes.

The `.vrp` format is TSPLIB's, so it goes through the same line-aware parser and the same
distance rules as `.tsp` files: EUC_2D is `int(sqrt(dx^2 + dy^2) + 0.5)`, CVRPLIB's rounding,
under which its published optima hold; explicit matrices are taken as given.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np

from omnisolve.errors import InputError, UnsupportedError
from omnisolve.io._text import construct, plain_number, read_text, refuse_negative, to_array
from omnisolve.io.tsplib import Section, TsplibFile, check_type, edge_weights, parse_tsplib, routing_dimension
from omnisolve.problems.cvrp import CVRP

# Specification keys of VRP variants whose rules omnisolve's CVRP does not model.
UNSUPPORTED_SPECS = {"DISTANCE": "a route length limit", "SERVICE_TIME": "service times"}

_ROUTE = re.compile(r"route\s*#?\s*\d*\s*:(.*)", re.IGNORECASE)


def read_cvrp(path: str | os.PathLike, num_vehicles: int | None = None) -> CVRP:
    """A VRPLIB `.vrp` file as a `CVRP`.

    The fleet is `num_vehicles` if given, else the file's VEHICLES entry, else free (None);
    a CVRPLIB name's `-kN` is not read as a limit.
    """
    f = parse_tsplib(path)
    check_type(f, ("CVRP",))
    for key, what in UNSUPPORTED_SPECS.items():
        if key in f.specs:
            raise UnsupportedError(f"{f.path}:{f.line_of(key)}: {key} ({what}) is not supported by the CVRP model")
    n = routing_dimension(f, "CVRP")
    capacity = f.number("CAPACITY", integer=True)  # CVRPLIB capacities and demands are integers
    demand = f.required_section("DEMAND_SECTION", "every CVRP needs the customers' demands")
    demands = f.node_table(demand, n, "node demand", integer=True)[:, 0].astype(float)
    depot = _depot(f, n)
    if num_vehicles is None and "VEHICLES" in f.specs:
        num_vehicles = int(f.number("VEHICLES", integer=True))
    distances, coords, _ = edge_weights(f, n)
    _check_demands(f, demand, demands, capacity, depot)
    name = f.spec("NAME") or Path(f.path).stem
    return construct(
        f.path,
        lambda: CVRP(distances, demands, capacity, depot=depot, num_vehicles=num_vehicles, coords=coords, name=name),
    )


def _check_demands(f: TsplibFile, section: Section, demands: np.ndarray, capacity: float, depot: int) -> None:
    """The CVRP class's checks of the demands, made here where each node's line is known."""
    lines = f.node_lines(section, len(demands))
    refuse_negative(demands, lines, f.path, "DEMAND_SECTION: demand")
    if demands[depot] != 0:
        message = f"DEMAND_SECTION: the depot's demand is {plain_number(demands[depot])}, must be 0"
        raise f.error(message, int(lines[depot]))
    over = np.flatnonzero(demands > capacity)
    if over.size:
        k = int(over[0])
        message = f"DEMAND_SECTION: demand is {plain_number(demands[k])}, more than the CAPACITY {capacity}"
        raise f.error(message, int(lines[k]))


def _depot(f: TsplibFile, n: int) -> int:
    """The single depot of DEPOT_SECTION, 0-based."""
    section = f.required_section("DEPOT_SECTION", "every CVRP needs its depot")
    ids, lines = f.node_ids(section)
    if len(ids) == 0:
        raise f.error("DEPOT_SECTION lists no depot", section.line)
    f.check_nodes(section.name, ids, lines, n)
    if len(ids) > 1:
        raise UnsupportedError(
            f"{f.path}:{section.line}: DEPOT_SECTION lists {len(ids)} depots; the CVRP model has a single depot"
        )
    return int(ids[0]) - 1


def read_cvrp_solution(path: str | os.PathLike) -> list[list[int]]:
    """The routes of a CVRPLIB `.sol` file (`Route #k: c1 c2 ...` lines; other lines such as
    `Cost N` are skipped). CVRPLIB numbers customers 1..n-1, the node index when the depot is
    node 0, so the numbers are returned unchanged."""
    name = os.fspath(path)
    routes = []
    for number, line in enumerate(read_text(name).split("\n"), 1):
        if not line.strip().lower().startswith("route"):
            continue
        match = _ROUTE.fullmatch(line.strip())
        if match is None:
            raise InputError("expected 'Route #k: customer customer ...'", path=name, line=number)
        tokens = match.group(1).split()
        customers = to_array(tokens, [number] * len(tokens), name, "route", integer=True)
        if (customers < 1).any():
            message = f"route: customer {customers[customers < 1][0]} is not a positive number"
            raise InputError(message, path=name, line=number)
        routes.append(customers.tolist())
    if not routes:
        raise InputError("no 'Route #k:' lines: not a CVRPLIB solution file", path=name, line=1)
    return routes
