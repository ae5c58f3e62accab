"""`threads` defaults to the cores the process may use (issue: defaults that use the machine):
the library, the CLI, the bench and the service (which splits its cores among its workers);
an explicit `--threads 1` still means one."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import run_cli
from omnisolve import api
from omnisolve.processes.machine import _cgroup_quota, available_cores
from omnisolve.result import Result, Status
from service_fixtures import api_for, sqlite_url  # noqa: F401

DATA = Path(__file__).resolve().parents[1] / "src" / "omnisolve" / "data"


def test_available_cores_follows_the_affinity_mask():
    """A process pinned to one core gets 1; unpinned, every core of its mask."""
    if not hasattr(os, "sched_setaffinity"):
        pytest.skip("no CPU affinity on this platform")
    code = "import os; os.sched_setaffinity(0, {min(os.sched_getaffinity(0))}); "
    code += "from omnisolve.processes import available_cores; print(available_cores())"
    pinned = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert pinned.stdout.strip() == "1"
    assert available_cores() == min(
        len(os.sched_getaffinity(0)), _cgroup_quota(Path("/sys/fs/cgroup/cpu.max")) or 10**6
    )


@pytest.mark.parametrize(
    "text, cpus",
    [
        ("150000 100000\n", 2),
        ("100000 100000", 1),
        ("50000 100000", 1),
        ("max 100000", None),
        ("", None),
        ("x y", None),
    ],
)
def test_a_cgroup_quota_is_rounded_up_and_max_means_none(tmp_path, text, cpus):
    path = tmp_path / "cpu.max"
    path.write_text(text)
    assert _cgroup_quota(path) == cpus
    assert _cgroup_quota(tmp_path / "missing") is None


@pytest.fixture
def seen(monkeypatch) -> dict:
    """Pretend the machine has 3 cores and record the limits the backend is given."""
    got: dict = {}

    def solve_with(data, backend, limits, on_incumbent):
        got["threads"] = limits.threads
        return Result(Status.ERROR, message="recorded")

    monkeypatch.setattr(api, "available_cores", lambda: 3)
    monkeypatch.setattr(api, "_solve_with", solve_with)
    return got


@pytest.mark.parametrize("solver", ["highs", "auto"])
def test_the_library_gives_the_backend_every_core_by_default(seen, solver):
    api.solve(DATA / "afiro.mps", solver=solver, time_limit=5, cross_check="off")
    assert seen["threads"] == 3


def test_an_explicit_thread_count_is_kept(seen):
    api.solve(DATA / "afiro.mps", solver="highs", time_limit=5, threads=1, cross_check="off")
    assert seen["threads"] == 1


@pytest.mark.parametrize("args, threads", [((), 3), (("--threads", "1"), 1), (("-j", "2"), 2)])
def test_the_cli_defaults_to_every_core_and_keeps_threads_1(capsys, seen, args, threads):
    code, _, _ = run_cli(capsys, "solve", str(DATA / "afiro.mps"), "--solver", "highs", "-q", "-t", "5", *args)
    assert code == 1  # the recorded fake answer is an error
    assert seen["threads"] == threads


def test_the_cli_refuses_zero_threads(capsys):
    code, _, err = run_cli(capsys, "solve", str(DATA / "afiro.mps"), "--threads", "0")
    assert code == 2 and "--threads >= 1" in err


@pytest.mark.parametrize("jobs, threads", [(1, 4), (2, 2), (3, 1), (8, 1)])
def test_bench_divides_the_cores_among_its_runs_at_once(monkeypatch, tmp_path, jobs, threads):
    from omnisolve.bench import command

    got = {}

    def run_benchmark(suite, chosen, names, settings, folder, console):
        got["threads"] = settings.threads
        raise SystemExit  # recorded; running the suite is other tests' business

    monkeypatch.setattr(command, "available_cores", lambda: 4)
    monkeypatch.setattr(command, "run_benchmark", run_benchmark)
    with pytest.raises(SystemExit):
        command.bench_command(None, None, "knapsack", jobs=jobs, out=tmp_path, limit=1)
    assert got["threads"] == threads


@pytest.mark.parametrize("workers, given, stored", [(1, None, 4), (2, None, 2), (3, None, 1), (2, 3, 3)])
def test_a_service_job_without_threads_gets_its_share_of_the_cores(monkeypatch, sqlite_url, workers, given, stored):  # noqa: F811
    from omnisolve.service import config

    monkeypatch.setattr(config, "available_cores", lambda: 4)
    options = {} if given is None else {"threads": given}
    with api_for(sqlite_url, workers=workers) as service:
        assert service.submit("ft06.txt", **options)["threads"] == stored
