"""Readers and writers: every benchmark file parses, published optimal solutions reproduce
their optima exactly (the proof that distances follow TSPLIB/CVRPLIB), JSON round-trips, and
malformed files fail with the file name and the right line."""

from __future__ import annotations

import csv
import json
import math
import re
import shutil
from pathlib import Path

import numpy as np
import pytest
import vrplib

from conftest import BENCHDATA
from omnisolve.errors import InputError, UnsupportedError
from omnisolve.io import (
    problem_from_dict,
    problem_to_dict,
    read,
    read_cvrp,
    read_cvrp_solution,
    read_jobshop,
    read_tour,
    read_tsp,
    write,
)
from omnisolve.model import Model, ProblemData
from omnisolve.problems import CVRP, TSP, JobShop, Knapsack
from omnisolve.problems.coordinate_metric import coordinate_distances


def optima(folder: str) -> list[dict]:
    with open(BENCHDATA / folder / "optima.csv") as f:
        return list(csv.DictReader(f))


TSP_ROWS = optima("tsp")
CVRP_ROWS = optima("cvrp")


# ---- TSPLIB ----------------------------------------------------------------------------------
def test_every_tsp_file_parses_with_its_size_and_type():
    for row in TSP_ROWS:
        p = read_tsp(BENCHDATA / "tsp" / row["file"])
        assert (p.n, p.edge_weight_type) == (int(row["dimension"]), row["edge_weight_type"]), row["name"]
        assert p.coords.shape == (p.n, 2)


@pytest.mark.parametrize(
    "row", [r for r in TSP_ROWS if (BENCHDATA / "tsp" / f"{r['name']}.opt.tour").exists()], ids=lambda r: r["name"]
)
def test_optimal_tour_has_exactly_the_published_length(row):
    p = read_tsp(BENCHDATA / "tsp" / row["file"])
    tour = read_tour(BENCHDATA / "tsp" / f"{row['name']}.opt.tour")
    assert sorted(tour) == list(range(p.n))
    assert p.evaluate(tour) == float(row["optimum"])


def test_distance_rules_on_hand_computed_pairs():
    pts = np.array([[0.0, 0.0], [3.0, 4.0], [1.0, 1.0], [10.0, 0.0], [1.4, 1.4]])
    assert coordinate_distances(pts, "EUC_2D")[0, 1] == 5 and coordinate_distances(pts, "EUC_2D")[0, 2] == 1
    assert coordinate_distances(pts, "CEIL_2D")[0, 2] == 2
    assert coordinate_distances(pts, "MAN_2D")[0, 4] == 3  # nint(2.8)
    assert coordinate_distances(pts, "MAX_2D")[0, 1] == 4
    assert coordinate_distances(pts, "ATT")[0, 3] == 4  # r = sqrt(10) = 3.16, nint 3 < r -> 4
    assert coordinate_distances(pts, "ATT")[0, 1] == 2  # r = sqrt(2.5) = 1.58 -> nint 2, not below r


def _explicit_file(fmt: str, values: list[float], n: int = 4, kind: str = "TSP") -> str:
    body = "\n".join(" ".join(f"{v:g}" for v in values[k : k + 3]) for k in range(0, len(values), 3))
    return (
        f"NAME : m\nTYPE : {kind}\nDIMENSION : {n}\nEDGE_WEIGHT_TYPE : EXPLICIT\n"
        f"EDGE_WEIGHT_FORMAT : {fmt}\nEDGE_WEIGHT_SECTION\n{body}\nEOF\n"
    )


def _stream(d: np.ndarray, fmt: str) -> list[float]:
    n = len(d)
    pairs = {
        "UPPER_ROW": [(i, j) for i in range(n) for j in range(i + 1, n)],
        "LOWER_ROW": [(i, j) for i in range(n) for j in range(i)],
        "UPPER_DIAG_ROW": [(i, j) for i in range(n) for j in range(i, n)],
        "LOWER_DIAG_ROW": [(i, j) for i in range(n) for j in range(i + 1)],
        "UPPER_COL": [(i, j) for j in range(n) for i in range(j)],
        "LOWER_COL": [(i, j) for j in range(n) for i in range(j + 1, n)],
        "UPPER_DIAG_COL": [(i, j) for j in range(n) for i in range(j + 1)],
        "LOWER_DIAG_COL": [(i, j) for j in range(n) for i in range(j, n)],
    }[fmt]
    return [d[i, j] for i, j in pairs]


@pytest.mark.parametrize(
    "fmt",
    [
        "UPPER_ROW",
        "LOWER_ROW",
        "UPPER_DIAG_ROW",
        "LOWER_DIAG_ROW",
        "UPPER_COL",
        "LOWER_COL",
        "UPPER_DIAG_COL",
        "LOWER_DIAG_COL",
    ],
)
def test_explicit_triangular_formats(tmp_path, fmt):
    d = np.array([[0, 1, 2, 3], [1, 0, 4, 5], [2, 4, 0, 6], [3, 5, 6, 0]], dtype=float)
    path = tmp_path / "m.tsp"
    path.write_text(_explicit_file(fmt, _stream(d, fmt)))
    p = read_tsp(path)
    assert np.array_equal(p.distances, d) and p.edge_weight_type == "EXPLICIT" and p.coords is None


def test_explicit_full_matrix_keeps_asymmetry_and_clears_the_diagonal(tmp_path):
    d = np.arange(16, dtype=float).reshape(4, 4)
    path = tmp_path / "a.atsp"
    path.write_text(_explicit_file("FULL_MATRIX", list(d.ravel()), kind="ATSP"))
    expected = d.copy()
    np.fill_diagonal(expected, 0)
    assert np.array_equal(read(path).distances, expected)


# ---- VRPLIB ----------------------------------------------------------------------------------
@pytest.mark.parametrize("row", CVRP_ROWS, ids=lambda r: r["name"])
def test_every_vrp_file_parses_like_the_vrplib_package(row):
    path = BENCHDATA / "cvrp" / row["file"]
    if row["name"] == "gil262":  # 13 depots: a multi-depot instance
        with pytest.raises(UnsupportedError, match="13 depots"):
            read_cvrp(path)
        return
    p = read_cvrp(path)
    ref = vrplib.read_instance(path)
    assert (p.n, p.capacity, p.num_vehicles) == (int(row["dimension"]), float(row["capacity"]), None)
    assert p.depot == ref["depot"][0] == 0
    assert np.array_equal(p.demands, ref["demand"]) and np.array_equal(p.coords, ref["node_coord"])
    # CVRPLIB rounding, computed here independently of the reader
    xy = p.coords
    for i, j in [(0, 1), (1, p.n - 1), (p.n // 2, 2)]:
        assert p.distances[i, j] == int(math.hypot(*(xy[i] - xy[j])) + 0.5)


@pytest.mark.parametrize(
    "row", [r for r in CVRP_ROWS if (BENCHDATA / "cvrp" / f"{r['name']}.sol").exists()], ids=lambda r: r["name"]
)
def test_published_cvrp_solution_costs_exactly_the_optimum(row):
    k = int(row["max_vehicles"]) if row["max_vehicles"] else None
    p = read_cvrp(BENCHDATA / "cvrp" / row["file"], num_vehicles=k)
    routes = read_cvrp_solution(BENCHDATA / "cvrp" / f"{row['name']}.sol")
    assert routes == vrplib.read_solution(BENCHDATA / "cvrp" / f"{row['name']}.sol")["routes"]
    assert p.check(routes) == []

    def d(a: int, b: int) -> int:  # CVRPLIB's rounding, independent of the reader
        return int(math.hypot(*(p.coords[a] - p.coords[b])) + 0.5)

    cost = sum(d(a, b) for r in routes for a, b in zip([0] + r, r + [0]))
    assert cost == p.evaluate(routes) == float(row["optimum"])


def test_vehicles_entry_sets_the_fleet(tmp_path):
    text = (BENCHDATA / "cvrp" / "P-n16-k8.vrp").read_text().replace("CAPACITY", "VEHICLES : 8\nCAPACITY", 1)
    (tmp_path / "v.vrp").write_text(text)
    assert read_cvrp(tmp_path / "v.vrp").num_vehicles == 8
    assert read_cvrp(tmp_path / "v.vrp", num_vehicles=9).num_vehicles == 9


# ---- job shop and knapsack -------------------------------------------------------------------
def test_every_jobshop_file_has_the_listed_size():
    rows = optima("jobshop")
    assert len(rows) == 152
    for row in rows:
        p = read(BENCHDATA / "jobshop" / row["file"])
        assert isinstance(p, JobShop)
        assert (p.num_jobs, p.num_machines) == (int(row["jobs"]), int(row["machines"])), row["name"]


def test_ft06_operations():
    p = read_jobshop(BENCHDATA / "jobshop" / "ft06.txt")
    assert p.jobs[0][:2] == ((2, 1), (0, 3)) and len(p.jobs) == 6


TAILLARD_LABELED = """Nb of jobs, Nb of Machines, Time seed, Machine seed, Upper bound, Lower bound
 2 3 840612802 398197754 12 10
Times
 5 6 7
 1 2 3
Machines
 3 1 2
 1 2 3
"""
TAILLARD_PLAIN = "2 3\n5 6 7\n1 2 3\n3 1 2\n1 2 3\n"
STANDARD = "# two jobs\n2 3\n2 5 0 6 1 7\n0 1 1 2 2 3\n"


@pytest.mark.parametrize("text", [TAILLARD_LABELED, TAILLARD_PLAIN, STANDARD], ids=["taillard", "plain", "standard"])
def test_jobshop_formats_agree(tmp_path, text):
    (tmp_path / "j.txt").write_text(text)
    assert read(tmp_path / "j.txt").jobs == (((2, 5), (0, 6), (1, 7)), ((0, 1), (1, 2), (2, 3)))


def test_every_knapsack_file_has_the_listed_size():
    rows = optima("knapsack")
    for row in rows:
        p = read(BENCHDATA / "knapsack" / row["file"])
        assert isinstance(p, Knapsack)
        assert (p.size, p.capacity) == (int(row["items"]), float(row["capacity"])), row["name"]


def test_text_writers_round_trip(tmp_path):
    shop = read(BENCHDATA / "jobshop" / "la01.txt")
    write(shop, tmp_path / "la01.jss")
    assert read(tmp_path / "la01.jss").jobs == shop.jobs
    bag = Knapsack(np.array([3.0, 4.5]), np.array([2.0, 1.0]), 2.5, name="k")
    write(bag, tmp_path / "k.kp")
    again = read(tmp_path / "k.kp")
    assert np.array_equal(again.values, bag.values) and np.array_equal(again.weights, bag.weights)
    assert again.capacity == 2.5
    with pytest.raises(UnsupportedError, match="Knapsack"):
        write(shop, tmp_path / "x.kp")
    with pytest.raises(InputError, match="extension"):
        write(shop, tmp_path / "x.csv")


# ---- JSON ------------------------------------------------------------------------------------
def _model() -> ProblemData:
    m = Model("demo")
    x = m.add_variable("x", ub=4)
    y = m.add_variable("y", lb=-2, ub=10, vtype="integer")
    z = m.add_variable("z", vtype="binary")
    w = m.add_variables(3, "w", lb=-np.inf)
    m.add_constraint(3 * x + 2 * y <= 10, name="cap")
    m.add_constraint(x - z == 1, name="balance")
    m.add_range(1, x + y + z, 5, name="range")
    m.add_constraint(w.sum() >= -3.25)
    m.add_constraint(x * x + 2 * x * w[0] + w[2] <= 20, name="disc")
    m.maximize(x + 2 * y - x * x + 0.5 * x * y + 0.1 * w[1] + 3)
    return m.compile()


def _same_data(a: ProblemData, b: ProblemData) -> None:
    for attr in ("lb", "ub", "vtype", "c", "row_lb", "row_ub"):
        assert np.array_equal(getattr(a, attr), getattr(b, attr)), attr
    assert np.array_equal(a.A.toarray(), b.A.toarray())
    assert (a.Q is None and b.Q is None) or np.array_equal(a.Q.toarray(), b.Q.toarray())
    assert (a.sense, a.c0, a.name) == (b.sense, b.c0, b.name)
    assert a.var_names.tolist() == b.var_names.tolist() and a.row_names.tolist() == b.row_names.tolist()
    assert len(a.quadratic_rows) == len(b.quadratic_rows)
    for qa, qb in zip(a.quadratic_rows, b.quadratic_rows):
        assert (qa.name, qa.lb, qa.ub) == (qb.name, qb.lb, qb.ub) and np.array_equal(qa.a, qb.a)
        assert np.array_equal(qa.Q.toarray(), qb.Q.toarray())


def test_json_round_trip_of_a_general_model(tmp_path):
    data = _model()
    write(data, tmp_path / "m.json")
    doc = json.loads((tmp_path / "m.json").read_text())
    assert doc["omnisolve_format"] == "model" and doc["version"] == 1
    assert doc["variables"][3] == {"name": "w[0]", "lb": None}
    assert doc["constraints"][1] == {"name": "balance", "lb": 1, "ub": 1, "coefficients": {"x": 1, "z": -1}}
    again = read(tmp_path / "m.json")
    _same_data(data, again)
    assert again.kind == "MIQCP" and len(again.quadratic_rows) == 1


def test_json_reads_every_coefficient_form_and_infinity_spelling():
    doc = {
        "omnisolve_format": "model",
        "version": 1,
        "variables": [{"name": "a", "lb": "-inf", "ub": "inf"}, {"name": "b", "ub": None}],
        "objective": {"sense": "maximize", "linear": [1, 2], "quadratic": [["b", "a", 1.5], [0, 1, 0.5]]},
        "constraints": [{"coefficients": [["a", 1], [1, -1]], "ub": 3}, {"coefficients": {"b": 2}, "lb": "-inf"}],
    }
    data = problem_from_dict(doc)
    assert data.sense == "max" and data.lb[0] == -np.inf and data.ub[1] == np.inf
    assert data.Q.toarray().tolist() == [[0, 2.0], [0, 0]]
    assert data.A.toarray().tolist() == [[1, -1], [0, 2]] and data.row_names.tolist() == ["c0", "c1"]


def test_duplicate_names_are_written_by_index():
    m = Model()
    x, y = m.add_variable("v"), m.add_variable("v")
    m.add_constraint(x + 2 * y <= 1)
    m.minimize(x)
    doc = problem_to_dict(m)
    assert doc["constraints"][0]["coefficients"] == [[0, 1], [1, 2]]
    _same_data(m.compile(), problem_from_dict(doc))


def test_nonlinear_model_cannot_be_written_as_json():
    m = Model()
    m.add_variables(2)
    m.minimize(lambda v: float(np.sum(v**4)))
    with pytest.raises(UnsupportedError, match="nonlinear"):
        problem_to_dict(m)


def _same_structured(a, b) -> None:
    assert type(a) is type(b)
    for attr in (
        "name",
        "distances",
        "coords",
        "edge_weight_type",
        "demands",
        "capacity",
        "depot",
        "num_vehicles",
        "jobs",
        "values",
        "weights",
    ):
        if hasattr(a, attr):
            left, right = getattr(a, attr), getattr(b, attr)
            assert (left is None and right is None) or np.array_equal(left, right), attr


@pytest.mark.parametrize(
    "source",
    ["tsp/berlin52.tsp", "tsp/ulysses22.tsp", "cvrp/A-n32-k5.vrp", "jobshop/ft06.txt", "knapsack/weakly_50.kp"],
)
def test_json_round_trip_of_structured_problems(tmp_path, source):
    problem = read(BENCHDATA / source)
    write(problem, tmp_path / "p.json")
    doc = json.loads((tmp_path / "p.json").read_text())
    assert doc["version"] == 1 and "distances" not in doc  # coordinates and the rule suffice
    _same_structured(problem, read(tmp_path / "p.json"))


def test_json_round_trip_of_explicit_distances_and_a_fleet():
    rng = np.random.default_rng(1)
    d = rng.integers(1, 50, size=(5, 5)).astype(float)
    np.fill_diagonal(d, 0)
    tsp = TSP(d, name="asym")
    cvrp = CVRP(d, np.array([0, 1, 2, 1, 1.5]), 3, depot=0, num_vehicles=3, coords=rng.random((5, 2)), name="c")
    for problem in (tsp, cvrp):
        doc = problem_to_dict(problem)
        assert doc["edge_weight_type"] == "EXPLICIT" and "distances" in doc
        _same_structured(problem, problem_from_dict(json.loads(json.dumps(doc))))


def test_every_example_in_the_format_document_reads():
    doc = (Path(__file__).resolve().parents[1] / "docs" / "json-format.md").read_text()
    examples = [json.loads(block) for block in re.findall(r"```json\n(.*?)```", doc, re.DOTALL)]
    kinds = [type(problem_from_dict(example)).__name__ for example in examples]
    assert kinds == ["ProblemData", "TSP", "TSP", "CVRP", "JobShop", "Knapsack"]
    assert problem_from_dict(examples[1]).distances[0, 2] == 14  # EUC_2D: nint(14.14)


JSON_ERRORS = [
    ({"version": 1, "variables": []}, "omnisolve_format: missing"),
    (
        {"omnisolve_format": "model", "version": 2, "variables": [{}]},
        "version: 'model' format version 2 is not supported",
    ),
    ({"omnisolve_format": "graph", "version": 1}, "omnisolve_format: 'graph' is not one of model, tsp"),
    (
        {
            "omnisolve_format": "model",
            "version": 1,
            "variables": [{"name": "x"}, {"name": "y"}],
            "constraints": [{"coefficients": {"x": 1}}] * 3 + [{"coefficients": {"x": 1, "z": 2}}],
        },
        "constraints[3].coefficients: unknown variable 'z'",
    ),
    (
        {"omnisolve_format": "model", "version": 1, "variables": [{"name": "x", "type": "real"}]},
        "variables[0].type: 'real' is not one of continuous, integer, binary",
    ),
    (
        {"omnisolve_format": "model", "version": 1, "variables": [{"name": "x", "lb": 3, "ub": 1}]},
        "variables[0]: lower bound 3 > upper bound 1",
    ),
    (
        {"omnisolve_format": "model", "version": 1, "variables": [{"name": "x", "type": "binary", "ub": 2}]},
        "variables[0]: a binary variable's bounds must lie within [0, 1]",
    ),
    (
        {"omnisolve_format": "model", "version": 1, "variables": [{"name": "x"}], "objective": {"linear": {"x": "2"}}},
        "objective.linear.x: expected a finite number",
    ),
    (
        {
            "omnisolve_format": "model",
            "version": 1,
            "variables": [{"name": "x"}],
            "constraints": [{"coeficients": {"x": 1}}],
        },
        "constraints[0].coeficients: unknown field (expected coefficients, name, lb, ub)",
    ),
    (
        {"omnisolve_format": "model", "version": 1, "variables": [{"name": "x"}], "constraints": [{"ub": 1}]},
        "constraints[0].coefficients: missing",
    ),
    (
        {
            "omnisolve_format": "model",
            "version": 1,
            "variables": [{"name": "x"}, {"name": "y"}],
            "constraints": [{"coefficients": [["x", 1], [0, 2]]}],
        },
        "constraints[0].coefficients: variable 'x' (index 0) appears twice",
    ),
    (
        {
            "omnisolve_format": "model",
            "version": 1,
            "variables": [{"name": "x"}],
            "objective": {"quadratic": [["x", 7, 1]]},
        },
        "objective.quadratic[0]: variable index 7 outside 0..0",
    ),
    (
        {"omnisolve_format": "tsp", "version": 1, "edge_weight_type": "EUC_2D", "coords": [[0, 0], [1, "a"]]},
        "coords[1][1]: expected a number, got a string",
    ),
    (
        {"omnisolve_format": "knapsack", "version": 1, "capacity": 3, "values": [1, 2], "weights": [1]},
        "weights: has 1 entries, expected 2",
    ),
    (
        {"omnisolve_format": "jobshop", "version": 1, "jobs": [[[0, 1], [1]]]},
        "jobs[0][1]: expected [machine, duration], got 1 values",
    ),
]


@pytest.mark.parametrize("doc, message", JSON_ERRORS, ids=[m.split(":")[0] for _, m in JSON_ERRORS])
def test_json_validation_names_the_field(tmp_path, doc, message):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(InputError) as err:
        read(path)
    assert str(err.value).startswith(f"{path}: ") and message in str(err.value)


# ---- malformed files: file name and line number ---------------------------------------------
TSP_HEAD = "NAME : t\nTYPE : TSP\nDIMENSION : 3\nEDGE_WEIGHT_TYPE : EUC_2D\nNODE_COORD_SECTION\n"
VRP_HEAD = "NAME : v\nTYPE : CVRP\nDIMENSION : 3\nEDGE_WEIGHT_TYPE : EUC_2D\nCAPACITY : 10\nNODE_COORD_SECTION\n"
VRP_NODES = "1 0 0\n2 3 4\n3 6 8\nDEMAND_SECTION\n1 0\n2 4\n3 5\n"

MALFORMED = [
    ("empty.tsp", "", 1, "empty file"),
    (
        "nodim.tsp",
        "NAME : t\nTYPE : TSP\nEDGE_WEIGHT_TYPE : EUC_2D\nNODE_COORD_SECTION\n1 0 0\n2 1 1\nEOF\n",
        4,
        "missing DIMENSION",
    ),
    ("xray.tsp", TSP_HEAD.replace("EUC_2D", "XRAY1") + "1 0 0\n2 1 1\n3 2 2\n", 4, "unknown EDGE_WEIGHT_TYPE 'XRAY1'"),
    ("token.tsp", TSP_HEAD + "1 0 0\n2 1 1\n3 2 abc\nEOF\n", 8, "'abc' is not a finite number"),
    ("width.tsp", TSP_HEAD + "1 0 0\n2 1\n3 2 2\n", 7, "expected 3 values (node x y), found 2"),
    ("count.tsp", TSP_HEAD + "1 0 0\n2 1 1\nEOF\n", 5, "lists 2 nodes but DIMENSION is 3: node 3 is missing"),
    ("range.tsp", TSP_HEAD + "1 0 0\n2 1 1\n4 2 2\n", 8, "NODE_COORD_SECTION: node 4 is outside 1..3"),
    ("twice.tsp", TSP_HEAD + "1 0 0\n2 1 1\n1 2 2\n", 8, "node 1 appears twice (first at line 6)"),
    ("garbage.tsp", "NAME : t\nthis is not tsplib\n", 2, "expected 'KEYWORD : value'"),
    ("short.tsp", _explicit_file("UPPER_ROW", [1, 2, 3, 4, 5]), 8, "has 5 values; UPPER_ROW for DIMENSION 4 needs 6"),
    ("long.tsp", _explicit_file("FULL_MATRIX", list(range(17))), 12, "has 17 values; FULL_MATRIX"),
    ("nodemand.vrp", VRP_HEAD + "1 0 0\n2 3 4\n3 6 8\nDEPOT_SECTION\n1\n-1\nEOF\n", 13, "missing DEMAND_SECTION"),
    ("depot.vrp", VRP_HEAD + VRP_NODES + "DEPOT_SECTION\n7\n-1\n", 15, "DEPOT_SECTION: node 7 is outside 1..3"),
    ("capacity.vrp", VRP_HEAD.replace(": 10", ": ten") + VRP_NODES, 5, "CAPACITY: 'ten' is not an integer"),
    ("demand.vrp", VRP_HEAD + VRP_NODES.replace("3 5", "3 5 1"), 13, "expected 2 values (node demand), found 3"),
    ("cut.jss", "# comment\n\n2 3\n0 1 1 2 2 3\n0 1 1 2 2\n", 5, "expected 3 'machine time' pairs (6 values), found 5"),
    ("letters.jss", "2 3\n0 1 1 2 2 3\n0 1 x 2 2 3\n", 3, "'x' is not an integer"),
    ("machine.jss", "2 3\n0 1 1 2 2 3\n0 1 5 2 2 3\n", 3, "machine 5 outside 0..2"),
    ("fewjobs.jss", "3 3\n0 1 1 2 2 3\n0 1 1 2 2 3\n", 3, "job lines: only 2 of the 3 rows announced on line 1"),
    ("morejobs.jss", "1 3\n0 1 1 2 2 3\n0 1 1 2 2 3\n", 3, "more than the 1 rows announced on line 1"),
    ("times.txt", TAILLARD_LABELED.replace(" 1 2 3\nMachines", " 1 2\nMachines"), 5, "Times row: expected 3 values"),
    ("header.kp", "3 10 7\n1 1\n", 1, "expected a line 'n capacity', found 3 values"),
    ("item.kp", "2 10\n1 1\n5\n", 3, "expected 2 values, found 1"),
    ("weight.kp", "2 10\n1 1\n5 heavy\n", 3, "'heavy' is not an integer"),
    ("fewitems.kp", "3 10\n1 1\n\n2 2\n", 4, "file ends after 2 items; line 1 announces 3"),
    ("syntax.json", '{\n "omnisolve_format": "model",\n "version": 1,,\n}', 3, "invalid JSON"),
    ("blank.json", "\n", 1, "empty file"),
    (
        "repeat.tour",
        "TYPE : TOUR\nDIMENSION : 3\nTOUR_SECTION\n1\n2\n1\n-1\n",
        6,
        "TOUR_SECTION: node 1 appears twice (first at line 4)",
    ),
]


@pytest.mark.parametrize("name, text, line, message", MALFORMED, ids=[m[0] for m in MALFORMED])
def test_malformed_file_names_file_and_line(tmp_path, name, text, line, message):
    path = tmp_path / name
    path.write_text(text)
    reader = read_tour if name.endswith(".tour") else read
    with pytest.raises(InputError) as err:
        reader(path)
    assert str(err.value).startswith(f"{path}:{line}: "), str(err.value)
    assert message in str(err.value)
    assert "\n" not in str(err.value)


def test_malformed_solution_file_names_the_line(tmp_path):
    path = tmp_path / "x.sol"
    path.write_text("Route #1: 1 2\nRoute #2: 3 x\nCost 10\n")
    with pytest.raises(InputError, match=rf"^{path}:2: route: 'x' is not an integer"):
        read_cvrp_solution(path)


# ---- dispatch --------------------------------------------------------------------------------
def test_read_goes_by_content_when_the_extension_lies(tmp_path):
    cases = {
        "cvrp/A-n32-k5.vrp": ("looks.tsp", CVRP),
        "tsp/berlin52.tsp": ("looks.vrp", TSP),
        "knapsack/weakly_50.kp": ("items.txt", Knapsack),
        "jobshop/la01.txt": ("shop.kp", JobShop),
        "jobshop/ft06.txt": ("ft06", JobShop),
        "mip/afiro.mps": ("afiro.txt", ProblemData),
    }
    for source, (name, cls) in cases.items():
        shutil.copy(BENCHDATA / source, tmp_path / name)
        assert isinstance(read(tmp_path / name), cls), source
    (tmp_path / "model.dat").write_text(json.dumps(problem_to_dict(_model())))
    _same_data(_model(), read(tmp_path / "model.dat"))
    lp = tmp_path / "small.txt"
    lp.write_text("Maximize\n obj: x + y\nSubject To\n c1: x + 2 y <= 4\nBounds\n x <= 3\nEnd\n")
    assert read(lp).sense == "max"


def test_read_reports_missing_and_unknown_files(tmp_path):
    with pytest.raises(InputError, match=r"nothere\.tsp: file not found$"):
        read(tmp_path / "nothere.tsp")
    (tmp_path / "notes.md").write_text("# just some notes\n")
    with pytest.raises(InputError, match=r"notes\.md: unknown file format; supported: .json, .mps"):
        read(tmp_path / "notes.md")
    shutil.copy(BENCHDATA / "tsp" / "st70.opt.tour", tmp_path / "st70.opt.tour")
    with pytest.raises(InputError, match="read_tour"):
        read(tmp_path / "st70.opt.tour")


def test_structured_problem_written_as_mps_is_its_milp(tmp_path):
    bag = read(BENCHDATA / "knapsack" / "weakly_50.kp")
    write(bag, tmp_path / "bag.mps")
    data = read(tmp_path / "bag.mps")
    assert isinstance(data, ProblemData) and data.num_variables == 50 and data.is_mip
