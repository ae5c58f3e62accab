"""Conformance: every registered backend keeps the contract of docs/adding-a-solver.md on a zoo
of small problems of every class, in the spirit of CPMpy's tests over all its solvers.

Each backend of `registry.names()` meets each zoo problem. A refusal is one line, quick, and
`omnisolve.solve` turns it into `UnsupportedError`; neither loading a backend nor asking it
imports its package. An accepted problem is solved through `omnisolve.solve` (1 thread, a time
limit, no cross-check): nothing is printed, the time limit holds, one core is used, the answer
passes its certificate, an "optimal" equals the known optimum and nothing beats it, an
infeasible or unbounded problem gets no wrong verdict, and the incumbent trace only improves
and ends with the answer. Tiny problems must be answered; ft06, berlin52, E-n22-k4 and a
400-city TSP get a short limit instead, as time-limit checks.

The known optima never come from omnisolve: brute force with itertools on the tiny instances
(checked by `test_zoo_*` below), hand computation, or the literature (ft06, berlin52, E-n22-k4).
A new backend needs nothing here: registering it puts it in every test. A known breach is a
strict xfail in `BREACHES`, with the bug.
"""

from __future__ import annotations

import functools
import itertools
import json
import math
import resource
import subprocess
import sys
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pytest

import omnisolve as om
from conftest import BENCHDATA, OVERRUN, grace
from omnisolve.api import after_solve_allowance
from omnisolve.errors import UnsupportedError
from omnisolve.problems import CVRP, TSP, JobShop, Knapsack
from omnisolve.result import Status
from omnisolve.solvers import registry
from test_trust import infeasible_lp, pulp_test_mip, transport, unbounded_lp

DATA = Path(om.__file__).parent / "data"  # the bundled demo instances, optima in optima.csv
LIMIT = 10.0  # s, the time limit of a solve
# backends that search until their time limit even on a tiny problem (measured): a short limit
# keeps the file fast and still checks that they stop on time
SHORT_LIMIT = 1.5
RUNS_TO_LIMIT = {"tsp-ils", "ortools-routing", "pyvrp", "hgs"}
QUICK = 0.5  # s an unsupported_reason may take
ONE_THREAD = 1.25  # CPU seconds per wall second a solve on 1 thread may use (verification included)
CPU_NOISE = 0.2  # s of CPU a solve may use beyond that (imports, a child's start)


# ---- the zoo ---------------------------------------------------------------------------------------
def euc_2d(xy: np.ndarray) -> np.ndarray:
    """TSPLIB's rounded Euclidean distances (integers, symmetric)."""
    return np.floor(np.sqrt(((xy[:, None] - xy[None]) ** 2).sum(-1)) + 0.5)


TSP_XY = np.array([[2, 9], [14, 3], [7, 17], [19, 12], [5, 1], [11, 8], [16, 19]], dtype=float)
CVRP_XY = np.array([[10, 10], [2, 4], [18, 3], [17, 17], [4, 16], [12, 1], [1, 11]], dtype=float)
CVRP_DEMANDS = np.array([0, 4, 7, 5, 6, 3, 5], dtype=float)
CVRP_CAPACITY = 12.0
KNAPSACK_VALUES = np.array([23, 31, 29, 44, 53, 38, 63, 85, 89, 82, 17, 40], dtype=float)
KNAPSACK_WEIGHTS = np.array([92, 57, 49, 68, 60, 43, 67, 84, 87, 72, 25, 39], dtype=float)
KNAPSACK_CAPACITY = 320.0
# 3 jobs x 4 machines, (machine, duration) per operation
SHOP = [
    [(0, 3), (1, 2), (2, 4), (3, 2)],
    [(1, 4), (0, 3), (3, 3), (2, 1)],
    [(2, 2), (3, 4), (1, 3), (0, 2)],
]


def tsp() -> TSP:
    return TSP(euc_2d(TSP_XY), TSP_XY, name="tsp7")


def cvrp() -> CVRP:
    return CVRP(euc_2d(CVRP_XY), CVRP_DEMANDS, CVRP_CAPACITY, coords=CVRP_XY, name="cvrp6")


def knapsack() -> Knapsack:
    return Knapsack(KNAPSACK_VALUES, KNAPSACK_WEIGHTS, KNAPSACK_CAPACITY, name="knapsack12")


def jobshop() -> JobShop:
    return JobShop(SHOP, name="shop3x4")


def ft06() -> JobShop:
    return om.read(DATA / "ft06.txt")


def berlin52() -> TSP:
    return om.read(DATA / "berlin52.tsp")


def tsp400() -> TSP:
    """400 random cities: more than an exact method builds and solves in 0.2 s."""
    xy = np.random.default_rng(1).integers(0, 1000, size=(400, 2)).astype(float)
    return TSP(euc_2d(xy), xy, name="tsp400")


def eil22() -> CVRP:
    """E-n22-k4 of CVRPLIB, optimum 375 with its 4 vehicles (from the benchmark data beside the
    repository; the reader leaves the fleet free, so it is set here)."""
    path = BENCHDATA / "cvrp" / "eil22.vrp"
    if not path.exists():
        pytest.skip(f"benchmark data not found: {path}")
    free = om.read(path)
    return CVRP(free.distances, free.demands, free.capacity, num_vehicles=4, coords=free.coords, name="eil22-k4")


def small_milp() -> om.Model:
    """A maximization with a constant (the user's sense and c0 must come back), 352 points."""
    m = om.Model("small_milp")
    x, y = m.add_variable("x", 0, 10, "integer"), m.add_variable("y", -5, 10, "integer")
    z = m.add_variable("z", vtype="binary")
    m.add_constraint(0.5 * x + 1.25 * y <= 7.3)
    m.add_constraint(x - y >= -2.5)
    m.add_constraint(x + 10 * z <= 12)
    m.maximize(0.1 * x + 0.7 * y + 3 * z + 1.5)
    return m


def small_milp_points():
    for x, y, z in itertools.product(range(11), range(-5, 11), range(2)):
        if 0.5 * x + 1.25 * y <= 7.3 and x - y >= -2.5 and x + 10 * z <= 12:
            yield 0.1 * x + 0.7 * y + 3 * z + 1.5


def convex_qp() -> om.Model:
    """min x² + y² + xy - 2x - 4y + 5 s.t. x + y >= 4: by hand, the unconstrained minimum (0, 2)
    violates the row, so it is active; on y = 4 - x the objective is x² - 2x + 5, least (4) at
    x = 1, y = 3."""
    m = om.Model("convex_qp")
    x, y = m.add_variable("x", -10, 10), m.add_variable("y", -10, 10)
    m.add_constraint(x + y >= 4)
    m.minimize(x * x + y * y + x * y - 2 * x - 4 * y + 5)
    return m


def rosenbrock() -> om.Model:
    """Rosenbrock's function on [-2, 2]²: global minimum 0 at (1, 1) (a sum of squares)."""
    m = om.Model("rosenbrock")
    m.add_variables(2, "x", lb=-2, ub=2)
    grad = lambda v: np.array([-2 * (1 - v[0]) - 400 * v[0] * (v[1] - v[0] ** 2), 200 * (v[1] - v[0] ** 2)])  # noqa: E731
    m.minimize(lambda v: (1 - v[0]) ** 2 + 100 * (v[1] - v[0] ** 2) ** 2, grad=grad)
    return m


def concave_qp_max() -> om.Model:
    """max 10 - (the convex QP's objective): 6 at (1, 3), the QP in the other sense."""
    m = om.Model("concave_qp_max")
    x, y = m.add_variable("x", -10, 10), m.add_variable("y", -10, 10)
    m.add_constraint(x + y >= 4)
    m.maximize(10 - (x * x + y * y + x * y - 2 * x - 4 * y + 5))
    return m


def convex_qcp() -> om.Model:
    """max x + y in the disk x² + y² <= 2: 2 at (1, 1) (Cauchy-Schwarz: x + y <= √2·√2)."""
    m = om.Model("convex_qcp")
    x, y = m.add_variable("x", -5, 5), m.add_variable("y", -5, 5)
    m.add_constraint(x * x + y * y <= 2, name="disk")
    m.maximize(x + y)
    return m


def miqp() -> om.Model:
    """min (x² - 3x) + (y² - y) + 1, x integer in [0, 5]: x in {1, 2} gives -2, y = 1/2 gives
    -1/4, so -1.25."""
    m = om.Model("miqp")
    x, y = m.add_variable("x", 0, 5, "integer"), m.add_variable("y", -3, 3)
    m.minimize(x * x - 3 * x + y * y - y + 1)
    return m


def infeasible_milp() -> om.Model:
    """2x + 2y = 3 has no integer solution, though its LP relaxation has many."""
    m = om.Model("infeasible_milp")
    x, y = m.add_variable("x", 0, 3, "integer"), m.add_variable("y", 0, 3, "integer")
    m.add_constraint(2 * x + 2 * y == 3, name="odd")
    m.maximize(x + y)
    return m


# ---- brute force: each returns (optimum, an optimal solution) -------------------------------------
def tour_length(d: np.ndarray, tour) -> float:
    return float(sum(d[a, b] for a, b in zip(tour, tour[1:] + tour[:1])))


@functools.cache
def tsp_brute() -> tuple[float, list[int]]:
    d, n = euc_2d(TSP_XY), len(TSP_XY)
    return min((tour_length(d, [0, *p]), [0, *p]) for p in itertools.permutations(range(1, n)))


@functools.cache
def cvrp_brute() -> tuple[float, list[list[int]]]:
    """Every solution is a giant tour of the customers cut into routes: all orders x all cuts."""
    d, n = euc_2d(CVRP_XY).tolist(), len(CVRP_XY)
    q = CVRP_DEMANDS.tolist()
    best: tuple[float, list] = (math.inf, [])
    for order in itertools.permutations(range(1, n)):
        for cuts in itertools.product((0, 1), repeat=n - 2):
            routes, route = [], [order[0]]
            for v, cut in zip(order[1:], cuts):
                if cut:
                    routes.append(route)
                    route = []
                route.append(v)
            routes.append(route)
            if all(sum(q[v] for v in r) <= CVRP_CAPACITY for r in routes):
                cost = sum(d[0][r[0]] + d[r[-1]][0] + sum(d[a][b] for a, b in zip(r, r[1:])) for r in routes)
                best = min(best, (cost, routes))
    return best


@functools.cache
def knapsack_brute() -> tuple[float, list[int]]:
    best: tuple[float, list[int]] = (0.0, [])
    for k in range(len(KNAPSACK_VALUES) + 1):
        for items in itertools.combinations(range(len(KNAPSACK_VALUES)), k):
            if KNAPSACK_WEIGHTS[list(items)].sum() <= KNAPSACK_CAPACITY:
                best = max(best, (float(KNAPSACK_VALUES[list(items)].sum()), list(items)))
    return best


@functools.cache
def jobshop_brute() -> tuple[float, list[list[int]]]:
    """Every order of the operations on each machine, scheduled as early as possible (a
    semi-active schedule; some optimal schedule is one); cyclic orders are skipped."""
    ops = {(j, k): op for j, job in enumerate(SHOP) for k, op in enumerate(job)}
    machines = sorted({m for m, _ in ops.values()})
    on = {m: [o for o, (mm, _) in ops.items() if mm == m] for m in machines}
    best: tuple[float, list] = (math.inf, [])
    for orders in itertools.product(*(itertools.permutations(on[m]) for m in machines)):
        before = {(j, k): [(j, k - 1)] if k else [] for j, k in ops}
        for order in orders:
            for a, b in zip(order, order[1:]):
                before[b].append(a)
        end: dict = {}
        progress = True
        while progress and len(end) < len(ops):
            progress = False
            for o in ops:
                if o not in end and all(p in end for p in before[o]):
                    end[o] = max((end[p] for p in before[o]), default=0) + ops[o][1]
                    progress = True
        if len(end) == len(ops) and max(end.values()) < best[0]:
            starts = [[end[j, k] - d for k, (_, d) in enumerate(job)] for j, job in enumerate(SHOP)]
            best = (float(max(end.values())), starts)
    return best


# ---- the cases -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Case:
    build: Callable[[], Any]
    optimum: Callable[[], float] | None = None  # None: no optimum (see `status`)
    sense: str = "min"
    limit: float | None = None  # overrides LIMIT: a time-limit check where exact methods need longer
    status: Status = Status.OPTIMAL  # the truth: OPTIMAL (has an optimum), INFEASIBLE or UNBOUNDED


ZOO: dict[str, Case] = {
    "lp": Case(transport, lambda: 17.0),
    "milp": Case(pulp_test_mip, lambda: 64.0),
    "milp-max-c0": Case(small_milp, lambda: max(small_milp_points()), "max"),
    "convex-qp": Case(convex_qp, lambda: 4.0),
    "concave-qp-max": Case(concave_qp_max, lambda: 6.0, "max"),
    "convex-qcp": Case(convex_qcp, lambda: 2.0, "max"),
    "miqp": Case(miqp, lambda: -1.25),
    "rosenbrock": Case(rosenbrock, lambda: 0.0),
    "tsp7": Case(tsp, lambda: tsp_brute()[0]),
    "cvrp6": Case(cvrp, lambda: cvrp_brute()[0]),
    "jobshop3x4": Case(jobshop, lambda: jobshop_brute()[0]),
    "knapsack12": Case(knapsack, lambda: knapsack_brute()[0], "max"),
    "ft06": Case(ft06, lambda: 55.0, limit=1.0),
    "berlin52": Case(berlin52, lambda: 7542.0, limit=1.0),
    "eil22-k4": Case(eil22, lambda: 375.0, limit=1.0),
    "tsp400": Case(tsp400, limit=0.2),  # optimum unknown: the time limit and the answers' validity
    "infeasible-lp": Case(infeasible_lp, status=Status.INFEASIBLE),
    "infeasible-milp": Case(infeasible_milp, status=Status.INFEASIBLE),
    "unbounded-lp": Case(unbounded_lp, status=Status.UNBOUNDED),
}


def problem(case: str) -> Any:
    """The zoo problem as `solve` sees it: a model is compiled to ProblemData."""
    return om.load(ZOO[case].build())


# ---- the matrix --------------------------------------------------------------------------------------
def backend_or_skip(name: str):
    """The backend, or a skip naming what is missing."""
    try:
        backend = registry.get(name)
    except UnsupportedError as exc:
        pytest.skip(f"backend {name} cannot be loaded: {exc}")
    if not backend.available():
        pytest.skip(f"backend {name} needs the package {backend.package!r}, which is not installed")
    return backend


def _accepts(name: str, case: str) -> bool:
    """At collection: does `name` accept the zoo problem `case`? A backend that cannot be loaded
    or whose unsupported_reason crashes counts as accepting, so the solve test shows why."""
    try:
        return registry.get(name).unsupported_reason(problem(case)) is None
    except (Exception, pytest.skip.Exception):
        return True


# Known contract breaches, each (backend, case) -> the bug; they must keep failing (strict).
BREACHES: dict[tuple[str, str], str] = {
    ("cpsat", "tsp400"): "cpsat_models.build() makes the circuit model in Python before CP-SAT gets the time "
    "limit: about 4 s for 400 nodes, with a 0.2 s limit",
    ("scip", "tsp400"): "solvers/scip.py build() adds the 160,000 MILP columns one by one in Python before SCIP "
    "sees the time limit: about 5 s for 400 nodes, with a 0.2 s limit",
}


# Overruns past the limit longer than OVERRUN, each (backend, case) -> the seconds and why.
OVERRUNS: dict[tuple[str, str], float] = {
    # 160,000 MILP columns: HiGHS's set-up and presolve check the limit only between passes
    # (0.6 s for a 0.2 s limit on a quiet machine, 2.0 s beside another suite)
    ("highs", "tsp400"): 2 * OVERRUN,
}


def time_limit(name: str, case: str) -> float:
    if ZOO[case].limit is not None:
        return ZOO[case].limit
    if name in RUNS_TO_LIMIT or ZOO[case].optimum is None:
        return SHORT_LIMIT  # no optimum to find: a search may use all its time
    return LIMIT


def pairs(accepted: bool) -> list:
    out = []
    for name in registry.names():
        for case in ZOO:
            if accepted and not _accepts(name, case):
                continue
            breach = BREACHES.get((name, case)) if accepted else None
            marks = [pytest.mark.xfail(strict=True, reason=breach)] if breach else []
            out.append(pytest.param(name, case, id=f"{name}-{case}", marks=marks))
    return out


# ---- the zoo's optima are independent truth ----------------------------------------------------------
def test_zoo_brute_force_optima_are_solutions_of_the_zoo_problems():
    """The brute force solves the same problems the classes define: its optimal solutions pass
    the classes' own checks with the same objective (and the values are pinned)."""
    for build, brute, expected in [
        (tsp, tsp_brute, 59),
        (cvrp, cvrp_brute, 83),
        (knapsack, knapsack_brute, 319),
        (jobshop, jobshop_brute, 12),
    ]:
        value, solution = brute()
        p = build()
        assert value == expected and p.check(solution) == [] and p.evaluate(solution) == value, p
    assert max(small_milp_points()) == pytest.approx(7.5)


def test_zoo_model_optima_are_reached_by_points_found_by_hand():
    from omnisolve.verify import Tolerances
    from omnisolve.verify.model_check import check_values

    for case, point in [
        ("lp", [4, 1, 0, 1]),
        ("milp", [3, -0.5, 7]),
        ("milp-max-c0", [2, 4, 1]),
        ("convex-qp", [1, 3]),
        ("concave-qp-max", [1, 3]),
        ("convex-qcp", [1, 1]),
        ("miqp", [1, 0.5]),
        ("rosenbrock", [1, 1]),
    ]:
        _, _, objective, messages = check_values(problem(case), np.array(point, float), Tolerances())
        assert not messages and objective == pytest.approx(ZOO[case].optimum(), abs=1e-12), case


# ---- refusals ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("name,case", pairs(accepted=False))
def test_refusal_is_one_quick_line_and_solve_raises_unsupported(name, case):
    try:
        backend = registry.get(name)
    except UnsupportedError as exc:
        pytest.skip(f"backend {name} cannot be loaded: {exc}")
    p = problem(case)
    began = time.perf_counter()
    reason = backend.unsupported_reason(p)
    took = time.perf_counter() - began
    assert took < QUICK, f"unsupported_reason took {took:.2f} s"
    if reason is None:
        return
    assert isinstance(reason, str) and reason.strip() and "\n" not in reason, repr(reason)
    with pytest.raises(UnsupportedError, match=f"solver {name}"):
        om.solve(p, solver=name, time_limit=LIMIT, cross_check="off")


# ---- solving -----------------------------------------------------------------------------------------
def better(sense: str, a: float, b: float, rel: float = 1e-6) -> bool:
    """`a` strictly better than `b` in `sense`, beyond a relative tolerance."""
    sign = 1.0 if sense == "min" else -1.0
    return sign * (b - a) > rel * max(1.0, abs(b))


def cpu_seconds() -> float:
    """CPU time of this process (all its threads) and of its finished children."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


@pytest.fixture(scope="module")
def tsp_kernels_compiled() -> None:
    """tsp-ils's numba kernels compiled (or loaded from numba's cache) before any solve is timed:
    on a cold cache their compile (18 s) would go on in a thread after tsp-ils's runs have
    answered on time (test_tsp_solvers checks that), and count in the CPU of the solves after."""
    from omnisolve.algorithms import tsp_kernels

    tsp_kernels.warm_up()


@pytest.mark.parametrize("name,case", pairs(accepted=True))
def test_solve_keeps_the_contract(name, case, capfd, tsp_kernels_compiled):
    backend_or_skip(name)
    spec, p = ZOO[case], problem(case)
    limit = time_limit(name, case)
    seen: list[tuple] = []  # what on_incumbent was told
    capfd.readouterr()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        began, cpu = time.perf_counter(), cpu_seconds()
        result = om.solve(
            p,
            solver=name,
            time_limit=limit,
            threads=1,
            cross_check="off",
            on_incumbent=lambda *event: seen.append(event),
        )
        wall, cpu = time.perf_counter() - began, cpu_seconds() - cpu
    out, err = capfd.readouterr()
    what = f"{name} on {case}: {result.status.value} {result.objective} ({result.message})"

    # silence, name, limits
    assert (out, err) == ("", ""), f"{name} printed on {case}"
    assert not caught, f"{name} warned on {case}: {[str(w.message) for w in caught]}"
    assert result.solver.startswith(name), what
    overrun = grace(OVERRUNS.get((name, case), OVERRUN))
    assert 0 < result.runtime <= limit + overrun, f"{name} on {case} ran {result.runtime:.2f} s with a {limit} s limit"
    assert wall <= limit + after_solve_allowance(limit, "off") + overrun, f"solve took {wall:.2f} s: {what}"
    assert cpu <= ONE_THREAD * wall + grace(CPU_NOISE), f"{name} used {cpu:.2f} CPU s in {wall:.2f} s on 1 thread"

    # the verdict
    if result.status.has_solution:
        assert result.certificate is not None and result.certificate.passed, (what, result.certificate)
    if spec.status == Status.INFEASIBLE:  # never answered, never claimed optimal or unbounded
        assert result.status in (Status.INFEASIBLE, Status.TIME_LIMIT, Status.ERROR), what
    elif spec.status == Status.UNBOUNDED:  # a feasible point is an answer; optimal or infeasible is wrong
        assert result.status in (Status.UNBOUNDED, Status.FEASIBLE, Status.TIME_LIMIT, Status.ERROR), what
    elif spec.limit is None:  # a tiny problem: every backend that accepts it answers it
        assert result.status.has_solution, what
    else:  # a time-limit check: stopping without an answer is allowed, any other verdict is wrong
        assert result.status.has_solution or result.status == Status.TIME_LIMIT, what
    if result.status in (Status.TIME_LIMIT, Status.ERROR):
        assert spec.limit is not None or result.message.strip(), f"{name} gave no reason: {what}"
    optimum = spec.optimum() if spec.optimum is not None else None
    if optimum is not None and result.status.has_solution:
        assert not better(spec.sense, result.objective, optimum), what
        if result.status == Status.OPTIMAL:
            assert result.objective == pytest.approx(optimum, rel=1e-6, abs=1e-6), what
    if optimum is not None and result.bound is not None:
        assert not better(spec.sense, optimum, result.bound), (
            f"{name}: bound {result.bound} cuts off the optimum {optimum} of {case}"
        )

    # the incumbent trace: what on_incumbent saw, in time order, each objective better, each bound
    # tighter, none beyond the optimum, and the answer among them
    assert [tuple(e) for e in seen] == [tuple(e) for e in result.trace], (
        f"{name}: on_incumbent {seen} is not the trace {result.trace}"
    )
    times = [t for t, _, _ in result.trace]
    objectives = [obj for _, obj, _ in result.trace if obj is not None]
    bounds = [bound for _, _, bound in result.trace if bound is not None]
    trace = f"{name} on {case}, trace {result.trace}"
    assert times == sorted(times), trace
    assert not any(better(spec.sense, a, b) for a, b in zip(objectives, objectives[1:])), (
        f"incumbents got worse: {trace}"
    )
    assert not any(better(spec.sense, b, a) for a, b in zip(bounds, bounds[1:])), f"bounds got looser: {trace}"
    if optimum is not None:
        assert not any(better(spec.sense, obj, optimum) for obj in objectives), (
            f"an incumbent beats the optimum: {trace}"
        )
        assert not any(better(spec.sense, optimum, bound) for bound in bounds), f"a bound cuts off the optimum: {trace}"
    if result.status.has_solution:
        assert objectives, f"the answer was never reported as an incumbent: {trace}"
        assert result.objective == pytest.approx(objectives[-1], rel=1e-6, abs=1e-6), (
            f"the answer is not the last incumbent: {result.objective}, {trace}"
        )
    elif spec.status != Status.UNBOUNDED:
        assert not objectives, f"incumbents reported, none returned: {trace}"


# ---- laziness: a refusal never imports the solver package -------------------------------------------
IMPORT_PROBE = r"""
import json, os, sys
sys.path[:0] = [{tests!r}, *{path!r}]
import test_conformance as tc
from omnisolve.solvers import registry

for name, target in {registered!r}.items():
    registry.register(name, target)
problems = []
for case in tc.ZOO:
    try:
        problems.append(tc.problem(case))
    except BaseException:  # benchmark data not found
        pass
out = {{}}
for name in registry.names():
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # each backend in a fresh copy of this process, so none sees another's imports
        os.close(read)
        before = set(sys.modules)
        try:
            backend = registry.get(name)
        except Exception as exc:
            report = {{"error": str(exc)}}
        else:
            top = backend.package.split(".")[0]
            loaded = set(sys.modules)
            for p in problems:
                backend.unsupported_reason(p)
            report = {{"package": top, "preloaded": top in before, "by_module": top in loaded - before,
                       "by_reason": top in set(sys.modules) - loaded}}
        os.write(write, json.dumps(report).encode())
        os._exit(0)
    os.close(write)
    with os.fdopen(read) as fh:
        out[name] = json.loads(fh.read() or "{{}}")
    os.waitpid(pid, 0)
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def import_probe() -> dict:
    """For each backend, in a fresh process: does loading its module or asking it about every zoo
    problem import its package?"""
    code = IMPORT_PROBE.format(
        tests=str(Path(__file__).parent), path=[p for p in sys.path if p], registered=registry.registered()
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout.splitlines()[-1])


@pytest.mark.parametrize("name", registry.names())
def test_loading_and_refusing_never_import_the_solver_package(name, import_probe):
    report = import_probe[name]
    if "error" in report:
        pytest.skip(f"backend {name} cannot be loaded: {report['error']}")
    if not report["package"]:
        return  # needs no package
    if report["preloaded"]:
        pytest.skip(f"{report['package']} is imported by omnisolve itself, so laziness cannot be observed")
    assert not report["by_module"], f"loading backend {name} imports {report['package']}"
    assert not report["by_reason"], f"{name}.unsupported_reason imports {report['package']}"
