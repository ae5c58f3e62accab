"""A throwaway PostgreSQL cluster for the tests (Debian's `postgresql` binaries, started on
127.0.0.1 for the session; skipped when missing unless OMNISOLVE_REQUIRE_POSTGRES=1) and a fresh
empty database per test on SQLite and on PostgreSQL (`db_url`). Imported by the service's and the
run history's tests, not a conftest."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from pathlib import Path
from typing import Iterator

import pytest


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _as_postgres(cmd: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: run its tools as the `postgres` user then."""
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """URL prefix (without database) of a PostgreSQL cluster started for this session."""
    initdb = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    missing = not initdb or (os.geteuid() == 0 and not shutil.which("runuser"))
    if missing:
        reason = "PostgreSQL binaries not found in /usr/lib/postgresql/*/bin (apt install postgresql)"
        if os.environ.get("OMNISOLVE_REQUIRE_POSTGRES") == "1":
            pytest.fail(reason + " and OMNISOLVE_REQUIRE_POSTGRES=1")
        pytest.skip(reason)
    bindir = Path(initdb[-1]).parent
    base = Path(tempfile.mkdtemp(prefix="omnisolve-pg-"))
    if os.geteuid() == 0:
        shutil.chown(base, "postgres", "postgres")
    port, data = free_port(), base / "data"
    subprocess.run(
        _as_postgres([str(bindir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres", "--no-sync"]),
        check=True,
        capture_output=True,
    )
    options = f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200"
    subprocess.run(
        _as_postgres([str(bindir / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(base / "log"), "-w", "start"]),
        check=True,
        capture_output=True,
    )
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}"
    finally:
        subprocess.run(
            _as_postgres([str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]), capture_output=True
        )
        shutil.rmtree(base, ignore_errors=True)


def _new_postgres_db(server: str) -> str:
    import psycopg

    name = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server.replace("postgresql+psycopg", "postgresql") + "/postgres", autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    return f"{server}/{name}"


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh empty database on each backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'test.db'}"
    return _new_postgres_db(request.getfixturevalue("postgres_server"))
