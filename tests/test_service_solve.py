"""Real solves through the API and an in-process worker (each job in its own child process):
known optima with passing certificates, live events, crashes, time-limit kills and cancellation."""

from __future__ import annotations

import os
import time

import httpx
import pytest

from service_fixtures import api, api_for, db_url, parse_sse, postgres_server, sqlite_url, worker_thread  # noqa: F401

KNOWN = [  # file, options, optimum
    ("ft06.txt", {"time_limit": 20}, 55.0),
    ("berlin52.tsp", {"time_limit": 20, "solver": "lkh"}, 7542.0),
    ("afiro.mps", {"time_limit": 20}, -464.753143),
    ("strongly_100.kp", {"time_limit": 20}, 31644.0),
]


def test_bundled_instances_reach_their_optima_certified(api):
    jobs = [(api.submit(name, **options)["id"], optimum) for name, options, optimum in KNOWN]
    with worker_thread(api):
        for job_id, optimum in jobs:
            job = api.wait(job_id)
            assert job["status"] == "succeeded", job
            result = job["result"]
            assert result["objective"] == pytest.approx(optimum, rel=1e-6), job["filename"]
            assert result["certificate"]["verdict"] == "pass" and result["status"] in ("optimal", "feasible")
            assert job["attempts"] == 1 and job["started_at"] and job["finished_at"]
    events = parse_sse(api.client.get(f"/jobs/{jobs[0][0]}/events", headers=api.alice).text)
    kinds = [kind for kind, _ in events]
    assert kinds[:2] == ["status", "status"] and kinds[-2:] == ["status", "end"] and "incumbent" in kinds
    assert events[-1][1] == {"status": "succeeded"}
    last = [data for kind, data in events if kind == "incumbent"][-1]
    assert last["objective"] == 55.0 and last["t"] >= 0
    full = api.client.get(f"/jobs/{jobs[2][0]}/solution", headers=api.alice).json()
    assert len(full["values"]) == 32 and full["certificate"]["verdict"] == "pass"  # afiro's 32 columns


@pytest.mark.parametrize(
    "name, solver, optimum", [("ft06.txt", "race", 55.0), ("egout.mps", "race:highs,scip", 568.1007)]
)
def test_a_race_job_returns_the_certified_optimum_and_its_racers(sqlite_url, name, solver, optimum):
    with api_for(sqlite_url) as api:
        job_id = api.submit(name, solver=solver, time_limit=30, threads=2)["id"]
        with worker_thread(api):
            job = api.wait(job_id, timeout=90)
    assert job["status"] == "succeeded", job
    result = job["result"]
    assert result["objective"] == pytest.approx(optimum, rel=1e-6) and result["certificate"]["verdict"] == "pass"
    assert result["solver"].startswith("race(")
    if ":" in solver:
        assert result["solver"].startswith(f"race({solver.split(':')[1]})")


def test_a_lying_solver_is_refuted_in_the_service_and_cross_check_is_an_option(sqlite_url):
    with api_for(sqlite_url) as api:
        lie = api.submit("afiro.mps", solver="liar-suboptimal", time_limit=10)["id"]
        unchecked = api.submit("afiro.mps", solver="liar-suboptimal", time_limit=10, cross_check="off")["id"]
        honest = api.submit("afiro.mps", solver="highs", time_limit=10)["id"]
        with worker_thread(api):
            lie, unchecked, honest = (api.wait(job_id) for job_id in (lie, unchecked, honest))
        cert = lie["result"]["certificate"]
        assert lie["status"] == "succeeded" and lie["result"]["objective"] == pytest.approx(-464.753143, rel=1e-6)
        assert cert["optimality"] == "refuted" and "liar-suboptimal claimed optimal" in cert["refutation"]
        assert unchecked["cross_check"] == "off" and unchecked["result"]["certificate"]["optimality"] == "claimed"
        assert unchecked["result"]["objective"] > -464.75  # the lie, but labelled as a bare claim
        assert honest["result"]["certificate"]["optimality"] == "proven" and honest["result"]["gap"] == pytest.approx(
            0, abs=1e-9
        )
    assert (
        api.client.post("/jobs", headers=api.alice, json={"content": "x", "cross_check": "sometimes"}).status_code
        == 422
    )


def test_live_events_stream_while_the_job_runs(sqlite_url):
    with api_for(sqlite_url) as api:
        job_id = api.submit("ft06.txt", time_limit=10)["id"]
        with worker_thread(api):
            with api.client.stream("GET", f"/jobs/{job_id}/events", headers=api.alice) as response:
                text = "".join(response.iter_text())
        statuses = [data["status"] for kind, data in parse_sse(text) if kind == "status"]
        assert statuses == ["queued", "running", "succeeded"]


def _events_with_ids(lines) -> list[tuple[int | None, str, str]]:
    """(id, event, data) of each server-sent event, read line by line as they arrive."""
    events, fields = [], {}
    for line in lines:
        if line == "":
            if fields:
                events.append((int(fields["id"]) if "id" in fields else None, fields["event"], fields["data"]))
            fields = {}
        elif not line.startswith(":") and ": " in line:
            key, value = line.split(": ", 1)
            fields[key] = value
    return events


def test_events_arrive_live_with_increasing_ids_and_resume_from_the_middle(sqlite_url):
    """Read while the job runs (the job is still running when its first incumbent arrives),
    every event but `end` carries an increasing id, and Last-Event-ID from the middle replays
    exactly the later events."""
    from conftest import BENCHDATA
    from omnisolve.service.auth import create_token
    from service_fixtures import running_service

    hard = (BENCHDATA / "mip_hard" / "setcover_3.mps").read_bytes()
    auth = {"Authorization": f"Bearer {create_token(sqlite_url, 'alice')}"}
    with running_service(sqlite_url) as base:
        job = httpx.post(
            f"{base}/jobs",
            headers=auth,
            files={"file": ("setcover.mps", hard)},
            data={"time_limit": "4", "solver": "highs", "cross_check": "off"},
            timeout=30,
        ).json()
        seen, live = [], None
        with httpx.stream("GET", f"{base}/jobs/{job['id']}/events", headers=auth, timeout=60) as stream:
            lines = []
            for line in stream.iter_lines():
                lines.append(line)
                if live is None and line.startswith("event: incumbent"):
                    live = httpx.get(f"{base}/jobs/{job['id']}", headers=auth).json()["status"]
            seen = _events_with_ids(lines + [""])
        assert live == "running"
        ids = [i for i, kind, _ in seen if kind != "end"]
        assert ids == sorted(set(ids)) and len(ids) >= 4 and seen[-1][1] == "end"
        middle = ids[len(ids) // 2]
        with httpx.stream(
            "GET", f"{base}/jobs/{job['id']}/events", headers={**auth, "Last-Event-ID": str(middle)}, timeout=60
        ) as stream:
            resumed = _events_with_ids(list(stream.iter_lines()) + [""])
    assert resumed == [e for e in seen if e[0] is None or e[0] > middle]


def test_crashing_solvers_fail_the_job_and_the_worker_goes_on(sqlite_url):
    with api_for(sqlite_url) as api:
        ids = {name: api.submit("ft06.txt", solver=name, time_limit=5)["id"] for name in ("crash", "exit", "oom")}
        good = api.submit("ft06.txt", time_limit=10)["id"]
        with worker_thread(api):
            crashed, exited, oom = (api.wait(ids[name]) for name in ("crash", "exit", "oom"))
            assert api.wait(good)["result"]["objective"] == 55.0
        assert crashed["status"] == "failed" and "killed by SIGSEGV" in crashed["error"]
        assert exited["status"] == "failed" and "exited with code 3" in exited["error"]
        assert oom["status"] == "failed" and "out of memory" in oom["error"]


def test_hung_solver_is_killed_after_time_limit_plus_grace(sqlite_url, tmp_path, monkeypatch):
    pidfile = tmp_path / "pids"
    monkeypatch.setenv("OMNISOLVE_TEST_PIDFILE", str(pidfile))
    with api_for(sqlite_url, kill_grace=1.0) as api:
        job_id = api.submit("ft06.txt", solver="hang", time_limit=1)["id"]
        with worker_thread(api):
            job = api.wait(job_id, timeout=30)
        # 1 s limit + 2 s for the cross-check and an explanation (1 s each at least) + 1 s grace
        assert job["status"] == "failed", job
        assert "killed after the time limit of 1 s plus 2 s for the cross-check and 1 s grace" in job["error"]
        assert_dead(pidfile)


def test_cancelling_a_running_job_kills_it_within_a_second(db_url, tmp_path, monkeypatch):
    pidfile = tmp_path / "pids"
    monkeypatch.setenv("OMNISOLVE_TEST_PIDFILE", str(pidfile))
    with api_for(db_url) as api:
        job_id = api.submit("ft06.txt", solver="hang", time_limit=600)["id"]
        with worker_thread(api):
            assert api.wait(job_id, ("running",))["status"] == "running"
            deadline = time.monotonic() + 30
            while not pidfile.exists() and time.monotonic() < deadline:  # the solver has started
                time.sleep(0.1)
            asked = time.monotonic()
            assert api.client.delete(f"/jobs/{job_id}", headers=api.alice).json()["cancel_requested"] is True
            job = api.wait(job_id, timeout=10)
            assert job["status"] == "cancelled" and time.monotonic() - asked < 2.0
        assert job["error"] == "cancelled by the user"
        assert_dead(pidfile)


def assert_dead(pidfile) -> None:
    """The hanging solver and the child it started were killed with their process group."""
    time.sleep(0.3)
    for pid in map(int, pidfile.read_text().split()):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            continue
        with open(f"/proc/{pid}/stat") as fh:  # a zombie awaiting its reaper is dead too
            assert fh.read().split()[2] == "Z", f"process {pid} still alive"


def test_memory_limit_fails_the_job_with_the_reason(sqlite_url):
    with api_for(sqlite_url) as api:
        job_id = api.submit("ft06.txt", memory_mb=64)["id"]
        with worker_thread(api):
            job = api.wait(job_id)
        assert job["status"] == "failed" and job["error"] == "out of memory (limit 64 MB)"
