"""Alembic environment: runs on the connection passed in `config.attributes["connection"]`
(see `omnisolve.service.store.migrate`), or on `sqlalchemy.url` when run by the alembic CLI."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, create_engine

from omnisolve.service.tables import metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection, target_metadata=metadata, render_as_batch=connection.dialect.name == "sqlite"
    )
    with context.begin_transaction():
        context.run_migrations()


connection = context.config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    url = context.config.get_main_option("sqlalchemy.url")
    if url is None:
        raise RuntimeError("no database to migrate: pass a connection or set sqlalchemy.url")
    with create_engine(url).connect() as conn:
        _run(conn)
