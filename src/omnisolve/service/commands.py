"""CLI commands of the service (`omnisolve serve`, `omnisolve token ...`); heavy imports stay inside them."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add the service commands to the main CLI app."""
