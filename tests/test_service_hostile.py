"""Hostile uploads against the service: an upload is read in a child process under the jobs'
memory limit and a time limit, so the API keeps answering (and its memory stays small) whatever
the file; every body over the limit is a 413 JSON, chunked or not; a path in an upload's name is
dropped; shutdown during a check and the loss of a job's process leave no traceback in the log."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Iterator

import httpx
import pytest

from conftest import BENCHDATA, grace
from service_fixtures import DATA, api_for, free_port, service_env, sqlite_url  # noqa: F401
from omnisolve.service.auth import create_token

LYING_HEADER = b"NAME : lie\nTYPE : TSP\nDIMENSION : 100000000\nEDGE_WEIGHT_TYPE : EUC_2D\nNODE_COORD_SECTION\n" + \
    b"".join(f"{i} {i} {2 * i}\n".encode() for i in range(1, 6)) + b"EOF\n"
BIG_TSP = BENCHDATA / "tsp_large" / "pla7397.tsp"  # 7,397 nodes: a dense matrix of 0.4 GB to read


@contextlib.contextmanager
def served(db: str, **settings: object) -> Iterator[tuple[str, subprocess.Popen, Path, dict]]:
    """`omnisolve serve` with its combined output in a file: (base URL, process, log, auth)."""
    port = free_port()
    log = Path(tempfile.mkdtemp(prefix="omnisolve-serve-log-")) / "log"
    token = create_token(db, "alice")
    with log.open("wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "omnisolve.cli", "serve", "--port", str(port), "--db", db],
                                env=service_env(**settings), stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            assert proc.poll() is None and time.monotonic() < deadline, log.read_text()
            time.sleep(0.2)
        yield base, proc, log, {"Authorization": f"Bearer {token}"}
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def test_an_upload_declaring_a_hundred_million_nodes_is_refused_at_once(sqlite_url):
    with api_for(sqlite_url) as api:
        api.submit("ft06.txt")  # the fork server of the upload checks is up
        start = time.monotonic()
        response = api.client.post("/jobs", headers=api.alice, files={"file": ("lie.tsp", LYING_HEADER)})
        took = time.monotonic() - start
    assert response.status_code == 422 and "lie.tsp" in response.json()["detail"]
    assert took < grace(1.0), took


@pytest.mark.parametrize("settings, message", [
    ({"parse_seconds": 0.001}, "reading it took longer than 0.001 s"),
    ({"default_memory_mb": 40}, "ft06.txt: "),
])
def test_a_check_past_its_time_or_memory_limit_is_422_naming_the_file(sqlite_url, settings, message):
    with api_for(sqlite_url, **settings) as api:
        response = api.client.post("/jobs", headers=api.alice, files={"file": ("ft06.txt", (DATA / "ft06.txt").read_bytes())})
        assert response.status_code == 422 and message in response.json()["detail"], response.text
        assert api.client.get("/health").status_code == 200


def test_a_path_in_the_upload_name_is_dropped(sqlite_url):
    with api_for(sqlite_url) as api:
        job = api.client.post("/jobs", headers=api.alice,
                              files={"file": ("../../../etc/ft06.txt", (DATA / "ft06.txt").read_bytes())}).json()
    assert job["filename"] == "ft06.txt"


def test_a_chunked_body_over_the_limit_is_413_json(sqlite_url):
    with served(sqlite_url, max_upload_bytes=1_000_000) as (base, _, _, auth):
        boundary = "omnisolveboundary"

        def body() -> Iterator[bytes]:  # no Content-Length: the server learns the size as it reads
            yield (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.txt\"\r\n"
                   "Content-Type: text/plain\r\n\r\n").encode()
            for _ in range(25):
                yield b"1 " * 500_000
            yield f"\r\n--{boundary}--\r\n".encode()

        response = httpx.post(f"{base}/jobs", headers={**auth, "Content-Type": f"multipart/form-data; boundary={boundary}"},
                              content=body(), timeout=30)
    assert response.status_code == 413 and "larger than the limit" in response.json()["detail"]


@pytest.mark.skipif(not BIG_TSP.is_file(), reason="needs ../shared/benchdata/tsp_large")
def test_health_answers_and_the_api_stays_small_while_a_big_upload_is_read(sqlite_url):
    with served(sqlite_url) as (base, proc, log, auth):
        answer: dict = {}
        upload = threading.Thread(target=lambda: answer.update(response=httpx.post(
            f"{base}/jobs", headers=auth, files={"file": (BIG_TSP.name, BIG_TSP.read_bytes())}, timeout=120)))
        upload.start()
        slowest, peak = 0.0, 0.0
        while upload.is_alive():
            began = time.monotonic()
            assert httpx.get(f"{base}/health", timeout=5).status_code == 200
            slowest = max(slowest, time.monotonic() - began)
            peak = max(peak, rss_mb(proc.pid))
            time.sleep(0.05)
        upload.join()
    assert answer["response"].status_code in (201, 422), answer["response"].text
    assert slowest < grace(2.0), slowest  # the API never waits for the reader, even on a busy machine
    assert peak < 1024, peak


@pytest.mark.skipif(not BIG_TSP.is_file(), reason="needs ../shared/benchdata/tsp_large")
def test_sigterm_during_an_upload_check_leaves_no_traceback(sqlite_url):
    def upload(base: str, auth: dict) -> None:
        with contextlib.suppress(httpx.HTTPError):
            httpx.post(f"{base}/jobs", headers=auth, files={"file": (BIG_TSP.name, BIG_TSP.read_bytes())}, timeout=60)

    with served(sqlite_url) as (base, proc, log, auth):
        threading.Thread(target=upload, args=(base, auth), daemon=True).start()
        time.sleep(1.5)  # the check is running in its child
        proc.send_signal(signal.SIGTERM)
        proc.wait(30)
    text = log.read_text()
    assert "Traceback" not in text and "CancelledError" not in text, text[-3000:]


def test_a_worker_killed_under_its_job_leaves_no_traceback(sqlite_url):
    """kill -9 of the worker: its job process notices, ends without a BrokenPipeError traceback,
    and the server starts a new worker (one log line)."""
    hard = (BENCHDATA / "mip_hard" / "setcover_3.mps").read_bytes()
    with served(sqlite_url) as (base, proc, log, auth):
        httpx.post(f"{base}/jobs", headers=auth, files={"file": ("setcover.mps", hard)},
                   data={"time_limit": "60", "solver": "highs"}, timeout=30).raise_for_status()
        deadline = time.monotonic() + 30
        while not (jobs := _job_processes(proc.pid)):
            assert time.monotonic() < deadline, "the job never started"
            time.sleep(0.2)
        time.sleep(3)  # the job solves
        worker = _parent(jobs[0])
        os.kill(worker, signal.SIGKILL)
        while any(_alive(pid) for pid in jobs) or "starting a new one" not in log.read_text():
            assert time.monotonic() < deadline + 30, "the job process outlived its worker"
            time.sleep(0.2)
        time.sleep(1)
    text = log.read_text()
    assert "Traceback" not in text and "BrokenPipeError" not in text, text[-3000:]


def _parent(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


def _alive(pid: int) -> bool:
    with contextlib.suppress(OSError, IndexError):
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    return False


def _job_processes(server: int) -> list[int]:
    """The job child processes below `server` (spawned ones, not the fork server or tracker)."""
    found, todo = [], [server]
    while todo:
        parent = todo.pop()
        for stat in Path("/proc").glob("[0-9]*/stat"):
            with contextlib.suppress(OSError, IndexError, ValueError):
                if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == parent:
                    pid = int(stat.parent.name)
                    todo.append(pid)
                    command = (stat.parent / "cmdline").read_bytes()
                    if b"spawn_main" in command and b"forkserver" not in command and b"resource_tracker" not in command:
                        found.append(pid)
    return found
