"""The CLI's consoles and its one way to fail: a one-line error on stderr and an exit code."""

from __future__ import annotations

import sys

import typer
from rich.console import Console

# Pipes and CI logs get 120 columns so tables stay readable; terminals use their own width.
out = Console(width=None if sys.stdout.isatty() else 120)
err = Console(stderr=True, width=None if sys.stderr.isatty() else 120)


def fail(message: str, code: int) -> "typer.Exit":
    """Print `message` as the one error line; the exit to raise with `code`."""
    err.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    return typer.Exit(code)
