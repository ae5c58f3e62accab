"""Shared fixtures of the service tests (imported by tests/test_service_*.py, not a conftest):
a throwaway PostgreSQL cluster and a fresh database per test on SQLite and PostgreSQL (from
database_fixtures.py, re-exported), API clients
with tokens, an in-process worker, and a real `omnisolve serve` subprocess."""

from __future__ import annotations

import contextlib
import json
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

import fake_solvers
from database_fixtures import _new_postgres_db, db_url, free_port, postgres_server  # noqa: F401  (re-exported)
from fake_solvers import alive  # noqa: F401  (re-exported to the service tests)

DATA = Path(__file__).resolve().parents[1] / "src" / "omnisolve" / "data"
TESTS = Path(__file__).resolve().parent
TERMINAL = ("succeeded", "failed", "cancelled")
FAKES = fake_solvers.FAKES | {"liar-suboptimal": fake_solvers.LIARS["liar-suboptimal"]}


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'service.db'}"


def make_settings(db: str, **overrides: object):
    from omnisolve.service.config import Settings

    defaults = dict(db_url=db, stale_after=3.0, kill_grace=5.0, extra_solvers=FAKES)
    return Settings(**{**defaults, **overrides})


class Api:
    """A TestClient plus the auth headers of two users."""

    def __init__(self, client, settings, alice: str, bob: str):
        self.client, self.settings = client, settings
        self.alice = {"Authorization": f"Bearer {alice}"}
        self.bob = {"Authorization": f"Bearer {bob}"}

    def submit(self, filename: str, headers: dict | None = None, **options: object) -> dict:
        """Upload a bundled data file; asserts the 201."""
        response = self.client.post(
            "/jobs",
            headers=headers or self.alice,
            files={"file": (filename, (DATA / filename).read_bytes())},
            data={k: str(v) for k, v in options.items()},
        )
        assert response.status_code == 201, response.text
        return response.json()

    def wait(self, job_id: str, statuses: tuple = TERMINAL, timeout: float = 40.0) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            job = self.client.get(f"/jobs/{job_id}", headers=self.alice).json()
            if job["status"] in statuses or time.monotonic() > deadline:
                return job
            time.sleep(0.1)


@contextlib.contextmanager
def api_for(db: str, **overrides: object) -> Iterator[Api]:
    from fastapi.testclient import TestClient

    from omnisolve.service.app import create_app
    from omnisolve.service.auth import create_token

    settings = make_settings(db, **overrides)
    with TestClient(create_app(settings)) as client:
        store = client.app.state.store
        yield Api(client, settings, create_token(store, "alice"), create_token(store, "bob"))


@pytest.fixture
def api(db_url: str) -> Iterator[Api]:
    with api_for(db_url) as a:
        yield a


@pytest.fixture
def sqlite_api(sqlite_url: str) -> Iterator[Api]:
    with api_for(sqlite_url) as a:
        yield a


@contextlib.contextmanager
def worker_thread(api: Api) -> Iterator[object]:
    """An in-process worker (its jobs still run in child processes)."""
    from omnisolve.service.worker import Worker

    worker = Worker(api.settings, store=api.client.app.state.store)
    stop = threading.Event()
    thread = threading.Thread(target=worker.run, args=(stop,), daemon=True)
    thread.start()
    try:
        yield worker
    finally:
        stop.set()
        thread.join(30)


def parse_sse(text: str) -> list[tuple[str, dict]]:
    """(event, data) pairs of a server-sent event stream."""
    events = []
    for block in text.strip().split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line and not line.startswith(":"))
        events.append((fields["event"], json.loads(fields["data"])))
    return events


def children(pid: int) -> list[int]:
    """Pids of the processes whose parent is `pid` (Linux /proc)."""
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                out.append(int(stat.parent.name))
    return out


def service_env(**settings: object) -> dict[str, str]:
    """Environment for service subprocesses: the tests folder importable (fake solvers)."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(TESTS), os.environ.get("PYTHONPATH", "")])}
    env.update({f"OMNISOLVE_{k.upper()}": str(v) for k, v in settings.items()})
    return env


@contextlib.contextmanager
def running_service(db: str, port: int | None = None, workers: int = 1, **settings: object) -> Iterator[str]:
    """`omnisolve serve` as a subprocess; yields its base URL once /health answers, SIGTERMs it after."""
    port = port or free_port()
    cmd = [sys.executable, "-m", "omnisolve.cli", "serve", "--port", str(port), "--db", db, "--workers", str(workers)]
    output = tempfile.TemporaryFile()  # a file, not a pipe: a chatty server never blocks on it
    proc = subprocess.Popen(cmd, env=service_env(**settings), stdout=output, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            if proc.poll() is not None or time.monotonic() > deadline:
                output.seek(0)
                raise RuntimeError(f"omnisolve serve did not start:\n{output.read().decode()}")
            time.sleep(0.2)
        yield base
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
        output.close()
