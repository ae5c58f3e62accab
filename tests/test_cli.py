"""The CLI: outputs, exit codes, and every error path (one line on stderr, no traceback)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from conftest import BENCHDATA
from conftest import run_cli as run
from omnisolve.cli import solve as solve_commands
from omnisolve.result import Certificate, Optimality, Result, Status


def one_line_error(err: str) -> str:
    lines = [line for line in err.strip().splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


def test_solve_prints_certified_optimum_and_writes_json(capsys, tmp_path):
    out_file = tmp_path / "r.json"
    code, out, _ = run(capsys, "solve", str(BENCHDATA / "jobshop" / "ft06.txt"), "-t", "30", "-o", str(out_file))
    assert code == 0
    assert "optimal" in out and "55" in out and "pass" in out
    data = json.loads(out_file.read_text())
    assert data["status"] == "optimal" and data["objective"] == 55
    assert data["certificate"]["verdict"] == "pass"
    assert len(data["solution"]) == 6


def test_solve_lp_with_named_solver(capsys):
    code, out, _ = run(capsys, "solve", str(BENCHDATA / "mip" / "afiro.mps"), "--solver", "highs")
    assert code == 0 and "-464.75" in out and "highs" in out


def test_info_prints_class_and_features(capsys):
    code, out, _ = run(capsys, "info", str(BENCHDATA / "tsp" / "berlin52.tsp"))
    assert code == 0 and "TSP" in out and "52" in out
    code, out, _ = run(capsys, "info", str(BENCHDATA / "mip" / "egout.mps"))
    assert code == 0 and "MILP" in out and "nonzeros" in out


def test_solvers_lists_backends(capsys):
    code, out, _ = run(capsys, "solvers")
    assert code == 0
    for name in ("highs", "cpsat", "scipy"):
        assert name in out
    assert "yes" in out


def test_missing_file(capsys, tmp_path):
    code, _, err = run(capsys, "solve", str(tmp_path / "nope.mps"))
    assert code == 2
    line = one_line_error(err)
    assert "nope.mps" in line and "not found" in line


def test_malformed_file_names_file_and_line(capsys, tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_text("2 2\n0 3 1 2\n0 x 1 4\n")
    code, _, err = run(capsys, "solve", str(bad))
    assert code == 2
    line = one_line_error(err)
    assert "bad.txt:3" in line


def test_unknown_format(capsys, tmp_path):
    bad = tmp_path / "thing.xyz"
    bad.write_text("hello world\n")
    code, _, err = run(capsys, "info", str(bad))
    assert code == 2 and "thing.xyz" in one_line_error(err)


def test_unknown_solver(capsys):
    code, _, err = run(capsys, "solve", str(BENCHDATA / "mip" / "afiro.mps"), "--solver", "gurobi9")
    assert code == 4 and "unknown solver 'gurobi9'" in one_line_error(err)


def test_unsupported_problem_for_solver(capsys):
    code, _, err = run(capsys, "solve", str(BENCHDATA / "mip" / "egout.mps"), "--solver", "scipy")
    assert code == 4
    line = one_line_error(err)
    assert "scipy" in line and "integer" in line


def test_infeasible_model(capsys):
    code, out, err = run(capsys, "solve", str(BENCHDATA / "mip" / "infeasible-mip0.mps"))
    assert code == 5
    assert "infeasible" in out and "infeasible" in one_line_error(err)


def test_unbounded_model(capsys):
    code, _, err = run(capsys, "solve", str(BENCHDATA / "mip" / "gas11.mps"))
    assert code == 6 and "unbounded" in one_line_error(err)


@pytest.mark.parametrize("args", [["--time-limit", "-1"], ["--threads", "0"], ["--gap", "2"]])
def test_bad_limits(capsys, args):
    code, _, err = run(capsys, "solve", str(BENCHDATA / "mip" / "afiro.mps"), *args)
    assert code == 2 and "--time-limit" in one_line_error(err)


def test_unknown_option_is_a_usage_error(capsys):
    code, _, err = run(capsys, "solve", "--frobnicate")
    assert code == 2 and "Traceback" not in err


def test_unwritable_output(capsys, tmp_path):
    target = tmp_path / "no" / "such" / "dir" / "r.json"
    code, _, err = run(capsys, "solve", str(BENCHDATA / "mip" / "afiro.mps"), "-o", str(target))
    assert code == 2 and "cannot write result" in one_line_error(err)


def test_exit_codes_by_status():
    assert solve_commands.EXIT_BY_STATUS[Status.TIME_LIMIT] == 7
    with pytest.raises(Exception) as info:
        solve_commands.exit_for(Result(Status.TIME_LIMIT))
    assert getattr(info.value, "exit_code", None) == 7


def test_entry_point_subprocess_no_traceback(tmp_path):
    """The installed console script: bad input gives one line and exit 2, never a traceback."""
    bad = tmp_path / "broken.tsp"
    bad.write_text("NAME: x\nTYPE: TSP\nDIMENSION: 3\nEDGE_WEIGHT_TYPE: EUC_2D\nNODE_COORD_SECTION\n1 0 0\n2 1\n")
    proc = subprocess.run([sys.executable, "-m", "omnisolve.cli", "solve", str(bad)], capture_output=True, text=True)
    assert proc.returncode == 2
    assert "broken.tsp:7" in one_line_error(proc.stderr)


def test_an_optimum_within_the_gap_tolerance_says_so():
    """A MIP solver stops at the relative gap (1e-6 by default): 7,425,375 with a proven bound of
    7,425,380 is "optimal" within it, and the status line says the objective may not be the optimum."""
    from omnisolve.cli.reporting import status_text

    def result(objective: float) -> Result:
        proof = Certificate("pass", objective=objective, optimality=Optimality.PROVEN, bound=7425380.0)
        return Result(Status.OPTIMAL, objective=objective, bound=7425380.0, certificate=proof)

    assert status_text(result(7425375.0)).plain == "optimal (proven, within gap 6.734e-05 %)"
    assert status_text(result(7425380.0)).plain == "optimal (proven)"
