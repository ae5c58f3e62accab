"""Hostile input (issue 17, points 1 and 2): every malformed, absurd or adversarial file gets one
line on stderr naming the file and the line or field, the README's exit code (2 for bad input,
4 for a backend that cannot represent the data), fast and without allocating what the file only
claims; no message names a Python exception. Each case here is a defect that was found by hand
or by the fuzz campaign, with its input. The policy itself: docs/input-limits.md."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import omnisolve as om
from conftest import BENCHDATA, OVERRUN, grace, run_cli
from omnisolve.errors import InputError, UnsupportedError
from omnisolve.io import read
from omnisolve.io.limits import MAX_JSON_DEPTH, check_json_text, numbers
from omnisolve.problems import CVRP, TSP, JobShop, Knapsack

PYTHONIC = re.compile(r"Traceback|\b[A-Z]\w*(?:Error|Exception|Warning)\b|internal error|<class |File \"")
DATA = Path(__file__).resolve().parents[1] / "src" / "omnisolve" / "data"

TSP_FILE = """NAME : t5
TYPE : TSP
DIMENSION : 5
EDGE_WEIGHT_TYPE : EUC_2D
NODE_COORD_SECTION
1 0 0
2 3 0
3 3 4
4 0 4
5 1 1
EOF
"""
EXPLICIT_FILE = (
    "NAME : e\nTYPE : TSP\nDIMENSION : 4\nEDGE_WEIGHT_TYPE : EXPLICIT\nEDGE_WEIGHT_FORMAT : FULL_MATRIX\n"
    "EDGE_WEIGHT_SECTION\n0 1 2 3\n1 0 4 5\n2 4 0 6\n3 5 6 0\nEOF\n"
)
VRP_FILE = """NAME : v
TYPE : CVRP
DIMENSION : 4
EDGE_WEIGHT_TYPE : EUC_2D
CAPACITY : 10
NODE_COORD_SECTION
1 0 0
2 3 0
3 3 4
4 0 4
DEMAND_SECTION
1 0
2 4
3 5
4 3
DEPOT_SECTION
1
-1
EOF
"""
JSS_FILE = "3 3\n0 3 1 2 2 2\n0 2 2 1 1 4\n1 4 2 3 0 1\n"
KP_FILE = "3 10\n5 4\n6 5\n3 2\n"
BIG = "9" * 5000
KP_JSON = '{"omnisolve_format":"knapsack","version":1,"capacity":%s,"values":[1,2],"weights":[1,2]}'


def _mps(old: bytes, new: bytes) -> bytes:
    return (DATA / "afiro.mps").read_bytes().replace(old, new, 1)


# (id, file name, content, exit code, where: "LINE" for file:LINE, or a JSON field, message part)
CASES = [
    # ---- bytes: a stray byte is a one-line error naming the byte offset, never UnicodeDecodeError
    ("tsp-stray-byte", "t.tsp", TSP_FILE.encode().replace(b"3 3 4", b"3 3\xff 4"), 2, 8, "byte 0xff at offset 95"),
    ("tsp-stray-byte-in-name", "t.tsp", TSP_FILE.encode().replace(b"t5", b"t\xc35"), 2, 1, "is not UTF-8 text"),
    (
        "vrp-stray-byte",
        "v.vrp",
        VRP_FILE.encode().replace(b"DEMAND_SECTION", b"DEMAND_SECTION\x80"),
        2,
        11,
        "byte 0x80 at offset 132",
    ),
    ("jss-stray-byte", "j.jss", JSS_FILE.encode().replace(b"0 3 1 2", b"0 3 \xff1 2"), 2, 2, "not UTF-8"),
    ("kp-nul-byte", "k.kp", KP_FILE.encode().replace(b"6 5", b"6\x00 5"), 2, 3, "control character 0x00"),
    ("mps-stray-byte", "m.mps", _mps(b"X01", b"X0\xff"), 2, None, "is not UTF-8 text"),
    (
        "json-stray-byte",
        "s.json",
        (KP_JSON % "10").encode().replace(b'"values"', b'\xff"values"'),
        2,
        1,
        "byte 0xff at offset",
    ),
    # ---- TSPLIB / VRPLIB headers
    ("tsp-empty-type", "t.tsp", TSP_FILE.replace("TYPE : TSP", "TYPE :"), 2, 2, "TYPE is empty"),
    ("vrp-empty-type", "v.vrp", VRP_FILE.replace("TYPE : CVRP", "TYPE :"), 2, 2, "TYPE is empty"),
    (
        "tsp-dimension-1e8",
        "t.tsp",
        TSP_FILE.replace("DIMENSION : 5", "DIMENSION : 100000000"),
        2,
        3,
        "more than the 1000000 nodes",
    ),
    (
        "vrp-dimension-1e8",
        "v.vrp",
        VRP_FILE.replace("DIMENSION : 4", "DIMENSION : 100000000"),
        2,
        3,
        "more than the 1000000 nodes",
    ),
    (
        "tsp-dimension-50000-with-5-nodes",
        "t.tsp",
        TSP_FILE.replace("DIMENSION : 5", "DIMENSION : 50000"),
        2,
        5,
        "NODE_COORD_SECTION lists 5 nodes but DIMENSION is 50000",
    ),
    (
        "tsp-explicit-dimension-1e6",
        "t.tsp",
        EXPLICIT_FILE.replace("DIMENSION : 4", "DIMENSION : 1000000").replace("FULL_MATRIX", "UPPER_ROW"),
        2,
        10,
        "EDGE_WEIGHT_SECTION has 16 values; UPPER_ROW for DIMENSION 1000000 needs 499999500000",
    ),
    (
        "tsp-dimension-fraction",
        "t.tsp",
        TSP_FILE.replace("DIMENSION : 5", "DIMENSION : 3.5"),
        2,
        3,
        "takes integers only",
    ),
    (
        "tsp-dimension-20-digits",
        "t.tsp",
        TSP_FILE.replace("DIMENSION : 5", "DIMENSION : 99999999999999999999"),
        2,
        3,
        "out of range",
    ),
    # ---- numbers: ASCII only (Python's float() and int() take these), finite, within range
    ("tsp-fullwidth-coordinate", "t.tsp", TSP_FILE.replace("3 3 4", "3 １２ 4"), 2, 8, "only ASCII digits"),
    ("tsp-arabic-indic-coordinate", "t.tsp", TSP_FILE.replace("3 3 4", "3 ١٢ 4"), 2, 8, "only ASCII digits"),
    ("tsp-fullwidth-dimension", "t.tsp", TSP_FILE.replace("DIMENSION : 5", "DIMENSION : ５"), 2, 3, "only ASCII"),
    ("tsp-arabic-indic-node", "t.tsp", TSP_FILE.replace("3 3 4", "٣ 3 4"), 2, 8, "only ASCII digits"),
    ("tsp-underscore-number", "t.tsp", TSP_FILE.replace("3 3 4", "3 1_000 4"), 2, 8, "'1_000' is not a finite number"),
    ("tsp-coordinate-1e20", "t.tsp", TSP_FILE.replace("3 3 4", "3 1e20 4"), 2, 8, "below 1e+12"),
    ("tsp-coordinate-1e308", "t.tsp", TSP_FILE.replace("3 3 4", "3 1e308 4"), 2, 8, "out of range"),
    ("tsp-coordinate-5000-digits", "t.tsp", TSP_FILE.replace("3 3 4", f"3 {BIG} 4"), 2, 8, "(5000 characters)"),
    ("tsp-explicit-1e308", "t.tsp", EXPLICIT_FILE.replace("1 0 4 5", "1 0 1e308 5"), 2, 8, "below 1e+15"),
    ("vrp-fractional-demand", "v.vrp", VRP_FILE.replace("2 4\n", "2 4.5\n"), 2, 13, "takes integers only"),
    ("vrp-fullwidth-demand", "v.vrp", VRP_FILE.replace("2 4\n", "2 ４\n"), 2, 13, "only ASCII digits"),
    (
        "vrp-fractional-capacity",
        "v.vrp",
        VRP_FILE.replace("CAPACITY : 10", "CAPACITY : 10.5"),
        2,
        5,
        "takes integers only",
    ),
    ("vrp-capacity-1e300", "v.vrp", VRP_FILE.replace("CAPACITY : 10", "CAPACITY : 1e300"), 2, 5, "CAPACITY"),
    (
        "vrp-capacity-30-digits",
        "v.vrp",
        VRP_FILE.replace("CAPACITY : 10", "CAPACITY : " + "9" * 31),
        2,
        5,
        "out of range",
    ),
    ("vrp-coordinate-1e20", "v.vrp", VRP_FILE.replace("3 3 4", "3 1e20 4"), 2, 9, "below 1e+12"),
    (
        "vrp-vehicles-20-digits",
        "v.vrp",
        VRP_FILE.replace("CAPACITY : 10", "CAPACITY : 10\nVEHICLES : " + "9" * 20),
        2,
        6,
        "out of range",
    ),
    ("jss-duration-1e18", "j.jss", JSS_FILE.replace("0 3 1 2", "0 1000000000000000000 1 2"), 2, 2, "below 1e+15"),
    ("jss-duration-5000-digits", "j.jss", JSS_FILE.replace("0 3 1 2", f"0 {BIG} 1 2"), 2, 2, "(5000 characters)"),
    ("jss-arabic-indic-duration", "j.jss", JSS_FILE.replace("0 3 1 2", "0 ٣ 1 2"), 2, 2, "only ASCII digits"),
    ("jss-fullwidth-header", "j.jss", JSS_FILE.replace("3 3\n", "３ 3\n", 1), 2, 1, "only ASCII digits"),
    ("jss-1e8-jobs", "j.jss", "100000000 100000000\n0 3 1 2 2 2\n", 2, 1, "more than the 1000000 operations"),
    ("kp-fractional-weight", "k.kp", KP_FILE.replace("5 4\n", "5 4.5\n"), 2, 2, "takes integers only"),
    ("kp-fullwidth-weight", "k.kp", KP_FILE.replace("5 4\n", "5 ４\n"), 2, 2, "only ASCII digits"),
    ("kp-value-1e308", "k.kp", KP_FILE.replace("5 4\n", "1e308 4\n"), 2, 2, "below 1e+15"),
    ("kp-weight-2^60", "k.kp", "3 10\n5 1152921504606849597\n6 5\n3 2\n", 2, 2, "out of range"),
    ("kp-1e8-items", "k.kp", "100000000 10\n5 4\n", 2, 1, "more than the 10000000 items"),
    ("kp-nan-capacity", "k.kp", KP_FILE.replace("3 10", "3 nan"), 2, 1, "'nan' is not a finite number"),
    ("mps-fullwidth-coefficient", "m.mps", _mps(b"-1.", "１２".encode()), 2, None, "is not a number"),
    ("mps-coefficient-1e308", "m.mps", _mps(b"-1.", b"1e308"), 2, None, "must be finite"),
    (
        "mps-matrix-coefficient-1e17",
        "m.mps",
        _mps(b"-1.  ", b"1e17 "),
        2,
        34,  # HiGHS refused it without a line
        "'1e17' is out of range (|value| must be below 1e+15",
    ),
    (
        "lp-matrix-coefficient-1e16",
        "m.lp",
        "Minimize\n obj: x + y\nSubject To\n c1: 1e16 x + y >= 1\nEnd\n",
        2,
        4,
        "'1e16' is out of range",
    ),
    # ---- JSON: depth and number length bounded before the parser, ranges per field
    ("json-deep-list", "d.json", "[" * 100_000 + "]" * 100_000, 2, 1, f"nested deeper than {MAX_JSON_DEPTH}"),
    ("json-deep-object", "d.json", '{"a":' * 100_000 + "1" + "}" * 100_000, 2, 1, "nested deeper"),
    ("json-5000-digit-integer", "k.json", KP_JSON % BIG, 2, 1, "longer than 64 characters"),
    (
        "json-5000-digit-version",
        "k.json",
        KP_JSON.replace('"version":1', f'"version":{BIG}') % "10",
        2,
        1,
        "longer than 64 characters",
    ),
    ("json-capacity-1e308", "k.json", KP_JSON % "1e308", 2, "capacity", "out of range"),
    (
        "json-weight-2^60",
        "k.json",
        KP_JSON.replace("[1,2]}", "[1152921504606849597,2]}") % "10",
        2,
        "weights[0]",
        "out of range",
    ),
    (
        "json-tsp-coordinate-1e20",
        "t.json",
        '{"omnisolve_format":"tsp","version":1,"edge_weight_type":"EUC_2D","coords":[[0,0],[1e20,0],[0,1]]}',
        2,
        "coords[1][0]",
        "below 1e+12",
    ),
    (
        "json-jobshop-duration-30-digits",
        "j.json",
        '{"omnisolve_format":"jobshop","version":1,"jobs":[[[0,' + "9" * 30 + "],[1,2]],[[1,3],[0,1]]]}",
        2,
        "jobs[0][0][1]",
        "out of range",
    ),
    (
        "json-model-coefficient-1e308",
        "m.json",
        '{"omnisolve_format":"model","version":1,"variables":[{"name":"x","ub":1}],'
        '"objective":{"linear":{"x":1e308}},"constraints":[]}',
        2,
        "objective.linear.x",
        "out of range",
    ),
    (
        "json-cvrp-vehicles-30-digits",
        "c.json",
        '{"omnisolve_format":"cvrp","version":1,"capacity":10,"demands":[0,1],"distances":[[0,1],[1,0]],'
        '"num_vehicles":' + "9" * 30 + "}",
        2,
        "num_vehicles",
        "out of range",
    ),
    # ---- a backend that cannot represent the data refuses in one line (exit 4)
    (
        "cpsat-jobshop-horizon-past-2^53",
        "j.jss",  # 12 durations of 9e14, each within the policy
        "3 4\n" + "0 900000000000000 1 900000000000000 2 900000000000000 3 900000000000000\n" * 3,
        4,
        None,
        "past CP-SAT's range",
    ),
    (
        "knapsack-dp-table-too-large",
        "k.kp",
        "3 900000000000000\n5 900000000000000\n6 5\n3 2\n",
        4,
        None,
        "for the DP table",
    ),
]
SOLVER = {"cpsat-jobshop-horizon-past-2^53": "cpsat", "knapsack-dp-table-too-large": "knapsack-dp"}


def _check_one_line(err: str, name: str) -> str:
    lines = [line for line in err.strip().splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert not PYTHONIC.search(err), err
    assert name in lines[0], lines[0]
    assert len(lines[0]) < 400, lines[0]
    return lines[0]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_hostile_file_gets_one_line_and_the_readme_exit_code(capsys, tmp_path, case):
    ident, name, content, code, where, message = case
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    solver = SOLVER.get(ident, "auto")
    began = time.perf_counter()
    exit_code, _, err = run_cli(capsys, "solve", str(path), "--time-limit", "2", "--solver", solver, "-q")
    seconds = time.perf_counter() - began
    line = _check_one_line(err, str(path) if code == 2 else "")
    assert exit_code == code, line
    assert message in line, line
    if isinstance(where, int):
        assert f"{path}:{where}: " in line, line
    elif isinstance(where, str):
        assert f"{path}: {where}: " in line, line
    assert seconds < 10, f"{ident} took {seconds:.1f} s"


def test_declared_dimension_is_refused_before_any_allocation(tmp_path):
    """`DIMENSION : 100000000` with five nodes ran 3 minutes and took 7 GB; now milliseconds."""
    for dim in ("100000000", "1000000", "23000"):
        path = tmp_path / f"d{dim}.tsp"
        path.write_text(TSP_FILE.replace("DIMENSION : 5", f"DIMENSION : {dim}"))
        began = time.perf_counter()
        with pytest.raises(InputError):
            read(path)
        assert time.perf_counter() - began < 0.5, dim


def test_100000_node_tsp_is_solved_from_its_coordinates(capsys, tmp_path):
    """A 100,000-node TSP once asked for a 74.5 GiB distance matrix (MemoryError, exit 70), then was
    refused naming it; it holds no matrix now: tsp-ils answers from the coordinates in time."""
    path = tmp_path / "n100000.tsp"
    nodes = "".join(f"{i} {i * 7 % 1000} {i * 13 % 997}\n" for i in range(1, 100_001))
    path.write_text(
        f"NAME : big\nTYPE : TSP\nDIMENSION : 100000\nEDGE_WEIGHT_TYPE : EUC_2D\nNODE_COORD_SECTION\n{nodes}EOF\n"
    )
    code, _, err = run_cli(capsys, "solve", str(path), "--time-limit", "2", "-q", "-o", str(tmp_path / "r.json"))
    assert code == 0, err
    result = json.loads((tmp_path / "r.json").read_text())
    assert result["solver"] == "tsp-ils" and result["status"] == "feasible"
    assert sorted(result["solution"]) == list(range(100_000)) and result["runtime"] < 2 + grace(OVERRUN)


def test_stray_byte_in_mps_end_to_end(tmp_path):
    """The real entry point in a fresh interpreter: exit 2, one line, never exit 70 / UnicodeDecodeError."""
    path = tmp_path / "stray.mps"
    data = (DATA / "afiro.mps").read_bytes()
    at = data.index(b"COLUMNS") + 20
    path.write_bytes(data[:at] + b"\xff" + data[at:])
    proc = subprocess.run(
        [sys.executable, "-m", "omnisolve.cli", "solve", str(path), "--time-limit", "2"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2, proc.stderr
    assert "stray.mps:32: " in _check_one_line(proc.stderr, str(path))


@pytest.mark.parametrize(
    "failure, message",
    [
        (MemoryError(), "out of memory"),
        (IndexError("index 1152921504606849598 is out of bounds for axis 1 with size 2"), "unexpected failure"),
        (RecursionError("maximum recursion depth exceeded"), "unexpected failure"),
    ],
    ids=["memory", "index", "recursion"],
)
def test_unexpected_failure_is_exit_1_and_one_line(capsys, monkeypatch, failure, message):
    """No failure path ends in exit 70 with a Python exception's name (README's table has no 70)."""
    import omnisolve.api

    def broken(*args, **kwargs):
        raise failure

    monkeypatch.setattr(omnisolve.api, "solve", broken)
    code, _, err = run_cli(capsys, "solve", str(DATA / "ft06.txt"), "-q")
    assert code == 1
    assert message in _check_one_line(err, "")


# ---- backends: one line through unsupported_reason, never an exception's text --------------------
def _tsp(scale: float) -> TSP:
    d = np.add.outer(np.arange(6.0), np.arange(6.0)) + 1
    d[0, 1] = d[1, 0] = scale
    np.fill_diagonal(d, 0)
    return TSP(d, name="t")


def _cvrp(capacity: float, demand: float) -> CVRP:
    d = np.full((4, 4), 10.0)
    np.fill_diagonal(d, 0)
    return CVRP(d, np.array([0, demand, 1, 1.0]), capacity, name="c")


BACKEND_CASES = [
    ("cpsat", lambda: _tsp(1e20), "past CP-SAT's range"),  # was "Unable to cast Python instance"
    ("cpsat", lambda: _cvrp(2.0**62, 2.0**61), "past CP-SAT's range"),
    ("cpsat", lambda: Knapsack([1e308, 1e308, 3], [4, 5, 2], 10), "past CP-SAT's range"),
    ("cpsat", lambda: JobShop([[(0, 2**62), (1, 2)], [(1, 3), (0, 2**62)]]), "past CP-SAT's range"),
    ("pyvrp", lambda: _cvrp(1e30, 1e29), "past PyVRP's integer loads"),  # was OverflowError: int too big
    ("ortools-routing", lambda: _cvrp(1e30, 1e29), "past OR-Tools routing's integer loads"),
    ("jobshop-lns", lambda: JobShop([[(0, 10**18), (1, 2)], [(1, 3), (0, 1)]]), "past jobshop-lns's range"),
    ("knapsack-dp", lambda: Knapsack([1e308, 1e308, 3], [4, 5, 2], 10), "overflow the DP's float64 sums"),
    ("highs", lambda: Knapsack([5, 6, 3], [2.0**60, 5, 2], 2.0**60), "past HiGHS's range"),
    ("highs", lambda: JobShop([[(0, 10**18), (1, 2)], [(1, 3), (0, 1)]]), "past HiGHS's range"),
    ("scip", lambda: _tsp(1e20), "past SCIP's range"),  # was "Exception: SCIP: error in input data!"
]


@pytest.mark.parametrize(
    "solver, make, message", BACKEND_CASES, ids=[f"{c[0]}-{k}" for k, c in enumerate(BACKEND_CASES)]
)
def test_backend_refuses_what_it_cannot_represent(solver, make, message):
    with pytest.raises(UnsupportedError) as info:
        om.solve(make(), solver=solver, time_limit=2, cross_check="off")
    text = str(info.value)
    assert message in text and "\n" not in text and not PYTHONIC.search(text), text


def test_knapsack_dp_ignores_items_heavier_than_any_int64():
    """A weight of 1e19 wrapped to a negative int64 and the DP indexed cell 1152921504606849598."""
    result = om.solve(Knapsack([5, 6, 3], [1e19, 5, 2], 10), solver="knapsack-dp", time_limit=5, cross_check="off")
    assert result.status.value == "optimal" and result.solution == [1, 2]


def test_cvrp_fleet_beyond_the_customers_is_one_vehicle_per_customer():
    """10^30 vehicles made PyVRP raise TypeError and 10^9 made it raise std::bad_alloc."""
    d = np.full((4, 4), 10.0)
    np.fill_diagonal(d, 0)
    problem = CVRP(d, np.array([0, 4, 5, 3.0]), 10, num_vehicles=10**30)
    assert problem.num_vehicles == 3
    result = om.solve(problem, solver="pyvrp", time_limit=2, cross_check="off")
    assert result.status.value in ("optimal", "feasible")


# ---- the policy's building blocks ---------------------------------------------------------------
@pytest.mark.parametrize(
    "token", ["１２", "١٢", "٣.٥", "1_000", "nan", "inf", "Infinity", "0x1F", "1e", ".", "+-3", "--1"]
)
def test_numbers_are_ascii_and_finite(token):
    with pytest.raises(InputError, match=r"^f:7: x: "):
        numbers([token], [7], "f", "x")


@pytest.mark.parametrize(
    "token, integer, value",
    [
        ("-0", False, 0.0),
        ("3.5", False, 3.5),
        (".5", False, 0.5),
        ("1.", False, 1.0),
        ("1e+05", False, 1e5),
        ("+7", True, 7),
        ("999999999999999", True, 999999999999999),
    ],
)
def test_numbers_accept_plain_ascii(token, integer, value):
    assert numbers([token], [1], "f", "x", integer=integer)[0] == value


def test_json_limits_are_checked_before_parsing():
    check_json_text('{"a": [[1, 2], {"b": "[[[[[[[[[["}]}' + "\n", "f")  # brackets inside strings do not count
    with pytest.raises(InputError, match="nested deeper"):
        check_json_text("[" * (MAX_JSON_DEPTH + 1) + "]" * (MAX_JSON_DEPTH + 1), "f")
    check_json_text("[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH, "f")


@pytest.mark.parametrize("bracket", ["[", "{"])
def test_json_brackets_inside_a_string_are_not_nesting(tmp_path, bracket):
    """A model named with 100 brackets is valid JSON three levels deep: the depth check counted
    the brackets of the string its fast count stopped inside (docs/mutation-io.md, bug found)."""
    name = bracket * 100
    path = tmp_path / "m.json"
    path.write_text(json.dumps({"version": 1, "omnisolve_format": "model", "name": name, "variables": [{}]}))
    assert read(path).name == name


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("\n" + "[" * 65 + "]" * 65, 2),
        ('{"name": "' + "[" * 100 + '",\n"x":\n' + "[" * 64 + "]" * 64 + "}", 3),  # after a string that trips first
    ],
)
def test_json_real_nesting_of_65_levels_is_refused(tmp_path, text, line):
    """65 levels outside strings are refused at the line of the 65th, also when a string's
    brackets made the fast count stop earlier in the same block."""
    path = tmp_path / "m.json"
    path.write_text(text)
    with pytest.raises(InputError) as caught:
        read(path)
    assert (caught.value.reason, caught.value.line) == (f"JSON nested deeper than {MAX_JSON_DEPTH} levels", line)


def test_legitimate_instances_still_parse():
    """The bundled instances and every benchmark instance but the largest TSPs (see
    docs/input-limits.md for their timing) are within the policy."""
    files = [p for p in DATA.iterdir() if p.suffix in (".mps", ".tsp", ".txt", ".kp")]
    if BENCHDATA.is_dir():
        for suite in ("cvrp", "cvrp_large", "jobshop", "knapsack", "mip", "tsp"):
            files += [p for p in (BENCHDATA / suite).iterdir() if p.suffix in (".vrp", ".tsp", ".txt", ".kp", ".mps")]
    refused = []
    for path in files:
        try:
            read(path)
        except InputError as exc:
            refused.append(str(exc))
        except UnsupportedError:
            pass  # a VRPLIB variant the CVRP model does not cover (several depots), not a policy matter
    assert not refused, refused


def test_a_backend_crash_is_reported_without_the_exception_class(monkeypatch):
    """'solver cpsat failed: RuntimeError: Unable to cast Python instance ...' named the class."""
    from omnisolve.solvers.knapsack_dp import KnapsackDpSolver

    def crash(self, problem, limits, tracker):
        raise RuntimeError("Unable to cast Python instance of type <int> to C++ type")

    monkeypatch.setattr(KnapsackDpSolver, "_solve", crash)
    result = om.solve(Knapsack([5, 6, 3], [4, 5, 2], 10), solver="knapsack-dp", time_limit=2, cross_check="off")
    assert result.status.value == "error"
    assert result.message.startswith("solver knapsack-dp failed: Unable to cast"), result.message
    assert "RuntimeError" not in result.message and "\n" not in result.message


# ---- found by the fuzz campaign (benchmarks/fuzz_cli.py --count 2000 --seed 11) ----------------
@pytest.mark.parametrize("bad", ["+-3", "1_000", "١٢", "１２", "12.5.1", "1e5e5"])
def test_a_bad_token_in_a_long_list_fails_in_linear_time(bad):
    """The number grammar `[0-9]+\\.?[0-9]*` split "12345" several ways, and a bad token after a
    few hundred good ones backtracked for minutes (A-n32-k5.vrp with `+-3` ran 74 s)."""
    tokens = [str(12345 + k) for k in range(20_000)] + [bad]
    began = time.perf_counter()
    with pytest.raises(InputError, match="is not a finite number"):
        numbers(tokens, list(range(len(tokens))), "f", "x")
    assert time.perf_counter() - began < 2.0


def test_huge_nested_json_is_refused_without_reading_it_all(tmp_path):
    """A 60 MB document of nested objects took 26-37 s and 4 GB before an out-of-memory exit 1."""
    path = tmp_path / "nested.json"
    path.write_text('{"a":' * 6_000_000 + "1" + "}" * 6_000_000)
    began = time.perf_counter()
    with pytest.raises(InputError, match=f"nested deeper than {MAX_JSON_DEPTH} levels"):
        read(path)
    assert time.perf_counter() - began < 5.0


def test_subnormal_knapsack_weight_prints_no_numpy_warning(capsys, tmp_path):
    """A weight of 1e-320 made the features and Dantzig's bound print numpy overflow warnings."""
    path = tmp_path / "tiny.json"
    path.write_text('{"omnisolve_format":"knapsack","version":1,"capacity":10,"values":[3,4,5],"weights":[1e-320,4,7]}')
    code, _, err = run_cli(capsys, "solve", str(path), "--time-limit", "2", "-q")
    assert code == 0 and "Warning" not in err, err


def test_the_first_bad_line_is_named_whatever_its_column(tmp_path):
    """A bad weight on line 10 and a bad value on line 77 named line 77 (values were checked first)."""
    path = tmp_path / "two.kp"
    path.write_text("3 10\n5 ４\n1_000 5\n3 2\n")
    with pytest.raises(InputError, match=rf"^{re.escape(str(path))}:2: item weight"):
        read(path)
    tsp = tmp_path / "two.tsp"
    tsp.write_text(TSP_FILE.replace("2 3 0", "2 3 x").replace("4 0 4", "4.5 0 4"))
    with pytest.raises(InputError, match=rf"^{re.escape(str(tsp))}:7: NODE_COORD_SECTION: 'x'"):
        read(tsp)


@pytest.mark.parametrize("name", ["big.tsp", "big.json", "big.kp", "big.txt", "big"])  # known, or sniffed
def test_a_file_past_the_size_limit_is_refused_before_it_is_read(tmp_path, name):
    """A sparse 5 GiB file (no disk used): refused on its size, in no time and no memory."""
    path = tmp_path / name
    with open(path, "wb") as f:
        f.truncate(5 * 1024**3)
    began = time.perf_counter()
    with pytest.raises(InputError) as caught:
        read(path)
    assert (
        str(caught.value)
        == f"{path}: 5.0 GiB; omnisolve reads files of at most 4 GiB in this format (MPS and LP: no limit)"
    )
    assert time.perf_counter() - began < 1.0
