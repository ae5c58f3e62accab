"""The benchmark harness: suites, metrics (hand-computed values), isolated runs that survive
crashing and hanging solvers, the report files and the `omnisolve bench` command."""

from __future__ import annotations

import csv
import json
import math
import shutil
from pathlib import Path

import numpy as np
import pytest
from rich.console import Console

import omnisolve as om
from conftest import BENCHDATA, RACE_OVERRUN, grace
from fake_solvers import FAKES, LIARS, alive
from omnisolve.bench import metrics
from omnisolve.bench.command import run_benchmark
from omnisolve.bench.runner import Run, Settings, score, solver_spec
from omnisolve.bench.suites import Instance, load_suite, select
from test_cli import one_line_error, run

TESTS = Path(__file__).resolve().parent


@pytest.fixture(scope="module")
def tiny_suite(tmp_path_factory) -> Path:
    """ft06 (job shop, optimum 55) and uncorrelated_50 (knapsack, optimum 19154)."""
    folder = tmp_path_factory.mktemp("tiny")
    shutil.copy(BENCHDATA / "jobshop" / "ft06.txt", folder)
    shutil.copy(BENCHDATA / "knapsack" / "uncorrelated_50.kp", folder)
    (folder / "optima.csv").write_text(
        "name,file,optimum,items,jobs,machines\nft06,ft06.txt,55,,6,6\nuncorrelated_50,uncorrelated_50.kp,19154,50,,\n"
    )
    return folder


@pytest.fixture(scope="module")
def tiny_bench(tiny_suite, tmp_path_factory) -> tuple[Path, list[Run]]:
    suite = load_suite(str(tiny_suite))
    out = tmp_path_factory.mktemp("bench-out")
    runs = run_benchmark(suite, suite.instances, ["cpsat", "highs"], Settings(time_limit=3), out, Console(quiet=True))
    return out, runs


# ---- metrics -------------------------------------------------------------------------------

STEP_TRACE = [(0.5, None, 90.0), (1.0, 120.0, None), (3.0, 105.0, 95.0), (6.0, 100.0, 100.0)]


def test_gap_is_a_sense_adjusted_fraction():
    assert metrics.gap(110, 100, "min") == pytest.approx(0.1)
    assert metrics.gap(90, 100, "max") == pytest.approx(0.1)
    assert metrics.gap(95, 100, "min") == pytest.approx(-0.05)
    assert metrics.gap(-110, -100, "min") == pytest.approx(-0.1)
    assert metrics.gap(0, 0) == 0 and metrics.gap(1, 0) == math.inf
    assert metrics.gap(None, 100) is None and metrics.gap(100, None) is None


def test_primal_integral_of_a_step_trace():
    # p = 1 on [0, 1), 20/120 on [1, 3), 5/105 on [3, 6), 0 on [6, 10]; bound-only entries ignored
    expected = 1.0 + 2 * 20 / 120 + 3 * 5 / 105
    assert metrics.primal_integral(STEP_TRACE, 100.0, 10.0) == pytest.approx(expected)
    assert metrics.primal_integral([], 100.0, 10.0) == 10.0  # never an incumbent: p = 1 throughout
    assert metrics.primal_integral([(2.0, 100.0, None)], 100.0, 10.0) == pytest.approx(2.0)
    assert metrics.primal_integral([(12.0, 100.0, None)], 100.0, 10.0) == pytest.approx(10.0)  # clipped
    assert metrics.primal_integral(STEP_TRACE, None, 10.0) is None
    assert metrics.primal_gap_function(-1.0, 1.0) == 1.0 and metrics.primal_gap_function(0.0, 0.0) == 0.0
    assert metrics.primal_gap_at(STEP_TRACE, 100.0, [0.0, 1.0, 4.0, 7.0]) == pytest.approx([1.0, 1 / 6, 5 / 105, 0.0])


def test_time_to_target():
    assert metrics.time_to_target(STEP_TRACE, 100.0, "min", 0.01) == 6.0
    assert metrics.time_to_target(STEP_TRACE, 100.0, "min", 0.06) == 3.0
    assert metrics.time_to_target(STEP_TRACE, 99.0, "min", 0.001) is None
    assert metrics.time_to_target([(2.0, 99.0, None)], 100.0, "max", 0.01) == 2.0


def test_coco_ecdf_of_targets_reached():
    assert len(metrics.COCO_TARGETS) == 51
    assert metrics.COCO_TARGETS[0] == pytest.approx(100.0) and metrics.COCO_TARGETS[-1] == pytest.approx(1e-8)
    # precision 50 after call 1 (reaches 10^2 .. 10^1.8), 1e-9 after call 40 (all the rest)
    hits = metrics.first_hits([(1, 50.0), (40, 1e-9)])
    assert hits[:2] == [1, 1] and hits[2:] == [40] * 49
    assert metrics.first_hits([(3, 200.0)]) == [None] * 51
    runs = [(2, [1, 20]), (2, [None, 200])]  # two runs in 2-D, two targets each
    assert metrics.ecdf(runs, [0.5, 1.0, 10.0, 100.0]) == [0.25, 0.25, 0.5, 0.75]
    # per pair 1 - log10(max(calls/dim, 1)) / log10(budget/dim): 0.5 -> 1, 10 -> 0.5, never -> 0, 100 -> 0
    assert metrics.ecdf_area(runs, 100.0) == pytest.approx((1.0 + 0.5 + 0.0 + 0.0) / 4)
    assert metrics.ecdf_area(runs, 10.0) == pytest.approx((1.0 + 0.0 + 0.0 + 0.0) / 4)


def test_coco_expected_running_time():
    # two runs of 100 calls: one hits at 30, one never: (30 + 100) / 1
    assert metrics.expected_running_time([(100, 30), (100, None)]) == pytest.approx(130.0)
    assert metrics.expected_running_time([(100, 30), (80, 50)]) == pytest.approx(40.0)
    assert metrics.expected_running_time([(100, None)]) == math.inf
    assert metrics.expected_running_time([]) == math.inf


def test_shifted_geomean_profiles_and_answer_cost():
    assert metrics.shifted_geomean([10.0, 30.0]) == pytest.approx(math.sqrt(20 * 40) - 10)
    assert metrics.shifted_geomean([0.0, 0.0]) == pytest.approx(0.0)
    assert metrics.shifted_geomean([]) is None
    ratios = metrics.performance_ratios({"a": {"x": 2.0, "y": 4.0}, "b": {"x": 3.0, "y": None}})
    assert ratios == {"x": [1.0, 1.0], "y": [2.0, math.inf]}
    assert metrics.performance_profile(ratios["y"], [1.0, 2.0, 3.0]) == [0.0, 0.5, 0.5]
    assert metrics.answer_cost(5.0, None, 1.0, 10.0) == 5.0  # a proof within the limit: its time
    assert metrics.answer_cost(None, 2.0, 1.0, 10.0) == 12.0  # a claim: the limit, then its time
    assert metrics.answer_cost(None, None, 1.0, 10.0) == 21.0  # twice the limit, then the time to the reference
    assert metrics.answer_cost(12.0, 12.0, 12.0, 10.0) == metrics.answer_cost(None, None, None, 10.0) == 100.0


# ---- suites --------------------------------------------------------------------------------


def test_suites_read_their_reference_columns():
    jobshop = {i.name: i for i in load_suite("jobshop").instances}
    assert jobshop["ft06"].best_known == 55 and jobshop["ft06"].proven and jobshop["ft06"].size == 36
    assert jobshop["abz8"].best_known == 665 and not jobshop["abz8"].proven and jobshop["abz8"].bound == 645
    hard = {i.name: i for i in load_suite("mip_hard").instances}
    assert hard["indset_1"].sense == "max" and hard["indset_1"].proven
    assert not hard["facility_2"].proven and not hard["mknap_1"].proven
    mip = {i.name: i for i in load_suite("mip").instances}
    assert mip["gas11"].expected_status == "unbounded" and mip["gas11"].best_known is None
    cvrp = load_suite(str(BENCHDATA / "cvrp"))
    by_name = {i.name: i for i in cvrp.instances}
    assert by_name["A-n32-k5"].num_vehicles == 5 and by_name["A-n32-k5"].best_known == 784
    assert by_name["att48"].best_known is None and by_name["att48"].historic_value == 12649
    assert cvrp.default_solvers == ["pyvrp", "ortools-routing"]


def test_the_repository_s_generated_suites_are_found_by_name_and_their_optima_hold():
    """benchmarks/data/knapsack_heldapart and knapsack_large: found by name beside
    ../shared/benchdata; the 150-item optima agree with the knapsack DP backend's proof, and
    HiGHS proves the large set's uncorrelated ones (where the DP is out of reach)."""
    from omnisolve.algorithms.knapsack_dp import prefer_dp

    held = load_suite("knapsack_heldapart")
    assert held.folder.parent.name == "data" and len(held.instances) == 12
    for inst in [i for i in held.instances if i.size == 150][:3]:
        result = om.solve(str(inst.path), solver="knapsack-dp", time_limit=30)
        assert result.status == om.Status.OPTIMAL and result.objective == inst.best_known and inst.proven
    large = load_suite("knapsack_large")
    assert len(large.instances) == 10 and not any(prefer_dp(om.read(i.path)) for i in large.instances)
    for inst in select(large, ["uncorrelated_L300", "uncorrelated_L800"]):
        result = om.solve(str(inst.path), solver="highs", time_limit=5)  # its witness: 1 s of SCIP
        assert result.status == om.Status.OPTIMAL and result.objective == inst.best_known


def test_select_filters_by_name_size_and_count():
    tsp = load_suite("tsp")
    assert [i.name for i in select(tsp, ["burma14", "eil51"])] == ["burma14", "eil51"]
    assert all(i.size <= 52 for i in select(tsp, max_size=52)) and len(select(tsp, max_size=52)) >= 5
    assert len(select(tsp, max_size=200, limit=3)) == 3
    with pytest.raises(Exception, match="no instance nosuch"):
        select(tsp, ["nosuch"])


def test_reference_is_the_best_found_where_nothing_is_proven():
    inst = Instance("x", Path("x.vrp"))  # no known optimum (a CVRP row without one)
    runs = [
        Run("x", "a", 0, 0, "feasible", 12.0, verdict="pass", runtime=1.0, trace=[[0.5, 12.0, None]]),
        Run("x", "b", 0, 0, "feasible", 10.0, verdict="pass", runtime=1.0, trace=[[1.0, 10.0, None]]),
    ]
    score(runs, [inst], time_limit=2.0)
    assert [r.reference for r in runs] == [10.0, 10.0]
    assert runs[0].gap == pytest.approx(0.2) and runs[1].gap == 0.0
    assert runs[1].primal_integral == pytest.approx(1.0) and runs[1].time_to_01pct == 1.0


def test_sense_comes_from_a_run_that_read_the_problem():
    inst = Instance("kp", Path("kp.kp"), best_known=100.0, proven=True)
    runs = [
        Run("kp", "missing", 0, 0, "error", message="solver module not available"),
        Run("kp", "a", 0, 0, "feasible", 90.0, verdict="pass", sense="max", load_time=0.1, runtime=1.0),
    ]
    score(runs, [inst], time_limit=2.0)
    assert [r.sense for r in runs] == ["max", "max"] and runs[1].gap == pytest.approx(0.1)
    assert runs[1].correct and runs[0].correct is None and runs[0].primal_integral_norm == 1.0


# ---- runs and reports ----------------------------------------------------------------------


def test_tiny_suite_reaches_the_optima_and_writes_every_output(tiny_bench):
    out, runs = tiny_bench
    assert {p.name for p in out.iterdir()} >= {"runs.csv", "runs.json", "summary.md", "gap_vs_time.png", "profiles.png"}
    by_key = {(r.instance, r.solver): r for r in runs}
    for key in [("ft06", "cpsat"), ("uncorrelated_50", "cpsat"), ("uncorrelated_50", "highs")]:
        r = by_key[key]
        assert r.status == "optimal" and r.verdict == "pass" and r.gap == 0 and r.correct, (key, r.message)
        assert r.trace and r.time_to_01pct is not None and 0 < r.primal_integral_norm < 1
    # a Python interpreter with numpy and the solver loaded: tens of MB, far from a GB
    assert all(30 < r.peak_rss_mb < 1500 for r in runs), [r.peak_rss_mb for r in runs]
    assert by_key[("uncorrelated_50", "highs")].sense == "max"
    assert by_key[("ft06", "highs")].verdict == "pass"  # within 3 s maybe not optimal, always certified
    rows = list(csv.DictReader((out / "runs.csv").open()))
    assert len(rows) == 4 and {r["solver"] for r in rows} == {"cpsat", "highs"}
    assert all(r["trace"] for r in json.loads((out / "runs.json").read_text()) if r["solver"] == "cpsat")
    summary = (out / "summary.md").read_text()
    assert "| cpsat | 2 | 0 | 0 | 0 |" in summary
    # CP-SAT's ft06 optimum has no witness that size (claimed, +); HiGHS's is confirmed by CP-SAT (*)
    assert "| ft06 | 55 | 55+ / 0 % | " in summary
    growth = f"| ft06 | 36 | cpsat | 0 % | {by_key[('ft06', 'cpsat')].time_to_1pct:.4g} |"
    assert growth in summary and "## Time to target and memory" in summary
    highs = by_key[("ft06", "highs")]
    if highs.status == "optimal":  # about 1 s, but a loaded machine may take over 3 s
        # "*" exactly when CP-SAT, its witness, confirmed the claim within the cross-check's
        # share of the 3 s; "+" when the witness ran out of that time (one clean-clone CI run)
        mark = {"proven": "*", "claimed": "+"}[highs.optimality]
        assert f"| ft06 | 55 | 55+ / 0 % | 55{mark} / 0 % |" in summary
    assert (out / "gap_vs_time.png").read_bytes()[:4] == b"\x89PNG"


def test_a_workers_peak_memory_is_its_own_not_its_large_parents():
    """Linux keeps a forked copy's high-water mark across exec, so getrusage in a child started
    by a large process reads the parent's size (6 GB under pytest in CI): the peak is its own."""
    import subprocess
    import sys

    ballast = np.ones(100_000_000)  # 800 MB resident in this process while the child starts
    code = "from omnisolve.bench.worker import peak_rss_mb; print(peak_rss_mb())"
    child = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert ballast.sum() == 1e8 and 5 < float(child.stdout) < 400, child.stdout


def test_crashing_hanging_and_missing_solvers_become_error_rows(tiny_suite, tmp_path, monkeypatch):
    pidfile = tmp_path / "pids"
    monkeypatch.setenv("OMNISOLVE_TEST_PIDFILE", str(pidfile))
    suite = load_suite(str(tiny_suite))
    settings = Settings(
        time_limit=1.0,
        grace=grace(RACE_OVERRUN),  # a loaded machine: the exit fake took over 1.5 s to exit after it started
        jobs=2,
        sys_path=(str(TESTS),),
        extra_solvers={**FAKES, "ghost": "no_such_module:Ghost"},
    )
    solvers = [*FAKES, "ghost"]
    runs = run_benchmark(suite, select(suite, ["ft06"]), solvers, settings, tmp_path / "out", Console(quiet=True))
    by_solver = {r.solver: r for r in runs}
    assert by_solver["crash"].status == "error" and "SIGSEGV" in by_solver["crash"].message
    assert by_solver["exit"].status == "error" and "exited with code 3" in by_solver["exit"].message
    assert by_solver["oom"].status == "error" and "out of memory" in by_solver["oom"].message
    assert by_solver["hang"].status == "error" and by_solver["hang"].message.startswith("killed after")
    assert by_solver["refuse"].status == "unsupported" and "refuses everything" in by_solver["refuse"].message
    assert by_solver["ghost"].status == "error" and "solver module not available" in by_solver["ghost"].message
    assert all(r.primal_integral_norm == 1.0 for r in runs if r.status == "error")
    pids = [int(p) for p in pidfile.read_text().split()]
    assert len(pids) == 2 and not any(alive(p) for p in pids), "the hanging solver or its child survived"
    assert "| refuse | 0 | 1 |" in (tmp_path / "out" / "summary.md").read_text()


# ---- command line --------------------------------------------------------------------------


def test_cli_bench_end_to_end(capsys, tiny_suite, tmp_path):
    code, out, _ = run(
        capsys,
        "bench",
        str(tiny_suite),
        "--solvers",
        "cpsat",
        "-t",
        "2",
        "--out",
        str(tmp_path / "o"),
        "--instances",
        "uncorrelated_50",
    )
    assert code == 0 and "cpsat" in out and "results in" in out
    rows = list(csv.DictReader((tmp_path / "o" / "runs.csv").open()))
    assert [(r["instance"], r["status"], float(r["gap"])) for r in rows] == [("uncorrelated_50", "optimal", 0.0)]


def test_a_solver_entry_may_fix_its_threads(capsys, tiny_suite, tmp_path):
    assert solver_spec("pyvrp@1", 2) == ("pyvrp", 1) and solver_spec("pyvrp", 2) == ("pyvrp", 2)
    code, out, _ = run(
        capsys,
        "bench",
        str(tiny_suite),
        "--solvers",
        "cpsat,cpsat@2",
        "-t",
        "2",
        "--out",
        str(tmp_path / "o"),
        "--instances",
        "uncorrelated_50",
    )
    rows = list(csv.DictReader((tmp_path / "o" / "runs.csv").open()))
    assert code == 0 and [(r["solver"], r["status"]) for r in rows] == [("cpsat", "optimal"), ("cpsat@2", "optimal")]


def test_auto_is_benchmarked_beside_a_backend(capsys, tiny_suite, tmp_path):
    """`auto` in --solvers is omnisolve's default choice, run and scored like any backend, so
    `omnisolve solve FILE` can be compared with a peer in one run."""
    out = tmp_path / "o"
    args = ["bench", str(tiny_suite), "--solvers", "auto,highs", "-t", "5", "-j", "1", "--out", str(out)]
    code, _, _ = run(capsys, *args)
    rows = {(r["instance"], r["solver"]): r for r in csv.DictReader((out / "runs.csv").open())}
    assert code == 0 and set(rows) == {(i, s) for i in ("ft06", "uncorrelated_50") for s in ("auto", "highs")}
    assert rows[("ft06", "auto")]["objective"] == "55.0" and rows[("uncorrelated_50", "auto")]["objective"] == "19154.0"
    assert all(rows[(i, "auto")]["verdict"] == "pass" for i in ("ft06", "uncorrelated_50"))


@pytest.mark.parametrize(
    "args, code, message",
    [
        (["nosuch"], 2, "unknown suite 'nosuch'"),
        (["{tiny}", "--solvers", "cpsat@0"], 2, "bad solver entry 'cpsat@0'"),
        (["{tiny}", "--solvers", "nosuch@2"], 4, "unknown solver nosuch@2"),
        (["{tiny}", "--solvers", "nosuch"], 4, "unknown solver nosuch"),
        (["{tiny}", "--solvers", "cpsat", "-t", "0"], 2, "--time-limit must be > 0"),
        (["{tiny}", "--solvers", "cpsat", "--instances", "la99"], 2, "no instance la99"),
        (["{tiny}"], 2, "no default solvers"),
        (["{empty}"], 2, "needs an optima.csv"),
    ],
)
def test_cli_bench_errors(capsys, tiny_suite, tmp_path, args, code, message):
    (tmp_path / "empty").mkdir()
    args = [a.format(tiny=tiny_suite, empty=tmp_path / "empty") for a in args]
    got, _, err = run(capsys, "bench", *args, "--out", str(tmp_path / "o"))
    assert got == code and message in one_line_error(err)
    assert not (tmp_path / "o").exists()


def test_lying_solvers_are_counted_refuted_wrong_or_failed(tiny_suite, tmp_path):
    """liar-knapsack claims the empty selection optimal (a passing certificate, a false claim);
    liar-overfull takes every item (its certificate fails): neither may score as an answer."""
    liars = {name: LIARS[name] for name in ("liar-knapsack", "liar-overfull")}
    suite = load_suite(str(tiny_suite))
    settings = Settings(time_limit=5.0, sys_path=(str(TESTS),), extra_solvers=liars)
    runs = run_benchmark(
        suite, select(suite, ["uncorrelated_50"]), [*liars], settings, tmp_path / "out", Console(quiet=True)
    )
    assert len(runs) == 2
    rows = {r["solver"]: r for r in csv.DictReader((tmp_path / "out" / "runs.csv").open())}
    empty, overfull = rows["liar-knapsack"], rows["liar-overfull"]
    # scored on its own answer: it said optimal with 0, the cross-check showed 19154
    assert (empty["status"], float(empty["objective"]), empty["verdict"]) == ("optimal", 0.0, "pass")
    assert empty["optimality"] == "refuted" and empty["correct"] == "False"
    assert overfull["status"] == "error" and overfull["verdict"] == "fail" and overfull["correct"] != "True"
    assert "verification failed (solver claimed optimal)" in overfull["message"]
    assert "is more than the capacity" in overfull["message"]
    assert overfull["gap"] == "" and float(overfull["primal_integral_norm"]) == 1.0  # no credit for it
    lines = (tmp_path / "out" / "summary.md").read_text().splitlines()
    header = next(line for line in lines if line.startswith("| solver | runs |"))
    columns = [c.strip() for c in header.strip("|").split("|")]
    table = {}
    for line in lines[lines.index(header) + 2 :]:
        if not line.startswith("|"):
            break
        cells = dict(zip(columns, (c.strip() for c in line.strip("|").split("|"))))
        table[cells["solver"]] = cells
    assert {k: table["liar-knapsack"][k] for k in ("runs", "errors", "refuted", "wrong", "best")} == {
        "runs": "1",
        "errors": "0",
        "refuted": "1",
        "wrong": "1",
        "best": "0",
    }
    assert {k: table["liar-overfull"][k] for k in ("runs", "errors", "optimal", "refuted", "best")} == {
        "runs": "1",
        "errors": "1",
        "optimal": "0",
        "refuted": "0",
        "best": "0",
    }


def test_cli_bench_suite_by_name_with_data_size_limit_repeats_and_jobs(capsys, tiny_suite, tmp_path):
    """`--data` holds the suites by name; `--max-size` drops the 50-item knapsack, `--limit 1`
    keeps the first row only (the knapsack here), `--repeats 2` runs seeds 0 and 1, `--jobs 2`
    runs them at once."""
    suite = tmp_path / "data" / "mine"
    shutil.copytree(tiny_suite, suite)
    rows = (suite / "optima.csv").read_text().splitlines()
    (suite / "optima.csv").write_text("\n".join([rows[0], rows[2], rows[1]]) + "\n")  # knapsack first
    common = ["--data", str(tmp_path / "data"), "--solvers", "cpsat", "-t", "5", "--repeats", "2", "--jobs", "2"]

    def ran(*options: str) -> list[tuple[str, str, str]]:
        out = tmp_path / "out" / "-".join(options)
        code, _, _ = run(capsys, "bench", "mine", *common, *options, "--out", str(out))
        assert code == 0
        return sorted((r["instance"], r["seed"], r["status"]) for r in csv.DictReader((out / "runs.csv").open()))

    assert ran("--max-size", "40") == [("ft06", "0", "optimal"), ("ft06", "1", "optimal")]
    assert ran("--limit", "1") == [("uncorrelated_50", "0", "optimal"), ("uncorrelated_50", "1", "optimal")]
