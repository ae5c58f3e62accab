"""The base of omnisolve's stores: one SQLAlchemy engine on SQLite or PostgreSQL, opened the same
way for every kind of store (`get_storage`, after Optuna's), with driver failures reported as one
`StorageError` line naming the database without its password."""

from __future__ import annotations

import os
from contextlib import contextmanager
from typing import ClassVar, Iterator, Self

from sqlalchemy import Connection, MetaData
from sqlalchemy.exc import SQLAlchemyError

from omnisolve.storage.engine import StorageError, database_url, open_engine, reason, shown


class Database:
    """A store in one database. Subclasses name their default location and their tables
    (`metadata`, created when missing) or override `prepare` (e.g. to run migrations)."""

    kind: ClassVar[str] = "database"  # how error messages name this store
    metadata: ClassVar[MetaData | None] = None
    pooled: ClassVar[bool] = True  # False: a connection per use, none kept open

    def __init__(self, location: str | os.PathLike):
        self.name = shown(location)
        try:
            self.url = database_url(location)
        except StorageError as exc:  # its message starts with the location
            raise StorageError(f"cannot open the {self.kind} at {exc}") from None
        with self.failures("cannot open"):
            self.engine = open_engine(self.url, pooled=self.pooled)
            self.prepare()

    @classmethod
    def default_location(cls) -> str | os.PathLike:
        """Where `get_storage(None)` opens this kind of store."""
        raise NotImplementedError

    @classmethod
    def get_storage(cls, storage: str | os.PathLike | Self | None) -> Self:
        """None: the default location; a file path or database URL: the store there (its tables
        created or upgraded); an instance of this class: itself."""
        if storage is None:
            storage = cls.default_location()
        return cls(storage) if isinstance(storage, (str, os.PathLike)) else storage

    def prepare(self) -> None:
        """Make the schema ready: create the missing tables of `metadata`."""
        if self.metadata is not None:
            self.metadata.create_all(self.engine)

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """A connection in a transaction committed on success; a driver failure is a StorageError."""
        with self.failures("cannot use"), self.engine.begin() as conn:
            yield conn

    @contextmanager
    def failures(self, doing: str) -> Iterator[None]:
        """Driver, pool and file-system errors inside become one StorageError line."""
        try:
            yield
        except (SQLAlchemyError, ImportError, OSError) as exc:
            why = reason(exc)
            if self.url.password:
                why = why.replace(str(self.url.password), "***")
            raise StorageError(f"{doing} the {self.kind} at {self.name}: {why}") from None

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r})"
