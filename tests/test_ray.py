"""Batch, bench, race and service jobs on a real Ray cluster started on 127.0.0.1 (and stopped)
for this module (tests/ray_cluster.py): a head with 2 CPUs, and a worker node of 1 CPU for the
test that kills it. Answers certified and the same as on this machine, a batch resumed, the
cores a task reserves, cancellation reaching the solver's process and giving its CPUs back, a
lost node's runs done elsewhere and reported once."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Iterator

import pytest

from conftest import BENCHDATA, grace
from omnisolve.processes import Task
from ray_cluster import ENV, LocalCluster, command_line
from service_fixtures import api_for, children, free_port, sqlite_url, worker_thread  # noqa: F401  (sqlite_url: a fixture)

DATA = Path(__file__).resolve().parents[1] / "src" / "omnisolve" / "data"
FILES = {"berlin52.tsp": 7542, "ft06.txt": 55, "strongly_100.kp": 31644}
HARD = BENCHDATA / "mip_hard" / "setcover_3.mps"  # takes far longer than any test waits
CPUS = 2  # the head's
TESTS = str(Path(__file__).resolve().parent)


@pytest.fixture(scope="module")
def cluster() -> Iterator[LocalCluster]:
    """The head node, with this process connected to it (before any worker node exists, so
    that this driver lives on the head, which no test kills)."""
    from omnisolve.processes.cluster import connect

    with LocalCluster(head_cpus=CPUS) as running:
        connect(running.address)
        yield running


def omnisolve(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(Path(sys.executable).with_name("omnisolve")), *args],
        env={**os.environ, **ENV},
        capture_output=True,
        text=True,
        timeout=300,
    )


def free_cpus(expected: float, within: float) -> float:
    """The cluster's available CPUs once they are `expected` (or after `within` seconds)."""
    import ray

    stop = time.monotonic() + within
    while ray.available_resources().get("CPU", 0) != expected and time.monotonic() < stop:
        time.sleep(0.2)
    return ray.available_resources().get("CPU", 0)


def test_batch_on_ray_writes_certified_answers_and_resumes(cluster, tmp_path):
    files = [str(DATA / name) for name in FILES]
    done = omnisolve("batch", *files, "--ray", cluster.address, "-o", str(tmp_path), "-t", "10")
    assert done.returncode == 0, done.stderr
    for name, optimum in FILES.items():
        result = json.loads((tmp_path / f"{Path(name).stem}.json").read_text())
        assert result["objective"] == pytest.approx(optimum) and result["certificate"]["verdict"] == "pass"
    rows = (tmp_path / "summary.csv").read_text().splitlines()
    assert len(rows) == 1 + len(FILES) and all(",optimal," in row for row in rows[1:])
    # a batch run again skips what is answered: a marked answer stays as it is
    marked = tmp_path / "ft06.json"
    marked.write_text(json.dumps({**json.loads(marked.read_text()), "message": "kept"}))
    again = omnisolve("batch", *files, "--ray", cluster.address, "-o", str(tmp_path), "-t", "10")
    assert again.returncode == 0 and json.loads(marked.read_text())["message"] == "kept"
    assert f"{len(FILES)} of {len(FILES)} answered" in again.stdout


@pytest.mark.parametrize("command", [("batch", str(DATA / "ft06.txt"), "-o", "OUT"), ("serve", "--port", "0")])
def test_an_unreachable_cluster_is_one_line_and_exit_2(command, tmp_path):
    args = [str(tmp_path) if arg == "OUT" else arg for arg in command]
    done = omnisolve(*args, "--ray", f"127.0.0.1:{free_port()}")
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "cannot reach the Ray cluster at 127.0.0.1:" in done.stderr and len(done.stderr.strip().splitlines()) == 1


@pytest.mark.skipif(not HARD.is_file(), reason="needs ../shared/benchdata/mip_hard")
def test_a_task_reserves_its_cores_and_cancelling_stops_its_solver(cluster):
    """A 2-thread run holds both CPUs of the head while it runs; cancelling it ends the
    solver's process within the grace and gives the cores back; the cluster serves on. A run
    needing more cores than any node has ends at once, saying so."""
    from omnisolve.processes.cluster import RayExecutor

    executor = RayExecutor(cluster.address)
    spec = {"path": str(HARD), "solver": "highs", "time_limit": 60, "threads": 2, "cross_check": "off"}
    with executor.submit(Task("omnisolve.batch:run", spec, cpus=2, files=("path",))) as handle:
        stop = time.monotonic() + 60
        while not any(m["kind"] == "started" for m in handle.messages(timeout=0.5)) and time.monotonic() < stop:
            pass
        assert free_cpus(0, grace(5)) == 0
        start = time.monotonic()
        handle.cancel()
        assert handle.poll().cancelled and time.monotonic() - start < grace(10)
    assert free_cpus(CPUS, grace(20)) == CPUS
    spec = {**spec, "path": str(DATA / "ft06.txt"), "solver": "cpsat", "time_limit": 10, "threads": 1}
    with executor.submit(Task("omnisolve.batch:run", spec, files=("path",))) as handle:
        assert handle.wait(60).result["objective"] == 55
    too_big = executor.submit(Task("omnisolve.batch:run", spec, cpus=CPUS + 1, files=("path",)))
    assert too_big.wait(5).error == f"needs {CPUS + 1} cores on one node; the cluster's largest has {CPUS}"


def test_bench_on_ray_gives_the_objectives_of_a_local_bench(cluster, tmp_path):
    """The same runs on the cluster (through the CLI) and here (the library): the same
    objectives; each run's time is its worker's own, within its limit."""
    from rich.console import Console

    from omnisolve.bench.command import run_benchmark
    from omnisolve.bench.runner import Settings
    from omnisolve.bench.suites import load_suite, select

    names = ["ft06"]  # two solvers, two runs a side: the cluster's two CPUs busy at once
    args = ["bench", str(DATA), "-s", "highs,cpsat", "--instances", ",".join(names), "-t", "10"]
    done = omnisolve(*args, "--ray", cluster.address, "-o", str(tmp_path / "ray"))
    assert done.returncode == 0, done.stderr
    on_ray = json.loads((tmp_path / "ray" / "runs.json").read_text())
    assert f"{CPUS} run(s) at once on a Ray cluster" in (tmp_path / "ray" / "summary.md").read_text()
    suite = load_suite(str(DATA))
    here = run_benchmark(
        suite, select(suite, names), ["highs", "cpsat"], Settings(time_limit=10), tmp_path / "here", Console(quiet=True)
    )

    def objectives(runs: list) -> dict:
        return {(r["instance"], r["solver"]): (r["status"], r["objective"]) for r in runs}

    assert objectives(on_ray) == objectives([vars(r) for r in here])
    assert all(r["status"] == "optimal" and 0 < r["runtime"] <= 10 and r["load_time"] > 0 for r in on_ray)


def test_a_race_on_ray_returns_a_certified_result_and_stops_the_loser(cluster, tmp_path):
    """tsp-dfj proves berlin52 optimal within seconds; tsp-ils, a heuristic that never proves,
    is stopped then, long before the time limit; both racers' CPUs are free again."""
    out = tmp_path / "race.json"
    start = time.monotonic()
    args = ["solve", str(DATA / "berlin52.tsp"), "-s", "race:tsp-dfj,tsp-ils", "-t", "60", "-o", str(out)]
    done = omnisolve(*args, "--ray", cluster.address)
    assert done.returncode == 0, done.stderr
    assert time.monotonic() - start < grace(40)
    result = json.loads(out.read_text())
    assert result["objective"] == 7542 and result["certificate"]["verdict"] == "pass"
    assert result["solver"] == "race(tsp-dfj,tsp-ils)->tsp-dfj"
    ils = {r["solver"]: r for r in result["extra"]["race"]["racers"]}["tsp-ils"]
    assert ils["stopped"] and ils["status"] in ("stopped", "feasible")  # it may answer its best as it stops
    assert free_cpus(CPUS, grace(10)) == CPUS


def test_a_race_on_ray_shares_its_board_through_one_actor(cluster):
    """board-adopter, on a node's actor, answers the solution board-poster offered: it went
    through the race's verification and the broadcast's actor to the adopter's node. The
    poster, which runs to the limit, still answers (its result was once lost with its actor).
    The broadcast's actor is gone after the race."""
    import ray

    from fake_solvers import ALL
    from omnisolve.io import read
    from omnisolve.portfolio.race import race
    from omnisolve.processes.cluster import RayExecutor
    from omnisolve.result import Status

    sack = read(BENCHDATA / "knapsack" / "uncorrelated_100.kp")
    executor = RayExecutor(cluster.address)
    result = race(
        sack, ["board-poster", "board-adopter"], time_limit=10, executor=executor, extra_solvers=ALL, sys_path=(TESTS,)
    )
    racers = {r["solver"]: r for r in result.extra["race"]["racers"]}
    assert racers["board-adopter"]["adopted"] == 1 and racers["board-adopter"]["verdict"] == "pass"
    first = result.extra["race"]["board"][0]
    assert first["solver"] == "board-poster" and first["published"]
    assert racers["board-adopter"]["objective"] == first["objective"] == racers["board-poster"]["objective"]
    assert racers["board-poster"]["status"] == "feasible" and result.status == Status.FEASIBLE
    stop = time.monotonic() + grace(10)
    while any(name.startswith("omnisolve-broadcast") for name in ray.util.list_named_actors()):
        assert time.monotonic() < stop, "the broadcast's actor outlived its race"
        time.sleep(0.2)
    assert free_cpus(CPUS, grace(10)) == CPUS


def test_a_black_box_evaluates_on_the_cluster(cluster, tmp_path):
    """`minimize` with a RayExecutor: each call is a task on the cluster, two at a time (each
    left its process's mark: 12 processes, none of them this one); the function, local to this
    test, goes by value; the answer is certified and its CPUs are free again."""
    import numpy as np

    import omnisolve as om
    from omnisolve.processes.cluster import RayExecutor

    def where(x):
        (tmp_path / str(os.getpid())).touch()
        return float(np.sum((x - 0.3) ** 2))

    result = om.minimize(
        where, [(-1, 1)] * 2, budget=12, workers=2, seed=0, constraints=lambda x: np.array([x[0] - 0.2]),
        executor=RayExecutor(cluster.address),
    )  # fmt: skip
    assert result.status.value == "feasible" and result.certificate.passed and result.extra["calls"] == 12
    assert result.values[0] <= 0.2 + 1e-6 and result.objective == pytest.approx(where(result.values))
    assert len({int(p.name) for p in tmp_path.iterdir()} - {os.getpid()}) == 12
    assert free_cpus(CPUS, grace(10)) == CPUS


def test_a_single_solver_refuses_ray(tmp_path):
    done = omnisolve("solve", str(DATA / "ft06.txt"), "-s", "cpsat", "--ray", "auto")
    assert done.returncode == 2 and "--ray runs a race's racers" in done.stderr


@pytest.mark.skipif(not HARD.is_file(), reason="needs ../shared/benchdata/mip_hard")
def test_service_jobs_on_ray_complete_certified_and_a_cancelled_one_frees_its_cpus(cluster, sqlite_url):  # noqa: F811
    with api_for(sqlite_url, ray=cluster.address) as api, worker_thread(api):
        job = api.wait(api.submit("ft06.txt", solver="cpsat", time_limit=10, threads=1)["id"])
        assert job["status"] == "succeeded" and job["result"]["objective"] == 55
        assert job["result"]["certificate"]["verdict"] == "pass"
        response = api.client.post(
            "/jobs",
            headers=api.alice,
            files={"file": ("setcover_3.mps", HARD.read_bytes())},
            data={"solver": "highs", "time_limit": "60", "threads": str(CPUS)},
        )
        job_id = response.json()["id"]
        assert api.wait(job_id, ("running",))["status"] == "running"
        assert free_cpus(0, grace(10)) == 0
        assert api.client.delete(f"/jobs/{job_id}", headers=api.alice).json()["cancel_requested"] is True
        assert api.wait(job_id)["status"] == "cancelled"
        assert free_cpus(CPUS, grace(10)) == CPUS


def running_a_solve(raylet: int) -> bool:
    """Whether a `_Runner` actor on the node of `raylet` has started its run's solver process."""
    return any(children(pid) for pid in children(raylet) if "_Runner" in command_line(pid))


class Recording:
    """An executor that keeps every handle it gave out (to see which tasks ran again)."""

    def __init__(self, executor):
        self.executor, self.handles = executor, []

    def submit(self, task):
        self.handles.append(self.executor.submit(task))
        return self.handles[-1]

    def cores(self):
        return self.executor.cores()


def test_a_node_killed_in_the_middle_of_a_batch_loses_no_file_and_reports_none_twice(cluster, tmp_path):
    """Three runs of 3 s at once on the head's 2 CPUs and a worker node's 1; the worker node is
    killed while its run is under way: that run starts again on the head, every file ends with
    a certified answer, each reported once."""
    import ray

    from omnisolve.batch import solve_many
    from omnisolve.processes.cluster import RayExecutor

    files = []
    for k in range(3):
        files.append(tmp_path / f"berlin52_{k}.tsp")
        shutil.copy(DATA / "berlin52.tsp", files[-1])
    node = cluster.add_node(cpus=1)
    raylet = cluster.raylet(node)
    stop = time.monotonic() + grace(30)
    while ray.cluster_resources().get("CPU") != CPUS + 1 and time.monotonic() < stop:
        time.sleep(0.2)
    executor = Recording(RayExecutor(cluster.address))
    reported: list[Path] = []
    results: list = []
    batch = threading.Thread(
        target=lambda: results.extend(
            solve_many(files, "tsp-ils", time_limit=3, executor=executor, on_result=lambda p, r: reported.append(p))
        )
    )
    batch.start()
    stop = time.monotonic() + grace(60)
    while not running_a_solve(raylet) and time.monotonic() < stop:
        time.sleep(0.05)
    cluster.kill_node(node)  # its run has begun (its solver process is starting) and cannot have ended
    batch.join(grace(120))
    assert not batch.is_alive()
    assert sorted(reported) == sorted(files)
    assert all(r.objective is not None and r.certificate.verdict == "pass" for r in results)
    runs = sorted(h.runs for h in executor.handles)
    assert runs[:2] == [1, 1] and runs[2] >= 2  # the lost run again (once more if placed on the node as it died)
