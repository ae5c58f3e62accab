"""`omnisolve minimize TARGET`: a Python function minimized from the command line (a file's or a
module's), with constraints, integer coordinates and workers; the certified best point, its
JSON, and one line with exit 2 for every bad argument."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from conftest import run_cli as run
from test_cli import one_line_error

FUNCTIONS = """
import numpy as np


def schwefel(x):
    return float(np.sum(-x * np.sin(np.sqrt(np.abs(x)))))


def disk(x):
    return np.array([x[0] ** 2 + x[1] ** 2 - 300.0 ** 2])


def steps(x):
    return float((x[0] - 3) ** 2 + (x[1] - 0.5) ** 2)


not_callable = 3
"""


@pytest.fixture
def functions(tmp_path: Path) -> Path:
    path = tmp_path / "functions_for_cli.py"
    path.write_text(FUNCTIONS)
    return path


def test_a_file_function_reaches_schwefels_minimum_and_writes_json(capsys, functions, tmp_path):
    out = tmp_path / "r.json"
    code, stdout, _ = run(
        capsys, "minimize", f"{functions}:schwefel", "-b", "-500,500 x2", "-n", "2000", "-o", str(out)
    )
    assert code == 0 and "feasible" in stdout and "pass" in stdout and "x = [420.9" in stdout
    result = json.loads(out.read_text())
    assert result["objective"] == pytest.approx(-837.9658, abs=1e-3) and result["certificate"]["verdict"] == "pass"
    np.testing.assert_allclose(result["values"], 420.9687, atol=0.05)


def test_constraints_integers_and_workers(capsys, functions, tmp_path):
    """The disk constraint holds at the answer, the integer coordinate is integral, and two
    workers evaluate (the file's functions pickle by reference, imported once)."""
    out = tmp_path / "r.json"
    args = ["minimize", f"{functions}:steps", "-b", "-5,5", "-b", "-5,5", "-n", "60", "--integer", "0"]
    code, _, err = run(capsys, *args, "-c", f"{functions}:disk", "-w", "2", "-o", str(out), "-q")
    assert code == 0, err
    x = np.array(json.loads(out.read_text())["values"])
    assert x[0] == round(x[0]) and x @ x <= 300.0**2


@pytest.mark.parametrize(
    "args, message",
    [
        (["{f}:nothere", "-b", "0,1", "-n", "5"], "has no function 'nothere'"),
        (["{f}:not_callable", "-b", "0,1", "-n", "5"], "has no function 'not_callable'"),
        (["{d}/missing.py:f", "-b", "0,1", "-n", "5"], "missing.py: no such file"),
        (["no_such_module_here:f", "-b", "0,1", "-n", "5"], "no_such_module_here: cannot import it"),
        (["schwefel", "-b", "0,1", "-n", "5"], "give FILE.py:NAME or package.module:NAME"),
        (["{f}:schwefel", "-b", "1,0", "-n", "5"], "LO must be below HI"),
        (["{f}:schwefel", "-b", "a,b", "-n", "5"], "give LO,HI or LO,HI xN"),
        (["{f}:schwefel", "-b", "0,1", "-n", "0"], "--budget and --workers must be >= 1"),
        (["{f}:schwefel", "-b", "0,1 x2", "-n", "5", "--integer", "2"], "coordinates run from 0 to 1"),
        (["{f}:schwefel", "-b", "0,1", "-n", "5", "-m", "simplex"], "unknown black-box method 'simplex'"),
    ],
)
def test_bad_arguments_are_one_line_and_exit_2_or_4(capsys, functions, args, message):
    args = [a.format(f=functions, d=functions.parent) for a in args]
    code, _, err = run(capsys, "minimize", *args)
    assert code in (2, 4) and message in one_line_error(err), err


def test_a_file_that_fails_to_import_is_one_line(capsys, tmp_path):
    broken = tmp_path / "broken_for_cli.py"
    broken.write_text("def f(x):\n    return x[0\n")
    code, _, err = run(capsys, "minimize", f"{broken}:f", "-b", "0,1", "-n", "5")
    assert code == 2 and "broken_for_cli.py: cannot import it" in one_line_error(err)
