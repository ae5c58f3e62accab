"""Solution pictures and progress charts of the service, drawn from real solves of bundled and
benchmark instances: the figures must show exactly the solution (every operation, every node,
every route) and stay plain JSON."""

import json
from pathlib import Path

import numpy as np
import pytest

import omnisolve as om
from conftest import BENCHDATA
from omnisolve.api import load
from omnisolve.problems import CVRP, TSP, Knapsack
from omnisolve.service import pictures
from omnisolve.service.pictures import classical_mds, progress_figure, solution_figure

DATA = Path(om.__file__).parent / "data"


def solved(problem, solver: str, seconds: float = 5.0) -> dict:
    result = om.solve(problem, solver=solver, time_limit=seconds)
    assert result.certificate.verdict == "pass", result.message
    return result.to_dict()


def traces(fig: dict, kind: str) -> list[dict]:
    return [t for t in fig["data"] if t["type"] == kind]


def path_length(xs: list[float], ys: list[float], rounded: bool = False) -> float:
    steps = np.hypot(np.diff(xs), np.diff(ys))
    return float((np.floor(steps + 0.5) if rounded else steps).sum())


def test_jobshop_gantt_has_every_operation_without_overlap() -> None:
    problem = load(DATA / "ft06.txt")
    result = solved(problem, "jobshop-lns")
    assert result["objective"] == 55
    fig = solution_figure(problem, result)
    json.dumps(fig)  # plain JSON
    bars = traces(fig, "bar")
    assert len(bars) == problem.num_jobs
    assert sum(len(b["x"]) for b in bars) == problem.size == 36
    by_machine: dict[str, list[tuple[int, int]]] = {}
    for bar in bars:
        for row, start, duration in zip(bar["y"], bar["base"], bar["x"]):
            by_machine.setdefault(row, []).append((start, start + duration))
    assert len(by_machine) == problem.num_machines
    for spans in by_machine.values():
        spans.sort()
        assert all(end <= next_start for (_, end), (next_start, _) in zip(spans, spans[1:]))
    assert max(end for spans in by_machine.values() for _, end in spans) == 55
    assert fig["layout"]["shapes"][0]["x0"] == 55  # the makespan line
    assert "makespan 55" in fig["layout"]["title"]["text"]


def test_tsp_route_is_the_closed_optimal_tour() -> None:
    problem = load(DATA / "berlin52.tsp")
    result = solved(problem, "lkh")
    assert result["objective"] == 7542
    fig = solution_figure(problem, result)
    (tour,) = [t for t in fig["data"] if t["name"] == "tour"]
    assert len(tour["x"]) == len(tour["y"]) == 53
    assert (tour["x"][0], tour["y"][0]) == (tour["x"][-1], tour["y"][-1])
    assert sorted(tour["customdata"][:-1]) == list(range(52))
    # TSPLIB EUC_2D rounds each edge to the nearest integer: the drawn path has the objective's length.
    assert path_length(tour["x"], tour["y"], rounded=True) == 7542
    assert "MDS" not in fig["layout"]["title"]["text"]


def test_tsp_without_coordinates_gets_an_mds_layout_with_the_right_distances() -> None:
    xy = np.random.default_rng(3).uniform(0, 100, size=(12, 2))
    d = np.sqrt(((xy[:, None] - xy[None]) ** 2).sum(-1))
    problem = TSP(d, name="matrix12")
    result = solved(problem, "lkh")
    fig = solution_figure(problem, result)
    assert "classical MDS" in fig["layout"]["title"]["text"]
    (tour,) = [t for t in fig["data"] if t["name"] == "tour"]
    assert len(tour["x"]) == 13
    # Euclidean distances are reproduced exactly by classical MDS (up to rotation).
    assert path_length(tour["x"], tour["y"]) == pytest.approx(result["objective"], rel=1e-6)
    points = classical_mds(d)
    assert np.allclose(np.sqrt(((points[:, None] - points[None]) ** 2).sum(-1)), d, atol=1e-6)


def test_cvrp_map_has_one_trace_per_route_through_the_depot() -> None:
    path = BENCHDATA / "cvrp" / "A-n32-k5.vrp"
    if not path.exists():
        pytest.skip(f"benchmark instance {path} not present")
    problem = load(path)
    assert isinstance(problem, CVRP)
    result = solved(problem, "pyvrp", seconds=2.0)
    fig = solution_figure(problem, result)
    routes = [t for t in fig["data"] if t["name"].startswith("route")]
    assert len(routes) == len([r for r in result["solution"] if r])
    depot = tuple(problem.coords[problem.depot])
    assert all((r["x"][0], r["y"][0]) == depot == (r["x"][-1], r["y"][-1]) for r in routes)
    visited = sorted(v for r in routes for v in r["customdata"][1:-1])
    assert visited == problem.customers.tolist()
    assert [t["name"] for t in fig["data"]].count("depot") == 1


def test_knapsack_bars_show_the_chosen_items() -> None:
    problem = Knapsack([10, 7, 5, 2], [4, 3, 2, 1], capacity=6, name="tiny")
    result = solved(problem, "knapsack-dp")
    assert result["objective"] == 15  # only items 0 and 2 reach 15 (weight 6)
    fig = solution_figure(problem, result)
    values, weights = traces(fig, "bar")
    assert values["x"] == ["item 0", "item 2"] and values["y"] == [10, 5] and weights["y"] == [4, 2]
    assert "2 of 4 items chosen, value 15" in fig["layout"]["title"]["text"]


def test_milp_table_lists_the_nonzero_values() -> None:
    problem = load(DATA / "egout.mps")
    result = solved(problem, "highs")
    assert result["objective"] == pytest.approx(568.1007, rel=1e-6)
    fig = solution_figure(problem, result)
    (table,) = traces(fig, "table")
    names, cells = table["cells"]["values"]
    nonzero = [i for i, v in enumerate(result["values"]) if abs(v) > 1e-9]
    assert names == [problem.var_names[i] for i in nonzero]
    assert [float(c) for c in cells] == pytest.approx([result["values"][i] for i in nonzero])
    assert f"{len(nonzero)} non-zero of {problem.num_variables} variables" in fig["layout"]["title"]["text"]


def test_large_tables_say_they_are_truncated(monkeypatch: pytest.MonkeyPatch) -> None:
    problem = load(DATA / "egout.mps")
    everything = {"values": [1.0] * problem.num_variables}
    (table,) = traces(solution_figure(problem, everything), "table")
    assert len(table["cells"]["values"][0]) == problem.num_variables  # 141 <= 200: all shown
    monkeypatch.setattr(pictures, "MAX_ROWS", 50)
    fig = solution_figure(problem, everything)
    assert len(traces(fig, "table")[0]["cells"]["values"][0]) == 50
    assert "(first 50 rows shown)" in fig["layout"]["title"]["text"]


def test_no_solution_no_picture() -> None:
    problem = load(DATA / "ft06.txt")
    assert solution_figure(problem, {"status": "time_limit", "solution": None, "values": None}) is None
    assert solution_figure(object(), {"solution": [1, 2]}) is None


def test_invalid_solutions_are_not_drawn() -> None:
    tsp = load(DATA / "berlin52.tsp")
    assert solution_figure(tsp, {"solution": [0, 1, 99]}) is None
    assert solution_figure(load(DATA / "ft06.txt"), {"solution": [[0] * 6] * 6}) is None  # overlaps
    egout = load(DATA / "egout.mps")
    assert solution_figure(egout, {"values": [1.0] * (egout.num_variables + 1)}) is None


def test_progress_figure_draws_incumbent_steps_and_bound() -> None:
    trace = [[0.1, 60.0, None], [0.5, 57.0, 40.0], [1.5, 55.0, 55.0]]
    fig = progress_figure(trace, sense="min")
    json.dumps(fig)
    incumbent, bound = fig["data"]
    assert (incumbent["name"], bound["name"]) == ("incumbent", "bound")
    assert incumbent["x"] == [0.1, 0.5, 1.5] and incumbent["y"] == [60.0, 57.0, 55.0]
    assert bound["x"] == [0.5, 1.5] and bound["y"] == [40.0, 55.0]
    assert incumbent["line"]["shape"] == "hv"
    assert progress_figure([], "min") is None
    assert progress_figure([[0.2, None, None]], "max") is None


def test_progress_figure_of_a_real_solve() -> None:
    result = solved(load(DATA / "ft06.txt"), "jobshop-lns")
    fig = progress_figure(result["trace"], "min")
    incumbent = fig["data"][0]
    assert incumbent["y"][-1] == result["objective"] >= 55  # the figure ends at the answer (55 is optimal)
    assert incumbent["y"] == sorted(incumbent["y"], reverse=True)  # minimizing: never worse
