"""`omnisolve batch` on this machine: every file answered and certified in DIR/<stem>.json and
summary.csv, the options passed to each run, a batch resumed, and its bad input refused."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from conftest import run_cli
from omnisolve.batch import solve_many
from omnisolve.problems import Knapsack

DATA = Path(__file__).resolve().parents[1] / "src" / "omnisolve" / "data"


def test_batch_passes_its_options_to_every_run(capsys, tmp_path):
    files = [str(DATA / "ft06.txt"), str(DATA / "strongly_100.kp")]
    args = ["batch", *files, "-o", str(tmp_path), "--solver", "cpsat", "--threads", "2", "-t", "10"]
    code, out, err = run_cli(capsys, *args, "--cross-check", "off")
    assert code == 0, err
    assert "2 of 2 answered" in out
    rows = list(csv.DictReader((tmp_path / "summary.csv").open()))
    assert [(Path(r["file"]).name, r["solver"], float(r["objective"])) for r in rows] == [
        ("ft06.txt", "cpsat", 55.0),
        ("strongly_100.kp", "cpsat", 31644.0),
    ]
    assert json.loads((tmp_path / "ft06.json").read_text())["certificate"]["verdict"] == "pass"


def test_a_failed_run_is_exit_1_with_its_error_in_the_summary(capsys, tmp_path):
    code, _, err = run_cli(capsys, "batch", str(DATA / "afiro.mps"), "-o", str(tmp_path), "--solver", "knapsack-dp")
    assert code == 1 and "1 run(s) failed" in err
    (row,) = csv.DictReader((tmp_path / "summary.csv").open())
    assert row["status"] == "error" and "knapsack" in row["message"].lower()


@pytest.mark.parametrize(
    "args, message",
    [
        (["--threads", "0"], "--threads >= 1"),
        (["--cross-check", "some"], "--cross-check must be off, claims or always"),
        (["--time-limit", "0"], "--time-limit must be > 0"),
    ],
)
def test_bad_options_are_exit_2(capsys, tmp_path, args, message):
    code, _, err = run_cli(capsys, "batch", str(DATA / "ft06.txt"), "-o", str(tmp_path), *args)
    assert code == 2 and message in err


def test_two_files_with_one_stem_are_refused_before_anything_runs(capsys, tmp_path):
    other = tmp_path / "in" / "ft06.txt"
    other.parent.mkdir()
    other.write_text((DATA / "ft06.txt").read_text())
    code, _, err = run_cli(capsys, "batch", str(DATA / "ft06.txt"), str(other), "-o", str(tmp_path / "out"))
    assert code == 2 and "would both be answered in ft06.json" in err
    assert not (tmp_path / "out" / "ft06.json").exists()


def test_solve_many_takes_problems_in_memory_in_order():
    small = Knapsack([3, 4, 5], [2, 3, 4], 5, name="small")  # best: items 0 and 1, value 7
    results = solve_many([small, DATA / "ft06.txt"], time_limit=10, cross_check="off")
    assert [r.objective for r in results] == [7, 55] and all(r.certificate.passed for r in results)
