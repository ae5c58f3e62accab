"""Semi-continuous and semi-integer variables (x = 0 or lb <= x <= ub): model, JSON, MPS/LP
through HiGHS, the HiGHS backend, the verifier, and the backends that must refuse them."""

import numpy as np
import pytest

import omnisolve as om
from omnisolve.errors import InputError, ModelError
from omnisolve.io import problem_from_dict, problem_to_dict, read, write
from omnisolve.io.mps import read_mps, write_mps
from omnisolve.model import Model, VarType
from omnisolve.verify import Tolerances
from omnisolve.verify.model_check import check_values


def lot_model(vtype="semicontinuous", need=3.0, lb=5.0, ub=10.0):
    """min x + 10 y  s.t.  x + y >= need;  x is 0 or in [lb, ub] (a minimum lot size), y >= 0."""
    m = Model("lot")
    x = m.add_variable("x", lb=lb, ub=ub, vtype=vtype)
    y = m.add_variable("y")
    m.add_constraint(x + y >= need, name="need")
    m.minimize(x + 10 * y)
    return m


# ---- model --------------------------------------------------------------------------------------
def test_types_and_masks():
    m = Model()
    m.add_variable("c")
    m.add_variable("i", vtype="integer", ub=5)
    m.add_variable("s", lb=2, ub=8, vtype="semicontinuous")
    m.add_variable("t", lb=3, ub=9, vtype="semi-integer")
    m.add_variables(2, "u", lb=1, ub=4, vtype=VarType.SEMIINTEGER)
    d = m.compile()
    assert d.vtype.tolist() == [0, 1, 3, 4, 4, 4]
    assert d.integer_mask.tolist() == [False, True, False, True, True, True]
    assert d.semi_mask.tolist() == [False, False, True, True, True, True]
    assert d.is_mip and d.kind == "MILP"
    assert d.lb[2] == 2 and d.ub[2] == 8  # bounds are kept: 0 is allowed besides them


def test_relaxation_keeps_zero():
    r = lot_model("semiinteger").compile().relaxation()
    assert not r.is_mip and r.lb.tolist() == [0, 0] and r.ub.tolist() == [10, np.inf]
    result = om.solve(r, solver="highs", time_limit=20)
    assert result.objective == pytest.approx(3.0)  # a lower bound on the semi model's 5


def test_semicontinuous_only_is_a_mip():
    d = lot_model().compile()
    assert d.is_mip and d.kind == "MILP" and not d.integer_mask.any()


@pytest.mark.parametrize("vtype", ["semicontinuous", "semiinteger"])
def test_negative_lower_bound_refused(vtype):
    with pytest.raises(ModelError, match="needs lb >= 0"):
        Model().add_variable("x", lb=-1, ub=3, vtype=vtype)


def test_unknown_type_names_the_choices():
    with pytest.raises(ModelError, match="semicontinuous, semiinteger"):
        Model().add_variable("x", vtype="semi")


# ---- JSON ---------------------------------------------------------------------------------------
def test_json_round_trip(tmp_path):
    d = lot_model().compile()
    doc = problem_to_dict(d)
    assert doc["variables"][0] == {"name": "x", "lb": 5, "ub": 10, "type": "semicontinuous"}
    e = problem_from_dict(doc)
    assert e.vtype.tolist() == d.vtype.tolist() and e.lb.tolist() == d.lb.tolist()
    path = tmp_path / "lot.json"
    write(lot_model("semiinteger").compile(), path)
    assert read(path).vtype.tolist() == [VarType.SEMIINTEGER, VarType.CONTINUOUS]


def test_json_refuses_negative_semi_lower_bound():
    doc = problem_to_dict(lot_model().compile())
    doc["variables"][0]["lb"] = -1
    with pytest.raises(InputError, match=r"variables\[0\].*needs lb >= 0"):
        problem_from_dict(doc)


# ---- MPS / LP -----------------------------------------------------------------------------------
SC_MPS = """NAME lot
ROWS
 N cost
 G need
COLUMNS
 x cost 1 need 1
 y cost 10 need 1
 z cost 1 need 1
RHS
 RHS need 3
BOUNDS
 SC BND x 10
 LO BND z 2
 SI BND z 7.0
ENDATA
"""


def test_mps_sc_and_si_bounds(tmp_path):
    path = tmp_path / "lot.mps"
    path.write_text(SC_MPS)
    d = read_mps(path)
    assert d.vtype.tolist() == [VarType.SEMICONTINUOUS, VarType.CONTINUOUS, VarType.SEMIINTEGER]
    assert (d.lb[0], d.ub[0]) == (0, 10)  # SC sets the upper bound; the lower stays 0
    assert (d.lb[2], d.ub[2]) == (2, 7)


@pytest.mark.parametrize("vtype", ["semicontinuous", "semiinteger"])
def test_mps_round_trip(tmp_path, vtype):
    d = lot_model(vtype).compile()
    path = tmp_path / "lot.mps"
    write_mps(d, path)
    text = path.read_text()
    assert (" SC " if vtype == "semicontinuous" else " SI ") in text
    e = read_mps(path)
    assert e.vtype.tolist() == d.vtype.tolist()
    assert e.lb.tolist() == d.lb.tolist() and e.ub.tolist() == d.ub.tolist()


def test_lp_round_trip_semicontinuous(tmp_path):
    d = lot_model().compile()
    path = tmp_path / "lot.lp"
    write_mps(d, path)
    e = read_mps(path)
    assert e.vtype.tolist() == d.vtype.tolist() and e.lb.tolist() == [5, 0] and e.ub.tolist() == [10, np.inf]


def test_lp_semi_section_read(tmp_path):
    path = tmp_path / "lot.lp"
    path.write_text(
        "Minimize\n obj: x + 10 y\nSubject To\n need: x + y >= 3\nBounds\n 5 <= x <= 10\n"
        "General\n z\nSemi-continuous\n x\nEnd\n"
    )
    d = read_mps(path)
    assert d.vtype[0] == VarType.SEMICONTINUOUS and (d.lb[0], d.ub[0]) == (5, 10)


def test_lp_write_refuses_semi_integer(tmp_path):
    # HiGHS 1.14's LP writer lists a semi-integer variable under semi-continuous only
    with pytest.raises(InputError, match="semi-integer variable x.*write .mps"):
        write_mps(lot_model("semiinteger").compile(), tmp_path / "lot.lp")


# ---- solving ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "vtype, need, objective, x",
    [
        ("semicontinuous", 3.0, 5.0, 5.0),  # x = 5 (the minimum lot) beats y = 3 at cost 30
        ("semicontinuous", 7.5, 7.5, 7.5),  # inside the lot range
        ("semicontinuous", 0.3, 3.0, 0.0),  # a lot of 5 costs more than y = 0.3: x = 0
        ("semiinteger", 5.2, 6.0, 6.0),  # integral and at least 5
        ("semiinteger", 0.2, 2.0, 0.0),
    ],
)
def test_highs_solves(vtype, need, objective, x):
    result = om.solve(lot_model(vtype, need=need), solver="highs", time_limit=20)
    assert result.status == om.Status.OPTIMAL, result.message
    assert result.objective == pytest.approx(objective, abs=1e-5)  # HiGHS may stop 1e-7 short of a row
    assert result.values[0] == pytest.approx(x, abs=1e-5)
    assert result.certificate.verdict == "pass"


def test_the_relaxation_would_be_wrong():
    """Without the semi type, x = 3 would be optimal: the answer really depends on it."""
    result = om.solve(lot_model("continuous", lb=0.0), solver="highs", time_limit=20)
    assert result.objective == pytest.approx(3.0)


def test_solve_from_mps_file(tmp_path):
    path = tmp_path / "lot.mps"
    path.write_text(SC_MPS.replace(" SC BND x 10\n", " LO BND x 5\n SC BND x 10\n"))
    result = om.solve(str(path), solver="highs", time_limit=20)
    # x in {0} u [5, 10] at cost 1, z in {0} u {2..7} at cost 1, y at 10: z = 3 is cheapest
    assert result.status == om.Status.OPTIMAL and result.objective == pytest.approx(3.0)


# ---- verifier -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "vtype, values, ok",
    [
        ("semicontinuous", [0.0, 3.0], True),
        ("semicontinuous", [1e-9, 3.0], True),  # 0 within the tolerance
        ("semicontinuous", [5.0, 0.0], True),
        ("semicontinuous", [10.0, 0.0], True),
        ("semicontinuous", [3.0, 0.0], False),  # 0 < x < lb: the relaxation's answer
        ("semicontinuous", [11.0, 0.0], False),
        ("semiinteger", [6.0, 0.0], True),
        ("semiinteger", [0.0, 3.0], True),
        ("semiinteger", [5.5, 0.0], False),  # not integral
        ("semiinteger", [2.0, 1.0], False),  # integral but below lb
    ],
)
def test_certificate(vtype, values, ok):
    d = lot_model(vtype).compile()
    worst, integrality, objective, messages = check_values(d, values, Tolerances())
    tol = Tolerances()
    passed = worst <= tol.feasibility and integrality <= tol.integrality
    assert passed == ok, messages
    if not ok:
        assert messages and ("bounds" in messages[0] or "integrality" in messages[0])


def test_wrong_answer_fails_the_certificate():
    from omnisolve.result import Result, Status
    from omnisolve.verify import certify

    d = lot_model().compile()
    cert = certify(d, Result(Status.OPTIMAL, objective=3.0, bound=3.0, values=np.array([3.0, 0.0])))
    assert cert.verdict == "fail" and any("x" in m for m in cert.messages)


# ---- backends that cannot take them -------------------------------------------------------------
def test_scipy_refuses():
    from omnisolve.solvers.scipy_nlp import ScipySolver

    reason = ScipySolver().unsupported_reason(lot_model().compile())
    assert reason and "semi-continuous" in reason and "\n" not in reason


def test_milp_alns_refuses():
    from omnisolve.solvers.milp_alns import MilpAlnsSolver

    reason = MilpAlnsSolver().unsupported_reason(lot_model("semiinteger").compile())
    assert reason and "semi" in reason and "\n" not in reason


def test_cpsat_refuses_semicontinuous():
    from omnisolve.solvers.cpsat_models import unsupported_reason

    reason = unsupported_reason(lot_model().compile())
    assert reason and "semi-continuous" in reason


def _integer_lot(need):
    m = Model("ilot")
    x = m.add_variable("x", lb=5, ub=10, vtype="semiinteger")
    y = m.add_variable("y", ub=100, vtype="integer")
    m.add_constraint(x + y >= need)
    m.minimize(x + 10 * y)
    return m


@pytest.mark.parametrize("need, objective, x", [(3, 5, 5), (7, 7, 7), (0, 0, 0), (12, 30, 10)])
def test_cpsat_solves_semi_integer(need, objective, x):
    pytest.importorskip("ortools")
    result = om.solve(_integer_lot(need), solver="cpsat", time_limit=20)
    assert result.status == om.Status.OPTIMAL, result.message
    assert result.objective == pytest.approx(objective) and result.values[0] == pytest.approx(x)
    assert result.certificate.verdict == "pass"


def test_features_do_not_break():
    from omnisolve.portfolio.features import features

    feats = features(lot_model("semiinteger").compile())
    assert feats
