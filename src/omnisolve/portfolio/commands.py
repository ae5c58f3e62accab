"""CLI commands of the portfolio (`omnisolve portfolio ...`); heavy imports stay inside them."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add the portfolio commands to the main CLI app."""
