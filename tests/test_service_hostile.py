"""Hostile uploads against the service (issue 17): an upload is read in a child process under
the jobs' memory limit and a time limit, so the API keeps answering and stays small whatever the
file or the reader does; every body over the limit is a 413 JSON, chunked or not; a path in an
upload's name is dropped; shutdown during a check and the loss of a job's worker leave no
traceback in the server's log.

Slow and memory-hungry readers are installed in a real `omnisolve serve` (its fork server and
the check children) through a `sitecustomize` module on its PYTHONPATH: a file named `slow-*`
makes every reader sleep, `hungry-*` makes it allocate until it fails.
"""

from __future__ import annotations

import contextlib
import os
import re
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
from omnisolve.service.auth import create_token
from service_fixtures import DATA, api_for, free_port, service_env, sqlite_url  # noqa: F401

FT06 = (DATA / "ft06.txt").read_bytes()
NODES = b"".join(f"{i} {i} {2 * i}\n".encode() for i in range(1, 6))
LYING = {  # headers declaring 10^8 nodes, followed by five
    "lie.tsp": b"NAME : lie\nTYPE : TSP\nDIMENSION : 100000000\nEDGE_WEIGHT_TYPE : EUC_2D\nNODE_COORD_SECTION\n"
    + NODES
    + b"EOF\n",
    "lie.vrp": b"NAME : lie\nTYPE : CVRP\nDIMENSION : 100000000\nCAPACITY : 10\nEDGE_WEIGHT_TYPE : EUC_2D\n"
    b"NODE_COORD_SECTION\n" + NODES + b"DEMAND_SECTION\n1 0\n2 1\n3 1\n4 1\n5 1\nDEPOT_SECTION\n1\n-1\nEOF\n",
}
BIG_TSP = BENCHDATA / "tsp_large" / "pla7397.tsp"  # 7,397 nodes: a dense matrix of 0.4 GB to read
HEALTH_ANSWER = 2.5  # s a /health may take while uploads are read (before grace scaling): 0.54 s seen with
# 8 busy loops beside on 2 cores; starved by the shared thread pool it took 5.3 s

SITECUSTOMIZE = """
import os

if os.environ.get("OMNISOLVE_TEST_HOSTILE_READERS"):
    def _install():
        import time
        from pathlib import Path

        import omnisolve.io as io

        started = Path(os.environ["OMNISOLVE_TEST_HOSTILE_READERS"])

        def hostile(read):
            def reader(path):
                name = Path(path).name
                if name.startswith(("slow-", "hungry-")):
                    (started / name).touch()
                if name.startswith("slow-"):
                    time.sleep(3600)
                hoard = []
                while name.startswith("hungry-"):
                    hoard.append(b"x" * 2**24)
                return read(path)
            return reader

        for fmt, read in list(io.READERS.items()):
            io.READERS[fmt] = hostile(read)

    _install()
"""


@pytest.fixture
def hostile_readers(tmp_path: Path) -> dict[str, str]:
    """Environment that installs the slow and hungry readers; a reader that starts on a
    `slow-*`/`hungry-*` file touches a file of that name in tmp_path/started."""
    site, started = tmp_path / "site", tmp_path / "started"
    site.mkdir()
    started.mkdir()
    (site / "sitecustomize.py").write_text(SITECUSTOMIZE)
    return {"PYTHONPATH": str(site), "OMNISOLVE_TEST_HOSTILE_READERS": str(started)}


@contextlib.contextmanager
def served(
    db: str, env: dict[str, str] | None = None, **settings: object
) -> Iterator[tuple[str, subprocess.Popen, Path, dict]]:
    """`omnisolve serve` with its combined output in a file: (base URL, process, log, auth).
    `env` adds variables; its PYTHONPATH goes first."""
    port = free_port()
    log = Path(tempfile.mkdtemp(prefix="omnisolve-serve-log-")) / "log"
    token = create_token(db, "alice")
    environment = service_env(**settings)
    for key, value in (env or {}).items():
        environment[key] = os.pathsep.join([value, environment[key]]) if key == "PYTHONPATH" else value
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "omnisolve.cli", "serve", "--port", str(port), "--db", db],
            env=environment,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
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
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


class Watch:
    """While in its `with` block: /health asked every 50 ms (slowest answer, failures) and the
    API process's resident memory sampled (peak)."""

    def __init__(self, base: str, pid: int):
        self.base, self.pid = base, pid
        # one client made here, a new connection per probe: what is timed is the server's answer,
        # not this process building a client (an SSL context: ~30 ms of this process's GIL)
        self._client = httpx.Client(timeout=10, limits=httpx.Limits(max_keepalive_connections=0))
        self.slowest, self.peak_mb, self.failures, self.probes = 0.0, 0.0, [], 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            began = time.monotonic()
            try:
                status = self._client.get(f"{self.base}/health").status_code
                if status != 200:
                    self.failures.append(status)
            except httpx.HTTPError as exc:
                self.failures.append(repr(exc))
            self.slowest = max(self.slowest, time.monotonic() - began)
            self.peak_mb = max(self.peak_mb, rss_mb(self.pid))
            self.probes += 1
            self._stop.wait(0.05)

    def __enter__(self) -> "Watch":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._client.close()

    def assert_healthy(self) -> None:
        assert self.probes > 0 and not self.failures, self.failures
        assert self.slowest < grace(HEALTH_ANSWER), f"/health took {self.slowest:.2f} s"
        assert self.peak_mb < 1024, f"the API process reached {self.peak_mb:.0f} MB"


def post_file(
    base: str,
    auth: dict,
    name: str,
    content: bytes,
    timeout: float = 60,
    client: httpx.Client | None = None,
    **fields: str,
) -> httpx.Response:
    """POST `content` as the upload `name`; through `client` when given (threads that upload at
    once share one: each new client costs this process ~30 ms of its GIL, which the Watch would time)."""
    post = client.post if client is not None else httpx.post
    return post(f"{base}/jobs", headers=auth, files={"file": (name, content)}, data=fields, timeout=timeout)


def wait_for(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, what
        time.sleep(0.05)


# ---- 10^8 nodes ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(LYING))
def test_an_upload_declaring_a_hundred_million_nodes_is_refused_at_once(sqlite_url, name):
    with api_for(sqlite_url) as api:
        api.submit("ft06.txt")  # the fork server of the upload checks is up
        start = time.monotonic()
        response = api.client.post("/jobs", headers=api.alice, files={"file": (name, LYING[name])})
        took = time.monotonic() - start
    assert response.status_code == 422 and response.json()["detail"].startswith(f"{name}:"), response.text
    assert took < grace(1.0), took


def test_the_served_api_refuses_a_hundred_million_nodes_at_once_staying_small(sqlite_url):
    with served(sqlite_url) as (base, proc, log, auth):
        assert post_file(base, auth, "ft06.txt", FT06).status_code == 201
        with Watch(base, proc.pid) as watch:
            for name, content in sorted(LYING.items()) * 3:
                start = time.monotonic()
                response = post_file(base, auth, name, content)
                took = time.monotonic() - start
                assert response.status_code == 422 and "100000000" in response.json()["detail"], response.text
                assert took < grace(1.0), (name, took)
        watch.assert_healthy()


# ---- slow and memory-hungry readers ----------------------------------------------------------


def test_slow_readers_cost_their_uploads_never_the_api(sqlite_url, hostile_readers):
    """More slow uploads at once than the server has threads in its pool: each is answered
    (422 past parse_seconds, or 503 when it waited that long for a turn), and /health never waits."""
    with served(sqlite_url, hostile_readers, parse_seconds=2) as (base, proc, log, auth):
        answers: dict[int, object] = {}
        client = httpx.Client(limits=httpx.Limits(max_connections=None, max_keepalive_connections=0))

        def upload(i: int) -> None:
            start = time.monotonic()
            try:
                response = post_file(base, auth, f"slow-{i}.txt", FT06, client=client)
                answers[i] = (response.status_code, response.json()["detail"], time.monotonic() - start)
            except httpx.HTTPError as exc:
                answers[i] = repr(exc)

        uploads = [threading.Thread(target=upload, args=(i,)) for i in range(45)]
        with Watch(base, proc.pid) as watch:
            for thread in uploads:
                thread.start()
            for thread in uploads:
                thread.join()
            ok = post_file(base, auth, "ft06.txt", FT06)  # the service is fine afterwards
        client.close()
        watch.assert_healthy()
        assert ok.status_code == 201, ok.text
    assert all(isinstance(a, tuple) for a in answers.values()), answers
    statuses = {status for status, _, _ in answers.values()}
    assert statuses <= {422, 503} and 422 in statuses, answers
    for status, detail, took in answers.values():
        if status == 422:
            assert re.fullmatch(r"slow-\d+\.txt: reading it took longer than 2 s", detail), detail
        else:
            assert "busy" in detail, detail
        # a wait for a turn, then the check: each at most parse_seconds, plus 45 clients' own HTTP
        assert took < 2 * 2 + grace(10.0), took  # 45 clients at once on a loaded 2-core machine: seen 12.8 s


def test_a_memory_hungry_reader_stops_at_the_jobs_memory_limit(sqlite_url, hostile_readers):
    with served(sqlite_url, hostile_readers, default_memory_mb=512) as (base, proc, log, auth):
        with Watch(base, proc.pid) as watch:
            default = post_file(base, auth, "hungry-1.txt", FT06)
            own = post_file(base, auth, "hungry-2.txt", FT06, memory_mb="300")  # the job's own limit
        watch.assert_healthy()
    assert default.status_code == 422, default.text
    assert default.json()["detail"] == "hungry-1.txt: reading it needs more than the memory limit of 512 MB"
    assert own.status_code == 422 and own.json()["detail"].endswith("the memory limit of 300 MB"), own.text
    assert "Traceback" not in log.read_text()


@pytest.mark.skipif(not BIG_TSP.is_file(), reason="needs ../shared/benchdata/tsp_large")
def test_health_answers_and_the_api_stays_small_while_a_big_real_upload_is_read(sqlite_url):
    with served(sqlite_url) as (base, proc, log, auth):
        with Watch(base, proc.pid) as watch:
            response = post_file(base, auth, BIG_TSP.name, BIG_TSP.read_bytes(), timeout=120)
        watch.assert_healthy()
    assert response.status_code in (201, 422), response.text


def _coordinates(nodes: int) -> bytes:
    """A TSPLIB file whose reading needs many megabytes of new memory (its lines, its arrays)."""
    lines = [
        f"NAME : c{nodes}",
        "TYPE : TSP",
        f"DIMENSION : {nodes}",
        "EDGE_WEIGHT_TYPE : EUC_2D",
        "NODE_COORD_SECTION",
    ]
    lines += [f"{i} {i % 997} {i // 997}" for i in range(1, nodes + 1)]
    return "\n".join([*lines, "EOF", ""]).encode()


@pytest.mark.parametrize(
    "settings, filename, content, message",
    [
        ({"parse_seconds": 0.001}, "ft06.txt", FT06, "ft06.txt: reading it took longer than 0.001 s"),
        # ft06 itself may fit in what the preloaded fork server's heap has free: a check under a limit
        # below the server's own size fails only when it needs new memory, as this file does (its
        # distance matrix: 200 MB).
        (
            {"default_memory_mb": 40},
            "c5000.tsp",
            _coordinates(5000),
            "c5000.tsp: reading it needs more than the memory limit of 40 MB",
        ),
    ],
)
def test_a_check_past_its_time_or_memory_limit_is_422_naming_the_file(sqlite_url, settings, filename, content, message):
    with api_for(sqlite_url, **settings) as api:
        response = api.client.post("/jobs", headers=api.alice, files={"file": (filename, content)})
        assert response.status_code == 422, response.text
        detail = response.json()["detail"]
        assert detail in (message, f"{filename}: the reader's process ended without an answer (out of memory?)"), detail
        assert api.client.get("/health").status_code == 200


# ---- names and sizes -------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["../../../etc/ft06.txt", "..\\..\\windows\\ft06.txt", "/etc/ft06.txt"])
def test_a_path_in_the_upload_name_is_dropped(sqlite_url, name):
    """The job keeps only the base name (docs/service.md says so), multipart or JSON."""
    with api_for(sqlite_url) as api:
        upload = api.client.post("/jobs", headers=api.alice, files={"file": (name, FT06)})
        posted = api.client.post("/jobs", headers=api.alice, json={"content": FT06.decode(), "filename": name})
        assert upload.status_code == 201 and posted.status_code == 201, (upload.text, posted.text)
        for job in (upload.json(), posted.json()):
            assert job["filename"] == "ft06.txt"
            assert api.client.get(f"/jobs/{job['id']}", headers=api.alice).json()["filename"] == "ft06.txt"


def test_every_body_over_the_limit_is_413_json(sqlite_url):
    """Multipart or JSON, with a Content-Length or chunked (25 MB against a 1 MB limit)."""
    limit, boundary = 1_000_000, "omnisolveboundary"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.txt"\r\n'
        "Content-Type: text/plain\r\n\r\n"
    ).encode()
    bodies = {
        "multipart": (
            f"multipart/form-data; boundary={boundary}",
            [head, *[b"1 " * 500_000] * 25, f"\r\n--{boundary}--\r\n".encode()],
        ),
        "json": ("application/json", [b'{"content": "', *[b"1 " * 500_000] * 25, b'"}']),
    }
    with served(sqlite_url, max_upload_bytes=limit) as (base, _, _, auth):
        for kind, (content_type, parts) in bodies.items():
            for chunked in (True, False):
                content = iter(parts) if chunked else b"".join(parts)  # an iterator is sent chunked
                response = httpx.post(
                    f"{base}/jobs", headers={**auth, "Content-Type": content_type}, content=content, timeout=30
                )
                assert response.status_code == 413, (kind, chunked, response.status_code, response.text)
                assert response.json() == {"detail": f"request body larger than the limit of {limit} bytes"}
        assert httpx.get(f"{base}/health").status_code == 200


# ---- the server's log ------------------------------------------------------------------------


def test_sigterm_while_a_parse_runs_leaves_no_traceback(sqlite_url, hostile_readers):
    """SIGTERM with a slow check running, a body still streaming in and an event stream open:
    the check's request answers 503 at once, the streaming one 503 when uvicorn's grace ends,
    the event stream ends; the server exits, its log without traceback."""
    started = Path(hostile_readers["OMNISOLVE_TEST_HOSTILE_READERS"])
    answers: dict[str, object] = {}

    def call(key: str, *args: object, **kwargs: object) -> None:
        try:
            response = httpx.request(*args, timeout=60, **kwargs)
            answers[key] = (response.status_code, response.text)
        except httpx.HTTPError as exc:
            answers[key] = repr(exc)

    def trickle() -> Iterator[bytes]:  # a client that sends its body slowly
        yield b'{"content": "'
        for _ in range(300):
            yield b"1 "
            time.sleep(0.1)
        yield b'"}'

    with served(sqlite_url, hostile_readers) as (base, proc, log, auth):
        job = post_file(base, auth, "ft06.txt", FT06).json()
        calls = [
            threading.Thread(
                target=call,
                args=("parse", "POST", f"{base}/jobs"),
                kwargs={"headers": auth, "files": {"file": ("slow-1.txt", FT06)}},
            ),
            threading.Thread(
                target=call,
                args=("body", "POST", f"{base}/jobs"),
                kwargs={"headers": {**auth, "Content-Type": "application/json"}, "content": trickle()},
            ),
            threading.Thread(
                target=call, args=("events", "GET", f"{base}/jobs/{job['id']}/events"), kwargs={"headers": auth}
            ),
        ]
        for thread in calls:
            thread.start()
        wait_for(lambda: (started / "slow-1.txt").exists(), 30, "the slow check never started")
        time.sleep(0.5)
        proc.send_signal(signal.SIGTERM)
        proc.wait(30)
        for thread in calls:
            thread.join(30)
    text = log.read_text()
    assert "Traceback" not in text and "CancelledError" not in text, text[-3000:]
    assert answers["parse"][0] == 503 and "shutting down" in answers["parse"][1], answers
    assert answers["body"][0] == 503 or "Error" in str(answers["body"]), answers  # or the client saw the close
    assert "events" in answers, answers


@pytest.mark.parametrize("delay", [0.0, 3.0], ids=["starting", "solving"])
def test_a_worker_killed_under_its_job_logs_one_line_and_no_traceback(sqlite_url, delay):
    """kill -9 of the worker while its job's process starts or solves: that process ends
    quietly (no BrokenPipeError), the server says so in one line and starts a new worker."""
    hard = (BENCHDATA / "mip_hard" / "setcover_3.mps").read_bytes()
    with served(sqlite_url) as (base, proc, log, auth):
        post_file(base, auth, "setcover.mps", hard, timeout=30, time_limit="60", solver="highs").raise_for_status()
        wait_for(lambda: _job_processes(proc.pid), 30, "the job never started")
        jobs = _job_processes(proc.pid)
        time.sleep(delay)
        worker = _parent(jobs[0])
        os.kill(worker, signal.SIGKILL)
        wait_for(
            lambda: not any(_alive(pid) for pid in jobs) and "starting a new one" in log.read_text(),
            30,
            "the job process outlived its worker",
        )
        time.sleep(1)
    text = log.read_text()
    assert "Traceback" not in text and "BrokenPipeError" not in text and " ERROR " not in text, text[-3000:]
    assert [line for line in text.splitlines() if f"worker {worker} " in line] == [
        next(line for line in text.splitlines() if f"worker {worker} exited with -9; starting a new one" in line)
    ]


def _parent(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


def _alive(pid: int) -> bool:
    with contextlib.suppress(OSError, IndexError):
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    return False


def _job_processes(server: int) -> list[int]:
    """The job child processes below `server` (tasks of `omnisolve.processes`, not upload checks)."""
    found, todo = [], [server]
    while todo:
        parent = todo.pop()
        for stat in Path("/proc").glob("[0-9]*/stat"):
            with contextlib.suppress(OSError, IndexError, ValueError):
                if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == parent:
                    pid = int(stat.parent.name)
                    todo.append(pid)
                    command = (stat.parent / "cmdline").read_bytes()
                    if b"omnisolve.processes" in command:
                        found.append(pid)
    return found
