"""Explaining infeasibility: irreducible infeasible subsets named with the user's names, each
checked here independently with plain highspy (the subset is infeasible, and dropping any one
member leaves a feasible rest)."""

from __future__ import annotations

import json

import numpy as np
import pytest

import omnisolve as om
from conftest import run_cli as run
from omnisolve.explain import Explanation, explain
from omnisolve.problems import CVRP, TSP, JobShop, Knapsack

D6 = np.array(
    [
        [0, 3, 4, 5, 6, 7],
        [3, 0, 2, 3, 4, 5],
        [4, 2, 0, 2, 3, 4],
        [5, 3, 2, 0, 2, 3],
        [6, 4, 3, 2, 0, 2],
        [7, 5, 4, 3, 2, 0],
    ],
    dtype=float,
)


# ---- an independent check of a subset ------------------------------------------------------------
def _members(data, e: Explanation) -> list[tuple[str, int]]:
    rows, cols = data.row_names.tolist(), data.var_names.tolist()
    out = []
    for r in e.row_entries:
        i = rows.index(r.name)
        if r.side in ("lower", "both"):
            out.append(("rl", i))
        if r.side in ("upper", "both"):
            out.append(("ru", i))
    for b in e.bound_entries:
        out.append(({"lower": "lb", "upper": "ub", "integer": "int"}[b.kind], cols.index(b.name)))
    return out


def _feasible(data, members) -> bool:
    """Only `members` kept (other row sides and bounds infinite, other variables continuous)."""
    import highspy

    keep = set(members)
    m, n = data.A.shape
    inf = highspy.kHighsInf
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("time_limit", 20.0)
    lb = [data.lb[j] if ("lb", j) in keep else -inf for j in range(n)]
    ub = [data.ub[j] if ("ub", j) in keep else inf for j in range(n)]
    h.addVars(n, np.array(lb, float), np.array(ub, float))
    ints = np.array([j for j in range(n) if ("int", j) in keep], dtype=np.int32)
    if ints.size:
        h.changeColsIntegrality(ints.size, ints, np.full(ints.size, highspy.HighsVarType.kInteger))
    A = data.A.tocsr()
    for i in range(m):
        lo = data.row_lb[i] if ("rl", i) in keep else -inf
        hi = data.row_ub[i] if ("ru", i) in keep else inf
        row = A.getrow(i)
        h.addRow(lo, hi, row.nnz, row.indices.astype(np.int32), row.data.astype(float))
    h.run()
    status = h.getModelStatus()
    assert status in (highspy.HighsModelStatus.kOptimal, highspy.HighsModelStatus.kInfeasible), status
    return status == highspy.HighsModelStatus.kOptimal


def assert_irreducible(data, e: Explanation) -> None:
    members = _members(data, e)
    assert members
    assert not _feasible(data, members), "the subset is not infeasible"
    for k in range(len(members)):
        rest = members[:k] + members[k + 1 :]
        assert _feasible(data, rest), f"still infeasible without {members[k]}"


# ---- LP ------------------------------------------------------------------------------------------
def infeasible_lp() -> om.Model:
    """x + y <= 1 and x - y >= 3 with y >= 0 conflict (x <= 1 - y and x >= 3 + y); c3 and z
    are unrelated."""
    m = om.Model("lp")
    x, y, z = m.add_variable("x"), m.add_variable("y"), m.add_variable("z", ub=5)
    m.add_constraint(x + y <= 1, name="c1")
    m.add_constraint(x - y >= 3, name="c2")
    m.add_constraint(z + x <= 10, name="c3")
    m.add_range(-4, z - y, 8, name="c4")
    m.minimize(x + z)
    return m


def test_infeasible_lp_has_exact_named_iis():
    m = infeasible_lp()
    e = explain(m, time_limit=10)
    assert e.status == "infeasible" and e.irreducible
    assert e.rows == ["c1 (<= 1)", "c2 (>= 3)"]
    assert e.bounds == ["y >= 0"]
    assert e.method == "HiGHS IIS (LP)"
    assert [(r.name, r.lower, r.upper, r.side) for r in e.row_entries] == [
        ("c1", None, 1.0, "upper"),
        ("c2", 3.0, None, "lower"),
    ]
    assert "c1" in e.message and "infeasible" in e.message
    assert_irreducible(m.compile(), e)
    d = e.to_dict()
    json.dumps(d)
    assert d["status"] == "infeasible" and d["rows"] == e.rows and d["row_entries"][0]["lower"] is None


def test_lp_deletion_filter_without_highs_iis(monkeypatch):
    """The fallback when HiGHS gives no IIS: the grouped deletion filter finds the same kind of
    set among many unrelated rows, with far fewer solves than members."""
    import omnisolve.explain.linear as linear

    monkeypatch.setattr(linear, "highs_iis", lambda data, budget: None)
    m = om.Model("chain")
    v = [m.add_variable(f"v{i}") for i in range(200)]
    for i in range(199):
        m.add_constraint(v[i] + v[i + 1] <= 10, name=f"r{i}")
    m.add_constraint(v[5] >= 8, name="low5")
    m.add_constraint(v[6] >= 3, name="low6")
    e = explain(m, time_limit=20)
    assert e.status == "infeasible" and e.irreducible
    assert e.method.startswith("deletion filter over rows and bounds (LP)")
    assert e.rows == ["r5 (<= 10)", "low5 (>= 8)", "low6 (>= 3)"] and e.bounds == []
    assert e.solves < 100
    assert_irreducible(m.compile(), e)


# ---- MILP ----------------------------------------------------------------------------------------
def test_milp_integrality_matters():
    """2x = 1 with x integer is infeasible although its LP relaxation is not; the other rows
    and variables play no part."""
    m = om.Model("mip")
    x = m.add_variable("x", ub=10, vtype="integer")
    y, w = m.add_variable("y", ub=4), m.add_variable("w", vtype="integer", ub=3)
    m.add_constraint(2 * x == 1, name="half")
    m.add_constraint(y + w <= 6, name="u1")
    m.add_constraint(y - w >= -2, name="u2")
    m.add_constraint(x + y + w <= 20, name="u3")
    m.maximize(y)
    e = explain(m, time_limit=10)
    assert e.status == "infeasible" and e.irreducible
    assert e.rows == ["half (= 1)"]
    assert e.bounds == ["x integer"]
    assert e.method == "deletion filter over rows and bounds (MILP)"
    assert_irreducible(m.compile(), e)


@pytest.mark.parametrize("with_cpsat", [True, False])
def test_milp_filter_groups_many_rows(monkeypatch, with_cpsat):
    """One conflicting row among ~1,000: far fewer solves than rows, both from CP-SAT's
    assumption core and with the grouped deletion filter alone."""
    import omnisolve.explain.cpsat as cpsat

    if not with_cpsat:
        monkeypatch.setattr(cpsat, "applicable", lambda data: False)
    m = om.Model("many")
    x = [m.add_variable(f"x{i}", ub=100, vtype="integer") for i in range(500)]
    for i in range(499):
        m.add_constraint(x[i] + x[i + 1] <= 150, name=f"pair{i}")
        m.add_constraint(x[i] - x[i + 1] <= 80, name=f"diff{i}")
    m.add_constraint(2 * x[17] + 2 * x[300] == 7, name="odd")
    m.minimize(x[0])
    e = explain(m, time_limit=30)
    assert e.status == "infeasible" and e.irreducible
    assert e.rows == ["odd (= 7)"] and e.bounds == ["x17 integer", "x300 integer"]
    assert e.solves < (20 if with_cpsat else 120)
    assert e.method.startswith("CP-SAT assumptions") == with_cpsat
    assert_irreducible(m.compile(), e)


def test_milp_with_infeasible_lp_relaxation_uses_lp_iis():
    m = om.Model("lpinf")
    a, b = m.add_variable("a", vtype="integer", ub=5), m.add_variable("b", vtype="integer", ub=5)
    m.add_constraint(a + b >= 11, name="need")
    m.add_constraint(a - b <= 100, name="loose")
    m.minimize(a)
    e = explain(m, time_limit=10)
    assert e.status == "infeasible" and e.irreducible
    assert e.rows == ["need (>= 11)"] and e.bounds == ["a <= 5", "b <= 5"]
    assert "LP relaxation" in e.method
    assert_irreducible(m.compile(), e)


def test_data_check_bounds():
    m = om.Model("box")
    x = m.add_variable("x", lb=0.2, ub=0.8, vtype="integer")
    y = m.add_variable("y", ub=3)
    m.add_constraint(x + y <= 5, name="c")
    e = explain(m)
    assert e.status == "infeasible" and e.method == "data check" and e.irreducible
    assert e.bounds == ["x >= 0.2", "x <= 0.8", "x integer"] and e.rows == []
    assert_irreducible(m.compile(), e)


# ---- feasible, unknown ---------------------------------------------------------------------------
def test_feasible_models():
    m = om.Model("ok")
    x, y = m.add_variable("x", ub=4), m.add_variable("y", vtype="integer")
    m.add_constraint(3 * x + 2 * y <= 10, name="a")
    m.add_range(1, x - y, 3, name="b")
    m.maximize(x + y)
    for problem in (m, m.compile()):
        e = explain(problem)
        assert e.status == "feasible" and e.rows == [] and e.bounds == [] and not e.irreducible
        assert e.to_dict()["status"] == "feasible"


def test_time_limit_is_kept_and_undecided_is_unknown():
    """Pigeonhole (11 pigeons, 10 holes): hard for a MILP solver; explain stops near its limit
    with a proven-infeasible subset or "unknown", never raising."""
    import time

    m = om.Model("php")
    P, H = 11, 10
    x = {(p, h): m.add_variable(f"x_{p}_{h}", vtype="binary") for p in range(P) for h in range(H)}
    for p in range(P):
        m.add_constraint(om.quicksum(x[p, h] for h in range(H)) >= 1, name=f"pigeon{p}")
    for h in range(H):
        for p in range(P):
            for q in range(p + 1, P):
                m.add_constraint(x[p, h] + x[q, h] <= 1, name=f"hole{h}_{p}_{q}")
    start = time.perf_counter()
    e = explain(m, time_limit=2)
    assert time.perf_counter() - start < 4
    assert e.status in ("infeasible", "unknown")
    assert e.message


def test_wrong_type_raises_typeerror():
    with pytest.raises(TypeError):
        explain("not a problem")


# ---- structured problems -------------------------------------------------------------------------
def test_cvrp_oversized_demand_names_the_customer():
    """The CVRP constructor rejects such data; explain still names the customer if a CVRP ever
    carries it (e.g. demands changed after construction)."""
    p = CVRP(D6, [0, 2, 3, 4, 1, 3], 6)
    p.demands = np.array([0, 2, 9, 4, 1, 3.0])
    e = explain(p)
    assert e.status == "infeasible" and e.irreducible and e.method == "data check"
    assert e.rows == ["customer 2: demand 9", "vehicle capacity 6"]
    assert "customer 2" in e.message


def test_cvrp_fleet_too_small_names_customers():
    p = CVRP(D6, [0, 2, 3, 4, 1, 3], 6, num_vehicles=2)  # total 13 > 2 x 6
    e = explain(p)
    assert e.status == "infeasible" and e.irreducible
    assert e.rows[-2:] == ["vehicle capacity 6", "at most 2 vehicles"]
    assert len(e.rows) == 7  # dropping any customer lets the rest fit: all five are needed
    p = CVRP(D6, [0, 4, 4, 4, 0, 0], 7, num_vehicles=2)  # 12 <= 14, but no two 4s share a vehicle
    e = explain(p)
    assert e.status == "infeasible" and e.irreducible
    assert e.rows == [
        "customer 1: demand 4",
        "customer 2: demand 4",
        "customer 3: demand 4",
        "vehicle capacity 7",
        "at most 2 vehicles",
    ]
    assert explain(CVRP(D6, [0, 3, 3, 2, 2, 2], 6, num_vehicles=2)).status == "feasible"
    assert explain(CVRP(D6, [0, 3, 3, 2, 2, 2], 6)).status == "feasible"


@pytest.mark.parametrize(
    "problem",
    [
        Knapsack([1, 2, 3], [3, 4, 5], 0),
        TSP(D6),
        JobShop([[(0, 3), (1, 2)], [(1, 4), (0, 1)]]),
    ],
)
def test_structured_feasible_by_construction(problem):
    e = explain(problem)
    assert e.status == "feasible" and e.method == "data check" and e.message


# ---- CLI -----------------------------------------------------------------------------------------
LP_TEXT = """Minimize
 obj: x + z
Subject To
 c1: x + y <= 1
 c2: x - y >= 3
 c3: z + x <= 10
Bounds
 z <= 5
End
"""


def test_cli_explain_infeasible_lp(capsys, tmp_path):
    path = tmp_path / "inf.lp"
    path.write_text(LP_TEXT)
    code, out, err = run(capsys, "explain", str(path), "--time-limit", "10")
    assert code == 5, (out, err)
    assert "infeasible" in out and "irreducible" in out
    for text in ("c1", "c2", "<= 1", ">= 3", "y"):
        assert text in out
    assert "c3" not in out
    assert "Traceback" not in out + err


def test_cli_explain_feasible_and_bad_input(capsys, tmp_path):
    path = tmp_path / "ok.lp"
    path.write_text(LP_TEXT.replace(">= 3", ">= -3"))
    code, out, _ = run(capsys, "explain", str(path))
    assert code == 0 and "feasible" in out
    bad = tmp_path / "bad.lp"
    bad.write_text("this is not an LP file at all\n")
    for args in (["explain", str(bad)], ["explain", str(tmp_path / "missing.lp")], ["explain", str(path), "-t", "0"]):
        code, out, err = run(capsys, *args)
        assert code == 2, (args, out, err)
        lines = [line for line in err.strip().splitlines() if line.strip()]
        assert len(lines) == 1 and "error" in lines[0] and "Traceback" not in err, err
