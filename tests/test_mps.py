"""MPS / LP reading and writing through HiGHS: every benchmark file, round trips, errors."""

import csv
import gzip
import math

import numpy as np
import pytest

from conftest import BENCHDATA
from omnisolve.errors import InputError
from omnisolve.io.highs_model import safe_names
from omnisolve.io.mps import read_mps, write_mps
from omnisolve.limits import Limits
from omnisolve.model import Model, VarType
from omnisolve.solvers.highs import HighsSolver

MIP = BENCHDATA / "mip"
MPS_FILES = sorted(MIP.glob("*.mps"))
# (variables, rows, integer variables) as HiGHS and the MIPLIB/Netlib documentation give them
KNOWN_SIZES = {"afiro": (32, 27, 0), "p0548": (548, 176, 548), "25fv47": (1571, 821, 0), "flugpl": (18, 18, 11)}


def same(a, b):
    return np.allclose(a, b, rtol=1e-12, atol=1e-12) and np.array_equal(np.isinf(a), np.isinf(b))


def assert_same_model(d, e):
    assert e.A.shape == d.A.shape and (e.A != d.A).nnz == 0
    for attr in ("lb", "ub", "c", "row_lb", "row_ub"):
        assert same(getattr(e, attr), getattr(d, attr)), attr
    assert np.array_equal(e.vtype, d.vtype)
    assert (e.sense, e.c0) == (d.sense, d.c0)


def test_benchmark_set_is_complete():
    listed = {row["file"] for row in csv.DictReader(open(MIP / "optima.csv"))}
    assert listed == {p.name for p in MPS_FILES}


@pytest.mark.parametrize("path", MPS_FILES, ids=lambda p: p.stem)
def test_reads_benchmark_file_with_sane_sizes(path):
    d = read_mps(path)
    assert d.name == path.stem
    assert 1 <= d.num_variables <= 10_000 and 1 <= d.A.shape[0] <= 10_000
    assert d.A.shape[1] == d.num_variables and len(d.row_names) == d.A.shape[0]
    assert len(set(d.var_names)) == d.num_variables
    assert (d.lb <= d.ub).all() and np.isfinite(d.c).all() and np.isfinite(d.A.data).all()
    assert (d.row_lb <= d.row_ub).all()
    binary = d.vtype == VarType.BINARY
    assert (d.lb[binary] == 0).all() and (d.ub[binary] == 1).all()
    if path.stem in KNOWN_SIZES:
        assert (d.num_variables, d.A.shape[0], int(d.integer_mask.sum())) == KNOWN_SIZES[path.stem]


@pytest.mark.parametrize("path", MPS_FILES, ids=lambda p: p.stem)
def test_mps_round_trip_is_exact(path, tmp_path):
    d = read_mps(path)
    write_mps(d, tmp_path / "out.mps")
    e = read_mps(tmp_path / "out.mps")
    assert_same_model(d, e)
    assert e.var_names.tolist() == d.var_names.tolist()


@pytest.mark.parametrize("path", MPS_FILES, ids=lambda p: p.stem)
def test_lp_round_trip_keeps_columns(path, tmp_path):
    """LP files order columns by first appearance and split ranged rows, so compare by name."""
    d = read_mps(path)
    write_mps(d, tmp_path / "out.lp")
    e = read_mps(tmp_path / "out.lp")
    position = {name: k for k, name in enumerate(e.var_names)}
    perm = np.array([position[name] for name in safe_names(d.var_names.tolist(), lp_format=True)])
    for attr in ("lb", "ub", "c"):
        assert same(getattr(e, attr)[perm], getattr(d, attr)), attr
    assert np.array_equal(e.vtype[perm], d.vtype)
    assert (e.sense, e.c0, e.num_variables) == (d.sense, d.c0, d.num_variables)
    ranged = int((np.isfinite(d.row_lb) & np.isfinite(d.row_ub) & (d.row_lb < d.row_ub)).sum())
    assert e.A.shape[0] == d.A.shape[0] + ranged


def test_lp_round_trip_keeps_the_optimum(tmp_path):
    d = read_mps(MIP / "small_mip.mps")  # has ranged rows, binaries and general bounds
    write_mps(d, tmp_path / "small.lp")
    e = read_mps(tmp_path / "small.lp")
    r = HighsSolver().solve(e, Limits(time=10))
    assert r.objective == pytest.approx(3.236842, rel=1e-6)


def quadratic_model():
    m = Model("qp")
    x, y = m.add_variable("x[0]", -10, 10), m.add_variable("y", -10, 10)
    z = m.add_variable("2z", 0, 3, vtype="integer")
    m.add_constraint(x + y + z >= 4, name="cover")
    m.add_range(-1, x - y, 5, name="spread")
    m.maximize(-(x * x) - y * y - x * y + 2 * x + 4 * y + 3 * z - 5)
    return m.compile()


@pytest.mark.parametrize("suffix", [".mps", ".lp"])
def test_quadratic_objective_round_trip(tmp_path, suffix):
    d = quadratic_model()
    write_mps(d, tmp_path / f"qp{suffix}")
    e = read_mps(tmp_path / f"qp{suffix}")
    assert e.sense == "max" and e.c0 == -5 and e.kind == "MIQP"
    names = safe_names(d.var_names.tolist(), lp_format=suffix == ".lp")
    assert names == ["x(0)", "y", "2z" if suffix == ".mps" else "_2z"]
    position = [e.var_names.tolist().index(name) for name in names]
    P = np.eye(3)[position]  # e's variable order mapped onto d's
    Qe = P @ e.Q.toarray() @ P.T
    assert np.allclose(np.triu(Qe + Qe.T - np.diag(np.diag(Qe))), d.Q.toarray())
    x = np.array([1.5, -2.0, 2.0])
    assert e.objective_value(P.T @ x) == pytest.approx(d.objective_value(x))


def test_hessian_conversion_matches_highs_objective(tmp_path):
    """The continuous QP solved from the written file has the same optimum as the model."""
    m = Model("qp")
    x, y = m.add_variable("x", -10, 10), m.add_variable("y", -10, 10)
    m.add_constraint(x + y >= 4)
    m.minimize(x * x + y * y + x * y - 2 * x - 4 * y + 5)
    write_mps(m.compile(), tmp_path / "qp.mps")
    r = HighsSolver().solve(read_mps(tmp_path / "qp.mps"), Limits(time=10))
    assert r.objective == pytest.approx(4.0, abs=1e-6)
    assert np.allclose(r.values, [1, 3], atol=1e-4)


def test_reads_gzipped_files(tmp_path):
    gz = tmp_path / "afiro.mps.gz"
    gz.write_bytes(gzip.compress((MIP / "afiro.mps").read_bytes()))
    d = read_mps(gz)
    assert d.name == "afiro"
    assert_same_model(read_mps(MIP / "afiro.mps"), d)


def test_missing_file_names_the_path(tmp_path):
    with pytest.raises(InputError, match="nothere.mps: file not found"):
        read_mps(tmp_path / "nothere.mps")


def test_unparsable_mps_names_file_and_reason(tmp_path):
    bad = tmp_path / "bad.mps"
    bad.write_text("NAME bad\nROWS\n N obj\n  X  foo\nENDATA\n")
    with pytest.raises(InputError) as err:
        read_mps(bad)
    message = str(err.value)
    assert message.startswith(f"{bad}: cannot parse as MPS") and "\n" not in message


def test_lp_without_a_section_is_an_error_on_one_line(tmp_path):
    bad = tmp_path / "bad.lp"
    bad.write_text("hello world\n")
    with pytest.raises(
        InputError, match="bad.lp:1: cannot parse as LP: expected a section keyword, found `hello`"
    ) as caught:
        read_mps(bad)
    assert "\n" not in str(caught.value)


def test_an_lp_parse_error_names_its_line(tmp_path):
    bad = tmp_path / "bad.lp"
    bad.write_text("Minimize\nobj: 2 x + 3 y\nSubject To\nc1: x + y >= 2\nc2: x + ? y <= 4\nEnd\n")
    with pytest.raises(InputError, match=r"bad.lp:5: cannot parse as LP: expected `\+` or `-`, found `y`"):
        read_mps(bad)


def test_lp_without_variables_is_an_error(tmp_path):
    bad = tmp_path / "bad.lp"
    bad.write_text("Minimize\nobj: 0\nEnd\n")
    with pytest.raises(InputError, match="bad.lp: cannot parse as LP: no variables found"):
        read_mps(bad)


def test_corrupt_gzip_is_an_error(tmp_path):
    bad = tmp_path / "bad.mps.gz"
    bad.write_bytes(b"not gzip at all")
    with pytest.raises(InputError, match="bad.mps.gz: cannot decompress"):
        read_mps(bad)


def test_unknown_extension_is_an_error(tmp_path):
    with pytest.raises(InputError, match="must end in .mps, .lp"):
        read_mps(tmp_path / "model.txt")


def test_writer_refuses_quadratic_constraints(tmp_path):
    m = Model("qcp")
    x = m.add_variable("x", -1, 1)
    m.add_constraint(x * x <= 0.5)
    m.minimize(x)
    with pytest.raises(InputError, match="cannot write a QCP model"):
        write_mps(m.compile(), tmp_path / "qcp.mps")


def test_writer_refuses_gzip(tmp_path):
    with pytest.raises(InputError, match="drop the .gz"):
        write_mps(quadratic_model(), tmp_path / "qp.mps.gz")


def test_safe_names_rewrites_only_what_highs_cannot_write():
    assert safe_names(["x(1)", "x[1]", "a b", "x(1)"]) == ["x(1)", "x(1)_1", "a_b", "x(1)_2"]
    assert safe_names(["5x", "free", "e1", "x"], lp_format=True) == ["_5x", "_free", "e1", "x"]


def test_infinite_bounds_survive(tmp_path):
    m = Model("free")
    x = m.add_variable("x", -math.inf, math.inf)
    y = m.add_variable("y", -math.inf, 3)
    m.add_constraint(x - y >= -1)
    m.minimize(x)
    d = m.compile()
    write_mps(d, tmp_path / "free.mps")
    assert_same_model(d, read_mps(tmp_path / "free.mps"))
