"""tsp-dfj and tsp-dfj-scip, the exact symmetric TSP backends (DFJ subtour cuts on HiGHS, in
rounds; and on SCIP, as lazy constraints): TSPLIB optima proven with certified tours, a time
limit honoured with a valid bound, refusals, a start tour, and their use as witnesses: tsp-dfj
proves CP-SAT's TSP optima, tsp-dfj-scip tsp-dfj's."""

import itertools

import numpy as np
import pytest

import omnisolve as om
from conftest import BENCHDATA, OVERRUN, grace
from omnisolve.errors import UnsupportedError
from omnisolve.io import read
from omnisolve.limits import Limits, Tracker
from omnisolve.problems import TSP, Knapsack
from omnisolve.result import Status
from omnisolve.solvers.tsp_dfj import TspDfjSolver, patch, stoer_wagner_cuts
from omnisolve.solvers.tsp_dfj_scip import TspDfjScipSolver
from omnisolve.verify import certify

TSP_DIR = BENCHDATA / "tsp"
BOTH = pytest.mark.parametrize("solver", [TspDfjSolver, TspDfjScipSolver], ids=["highs", "scip"])


def optima() -> dict[str, float]:
    rows = (line.split(",") for line in (TSP_DIR / "optima.csv").read_text().splitlines()[1:] if line)
    return {row[0]: float(row[2]) for row in rows}


@BOTH
@pytest.mark.parametrize("name", ["burma14", "ulysses22", "att48", "berlin52", "eil51", "st70"])
def test_proves_tsplib_optima(solver: type, name: str) -> None:
    problem = read(TSP_DIR / f"{name}.tsp")
    result = solver().solve(problem, Limits(time=20))
    assert result.status == Status.OPTIMAL, result.log
    assert certify(problem, result).passed
    assert result.objective == optima()[name] == problem.evaluate(result.solution)
    assert result.bound == result.objective
    assert result.solution[0] == 0 and sorted(result.solution) == list(range(problem.n))
    assert result.runtime < 20


def test_time_limit_gives_a_certified_tour_and_a_valid_bound() -> None:
    problem = read(TSP_DIR / "kroA200.tsp")
    result = TspDfjSolver().solve(problem, Limits(time=1.0))
    assert result.status in (Status.FEASIBLE, Status.OPTIMAL)
    assert certify(problem, result).passed
    assert result.objective >= optima()["kroA200"]
    # a bound once its first LP round ended (within 1 s unless the machine is loaded): a true one
    assert result.bound is not None or "0 subtour cuts" in result.log, result.log
    assert result.bound is None or result.bound <= optima()["kroA200"]
    assert result.runtime < 1.0 + grace(OVERRUN)
    assert result.trace and result.trace[-1][1] == result.objective


@BOTH
def test_fractional_distances_match_brute_force(solver: type) -> None:
    xy = np.random.default_rng(7).uniform(0, 100, size=(9, 2))
    d = np.sqrt(((xy[:, None] - xy[None]) ** 2).sum(-1))
    problem = TSP(d, xy)
    best = min(problem.evaluate([0, *p]) for p in itertools.permutations(range(1, 9)))
    result = solver().solve(problem, Limits(time=10))
    assert result.status == Status.OPTIMAL and certify(problem, result).passed
    assert result.objective == pytest.approx(best, rel=1e-9)
    assert result.bound == pytest.approx(best, rel=1e-6) and result.bound <= result.objective + 1e-9


@BOTH
@pytest.mark.parametrize("n", [2, 3, 4])
def test_tiny_instances(solver: type, n: int) -> None:
    d = np.arange(n * n, dtype=float).reshape(n, n)
    problem = TSP(d + d.T)
    result = solver().solve(problem, Limits(time=5))
    assert result.status == Status.OPTIMAL and certify(problem, result).passed
    best = min(problem.evaluate([0, *p]) for p in itertools.permutations(range(1, n)))
    assert result.bound == result.objective == best


@BOTH
def test_refuses_asymmetric_and_other_problems(solver: type) -> None:
    d = np.array([[0, 1, 5], [2, 0, 1], [1, 7, 0]], dtype=float)
    assert "symmetric" in solver().unsupported_reason(TSP(d))
    with pytest.raises(UnsupportedError):
        om.solve(TSP(d), solver=solver.name, time_limit=5)
    reason = solver().unsupported_reason(Knapsack([3, 4], [2, 3], 4))
    assert reason and "\n" not in reason


def test_stoer_wagner_finds_the_light_cut_and_patch_joins_cycles() -> None:
    # two triangles of weight-1 edges joined by one edge of weight 0.5
    W = np.zeros((6, 6))
    for i, j in [(0, 1), (1, 2), (0, 2), (3, 4), (4, 5), (3, 5)]:
        W[i, j] = W[j, i] = 1.0
    W[2, 3] = W[3, 2] = 0.5

    cuts = stoer_wagner_cuts(W, 1.0, Tracker())
    assert any(sorted(c) in ([0, 1, 2], [3, 4, 5]) for c in cuts)
    xy = np.random.default_rng(1).uniform(0, 10, size=(7, 2))
    d = np.sqrt(((xy[:, None] - xy[None]) ** 2).sum(-1))
    tour = patch(d, [[0, 1, 2], [3, 4], [5, 6]])
    assert sorted(tour.tolist()) == list(range(7))


def test_proves_cpsat_optimum_as_witness() -> None:
    result = om.solve(TSP_DIR / "berlin52.tsp", solver="cpsat", time_limit=30)
    assert result.status == Status.OPTIMAL and result.objective == 7542
    assert result.optimality.value == "proven"
    assert "tsp-dfj" in result.certificate.evidence


def test_scip_starts_from_the_tour_given_and_ignores_anything_else() -> None:
    problem = read(TSP_DIR / "st70.tsp")
    seen: list[float] = []
    given = list(range(problem.n))  # the identity tour, far from the optimum 675
    result = TspDfjScipSolver().solve(problem, Limits(time=20, start=given), lambda t, o, b: seen.append(o))
    assert seen[0] == problem.evaluate(given) > 675
    assert result.status == Status.OPTIMAL and result.objective == 675 == result.bound
    for wrong in ([0, 0, 1], "tour", [[1, 2]]):  # not a permutation of the nodes: its own start instead
        result = TspDfjScipSolver().solve(problem, Limits(time=20, start=wrong))
        assert result.status == Status.OPTIMAL and result.objective == 675


def test_scip_time_limit_gives_a_certified_tour_and_a_valid_bound() -> None:
    problem = read(TSP_DIR / "kroA200.tsp")
    result = TspDfjScipSolver().solve(problem, Limits(time=1.0))
    assert result.status == Status.FEASIBLE and "time limit" in result.message
    assert certify(problem, result).passed and result.objective >= optima()["kroA200"]
    assert result.bound is None or result.bound <= optima()["kroA200"]
    assert result.runtime < 1.0 + grace(OVERRUN)


def test_tsp_dfj_claim_is_confirmed_by_scip() -> None:
    """tsp-dfj's MILP proof is HiGHS's alone: kroA100's optimum lies above the subtour (LP)
    bound, so the data cannot prove it, and the SCIP witness confirms it by its own search."""
    result = om.solve(TSP_DIR / "kroA100.tsp", solver="tsp-dfj", time_limit=30)
    assert result.status == Status.OPTIMAL and result.objective == optima()["kroA100"] == 21282
    assert result.optimality.value == "proven"
    assert "tsp-dfj-scip" in result.certificate.evidence


def test_a_race_winners_claim_is_never_confirmed_by_the_winner_itself():
    """The claimant of a race's answer is its winner ("race(tsp-dfj,lkh)->tsp-dfj" is tsp-dfj's
    claim): tsp-dfj must not witness it; tsp-dfj-scip does."""
    from omnisolve.portfolio.crosscheck import witnesses
    from omnisolve.result import Result

    problem = read(TSP_DIR / "berlin52.tsp")
    raced = Result(
        Status.OPTIMAL, objective=7542.0, solver="race(tsp-dfj,lkh)->tsp-dfj", extra={"race": {"winner": "tsp-dfj"}}
    )
    labels = [w.label for w in witnesses(problem, raced)]
    assert "tsp-dfj" not in labels and labels[0] == "tsp-dfj-scip"
    result = om.solve(problem, solver="race:tsp-dfj,tsp-ils", time_limit=20)
    assert result.solver == "race(tsp-dfj,tsp-ils)->tsp-dfj" and result.objective == 7542
    assert result.optimality.value == "proven" and "tsp-dfj-scip" in result.certificate.evidence
    assert all(w["solver"] != "tsp-dfj" for w in result.certificate.witnesses)
