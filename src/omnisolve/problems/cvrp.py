"""The capacitated vehicle routing problem: routes from one depot serve every customer's
demand once, within the vehicle capacity, at least total distance."""

from __future__ import annotations

import functools
import math
from collections import Counter
from typing import Any, cast

import numpy as np

from omnisolve.errors import ModelError
from omnisolve.model import Model, ProblemData, Sense
from omnisolve.problems._common import (
    TOLERANCE,
    as_int,
    exceeds,
    finite_number,
    index_list,
    int_list,
    label,
    listing,
    nonnegative,
    readonly,
    real_array,
    stats,
    value_vector,
)
from omnisolve.problems._routing import (
    add_ordering,
    arc_values,
    arcs,
    coordinates,
    cycle_length,
    distance_features,
    distance_matrix,
    incidence,
    is_symmetric,
    successors,
    walk,
)
from omnisolve.problems.base import StructuredProblem


class CVRP(StructuredProblem):
    """Serve every customer (every node but the depot) exactly once by routes that start and
    end at the depot, each carrying at most `capacity`, minimizing total distance.

    A solution is a list of routes, each the list of customers it visits in order (the depot
    is implicit at both ends). Empty routes are unused vehicles: they cost and count nothing.
    `num_vehicles=None` is a free fleet; an int k allows at most k routes.
    """

    kind = "CVRP"
    sense = Sense.MIN

    def __init__(
        self,
        distances: np.ndarray,
        demands: np.ndarray,
        capacity: float,
        depot: int = 0,
        num_vehicles: int | None = None,
        coords: np.ndarray | None = None,
        name: str = "cvrp",
    ):
        where = label(self.kind, name)
        self.name = name
        self.distances = distance_matrix(distances, where)
        self.n: int = self.distances.shape[0]
        n = self.n
        self.coords = coordinates(coords, n, where)
        self.capacity = finite_number(capacity, where, "capacity")
        if self.capacity <= 0:
            raise ModelError(f"{where}: capacity is {self.capacity:g}, must be positive")
        depot_node = as_int(depot)
        if depot_node is None or not 0 <= depot_node < n:
            raise ModelError(f"{where}: depot {depot!r} is not a node (0..{n - 1})")
        self.depot: int = depot_node
        if num_vehicles is not None and (as_int(num_vehicles) is None or num_vehicles < 1):
            raise ModelError(f"{where}: num_vehicles must be a positive integer or None, got {num_vehicles!r}")
        # more vehicles than customers are never used: a larger fleet is stored as one per customer
        self.num_vehicles = None if num_vehicles is None else min(as_int(num_vehicles), max(n - 1, 1))
        q = real_array(demands, where, "demands", 1)
        if q.shape != (n,):
            raise ModelError(f"{where}: demands has {q.size} entries, expected one per node ({n})")
        nonnegative(q, where, "demands")
        if q[self.depot] != 0:
            raise ModelError(f"{where}: demands[{self.depot}] (the depot) is {q[self.depot]:g}, must be 0")
        over = np.flatnonzero(q > self.capacity)
        if over.size:
            raise ModelError(f"{where}: demands[{over[0]}] is {q[over[0]]:g}, more than the capacity {self.capacity:g}")
        self.demands = readonly(q)
        self.customers = readonly(np.delete(np.arange(n), self.depot))

    @property
    def size(self) -> int:
        return self.n

    @functools.cached_property
    def symmetric(self) -> bool:
        """d(i, j) == d(j, i) for every pair (to 1e-9), computed once: what symmetric-only backends need."""
        return is_symmetric(self.distances)

    def __repr__(self) -> str:
        return f"CVRP({self.name!r}, {self.n - 1} customers, capacity {self.capacity:g})"

    @property
    def min_vehicles(self) -> int:
        """ceil(total demand / capacity), at least 1: no solution has fewer routes."""
        ratio = float(self.demands.sum()) / self.capacity
        return max(1, math.ceil(ratio - TOLERANCE))

    # ---- MILP ----------------------------------------------------------------------------------
    def to_model(self) -> Model:
        """Two-index formulation: binary arcs x_ij (i != j); every customer has in- and
        out-degree 1 (so the depot's in-degree equals its out-degree, the number of routes,
        which is at most num_vehicles and at least min_vehicles); load variables u_i in [q_i, Q] with
        u_j >= u_i + q_j when x_ij = 1 bound each route's load and cut subtours of customers
        with positive demand; customers with zero demand get separate MTZ order variables.
        Variables: x (n(n-1), row-major), load (n-1 customers), order (zero-demand customers,
        only if there are at least two)."""
        n, cust, q = self.n, self.customers, self.demands
        m = Model(self.name)
        tail, head = arcs(n)
        x = m.add_variables(len(tail), "x", vtype="binary")
        m.add_constraint(incidence(tail, n)[cust] @ x == 1, name="out")
        m.add_constraint(incidence(head, n)[cust] @ x == 1, name="in")
        leaving = x[self.depot * (n - 1) : (self.depot + 1) * (n - 1)].sum()
        fleet = self.num_vehicles or float("inf")
        # The lower bound is only a cut: kept <= fleet, too small a fleet is left to the loads.
        m.add_range(min(self.min_vehicles, fleet), leaving, fleet, name="vehicles")
        add_ordering(m, x, n, cust, q[cust], self.capacity, "load")
        zero = cust[q[cust] == 0]
        if len(zero) >= 2:
            add_ordering(m, x, n, zero, np.ones(len(zero)), len(zero), "order")
        m.minimize(self.distances[tail, head] @ x)
        return m

    def solution_from_values(self, data: ProblemData, values: np.ndarray) -> list[list[int]]:
        """One route per arc leaving the depot, following chosen arcs back to the depot;
        customers caught in subtours are left out (so `check` reports them missing)."""
        x = value_vector(values, self.n * (self.n - 1))
        succ = successors(x, self.n)
        tail, head = arcs(self.n)
        firsts = head[(tail == self.depot) & (x > 0.5)]
        return [walk(succ, int(first), self.depot) for first in firsts]

    def values_from_solution(self, routes: list[list[int]]) -> np.ndarray:
        """The `to_model()` variable values of valid routes (for MIP starts and round trips)."""
        problems = self.check(routes)
        if problems:
            raise ModelError(f"{label(self.kind, self.name)}: cannot encode invalid routes: {problems[0]}")
        routes = [cast(list[int], int_list(r, "route")[0]) for r in routes]  # check() read them
        load = np.zeros(self.n)
        order = np.zeros(self.n)
        position = 0
        for route in routes:
            load[route] = np.cumsum(self.demands[route])
            for v in route:
                if self.demands[v] == 0:
                    position += 1
                    order[v] = position
        x = arc_values(self.n, [[self.depot] + r for r in routes])
        zero = self.customers[self.demands[self.customers] == 0]
        extra = [order[zero]] if len(zero) >= 2 else []
        return np.concatenate([x, load[self.customers], *extra])

    # ---- solutions -----------------------------------------------------------------------------
    def _read(self, routes: Any) -> tuple[list[list[int]] | None, list[str]]:
        """Routes as lists of in-range ints, or None with the reasons they are not."""
        if isinstance(routes, np.ndarray):
            routes = routes.tolist()
        if not isinstance(routes, (list, tuple)):
            return None, [f"routes must be a list of routes, got {type(routes).__name__}"]
        out: list[list[int]] = []
        problems: list[str] = []
        for r, route in enumerate(routes):
            refusal = f"route {r} visits {{bad}}, not nodes (0..{{last}})"
            nodes, problem = index_list(route, f"route {r}", self.n, refusal)
            if nodes is None:
                problems.append(cast(str, problem))  # index_list gives a problem whenever it gives no list
            else:
                out.append(nodes)
        return (None if problems else out), problems

    def check(self, routes: Any) -> list[str]:
        read, problems = self._read(routes)
        if read is None:
            return problems
        for r, route in enumerate(read):
            if self.depot in route:
                problems.append(f"route {r} visits the depot {self.depot} (routes list customers only)")
            load = float(self.demands[route].sum())
            if exceeds(load, self.capacity):
                problems.append(f"route {r} carries {load:g}, more than the capacity {self.capacity:g}")
        counts = Counter(v for route in read for v in route if v != self.depot)
        twice = sorted(v for v, k in counts.items() if k > 1)  # counts is a Counter already
        if twice:
            problems.append(f"customers visited more than once: {listing(twice)}")
        missing = sorted(set(self.customers.tolist()) - set(counts))
        if missing:
            problems.append(f"customers not visited: {listing(missing)}")
        used = sum(1 for route in read if route)
        if self.num_vehicles is not None and used > self.num_vehicles:
            problems.append(f"{used} routes, more than the {self.num_vehicles} vehicles")
        return problems

    def evaluate(self, routes: Any) -> float:
        """Total length of depot -> route -> depot over all routes; NaN if unreadable."""
        read, _ = self._read(routes)
        if read is None:
            return float("nan")
        return float(sum(cycle_length(self.distances, [self.depot] + route) for route in read if route))

    def features(self) -> dict[str, float]:
        d, cust = self.distances, self.customers
        ratio = self.demands[cust] / self.capacity
        mean = float(d[~np.eye(self.n, dtype=bool)].mean())
        k = self.min_vehicles
        return {
            "num_customers": float(len(cust)),
            "capacity": self.capacity,
            "total_demand_ratio": float(ratio.sum()),
            "min_vehicles": float(k),
            "customers_per_vehicle": len(cust) / k,
            "free_fleet": float(self.num_vehicles is None),
            "fleet_slack": (self.num_vehicles / k) if self.num_vehicles else 0.0,
            "depot_centrality": float(d[self.depot, cust].mean()) / mean if mean else 0.0,
            **stats("demand_ratio", ratio),
            **distance_features(d),
        }
