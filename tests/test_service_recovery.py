"""No job is ever lost: a worker process killed mid-job leaves a stale heartbeat, and the job is
re-queued and finished by another worker; a stopped worker hands its job back; a job whose
workers (or Ray nodes) keep dying is failed with the reason."""

from __future__ import annotations

import csv
import signal
import subprocess
import sys
import threading
import time

from conftest import BENCHDATA
from omnisolve.processes import Outcome
from service_fixtures import alive, api_for, children, db_url, parse_sse, postgres_server, service_env, sqlite_url  # noqa: F401

STALE_AFTER = 2.0


def start_worker(api) -> subprocess.Popen:
    env = service_env(stale_after=STALE_AFTER, heartbeat_interval=0.3)
    return subprocess.Popen(
        [sys.executable, "-m", "omnisolve.service.worker", "--db", api.settings.db_url],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


LONG = "la21"  # 15 jobs x 10 machines: too large for a heuristic to prove optimal, it runs its full limit
LONG_TEXT = (BENCHDATA / "jobshop" / f"{LONG}.txt").read_text()
LONG_OPTIMUM = next(
    int(r["optimum"]) for r in csv.DictReader(open(BENCHDATA / "jobshop" / "optima.csv")) if r["name"] == LONG
)


def makespan(text: str, starts: list[list[int]]) -> int:
    """The makespan of a job-shop schedule, recomputed here from the instance text (not by the
    verifier); asserts the schedule keeps every job's order and never overlaps on a machine."""
    rows = [list(map(int, line.split())) for line in text.splitlines() if line.strip()]
    jobs = [list(zip(r[0::2], r[1::2])) for r in rows[1:]]
    assert len(starts) == len(jobs) and all(len(s) == len(ops) for s, ops in zip(starts, jobs))
    busy: dict[int, list[tuple[int, int]]] = {}
    for ops, times in zip(jobs, starts):
        ready = 0
        for (machine, duration), start in zip(ops, times):
            assert start >= ready, "an operation starts before its predecessor in the job ends"
            ready = start + duration
            busy.setdefault(machine, []).append((start, ready))
    for spans in busy.values():
        spans.sort()
        assert all(end <= nxt for (_, end), (nxt, _) in zip(spans, spans[1:])), "two operations overlap on a machine"
    return max(start + duration for ops, times in zip(jobs, starts) for (_, duration), start in zip(ops, times))


def submit_long(api, time_limit: float) -> str:
    body = {"content": LONG_TEXT, "filename": f"{LONG}.txt", "solver": "jobshop-lns", "time_limit": time_limit}
    response = api.client.post("/jobs", headers=api.alice, json=body)
    assert response.status_code == 201, response.text
    return response.json()["id"]


def test_killed_worker_job_is_requeued_and_finished_by_the_next(db_url):
    with api_for(db_url) as api:
        job_id = submit_long(api, 4)
        first = start_worker(api)
        try:
            assert api.wait(job_id, ("running",), timeout=30)["status"] == "running"
            time.sleep(1.0)
            orphans = children(first.pid)
        finally:
            first.send_signal(signal.SIGKILL)
            first.wait()
        assert orphans, "the job runs in a child process of the worker"
        deadline = time.monotonic() + 3
        while any(alive(pid) for pid in orphans) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not any(alive(pid) for pid in orphans), "a job process outlived its worker"
        assert api.client.get(f"/jobs/{job_id}", headers=api.alice).json()["status"] == "running"  # until found stale
        second = start_worker(api)
        try:
            job = api.wait(job_id, timeout=40)
        finally:
            second.send_signal(signal.SIGTERM)
            assert second.wait(15) == 0
        assert job["status"] == "succeeded" and job["attempts"] == 2, job
        assert job["result"]["certificate"]["verdict"] == "pass"
        # independent truth: the makespan recomputed from the returned schedule, and the known optimum
        assert job["result"]["objective"] == makespan(LONG_TEXT, job["result"]["solution"]) >= LONG_OPTIMUM
        statuses = [
            d for k, d in parse_sse(api.client.get(f"/jobs/{job_id}/events", headers=api.alice).text) if k == "status"
        ]
        assert [s["status"] for s in statuses] == ["queued", "running", "queued", "running", "succeeded"]
        assert statuses[2]["reason"] == "worker lost"


def test_sigterm_hands_the_running_job_back(db_url):
    with api_for(db_url) as api:
        job_id = submit_long(api, 30)
        worker = start_worker(api)
        assert api.wait(job_id, ("running",), timeout=30)["status"] == "running"
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(15) == 0
        job = api.client.get(f"/jobs/{job_id}", headers=api.alice).json()
        assert job["status"] == "queued" and job["attempts"] == 0  # a shutdown is not the job's fault


def test_job_whose_workers_keep_vanishing_is_failed_with_the_reason(db_url):
    with api_for(db_url, max_attempts=2) as api:
        store = api.client.app.state.store
        job_id = api.submit("ft06.txt")["id"]
        for attempt in (1, 2):
            assert store.claim(f"ghost-{attempt}")["attempts"] == attempt
            time.sleep(0.05)
            changed = store.recover_stale(0.01, max_attempts=2)
            assert changed[("queued" if attempt == 1 else "failed")] == [job_id]
        job = api.client.get(f"/jobs/{job_id}", headers=api.alice).json()
        assert job["status"] == "failed" and job["error"] == "its worker was lost on each of 2 attempts"


def test_cancel_requested_on_a_lost_job_ends_cancelled(db_url):
    with api_for(db_url) as api:
        store = api.client.app.state.store
        job_id = api.submit("ft06.txt")["id"]
        store.claim("ghost")
        api.client.delete(f"/jobs/{job_id}", headers=api.alice)
        time.sleep(0.05)
        assert store.recover_stale(0.01, 3)["cancelled"] == [job_id]
        assert api.client.get(f"/jobs/{job_id}", headers=api.alice).json()["status"] == "cancelled"


class LostNode:
    """An executor whose every task is lost with its node, as `RayExecutor` reports it."""

    def submit(self, task):
        return self

    def cores(self) -> int:
        return 1

    def placed(self, timeout: float | None = 0.0) -> bool:
        return True

    def messages(self, timeout: float = 0.0) -> list:
        return []

    def poll(self) -> Outcome:
        return Outcome(error="lost its Ray node 1 time(s)", lost=True)

    def wait(self, timeout: float | None = None) -> Outcome:
        return self.poll()

    def cancel(self) -> None:
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc_info: object) -> None:
        pass


def test_a_job_whose_ray_node_is_lost_goes_back_to_the_queue_then_fails_after_its_attempts(sqlite_url):  # noqa: F811
    from omnisolve.service.worker import Worker

    with api_for(sqlite_url, max_attempts=2) as api:
        worker = Worker(api.settings, "w", store=api.client.app.state.store)
        worker.executor = LostNode()
        job_id = api.submit("ft06.txt")["id"]
        for expected in ("queued", "failed"):
            assert worker.execute(worker.store.claim("w"), threading.Event()) == expected
            assert api.client.get(f"/jobs/{job_id}", headers=api.alice).json()["status"] == expected
        job = api.client.get(f"/jobs/{job_id}", headers=api.alice).json()
        assert job["attempts"] == 2 and job["error"] == "its Ray node was lost on each of 2 attempts"
