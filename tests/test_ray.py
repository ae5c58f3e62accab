"""Batch solving and the Ray executor on a real Ray cluster started on 127.0.0.1 (and stopped)
for this module: answers certified and written per file, a batch resumed without redoing
finished files, the cores a task reserves, cancellation reaching the solver's process."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Iterator

import pytest

from conftest import BENCHDATA, grace
from omnisolve.processes import Task
from service_fixtures import free_port

DATA = Path(__file__).resolve().parents[1] / "src" / "omnisolve" / "data"
FILES = {"berlin52.tsp": 7542, "ft06.txt": 55, "strongly_100.kp": 31644}
HARD = BENCHDATA / "mip_hard" / "setcover_3.mps"  # takes far longer than any test waits
RAY = Path(sys.executable).with_name("ray")
ENV = {**os.environ, "RAY_USAGE_STATS_ENABLED": "0"}


@pytest.fixture(scope="module")
def cluster() -> Iterator[str]:
    """`ray start --head` on 127.0.0.1 with 2 CPUs in a private temp dir; stopped after."""
    temp = tempfile.mkdtemp(prefix="ray-", dir="/tmp")  # short: Ray's socket paths have a length limit
    port = free_port()
    command = [str(RAY), "start", "--head", "--node-ip-address=127.0.0.1", f"--port={port}", "--num-cpus=2"]
    command += ["--include-dashboard=false", "--disable-usage-stats", f"--temp-dir={temp}"]
    started = subprocess.run(command, env=ENV, capture_output=True, text=True, timeout=120)
    assert started.returncode == 0, started.stderr
    try:
        yield f"127.0.0.1:{port}"
    finally:
        import ray

        ray.shutdown()
        subprocess.run([str(RAY), "stop", "--force"], env=ENV, capture_output=True, timeout=120)
        shutil.rmtree(temp, ignore_errors=True)


def omnisolve(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(Path(sys.executable).with_name("omnisolve")), *args], env=ENV, capture_output=True, text=True, timeout=300
    )


def test_batch_on_ray_writes_certified_answers_and_resumes(cluster, tmp_path):
    files = [str(DATA / name) for name in FILES]
    done = omnisolve("batch", *files, "--ray", cluster, "-o", str(tmp_path), "-t", "10")
    assert done.returncode == 0, done.stderr
    for name, optimum in FILES.items():
        result = json.loads((tmp_path / f"{Path(name).stem}.json").read_text())
        assert result["objective"] == pytest.approx(optimum) and result["certificate"]["verdict"] == "pass"
    rows = (tmp_path / "summary.csv").read_text().splitlines()
    assert len(rows) == 1 + len(FILES) and all(",optimal," in row for row in rows[1:])
    # a batch run again skips what is answered: a marked answer stays as it is
    marked = tmp_path / "ft06.json"
    marked.write_text(json.dumps({**json.loads(marked.read_text()), "message": "kept"}))
    again = omnisolve("batch", *files, "--ray", cluster, "-o", str(tmp_path), "-t", "10")
    assert again.returncode == 0 and json.loads(marked.read_text())["message"] == "kept"
    assert f"{len(FILES)} of {len(FILES)} answered" in again.stdout


def test_an_unreachable_cluster_is_one_line_and_exit_2(tmp_path):
    done = omnisolve("batch", str(DATA / "ft06.txt"), "--ray", f"127.0.0.1:{free_port()}", "-o", str(tmp_path))
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "cannot reach the Ray cluster at 127.0.0.1:" in done.stderr and len(done.stderr.strip().splitlines()) == 1


@pytest.mark.skipif(not HARD.is_file(), reason="needs ../shared/benchdata/mip_hard")
def test_a_task_reserves_its_cores_and_cancelling_stops_its_solver(cluster):
    """A 2-thread run holds both CPUs of the cluster while it runs; cancelling it ends the
    solver's process within the grace and gives the cores back; the cluster serves on."""
    import ray

    from omnisolve.processes.cluster import RayExecutor

    executor = RayExecutor(cluster)
    spec = {"path": str(HARD), "solver": "highs", "time_limit": 60, "threads": 2, "cross_check": "off"}
    with executor.submit(Task("omnisolve.batch:run", spec, cpus=2)) as handle:
        stop = time.monotonic() + 60
        while not any(m["kind"] == "started" for m in handle.messages(timeout=0.5)) and time.monotonic() < stop:
            pass
        assert ray.available_resources().get("CPU", 0) == 0
        start = time.monotonic()
        handle.cancel()
        assert handle.poll().cancelled and time.monotonic() - start < grace(10)
    stop = time.monotonic() + grace(20)
    while ray.available_resources().get("CPU", 0) < 2 and time.monotonic() < stop:
        time.sleep(0.2)
    assert ray.available_resources().get("CPU", 0) == 2
    spec = {**spec, "path": str(DATA / "ft06.txt"), "solver": "cpsat", "time_limit": 10, "threads": 1}
    with executor.submit(Task("omnisolve.batch:run", spec)) as handle:
        assert handle.wait(60).result["objective"] == 55
