"""From a path or URL to a SQLAlchemy engine: the URL's rules, SQLite's pragmas, PostgreSQL's
pool, and the one-line error (password hidden) when a database cannot be named or reached."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError
from sqlalchemy.pool import NullPool

from omnisolve.errors import OmnisolveError

BACKENDS = ("sqlite", "postgresql")
EXAMPLES = "sqlite:///FILE, a file path, or postgresql://USER:PASSWORD@HOST/DATABASE"
SQLITE_PRAGMAS = ("journal_mode=WAL", "busy_timeout=30000", "foreign_keys=ON", "synchronous=NORMAL")


class StorageError(OmnisolveError):
    """A database that cannot be named, loaded or reached; the message names it without its password."""


def shown(location: str | os.PathLike) -> str:
    """`location` as it may be printed: a URL's password replaced by ***."""
    text = os.fspath(location)
    scheme, sep, rest = text.partition("://")
    userinfo, at, host = rest.rpartition("@")
    if not sep or not at or ":" not in userinfo or "/" in userinfo:
        return text
    return f"{scheme}{sep}{userinfo.split(':', 1)[0]}:***@{host}"


def database_url(location: str | os.PathLike) -> URL:
    """The SQLAlchemy URL of `location`: a file path (no "://") is a SQLite file (~ expanded);
    postgresql:// gets the psycopg driver omnisolve installs; other databases are refused."""
    text = os.fspath(location).strip()
    if "://" not in text:
        return URL.create("sqlite", database=str(Path(text).expanduser()))
    try:
        url = make_url(text)
    except (ArgumentError, ValueError) as exc:
        raise StorageError(f"{shown(text)}: not a database URL ({exc}); give {EXAMPLES}") from None
    if url.get_backend_name() not in BACKENDS:
        raise StorageError(f"{shown(text)}: unsupported database {url.get_backend_name()!r}; give {EXAMPLES}")
    return url.set(drivername="postgresql+psycopg") if url.drivername == "postgresql" else url


def sqlite_file(location: str | os.PathLike | URL) -> Path | None:
    """The file of a SQLite location, None for an in-memory or a server database."""
    url = location if isinstance(location, URL) else database_url(location)
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    return Path(url.database)


def open_engine(url: URL, *, pooled: bool = True) -> Engine:
    """An engine on `url` (no connection yet). SQLite: the file's folder is created, WAL (readers
    never block the writer), a 30 s busy timeout, foreign keys. `pooled=False` opens a connection
    per use and keeps none (for a store touched once or twice per process)."""
    if url.get_backend_name() != "sqlite":
        pool = {"pool_pre_ping": True, "pool_size": 10, "max_overflow": 20} if pooled else {"poolclass": NullPool}
        return create_engine(url, **pool)
    file = sqlite_file(url)
    if file is not None:
        file.parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        url, connect_args={"timeout": 30, "check_same_thread": False}, **({} if pooled else {"poolclass": NullPool})
    )
    event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    for pragma in SQLITE_PRAGMAS:
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()


def reason(exc: BaseException) -> str:
    """The driver's first line of `exc` (SQLAlchemy's wrapping and links left out)."""
    inner = exc.orig if isinstance(exc, DBAPIError) and exc.orig is not None else exc
    lines = str(inner).strip().splitlines()
    return lines[0] if lines else type(inner).__name__
