"""TSPs of any size: distances computed from coordinates on demand (the matrix's numbers on every
TSPLIB file), no matrix past `MATRIX_NODES` (backends that need one refuse in one line, auto
picks tsp-ils, features, JSON and pictures do without), and tsp-ils on 20,000 nodes within a
memory limit and the time limit."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

import omnisolve as om
from conftest import BENCHDATA, OVERRUN, grace
from omnisolve.algorithms import tsp_construction, tsp_kernels, tsp_metric
from omnisolve.algorithms import tsp_local_search as ls
from omnisolve.errors import UnsupportedError
from omnisolve.io import read, write
from omnisolve.io.tsplib import read_tsp
from omnisolve.portfolio import choice, rules
from omnisolve.problems import TSP, tsp
from omnisolve.problems.coordinate_metric import coordinate_distances, pair_distances
from omnisolve.result import Status
from omnisolve.service.pictures import solution_figure
from omnisolve.solvers import registry

DATA = Path(om.__file__).parent / "data"
TSPLIB = [*sorted((BENCHDATA / "tsp").glob("*.tsp")), DATA / "berlin52.tsp"]
MATRIX_BACKENDS = ["cpsat", "tsp-dfj", "highs", "scip", "ortools-routing"]


@pytest.fixture(scope="module", autouse=True)
def warm_numba() -> None:
    tsp_kernels.warm_up()


@pytest.fixture
def small_matrix_limit(monkeypatch: pytest.MonkeyPatch) -> int:
    """`MATRIX_NODES` lowered to 50, so "large" instances are quick to build."""
    monkeypatch.setattr(tsp, "MATRIX_NODES", 50)
    return 50


def random_tsp(n: int, seed: int = 0, kind: str = "EUC_2D") -> TSP:
    xy = np.random.default_rng(seed).integers(0, 1_000_000, size=(n, 2)).astype(float)
    return TSP(coords=xy, edge_weight_type=kind, name=f"random{n}")


@pytest.mark.parametrize("path", TSPLIB, ids=lambda p: p.stem)
def test_distances_on_demand_are_the_matrix_entries(path: Path) -> None:
    problem = read_tsp(path)
    if not problem.computed:
        pytest.skip(f"{problem.edge_weight_type} weights: the matrix is the data")
    n, kind = problem.n, problem.edge_weight_type
    matrix = coordinate_distances(problem.coords, kind)
    a, b = np.divmod(np.arange(n * n), n)
    assert np.array_equal(pair_distances(problem.coords, kind, a, b), matrix.ravel())
    m = tsp_metric.metric_of(problem)  # the kernels' on-demand distances, scaled by a power of two
    assert np.array_equal(tsp_metric.pair_lengths(m, a, b) / m[3], matrix.ravel())
    tour = np.random.default_rng(0).permutation(n).tolist()
    assert problem.evaluate(tour) == TSP(matrix).evaluate(tour)
    assert np.array_equal(problem.distances, matrix)  # built on first use below MATRIX_NODES


def test_the_matrix_is_refused_past_matrix_nodes(small_matrix_limit: int) -> None:
    assert random_tsp(small_matrix_limit).distances.shape == (50, 50)
    big = random_tsp(small_matrix_limit + 1)
    with pytest.raises(UnsupportedError, match=r"51 nodes does not hold \(at most 50; .*\); use tsp-ils"):
        big.distances  # noqa: B018 (the property raises)
    tour = list(range(big.n))
    assert big.evaluate(tour) == TSP(coordinate_distances(big.coords, "EUC_2D")).evaluate(tour)
    assert big.symmetric and big.check(tour) == []


def test_backends_needing_the_matrix_refuse_in_one_line_and_auto_picks_tsp_ils(small_matrix_limit: int) -> None:
    big = random_tsp(60)
    for name in MATRIX_BACKENDS:
        backend = registry.get(name)
        if backend.available():
            reason = backend.unsupported_reason(big)
            assert reason is not None and "\n" not in reason and "distance matrix" in reason, (name, reason)
    assert registry.get("tsp-ils").unsupported_reason(big) is None
    assert rules.choose(big).name == "tsp-ils"
    assert choice.choose(big).ranked == ["tsp-ils"]
    assert choice.choose(big, selector=None).ranked == ["tsp-ils"]
    with pytest.raises(UnsupportedError, match="distance matrix"):
        om.solve(big, solver="tsp-dfj", time_limit=1)


def test_lkh_takes_coordinates_at_any_size_and_refuses_a_large_matrix(
    small_matrix_limit: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past `lkh.LARGE` nodes (lowered to 40 here) LKH reads the coordinates itself (Delaunay
    candidates, no ascent): a certified tour within the limit; an explicit matrix that large is
    refused in one line."""
    from omnisolve.solvers import lkh

    monkeypatch.setattr(lkh, "LARGE", 40)
    big = random_tsp(60)
    assert registry.get("lkh").unsupported_reason(big) is None
    result = om.solve(big, solver="lkh", time_limit=5)
    assert result.status == Status.FEASIBLE and result.certificate.passed
    assert sorted(result.solution) == list(range(60))
    matrix = TSP(coordinate_distances(big.coords, "EUC_2D"))
    reason = registry.get("lkh").unsupported_reason(matrix)
    only = "only as EUC_2D, CEIL_2D, ATT, GEO coordinates, not as EXPLICIT distances (60 nodes)"
    assert reason == f"takes a TSP of 40 nodes or more {only}"


def test_features_past_matrix_nodes_come_from_coordinates(monkeypatch: pytest.MonkeyPatch) -> None:
    exact = random_tsp(1500, seed=4).features()
    monkeypatch.setattr(tsp, "MATRIX_NODES", 100)
    big = random_tsp(1500, seed=4)
    sampled = big.features()
    assert sampled.keys() == exact.keys()
    for key in ("nn_dist_mean", "nn_dist_std", "nn_dist_min", "nn_dist_max", "num_nodes", "symmetric", "asymmetry"):
        assert sampled[key] == exact[key], key  # every node's nearest neighbour, exactly
    for key in ("dist_mean", "dist_std", "nn_to_mean_dist"):
        assert sampled[key] == pytest.approx(exact[key], rel=0.02), key  # from random pairs
    with pytest.raises(UnsupportedError):
        big.distances  # noqa: B018 (never built)


@pytest.mark.parametrize("kind", ["ATT", "GEO"])
def test_json_keeps_coordinates_and_rule_without_a_matrix(small_matrix_limit: int, tmp_path: Path, kind: str) -> None:
    problem = random_tsp(80, kind=kind)
    problem = TSP(coords=problem.coords / 20_000, edge_weight_type=kind, name="big")  # GEO: degrees.minutes
    write(problem, tmp_path / "big.json")
    doc = json.loads((tmp_path / "big.json").read_text())
    assert doc["edge_weight_type"] == kind and "distances" not in doc
    back = read(tmp_path / "big.json")
    tour = np.random.default_rng(1).permutation(80).tolist()
    assert isinstance(back, TSP) and back.computed and back.evaluate(tour) == problem.evaluate(tour)


def test_a_10000_node_tour_is_drawn_by_webgl_from_the_coordinates() -> None:
    problem = random_tsp(10_000)  # past MATRIX_NODES: anything asking for the matrix would raise
    tour = np.lexsort(problem.coords.T).tolist()
    fig = solution_figure(problem, {"solution": tour})
    (path,) = [t for t in fig["data"] if t["name"] == "tour"]
    assert path["type"] == "scattergl" and len(path["x"]) == 10_001
    assert f"length {problem.evaluate(tour):g}" in fig["layout"]["title"]["text"]


@pytest.mark.parametrize("n", [2, 3, 7, 300])
def test_greedy_tour_is_a_tour_even_with_duplicate_points(n: int) -> None:
    xy = np.random.default_rng(n).integers(0, 4, size=(n, 2)).astype(float)  # many points coincide
    problem = TSP(coords=xy, edge_weight_type="EUC_2D")
    m = tsp_metric.metric_of(problem)
    tour = tsp_construction.greedy_tour(m, tsp_metric.candidates(problem, m, 10))
    assert sorted(tour.tolist()) == list(range(n))


def test_ils_undoes_rejected_rounds_and_keeps_the_length_exact() -> None:
    problem = random_tsp(400, seed=2)
    m = tsp_metric.metric_of(problem)
    neigh = tsp_metric.candidates(problem, m, 10)
    search = ls.new_search(tsp_construction.greedy_tour(m, neigh))
    ls.local_search(m, neigh, search, -1, True)
    length = np.array([tsp_metric.tour_length(m, search[0])])
    start = length[0]
    ls.ils(m, neigh, search, length, 3000, 50, True, 0)
    tour = search[0]
    assert sorted(tour.tolist()) == list(range(400)) and np.array_equal(search[1][tour], np.arange(400))
    assert length[0] / m[3] == problem.tour_length(tour) < start / m[3]


CHILD = """
import json, resource, sys
limit = {memory}
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
import numpy as np
import omnisolve as om
from omnisolve.problems import TSP
xy = np.random.default_rng(12).integers(0, 1_000_000, size=({n}, 2)).astype(float)
problem = TSP(coords=xy, edge_weight_type="EUC_2D", name="random{n}")
result = om.solve(problem, time_limit={seconds}, threads=1)
print(json.dumps({{"solver": result.solver, "status": result.status.value, "runtime": result.runtime,
    "passed": result.certificate.passed, "objective": result.objective, "tour": result.solution}}))
"""


def test_tsp_ils_solves_20000_nodes_in_a_child_within_1_5_gb() -> None:
    n, seconds = 20_000, 3.0
    code = textwrap.dedent(CHILD.format(memory=int(1.5 * 1024**3), n=n, seconds=seconds))
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result["solver"] == "tsp-ils" and result["status"] == "feasible" and result["passed"]
    assert result["runtime"] < seconds + grace(OVERRUN)
    assert sorted(result["tour"]) == list(range(n))
    problem = random_tsp(n, seed=12)
    assert problem.evaluate(result["tour"]) == result["objective"]
