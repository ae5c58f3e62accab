"""`make demo`: solve one bundled instance of each class and print one summary table."""

from __future__ import annotations

import csv
from importlib import resources

import typer
from rich.console import Console
from rich.table import Table

from omnisolve.cli.console import out, time_limit_option
from omnisolve.cli.reporting import fmt, fmt_gap, status_text, verdict_text
from omnisolve.result import Optimality, Status


def bundled_instances() -> list[dict]:
    """Rows of the bundled optima.csv with `path` pointing into the installed package."""
    root = resources.files("omnisolve") / "data"
    with (root / "optima.csv").open() as fh:
        rows = list(csv.DictReader(fh))
    for row in rows:
        row["path"] = str(root / row["file"])
        row["optimum"] = float(row["optimum"])
    return rows


def run_demo(console: Console, time_limit: float = 60.0) -> bool:
    """Solve every bundled instance; True when all are optimal, certified and match the optimum.
    The status column says whether each "optimal" is proven or only claimed."""
    from omnisolve.api import solve

    table = Table(
        "instance",
        "class",
        "solver",
        "status",
        "objective",
        "known optimum",
        "gap to optimum",
        "time",
        "certificate",
        title="omnisolve demo",
    )
    all_good, proven, rows = True, 0, bundled_instances()
    for row in rows:
        with console.status(f"solving {row['name']} ..."):
            result = solve(row["path"], time_limit=time_limit)
        known = row["optimum"]
        gap = None if result.objective is None else abs(result.objective - known) / max(1.0, abs(known))
        good = (
            result.status == Status.OPTIMAL
            and result.certificate is not None
            and result.certificate.passed
            and gap is not None
            and gap <= 1e-6
        )
        all_good &= good
        proven += result.optimality == Optimality.PROVEN
        table.add_row(
            row["name"],
            row["class"],
            result.solver,
            status_text(result),
            fmt(result.objective),
            fmt(known),
            fmt_gap(gap),
            f"{result.runtime:.2f} s",
            verdict_text(result),
        )
    console.print(table)
    console.print(
        "[bold green]all answers optimal and certified[/]"
        if all_good
        else "[bold red]some answers were not optimal and certified[/]"
    )
    console.print(
        f"optimality proven for {proven} of {len(rows)} (the others are only the solver's claim; docs/verification.md)"
    )
    return all_good


def demo_command(time_limit: float = time_limit_option(60.0, None)) -> None:
    """Solve the bundled LP, MILP, knapsack, TSP berlin52 and job-shop ft06 instances."""
    if not run_demo(out, time_limit):
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add `demo` to the main CLI app."""
    app.command("demo")(demo_command)
