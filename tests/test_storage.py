"""One way to open a store (`omnisolve.storage`): paths and URLs, `get_storage`, the run history
on SQLite and PostgreSQL (and in files the raw-sqlite3 history of earlier versions wrote), and the
one-line error naming a database it cannot open, without its password."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from conftest import run_cli
from database_fixtures import _new_postgres_db, db_url, free_port, postgres_server  # noqa: F401
from omnisolve.portfolio.history import History, reward
from omnisolve.service.store import Store
from omnisolve.storage import StorageError, database_url, shown, sqlite_file

DATA = Path(__file__).resolve().parents[1] / "src" / "omnisolve" / "data"
OLD_SCHEMA = """CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY, at REAL, class TEXT, features TEXT, solver TEXT, status TEXT,
    runtime REAL, gap REAL, time_limit REAL, reward REAL)"""


# ---- paths and URLs ----------------------------------------------------------------------------


def test_a_path_is_a_sqlite_file_and_postgresql_gets_the_installed_driver(tmp_path):
    assert sqlite_file(tmp_path / "h.db") == tmp_path / "h.db"
    assert sqlite_file(f"sqlite:///{tmp_path}/h.db") == tmp_path / "h.db"
    assert sqlite_file("sqlite://") is None and sqlite_file("postgresql://u@h/d") is None
    assert database_url("postgresql://u:pw@h/d").drivername == "postgresql+psycopg"
    assert database_url("postgresql+psycopg://u:pw@h/d").drivername == "postgresql+psycopg"


def test_shown_hides_only_the_password():
    assert shown("postgresql://omni:s3cr:et@db.example/x?sslmode=require") == (
        "postgresql://omni:***@db.example/x?sslmode=require"
    )
    assert shown("postgresql://omni@db/x") == "postgresql://omni@db/x"
    assert shown(Path("/tmp/a@b:c.db")) == "/tmp/a@b:c.db"


@pytest.mark.parametrize(
    "url, says",
    [
        ("postgresql://omni:s3cret@db:port/x", "not a database URL"),
        ("nonsense://omni:s3cret@db/x", "unsupported database 'nonsense'"),
        ("mysql://omni:s3cret@db/x", "unsupported database 'mysql'"),
        ("postgresql+nodriver://omni:s3cret@db/x", "cannot open"),
    ],
)
def test_a_malformed_url_is_one_line_naming_it_without_its_password(url, says):
    for kind in (History, Store):
        with pytest.raises(StorageError) as caught:
            kind(url)
        message = str(caught.value)
        assert says in message and "omni:***@db" in message, message
        assert "s3cret" not in message and "\n" not in message


def test_an_unreachable_server_is_one_line_naming_it_without_its_password():
    url = f"postgresql://omni:s3cret@127.0.0.1:{free_port()}/x"
    for kind, name in ((History, "run history"), (Store, "service database")):
        with pytest.raises(StorageError) as caught:
            kind(url)
        message = str(caught.value)
        assert message.startswith(f"cannot open the {name} at postgresql://omni:***@127.0.0.1:"), message
        assert "s3cret" not in message and "\n" not in message


def test_the_cli_reports_a_database_it_cannot_open_in_one_line(capsys, monkeypatch):
    url = f"postgresql://omni:s3cret@127.0.0.1:{free_port()}/x"
    code, out, err = run_cli(capsys, "token", "list", "--db", url)
    assert code == 1 and err.count("\n") == 1 and "s3cret" not in err, err
    assert "cannot open the service database at postgresql://omni:***@127.0.0.1" in err
    monkeypatch.setenv("OMNISOLVE_HISTORY", url)
    code, out, err = run_cli(capsys, "solve", str(DATA / "strongly_100.kp"), "-q")
    assert code == 1 and err.count("\n") == 1 and "s3cret" not in err, err
    assert "cannot open the run history at postgresql://omni:***@127.0.0.1" in err


def test_the_cli_records_in_and_shows_a_history_given_by_url(capsys, monkeypatch, db_url):
    monkeypatch.setenv("OMNISOLVE_HISTORY", db_url)
    code, _, err = run_cli(capsys, "solve", str(DATA / "strongly_100.kp"), "-q", "--solver", "knapsack-dp")
    assert code == 0, err
    code, out, err = run_cli(capsys, "portfolio", "history")
    row = [line for line in out.splitlines() if "knapsack-dp" in line]
    assert code == 0 and len(row) == 1 and "Knapsack" in row[0] and "│ 1 " in row[0], out + err


# ---- get_storage -------------------------------------------------------------------------------


def test_get_storage_opens_the_default_a_location_or_returns_a_store_as_is(tmp_path, monkeypatch):
    monkeypatch.setenv("OMNISOLVE_HISTORY", str(tmp_path / "env" / "history.db"))
    monkeypatch.setenv("OMNISOLVE_DB", f"sqlite:///{tmp_path / 'env' / 'service.db'}")
    assert sqlite_file(History.get_storage(None).url) == tmp_path / "env" / "history.db"
    assert (tmp_path / "env" / "history.db").is_file()
    store = Store.get_storage(None)
    assert sqlite_file(store.url) == tmp_path / "env" / "service.db" and Store.get_storage(store) is store
    store.close()
    history = History.get_storage(tmp_path / "other.db")
    assert History.get_storage(history) is history and (tmp_path / "other.db").is_file()
    monkeypatch.setenv("OMNISOLVE_HISTORY", "off")
    with pytest.raises(StorageError, match="the run history is off"):
        History.get_storage(None)


def test_the_service_takes_a_file_path_too(tmp_path):
    store = Store.get_storage(str(tmp_path / "jobs" / "service.db"))
    store.add_token("alice", "0" * 64)
    assert store.user_for_token("0" * 64)["name"] == "alice"
    store.close()


# ---- the run history ---------------------------------------------------------------------------


def test_history_round_trip(db_url):
    history = History.get_storage(db_url)
    history.record("Knapsack", {"n": 100.0}, "cpsat", "time_limit", 10.0, None, 10.0)
    history.record("Knapsack", {"n": 100.0}, "knapsack-dp", "optimal", 0.5, 0.0, 10.0)
    history.record("Knapsack", {"n": 100.0}, "knapsack-dp", "optimal", 1.5, 0.0, 10.0)
    history.record("TSP", {}, "lkh", "feasible", 2.0, 0.01, 10.0)
    assert History(db_url).rewards("Knapsack") == [
        ("cpsat", 0.0),
        ("knapsack-dp", reward("optimal", 0.5, 10.0)),
        ("knapsack-dp", reward("optimal", 1.5, 10.0)),
    ]
    assert history.summary() == [
        {"class": "Knapsack", "solver": "knapsack-dp", "runs": 2, "reward": pytest.approx(0.95), "runtime": 1.0},
        {"class": "Knapsack", "solver": "cpsat", "runs": 1, "reward": 0.0, "runtime": 10.0},
        {"class": "TSP", "solver": "lkh", "runs": 1, "reward": 0.25, "runtime": 2.0},
    ]


def test_postgresql_without_a_driver_name(postgres_server):
    url = _new_postgres_db(postgres_server).replace("postgresql+psycopg://", "postgresql://")
    History(url).record("LP", {}, "highs", "optimal", 0.1, 0.0, 10.0)
    assert History(url).rewards("LP") == [("highs", reward("optimal", 0.1, 10.0))]


def test_a_history_file_of_the_raw_sqlite3_version_is_read_and_extended(tmp_path):
    path = tmp_path / "history.db"
    with sqlite3.connect(path) as db:
        db.execute(OLD_SCHEMA)
        db.execute(
            "INSERT INTO runs (at, class, features, solver, status, runtime, gap, time_limit, reward) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (1.7e9, "LP", json.dumps({"rows": 27.0}), "highs", "optimal", 2.0, 0.0, 10.0, 0.9),
        )
    db.close()
    history = History(path)
    assert history.rewards("LP") == [("highs", 0.9)]
    history.record("LP", {"rows": 27.0}, "scip", "feasible", 10.0, 0.5, 10.0)
    assert [(r["solver"], r["runs"]) for r in history.summary()] == [("highs", 1), ("scip", 1)]
    with sqlite3.connect(path) as db:
        rows = db.execute("SELECT id, class, features, solver, status, gap, reward FROM runs ORDER BY id").fetchall()
    db.close()
    assert rows == [
        (1, "LP", '{"rows": 27.0}', "highs", "optimal", 0.0, 0.9),
        (2, "LP", '{"rows": 27.0}', "scip", "feasible", 0.5, 0.25),
    ]
