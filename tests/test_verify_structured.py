"""The verifier catches deliberately corrupted structured answers every time, and a solver
claiming "optimal" for a broken answer is reported as an error."""

from __future__ import annotations

import copy
import random

import pytest

import omnisolve as om
from omnisolve.verify import verify

from conftest import BENCHDATA


def solved(path: str) -> tuple[object, om.Result]:
    problem = om.read(BENCHDATA / path)
    result = om.solve(problem, time_limit=30)
    assert result.status == om.Status.OPTIMAL and result.certificate.passed
    return problem, result


def corrupt_and_verify(problem, result, solution) -> om.Result:
    bad = copy.copy(result)
    bad.status, bad.solution, bad.certificate = om.Status.OPTIMAL, solution, None
    return verify(problem, bad)


def broken_tours(tour: list[int]):
    rng = random.Random(1)
    for _ in range(20):
        t = list(tour)
        i, j = rng.sample(range(len(t)), 2)
        t[i] = t[j]  # duplicate node, one missing
        yield t
    yield tour[:-1]
    yield tour + [tour[0]]
    yield [n + 1 for n in tour]  # out of range
    yield None


def shifted_schedules(starts: list[list[int]], problem):
    rng = random.Random(2)
    for _ in range(30):
        s = [list(row) for row in starts]
        j = rng.randrange(len(s))
        k = rng.randrange(1, len(s[j]))
        s[j][k] = s[j][k - 1]  # starts with its predecessor: precedence broken
        yield s
    # move an operation onto the start of another operation on the same machine: overlap
    (j1, k1), (j2, k2) = [
        (j, k) for j, ops in enumerate(problem.jobs) for k, (m, _) in enumerate(ops) if m == problem.jobs[0][0][0]
    ][:2]
    s = [list(row) for row in starts]
    s[j2][k2] = s[j1][k1]
    yield s


@pytest.mark.parametrize("instance", ["tsp/berlin52.tsp", "tsp/burma14.tsp"])
def test_broken_tours_always_fail(instance):
    problem, result = solved(instance)
    for tour in broken_tours(result.solution):
        checked = corrupt_and_verify(problem, result, tour)
        assert checked.status == om.Status.ERROR and checked.certificate.verdict == "fail"
        assert "verification failed (solver claimed optimal)" in checked.message


def test_corrupted_schedules_always_fail():
    problem, result = solved("jobshop/ft06.txt")
    for starts in shifted_schedules(result.solution, problem):
        checked = corrupt_and_verify(problem, result, starts)
        assert checked.status == om.Status.ERROR, starts


def test_overlap_is_named():
    problem, result = solved("jobshop/la01.txt")
    starts = list(shifted_schedules(result.solution, problem))[-1]
    checked = corrupt_and_verify(problem, result, starts)
    assert any("overlap" in m for m in checked.certificate.messages)


def test_wrong_objective_claim_fails():
    problem, result = solved("tsp/burma14.tsp")
    bad = copy.copy(result)
    bad.objective, bad.certificate = result.objective - 1, None
    assert verify(problem, bad).status == om.Status.ERROR


def test_knapsack_over_capacity_fails():
    problem, result = solved("knapsack/uncorrelated_50.kp")
    missing = sorted(set(range(problem.size)) - set(result.solution))
    checked = corrupt_and_verify(problem, result, sorted(result.solution + missing[:5]))
    assert checked.status == om.Status.ERROR
    assert any("capacity" in m for m in checked.certificate.messages)


def test_cvrp_over_capacity_route_fails():
    problem = om.read(BENCHDATA / "cvrp" / "P-n16-k8.vrp")
    result = om.solve(problem, solver="cpsat", time_limit=30)
    assert result.certificate.passed
    merged = [result.solution[0] + result.solution[1]] + result.solution[2:]
    checked = corrupt_and_verify(problem, result, merged)
    assert checked.status == om.Status.ERROR
