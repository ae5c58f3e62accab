"""The exact user-facing message of every error path of the input readers (src/omnisolve/io), and the
exact values the TSPLIB, job-shop and knapsack readers parse.

Why: the other reader tests check that a message *contains* a phrase; here each case compares the
whole message (file name, line number or JSON field path, wording) for equality, so a changed
message text, an off-by-one line or a renamed field fails a test. One table per format, each case a
small valid seed file with one thing broken, read through the public entry point a user reaches
(`omnisolve.io.read`, or `read_tour`, `read_cvrp_solution`, `read_mps`, `read_tsp` where `read`
cannot get there).

Already pinned exactly elsewhere, so not repeated here:
- `read`: a missing file, "<path>: file not found" (tests/test_io.py, anchored regex).
Not reachable from a file: `limits._refuse_token`'s last "cannot be read" raise, `read_json`'s
RecursionError / ValueError fallback (the depth and number length checks come first),
`mps._check_arrays` (the scan refuses all of it first), the "too few values" branch of
`tsplib.edge_weights` (`dimension()` refuses it first), `mps._scanned_copy`'s OSError (`read_mps`
checks `is_file()` first), `Fields.list`'s plural "entries" (no caller asks for more than one), and
the writers' errors (no input file involved).
"""

from __future__ import annotations

import gzip
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from omnisolve.errors import InputError, UnsupportedError, one_line
from omnisolve.io import read, read_cvrp_solution, read_tour, read_tsp
from omnisolve.io.mps import read_mps

Content = str | bytes


def _edit(text: str, old: str, new: str) -> str:
    """`text` with its first `old` replaced by `new`; `old` must occur (a typo in a seed fails loudly)."""
    assert old in text, old
    return text.replace(old, new, 1)


def _put(tmp_path: Path, name: str, content: Content) -> Path:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def _expected(path: Path, line: int | None, reason: str) -> str:
    return f"{path}:{line}: {reason}" if line is not None else f"{path}: {reason}"


def _refusal(path: Path, reader: Callable[[Path], Any] = read, error: type[Exception] = InputError) -> Exception:
    with pytest.raises(error) as info:
        reader(path)
    return info.value


def _case(ident: str, name: str, content: Content, line: int | None, reason: str, **kw: Any) -> Any:
    return pytest.param(name, content, line, reason, id=ident, **kw)


def _check(
    tmp_path: Path, name: str, content: Content, line: int | None, reason: str, reader: Callable[[Path], Any] = read
) -> None:
    path = _put(tmp_path, name, content)
    assert str(_refusal(path, reader)) == _expected(path, line, reason)


# ---- TSPLIB .tsp -------------------------------------------------------------------------------
TSP = "NAME : t\nTYPE : TSP\nDIMENSION : 3\nEDGE_WEIGHT_TYPE : EUC_2D\nNODE_COORD_SECTION\n1 0 0\n2 3 4\n3 6 8\nEOF\n"
EXPLICIT = (
    "NAME : e\nTYPE : TSP\nDIMENSION : 3\nEDGE_WEIGHT_TYPE : EXPLICIT\nEDGE_WEIGHT_FORMAT : UPPER_ROW\n"
    "EDGE_WEIGHT_SECTION\n1 2\n3\nEOF\n"
)
FORMATS = (
    "FULL_MATRIX, UPPER_ROW, LOWER_ROW, UPPER_DIAG_ROW, LOWER_DIAG_ROW, UPPER_COL, LOWER_COL, "
    "UPPER_DIAG_COL, LOWER_DIAG_COL"
)
LONG_LINE = "1 " + "2" * 48

TSP_CASES = [
    _case("empty-file", "t.tsp", "", 1, "empty file: no TSPLIB keywords"),
    _case("data-before-section", "t.tsp", "1 0 0\n" + TSP, 1, "data line '1 0 0' before any *_SECTION keyword"),
    _case(
        "data-before-section-long",
        "t.tsp",
        LONG_LINE + "\n" + TSP,
        1,
        f"data line '{LONG_LINE[:37]}...' before any *_SECTION keyword",
    ),
    _case(
        "section-twice",
        "t.tsp",
        _edit(TSP, "EOF", "NODE_COORD_SECTION"),
        9,
        "NODE_COORD_SECTION appears twice (first at line 5)",
    ),
    _case(
        "keyword-twice",
        "t.tsp",
        _edit(TSP, "EDGE_WEIGHT_TYPE", "DIMENSION : 3\nEDGE_WEIGHT_TYPE"),
        4,
        "DIMENSION appears twice (first at line 3)",
    ),
    _case(
        "not-a-keyword-line",
        "t.tsp",
        _edit(TSP, "TYPE : TSP", "this is not tsplib"),
        2,
        "expected 'KEYWORD : value' or a *_SECTION line, found 'this is not tsplib'",
    ),
    _case("type-empty", "t.tsp", _edit(TSP, "TYPE : TSP", "TYPE :"), 2, "TYPE is empty, expected TSP or ATSP"),
    _case("type-wrong", "t.tsp", _edit(TSP, "TYPE : TSP", "TYPE : HCP"), 2, "TYPE is 'HCP', expected TSP or ATSP"),
    _case("dimension-missing", "t.tsp", _edit(TSP, "DIMENSION : 3\n", ""), 4, "missing DIMENSION"),
    _case("dimension-two-values", "t.tsp", _edit(TSP, ": 3", ": 3 4"), 3, "DIMENSION: expected one value, found '3 4'"),
    _case("dimension-zero", "t.tsp", _edit(TSP, ": 3", ": 0"), 3, "DIMENSION must be positive, got '0'"),
    _case("dimension-word", "t.tsp", _edit(TSP, ": 3", ": three"), 3, "DIMENSION: 'three' is not an integer"),
    _case(
        "dimension-fraction",
        "t.tsp",
        _edit(TSP, ": 3", ": 3.5"),
        3,
        "DIMENSION: '3.5' is not an integer (this field takes integers only)",
    ),
    _case(
        "dimension-fullwidth",
        "t.tsp",
        _edit(TSP, ": 3", ": ３"),
        3,
        "DIMENSION: '３' is not an integer (only ASCII digits make numbers)",
    ),
    _case(
        "dimension-1e15",
        "t.tsp",
        _edit(TSP, ": 3", ": 1000000000000000"),
        3,
        "DIMENSION: '1000000000000000' is out of range (|value| must be below 1e+15)",
    ),
    _case(
        "dimension-past-int64",
        "t.tsp",
        _edit(TSP, ": 3", ": 99999999999999999999"),
        3,
        "DIMENSION: '99999999999999999999' is out of range (|value| must be below 1e+15)",
    ),
    _case(
        "dimension-70-digits",
        "t.tsp",
        _edit(TSP, ": 3", ": " + "9" * 70),
        3,
        "DIMENSION: '99999999999999999999'... (70 characters) is out of range (|value| must be below 1e+15)",
    ),
    _case(
        "dimension-past-max-nodes",
        "t.tsp",
        _edit(TSP, ": 3", ": 2000000"),
        3,
        "DIMENSION 2000000 is more than the 1000000 nodes omnisolve reads",
    ),
    _case(
        "dimension-large-few-nodes",
        "t.tsp",
        _edit(TSP, ": 3", ": 30000"),
        5,
        "NODE_COORD_SECTION lists 3 nodes but DIMENSION is 30000",
    ),
    _case(
        "dimension-dense-matrix",
        "t.tsp",
        "NAME : t\nTYPE : TSP\nDIMENSION : 30000\nEDGE_WEIGHT_TYPE : EXPLICIT\nEOF\n",  # coordinates: no matrix
        3,
        "DIMENSION: 30000 nodes need a dense 30000 x 30000 distance matrix of 6.7 GiB; omnisolve holds at most "
        "4 GiB (23170 nodes)",
    ),
    _case(
        "node-coord-type",
        "t.tsp",
        _edit(TSP, "NODE_COORD_SECTION", "NODE_COORD_TYPE : THREED_COORDS\nNODE_COORD_SECTION"),
        5,
        "NODE_COORD_TYPE THREED_COORDS is not supported (only TWOD_COORDS)",
    ),
    _case(
        "format-with-coordinates",
        "t.tsp",
        _edit(TSP, "NODE_COORD_SECTION", "EDGE_WEIGHT_FORMAT : FULL_MATRIX\nNODE_COORD_SECTION"),
        5,
        "EDGE_WEIGHT_FORMAT FULL_MATRIX does not go with EDGE_WEIGHT_TYPE EUC_2D",
    ),
    _case(
        "coordinates-missing",
        "t.tsp",
        "NAME : t\nTYPE : TSP\nDIMENSION : 3\nEDGE_WEIGHT_TYPE : ATT\nEOF\n",
        4,
        "missing NODE_COORD_SECTION (needed for EDGE_WEIGHT_TYPE ATT)",
    ),
    _case(
        "edge-weight-type-missing",
        "t.tsp",
        _edit(TSP, "EDGE_WEIGHT_TYPE : EUC_2D\n", ""),
        4,
        "missing EDGE_WEIGHT_TYPE",
    ),
    _case(
        "edge-weight-type-unknown",
        "t.tsp",
        _edit(TSP, "EUC_2D", "EUC_3D"),
        4,
        "unknown EDGE_WEIGHT_TYPE 'EUC_3D'; supported: EUC_2D, CEIL_2D, MAN_2D, MAX_2D, ATT, GEO, EXPLICIT",
    ),
    _case(
        "coordinate-row-width",
        "t.tsp",
        _edit(TSP, "2 3 4", "2 3"),
        7,
        "NODE_COORD_SECTION: expected 3 values (node x y), found 2",
    ),
    _case(
        "node-number-fraction",
        "t.tsp",
        _edit(TSP, "2 3 4", "2.5 3 4"),
        7,
        "NODE_COORD_SECTION: node: '2.5' is not an integer (this field takes integers only)",
    ),
    _case(
        "coordinate-word",
        "t.tsp",
        _edit(TSP, "2 3 4", "2 3 abc"),
        7,
        "NODE_COORD_SECTION: 'abc' is not a finite number",
    ),
    _case(
        "coordinate-1e12",
        "t.tsp",
        _edit(TSP, "2 3 4", "2 1e12 4"),
        7,
        "NODE_COORD_SECTION: '1e12' is out of range (|value| must be below 1e+12)",
    ),
    _case(
        "first-bad-line-is-a-node-number",
        "t.tsp",
        _edit(_edit(TSP, "2 3 4", "2.5 3 4"), "3 6 8", "3 6 1_0"),
        7,
        "NODE_COORD_SECTION: node: '2.5' is not an integer (this field takes integers only)",
    ),
    _case("node-outside", "t.tsp", _edit(TSP, "3 6 8", "4 6 8"), 8, "NODE_COORD_SECTION: node 4 is outside 1..3"),
    _case(
        "node-twice",
        "t.tsp",
        _edit(TSP, "3 6 8", "1 6 8"),
        8,
        "NODE_COORD_SECTION: node 1 appears twice (first at line 6)",
    ),
    _case(
        "node-missing",
        "t.tsp",
        _edit(TSP, "2 3 4\n", ""),
        5,
        "NODE_COORD_SECTION lists 2 nodes but DIMENSION is 3: node 2 is missing",
    ),
    _case(
        "explicit-format-missing",
        "t.tsp",
        _edit(EXPLICIT, "EDGE_WEIGHT_FORMAT : UPPER_ROW\n", ""),
        5,
        f"missing EDGE_WEIGHT_FORMAT: EXPLICIT weights need one of {FORMATS}",
    ),
    _case(
        "explicit-format-function",
        "t.tsp",
        _edit(EXPLICIT, ": UPPER_ROW", ": FUNCTION"),
        5,
        f"EDGE_WEIGHT_FORMAT FUNCTION: EXPLICIT weights need one of {FORMATS}",
    ),
    _case(
        "explicit-section-missing",
        "t.tsp",
        _edit(EXPLICIT, "EDGE_WEIGHT_SECTION\n1 2\n3\n", ""),
        4,
        "missing EDGE_WEIGHT_SECTION (needed for EDGE_WEIGHT_TYPE EXPLICIT)",
    ),
    _case(
        "explicit-too-few",
        "t.tsp",
        _edit(EXPLICIT, "1 2\n3\n", "1 2\n"),
        7,
        "EDGE_WEIGHT_SECTION has 2 values; UPPER_ROW for DIMENSION 3 needs 3",
    ),
    _case(
        "explicit-none",
        "t.tsp",
        _edit(EXPLICIT, "1 2\n3\n", ""),
        6,
        "EDGE_WEIGHT_SECTION has 0 values; UPPER_ROW for DIMENSION 3 needs 3",
    ),
    _case(
        "explicit-too-many",
        "t.tsp",
        _edit(EXPLICIT, "1 2\n3\n", "1 2\n3 4\n"),
        8,
        "EDGE_WEIGHT_SECTION has 4 values; UPPER_ROW for DIMENSION 3 needs 3",
    ),
    _case(
        "explicit-word",
        "t.tsp",
        _edit(EXPLICIT, "1 2\n3\n", "1 2\n0x1F\n"),
        8,
        "EDGE_WEIGHT_SECTION: '0x1F' is not a finite number",
    ),
    _case(
        "explicit-1e15",
        "t.tsp",
        _edit(EXPLICIT, "1 2\n3\n", "1 1e15\n3\n"),
        7,
        "EDGE_WEIGHT_SECTION: '1e15' is out of range (|value| must be below 1e+15)",
    ),
    # what the problem class refuses too, checked by the reader, which knows the line
    _case(
        "one-node",
        "t.tsp",
        _edit(_edit(TSP, ": 3", ": 1"), "2 3 4\n3 6 8\n", ""),
        3,
        "DIMENSION is 1: a TSP needs at least 2 nodes",
    ),
    _case(
        "negative-distance",
        "t.tsp",
        _edit(EXPLICIT, "1 2\n3\n", "1 -2\n3\n"),
        7,
        "EDGE_WEIGHT_SECTION: distance is -2, must be >= 0",
    ),
    # a full matrix's diagonal is never used (set to 0): a negative value there is no error
    _case(
        "negative-distance-after-full-diagonal",
        "t.tsp",
        _edit(_edit(EXPLICIT, "UPPER_ROW", "FULL_MATRIX"), "1 2\n3\n", "-1 1 2\n1 0 -3\n2 3 0\n"),
        8,
        "EDGE_WEIGHT_SECTION: distance is -3, must be >= 0",
    ),
    # decoding (limits.decode): byte offsets count from the file's start, columns in characters
    _case(
        "stray-byte",
        "t.tsp",
        _edit(TSP, "2 3 4", "2 3\udcff 4").encode("utf-8", "surrogateescape"),
        7,
        "byte 0xff at offset 88 (column 4) is not UTF-8 text",
    ),
    _case(
        "stray-byte-after-bom",
        "t.tsp",
        b"\xef\xbb\xbf" + _edit(TSP, "2 3 4", "2 3\udcff 4").encode("utf-8", "surrogateescape"),
        7,
        "byte 0xff at offset 91 (column 4) is not UTF-8 text",
    ),
    _case(
        "control-character",
        "t.tsp",
        _edit(TSP, "NAME : t", "NAME : t\u00e9\x01"),
        1,
        "control character 0x01 at offset 10 (column 10) in a text file",
    ),
]


@pytest.mark.parametrize("name, content, line, reason", TSP_CASES)
def test_tsp_errors(tmp_path: Path, name: str, content: Content, line: int | None, reason: str) -> None:
    _check(tmp_path, name, content, line, reason)


# ---- TSPLIB .tour ------------------------------------------------------------------------------
TOUR = "NAME : t\nTYPE : TOUR\nDIMENSION : 3\nTOUR_SECTION\n1\n3\n2\n-1\nEOF\n"

TOUR_CASES = [
    _case("type-wrong", "t.tour", _edit(TOUR, ": TOUR", ": TSP"), 2, "TYPE is 'TSP', expected TOUR"),
    _case(
        "section-missing",
        "t.tour",
        "NAME : t\nTYPE : TOUR\nDIMENSION : 3\nEOF\n",
        4,
        "missing TOUR_SECTION (a tour file lists its nodes there)",
    ),
    _case(
        "section-missing-no-eof",
        "t.tour",
        "NAME : t\nTYPE : TOUR\nDIMENSION : 3\n",
        3,
        "missing TOUR_SECTION (a tour file lists its nodes there)",
    ),
    _case("node-underscore", "t.tour", _edit(TOUR, "3\n2\n", "3\n1_0\n"), 7, "TOUR_SECTION: '1_0' is not an integer"),
    _case("node-outside", "t.tour", _edit(TOUR, "3\n2\n", "3\n4\n"), 7, "TOUR_SECTION: node 4 is outside 1..3"),
    _case(
        "node-twice",
        "t.tour",
        _edit(TOUR, "3\n2\n", "3\n3\n"),
        7,
        "TOUR_SECTION: node 3 appears twice (first at line 6)",
    ),
    _case("too-short", "t.tour", _edit(TOUR, "3\n2\n", "3\n"), 7, "TOUR_SECTION visits 2 nodes but DIMENSION is 3"),
    _case(
        "no-dimension-node-outside",
        "t.tour",
        _edit(_edit(TOUR, "DIMENSION : 3\n", ""), "3\n2\n", "5\n2\n"),
        5,
        "TOUR_SECTION: node 5 is outside 1..3",
    ),
    _case("dimension-zero", "t.tour", _edit(TOUR, ": 3", ": 0"), 3, "DIMENSION must be positive, got '0'"),
]


@pytest.mark.parametrize("name, content, line, reason", TOUR_CASES)
def test_tour_errors(tmp_path: Path, name: str, content: Content, line: int | None, reason: str) -> None:
    _check(tmp_path, name, content, line, reason, reader=read_tour)


# ---- VRPLIB .vrp and .sol ----------------------------------------------------------------------
VRP = (
    "NAME : v\nTYPE : CVRP\nDIMENSION : 3\nEDGE_WEIGHT_TYPE : EUC_2D\nCAPACITY : 10\nNODE_COORD_SECTION\n"
    "1 0 0\n2 3 4\n3 6 8\nDEMAND_SECTION\n1 0\n2 4\n3 5\nDEPOT_SECTION\n1\n-1\nEOF\n"
)

VRP_CASES = [
    _case("type-wrong", "v.vrp", _edit(VRP, ": CVRP", ": ACVRP"), 2, "TYPE is 'ACVRP', expected CVRP"),
    _case("type-empty", "v.vrp", _edit(VRP, ": CVRP", ":"), 2, "TYPE is empty, expected CVRP"),
    _case("capacity-missing", "v.vrp", _edit(VRP, "CAPACITY : 10\n", ""), 5, "missing CAPACITY"),
    _case("capacity-zero", "v.vrp", _edit(VRP, ": 10", ": 0"), 5, "CAPACITY must be positive, got '0'"),
    _case(
        "capacity-fraction",
        "v.vrp",
        _edit(VRP, ": 10", ": 10.5"),
        5,
        "CAPACITY: '10.5' is not an integer (this field takes integers only)",
    ),
    _case(
        "demands-missing",
        "v.vrp",
        _edit(VRP, "DEMAND_SECTION\n1 0\n2 4\n3 5\n", ""),
        13,
        "missing DEMAND_SECTION (every CVRP needs the customers' demands)",
    ),
    _case(
        "demand-row-width",
        "v.vrp",
        _edit(VRP, "3 5\n", "3 5 1\n"),
        13,
        "DEMAND_SECTION: expected 2 values (node demand), found 3",
    ),
    _case(
        "demand-fraction",
        "v.vrp",
        _edit(VRP, "2 4\n", "2 4.5\n"),
        12,
        "DEMAND_SECTION: '4.5' is not an integer (this field takes integers only)",
    ),
    _case(
        "demand-node-missing",
        "v.vrp",
        _edit(VRP, "2 4\n", ""),
        10,
        "DEMAND_SECTION lists 2 nodes but DIMENSION is 3: node 2 is missing",
    ),
    _case(
        "depot-missing",
        "v.vrp",
        _edit(VRP, "DEPOT_SECTION\n1\n-1\n", ""),
        14,
        "missing DEPOT_SECTION (every CVRP needs its depot)",
    ),
    _case(
        "depot-none", "v.vrp", _edit(VRP, "DEPOT_SECTION\n1\n", "DEPOT_SECTION\n"), 14, "DEPOT_SECTION lists no depot"
    ),
    _case(
        "depot-fraction",
        "v.vrp",
        _edit(VRP, "DEPOT_SECTION\n1\n", "DEPOT_SECTION\n1.0\n"),
        15,
        "DEPOT_SECTION: '1.0' is not an integer (this field takes integers only)",
    ),
    _case(
        "depot-outside",
        "v.vrp",
        _edit(VRP, "DEPOT_SECTION\n1\n", "DEPOT_SECTION\n7\n"),
        15,
        "DEPOT_SECTION: node 7 is outside 1..3",
    ),
    _case(
        "depot-twice",
        "v.vrp",
        _edit(VRP, "DEPOT_SECTION\n1\n", "DEPOT_SECTION\n1\n1\n"),
        16,
        "DEPOT_SECTION: node 1 appears twice (first at line 15)",
    ),
    _case(
        "vehicles-zero",
        "v.vrp",
        _edit(VRP, "CAPACITY", "VEHICLES : 0\nCAPACITY"),
        5,
        "VEHICLES must be positive, got '0'",
    ),
    _case(
        "vehicles-word",
        "v.vrp",
        _edit(VRP, "CAPACITY", "VEHICLES : two\nCAPACITY"),
        5,
        "VEHICLES: 'two' is not an integer",
    ),
    _case(
        "coordinates-missing",
        "v.vrp",
        _edit(VRP, "NODE_COORD_SECTION\n1 0 0\n2 3 4\n3 6 8\n", ""),
        4,
        "missing NODE_COORD_SECTION (needed for EDGE_WEIGHT_TYPE EUC_2D)",
    ),
    # what the problem class refuses too, checked by the reader, which knows the line
    _case(
        "one-node",
        "v.vrp",
        "NAME : v\nTYPE : CVRP\nDIMENSION : 1\nEDGE_WEIGHT_TYPE : EUC_2D\nCAPACITY : 10\n"
        "NODE_COORD_SECTION\n1 0 0\nDEMAND_SECTION\n1 0\nDEPOT_SECTION\n1\n-1\nEOF\n",
        3,
        "DIMENSION is 1: a CVRP needs at least 2 nodes",
    ),
    _case(
        "demand-over-capacity",
        "v.vrp",
        _edit(VRP, "3 5\n", "3 50\n"),
        13,
        "DEMAND_SECTION: demand is 50, more than the CAPACITY 10",
    ),
    _case(
        "depot-demand", "v.vrp", _edit(VRP, "1 0\n", "1 3\n"), 11, "DEMAND_SECTION: the depot's demand is 3, must be 0"
    ),
    _case("negative-demand", "v.vrp", _edit(VRP, "2 4\n", "2 -4\n"), 12, "DEMAND_SECTION: demand is -4, must be >= 0"),
    _case(
        "demand-rows-out-of-order",
        "v.vrp",
        _edit(VRP, "1 0\n2 4\n3 5\n", "3 50\n1 0\n2 4\n"),
        11,
        "DEMAND_SECTION: demand is 50, more than the CAPACITY 10",
    ),
]


@pytest.mark.parametrize("name, content, line, reason", VRP_CASES)
def test_vrp_errors(tmp_path: Path, name: str, content: Content, line: int | None, reason: str) -> None:
    _check(tmp_path, name, content, line, reason)


SOL_CASES = [
    _case(
        "route-without-colon", "x.sol", "Route #1: 1\nRoute #2 2 3\n", 2, "expected 'Route #k: customer customer ...'"
    ),
    _case("customer-word", "x.sol", "Route #1: 1 x\n", 1, "route: 'x' is not an integer"),
    _case("customer-zero", "x.sol", "Route #1: 1 0 2\n", 1, "route: customer 0 is not a positive number"),
    _case("no-routes", "x.sol", "Cost 10\n", 1, "no 'Route #k:' lines: not a CVRPLIB solution file"),
]


@pytest.mark.parametrize("name, content, line, reason", SOL_CASES)
def test_cvrp_solution_errors(tmp_path: Path, name: str, content: Content, line: int | None, reason: str) -> None:
    _check(tmp_path, name, content, line, reason, reader=read_cvrp_solution)


# ---- job shop ----------------------------------------------------------------------------------
JSS = "2 3\n0 1 1 2 2 3\n2 4 0 5 1 6\n"
PLAIN = "2 3\n5 6 7\n1 2 3\n3 1 2\n1 2 3\n"
LABELED = "Nb of jobs, Nb of Machines\n2 3\nTimes\n5 6 7\n1 2 3\nMachines\n3 1 2\n1 2 3\n"
INT64_MAX = np.iinfo(np.int64).max

JOBSHOP_CASES = [
    _case("empty-file", "j.jss", "# only a comment\n", 1, "empty file: expected a line 'jobs machines'"),
    _case("header-one-value", "j.jss", _edit(JSS, "2 3\n", "2\n"), 1, "expected a line 'jobs machines', found '2'"),
    _case("header-word", "j.jss", _edit(JSS, "2 3\n", "2 x\n"), 1, "header 'jobs machines': 'x' is not an integer"),
    _case(
        "header-zero",
        "j.jss",
        _edit(JSS, "2 3\n", "0 3\n"),
        1,
        "header: 0 jobs and 3 machines, both must be at least 1",
    ),
    _case(
        "header-too-large",
        "j.jss",
        _edit(JSS, "2 3\n", "1001 1000\n"),
        1,
        "header: 1001 jobs x 1000 machines is more than the 1000000 operations omnisolve reads",
    ),
    _case(
        "more-jobs",
        "j.jss",
        "# c\n1 3\n0 1 1 2 2 3\n0 1 1 2 2 3\n",
        4,
        "job lines: more than the 1 rows announced on line 2",
    ),
    _case(
        "fewer-jobs", "j.jss", _edit(JSS, "2 3\n", "3 3\n"), 3, "job lines: only 2 of the 3 rows announced on line 1"
    ),
    _case("no-jobs", "j.jss", "3 3\n", 1, "job lines: only 0 of the 3 rows announced on line 1"),
    _case(
        "pair-count",
        "j.jss",
        _edit(JSS, "2 4 0 5 1 6", "2 4 0 5 1"),
        3,
        "expected 3 'machine time' pairs (6 values), found 5 values",
    ),
    _case("standard-word", "j.jss", _edit(JSS, "2 4 0 5", "2 4 x 5"), 3, "job line: 'x' is not an integer"),
    _case(
        "standard-1e15",
        "j.jss",
        _edit(JSS, "2 4 0 5", "2 1000000000000000 0 5"),
        3,
        "job line: '1000000000000000' is out of range (|value| must be below 1e+15)",
    ),
    _case("standard-machine", "j.jss", _edit(JSS, "2 4 0 5", "3 4 0 5"), 3, "machine 3 outside 0..2"),
    _case("standard-time", "j.jss", _edit(JSS, "2 4 0 5", "2 -4 0 5"), 3, f"processing time -4 outside 0..{INT64_MAX}"),
    _case("plain-times-word", "j.jss", _edit(PLAIN, "1 2 3\n3", "1 x 3\n3"), 3, "Times row: 'x' is not an integer"),
    _case("plain-machines-word", "j.jss", _edit(PLAIN, "3 1 2", "3 x 2"), 4, "Machines row: 'x' is not an integer"),
    _case("plain-machine-zero", "j.jss", _edit(PLAIN, "3 1 2", "3 0 2"), 4, "machine 0 outside 1..3"),
    _case("plain-time", "j.jss", _edit(PLAIN, "5 6 7", "5 -6 7"), 2, f"processing time -6 outside 0..{INT64_MAX}"),
    _case(
        "labeled-no-machines", "j.jss", _edit(LABELED, "\nMachines\n", "\n"), 7, "Taillard format: no 'Machines' line"
    ),
    _case("labeled-no-times", "j.jss", _edit(LABELED, "Times\n", ""), 7, "Taillard format: no 'Times' line"),
    _case(
        "labeled-machines-first",
        "j.jss",
        "2 3\nMachines\n5 6 7\n1 2 3\nTimes\n3 1 2\n1 2 3\n",
        2,
        "Taillard format: 'Machines' comes before 'Times'",
    ),
    _case(
        "labeled-no-header",
        "j.jss",
        _edit(LABELED, "2 3\n", ""),
        2,
        "Taillard format: no line 'jobs machines' before 'Times'",
    ),
    _case(
        "labeled-two-headers",
        "j.jss",
        _edit(LABELED, "2 3\n", "2 3\n4 4\n"),
        3,
        "Taillard format: expected one line 'jobs machines' before 'Times'",
    ),
    _case(
        "labeled-times-width",
        "j.jss",
        _edit(LABELED, "1 2 3\nMachines", "1 2\nMachines"),
        5,
        "Times row: expected 3 values, found 2",
    ),
    _case(
        "labeled-machines-width",
        "j.jss",
        _edit(LABELED, "3 1 2\n1 2 3", "3 1 2\n1 2"),
        8,
        "Machines row: expected 3 values, found 2",
    ),
    _case(
        "labeled-fewer-times",
        "j.jss",
        _edit(LABELED, "1 2 3\nMachines", "Machines"),
        4,
        "Times: only 1 of the 2 rows announced on line 2",
    ),
    _case(
        "labeled-more-machines", "j.jss", LABELED + "2 3 1\n", 9, "Machines: more than the 2 rows announced on line 2"
    ),
]


@pytest.mark.parametrize("name, content, line, reason", JOBSHOP_CASES)
def test_jobshop_errors(tmp_path: Path, name: str, content: Content, line: int | None, reason: str) -> None:
    _check(tmp_path, name, content, line, reason)


# ---- knapsack ----------------------------------------------------------------------------------
KP = "3 10\n5 4\n6 5\n3 2\n"

KNAPSACK_CASES = [
    _case("empty-file", "k.kp", "\n", 1, "empty file: expected a line 'n capacity'"),
    _case(
        "header-three-values", "k.kp", _edit(KP, "3 10", "3 10 7"), 1, "expected a line 'n capacity', found 3 values"
    ),
    _case(
        "count-fraction",
        "k.kp",
        _edit(KP, "3 10", "3.5 10"),
        1,
        "item count n: '3.5' is not an integer (this field takes integers only)",
    ),
    _case("capacity-word", "k.kp", _edit(KP, "3 10", "3 ten"), 1, "capacity: 'ten' is not a finite number"),
    _case("count-zero", "k.kp", _edit(KP, "3 10", "0 10"), 1, "item count n is 0, must be at least 1"),
    _case(
        "count-too-large",
        "k.kp",
        _edit(KP, "3 10", "20000000 10"),
        1,
        "item count n is 20000000, more than the 10000000 items omnisolve reads",
    ),
    _case("more-items", "k.kp", KP + "# extra\n1 1\n", 6, "more than the 3 items announced on line 1"),
    _case("fewer-items", "k.kp", _edit(KP, "3 2\n", ""), 3, "file ends after 2 items; line 1 announces 3"),
    _case("no-items", "k.kp", "3 10\n", 1, "file ends after 0 items; line 1 announces 3"),
    _case("item-width", "k.kp", _edit(KP, "6 5", "6"), 3, "item 'value weight': expected 2 values, found 1"),
    _case("value-word", "k.kp", _edit(KP, "6 5", "x 5"), 3, "item value: 'x' is not a finite number"),
    _case(
        "weight-fraction",
        "k.kp",
        _edit(KP, "6 5", "6 4.5"),
        3,
        "item weight: '4.5' is not an integer (this field takes integers only)",
    ),
    # what the problem class refuses too, checked by the reader, which knows the line
    _case("negative-value", "k.kp", _edit(KP, "6 5", "-6 5"), 3, "item value is -6, must be >= 0"),
    _case("negative-weight", "k.kp", _edit(KP, "3 2", "3 -2"), 4, "item weight is -2, must be >= 0"),
    _case("negative-capacity", "k.kp", _edit(KP, "3 10", "3 -1"), 1, "capacity is -1, must be >= 0"),
]


@pytest.mark.parametrize("name, content, line, reason", KNAPSACK_CASES)
def test_knapsack_errors(tmp_path: Path, name: str, content: Content, line: int | None, reason: str) -> None:
    _check(tmp_path, name, content, line, reason)


# What the problem classes refuse too (`_text.construct` would report it without a line) is checked by
# the readers first, at the line at fault, as their docstrings promise.
LINE_MISSING = [
    pytest.param("t.tsp", _edit(_edit(TSP, ": 3", ": 1"), "2 3 4\n3 6 8\n", ""), 3, id="tsp-one-node"),
    pytest.param("t.tsp", _edit(EXPLICIT, "1 2\n3\n", "1 -2\n3\n"), 7, id="tsp-negative-distance"),
    pytest.param("v.vrp", _edit(VRP, "3 5\n", "3 50\n"), 13, id="vrp-demand-over-capacity"),
    pytest.param("v.vrp", _edit(VRP, "1 0\n", "1 3\n"), 11, id="vrp-depot-demand"),
    pytest.param("v.vrp", _edit(VRP, "2 4\n", "2 -4\n"), 12, id="vrp-negative-demand"),
    pytest.param("k.kp", _edit(KP, "6 5", "-6 5"), 3, id="kp-negative-value"),
    pytest.param("k.kp", _edit(KP, "3 10", "3 -1"), 1, id="kp-negative-capacity"),
]


@pytest.mark.parametrize("name, content, line", LINE_MISSING)
def test_problem_check_names_the_line(tmp_path: Path, name: str, content: str, line: int) -> None:
    error = _refusal(_put(tmp_path, name, content))
    assert isinstance(error, InputError) and error.line == line


# ---- JSON --------------------------------------------------------------------------------------
def _doc(fmt: str, **fields: Any) -> str:
    return json.dumps({"omnisolve_format": fmt, "version": 1, **fields})


X_Y = [{"name": "x"}, {"name": "y"}]
NAMES = "continuous, integer, binary, semicontinuous, semiinteger"
COEFFICIENTS = "expected {variable: coefficient}, [[variable, coefficient], ...] or a list of numbers"
SQUARE = [[0, 1, 2], [1, 0, 3], [2, 3, 0]]


def _model(**fields: Any) -> str:
    return _doc("model", **{"variables": X_Y, **fields})


def _linear(value: Any) -> str:
    return _model(objective={"linear": value})


JSON_CASES = [
    # reading the text (json_model.read_json, limits)
    _case("empty-file", "m.json", "  \n", 1, "empty file"),
    _case(
        "syntax",
        "m.json",
        '{\n "a": 1,,\n}',
        2,
        "invalid JSON: Expecting property name enclosed in double quotes (column 9)",
    ),
    _case("nested-too-deep", "m.json", "\n" + "[" * 65 + "]" * 65, 2, "JSON nested deeper than 64 levels"),
    _case(
        "number-too-long",
        "m.json",
        '{"a":\n' + "1" * 65 + "}",
        2,
        "JSON number '11111111111111111111'... (65 characters) is longer than 64 characters",
    ),
    _case("stray-byte", "m.json", b'{"a":\n \xff}', 2, "byte 0xff at offset 7 (column 2) is not UTF-8 text"),
    # the header (json_model.problem_from_dict)
    _case("not-an-object", "m.json", "[1]", None, 'expected a JSON object with an "omnisolve_format" field'),
    _case(
        "format-missing",
        "m.json",
        '{"version": 1}',
        None,
        "omnisolve_format: missing (expected one of model, tsp, cvrp, jobshop, knapsack)",
    ),
    _case(
        "format-number",
        "m.json",
        '{"omnisolve_format": 3, "version": 1}',
        None,
        "omnisolve_format: expected a string, got a number",
    ),
    _case(
        "format-unknown",
        "m.json",
        '{"omnisolve_format": "graph", "version": 1}',
        None,
        "omnisolve_format: 'graph' is not one of model, tsp, cvrp, jobshop, knapsack",
    ),
    _case(
        "version-missing",
        "m.json",
        '{"omnisolve_format": "model"}',
        None,
        "version: missing (this omnisolve reads version 1)",
    ),
    _case(
        "version-2",
        "m.json",
        '{"omnisolve_format": "Model", "version": 2}',
        None,
        "version: 'model' format version 2 is not supported; this omnisolve reads version 1",
    ),
    _case(
        "version-float",
        "m.json",
        '{"omnisolve_format": "tsp", "version": 1.0}',
        None,
        "version: 'tsp' format version 1.0 is not supported; this omnisolve reads version 1",
    ),
    # a model (json_model._model_from_dict and _json_fields.Fields)
    _case(
        "model-unknown-field",
        "m.json",
        _model(objectiv={}),
        None,
        "objectiv: unknown field (expected variables, name, objective, constraints, quadratic_constraints)",
    ),
    _case("variables-missing", "m.json", _doc("model"), None, "variables: missing"),
    _case("variables-object", "m.json", _doc("model", variables={}), None, "variables: expected a list, got an object"),
    _case("variables-empty", "m.json", _doc("model", variables=[]), None, "variables: needs at least 1 entry"),
    _case(
        "variable-string",
        "m.json",
        _doc("model", variables=["x"]),
        None,
        "variables[0]: expected an object, got a string",
    ),
    _case(
        "variable-unknown-field",
        "m.json",
        _doc("model", variables=[{"kind": "x"}]),
        None,
        "variables[0].kind: unknown field (expected name, lb, ub, type)",
    ),
    _case(
        "variable-type",
        "m.json",
        _doc("model", variables=[{"type": "real"}]),
        None,
        f"variables[0].type: 'real' is not one of {NAMES}",
    ),
    _case(
        "variable-bound-word",
        "m.json",
        _doc("model", variables=[{"lb": "low"}]),
        None,
        'variables[0].lb: expected a number, null, "inf" or "-inf", got \'low\'',
    ),
    _case(
        "variable-bound-boolean",
        "m.json",
        _doc("model", variables=[{}, {"ub": True}]),
        None,
        'variables[1].ub: expected a number, null, "inf" or "-inf", got true',
    ),
    _case(
        "variable-bound-nan",
        "m.json",
        '{"omnisolve_format": "model", "version": 1, "variables": [{"ub": NaN}]}',
        None,
        'variables[0].ub: expected a number, null, "inf" or "-inf", got nan',
    ),
    _case(
        "variable-no-value",
        "m.json",
        _doc("model", variables=[{"lb": "inf"}]),
        None,
        "variables[0]: bounds [inf, inf] leave no value",
    ),
    _case(
        "variable-lb-above-ub",
        "m.json",
        _doc("model", variables=[{"lb": 3, "ub": 1.5}]),
        None,
        "variables[0]: lower bound 3 > upper bound 1.5",
    ),
    _case(
        "variable-binary-bounds",
        "m.json",
        _doc("model", variables=[{"type": "binary", "ub": 2}]),
        None,
        "variables[0]: a binary variable's bounds must lie within [0, 1], got [0, 2]",
    ),
    _case(
        "variable-semi-negative",
        "m.json",
        _doc("model", variables=[{"type": "semiinteger", "lb": -1, "ub": 4}]),
        None,
        "variables[0]: a semiinteger variable (0 or in [lb, ub]) needs lb >= 0, got -1",
    ),
    _case(
        "variable-name-number",
        "m.json",
        _doc("model", variables=[{"name": 7}]),
        None,
        "variables[0].name: expected a string, got a number",
    ),
    _case(
        "name-ambiguous",
        "m.json",
        _doc("model", variables=[{"name": "x"}, {"name": "x"}], constraints=[{"coefficients": {"x": 1}}]),
        None,
        "constraints[0].coefficients: variable name 'x' is ambiguous (several variables have it)",
    ),
    _case("name-unknown", "m.json", _linear({"z": 1}), None, "objective.linear: unknown variable 'z'"),
    _case("index-outside", "m.json", _linear([[5, 1]]), None, "objective.linear[0]: variable index 5 outside 0..1"),
    _case(
        "reference-float",
        "m.json",
        _linear([[1.5, 1]]),
        None,
        "objective.linear[0]: expected a variable name or index, got 1.5",
    ),
    _case(
        "pair-length",
        "m.json",
        _linear([["x", 1, 2]]),
        None,
        "objective.linear[0]: expected [variable, coefficient], got 3 values",
    ),
    _case(
        "pair-not-a-list", "m.json", _linear([["x", 1], 5]), None, "objective.linear[1]: expected a list, got a number"
    ),
    _case(
        "pair-twice",
        "m.json",
        _linear([["y", 1], [1, 2]]),
        None,
        "objective.linear: variable 'y' (index 1) appears twice",
    ),
    _case("dense-length", "m.json", _linear([1, 2, 3]), None, "objective.linear: has 3 entries, expected 2"),
    _case("dense-string", "m.json", _linear([1, "2"]), None, "objective.linear[1]: expected a number, got a string"),
    _case(
        "dense-infinite", "m.json", _linear([1, 1e400]), None, "objective.linear[1]: expected a finite number, got inf"
    ),
    _case(
        "dense-1e15",
        "m.json",
        _linear([1e15, 1]),
        None,
        "objective.linear[0]: 1000000000000000.0 is out of range (|value| must be below 1e+15)",
    ),
    _case("coefficients-string", "m.json", _linear("x"), None, f"objective.linear: {COEFFICIENTS}"),
    _case(
        "coefficient-string",
        "m.json",
        _linear({"x": "2"}),
        None,
        "objective.linear.x: expected a finite number, got '2'",
    ),
    _case(
        "coefficient-1e16",
        "m.json",
        _linear({"y": 1e16}),
        None,
        "objective.linear.y: 1e+16 is out of range (|value| must be below 1e+15)",
    ),
    _case("objective-list", "m.json", _model(objective=[]), None, "objective: expected an object, got a list"),
    _case(
        "objective-unknown-field",
        "m.json",
        _model(objective={"goal": "min"}),
        None,
        "objective.goal: unknown field (expected sense, constant, linear, quadratic)",
    ),
    _case(
        "sense",
        "m.json",
        _model(objective={"sense": "up"}),
        None,
        "objective.sense: 'up' is not one of min, minimize, max, maximize",
    ),
    _case(
        "constant-null",
        "m.json",
        _model(objective={"constant": None}),
        None,
        "objective.constant: expected a finite number, got null",
    ),
    _case(
        "quadratic-object",
        "m.json",
        _model(objective={"quadratic": {}}),
        None,
        "objective.quadratic: expected a list, got an object",
    ),
    _case(
        "quadratic-term-length",
        "m.json",
        _model(objective={"quadratic": [["x", 1]]}),
        None,
        "objective.quadratic[0]: expected [variable, variable, coefficient], got 2 values",
    ),
    _case("constraints-object", "m.json", _model(constraints={}), None, "constraints: expected a list, got an object"),
    _case(
        "constraint-unknown-field",
        "m.json",
        _model(constraints=[{"coefficients": {}, "rhs": 1}]),
        None,
        "constraints[0].rhs: unknown field (expected coefficients, name, lb, ub)",
    ),
    _case(
        "constraint-coefficients-missing",
        "m.json",
        _model(constraints=[{"ub": 1}]),
        None,
        "constraints[0].coefficients: missing",
    ),
    _case(
        "constraint-bounds",
        "m.json",
        _model(constraints=[{"coefficients": {}}, {"coefficients": {}, "lb": 3, "ub": 1}]),
        None,
        "constraints[1]: bounds [3, 1] leave no value",
    ),
    _case(
        "constraint-name",
        "m.json",
        _model(constraints=[{"coefficients": {}, "name": ["c"]}]),
        None,
        "constraints[0].name: expected a string, got a list",
    ),
    _case(
        "quadratic-constraint-missing",
        "m.json",
        _model(quadratic_constraints=[{"linear": {}}]),
        None,
        "quadratic_constraints[0].quadratic: missing",
    ),
    _case(
        "quadratic-constraint-bounds",
        "m.json",
        _model(quadratic_constraints=[{"quadratic": [], "ub": "-inf"}]),
        None,
        "quadratic_constraints[0]: bounds [-inf, -inf] leave no value",
    ),
    _case(
        "quadratic-constraint-variable",
        "m.json",
        _model(quadratic_constraints=[{"quadratic": [["x", "z", 1]]}]),
        None,
        "quadratic_constraints[0].quadratic[0]: unknown variable 'z'",
    ),
    _case("model-name", "m.json", _model(name=None), None, "name: expected a string, got null"),
    # structured problems (json_structured)
    _case(
        "tsp-unknown-field",
        "t.json",
        _doc("tsp", nodes=3),
        None,
        "nodes: unknown field (expected name, edge_weight_type, coords, distances)",
    ),
    _case(
        "tsp-edge-weight-type",
        "t.json",
        _doc("tsp", edge_weight_type="EUC_3D"),
        None,
        "edge_weight_type: 'EUC_3D' is not one of euc_2d, ceil_2d, man_2d, max_2d, att, geo, explicit",
    ),
    _case(
        "tsp-coords-string",
        "t.json",
        _doc("tsp", edge_weight_type="GEO", coords="a"),
        None,
        "coords: expected a list, got a string",
    ),
    _case(
        "tsp-coords-empty",
        "t.json",
        _doc("tsp", edge_weight_type="GEO", coords=[]),
        None,
        "coords: needs at least 1 entry",
    ),
    _case(
        "tsp-coords-width",
        "t.json",
        _doc("tsp", edge_weight_type="ATT", coords=[[0, 0], [1, 2, 3]]),
        None,
        "coords[1]: has 3 entries, expected 2",
    ),
    _case(
        "tsp-coords-1e12",
        "t.json",
        _doc("tsp", edge_weight_type="ATT", coords=[[0, 0], [1e12, 0]]),
        None,
        "coords[1][0]: 1000000000000.0 is out of range (|value| must be below 1e+12)",
    ),
    _case(
        "tsp-coords-dense-matrix",
        "t.json",
        _doc("tsp", coords=[[0, 0]] * 23171, distances=[[0]]),  # a rule without distances: no matrix
        None,
        "coords: 23171 nodes need a dense 23171 x 23171 distance matrix of 4.0 GiB; omnisolve holds at most 4 GiB "
        "(23170 nodes)",
    ),
    _case(
        "tsp-distances-rows",
        "t.json",
        _doc("tsp", coords=[[0, 0]] * 3, distances=SQUARE[:2]),
        None,
        "distances: has 2 rows, expected 3",
    ),
    _case(
        "tsp-distances-row-length",
        "t.json",
        _doc("tsp", distances=[[0, 1, 2], [1, 0], [2, 3, 0]]),
        None,
        "distances[1]: has 2 entries, expected 3",
    ),
    _case("tsp-distances-empty", "t.json", _doc("tsp", distances=[]), None, "distances: needs at least 1 entry"),
    _case(
        "tsp-distances-missing",
        "t.json",
        _doc("tsp", coords=[[0, 0], [1, 1]]),
        None,
        "distances: missing (needed when edge_weight_type is EXPLICIT)",
    ),
    _case(
        "tsp-coords-missing",
        "t.json",
        _doc("tsp", edge_weight_type="ceil_2d"),
        None,
        "coords: missing (needed to compute CEIL_2D distances)",
    ),
    _case("tsp-name", "t.json", _doc("tsp", distances=SQUARE, name=1), None, "name: expected a string, got a number"),
    _case("tsp-one-node", "t.json", _doc("tsp", distances=[[0]]), None, "TSP 'tsp': needs at least 2 nodes, got 1"),
    _case(
        "tsp-negative-distance",
        "t.json",
        _doc("tsp", distances=[[0, -1], [1, 0]]),
        None,
        "TSP 'tsp': distances[0, 1] is -1, must be >= 0",
    ),
    _case(
        "cvrp-capacity-missing", "c.json", _doc("cvrp", demands=[0, 1, 2], distances=SQUARE), None, "capacity: missing"
    ),
    _case(
        "cvrp-demands-length",
        "c.json",
        _doc("cvrp", capacity=5, demands=[0, 1], distances=SQUARE),
        None,
        "demands: has 2 entries, expected 3",
    ),
    _case(
        "cvrp-capacity-string",
        "c.json",
        _doc("cvrp", capacity="ten", demands=[0, 1, 2], distances=SQUARE),
        None,
        "capacity: expected a finite number, got 'ten'",
    ),
    _case(
        "cvrp-depot-fraction",
        "c.json",
        _doc("cvrp", capacity=5, demands=[0, 1, 2], distances=SQUARE, depot=0.5),
        None,
        "depot: expected an integer, got 0.5",
    ),
    _case(
        "cvrp-depot-negative",
        "c.json",
        _doc("cvrp", capacity=5, demands=[0, 1, 2], distances=SQUARE, depot=-1),
        None,
        "depot: must be at least 0, got -1",
    ),
    _case(
        "cvrp-depot-outside",
        "c.json",
        _doc("cvrp", capacity=5, demands=[0, 1, 2], distances=SQUARE, depot=5),
        None,
        "CVRP 'cvrp': depot 5 is not a node (0..2)",
    ),
    _case(
        "cvrp-vehicles-zero",
        "c.json",
        _doc("cvrp", capacity=5, demands=[0, 1, 2], distances=SQUARE, num_vehicles=0),
        None,
        "num_vehicles: must be at least 1, got 0",
    ),
    _case(
        "cvrp-vehicles-1e15",
        "c.json",
        _doc("cvrp", capacity=5, demands=[0, 1, 2], distances=SQUARE, num_vehicles=10**15),
        None,
        "num_vehicles: 1000000000000000 is out of range (|value| must be below 1e+15)",
    ),
    _case(
        "cvrp-capacity-zero",
        "c.json",
        _doc("cvrp", capacity=0, demands=[0, 1, 2], distances=SQUARE),
        None,
        "CVRP 'cvrp': capacity is 0, must be positive",
    ),
    _case(
        "cvrp-demand-over-capacity",
        "c.json",
        _doc("cvrp", capacity=5, demands=[0, 1, 20], distances=SQUARE),
        None,
        "CVRP 'cvrp': demands[2] is 20, more than the capacity 5",
    ),
    _case("jobshop-jobs-missing", "j.json", _doc("jobshop"), None, "jobs: missing"),
    _case("jobshop-jobs-empty", "j.json", _doc("jobshop", jobs=[]), None, "jobs: needs at least 1 entry"),
    _case("jobshop-job-empty", "j.json", _doc("jobshop", jobs=[[[0, 1]], []]), None, "jobs[1]: needs at least 1 entry"),
    _case(
        "jobshop-operation-number",
        "j.json",
        _doc("jobshop", jobs=[[5]]),
        None,
        "jobs[0][0]: expected a list, got a number",
    ),
    _case(
        "jobshop-operation-length",
        "j.json",
        _doc("jobshop", jobs=[[[0, 1], [1]]]),
        None,
        "jobs[0][1]: expected [machine, duration], got 1 values",
    ),
    _case(
        "jobshop-machine-negative",
        "j.json",
        _doc("jobshop", jobs=[[[-1, 1]]]),
        None,
        "jobs[0][0][0]: must be at least 0, got -1",
    ),
    _case(
        "jobshop-duration-fraction",
        "j.json",
        _doc("jobshop", jobs=[[[0, 2.5]]]),
        None,
        "jobs[0][0][1]: expected an integer, got 2.5",
    ),
    _case("knapsack-values-missing", "k.json", _doc("knapsack", capacity=3, weights=[1]), None, "values: missing"),
    _case(
        "knapsack-values-number",
        "k.json",
        _doc("knapsack", capacity=3, values=1, weights=[1]),
        None,
        "values: expected a list, got a number",
    ),
    _case(
        "knapsack-weights-length",
        "k.json",
        _doc("knapsack", capacity=3, values=[1, 2], weights=[1]),
        None,
        "weights: has 1 entries, expected 2",
    ),
    _case(
        "knapsack-no-items",
        "k.json",
        _doc("knapsack", capacity=3, values=[], weights=[]),
        None,
        "Knapsack 'knapsack': needs at least one item",
    ),
    _case(
        "knapsack-negative-weight",
        "k.json",
        _doc("knapsack", capacity=3, values=[1, 2], weights=[1, -2]),
        None,
        "Knapsack 'knapsack': weights[1] is -2, must be >= 0",
    ),
]


@pytest.mark.parametrize("name, content, line, reason", JSON_CASES)
def test_json_errors(tmp_path: Path, name: str, content: Content, line: int | None, reason: str) -> None:
    _check(tmp_path, name, content, line, reason)


# ---- MPS (mps_scan.MpsScanner, then HiGHS) -----------------------------------------------------
MPS = (
    "NAME tiny\nROWS\n N cost\n L cap\nCOLUMNS\n x cost 1 cap 1\n y cost 2 cap 1\nRHS\n RHS cap 10\n"
    "BOUNDS\n UP BND x 4\nENDATA\n"
)


def _shape(section: str, form: str, line: str) -> str:
    fields = len(line.split())
    return f"{section}: expected '{form}', got {fields} fields in {line!r} (names with spaces are not supported)"


MPS_CASES = [
    _case(
        "stray-byte",
        "m.mps",
        MPS.encode().replace(b" y cost", b" y\xff cost"),
        7,
        "byte 0xff at column 3 is not UTF-8 text",
    ),
    _case("control-character", "m.mps", _edit(MPS, " y cost", " y\x02cost"), 7, "control character 0x02 at column 3"),
    _case(
        "indented-comment",
        "m.mps",
        _edit(MPS, "COLUMNS\n", "COLUMNS\n * note\n"),
        6,
        "a comment must start with '*' in the first column; HiGHS reads an indented '*' line as data",
    ),
    _case(
        "objsense-on-one-line",
        "m.mps",
        _edit(MPS, "ROWS\n", "OBJSENSE MAXIMIZE\nROWS\n"),
        2,
        "OBJSENSE MAXIMIZE: HiGHS reads only MAX or MIN on the OBJSENSE line (it would minimize); write MAX or MIN, "
        "or put the sense on the next line",
    ),
    _case(
        "objsense-section",
        "m.mps",
        _edit(MPS, "ROWS\n", "OBJSENSE\n    UP\nROWS\n"),
        3,
        "OBJSENSE section: expected MAX or MIN, got 'UP'",
    ),
    _case(
        "line-outside-sections",
        "m.mps",
        "junk\n" + MPS,
        1,
        "line outside any section (starts with 'junk'); HiGHS would ignore it",
    ),
    _case(
        "line-after-name",
        "m.mps",
        _edit(MPS, "ROWS\n", "extra stuff\nROWS\n"),
        2,
        "unexpected line after NAME (starts with 'extra'); HiGHS would ignore it",
    ),
    _case("rows-shape", "m.mps", _edit(MPS, " L cap", " L cap extra"), 4, _shape("ROWS", "type name", "L cap extra")),
    _case("rows-twice", "m.mps", _edit(MPS, " L cap", " L cost"), 4, "ROWS: row 'cost' is defined twice"),
    _case(
        "columns-shape",
        "m.mps",
        _edit(MPS, " x cost 1 cap 1", " x cost 1 cap"),
        6,
        _shape("COLUMNS", "column row value [row value]", "x cost 1 cap"),
    ),
    _case(
        "column-again",
        "m.mps",
        _edit(MPS, "RHS\n", " x cap 3\nRHS\n"),
        8,
        "COLUMNS: column 'x' appears again after other columns; HiGHS would make it a second variable",
    ),
    _case(
        "column-row-undefined",
        "m.mps",
        _edit(MPS, "x cost 1 cap 1", "x cost 1 nope 1"),
        6,
        "COLUMNS: row 'nope' of column 'x' is not defined in ROWS",
    ),
    _case(
        "objective-nan",
        "m.mps",
        _edit(MPS, "x cost 1", "x cost nan"),
        6,
        "objective coefficient of 'x' in row 'cost': 'nan' is NaN",
    ),
    _case(
        "coefficient-word",
        "m.mps",
        _edit(MPS, "cap 1\n y", "cap abc\n y"),
        6,
        "coefficient of 'x' in row 'cap': 'abc' is not a number",
    ),
    _case(
        "coefficient-infinite",
        "m.mps",
        _edit(MPS, "cap 1\n y", "cap -inf\n y"),
        6,
        "coefficient of 'x' in row 'cap': '-inf' is infinite; it must be finite",
    ),
    _case(
        "objective-1e30",
        "m.mps",
        _edit(MPS, "y cost 2", "y cost 1e30"),
        7,
        "objective coefficient of 'y' in row 'cost': '1e30' is 1e+30, which HiGHS treats as infinite; "
        "it must be finite",
    ),
    _case(
        "coefficient-1e16",
        "m.mps",
        _edit(MPS, "cap 1\n y", "cap 1e16\n y"),
        6,
        "coefficient of 'x' in row 'cap': '1e16' is out of range (|value| must be below 1e+15, larger matrix values "
        "HiGHS refuses)",
    ),
    _case(
        "column-second-entry",
        "m.mps",
        _edit(MPS, "x cost 1 cap 1", "x cost 1 cost 3"),
        6,
        "COLUMNS: column 'x' has a second entry in row 'cost' (HiGHS would keep the first)",
    ),
    _case(
        "rhs-shape",
        "m.mps",
        _edit(MPS, " RHS cap 10", " RHS cap"),
        9,
        _shape("RHS", "[set] row value [row value]", "RHS cap"),
    ),
    _case(
        "rhs-row-undefined",
        "m.mps",
        _edit(MPS, " RHS cap 10", " RHS nope 10"),
        9,
        "RHS: row 'nope' is not defined in ROWS",
    ),
    _case(
        "rhs-free-row",
        "m.mps",
        _edit(_edit(MPS, " L cap", " L cap\n N free"), " RHS cap 10", " RHS free 7"),
        10,
        "RHS on free row 'free': HiGHS would take it as the objective constant",
    ),
    _case(
        "rhs-objective-infinite",
        "m.mps",
        _edit(MPS, " RHS cap 10", " RHS cap 10 cost inf"),
        9,
        "RHS of row 'cost' (the objective constant): 'inf' is infinite; it must be finite",
    ),
    _case(
        "rhs-malformed",
        "m.mps",
        _edit(MPS, " RHS cap 10", " RHS cap 1.2.3"),
        9,
        "RHS of row 'cap': '1.2.3' is not a number",
    ),
    _case(
        "rhs-second-value",
        "m.mps",
        _edit(MPS, " RHS cap 10", " RHS cap 10 cap 12"),
        9,
        "RHS: row 'cap' has a second value (HiGHS would keep the first)",
    ),
    _case(
        "ranges-shape",
        "m.mps",
        _edit(MPS, "BOUNDS\n", "RANGES\n RNG cap 4 extra\nBOUNDS\n"),
        11,
        _shape("RANGES", "[set] row value [row value]", "RNG cap 4 extra"),
    ),
    _case(
        "ranges-row-undefined",
        "m.mps",
        _edit(MPS, "BOUNDS\n", "RANGES\n RNG nope 4\nBOUNDS\n"),
        11,
        "RANGES: row 'nope' is not defined in ROWS",
    ),
    _case(
        "ranges-nan",
        "m.mps",
        _edit(MPS, "BOUNDS\n", "RANGES\n RNG cap NaN\nBOUNDS\n"),
        11,
        "RANGES of row 'cap': 'NaN' is NaN",
    ),
    _case(
        "ranges-second-value",
        "m.mps",
        _edit(MPS, "BOUNDS\n", "RANGES\n RNG cap 4\n RNG cap 5\nBOUNDS\n"),
        12,
        "RANGES: row 'cap' has a second value (HiGHS would keep the first)",
    ),
    _case(
        "bound-type",
        "m.mps",
        _edit(MPS, " UP BND x 4", " XX BND x 4"),
        11,
        "BOUNDS: bound type 'XX' is not one of UP LO FX FR MI PL BV LI UI SC SI",
    ),
    _case(
        "bound-shape",
        "m.mps",
        _edit(MPS, " UP BND x 4", " UP BND"),
        11,
        _shape("BOUNDS", "type [set] column [value]", "UP BND"),
    ),
    _case(
        "bound-no-value-shape",
        "m.mps",
        _edit(MPS, " UP BND x 4", " FR BND x 1 2"),
        11,
        _shape("BOUNDS", "type [set] column", "FR BND x 1 2"),
    ),
    _case(
        "bound-value-missing",
        "m.mps",
        _edit(MPS, " UP BND x 4", " UP BND x"),
        11,
        _shape("BOUNDS", "type [set] column value", "UP BND x"),
    ),
    _case(
        "bound-ignored-value",
        "m.mps",
        _edit(MPS, " UP BND x 4", " MI BND x abc"),
        11,
        "MI bound value of 'x': 'abc' is not a number",
    ),
    _case(
        "bound-word", "m.mps", _edit(MPS, " UP BND x 4", " UP x four"), 11, "UP bound of 'x': 'four' is not a number"
    ),
    _case(
        "bound-fixed-infinite",
        "m.mps",
        _edit(MPS, " UP BND x 4", " FX BND x inf"),
        11,
        "FX bound of 'x' is inf; a fixed value must be finite",
    ),
    _case(
        "bound-lower-1e30",
        "m.mps",
        _edit(MPS, " UP BND x 4", " LO BND x 1e30"),
        11,
        "LO bound of 'x' is 1e30: no value is left",
    ),
    _case(
        "bound-upper-minus-inf",
        "m.mps",
        _edit(MPS, " UP BND x 4", " UI BND x -inf"),
        11,
        "UI bound of 'x' is -inf: no value is left",
    ),
    _case(
        "bound-second-upper",
        "m.mps",
        _edit(MPS, " UP BND x 4", " UP BND x 4\n UP BND y 1\n UP BND x 5"),
        13,
        "BOUNDS: second upper bound for 'x' (first at line 11); HiGHS would keep the first",
    ),
    _case(
        "bound-second-lower",
        "m.mps",
        _edit(MPS, " UP BND x 4", " UP BND x 4\n LO BND x 1\n FX BND x 2"),
        13,
        "BOUNDS: second lower bound for 'x' (first at line 12); HiGHS would keep the first",
    ),
    _case(
        "bound-negative-upper",
        "m.mps",
        _edit(MPS, " UP BND x 4", " UP BND x -4\n UP BND y 3"),
        11,
        "BOUNDS: negative upper bound on 'x', which has no lower bound: HiGHS keeps lower bound 0 (infeasible), "
        "CPLEX uses -inf; add an LO or MI bound",
    ),
    _case(
        "quadobj-shape",
        "m.mps",
        _edit(MPS, "ENDATA", "QUADOBJ\n x x\nENDATA"),
        13,
        _shape("QUADOBJ", "column column value [column value]", "x x"),
    ),
    _case(
        "quadobj-column-undefined",
        "m.mps",
        _edit(MPS, "ENDATA", "QUADOBJ\n x x 2 z 1\nENDATA"),
        13,
        "quadratic objective: column 'z' is not defined in COLUMNS",
    ),
    _case(
        "qmatrix-infinite",
        "m.mps",
        _edit(MPS, "ENDATA", "QMATRIX\n x y 1 y infinity\nENDATA"),
        13,
        "quadratic objective coefficient: 'infinity' is infinite; it must be finite",
    ),
    # what HiGHS itself refuses (mps.read_mps)
    _case(
        "highs-parse-error",
        "m.mps",
        _edit(MPS, " L cap", " L cap\n X foo"),
        None,
        'cannot parse as MPS: Entry "X foo" in ROWS section of MPS file is unidentified; Parser error reading m.mps',
    ),
    _case(
        "highs-no-variables",
        "m.mps",
        "NAME t\nROWS\n N cost\nCOLUMNS\nENDATA\n",
        None,
        "cannot parse as MPS: no variables found",
    ),
    _case(
        "highs-row-no-value",
        "m.mps",
        _edit(_edit(MPS, " L cap", " G cap"), "cap 10", "cap inf"),
        None,
        "cannot parse as MPS: Row 0 (Row cap) has lower bound of inf >= 1e+20",
    ),
    _case(
        "semi-negative-lower",
        "m.mps",
        _edit(MPS, " UP BND x 4", " LO BND x -1\n SC BND x 5"),
        None,
        "semi-continuous/semi-integer variable x has a negative lower bound -1",
    ),
]


def test_one_line_cuts_long_quotations_only() -> None:
    """A quote after a word or a symbol (an apostrophe, or the end of a quotation such as '*') opens none."""
    long = "x" * 45
    assert one_line(f"token '{long}' is bad") == f"token '{long[:32]}...' (45 characters) is bad"
    assert one_line(f"got ['{long}', 1]") == f"got ['{long[:32]}...' (45 characters), 1]"
    kept = "HiGHS's reader reads '*' and the rest of the line, which is long enough to cut, as data: '*'"
    assert one_line(kept) == kept


@pytest.mark.parametrize("name, content, line, reason", MPS_CASES)
def test_mps_errors(tmp_path: Path, name: str, content: Content, line: int | None, reason: str) -> None:
    _check(tmp_path, name, content, line, reason)


# ---- LP (mps_scan.LpScanner, then HiGHS) -------------------------------------------------------
LP = "Minimize\n obj: x + 2 y\nSubject To\n c1: x + y >= 1\nBounds\n x <= 4\nEnd\n"
INFINITE = "in the objective, a coefficient or a constraint's left side; it must be finite"

LP_CASES = [
    _case("stray-byte", "m.lp", LP.encode().replace(b"c1:", b"c1\xc3:"), 4, "byte 0xc3 at column 4 is not UTF-8 text"),
    _case(
        "semicolon",
        "m.lp",
        _edit(LP, "2 y", "2 y;"),
        2,
        "';' is not part of HiGHS's LP format: HiGHS 1.16 refuses it, or reads it as part of a name; remove it",
    ),
    _case(
        "hexadecimal",
        "m.lp",
        _edit(LP, "2 y", "0x10 y"),
        2,
        "hexadecimal number '0x10' is not allowed (HiGHS 1.16 reads 0 times a name)",
    ),
    _case(
        "malformed-number",
        "m.lp",
        _edit(LP, "2 y", "3.5.y"),
        2,
        "malformed number '3.5.y' (HiGHS would read '3.5' followed by '.y'); "
        "put a space between a coefficient and a name",
    ),
    _case(
        "nan",
        "m.lp",
        _edit(LP, "x + y", "x + NaN y"),
        4,
        "NaN ('NaN') is not a number (HiGHS 1.16 reads it as a variable named NaN)",
    ),
    _case(
        "bare-inf",
        "m.lp",
        _edit(LP, "2 y", "2 y + inf"),
        2,
        f"infinite value 'inf' {INFINITE} (HiGHS 1.16 reads a bare 'inf' there as a variable name)",
    ),
    _case("coefficient-1e30", "m.lp", _edit(LP, "2 y", "1e30 y"), 2, f"infinite value '1e30' {INFINITE}"),
    _case(
        "coefficient-1e16",
        "m.lp",
        _edit(LP, "x + y", "1e16 x + y"),
        4,
        "coefficient '1e16' is out of range (|value| must be below 1e+15, larger matrix values HiGHS refuses)",
    ),
    _case(
        "left-constant",
        "m.lp",
        _edit(LP, "x + y >=", "x + y + 2 >="),
        4,
        "constant 2 on the left-hand side of a constraint: HiGHS 1.16 ignores it (with only a warning); move it to "
        "the right-hand side",
    ),
    _case(
        "left-constant-before-a-line-break",
        "m.lp",
        _edit(LP, "x + y >=", "x + y - 2.5\n >="),
        4,
        "constant 2.5 on the left-hand side of a constraint: HiGHS 1.16 ignores it (with only a warning); move it to "
        "the right-hand side",
    ),
    _case(
        "highs-parse-error",
        "m.lp",
        _edit(LP, "x + y", "x + ? y"),
        4,
        "cannot parse as LP: expected `+` or `-`, found `y`; Parser error reading m.lp",
    ),
    _case("highs-no-variables", "m.lp", "Minimize\n obj: 0\nEnd\n", None, "cannot parse as LP: no variables found"),
    _case(
        "highs-bound-no-value",
        "m.lp",
        _edit(LP, "x <= 4", "x >= inf"),
        None,
        "cannot parse as LP: Col 0 (Col x) has lower bound of inf >= 1e+20",
    ),
    # a file named otherwise is read through a link named .lp / .mps (io._read_mathprog)
    _case(
        "lp-by-content-scan",
        "model.txt",
        _edit(LP, "2 y", "2 y;"),
        2,
        "';' is not part of HiGHS's LP format: HiGHS 1.16 refuses it, or reads it as part of a name; remove it",
    ),
    _case(
        "mps-by-content-scan",
        "model.txt",
        _edit(MPS, "cap 10", "cap 1.2.3"),
        9,
        "RHS of row 'cap': '1.2.3' is not a number",
    ),
    _case(
        "lp-by-content-parse-error",
        "model.txt",
        _edit(LP, "x + y", "x + ? y"),
        4,
        "cannot parse as LP: expected `+` or `-`, found `y`; Parser error reading model.txt",
    ),
    _case(
        "mps-by-content-parse-error",
        "model.txt",
        _edit(MPS, " L cap", " L cap\n X foo"),
        None,
        'cannot parse as MPS: Entry "X foo" in ROWS section of MPS file is unidentified; Parser error reading '
        "model.txt",
    ),
]


@pytest.mark.parametrize("name, content, line, reason", LP_CASES)
def test_lp_errors(tmp_path: Path, name: str, content: Content, line: int | None, reason: str) -> None:
    _check(tmp_path, name, content, line, reason)


# ---- entry points: the file itself, not its content -------------------------------------------
def _loop(tmp_path: Path) -> Path:
    """A symbolic link to itself: open() fails with ELOOP, neither 'not found' nor 'a directory'."""
    path = tmp_path / "loop.tsp"
    os.symlink(path, path)
    return path


ENTRY_CASES = [
    pytest.param(lambda tmp: tmp, read, "not a regular file", id="read-directory"),
    pytest.param(
        lambda tmp: _put(tmp, "notes.md", "# notes\n"),
        read,
        "unknown file format; supported: .json, .mps, .lp, .mps.gz, .lp.gz, .tsp, .vrp, .kp, job-shop text "
        "(.txt, .jss)",
        id="read-unknown-format",
    ),
    pytest.param(
        lambda tmp: _put(tmp, "t.tour", "TYPE : TOUR\nTOUR_SECTION\n1\n-1\n"),
        read,
        "this is a TSPLIB tour, not a problem: read it with omnisolve.io.read_tour",
        id="read-tour-file",
    ),
    pytest.param(lambda tmp: tmp / "none.tsp", read_tsp, "file not found", id="reader-missing-file"),
    pytest.param(lambda tmp: tmp, read_tsp, "is a directory, not a file", id="reader-directory"),
    pytest.param(_loop, read_tsp, "cannot read the file: Too many levels of symbolic links", id="reader-unreadable"),
    pytest.param(lambda tmp: tmp / "none.mps", read_mps, "file not found", id="mps-missing-file"),
    pytest.param(
        lambda tmp: _put(tmp, "model.txt", MPS),
        read_mps,
        "MPS/LP file name must end in .mps, .lp, .mps.gz or .lp.gz",
        id="mps-extension",
    ),
    pytest.param(
        lambda tmp: _put(tmp, "m.mps.gz", b"not gzip"),
        read,
        "cannot decompress: Not a gzipped file (b'no')",
        id="gzip-not-gzip",
    ),
    pytest.param(
        lambda tmp: _put(tmp, "m.mps.gz", gzip.compress(MPS.encode())[:30]),
        read,
        "cannot decompress: Compressed file ended before the end-of-stream marker was reached",
        id="gzip-truncated",
    ),
]


@pytest.mark.parametrize("make, reader, reason", ENTRY_CASES)
def test_entry_point_errors(
    tmp_path: Path, make: Callable[[Path], Path], reader: Callable[[Path], Any], reason: str
) -> None:
    path = make(tmp_path)
    assert str(_refusal(path, reader)) == _expected(path, None, reason)


UNSUPPORTED_CASES = [
    pytest.param(
        _edit(VRP, "CAPACITY", "DISTANCE : 50\nCAPACITY"),
        5,
        "DISTANCE (a route length limit) is not supported by the CVRP model",
        id="vrp-distance",
    ),
    pytest.param(
        _edit(VRP, "CAPACITY", "SERVICE_TIME : 5\nCAPACITY"),
        5,
        "SERVICE_TIME (service times) is not supported by the CVRP model",
        id="vrp-service-time",
    ),
    pytest.param(
        _edit(VRP, "DEPOT_SECTION\n1\n", "DEPOT_SECTION\n1\n2\n"),
        14,
        "DEPOT_SECTION lists 2 depots; the CVRP model has a single depot",
        id="vrp-two-depots",
    ),
]


@pytest.mark.parametrize("content, line, reason", UNSUPPORTED_CASES)
def test_vrp_variants_are_unsupported(tmp_path: Path, content: str, line: int, reason: str) -> None:
    path = _put(tmp_path, "v.vrp", content)
    assert str(_refusal(path, error=UnsupportedError)) == f"{path}:{line}: {reason}"


# ---- what the readers parse --------------------------------------------------------------------
D4 = [[0, 10, 20, 30], [10, 0, 40, 50], [20, 40, 0, 60], [30, 50, 60, 0]]
SECTIONS = {  # each EDGE_WEIGHT_SECTION of D4 written by hand from the TSPLIB95 definitions
    "UPPER_ROW": "10 20 30\n40 50\n60",
    "UPPER_ROW-one-line": "10 20 30 40 50 60",
    "LOWER_ROW": "10\n20 40\n30 50 60",
    "UPPER_DIAG_ROW": "0 10 20 30\n0 40 50\n0 60\n0",
    "LOWER_DIAG_ROW": "0\n10 0\n20 40 0\n30 50 60 0",
    "UPPER_COL": "10\n20 40\n30 50 60",
    "LOWER_COL": "10 20 30\n40 50\n60",
    "UPPER_DIAG_COL": "0\n10 0\n20 40 0\n30 50 60 0",
    "LOWER_DIAG_COL": "0 10 20 30\n0 40 50\n0 60\n0",
}


@pytest.mark.parametrize("key", SECTIONS)
def test_explicit_formats_give_the_matrix(tmp_path: Path, key: str) -> None:
    fmt = key.split("-")[0]
    text = (
        f"NAME : e\nTYPE : TSP\nDIMENSION : 4\nEDGE_WEIGHT_TYPE : EXPLICIT\nEDGE_WEIGHT_FORMAT : {fmt}\n"
        f"EDGE_WEIGHT_SECTION\n{SECTIONS[key]}\nEOF\n"
    )
    p = read(_put(tmp_path, "e.tsp", text))
    assert p.distances.tolist() == D4 and p.edge_weight_type == "EXPLICIT" and p.n == 4


def test_full_matrix_is_kept_asymmetric_with_a_zero_diagonal(tmp_path: Path) -> None:
    # the diagonal is never used, whatever it holds: a large "forbidden" value, or even a negative one
    text = (
        "NAME : a\nTYPE : ATSP\nDIMENSION : 3\nEDGE_WEIGHT_TYPE : EXPLICIT\nEDGE_WEIGHT_FORMAT : FULL_MATRIX\n"
        "EDGE_WEIGHT_SECTION\n9999 1 2\n3 -1\n4 5 6 9999\nEOF\n"
    )
    assert read(_put(tmp_path, "a.atsp", text)).distances.tolist() == [[0, 1, 2], [3, 0, 4], [5, 6, 0]]


# Per TSPLIB95 sec. 2 with nint(x) = (int)(x + 0.5) (so 2.5 rounds up, not to even):
#   EUC_2D nint(sqrt(dx^2 + dy^2)); CEIL_2D ceil(sqrt(...)); MAN_2D nint(|dx| + |dy|);
#   MAX_2D max(nint(|dx|), nint(|dy|)); ATT r = sqrt((dx^2 + dy^2) / 10), nint(r) + 1 if nint(r) < r;
#   GEO DDD.MM with truncated degrees (toward zero), PI = 3.141592, RRR = 6378.388, (int)(RRR acos(...) + 1).
DISTANCE_CASES = [
    # (0,0)-(1.5,2): 2.5 -> 3; (0,0)-(4,2): 4.47 -> 4; (1.5,2)-(4,2): 2.5 -> 3
    pytest.param("EUC_2D", [(0, 0), (1.5, 2), (4, 2)], [[0, 3, 4], [3, 0, 3], [4, 3, 0]], id="EUC_2D"),
    # 1.41 -> 2; 3 -> 3; sqrt(5) = 2.24 -> 3
    pytest.param("CEIL_2D", [(0, 0), (1, 1), (3, 0)], [[0, 2, 3], [2, 0, 3], [3, 3, 0]], id="CEIL_2D"),
    # 0.5 + 2 = 2.5 -> 3; 3 + 1 = 4; 2.5 + 3 = 5.5 -> 6
    pytest.param("MAN_2D", [(0, 0), (0.5, 2), (3, -1)], [[0, 3, 4], [3, 0, 6], [4, 6, 0]], id="MAN_2D"),
    # max(nint 2.5, nint 1) = 3; max(3, nint 1.4) = 3; max(nint 0.5, nint 2.4) = max(1, 2) = 2
    pytest.param("MAX_2D", [(0, 0), (2.5, 1), (3, -1.4)], [[0, 3, 3], [3, 0, 2], [3, 2, 0]], id="MAX_2D"),
    # r = sqrt(10/10) = 1 -> 1; r = sqrt(100/10) = 3.16 -> 3 < r -> 4; r = sqrt(50/10) = 2.24 -> 2 < r -> 3
    pytest.param("ATT", [(0, 0), (3, 1), (10, 0)], [[0, 1, 4], [1, 0, 3], [4, 3, 0]], id="ATT"),
    # ulysses22's first three cities and Sydney (negative latitude); 39.57 has 57 minutes, where nint
    # of the degrees would differ from truncation
    pytest.param(
        "GEO",
        [(38.24, 20.42), (39.57, 26.15), (40.56, 25.32), (-33.52, 151.13)],
        [[0, 509, 501, 15614], [509, 0, 126, 15171], [501, 126, 0, 15249], [15614, 15171, 15249, 0]],
        id="GEO",
    ),
]


@pytest.mark.parametrize("kind, coords, expected", DISTANCE_CASES)
def test_distance_types_on_hand_computed_instances(
    tmp_path: Path, kind: str, coords: list[tuple[float, float]], expected: list[list[int]]
) -> None:
    nodes = "".join(f"{k} {x} {y}\n" for k, (x, y) in enumerate(coords, 1))
    text = (
        f"NAME : d\nTYPE : TSP\nDIMENSION : {len(coords)}\nEDGE_WEIGHT_TYPE : {kind}\nNODE_COORD_SECTION\n{nodes}EOF\n"
    )
    p = read(_put(tmp_path, "d.tsp", text))
    assert p.distances.tolist() == expected and p.edge_weight_type == kind
    assert p.coords.tolist() == [list(map(float, c)) for c in coords]


JOBSHOP_FORMATS = [
    pytest.param(
        "# two jobs\n2 2\n1 4 0 3   # job 0\n\n0 2 1 5\n",
        (((1, 4), (0, 3)), ((0, 2), (1, 5))),
        id="standard-with-comments",
    ),
    pytest.param(
        "3 2\n4 3\n2 5\n7 1\n2 1\n1 2\n2 1\n",
        (((1, 4), (0, 3)), ((0, 2), (1, 5)), ((1, 7), (0, 1))),
        id="taillard-plain",
    ),
    pytest.param(
        "instance x\n 3 2 11 22 100 90\n TIMES\n 4 3\n 2 5\n 7 1\nmachines\n 2 1\n 1 2\n 2 1\n",
        (((1, 4), (0, 3)), ((0, 2), (1, 5)), ((1, 7), (0, 1))),
        id="taillard-labeled-any-case",
    ),
]


@pytest.mark.parametrize("text, jobs", JOBSHOP_FORMATS)
def test_jobshop_formats_parse_exactly(tmp_path: Path, text: str, jobs: tuple) -> None:
    p = read(_put(tmp_path, "j.jss", text))
    assert p.jobs == jobs and p.num_machines == 2 and p.name == "j"


def test_knapsack_parses_exactly(tmp_path: Path) -> None:
    p = read(_put(tmp_path, "k.kp", "# items\n3 10.5\n5 4  # first\n\n6.25 5\n3 0\n"))
    assert (p.values.tolist(), p.weights.tolist(), p.capacity, p.name) == ([5, 6.25, 3], [4, 5, 0], 10.5, "k")
