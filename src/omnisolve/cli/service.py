"""CLI commands of the service (`omnisolve serve`, `omnisolve token ...`); heavy imports stay inside them."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from omnisolve.cli.console import fail, ray_option

DB_HELP = (
    "database URL or SQLite file path, e.g. sqlite:///./omnisolve.db, jobs.db or postgresql://user:pw@host/db "
    "(default $OMNISOLVE_DB or sqlite:///./omnisolve.db)"
)

token_app = typer.Typer(no_args_is_help=True, help="Create, list and revoke API tokens.")


def serve(
    host: Optional[str] = typer.Option(None, "--host", help="address to listen on (default 127.0.0.1)"),
    port: Optional[int] = typer.Option(None, "--port", help="TCP port (default 8000)"),
    db: Optional[str] = typer.Option(None, "--db", help=DB_HELP),
    workers: Optional[int] = typer.Option(None, "--workers", help="solver worker processes (default 1)", min=0),
    openapi: Optional[Path] = typer.Option(None, "--openapi", help="write the OpenAPI schema to this file and exit"),
    ray: Optional[str] = ray_option("the jobs (each worker's jobs as Ray tasks)"),
) -> None:
    """Run the REST API, the web UI and the solver workers (no configuration needed)."""
    from omnisolve.processes.cluster import probe
    from omnisolve.service.config import Settings

    settings = Settings.from_env(host=host, port=port, db_url=db, workers=workers, ray=ray)
    if openapi is not None:
        from omnisolve.service.openapi_file import write_openapi

        write_openapi(openapi)
        return
    from omnisolve.service.server import run_service

    if settings.ray:
        probe(settings.ray)  # an unreachable cluster is one line now, not workers failing on and on
    run_service(settings)


@token_app.command("create")
def token_create(
    name: str = typer.Argument(..., help="user name; the user is created on first use"),
    db: Optional[str] = typer.Option(None, "--db", help=DB_HELP),
) -> None:
    """Create a token for user NAME and print it (it is shown only this once)."""
    from omnisolve.service.auth import create_token

    try:
        typer.echo(create_token(db, name))
    except ValueError as exc:
        raise fail(str(exc), 2) from None


@token_app.command("list")
def token_list(db: Optional[str] = typer.Option(None, "--db", help=DB_HELP)) -> None:
    """List tokens: id, user, creation time, revoked or not (the tokens themselves are not stored)."""
    from datetime import datetime, timezone

    from omnisolve.service.store import Store

    store = Store.get_storage(db)
    for row in store.list_tokens():
        created = datetime.fromtimestamp(row["created_at"], tz=timezone.utc).strftime("%Y-%m-%d %H:%M:%SZ")
        typer.echo(f"{row['id']}\t{row['name']}\t{created}\t{'revoked' if row['revoked'] else 'active'}")
    store.close()


@token_app.command("revoke")
def token_revoke(
    token_id: Optional[int] = typer.Argument(None, help="token id from `omnisolve token list`"),
    user: Optional[str] = typer.Option(None, "--user", help="revoke every token of this user"),
    db: Optional[str] = typer.Option(None, "--db", help=DB_HELP),
) -> None:
    """Revoke one token by id, or all tokens of a user."""
    from omnisolve.service.store import Store

    if (token_id is None) == (user is None):
        raise fail("give a token id or --user NAME", 2)
    store = Store.get_storage(db)
    count = store.revoke_tokens(token_id, user)
    store.close()
    if not count:
        raise fail("no active token matched", 2)
    typer.echo(f"revoked {count} token(s)")


def register(app: typer.Typer) -> None:
    """Add the service commands to the main CLI app."""
    app.command()(serve)
    app.add_typer(token_app, name="token")
