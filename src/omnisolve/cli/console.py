"""The CLI's consoles, its one way to fail (a one-line error on stderr and an exit code), and
the options several commands share (`--time-limit`, `--threads`, `--ray`)."""

from __future__ import annotations

import sys
from typing import Any

import typer
from rich.console import Console

# Pipes and CI logs get 120 columns so tables stay readable; terminals use their own width.
out = Console(width=None if sys.stdout.isatty() else 120)
err = Console(stderr=True, width=None if sys.stderr.isatty() else 120)


def fail(message: str, code: int) -> "typer.Exit":
    """Print `message` as the one error line; the exit to raise with `code`."""
    err.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    return typer.Exit(code)


def ray_option(what: str) -> Any:
    """The `--ray ADDRESS|auto` option of a command that can run `what` on a Ray cluster (its
    value goes to `processes.cluster.executor_for`)."""
    return typer.Option(
        None,
        "--ray",
        help=f"run {what} on the Ray cluster at host:port, or auto (Ray's discovery); "
        "default: this machine ($RAY_ADDRESS: that cluster)",
    )


def time_limit_option(default: float | None, what: str | None = "seconds") -> Any:
    """The `--time-limit/-t` option, `what` its help."""
    return typer.Option(default, "--time-limit", "-t", help=what)


def threads_option(default: int | None, what: str) -> Any:
    """The `--threads/-j` option, `what` its help."""
    return typer.Option(default, "--threads", "-j", help=what)
