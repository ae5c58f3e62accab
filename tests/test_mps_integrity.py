"""MPS/LP input integrity: NaN, infinite and malformed numbers, and tokens HiGHS would silently
drop or misread, are refused with the file name and line before HiGHS sees the file."""

import gzip
import subprocess
from pathlib import Path

import numpy as np
import pytest

from conftest import BENCHDATA
from omnisolve.errors import InputError
from omnisolve.io import read
from omnisolve.io.mps import _check_arrays, read_mps

ROOT = Path(__file__).resolve().parents[1]

MPS = """NAME          tiny
ROWS
 N  cost
 L  cap
 G  need
COLUMNS
    x         cost      {cost}     cap       {cap}
    x         need      1
    y         cost      2          cap       1
    y         need      1
RHS
    RHS       cap       {rhs}      need      1
RANGES
    RNG       cap       {rng}
BOUNDS
 UP BND       x         {up}
ENDATA
"""
GOOD = dict(cost="1", cap="1", rhs="10", rng="4", up="4")
LINES = {"cost": 7, "cap": 7, "rhs": 12, "rng": 14, "up": 16}

LP = """\\ a tiny LP
Minimize
 obj: {cost} x + 2 y
Subject To
 cap: {cap} x + y <= {rhs}
 need: x + y >= 1
Bounds
 x <= {up}
End
"""
LP_LINES = {"cost": 3, "cap": 5, "rhs": 5, "up": 8}


def mps(tmp_path, name="m.mps", **values):
    path = tmp_path / name
    path.write_text(MPS.format(**{**GOOD, **values}))
    return path


def refused(path, line, *words):
    with pytest.raises(InputError) as info:
        read_mps(path)
    message = str(info.value)
    assert message.startswith(f"{path}:{line}: "), message
    assert info.value.line == line and info.value.path == str(path)
    for word in words:
        assert word in message, message
    assert "\n" not in message
    return message


def test_valid_file_reads(tmp_path):
    d = read_mps(mps(tmp_path))
    assert d.num_variables == 2 and d.ub[0] == 4 and d.row_lb[0] == 6


@pytest.mark.parametrize("field", ["cost", "cap", "rhs", "rng", "up"])
@pytest.mark.parametrize("token", ["nan", "NaN", "-nan"])
def test_nan_anywhere_is_refused(tmp_path, field, token):
    refused(mps(tmp_path, **{field: token}), LINES[field], "NaN")


@pytest.mark.parametrize("token", ["inf", "-Infinity", "1e400", "1e30"])
@pytest.mark.parametrize("field", ["cost", "cap"])
def test_infinite_coefficient_is_refused(tmp_path, field, token):
    refused(mps(tmp_path, **{field: token}), LINES[field], "must be finite", repr(token))


@pytest.mark.parametrize("token", ["1.2.3", "abc", "0x10", "1,5", "1_000", "2e", "--1", "1e5x"])
@pytest.mark.parametrize("field", ["cost", "cap", "rhs", "rng", "up"])
def test_malformed_number_is_refused(tmp_path, field, token):
    refused(mps(tmp_path, **{field: token}), LINES[field], "is not a number", repr(token))


@pytest.mark.parametrize(
    "token, value", [("1.", 1.0), (".5", 0.5), ("1e+05", 1e5), ("1D5", 1e5), ("1d-1", 0.1), ("+3", 3.0), ("-0", 0.0)]
)
def test_number_forms_read_as_highs_reads_them(tmp_path, token, value):
    d = read_mps(mps(tmp_path, cap=token))
    assert d.A[0, 0] == value


@pytest.mark.parametrize("field", ["rhs", "rng", "up"])
@pytest.mark.parametrize("token", ["inf", "+INF", "Infinity", "1e30", "1e400"])
def test_infinity_where_it_means_no_bound(tmp_path, field, token):
    path = mps(tmp_path, **{field: token})
    if field == "rhs":  # an infinite RHS with a range would leave the row no value
        path.write_text(path.read_text().replace("RANGES\n    RNG       cap       4\n", ""))
    d = read_mps(path)
    assert np.isinf({"rhs": d.row_ub[0], "rng": d.row_lb[0], "up": d.ub[0]}[field])


def test_objective_constant_must_be_finite(tmp_path):
    path = tmp_path / "m.mps"
    path.write_text(
        MPS.format(**GOOD).replace("need      1\nRANGES", "need      1\n    RHS       cost      1e400\nRANGES")
    )
    refused(path, 13, "objective constant", "must be finite")


@pytest.mark.parametrize(
    "bound, words", [("FX BND x inf", "finite"), ("LO BND x 1e30", "no value"), ("UP BND x -inf", "no value")]
)
def test_bounds_leaving_no_value(tmp_path, bound, words):
    path = tmp_path / "m.mps"
    path.write_text(MPS.format(**GOOD).replace(" UP BND       x         4", " " + bound))
    refused(path, 16, words)


def with_line(number, line):
    """The good file with line `number` (1-based) replaced."""
    lines = MPS.format(**GOOD).splitlines()
    lines[number - 1] = line
    return "\n".join(lines) + "\n"


STRUCTURE = [
    ("    x  cost  1  cap  1  need  1", "fields"),  # 7 tokens: HiGHS drops the last pair
    ("    x  cost  1  cap", "fields"),  # HiGHS drops the lone row name
    ("    x  cost  1  nope  1", "not defined in ROWS"),
    ("    x  cost  1  cost  3", "second entry"),  # HiGHS keeps the first
    (" * indented comment", "first column"),  # not a comment for HiGHS: it switches to fixed format
]


@pytest.mark.parametrize("line, words", STRUCTURE)
def test_tokens_highs_would_drop(tmp_path, line, words):
    path = tmp_path / "m.mps"
    path.write_text(with_line(7, line))
    refused(path, 7, words)


def test_second_rhs_for_a_row(tmp_path):
    path = tmp_path / "m.mps"
    path.write_text(with_line(12, "    RHS  cap  10  cap  12"))
    refused(path, 12, "second value")


@pytest.mark.parametrize(
    "before, after, line, words",
    [
        ("NAME          tiny\n", "junk\nNAME          tiny\n", 1, "outside any section"),
        ("NAME          tiny\n", "NAME          tiny\nOBJSENSE MAXIMIZE\n", 2, "MAX or MIN"),
        ("NAME          tiny\n", "NAME          tiny\nOBJSENSE\n    UPWARDS\n", 3, "MAX or MIN"),
        (" G  need\n", " G  need\n N  free\n", 7, ""),  # a free row is fine ...
        (" L  cap\n", " L  cap\n L  cap\n", 5, "defined twice"),
        ("    y         need      1\n", "    y         need      1\n    x         cap       3\n", 11, "appears again"),
        (" UP BND       x         4", " FR BND       x\n UP BND       x         4", 17, "second upper bound"),
        (" UP BND       x         4", " UP BND       x         -4", 16, "negative upper bound"),
        (" UP BND       x         4", " XX BND       x         4", 16, "bound type"),
        (" L  cap\n", " L  cap with spaces\n", 4, "fields"),
    ],
)
def test_structure(tmp_path, before, after, line, words):
    path = tmp_path / "m.mps"
    path.write_text(MPS.format(**GOOD).replace(before, after, 1))
    if not words:
        read_mps(path)
        return
    refused(path, line, words)


def test_rhs_on_free_row_is_refused(tmp_path):
    path = tmp_path / "m.mps"
    text = (
        MPS.format(**GOOD)
        .replace(" G  need\n", " G  need\n N  free\n")
        .replace("need      1\nRANGES", "need      1\n    RHS       free      7\nRANGES")
    )
    path.write_text(text)
    refused(path, 14, "free row")


def test_negative_upper_bound_with_lower_bound_is_fine(tmp_path):
    path = tmp_path / "m.mps"
    path.write_text(
        MPS.format(**GOOD).replace(" UP BND       x         4", " UP BND       x         -4\n MI BND       x")
    )
    assert read_mps(path).lb[0] == -np.inf


def test_stray_byte(tmp_path):
    path = tmp_path / "m.mps"
    path.write_bytes(MPS.format(**GOOD).encode().replace(b"need      1\n    y", b"need      1\xff\n    y"))
    refused(path, 8, "0xff", "not UTF-8")


def test_nul_byte(tmp_path):
    path = tmp_path / "m.mps"
    path.write_bytes(MPS.format(**GOOD).encode().replace(b"    y         cost", b"    y\x00        cost"))
    refused(path, 9, "control character 0x00")


def test_utf8_names_are_fine(tmp_path):
    path = tmp_path / "m.mps"
    path.write_text(MPS.format(**GOOD).replace("x ", "\u00e9").replace("BND       \u00e9", "BND       \u00e9 "))
    assert read_mps(path).var_names[0] == "\u00e9"


def test_gzip_scans_the_decompressed_text(tmp_path):
    path = tmp_path / "m.mps.gz"
    path.write_bytes(gzip.compress(MPS.format(**{**GOOD, "cap": "nan"}).encode()))
    refused(path, 7, "NaN")
    path.write_bytes(gzip.compress(MPS.format(**GOOD).encode()))
    assert read_mps(path).num_variables == 2


def test_reader_by_content_keeps_the_line(tmp_path):
    path = tmp_path / "model.txt"  # read through a link named .mps; the error names this file
    path.write_text(MPS.format(**{**GOOD, "rhs": "1.2.3"}))
    with pytest.raises(InputError, match=rf"^{path}:12: "):
        read(path)


# ---- LP ------------------------------------------------------------------------------------------
def lp(tmp_path, **values):
    path = tmp_path / "m.lp"
    path.write_text(LP.format(**{**dict(cost="1", cap="1", rhs="10", up="4"), **values}))
    return path


def test_lp_valid(tmp_path):
    d = read_mps(lp(tmp_path))
    assert d.num_variables == 2 and d.ub[0] == 4


@pytest.mark.parametrize("field", ["cost", "cap", "rhs", "up"])
def test_lp_nan(tmp_path, field):
    refused(lp(tmp_path, **{field: "nan"}), LP_LINES[field], "NaN")


@pytest.mark.parametrize("field", ["cost", "cap"])
@pytest.mark.parametrize("token", ["inf", "infinity", "1e400"])
def test_lp_infinite_coefficient(tmp_path, field, token):
    refused(lp(tmp_path, **{field: token}), LP_LINES[field], "finite")


@pytest.mark.parametrize("field", ["rhs", "up"])
def test_lp_infinity_in_bounds_and_rhs(tmp_path, field):
    read_mps(lp(tmp_path, **{field: "inf"}))


@pytest.mark.parametrize(
    "token, words", [("1.2.3", "malformed number"), ("1d5", "malformed number"), ("0x10", "hexadecimal")]
)
def test_lp_malformed(tmp_path, token, words):
    refused(lp(tmp_path, cap=token), 5, words)


LP_NAMES = """Minimize
 obj: 2 nancy + 3 information + 1.5 y + e1 + 0.5 inflow
Subject To
 c: nancy + information + y >= 1
 d: nancy + y + e1 + inflow >= 1
 e: -1 E2 + nancy >= -10
Bounds
 nancy <= 10
 information <= 5
 -1 <= e1 <= 3
 inflow <= 4
 E2 <= 2
End
"""


def test_lp_names_starting_like_numbers_are_read(tmp_path):
    """HiGHS 1.16 reads names starting with nan, inf or e as names (1.14 read them as numbers)."""
    path = tmp_path / "names.lp"
    path.write_text(LP_NAMES)
    d = read_mps(path)
    assert d.var_names[:5] == ["nancy", "information", "y", "e1", "inflow"]
    assert list(d.c[:5]) == [2, 3, 1.5, 1, 0.5]
    assert d.ub[0] == 10 and d.ub[1] == 5 and (d.lb[3], d.ub[3]) == (-1, 3) and d.ub[4] == 4


def test_lp_names_solve(tmp_path):
    import omnisolve

    path = tmp_path / "names.lp"
    path.write_text(
        "Minimize\n obj: 2 nancy + 3 information + 1.5 y\nSubject To\n"
        " c: nancy + information + y >= 1\n d: nancy + information >= 1\nBounds\n"
        " nancy <= 10\n information <= 5\nEnd\n"
    )
    result = omnisolve.solve(str(path), solver="highs")
    assert abs(result.objective - 2.0) < 1e-9


@pytest.mark.parametrize(
    "text",
    [
        "Minimize\n obj: 3x + 2.5y + 3e1z\nSubject To\n c: 2x + y + z >= 1\nEnd\n",  # glued coefficients
        "Minimize\n obj: x + y + 5\nSubject To\n inf: x + y >= 1\n nan: x - y <= 0\nEnd\n",  # row names
        "Minimize\n obj: x + y\nst\n c: x + y + 0 >= 1\n d: x + y <= 1e30\n e: x - y >= -inf\nEnd\n",
        "Minimize\n obj: x + y\nSubject To\n c: x + 2\n y >= 1\n 3: x >= 0.5 \\ comment; with nan\nEnd\n",
        (
            "Maximise\n obj: x + y\nsuch that\n c: x + y <= inf\n d: x <= 2\nBounds\n -inf <= x <= 1e30\n"
            " y <= +Infinity\n y >= -1e400\nEnd\n"
        ),
        "Minimize\n obj: x + end + bounds\nSubject To\n c: x + end + bounds >= 1\n bounds: end <= 4\nEnd\n",
    ],
)
def test_lp_valid_forms_accepted(tmp_path, text):
    path = tmp_path / "m.lp"
    path.write_text(text)
    assert read_mps(path).num_variables >= 2


LP_REFUSED = [
    ("Minimize\n obj: x + nan\nSubject To\n c: x >= 1\nEnd\n", 2, "NaN"),  # HiGHS: a variable named nan
    ("Minimize\n obj: x\nSubject To\n c: x + 2 NaN >= 1\nEnd\n", 4, "NaN"),
    ("Minimize\n obj: x + inf\nSubject To\n c: x >= 1\nEnd\n", 2, "variable name"),  # variable named inf
    ("Minimize\n obj: x\nSubject To\n c: x + inf >= 1\nEnd\n", 4, "variable name"),
    ("Minimize\n obj: x + 1e30\nSubject To\n c: x >= 1\nEnd\n", 2, "finite"),  # objective constant 1e30
    ("Minimize\n obj: x + 1e25 y\nSubject To\n c: x + y >= 1\nEnd\n", 2, "finite"),  # cost read as inf
    ("Minimize\n obj: x + y\nSubject To\n c: x + y + 2 >= 1\nEnd\n", 4, "left-hand side"),  # ignored
    ("Minimize\n obj: x + y\nSubject To\n c: x + y\n - 2\n >= 1\nEnd\n", 5, "left-hand side"),
    ("Minimize\n obj: x + y\nSubject To\n c: 2 + 3 x >= 1\nEnd\n", 4, "left-hand side"),
    ("Minimize\n obj: 0x10 + y\nSubject To\n c: y >= 1\nEnd\n", 2, "hexadecimal"),  # 0 times x10
    ("Minimize\n obj: 3.5.x + y\nSubject To\n c: y >= 1\nEnd\n", 2, "malformed number"),  # 3.5 times .x
    ("Minimize\n obj: 3ex + y\nSubject To\n c: y >= 1\nEnd\n", 2, "malformed number"),
    ("Minimize\n obj: x + 1,5\nSubject To\n c: x >= 1\nEnd\n", 2, "malformed number"),  # 1 times ,5
    ("Minimize\n obj: x + y;\nSubject To\n c: x + y >= 1\nEnd\n", 2, "';'"),  # a variable named y;
    ("Minimize\n obj: x + y\nSubject To\n c: x + y >= 1; + 5 z\nEnd\n", 4, "';'"),
    ("Minimize\n obj: x + y\nSubject To\n c: x + y >= 1\nBounds\n nan <= 5\nEnd\n", 6, "NaN"),
]


@pytest.mark.parametrize("text, line, words", LP_REFUSED)
def test_lp_refused(tmp_path, text, line, words):
    path = tmp_path / "m.lp"
    path.write_text(text)
    refused(path, line, words)


# ---- after HiGHS has read the model --------------------------------------------------------------
def test_arrays_are_checked_after_reading(tmp_path):
    import highspy

    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.readModel(str(mps(tmp_path)))
    model = h.getModel()
    model.lp_.col_cost_ = np.array([np.nan, 2.0])
    with pytest.raises(InputError, match="objective coefficient of x is nan"):
        _check_arrays(model, "m.mps")


# ---- command line -------------------------------------------------------------------------------
@pytest.mark.parametrize("field, token", [("cap", "nan"), ("up", "1.2.3")])
def test_cli_exit_code_2_one_line(tmp_path, field, token):
    path = mps(tmp_path, **{field: token})
    proc = subprocess.run(
        [str(ROOT / ".venv/bin/omnisolve"), "solve", str(path)], capture_output=True, text=True, cwd=ROOT
    )
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in proc.stderr
    assert f"{path}:{LINES[field]}:" in lines[0]


# ---- every benchmark file still reads -----------------------------------------------------------
BENCH = sorted((BENCHDATA / "mip").glob("*.mps")) + sorted((BENCHDATA / "mip_hard").glob("*.mps"))


@pytest.mark.skipif(not BENCH, reason="benchmark data not present")
def test_benchmark_files_pass_the_scan():
    for path in BENCH:
        assert read_mps(path).num_variables > 0, path
