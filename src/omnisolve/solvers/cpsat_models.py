"""CP-SAT formulations of the problems the `cpsat` backend accepts, and why it refuses others.

Each builder returns a `Formulation`: the `CpModel`, how to decode a solution from a value
getter, and how the model's integer objective maps back to the user's one. `ortools` is
imported inside the functions only.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from omnisolve.model import ProblemData, Sense
from omnisolve.problems import CVRP, TSP, JobShop, Knapsack, Problem, StructuredProblem
from omnisolve.solvers.requirements import (
    EXACT_INT,
    matrix_reason,
    non_integer_reason,
    structured_totals,
    too_large_reason,
)

MAX_CVRP_NODES = 30  # the arc model with load variables stops being practical beyond this
MAX_SCALE_DIGITS = 6  # coefficients may be scaled by at most 10**6 to become integers
INT_BOUND = 2.0**40  # stands in for an infinite variable bound
_INTEGRAL_TOL = 1e-9

Value = Callable[[Any], int]  # a solver's or solution callback's `value(var)`


@dataclass
class Formulation:
    """A CP-SAT model with its decoder; user objective = model objective / scale + offset."""

    model: Any
    decode: Callable[[Value], Any]
    scale: float = 1.0
    offset: float = 0.0
    note: str = ""  # said in Result.message (e.g. bounds that were clamped)
    clamped: list[tuple[Any, int]] = field(default_factory=list)  # (variable, artificial bound)
    params: dict[str, Any] = field(default_factory=dict)  # CP-SAT parameters this model wants

    def objective(self, model_value: float) -> float:
        return model_value / self.scale + self.offset


# ---- what CP-SAT accepts ---------------------------------------------------------------------
def unsupported_reason(problem: Problem) -> str | None:
    """None when `problem` has a CP-SAT formulation here, else a one-line reason."""
    if isinstance(problem, ProblemData):
        return _model_reason(problem)
    if not isinstance(problem, StructuredProblem):
        return f"cannot solve a {type(problem).__name__}; give a ProblemData or a structured problem"
    reason = matrix_reason(problem) or _size_reason(problem)
    if reason is not None:
        return reason
    if isinstance(problem, TSP):
        return non_integer_reason("CP-SAT", [("TSP distances", _off_diagonal(problem.distances))], "highs")
    if isinstance(problem, CVRP):
        if problem.n > MAX_CVRP_NODES:
            return (
                f"CVRP with {problem.n} nodes is too large for the CP-SAT model "
                f"(at most {MAX_CVRP_NODES}); use highs or a routing solver"
            )
        data = [("CVRP distances", _off_diagonal(problem.distances)), ("CVRP demands", problem.demands)]
        return non_integer_reason("CP-SAT", data, "highs")
    if isinstance(problem, JobShop):
        return None
    if isinstance(problem, Knapsack):
        return non_integer_reason(
            "CP-SAT", [("knapsack values", problem.values), ("knapsack weights", problem.weights)], "highs"
        )
    return f"no CP-SAT formulation for {problem.kind} problems"


def _size_reason(problem: StructuredProblem) -> str | None:
    """CP-SAT's integers are int64 and its linear expressions must not overflow: every total the
    model reaches (tour length, capacity, horizon, summed weights and values) stays below 2^53."""
    return too_large_reason("CP-SAT", structured_totals(problem), EXACT_INT, "scale the data down")


def _off_diagonal(d: np.ndarray) -> np.ndarray:
    return d[~np.eye(d.shape[0], dtype=bool)]


def _model_reason(data: ProblemData) -> str | None:
    if data.is_nonlinear or data.quadratic_rows or (data.Q is not None and data.Q.nnz):
        return f"CP-SAT takes linear models only (this is {data.kind})"
    continuous = int(np.count_nonzero(~data.integer_mask))
    if continuous:
        semi = int(np.count_nonzero(data.semi_mask & ~data.integer_mask))
        what = f"{semi} are semi-continuous" if semi else f"{continuous} of {data.num_variables} are continuous"
        return f"CP-SAT needs every variable integer; {what}"
    rows = _row_scales(data)
    if np.isnan(rows).any():
        i = int(np.flatnonzero(np.isnan(rows))[0])
        return (
            f"row {data.row_names[i]} has coefficients that are not integers even after scaling by 1e{MAX_SCALE_DIGITS}"
        )
    if math.isnan(_objective_scale(data)):
        return f"objective coefficients are not integers even after scaling by 1e{MAX_SCALE_DIGITS}"
    scaled = [
        ("scaled matrix coefficients", data.A.data * np.repeat(rows, np.diff(data.A.indptr))),
        ("scaled objective coefficients", data.c * _objective_scale(data)),
    ]
    return too_large_reason("CP-SAT", scaled, EXACT_INT, "use highs")


def _integral_scales(values: np.ndarray, groups: np.ndarray, n_groups: int) -> np.ndarray:
    """Per group the smallest 10**k (k <= MAX_SCALE_DIGITS) making all its values integral;
    NaN for a group that no such power fixes."""
    scale = np.full(n_groups, np.nan)
    for k in range(MAX_SCALE_DIGITS + 1):
        v = values * 10.0**k
        bad = np.abs(v - np.round(v)) > _INTEGRAL_TOL * np.maximum(1.0, np.abs(v))
        ok = np.bincount(groups, weights=bad, minlength=n_groups) == 0
        scale = np.where(np.isnan(scale) & ok, 10.0**k, scale)
    return scale


def _row_scales(data: ProblemData) -> np.ndarray:
    """Rows may be scaled independently: scaling a row does not change its solutions."""
    A = data.A
    return _integral_scales(A.data, np.repeat(np.arange(A.shape[0]), np.diff(A.indptr)), A.shape[0])


def _objective_scale(data: ProblemData) -> float:
    return float(_integral_scales(data.c, np.zeros(len(data.c), dtype=np.int64), 1)[0])


# ---- formulations ------------------------------------------------------------------------------
def build(problem: Problem) -> Formulation:
    """The CP-SAT formulation of an accepted problem (see `unsupported_reason`)."""
    if isinstance(problem, ProblemData):
        return _build_model(problem)
    if isinstance(problem, TSP):
        return _build_tsp(problem)
    if isinstance(problem, CVRP):
        return _build_cvrp(problem)
    if isinstance(problem, JobShop):
        return _build_jobshop(problem)
    if isinstance(problem, Knapsack):
        return _build_knapsack(problem)
    raise TypeError(f"no CP-SAT formulation for {problem.kind} problems")


def _arc_literals(model: Any, distances: np.ndarray, nodes: list[int]) -> dict[tuple[int, int], Any]:
    """One literal per arc i -> j (i != j) between positions in `nodes`; the model minimizes
    the summed (integral) distances of the chosen arcs."""
    from ortools.sat.python import cp_model

    lits = {(i, j): model.new_bool_var(f"x{a}_{b}") for i, a in enumerate(nodes) for j, b in enumerate(nodes) if i != j}
    cost = [int(round(distances[nodes[i], nodes[j]])) for i, j in lits]
    model.minimize(cp_model.LinearExpr.weighted_sum(list(lits.values()), cost))
    return lits


def _greedy_routes(d: np.ndarray, demand: np.ndarray, capacity: float) -> list[list[int]]:
    """Nearest-neighbour routes from position 0 over positions 1..n-1: go to the nearest
    unvisited node that still fits, else back to 0 to start a new route."""
    left, routes = set(range(1, len(d))), []
    while left:
        route, at, load = [], 0, 0.0
        while True:
            fits = [j for j in left if load + demand[j] <= capacity]
            if not fits:
                break
            at = min(fits, key=lambda j: d[at, j])
            route.append(at)
            load += demand[at]
            left.discard(at)
        routes.append(route)
    return routes


def _hint_routes(model: Any, lits: dict[tuple[int, int], Any], routes: list[list[int]]) -> None:
    """Hint the arcs of closed routes 0 -> route -> 0 (positions) as used, all others unused."""
    used = {(a, b) for route in routes for a, b in zip([0, *route], [*route, 0])}
    for arc, lit in lits.items():
        model.add_hint(lit, arc in used)


# Linear relaxations of the circuit constraints make routing much faster on few workers
# (berlin52 optimal in 0.2 s on one worker instead of no proof in 10 s; kroA100 in 6 s), and
# with several workers the LP-heavy one must be among the first scheduled.
_ROUTING_PARAMS = {
    "linearization_level": 2,
    "subsolvers": ["max_lp", "default_lp", "quick_restart", "reduced_costs"],
}


def _follow(value: Value, lits: dict[tuple[int, int], Any], start: int) -> list[int]:
    """Positions visited from `start` along chosen arcs until back at 0."""
    succ = {i: j for (i, j), lit in lits.items() if value(lit)}
    path: list[int] = []
    node = start
    while node != 0 and len(path) < len(succ) + 1:
        path.append(node)
        node = succ[node]
    return path


def _build_tsp(tsp: TSP) -> Formulation:
    from ortools.sat.python import cp_model

    model = cp_model.CpModel()
    lits = _arc_literals(model, tsp.distances, list(range(tsp.n)))
    model.add_circuit([(i, j, lit) for (i, j), lit in lits.items()])
    _hint_routes(model, lits, _greedy_routes(tsp.distances, np.zeros(tsp.n), math.inf))

    def decode(value: Value) -> list[int]:
        first = next(j for (i, j), lit in lits.items() if i == 0 and value(lit))
        return [0] + _follow(value, lits, first)

    return Formulation(model, decode, params=dict(_ROUTING_PARAMS))


def _build_cvrp(vrp: CVRP) -> Formulation:
    """Arc literals under AddMultipleCircuit with the depot at position 0; the load carried
    on arrival at each customer grows along used arcs and stays within the capacity."""
    from ortools.sat.python import cp_model

    nodes = [vrp.depot] + [int(c) for c in vrp.customers]
    model = cp_model.CpModel()
    lits = _arc_literals(model, vrp.distances, nodes)
    model.add_multiple_circuit([(i, j, lit) for (i, j), lit in lits.items()])
    q = [int(round(vrp.demands[v])) for v in nodes]
    cap = int(math.floor(vrp.capacity + 1e-9))
    load = {i: model.new_int_var(q[i], cap, f"load{nodes[i]}") for i in range(1, len(nodes))}  # customers only
    for (i, j), lit in lits.items():
        if i and j:
            model.add(load[j] >= load[i] + q[j]).only_enforce_if(lit)
    leaving = [lits[0, j] for j in range(1, len(nodes))]
    model.add_linear_constraint(sum(leaving), vrp.min_vehicles, vrp.num_vehicles or len(leaving))
    routes = _greedy_routes(vrp.distances[np.ix_(nodes, nodes)], np.array(q, dtype=float), cap)
    _hint_routes(model, lits, routes)
    for route in routes:
        for p, carried in zip(route, np.cumsum([q[p] for p in route])):
            model.add_hint(load[p], int(carried))

    def decode(value: Value) -> list[list[int]]:
        firsts = [j for j in range(1, len(nodes)) if value(lits[0, j])]
        return [[nodes[p] for p in _follow(value, lits, first)] for first in firsts]

    return Formulation(model, decode, params=dict(_ROUTING_PARAMS))


@dataclass
class JobShopFormulation(Formulation):
    """The job-shop model with the variables a neighbourhood search fixes and hints."""

    starts: list[Any] = field(default_factory=list)  # start variable per operation, job by job
    durations: list[int] = field(default_factory=list)  # per operation, job by job
    makespan: Any = None

    def hint(self, flat_starts: Any) -> None:
        """Replace the model's hint by a schedule given as start times job by job."""
        _hint_schedule(self.model, self.starts, self.makespan, self.durations, flat_starts)

    def restricted(self, before: Any, after: Any, cap: int, flat_starts: Any) -> tuple[Any, list[Any]]:
        """A copy of the model (and its start variables) where operation `before[i]` ends
        before `after[i]` starts and the makespan is at most `cap`, hinted with a schedule."""
        model = self.model.clone()
        var = model.get_int_var_from_proto_index
        starts, makespan = [var(v.index) for v in self.starts], var(self.makespan.index)
        for a, b in zip(before, after):
            model.add(starts[b] >= starts[a] + self.durations[a])
        model.add(makespan <= cap)
        _hint_schedule(model, starts, makespan, self.durations, flat_starts)
        return model, starts


def _hint_schedule(model: Any, starts: list[Any], makespan: Any, durations: list[int], flat_starts: Any) -> None:
    flat = [int(s) for s in flat_starts]
    model.clear_hints()
    for var, value in zip(starts, flat):
        model.add_hint(var, value)
    model.add_hint(makespan, max(s + d for s, d in zip(flat, durations)))


def build_jobshop(shop: JobShop) -> JobShopFormulation:
    """Fixed-size intervals per operation, no overlap per machine, job order by precedence."""
    from ortools.sat.python import cp_model

    horizon = max(shop.horizon, 1)
    model = cp_model.CpModel()
    starts: list[list[cp_model.IntVar]] = []
    on_machine: list[list[cp_model.IntervalVar]] = [[] for _ in range(shop.num_machines)]
    makespan = model.new_int_var(0, horizon, "makespan")
    for j, ops in enumerate(shop.jobs):
        row: list[cp_model.IntVar] = []
        for k, (machine, duration) in enumerate(ops):
            start = model.new_int_var(0, horizon - duration, f"s{j}_{k}")
            on_machine[machine].append(model.new_fixed_size_interval_var(start, duration, f"op{j}_{k}"))
            if row:
                model.add(start >= row[-1] + ops[k - 1][1])
            row.append(start)
        model.add(makespan >= row[-1] + ops[-1][1])
        starts.append(row)
    for intervals in on_machine:
        if len(intervals) > 1:
            model.add_no_overlap(intervals)
    model.minimize(makespan)

    def decode(value: Value) -> list[list[int]]:
        return [[int(value(s)) for s in row] for row in starts]

    flat = [s for row in starts for s in row]
    durations = [d for ops in shop.jobs for _, d in ops]
    return JobShopFormulation(model, decode, starts=flat, durations=durations, makespan=makespan)


def _build_jobshop(shop: JobShop) -> Formulation:
    """The job-shop model hinted with the best dispatching-rule schedule."""
    from omnisolve.algorithms.dispatching import best_rule_schedule

    form = build_jobshop(shop)
    form.hint(best_rule_schedule(shop)[1])
    return form


def _build_knapsack(sack: Knapsack) -> Formulation:
    from ortools.sat.python import cp_model

    model = cp_model.CpModel()
    take = [model.new_bool_var(f"take{i}") for i in range(len(sack.values))]
    weights = [int(round(w)) for w in sack.weights]
    model.add(cp_model.LinearExpr.weighted_sum(take, weights) <= int(math.floor(sack.capacity + 1e-9)))
    model.maximize(cp_model.LinearExpr.weighted_sum(take, [int(round(v)) for v in sack.values]))

    def decode(value: Value) -> list[int]:
        return [i for i, t in enumerate(take) if value(t)]

    return Formulation(model, decode)


def _int_bound(value: float, up: bool) -> int:
    """An integer variable's bound: rounded inward, infinite ones clamped to +-INT_BOUND."""
    value = min(max(value, -INT_BOUND), INT_BOUND)
    return int(math.floor(value + _INTEGRAL_TOL) if up else math.ceil(value - _INTEGRAL_TOL))


def _row_bound(value: float, up: bool) -> int:
    """A row bound in scaled integer terms; infinite ones become CP-SAT's open ends."""
    from ortools.sat.python import cp_model

    if not math.isfinite(value):
        return cp_model.INT_MAX if up else cp_model.INT_MIN
    rounded = math.floor(value + _INTEGRAL_TOL) if up else math.ceil(value - _INTEGRAL_TOL)
    return int(min(max(rounded, cp_model.INT_MIN), cp_model.INT_MAX))


def _build_model(data: ProblemData) -> Formulation:
    """Integer variables (bounds rounded inward, infinite ones clamped; a semi-integer one has
    the domain {0} and [lb, ub]), each row scaled to integers on its own, the objective scaled
    by its own power of ten."""
    from ortools.sat.python import cp_model

    model = cp_model.CpModel()
    lo = [_int_bound(v, up=False) for v in data.lb]
    hi = [_int_bound(v, up=True) for v in data.ub]
    semi = data.semi_mask.tolist()  # semi-integer here (semi-continuous is refused): 0 or in [lo, hi]
    x = [
        model.new_int_var_from_domain(cp_model.Domain.from_intervals([[0, 0]] + ([[a, b]] if a <= b else [])), name)
        if s
        else model.new_int_var(a, max(a, b), name)
        for a, b, s, name in zip(lo, hi, semi, data.var_names)
    ]
    if any(a > b and not s for a, b, s in zip(lo, hi, semi)):
        model.add_bool_or([])  # an integer variable with no integer in its bounds: infeasible
    A, scales = data.A, _row_scales(data)
    for i in range(A.shape[0]):
        s, part = scales[i], slice(A.indptr[i], A.indptr[i + 1])
        coefs = np.round(A.data[part] * s).astype(np.int64).tolist()
        expr = cp_model.LinearExpr.weighted_sum([x[j] for j in A.indices[part]], coefs)
        model.add_linear_constraint(
            expr, _row_bound(data.row_lb[i] * s, up=False), _row_bound(data.row_ub[i] * s, up=True)
        )
    scale = _objective_scale(data)
    used = np.flatnonzero(data.c)
    if used.size:
        coefs = np.round(data.c[used] * scale).astype(np.int64).tolist()
        objective = cp_model.LinearExpr.weighted_sum([x[j] for j in used], coefs)
        (model.maximize if data.sense == Sense.MAX else model.minimize)(objective)
    clamped = [(x[j], lo[j]) for j in np.flatnonzero(np.isinf(data.lb))]
    clamped += [(x[j], hi[j]) for j in np.flatnonzero(np.isinf(data.ub))]
    note = f"{len(clamped)} infinite variable bounds replaced by +-2^40" if clamped else ""

    def decode(value: Value) -> np.ndarray:
        return np.array([value(v) for v in x], dtype=float)

    return Formulation(model, decode, scale=scale, offset=data.c0, note=note, clamped=clamped)
