"""`omnisolve token ...` and `omnisolve serve`: tokens work against the API, and the real server
starts, solves with its workers, and stops cleanly on SIGTERM."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
from typer.testing import CliRunner

from conftest import grace
from omnisolve.cli import app
from service_fixtures import DATA, alive, children, free_port, service_env, sqlite_url  # noqa: F401

runner = CliRunner()


def test_token_create_list_revoke(sqlite_url):
    from omnisolve.service.auth import authenticate
    from omnisolve.service.store import Store

    created = runner.invoke(app, ["token", "create", "carol", "--db", sqlite_url])
    assert created.exit_code == 0, created.output
    token = created.stdout.strip()
    assert len(token) >= 40 and "\n" not in token
    store = Store(sqlite_url)
    assert authenticate(store, token)["name"] == "carol"
    listed = runner.invoke(app, ["token", "list", "--db", sqlite_url])
    assert (
        listed.exit_code == 0
        and "\tcarol\t" in listed.stdout
        and "active" in listed.stdout
        and token not in listed.stdout
    )
    revoked = runner.invoke(app, ["token", "revoke", "--user", "carol", "--db", sqlite_url])
    assert revoked.exit_code == 0 and "revoked 1" in revoked.stdout
    assert authenticate(store, token) is None
    again = runner.invoke(app, ["token", "revoke", "1", "--db", sqlite_url])
    assert again.exit_code == 2 and "no active token" in again.output
    assert runner.invoke(app, ["token", "create", "  ", "--db", sqlite_url]).exit_code == 2
    store.close()


def test_token_hash_only_is_stored(sqlite_url):
    import sqlite3

    token = runner.invoke(app, ["token", "create", "dave", "--db", sqlite_url]).stdout.strip()
    with sqlite3.connect(sqlite_url.removeprefix("sqlite:///")) as conn:
        dump = "\n".join(conn.iterdump())
    assert token not in dump


def test_serve_help_and_openapi_option(tmp_path):
    result = runner.invoke(app, ["serve", "--help"])
    assert result.exit_code == 0
    for option in ("--host", "--port", "--db", "--workers", "--openapi"):
        assert option in result.output
    target = tmp_path / "openapi.json"
    assert runner.invoke(app, ["serve", "--openapi", str(target)]).exit_code == 0
    assert '"/jobs/{job_id}/events"' in target.read_text()


def test_serve_runs_api_and_workers_and_stops_on_sigterm(sqlite_url, tmp_path):
    token = runner.invoke(app, ["token", "create", "erin", "--db", sqlite_url]).stdout.strip()
    port = free_port()
    log = open(tmp_path / "serve.log", "wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "omnisolve.cli", "serve", "--port", str(port), "--db", sqlite_url],
        env=service_env(),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base, headers = f"http://127.0.0.1:{port}", {"Authorization": f"Bearer {token}"}
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                health = httpx.get(f"{base}/health", timeout=1)
                break
            except httpx.HTTPError:
                assert proc.poll() is None and time.monotonic() < deadline, (tmp_path / "serve.log").read_text()
                time.sleep(0.2)
        assert health.json()["status"] == "ok"
        files = {"file": ("ft06.txt", (DATA / "ft06.txt").read_bytes())}
        wait = grace(30)  # s for an answer (httpx's default 5 s is short on a loaded machine)
        job = httpx.post(f"{base}/jobs", headers=headers, files=files, data={"time_limit": "10"}, timeout=wait).json()
        while job["status"] not in ("succeeded", "failed") and time.monotonic() < deadline + 30:
            time.sleep(0.2)
            job = httpx.get(f"{base}/jobs/{job['id']}", headers=headers, timeout=wait).json()
        assert job["status"] == "succeeded" and job["result"]["objective"] == 55.0
        with httpx.stream("GET", f"{base}/jobs/{job['id']}/events", headers=headers, timeout=wait) as stream:
            text = "".join(stream.iter_text())
        assert text.rstrip().endswith('data: {"status": "succeeded"}') and "event: incumbent" in text
        workers = [
            pid
            for pid in children(proc.pid)
            if b"omnisolve.service.worker" in Path(f"/proc/{pid}/cmdline").read_bytes()
        ]
        assert len(workers) == 1  # --workers defaults to 1 (the others: the upload checks' fork server, its tracker)
        helpers = children(proc.pid)
    finally:
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(30)
        log.close()
    assert code == 0, (tmp_path / "serve.log").read_text()
    assert "Finished server process" in (tmp_path / "serve.log").read_text()
    gone = time.monotonic() + grace(5)  # the fork server sees its parent's end on its next read
    while any(alive(pid) for pid in helpers) and time.monotonic() < gone:
        time.sleep(0.1)
    assert not any(alive(pid) for pid in helpers), "serve left a process running"
