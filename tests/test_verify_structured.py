"""The verifier catches deliberately corrupted structured answers every time, and a solver
claiming "optimal" for a broken answer is reported as an error.

Each test isolates one check of `omnisolve.verify.certify`: a corrupted solution is claimed
with no objective and no bound, so only the problem's own `check()` can reject it; a wrong
objective or a wrong bound is claimed for a valid solution, so only that comparison can. The
exact message of the check that must fire is asserted."""

from __future__ import annotations

import copy
import random

import pytest

import omnisolve as om
from conftest import BENCHDATA
from omnisolve.verify import verify

PREFIX = "verification failed (solver claimed optimal): "


def solved(path: str, solver: str = "auto") -> tuple[object, om.Result]:
    problem = om.read(BENCHDATA / path)
    result = om.solve(problem, solver=solver, time_limit=30)
    assert result.status == om.Status.OPTIMAL and result.certificate.passed
    return problem, result


def claim(problem, result, solution, objective=None, bound=None) -> om.Result:
    """`result` re-claimed as optimal with `solution`, `objective` and `bound`, then verified."""
    bad = copy.copy(result)
    bad.status, bad.solution, bad.certificate, bad.message = om.Status.OPTIMAL, solution, None, ""
    bad.objective, bad.bound = objective, bound
    return verify(problem, bad)


def assert_fails_with(checked: om.Result, expected: list[str]) -> None:
    """The result is an error whose certificate names exactly `expected`."""
    assert checked.status == om.Status.ERROR
    assert checked.certificate.verdict == "fail"
    assert checked.certificate.messages == expected
    assert checked.message == PREFIX + "; ".join(expected)


def assert_fails_naming(checked: om.Result, line: str) -> None:
    """The result is an error and `line` is one of its certificate's messages."""
    assert checked.status == om.Status.ERROR and checked.certificate.verdict == "fail"
    assert line in checked.certificate.messages, checked.certificate.messages
    assert line in checked.message


# ---- TSP -------------------------------------------------------------------------------------------
def broken_tours(tour: list[int]):
    """(corrupted tour, the exact messages TSP.check must give for it)."""
    n = len(tour)
    rng = random.Random(1)
    for _ in range(20):
        t = list(tour)
        i, j = rng.sample(range(n), 2)
        missing, twice = t[i], t[j]
        t[i] = t[j]  # duplicate node, one missing
        yield t, [f"nodes visited more than once: {twice}", f"nodes missing from the tour: {missing}"]
    yield tour[:-1], [f"tour has {n - 1} nodes, expected {n}", f"nodes missing from the tour: {tour[-1]}"]
    yield tour + [tour[0]], [f"tour has {n + 1} nodes, expected {n}", f"nodes visited more than once: {tour[0]}"]
    yield [v + 1 for v in tour], [f"tour contains {n}, not nodes (0..{n - 1})"]  # out of range
    yield None, ["tour must be a list of integers, got NoneType"]
    yield [0.5] + tour[1:], ["tour[0] is 0.5, not an integer"]


@pytest.mark.parametrize("instance", ["tsp/berlin52.tsp", "tsp/burma14.tsp"])
def test_broken_tours_always_fail(instance):
    problem, result = solved(instance)
    for tour, expected in broken_tours(list(result.solution)):
        assert_fails_with(claim(problem, result, tour), expected)


def test_wrong_objective_claim_fails():
    problem, result = solved("tsp/burma14.tsp")
    assert result.objective == 3323  # burma14's known optimum (tsp/optima.csv)
    checked = claim(problem, result, result.solution, objective=3322)
    assert_fails_with(checked, ["solver reported objective 3322, recomputed 3323"])


def test_right_objective_claim_passes():
    problem, result = solved("tsp/burma14.tsp")
    checked = claim(problem, result, result.solution, objective=3323, bound=3323)
    assert checked.status == om.Status.OPTIMAL and checked.certificate.messages == []


# ---- job shop --------------------------------------------------------------------------------------
def shifted_schedules(starts: list[list[int]], problem):
    """(schedule whose op k starts with its predecessor, the precedence line that must fire)."""
    rng = random.Random(2)
    for _ in range(30):
        s = [list(row) for row in starts]
        j = rng.randrange(len(s))
        k = rng.randrange(1, len(s[j]))
        s[j][k] = s[j][k - 1]  # starts with its predecessor: precedence broken
        end = s[j][k - 1] + problem.jobs[j][k - 1][1]
        yield s, f"job {j} op {k} starts at {s[j][k]} before job {j} op {k - 1} ends at {end}"


def overlapping_schedule(starts: list[list[int]], problem):
    """The schedule with one operation moved onto the start of another on the same machine,
    and the overlap line that must fire."""
    machine = problem.jobs[0][0][0]
    (j1, k1), (j2, k2) = [(j, k) for j, ops in enumerate(problem.jobs) for k, (m, _) in enumerate(ops) if m == machine][
        :2
    ]
    s = [list(row) for row in starts]
    s[j2][k2] = s[j1][k1]
    t = s[j1][k1]
    end1, end2 = t + problem.jobs[j1][k1][1], t + problem.jobs[j2][k2][1]
    a, b = ((j1, k1, end1), (j2, k2, end2)) if end1 <= end2 else ((j2, k2, end2), (j1, k1, end1))
    line = f"machine {machine}: job {a[0]} op {a[1]} [{t}, {a[2]}) overlaps job {b[0]} op {b[1]} [{t}, {b[2]})"
    return s, line


def test_corrupted_schedules_always_fail():
    problem, result = solved("jobshop/ft06.txt")
    for starts, line in shifted_schedules(result.solution, problem):
        assert_fails_naming(claim(problem, result, starts), line)


@pytest.mark.parametrize("instance", ["jobshop/ft06.txt", "jobshop/la01.txt"])
def test_overlap_is_named(instance):
    problem, result = solved(instance)
    starts, line = overlapping_schedule(result.solution, problem)
    assert_fails_naming(claim(problem, result, starts), line)


def test_negative_start_and_unreadable_schedules_fail():
    problem, result = solved("jobshop/ft06.txt")
    s = [[t + 1 for t in row] for row in result.solution]  # a valid schedule, one later
    s[0][0] = -1
    assert_fails_naming(claim(problem, result, s), "job 0 op 0 starts at -1 < 0")
    assert_fails_with(claim(problem, result, result.solution[:-1]), ["starts has 5 jobs, expected 6"])
    short = [row[:-1] if j == 2 else row for j, row in enumerate(result.solution)]
    assert_fails_with(claim(problem, result, short), ["starts[2] has 5 operations, expected 6"])


# ---- knapsack --------------------------------------------------------------------------------------
def test_knapsack_over_capacity_fails():
    problem, result = solved("knapsack/uncorrelated_50.kp")
    missing = sorted(set(range(problem.size)) - set(result.solution))
    chosen = sorted(result.solution + missing[:5])
    weight = sum(float(problem.weights[i]) for i in chosen)
    assert weight > problem.capacity  # the corruption really is over capacity, and nothing else
    checked = claim(problem, result, chosen)
    assert_fails_with(checked, [f"total weight {weight:g} is more than the capacity {problem.capacity:g}"])


def test_knapsack_duplicate_and_unknown_items_fail():
    problem, result = solved("knapsack/uncorrelated_50.kp")
    light = min(range(problem.size), key=lambda i: float(problem.weights[i]))
    base = [i for i in result.solution if i != light][:3]  # well within capacity even doubled
    assert 2 * sum(float(problem.weights[i]) for i in base + [light]) <= problem.capacity
    assert_fails_with(claim(problem, result, sorted(base + [light, light])), [f"items chosen more than once: {light}"])
    n = problem.size
    assert_fails_with(claim(problem, result, base + [n]), [f"items {n} are not item indices (0..{n - 1})"])


# ---- CVRP ------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def p16():
    read = om.read(BENCHDATA / "cvrp" / "P-n16-k8.vrp")
    problem = om.CVRP(
        read.distances,
        read.demands,
        read.capacity,
        depot=read.depot,
        num_vehicles=8,
        coords=read.coords,
        name=read.name,
    )  # the k8 of its name: at most 8 routes
    result = om.solve(problem, solver="cpsat", time_limit=30)
    assert result.certificate.passed and result.objective == 450  # known optimum (cvrp/optima.csv)
    return problem, result


def load(problem, route) -> float:
    return sum(float(problem.demands[v]) for v in route)


def test_cvrp_over_capacity_route_fails(p16):
    """Two routes merged into one: every customer still once, routes still implicitly from and
    back to the depot, one vehicle fewer; only the capacity is broken."""
    problem, result = p16
    routes = [list(r) for r in result.solution if r]
    pairs = [
        (a, b)
        for a in range(len(routes))
        for b in range(a + 1, len(routes))
        if load(problem, routes[a] + routes[b]) > problem.capacity
    ]
    assert pairs, "some two routes together exceed the capacity"
    a, b = pairs[0]
    merged = [routes[a] + routes[b]] + [r for k, r in enumerate(routes) if k not in (a, b)]
    assert sorted(v for r in merged for v in r) == sorted(problem.customers.tolist())
    assert len(merged) <= problem.num_vehicles and all(problem.depot not in r for r in merged)
    carried = load(problem, merged[0])
    checked = claim(problem, result, merged)
    assert_fails_with(checked, [f"route 0 carries {carried:g}, more than the capacity {problem.capacity:g}"])


def test_cvrp_too_many_routes_fails(p16):
    problem, result = p16
    routes = [list(r) for r in result.solution if r]
    k = next(k for k, r in enumerate(routes) if len(r) >= 2)
    split = routes[:k] + [routes[k][:1], routes[k][1:]] + routes[k + 1 :]  # same customers, one route more
    assert len(split) > problem.num_vehicles
    assert_fails_with(
        claim(problem, result, split), [f"{len(split)} routes, more than the {problem.num_vehicles} vehicles"]
    )


def test_cvrp_missing_repeated_and_depot_visits_fail(p16):
    problem, result = p16
    routes = [list(r) for r in result.solution if r]
    k = next(k for k, r in enumerate(routes) if len(r) >= 2)
    dropped = routes[k][-1]
    short = [r[:-1] if i == k else r for i, r in enumerate(routes)]
    assert_fails_with(claim(problem, result, short), [f"customers not visited: {dropped}"])
    v, k = next(
        (v, k)
        for v in problem.customers.tolist()
        for k, r in enumerate(routes)
        if v not in r and load(problem, r + [v]) <= problem.capacity
    )
    twice = [r + [v] if i == k else r for i, r in enumerate(routes)]  # within capacity, fleet unchanged
    assert_fails_with(claim(problem, result, twice), [f"customers visited more than once: {v}"])
    depot = [[problem.depot] + routes[0]] + routes[1:]
    assert_fails_with(
        claim(problem, result, depot), [f"route 0 visits the depot {problem.depot} (routes list customers only)"]
    )


# ---- bounds on the wrong side ----------------------------------------------------------------------
BOUND_CASES = [  # instance, solver, sense
    ("tsp/burma14.tsp", "auto", "min"),
    ("jobshop/ft06.txt", "auto", "min"),
    ("cvrp/P-n16-k8.vrp", "cpsat", "min"),
    ("knapsack/uncorrelated_50.kp", "auto", "max"),
]


@pytest.mark.parametrize("instance, solver, sense", BOUND_CASES, ids=[c[0].split("/")[1] for c in BOUND_CASES])
def test_bound_on_the_wrong_side_fails(instance, solver, sense):
    problem, result = solved(instance, solver)
    assert problem.sense == sense
    objective = problem.evaluate(result.solution)
    wrong = objective + 1 if sense == "min" else objective - 1  # claims the optimum is beyond the answer
    checked = claim(problem, result, result.solution, objective=objective, bound=wrong)
    assert_fails_with(checked, [f"bound {wrong:.10g} is on the wrong side of objective {objective:.10g}"])


@pytest.mark.parametrize("instance, solver, sense", BOUND_CASES, ids=[c[0].split("/")[1] for c in BOUND_CASES])
def test_bound_on_the_right_side_passes(instance, solver, sense):
    problem, result = solved(instance, solver)
    objective = problem.evaluate(result.solution)
    right = objective - 1 if sense == "min" else objective + 1
    checked = claim(problem, result, result.solution, objective=objective, bound=right)
    assert checked.certificate.verdict == "pass" and checked.certificate.messages == []
    assert checked.status != om.Status.ERROR and checked.objective == objective
