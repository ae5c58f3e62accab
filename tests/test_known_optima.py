"""End to end through `omnisolve.solve` (read, auto choice, solve, certify): the bundled
benchmark instances that the backends close in seconds reproduce their known optima."""

from __future__ import annotations

import csv

import pytest

import omnisolve as om
from conftest import BENCHDATA

# instances each backend proves optimal in a few seconds on 2 cores (measured; see README)
JOBSHOP = ["ft06", "la01", "la02", "la03", "la05", "la06", "la07", "la08", "la10", "la11"]
TSP = ["burma14", "ulysses22", "att48", "berlin52", "eil51", "st70", "eil76", "rat99", "rd100", "lin105", "eil101"]


def optima(folder: str, names: list[str] | None = None) -> list[tuple[str, str, float]]:
    with open(BENCHDATA / folder / "optima.csv") as fh:
        rows = {r["name"]: r for r in csv.DictReader(fh)}
    chosen = names if names is not None else list(rows)
    return [(n, rows[n]["file"], float(rows[n]["optimum"])) for n in chosen]


def assert_certified_optimum(path, optimum: float) -> om.Result:
    result = om.solve(path, time_limit=60, threads=2)
    assert result.status == om.Status.OPTIMAL, result.message
    assert result.certificate.passed and result.certificate.objective == pytest.approx(optimum, rel=1e-6)
    assert result.objective == pytest.approx(optimum, rel=1e-6)
    return result


@pytest.mark.parametrize("name,file,optimum", optima("knapsack"))
def test_knapsack_optima(name, file, optimum):
    assert_certified_optimum(BENCHDATA / "knapsack" / file, optimum)


@pytest.mark.parametrize("name,file,optimum", optima("jobshop", JOBSHOP))
def test_jobshop_optima(name, file, optimum):
    result = assert_certified_optimum(BENCHDATA / "jobshop" / file, optimum)
    assert max(max(s) for s in result.solution) < optimum  # every operation starts before the end


@pytest.mark.parametrize("name,file,optimum", optima("tsp", TSP))
def test_tsp_optima(name, file, optimum):
    result = assert_certified_optimum(BENCHDATA / "tsp" / file, optimum)
    assert sorted(result.solution) == list(range(len(result.solution)))


def test_bundled_demo_instances_are_optimal_and_certified():
    from omnisolve.cli.demo import bundled_instances

    for row in bundled_instances():
        assert_certified_optimum(row["path"], row["optimum"])
