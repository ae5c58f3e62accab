"""Behaviour of omnisolve.io that the mutation run (docs/mutation-io.md) found unpinned.

Public API only (`omnisolve.io.read` / `write`, the readers and writers, error messages and exit
codes): these tests also run against older code whose private names differ.
"""

from __future__ import annotations

import json

import pytest

from omnisolve import io
from omnisolve.errors import InputError, UnsupportedError
from omnisolve.io.mps import write_mps
from omnisolve.problems import JobShop, Knapsack


def _file(tmp_path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def _json(tmp_path, **doc) -> str:
    return _file(tmp_path, "p.json", json.dumps({"version": 1, **doc}))


def _refusal(path: str) -> InputError:
    with pytest.raises(InputError) as caught:
        io.read(path)
    return caught.value


def _model(tmp_path, **doc) -> str:
    return _json(tmp_path, omnisolve_format="model", **doc)


# ---- io.write / io/__init__.py


def test_write_unknown_extension_message(tmp_path):
    """write: the exact message and path for an extension it cannot map, exit code 2."""
    path = str(tmp_path / "m.xyz")
    with pytest.raises(InputError) as caught:
        io.write(Knapsack([1], [1], 1), path)
    assert caught.value.reason == (
        "cannot tell the output format from the extension; use .json, .mps, .lp, .kp (Knapsack) "
        "or .txt / .jss (JobShop)"
    )
    assert caught.value.path == path and caught.value.exit_code == 2


def test_write_upper_case_lp_and_jsp(tmp_path):
    """write: `.LP` is LP (the extension is compared in lower case); `.jsp` is the job-shop text."""
    shop = JobShop([[(0, 1), (1, 2)], [(1, 3), (0, 1)]], name="j")
    io.write(shop, tmp_path / "m.LP")
    assert "File written by HiGHS .lp file handler" in (tmp_path / "m.LP").read_text()
    io.write(shop, tmp_path / "m.jsp")
    assert (tmp_path / "m.jsp").read_text() == "2 2\n0 1 1 2\n1 3 0 1\n"


def test_write_wrong_kind_message(tmp_path):
    """_write_as: the refusal names the problem's kind (or its class) and the format's class."""
    shop = JobShop([[(0, 1)]])
    with pytest.raises(UnsupportedError) as caught:
        io.write(shop, str(tmp_path / "m.kp"))
    assert str(caught.value) == (
        f"{tmp_path / 'm.kp'}: a JobShop cannot be written in this format (it holds a Knapsack); use .json"
    )
    model = io.read(_model(tmp_path, variables=[{}]))
    with pytest.raises(UnsupportedError, match=r"m\.txt: a LP cannot be written in this format \(it holds a JobShop\)"):
        io.write(model, str(tmp_path / "m.txt"))


# ---- io/mps.py (write_mps)


def test_write_mps_refusals_name_the_file(tmp_path):
    """write_mps: each refusal's exact text, with the path as the error's `path`."""
    model = io.read(_model(tmp_path, variables=[{}]))
    cases = [
        (model, "x.mps.gz", "writing compressed MPS/LP is not supported; drop the .gz"),
        (
            io.read(_model(tmp_path, variables=[{}], quadratic_constraints=[{"ub": 1, "quadratic": [[0, 0, 1]]}])),
            "x.mps",
            "cannot write a QCP model: MPS/LP here holds linear rows and a quadratic objective only",
        ),
        (
            io.read(_model(tmp_path, variables=[{"name": "s", "lb": 1, "ub": 3, "type": "semiinteger"}])),
            "x.lp",
            "cannot write semi-integer variable s to LP: HiGHS's LP writer would drop its integrality "
            "(it lists it as semi-continuous only); write .mps",
        ),
    ]
    for data, name, reason in cases:
        path = str(tmp_path / name)
        with pytest.raises(InputError) as caught:
            write_mps(data, path)
        assert (caught.value.reason, caught.value.path) == (reason, path)


def test_write_mps_unwritable_path(tmp_path):
    """write_mps: a failed write says `cannot write LP: <HiGHS's reason>` for that path."""
    model = io.read(_model(tmp_path, variables=[{}]))
    path = str(tmp_path / "missing" / "x.lp")
    with pytest.raises(InputError) as caught:
        write_mps(model, path)
    assert caught.value.reason == f"cannot write LP: Cannot open file {path}"
    assert caught.value.path == path


# ---- io/json_model.py and io/_json_fields.py


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        (
            {"bogus": 1, "variables": [{}]},
            "bogus: unknown field (expected variables, name, objective, constraints, quadratic_constraints)",
        ),
        ({"variables": []}, "variables: needs at least 1 entry"),
        ({"variables": True}, "variables: expected a list, got a boolean"),
        (
            {"variables": [{}], "objective": {"quadratic": [[0, 0]]}},
            "objective.quadratic[0]: expected [variable, variable, coefficient], got 2 values",
        ),
        ({"variables": [{}], "objective": {"quadratic": [5]}}, "objective.quadratic[0]: expected a list, got a number"),
        (
            {"variables": [{}], "objective": {"quadratic": [[0, "q", 1]]}},
            "objective.quadratic[0]: unknown variable 'q'",
        ),
        (
            {"variables": [{}], "objective": {"quadratic": [["q", 0, 1]]}},
            "objective.quadratic[0]: unknown variable 'q'",
        ),
        (
            {"variables": [{}], "objective": {"quadratic": [[0, 0, "a"]]}},
            "objective.quadratic[0]: expected a finite number, got 'a'",
        ),
        ({"variables": [{}], "objective": {"linear": [[1, 2]]}}, "objective.linear[0]: variable index 1 outside 0..0"),
        (
            {"variables": [{}], "objective": {"linear": [[0, "a"]]}},
            "objective.linear[0]: expected a finite number, got 'a'",
        ),
        (
            {"variables": [{}], "constraints": [{"lb": "a", "coefficients": [1]}]},
            'constraints[0].lb: expected a number, null, "inf" or "-inf", got \'a\'',
        ),
        (
            {"variables": [{}], "constraints": [{"ub": "a", "coefficients": [1]}]},
            'constraints[0].ub: expected a number, null, "inf" or "-inf", got \'a\'',
        ),
        ({"variables": [{}], "quadratic_constraints": 5}, "quadratic_constraints: expected a list, got a number"),
        (
            {"variables": [{}], "quadratic_constraints": [{"quadratic": [[0, 0, 1]], "linear": {"x0": "a"}}]},
            "quadratic_constraints[0].linear.x0: expected a finite number, got 'a'",
        ),
        (
            {"variables": [{}], "quadratic_constraints": [{"name": 4, "quadratic": [[0, 0, 1]]}]},
            "quadratic_constraints[0].name: expected a string, got a number",
        ),
    ],
)
def test_model_field_errors(tmp_path, doc, message):
    """read_json (model): each refusal names the field's path and says what was expected."""
    path = _model(tmp_path, **doc)
    assert str(_refusal(path)) == f"{path}: {message}"


def test_model_defaults_and_boundaries(tmp_path):
    """read_json (model): name "model", quadratic rows q<i>, lb == ub is allowed, a semi-continuous
    variable may have lb 0, an upper-case sense reads, and a quadratic row's `lb` is allowed."""
    data = io.read(
        _model(
            tmp_path,
            variables=[{"lb": 2, "ub": 2}, {"lb": 0, "ub": 2, "type": "semicontinuous"}],
            objective={"sense": "MAX"},
            quadratic_constraints=[{"lb": 1, "quadratic": [[0, 0, 1]]}],
        )
    )
    assert data.name == "model" and data.sense.name == "MAX"
    assert [row.name for row in data.quadratic_rows] == ["q0"]
    assert (list(data.lb), list(data.ub)) == ([2.0, 0.0], [2.0, 2.0])


def test_model_not_an_object(tmp_path):
    """problem_from_dict: a JSON list is refused with the exact message."""
    path = _file(tmp_path, "p.json", "[1]")
    assert str(_refusal(path)) == f'{path}: expected a JSON object with an "omnisolve_format" field'


# ---- io/json_structured.py


@pytest.mark.parametrize(
    ("kind", "fields", "expected"),
    [
        ("tsp", {"distances": [[0, 1], [1, 0]]}, "name, edge_weight_type, coords, distances"),
        ("jobshop", {"jobs": [[[0, 1]]]}, "jobs, name"),
        ("knapsack", {"capacity": 3, "values": [1], "weights": [1]}, "capacity, values, weights, name"),
    ],
)
def test_structured_unknown_field(tmp_path, kind, fields, expected):
    """Each structured reader lists its allowed fields when one is misspelt."""
    path = _json(tmp_path, omnisolve_format=kind, bogus=1, **fields)
    assert str(_refusal(path)) == f"{path}: bogus: unknown field (expected {expected})"


@pytest.mark.parametrize(
    ("kind", "fields"),
    [
        ("jobshop", {"jobs": [[[0, 1]]]}),
        ("knapsack", {"capacity": 3, "values": [1], "weights": [1]}),
        ("cvrp", {"capacity": 3, "demands": [0, 1], "distances": [[0, 1], [1, 0]]}),
    ],
)
def test_structured_name_field(tmp_path, kind, fields):
    """The default name is the kind; a non-string name is refused under the field `name`."""
    assert io.read(_json(tmp_path, omnisolve_format=kind, **fields)).name == kind
    path = _json(tmp_path, omnisolve_format=kind, name=3, **fields)
    assert str(_refusal(path)) == f"{path}: name: expected a string, got a number"


def test_jobshop_zero_duration(tmp_path):
    """_jobshop_from_dict: a duration of 0 is allowed (durations are non-negative)."""
    shop = io.read(_json(tmp_path, omnisolve_format="jobshop", jobs=[[[0, 0], [1, 2]], [[1, 4], [0, 1]]]))
    assert shop.jobs[0][0] == (0, 0)


def test_json_writer_keeps_large_integers_exact(tmp_path):
    """plain_number: 2**53 is written as a float, a smaller integral value as an int."""
    io.write(Knapsack([2**53, 2**53 - 1], [1, 1], 2), tmp_path / "k.json")
    assert json.loads((tmp_path / "k.json").read_text())["values"] == [9007199254740992.0, 9007199254740991]
    assert "9007199254740992.0, 9007199254740991]" in (tmp_path / "k.json").read_text()


# ---- io/limits.py (JSON depth and number length)


def test_json_depth_boundary_and_line(tmp_path):
    """check_json_depth: 64 levels read, 65 are refused on the line of the 65th bracket."""
    ok = _file(tmp_path, "ok.json", "[" * 64 + "]" * 64)
    assert "JSON nested deeper" not in str(_refusal(ok))
    deep = _file(tmp_path, "deep.json", '{"a":\n\n' + "[" * 64 + "]" * 64 + "}")
    error = _refusal(deep)
    assert (error.reason, error.line) == ("JSON nested deeper than 64 levels", 3)


def test_json_brackets_in_strings_do_not_nest(tmp_path):
    """_confirm_depth: brackets inside a (closed) string, escaped quotes and all, are not nesting:
    40 in a string plus 30 real levels read past the depth check to the field check."""
    name = 'a\\"' + "[" * 20 + "{" * 20
    text = '{"omnisolve_format": "model", "version": 1, "name": "' + name + '", "bogus": ' + "[" * 30 + "]" * 30 + "}"
    path = _file(tmp_path, "s.json", text)
    assert str(_refusal(path)).startswith(f"{path}: bogus: unknown field")


def test_json_long_number_line_and_strings(tmp_path):
    """check_json_numbers: a long number is refused with the line it is on (a file may start
    with a blank line and go on after it); one inside a string is text."""
    digits = "1" + "0" * 100
    text = (
        '\n{"omnisolve_format": "knapsack",\n "version": 1, "name": "a\\" '
        + digits
        + '",\n "capacity": 1'
        + "0" * 70
        + ',\n "values": [1],\n "weights": [1]}\n'
    )
    error = _refusal(_file(tmp_path, "n.json", text))
    assert error.line == 4
    assert error.reason == "JSON number '10000000000000000000'... (71 characters) is longer than 64 characters"


@pytest.mark.parametrize(
    ("comma", "line3"),
    [("", ', "bogus": "' + "1" * 70 + '"'), (",", '"bogus": "' + "1" * 70 + '"')],
)
def test_json_long_number_in_string_after_escaped_backslash(tmp_path, comma, line3):
    """check_json_numbers: quotes are counted from the start of the number's own line only, so
    a string ending in an escaped backslash on the line before, or a quote opening the line,
    does not make a long digit string inside a string look like a number."""
    text = (
        '{"omnisolve_format": "model", "version": 1,\n"name": "a\\\\"' + comma + "\n" + line3 + ',\n"variables": [{}]}'
    )
    path = _file(tmp_path, "s.json", text)
    assert _refusal(path).reason.startswith("bogus: unknown field")


# ---- io/jobshop_text.py, io/tsplib.py, io/vrplib_reader.py


def test_jobshop_header_one_machine_and_zero(tmp_path):
    """_header: one machine is allowed; zero machines are refused with the exact message."""
    assert io.read(_file(tmp_path, "h.txt", "1 1\n0 5\n")).jobs == ((((0, 5),),)[0],)
    path = _file(tmp_path, "z.txt", "1 0\n\n")
    assert str(_refusal(path)) == f"{path}:1: header: 1 jobs and 0 machines, both must be at least 1"


def test_tsp_and_cvrp_names(tmp_path):
    """read_tsp / read_cvrp: the NAME spec, else the file's stem; the depot from DEPOT_SECTION."""
    coords = "NODE_COORD_SECTION\n1 0 0\n2 3 4\n3 0 4\n"
    head = "TYPE: TSP\nDIMENSION: 3\nEDGE_WEIGHT_TYPE: EUC_2D\n"
    assert io.read(_file(tmp_path, "t.tsp", "NAME: foo\n" + head + coords + "EOF\n")).name == "foo"
    assert io.read(_file(tmp_path, "stem.tsp", head + coords + "EOF\n")).name == "stem"
    vrp = (
        "NAME: bar\nTYPE: CVRP\nDIMENSION: 3\nCAPACITY: 5\nEDGE_WEIGHT_TYPE: EUC_2D\n"
        + coords
        + "DEMAND_SECTION\n1 5\n2 0\n3 2\nDEPOT_SECTION\n2\n-1\nEOF\n"
    )
    cvrp = io.read(_file(tmp_path, "c.vrp", vrp))
    assert (cvrp.name, cvrp.depot, list(cvrp.demands)) == ("bar", 1, [5, 0, 2])


# ---- io/sniff.py (format detection)


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("bom", '\ufeff{"a": 1}', "json"),
        ("spaced", '  \n {"a": 1}', "json"),
        ("a.vrp", "NAME: x\nDIMENSION: 3\n", "cvrp"),
        ("demands", "NAME: x\nDIMENSION: 3\nDEMAND_SECTION\n", "cvrp"),
        ("plain", "NAME: x\nDIMENSION: 3\n", "tsp"),
        ("commented", "  \\ a comment\nMinimize\n obj: x\nEnd\n", "lp"),
        ("guess", "3 4\nabc\n", "jobshop"),
        ("one", "3\nabc\n", None),
        ("fraction", "2.5 2\n1 2\n3 4\n", "jobshop"),
        ("tie.kp", "2 1\n1 2\n3 4\n", "knapsack"),
        ("tie.mps", "2 1\n1 2\n3 4\n", "jobshop"),
        ("taillard.kp", "2 2\n1 2\n3 4\n0 1\n1 0\n", "jobshop"),
    ],
)
def test_detect(tmp_path, name, text, expected):
    """detect: a byte-order mark or leading blank before `{`, the .vrp extension or a
    DEMAND_SECTION, a `\\` comment before an LP objective, two leading numbers, an integral job
    count, the extension breaking a knapsack/job-shop tie, and the Taillard layout."""
    from omnisolve.io.sniff import detect

    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    assert detect(str(path)) == expected


# ---- io/mps_scan.py (the LP pre-check)

_LP = "Minimize\n obj: {obj}\nSubject To\n {con}\nEnd\n"


def _lp(tmp_path, obj: str = "x", con: str = "c: x >= 1", text: str | None = None):
    return _file(tmp_path, "m.lp", text if text is not None else _LP.format(obj=obj, con=con))


@pytest.mark.parametrize(
    ("obj", "con", "line", "message"),
    [
        (
            "1e20 x",
            "c: x >= 1",
            2,
            "infinite value '1e20' in the objective, a coefficient or a constraint's left side; it must be finite",
        ),
        (
            "x + infinity",
            "c: x >= 1",
            2,
            "infinite value 'infinity' in the objective, a coefficient or a constraint's left side; it must be "
            "finite (HiGHS 1.16 reads a bare 'infinity' there as a variable name)",
        ),
        (
            "x",
            "c: 1e15 x >= 1",
            4,
            "coefficient '1e15' is out of range (|value| must be below 1e+15, larger matrix values HiGHS refuses)",
        ),
        (
            "2D3 x",
            "c: x >= 1",
            2,
            "malformed number '2D3' (HiGHS would read '2' followed by 'D3'); put a space between a coefficient "
            "and a name",
        ),
        (
            "x ; y \\ c;",
            "c: x >= 1",
            2,
            "';' is not part of HiGHS's LP format: HiGHS 1.16 refuses it, or reads it as part of a name; remove it",
        ),
    ],
)
def test_lp_refusals(tmp_path, obj, con, line, message):
    """LpScanner: the boundary values 1e20 (infinite) and 1e15 (too large a coefficient), a bare
    `infinity`, an upper-case `D` exponent, and a `;` before a comment, each with its line."""
    path = _lp(tmp_path, obj, con)
    error = _refusal(path)
    assert (error.reason, error.line) == (message, line)


def test_lp_semicolon_in_first_column(tmp_path):
    """LpScanner.feed: a `;` in the first column is refused too."""
    path = _lp(tmp_path, text=";" + _LP.format(obj="x", con="c: x >= 1"))
    assert _refusal(path).line == 1


@pytest.mark.parametrize(
    ("obj", "con"),
    [
        ("x", "c: x < 1e30"),
        ("x", "c: x <= 1e30"),
        ("x", "c: x > -1e30"),
        ("x", "inf : x >= 1"),
        ("2X", "c: X >= 1"),
        ("x", "c: 3 * x >= 1"),
        ("x \\ a ; b \\", "c: x >= 1"),
    ],
)
def test_lp_accepted(tmp_path, obj, con):
    """LpScanner: an infinite right-hand side after `<`, `<=` or `>`, a row named `inf` (a label,
    with a space before the colon), a name right after a number, `3 * x`, and a `;` in a comment."""
    assert len(io.read(_lp(tmp_path, obj, con)).c) == 1


def test_lp_comment_line_with_semicolon(tmp_path):
    """LpScanner.feed: a `\\` comment in the first column may hold a `;`."""
    assert list(io.read(_lp(tmp_path, text="\\;\n" + _LP.format(obj="x", con="c: x >= 1"))).c) == [1.0]


# ---- io/limits.py (decoding text files)


def _bytes(tmp_path, name: str, data: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


@pytest.mark.parametrize(
    ("data", "line", "message"),
    [
        (b"\n\xff", 2, "byte 0xff at offset 1 (column 1) is not UTF-8 text"),
        (b"\n\x01", 2, "control character 0x01 at offset 1 (column 1) in a text file"),
        (b"\xef\xbb\xbfab\x01", 1, "control character 0x01 at offset 5 (column 3) in a text file"),
    ],
)
def test_decode_names_line_column_offset(tmp_path, data, line, message):
    """decode: a bad byte right after a leading newline is on line 2, column 1; a byte-order
    mark counts in the offset but not in the column."""
    error = _refusal(_bytes(tmp_path, "bad.kp", data))
    assert (error.reason, error.line) == (message, line)


def test_byte_order_mark_is_skipped(tmp_path):
    """decode: a UTF-8 byte-order mark before a text format is not part of its first number."""
    assert list(io.read(_bytes(tmp_path, "a.kp", b"\xef\xbb\xbf1 5\n3 2\n")).values) == [3.0]


# ---- io/knapsack_text.py


def test_knapsack_single_item_and_fractional_weight(tmp_path):
    """read_knapsack: one item is a valid instance; write_knapsack names the first item whose
    weight is not an integer."""
    assert io.read(_file(tmp_path, "one.kp", "1 5\n3 2\n")).size == 1
    with pytest.raises(UnsupportedError) as caught:
        io.write(Knapsack([1, 2, 3], [1, 2.5, 3.5], 5), tmp_path / "k.kp")
    assert str(caught.value) == "item 1 weighs 2.5; the .kp format holds integer weights: write it as .json instead"


# ---- io/tsplib.py


def test_tsplib_two_nodes_and_display_coordinates(tmp_path):
    """routing_dimension: 2 nodes are enough; edge_weights: an EXPLICIT instance keeps its
    DISPLAY_DATA_SECTION as coordinates."""
    two = "TYPE: TSP\nDIMENSION: 2\nEDGE_WEIGHT_TYPE: EUC_2D\nNODE_COORD_SECTION\n1 0 0\n2 3 4\nEOF\n"
    assert io.read(_file(tmp_path, "two.tsp", two)).distances.tolist() == [[0.0, 5.0], [5.0, 0.0]]
    explicit = (
        "TYPE: TSP\nDIMENSION: 3\nEDGE_WEIGHT_TYPE: EXPLICIT\nEDGE_WEIGHT_FORMAT: FULL_MATRIX\n"
        "EDGE_WEIGHT_SECTION\n0 1 2\n1 0 3\n2 3 0\nDISPLAY_DATA_SECTION\n1 0 0\n2 1 1\n3 2 2\nEOF\n"
    )
    assert io.read(_file(tmp_path, "d.tsp", explicit)).coords.tolist() == [[0.0, 0.0], [1.0, 1.0], [2.0, 2.0]]


def test_tsplib_long_lines_are_shortened_after_40(tmp_path):
    """_short: a quoted line of 40 characters is shown whole, one of 41 is cut to 37 + '...'."""
    head = "TYPE: TSP\nDIMENSION: 2\n"
    forty = _file(tmp_path, "a.tsp", head + "1" * 40 + "\nEOF\n")
    assert _refusal(forty).reason == f"data line {'1' * 40!r} before any *_SECTION keyword"
    longer = _file(tmp_path, "b.tsp", head + "1" * 41 + "\nEOF\n")
    assert _refusal(longer).reason == f"data line {'1' * 37 + '...'!r} before any *_SECTION keyword"


def test_tsplib_extra_edge_weight_named_on_its_line(tmp_path):
    """edge_weights: one value too many is reported on the line holding it."""
    text = (
        "TYPE: TSP\nDIMENSION: 3\nEDGE_WEIGHT_TYPE: EXPLICIT\nEDGE_WEIGHT_FORMAT: FULL_MATRIX\n"
        "EDGE_WEIGHT_SECTION\n0 1 2\n1 0 3\n2 3 0 7\n\nEOF\n"
    )
    error = _refusal(_file(tmp_path, "e.tsp", text))
    assert (error.reason, error.line) == ("EDGE_WEIGHT_SECTION has 10 values; FULL_MATRIX for DIMENSION 3 needs 9", 8)


# ---- io/limits.py (numbers in text files)

_LONGEST = "0" * 63 + "3"  # MAX_NUMBER_CHARS (64) characters


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (f"{_LONGEST} 2\nx 1\n", "item value: 'x' is not a finite number"),
        ("1.5 2\nx 1\n", "item value: 'x' is not a finite number"),
        ("1e15 2\nx 1\n", "item value: '1e15' is out of range (|value| must be below 1e+15)"),
    ],
)
def test_first_bad_number_is_named(tmp_path, rows, message):
    """numbers / _refuse_token: a 64-character number, a fraction in a real field, and a value
    at the limit, each followed by a non-number: the first bad token is the one named."""
    error = _refusal(_file(tmp_path, "k.kp", "2 5\n" + rows))
    assert error.reason == message


def test_longest_number_is_read(tmp_path):
    """numbers: a number of exactly 64 characters is read."""
    assert list(io.read(_file(tmp_path, "k.kp", f"1 5\n{_LONGEST} 2\n")).values) == [3.0]


def test_token_of_24_characters_is_quoted_whole(tmp_path):
    """shown: a bad token of 24 characters is quoted whole."""
    error = _refusal(_file(tmp_path, "a.kp", "1 5\n" + "a" * 24 + " 2\n"))
    assert error.reason == f"item value: {'a' * 24!r} is not a finite number"


def test_oversized_file_message(tmp_path):
    """read_bytes: the size in GiB (a sparse file: nothing is written or read)."""
    path = tmp_path / "big.json"
    with open(path, "wb") as f:
        f.truncate(100 * 1024**3)
    assert _refusal(str(path)).reason == (
        "100.0 GiB; omnisolve reads files of at most 4 GiB in this format (MPS and LP: no limit)"
    )


def test_detect_tolerates_bad_bytes_past_the_head(tmp_path):
    """detect: a non-UTF-8 byte after the first 64 KiB does not stop detection by shape."""
    from omnisolve.io.sniff import detect

    path = _bytes(tmp_path, "k", b"2 5\n" + b"1 2\n" * 20000 + b"\xff\n")
    assert detect(path) == "jobshop"


# ---- io/limits.py (JSON nesting, confirmed outside strings)


def test_json_closing_brackets_unnest(tmp_path):
    """_confirm_depth: `]` and `}` close a level: many empty lists and objects next to brackets in
    a string that trip the fast scan do not add up to a deep document."""
    pad = "[" + ", ".join(["[]"] * 40 + ["{}"] * 40) + "]"
    name = "[" * 40
    text = '{"omnisolve_format": "model", "version": 1, "pad": ' + pad + ', "name": "' + name + '", "bogus": '
    path = _file(tmp_path, "p.json", text + "[" * 30 + "]" * 30 + "}")
    assert "unknown field" in _refusal(path).reason


def test_json_depth_line_is_the_65th_bracket(tmp_path):
    """_confirm_depth: the line named is that of the bracket opening level 65, not level 64."""
    error = _refusal(_file(tmp_path, "d.json", "[" * 64 + "\n[" + "]" * 65))
    assert (error.reason, error.line) == ("JSON nested deeper than 64 levels", 2)


# ---- io/json_model.py (the writer)


def _written(tmp_path, variables: list, linear: list) -> list[str]:
    io.write(io.read(_model(tmp_path, variables=variables, objective={"linear": linear})), tmp_path / "o.json")
    return (tmp_path / "o.json").read_text().splitlines()


def test_json_writer_variables_and_references(tmp_path):
    """_variable / _Refs: a binary's bounds 0 and 1 are defaults (omitted), lb 1 is written;
    references are names, or positions once a name is shared."""
    lines = _written(tmp_path, [{"name": "z", "type": "binary"}, {"name": "b", "lb": 1, "type": "binary"}], [1, 2])
    assert lines[5:7] == ['  {"name": "z", "type": "binary"},', '  {"name": "b", "lb": 1, "type": "binary"}']
    assert lines[8] == ' "objective": {"sense": "min", "linear": {"z": 1, "b": 2}},'
    lines = _written(tmp_path, [{"name": "x"}, {"name": "x"}], [1, 2])
    assert lines[8] == ' "objective": {"sense": "min", "linear": [[0, 1], [1, 2]]},'


def test_json_writer_refusals():
    """problem_to_dict: an object of no known kind, and a nonlinear model, with exact messages."""
    import math

    from omnisolve import Model

    with pytest.raises(UnsupportedError) as caught:
        io.problem_to_dict(5)
    assert str(caught.value) == "cannot write a int as JSON"
    model = Model("nl")
    model.add_variable("x", lb=0, ub=1)
    model.minimize(lambda v: math.sin(v[0]))
    with pytest.raises(UnsupportedError) as caught:
        io.problem_to_dict(model)
    assert str(caught.value) == (
        "model 'nl' has a nonlinear objective or constraint (a Python function), which JSON cannot store; "
        "only linear and quadratic models can be written"
    )


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"edge_weight_type": "EUC_2D", "coords": [[0, 0, 0], [1, 1, 1]]}, "coords[0]: has 3 entries, expected 2"),
        ({"distances": [[0, 1, 2], [1, 0, 2]]}, "distances[0]: has 3 entries, expected 2"),
        ({"coords": [[0, 0], [1, 1]], "distances": [[0, 1, 3], [1, 0, 3]]}, "distances[0]: has 3 entries, expected 2"),
    ],
)
def test_structured_matrix_shapes(tmp_path, fields, message):
    """_distances_from_dict: coordinates have 2 columns; the distance matrix is square, as large
    as the coordinates when there are any."""
    path = _json(tmp_path, omnisolve_format="tsp", **fields)
    assert str(_refusal(path)) == f"{path}: {message}"


def test_jobshop_negative_duration(tmp_path):
    """_jobshop_from_dict: a negative duration is refused, naming the pair's second entry."""
    path = _json(tmp_path, omnisolve_format="jobshop", jobs=[[[0, -1]]])
    assert str(_refusal(path)) == f"{path}: jobs[0][0][1]: must be at least 0, got -1"


def test_cvrp_without_name_takes_the_stem(tmp_path):
    """read_cvrp: without NAME the file's stem names the instance; demands are numbers."""
    text = (
        "TYPE: CVRP\nDIMENSION: 3\nCAPACITY: 5\nEDGE_WEIGHT_TYPE: EUC_2D\nNODE_COORD_SECTION\n1 0 0\n2 3 4\n3 0 4\n"
        "DEMAND_SECTION\n1 0\n2 5\n3 2\nDEPOT_SECTION\n1\n-1\nEOF\n"
    )
    cvrp = io.read(_file(tmp_path, "stem.vrp", text))
    assert cvrp.name == "stem" and cvrp.demands.tolist() == [0, 5, 2]


@pytest.mark.parametrize(
    ("names", "quadratic"),
    [(["z", "b"], '"quadratic": [["z", "b", 2]]'), (["x", "x"], '"quadratic": [[0, 1, 2]]')],
)
def test_json_writer_quadratic_references(tmp_path, names, quadratic):
    """_Refs.ref: quadratic terms name their variables, or give positions once a name is shared."""
    path = _model(tmp_path, variables=[{"name": n} for n in names], objective={"quadratic": [[0, 1, 2]]})
    io.write(io.read(path), tmp_path / "o.json")
    assert quadratic in (tmp_path / "o.json").read_text()


# ---- limits at their exact values (io/jobshop_text.py, io/knapsack_text.py, io/mps_scan.py, io/tsplib_distances.py)


def test_size_limits_allow_their_exact_value(tmp_path):
    """_header / read_knapsack: exactly MAX_OPERATIONS operations and MAX_ITEMS items pass the
    header check (the files then end early)."""
    from omnisolve.io.limits import MAX_ITEMS, MAX_OPERATIONS

    shop = _refusal(_file(tmp_path, "j.txt", f"1 {MAX_OPERATIONS}\n"))
    assert shop.reason == "job lines: only 0 of the 1 rows announced on line 1"
    items = _refusal(_file(tmp_path, "k.kp", f"{MAX_ITEMS} 5\n"))
    assert items.reason == f"file ends after 0 items; line 1 announces {MAX_ITEMS}"


@pytest.mark.parametrize("value", ["1e20", "-1e20"])
def test_mps_coefficient_at_infinity(tmp_path, value):
    """_Scanner.finite: a coefficient of exactly +-1e20 is HiGHS's infinity, refused."""
    text = f"NAME t\nROWS\n N obj\n L c\nCOLUMNS\n x obj {value} c 1\nRHS\n rhs c 1\nENDATA\n"
    error = _refusal(_file(tmp_path, "a.mps", text))
    assert (error.reason, error.line) == (
        f"objective coefficient of 'x' in row 'obj': {value!r} is {float(value):g}, which HiGHS treats as "
        "infinite; it must be finite",
        6,
    )


def test_diagonal_format_count_is_an_integer(tmp_path):
    """explicit_size: a *_DIAG_* format needs n(n+1)/2 values, said as an integer."""
    text = (
        "TYPE: TSP\nDIMENSION: 3\nEDGE_WEIGHT_TYPE: EXPLICIT\nEDGE_WEIGHT_FORMAT: LOWER_DIAG_ROW\n"
        "EDGE_WEIGHT_SECTION\n0 1 0\nEOF\n"
    )
    error = _refusal(_file(tmp_path, "e.tsp", text))
    assert error.reason == "EDGE_WEIGHT_SECTION has 3 values; LOWER_DIAG_ROW for DIMENSION 3 needs 6"


# ---- io/mps.py and io/highs_model.py (what an MPS/LP file reads as)

_MIP = (
    "NAME t\nROWS\n N obj\n L c1\n L c2\nCOLUMNS\n    MARKER 'MARKER' 'INTORG'\n    x obj 1 c1 1\n"
    "    MARKER 'MARKER' 'INTEND'\n    y obj 1 c1 1\nRHS\n    RHS c1 4 c2 3\nBOUNDS\n UP BND x 1\n{}ENDATA\n"
)


def test_mps_binary_column_and_empty_last_row(tmp_path):
    """from_highs_model / _vtypes: an integer column in [0, 1] is binary, a row with no entry
    (the last one) is kept with its name and right-hand side."""
    from omnisolve.model import VarType

    data = io.read(_file(tmp_path, "m.mps", _MIP.format("")))
    assert data.vtype.tolist() == [VarType.BINARY, VarType.CONTINUOUS]
    assert list(data.row_names) == ["c1", "c2"] and data.A.toarray().tolist() == [[1, 1], [0, 0]]
    assert data.row_ub.tolist() == [4, 3]


@pytest.mark.parametrize("kind", ["SC", "SI"])
def test_mps_semi_variable_with_negative_lower_bound(tmp_path, kind):
    """_vtypes: a semi-continuous or semi-integer column below 0 is refused by name."""
    error = _refusal(_file(tmp_path, "m.mps", _MIP.format(f" {kind} BND y 5\n LO BND y -1\n")))
    assert error.reason == "semi-continuous/semi-integer variable y has a negative lower bound -1"


@pytest.mark.parametrize(
    ("objective", "q"),
    [("x + [ 2 x^2 ] / 2", [[1]]), ("x + y + [ 2 x^2 ] / 2", [[1, 0], [0, 0]]), ("x + y + [ 0 x^2 ] / 2", None)],
)
def test_lp_quadratic_objective(tmp_path, objective, q):
    """_upper_q: 0.5 [2 x^2] is x^2 (Q = 1), also for one variable or when the last one has no
    square; a zero square is no quadratic part."""
    variables = "x" if "y" not in objective else "x + y"
    data = io.read(_file(tmp_path, "q.lp", f"min\n obj: {objective}\nst\n c: {variables} >= 1\nend\n"))
    assert (None if data.Q is None else data.Q.toarray().tolist()) == q


def test_lp_without_constraints(tmp_path):
    """from_highs_model: a model with no rows has no row names and a 0 x n matrix."""
    data = io.read(_file(tmp_path, "q.lp", "min\n obj: x\nbounds\n 1 <= x <= 2\nend\n"))
    assert list(data.row_names) == [] and data.A.shape == (0, 1)
    assert (data.lb.tolist(), data.ub.tolist()) == ([1], [2])


def test_lp_objective_coefficient_summing_to_infinity(tmp_path):
    """_check_arrays: eleven terms of 1e19 x sum to 1.1e20, which HiGHS stores as an infinite
    cost; refused after reading, by the variable's name."""
    terms = " + ".join(["1e19 x"] * 11)
    path = _file(tmp_path, "q.lp", f"min\n obj: {terms}\nst\n c: x >= 1\nend\n")
    error = _refusal(path)
    assert (error.reason, error.path) == (
        "after reading, objective coefficient of x is inf: the model is ill-formed",
        path,
    )


def test_mps_empty_name_written_as_underscore(tmp_path):
    """safe_names: an empty variable name is written as `_` (HiGHS needs a name)."""
    model = io.read(_model(tmp_path, variables=[{"name": ""}], objective={"linear": [1]}))
    io.write(model, tmp_path / "e.mps")
    assert list(io.read(str(tmp_path / "e.mps")).var_names) == ["_"]


def test_mps_content_under_another_extension_named_by_stem(tmp_path):
    """_read_mathprog: an MPS file named `prob.v2.txt` is read through a link and named `prob`."""
    text = "NAME t\nROWS\n N obj\n L c\nCOLUMNS\n x obj 1 c 1\nRHS\n rhs c 1\nENDATA\n"
    assert io.read(_file(tmp_path, "prob.v2.txt", text)).name == "prob"


# ---- io/_json_fields.py


@pytest.mark.parametrize(
    ("duration", "shown"), [("3", "'3'"), ([1], "a list"), ({}, "an object"), (None, "null"), (1.5, "1.5")]
)
def test_json_integer_field_refusal(tmp_path, duration, shown):
    """Fields.integer / shown_json: a non-integer is refused and quoted as JSON would spell it,
    a list or object by its kind."""
    error = _refusal(_json(tmp_path, omnisolve_format="jobshop", jobs=[[[0, duration]]]))
    assert error.reason == f"jobs[0][0][1]: expected an integer, got {shown}"


def test_json_number_at_its_limit(tmp_path):
    """Fields.number / vector: |value| must be below 1e15; 1e15 itself is refused, as a constant
    and as a coefficient."""
    for objective, where in (({"constant": 1e15}, "constant"), ({"linear": [1e15]}, "linear[0]")):
        error = _refusal(_model(tmp_path, variables=[{}], objective=objective))
        assert error.reason == f"objective.{where}: 1000000000000000.0 is out of range (|value| must be below 1e+15)"


# ---- io/jobshop_text.py, io/knapsack_text.py, io/vrplib_reader.py


def test_taillard_labeled_header_error_names_the_file(tmp_path):
    """_taillard_labeled: a bad `jobs machines` line is reported against the file and its line."""
    path = _file(tmp_path, "t.txt", "instance\n0 2\nTimes\n1 2\nMachines\n1 2\n")
    error = _refusal(path)
    assert (error.reason, error.path, error.line) == ("header: 0 jobs and 2 machines, both must be at least 1", path, 2)


def test_write_jobshop_uneven_jobs(tmp_path):
    """write_jobshop: a job without one operation per machine cannot be written as text."""
    shop = JobShop([[(0, 1), (1, 2)], [(0, 3)]])
    with pytest.raises(UnsupportedError) as caught:
        io.write(shop, tmp_path / "j.jss")
    assert str(caught.value) == (
        "job 1 has 1 operations; the standard job-shop format needs exactly 2 per job (one per machine): "
        "write it as .json instead"
    )


def test_knapsack_short_file_points_at_last_item(tmp_path):
    """read_knapsack: a file with fewer items than announced is reported at its last item's line."""
    error = _refusal(_file(tmp_path, "k.kp", "5 10\n1 2\n3 4\n5 6\n"))
    assert (error.reason, error.line) == ("file ends after 3 items; line 1 announces 5", 4)


def test_cvrp_solution_skips_other_lines(tmp_path):
    """read_cvrp_solution: lines that are not routes (a header, `Cost`) are skipped, before and
    between routes."""
    path = _file(tmp_path, "s.sol", "Solution\nRoute #1: 1 2\nnote\nRoute #2: 3\nCost 10\n")
    assert io.read_cvrp_solution(path) == [[1, 2], [3]]


# ---- io/tsplib.py (the TSPLIB family: lines, sections, sizes)


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("TYPE: TSP\nDIMENSION: 3", 2),  # no EOF, no final newline: the last line
        ("DIMENSION: 3\n", 1),  # one line and its newline: line 1, not the empty string after it
        ("DIMENSION: 3\nEDGE_WEIGHT_TYPE:\nNODE_COORD_SECTION\n1 0 0\n", 2),  # empty: its own line
    ],
)
def test_tsplib_missing_spec_line(tmp_path, text, line):
    """parse_tsplib / line_of / required: a missing spec is reported at the end of a file without
    sections, an empty one at its own line."""
    error = _refusal(_file(tmp_path, "a.tsp", text))
    assert (error.reason, error.line) == ("missing EDGE_WEIGHT_TYPE", line)


def test_tsplib_keyword_may_start_with_underscore(tmp_path):
    """parse_tsplib: a line starting with `_` is a keyword line, not data."""
    text = "_NOTE: by hand\nDIMENSION: 2\nEDGE_WEIGHT_TYPE: EUC_2D\nNODE_COORD_SECTION\n1 0 0\n2 3 4\n"
    assert io.read(_file(tmp_path, "a.tsp", text)).coords.tolist() == [[0, 0], [3, 4]]


def test_tsplib_first_node_missing(tmp_path):
    """node_table: the missing node named is the first one absent, node 1 included."""
    text = "DIMENSION: 3\nEDGE_WEIGHT_TYPE: EUC_2D\nNODE_COORD_SECTION\n2 0 0\n3 1 1\n"
    error = _refusal(_file(tmp_path, "a.tsp", text))
    assert (error.reason, error.line) == ("NODE_COORD_SECTION lists 2 nodes but DIMENSION is 3: node 1 is missing", 3)


_FULL_2 = "DIMENSION: 2\nEDGE_WEIGHT_TYPE: EXPLICIT\nEDGE_WEIGHT_FORMAT: FULL_MATRIX\nEDGE_WEIGHT_SECTION\n"


@pytest.mark.parametrize(
    ("values", "reason"),
    [
        ("0 1 1 0 5\n7\n", "EDGE_WEIGHT_SECTION has 6 values; FULL_MATRIX for DIMENSION 2 needs 4"),
        ("0 1e15 1 0\n", "EDGE_WEIGHT_SECTION: '1e15' is out of range (|value| must be below 1e+15)"),
    ],
)
def test_tsplib_explicit_weight_refusals(tmp_path, values, reason):
    """edge_weights: too many values are reported at the line of the first extra one (not the
    section's last line); an explicit weight of 1e15 is out of range."""
    error = _refusal(_file(tmp_path, "a.tsp", _FULL_2 + values))
    assert (error.reason, error.line) == (reason, 5)


def test_tsplib_explicit_weights_keep_node_coordinates(tmp_path):
    """edge_weights: with EXPLICIT weights, NODE_COORD_SECTION gives the coordinates (before
    DISPLAY_DATA_SECTION)."""
    text = _FULL_2 + "0 3 4 0\nNODE_COORD_SECTION\n1 0 0\n2 3 0\nDISPLAY_DATA_SECTION\n1 5 5\n2 6 6\n"
    assert io.read(_file(tmp_path, "a.tsp", text)).coords.tolist() == [[0, 0], [3, 0]]


def test_tour_without_terminator(tmp_path):
    """node_ids: a TOUR_SECTION may end without -1."""
    assert io.read_tour(_file(tmp_path, "a.tour", "TYPE: TOUR\nDIMENSION: 3\nTOUR_SECTION\n2\n3\n1\n")) == [1, 2, 0]


def test_tour_larger_than_a_dense_matrix(tmp_path):
    """dimension: a tour holds no distance matrix, so 23,171 nodes (one past the dense limit) read."""
    n = 23_171
    text = f"TYPE: TOUR\nDIMENSION: {n}\nTOUR_SECTION\n" + "\n".join(map(str, range(n, 0, -1))) + "\n-1\n"
    assert io.read_tour(_file(tmp_path, "a.tour", text))[:2] == [n - 1, n - 2]


@pytest.mark.parametrize(
    ("name", "text", "section"),
    [
        ("a.tsp", "EDGE_WEIGHT_TYPE: EUC_2D\nDISPLAY_DATA_SECTION\n1 0 0\n", "DISPLAY_DATA_SECTION"),
        ("a.vrp", "TYPE: CVRP\nCAPACITY: 10\nEDGE_WEIGHT_TYPE: EUC_2D\nDEMAND_SECTION\n1 0\n", "DEMAND_SECTION"),
    ],
)
def test_tsplib_short_section_of_a_large_dimension(tmp_path, name, text, section):
    """dimension: past 23,170 nodes a short DISPLAY_DATA_SECTION or DEMAND_SECTION is refused
    before anything is allocated, at the section's line."""
    path = _file(tmp_path, name, f"DIMENSION: 23171\n{text}")
    error = _refusal(path)
    assert error.reason == f"{section} lists 1 nodes but DIMENSION is 23171"
    assert error.line == text.split("\n").index(section) + 2


def test_tsplib_short_section_at_the_dense_limit(tmp_path):
    """dimension: at exactly 23,170 nodes the short section is left to node_table, which names
    the missing node."""
    text = "DIMENSION: 23170\nEDGE_WEIGHT_TYPE: EUC_2D\nNODE_COORD_SECTION\n1 0 0\n"
    error = _refusal(_file(tmp_path, "a.tsp", text))
    assert error.reason == "NODE_COORD_SECTION lists 1 nodes but DIMENSION is 23170: node 2 is missing"


# ---- io/mps_scan.py (the MPS and LP pre-checks)

_MPS_HEAD = "NAME t\nROWS\n N obj\n L c\nCOLUMNS\n    x obj 1 c 1\n"


def _mps(tmp_path, tail: str) -> str:
    return _file(tmp_path, "m.mps", _MPS_HEAD + tail + "ENDATA\n")


@pytest.mark.parametrize(("sense", "expected"), [("MIN", "min"), ("MAX", "max")])
def test_mps_objsense_section(tmp_path, sense, expected):
    """line_objsense: an OBJSENSE section of MIN or MAX sets the sense."""
    path = _file(tmp_path, "m.mps", f"NAME t\nOBJSENSE\n    {sense}\n" + _MPS_HEAD[7:] + "RHS\n    rhs c 1\nENDATA\n")
    assert io.read(path).sense == expected


def test_mps_objsense_two_words(tmp_path):
    """line_objsense: the refusal quotes the section's words as written."""
    path = _file(tmp_path, "m.mps", "NAME t\nOBJSENSE\n    MAX MIN\n" + _MPS_HEAD[7:] + "ENDATA\n")
    error = _refusal(path)
    assert (error.reason, error.line) == ("OBJSENSE section: expected MAX or MIN, got 'MAX MIN'", 3)


def test_mps_rhs_without_set_name(tmp_path):
    """line_rhs: a RHS line starting with a row name has no set name (as HiGHS reads it)."""
    assert io.read(_mps(tmp_path, "RHS\n    c 5\n")).row_ub.tolist() == [5]


def test_mps_bounds_without_set_name_and_without_value(tmp_path):
    """line_bounds: `MI x` (no set name) and `PL BND x` (no value) read as a free column."""
    data = io.read(_mps(tmp_path, "RHS\n    rhs c 1\nBOUNDS\n MI x\n PL BND x\n"))
    assert (data.lb.tolist(), data.ub.tolist()) == ([float("-inf")], [float("inf")])


@pytest.mark.parametrize(
    ("bound", "reason"),
    [
        ("FX BND x 1e20", "FX bound of 'x' is 1e20; a fixed value must be finite"),
        ("FX BND x -1e20", "FX bound of 'x' is -1e20; a fixed value must be finite"),
        ("LO BND x 1e20", "LO bound of 'x' is 1e20: no value is left"),
        ("LI BND x 1e20", "LI bound of 'x' is 1e20: no value is left"),
        ("UP BND x -1e20", "UP bound of 'x' is -1e20: no value is left"),
    ],
)
def test_mps_bound_at_infinity(tmp_path, bound, reason):
    """line_bounds: +-1e20 is HiGHS's infinity, so these bounds leave no value (exactly at it)."""
    error = _refusal(_mps(tmp_path, f"RHS\n    rhs c 1\nBOUNDS\n {bound}\n"))
    assert (error.reason, error.line) == (reason, 10)


def test_mps_quadobj_unknown_first_column(tmp_path):
    """line_quadobj: both columns of a QUADOBJ entry must be defined, the first one too."""
    error = _refusal(_mps(tmp_path, "RHS\n    rhs c 1\nQUADOBJ\n    z x 2\n"))
    assert (error.reason, error.line) == ("quadratic objective: column 'z' is not defined in COLUMNS", 10)


def test_lp_number_before_first_section(tmp_path):
    """LpScanner: a number before the first section keyword is left to HiGHS, which refuses it."""
    error = _refusal(_file(tmp_path, "q.lp", "5\nmin\n obj: x\nst\n c: x >= 1\nend\n"))
    assert error.reason.startswith("cannot parse as LP: expected a section keyword, found `5`")


def test_lp_constraint_continued_after_a_name_ending_in_x(tmp_path):
    """LpScanner.feed: only the line break is stripped (a name `X` at the end of a line stays)."""
    data = io.read(_file(tmp_path, "q.lp", "min\n obj: x\nst\n c: x + 2 X\n >= 1\nend\n"))
    assert data.A.toarray().tolist() == [[1, 2]]


def test_lp_semicolon_at_line_start(tmp_path):
    """LpScanner.feed: a ';' is refused also as a line's first character."""
    error = _refusal(_file(tmp_path, "q.lp", "min\n obj: x\nst\n;c: x >= 1\nend\n"))
    assert error.line == 4 and error.reason.startswith("';' is not part of HiGHS's LP format")


@pytest.mark.parametrize(
    ("objective", "line"), [(" obj: x\n1e30 y", 3), (" obj: x +1e30 y", 2), (" obj: x +\t1e30 y", 2)]
)
def test_lp_infinite_coefficient_anywhere_on_the_line(tmp_path, objective, line):
    """LpScanner.feed: a line's first character, the one after a sign and after a tab are scanned."""
    error = _refusal(_file(tmp_path, "q.lp", f"min\n{objective}\nst\n c: x + y >= 1\nend\n"))
    assert (error.reason, error.line) == (
        "infinite value '1e30' in the objective, a coefficient or a constraint's left side; it must be finite",
        line,
    )


def test_lp_tabs_separate_tokens(tmp_path):
    """LpScanner.feed: tabs separate tokens like spaces; an infinite right side is allowed."""
    data = io.read(_file(tmp_path, "q.lp", "min\n obj:\tx +\t2\ty\nst\n c: x + y <=\t1e30\n d: x >= 1\nend\n"))
    assert data.c.tolist() == [1, 2] and data.row_ub.tolist() == [float("inf")] * 2


def test_lp_exponent_is_not_a_constant(tmp_path):
    """LpScanner.value: the 2 of `x ^ 2` in a constraint is no left-side constant; HiGHS then
    refuses the quadratic constraint itself."""
    error = _refusal(_file(tmp_path, "q.lp", "min\n obj: x\nst\n c: x + [ x ^ 2 ] <= 1\nend\n"))
    assert error.reason.startswith("cannot parse as LP: quadratic constraints are not supported by HiGHS")


# ---- io/limits.py (JSON checks across chunks, escaped quotes, bytes that are not UTF-8)


def test_json_depth_across_the_first_megabyte(tmp_path):
    """check_json_depth: levels carry from one 1 MiB block to the next (40 before, 25 after)."""
    path = tmp_path / "p.json"
    path.write_text("[" * 40 + " " * (1 << 20) + "[" * 25 + "]" * 65)
    error = _refusal(str(path))
    assert (error.reason, error.line) == ("JSON nested deeper than 64 levels", 1)


def test_json_depth_after_the_first_megabyte(tmp_path):
    """check_json_depth: nesting that starts past the first 1 MiB block is counted there."""
    path = tmp_path / "p.json"
    path.write_text(" " * (1 << 20) + "\n" + "[" * 65 + "]" * 65)
    error = _refusal(str(path))
    assert (error.reason, error.line) == ("JSON nested deeper than 64 levels", 2)


def test_json_depth_64_after_a_string_bracket(tmp_path):
    """_confirm_depth: a string's bracket makes the fast count trip at the 64th real level, which
    is allowed; the document is then read (and refused for what it is)."""
    error = _refusal(_file(tmp_path, "p.json", "[" * 63 + '"[", [' + "]" * 64))
    assert error.reason == 'expected a JSON object with an "omnisolve_format" field'


def test_json_depth_of_bytes_that_are_not_utf8(tmp_path):
    """_confirm_depth: a deep document is refused for its depth even when it is not UTF-8."""
    path = tmp_path / "p.json"
    path.write_bytes(b"\xff" + b"[" * 65)
    error = _refusal(str(path))
    assert (error.reason, error.line) == ("JSON nested deeper than 64 levels", 1)


def test_json_long_number_with_escaped_quote_later(tmp_path):
    """check_json_numbers: the escaped quotes counted are those before the number on its line."""
    digits = "1" * 100
    text = f'{{"version": 1, "omnisolve_format": "model",\n"variables": [{{"lb": {digits}}}],\n"name": "a\\"b"}}'
    error = _refusal(_file(tmp_path, "p.json", text))
    reason = f"JSON number '{'1' * 20}'... (100 characters) is longer than 64 characters"
    assert (error.reason, error.line) == (reason, 2)


def test_json_zero_quadratic_objective_is_none(tmp_path):
    """_model_from_dict: a quadratic objective of zeros is no quadratic part (Q is None)."""
    data = io.read(_model(tmp_path, variables=[{}], objective={"quadratic": [[0, 0, 0]]}))
    assert data.Q is None and data.kind == "LP"


def test_tsplib_empty_node_section(tmp_path):
    """numbers: an empty section reads as no rows (node 1 is the first missing)."""
    error = _refusal(_file(tmp_path, "a.tsp", "DIMENSION: 3\nEDGE_WEIGHT_TYPE: EUC_2D\nNODE_COORD_SECTION\n"))
    assert (error.reason, error.line) == ("NODE_COORD_SECTION lists 0 nodes but DIMENSION is 3: node 1 is missing", 3)


@pytest.mark.parametrize("sense", ["MAX", "MIN"])
def test_mps_objsense_on_its_line(tmp_path, sense):
    """start_section: `OBJSENSE MAX` / `OBJSENSE MIN` on the keyword's own line sets the sense."""
    path = _file(tmp_path, "m.mps", f"NAME t\nOBJSENSE {sense}\n" + _MPS_HEAD[7:] + "ENDATA\n")
    assert io.read(path).sense == sense.lower()


def test_mps_name_keeps_inner_dots(tmp_path):
    """read_mps: the model is named by the file's stem, `prob.v2` for `prob.v2.mps`."""
    path = _file(tmp_path, "prob.v2.mps", _MPS_HEAD + "RHS\n    rhs c 1\nENDATA\n")
    assert io.read(path).name == "prob.v2"


def test_mps_lines_after_endata_are_not_read(tmp_path):
    """MpsScanner: nothing after ENDATA is checked (HiGHS stops there too), not even its bytes."""
    path = tmp_path / "m.mps"
    path.write_bytes((_MPS_HEAD + "RHS\n    rhs c 1\nENDATA\n").encode() + b"\xff\xfe junk\n   * x\n")
    assert io.read(str(path)).c.tolist() == [1]


@pytest.mark.parametrize(
    "tail",
    [
        "RHS\n    rhs c 1\nBOUNDS\n UP BND x -1\nQUADOBJ\n    z x 2\nENDATA\n",  # before a later section's error
        "RHS\n    rhs c 1\nBOUNDS\n UP BND x -1\n",  # at the end of a file without ENDATA
    ],
)
def test_mps_negative_upper_bound_reported_when_bounds_end(tmp_path, tail):
    """end_bounds: a negative UP without a lower bound is refused when BOUNDS ends, at its line."""
    error = _refusal(_file(tmp_path, "m.mps", _MPS_HEAD + tail))
    assert error.line == 10 and error.reason.startswith("BOUNDS: negative upper bound on 'x', which has no lower bound")


def test_mps_first_negative_upper_bound_by_line(tmp_path):
    """end_bounds: of two such columns, the one whose bound comes first is named (`y` before `x`)."""
    text = _MPS_HEAD + "    y obj 1 c 1\nRHS\n    rhs c 1\nBOUNDS\n UP BND y -1\n UP BND x -1\nENDATA\n"
    error = _refusal(_file(tmp_path, "m.mps", text))
    assert error.line == 11 and error.reason.startswith("BOUNDS: negative upper bound on 'y'")


def test_mps_checked_after_a_section_highs_handles(tmp_path):
    """start_section: lines after a section the scanner leaves to HiGHS (SOS) are still scanned."""
    text = _MPS_HEAD + "RHS\n    rhs c 1\nSOS\n S1 SOS s1 1\n    s1 x 1\nBOUNDS\n LO BND x 1e20\nENDATA\n"
    error = _refusal(_file(tmp_path, "m.mps", text))
    assert (error.reason, error.line) == ("LO bound of 'x' is 1e20: no value is left", 13)


def test_mps_marker_line_left_to_highs(tmp_path):
    """line_columns: a MARKER line is HiGHS's to check, even with a field missing."""
    error = _refusal(_file(tmp_path, "m.mps", _MPS_HEAD + "    MARKER 'MARKER'\nRHS\n    rhs c 1\nENDATA\n"))
    assert error.reason.startswith("cannot parse as MPS: Integrality marker error in COLUMNS section")


def test_mps_coefficient_ranges_by_row_kind(tmp_path):
    """line_columns: the objective may hold 1e16, a free N row may not; +-1e15 is out of range."""
    head = "NAME t\nROWS\n N obj\n N f\n L c\nCOLUMNS\n"
    data = io.read(_file(tmp_path, "a.mps", f"{head}    x obj 1e16 c 1\nRHS\n    rhs c 1\nENDATA\n"))
    assert data.c.tolist() == [1e16]
    error = _refusal(_file(tmp_path, "b.mps", f"{head}    x obj 1 f 1e16\n    x c 1\nRHS\n    rhs c 1\nENDATA\n"))
    assert error.line == 7 and error.reason.startswith("coefficient of 'x' in row 'f': '1e16' is out of range")
    for value in ("1e15", "-1e15"):
        error = _refusal(_file(tmp_path, "c.mps", f"{head}    x obj 1 c {value}\nRHS\n    rhs c 1\nENDATA\n"))
        assert error.line == 7 and error.reason.startswith(f"coefficient of 'x' in row 'c': '{value}' is out of range")


def test_reading_mps_prints_nothing(tmp_path, capfd):
    """new_highs: reading (HiGHS logs into a list) writes nothing to stdout or stderr."""
    io.read(_mps(tmp_path, "RHS\n    rhs c 1\n"))
    assert capfd.readouterr() == ("", "")


def test_first_highs_of_a_process_prints_no_banner(tmp_path):
    """_swallow_banner: in a fresh process, reading an MPS file prints nothing (HiGHS's banner
    goes to /dev/null) and the process's stdout still works afterwards."""
    import os
    import subprocess
    import sys

    path = _mps(tmp_path, "RHS\n    rhs c 1\n")
    code = f"from omnisolve import io\nio.read({path!r})\nio.read({path!r})\nprint('after')"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    assert (done.returncode, done.stdout, done.stderr) == (0, "after\n", "")


def test_write_mps_matrix_value_highs_refuses(tmp_path):
    """write_mps: a model whose matrix holds 1e16 (HiGHS refuses values from 1e15) is refused
    with HiGHS's reason, against the output path."""
    import dataclasses

    import scipy.sparse as sp

    model = io.read(_model(tmp_path, variables=[{}], constraints=[{"coefficients": [1], "ub": 1}]))
    path = str(tmp_path / "w.mps")
    with pytest.raises(InputError) as caught:
        write_mps(dataclasses.replace(model, A=sp.csr_matrix([[1e16]])), path)
    assert (caught.value.reason, caught.value.path) == (
        "HiGHS rejected the model: HighsSparseMatrix User matrix matrix contains 1 |value| in [1e+16, 1e+16] "
        "at/above tolerance of 1e+15",
        path,
    )


def test_text_comment_runs_from_the_first_hash(tmp_path):
    """rows_of: a `#` comment starts at the first `#` of a line, even when the comment holds another."""
    knapsack = io.read(_file(tmp_path, "h.kp", "2 10 # two items # capacity 10\n1 2\n3 4\n"))
    assert (knapsack.values.tolist(), knapsack.weights.tolist(), knapsack.capacity) == ([1, 3], [2, 4], 10)


def test_json_depth_after_many_closed_brackets(tmp_path):
    """check_json_depth: closing brackets and braces lower the fast count, so forty `{}` and
    forty `[1]` before real nesting of 65 do not trip it early (and leave the nesting unchecked)."""
    head = '{"version": 1, "omnisolve_format": "model", "variables": [' + ", ".join(["{}"] * 40) + "],"
    middle = '"y": [' + ", ".join(["[1]"] * 40) + "],\n"
    error = _refusal(_file(tmp_path, "p.json", head + middle + '"x": ' + "[" * 65 + "]" * 65 + "}"))
    assert (error.reason, error.line) == ("JSON nested deeper than 64 levels", 2)
