"""CLI command `omnisolve explain FILE`: why a problem is infeasible, as a table of an
irreducible infeasible subset. Exit 5 infeasible (with the subset), 0 feasible, 1 unknown,
2 bad input. Heavy imports stay inside the command."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from omnisolve.cli.console import fail, out, time_limit_option

if TYPE_CHECKING:
    from rich.console import Group, RenderableType

    from omnisolve.explain import Explanation

EXIT_BY_STATUS = {"infeasible": 5, "feasible": 0, "unknown": 1}


def explain_command(
    file: Path = typer.Argument(..., help="MPS/LP, JSON, TSPLIB .tsp, VRPLIB .vrp, job-shop or .kp file"),
    time_limit: float = time_limit_option(30.0),
) -> None:
    """Why is FILE infeasible: an irreducible infeasible subset of its constraints and bounds, by name."""
    from omnisolve.explain import explain
    from omnisolve.io import read

    if not time_limit > 0:
        raise fail("--time-limit must be > 0", 2)
    explanation = explain(read(file), time_limit=time_limit)
    out.print(explanation_table(explanation, title=file.name))
    code = EXIT_BY_STATUS[explanation.status]
    if code:
        raise typer.Exit(code)


def explanation_table(e: Explanation, title: str = "") -> Group:
    """The subset, one member per line, then method, irreducibility and the message."""
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    style = {"infeasible": "bold red", "feasible": "bold green", "unknown": "bold yellow"}[e.status]
    summary = Table(show_header=False, box=None, pad_edge=False, title=title or None)
    summary.add_column(style="bold")
    summary.add_column()
    summary.add_row("status", Text(e.status, style=style))
    if e.method:
        summary.add_row("method", e.method)
    if e.status == "infeasible":
        summary.add_row("irreducible", "yes (verified)" if e.irreducible else "not verified")
    summary.add_row("time", f"{e.time:.2f} s, {e.solves} solve{'s' if e.solves != 1 else ''}")
    parts: list[RenderableType] = [summary]
    if e.status == "infeasible":
        members = Table(
            "#",
            "kind",
            "name",
            "condition",
            title="irreducible infeasible subset" if e.irreducible else "infeasible subset",
        )
        k = 0
        for row in e.row_entries:
            k += 1
            condition = str(row)
            if not row.text:
                condition = condition[len(row.name) :].strip().removeprefix("(").removesuffix(")")
            members.add_row(str(k), "constraint" if not row.text else "data", row.name, condition)
        for bound in e.bound_entries:
            k += 1
            kind = "integrality" if bound.kind == "integer" else "bound"
            members.add_row(str(k), kind, bound.name, str(bound)[len(bound.name) :].strip())
        parts.append(members)
    parts.append(Text(e.message))
    return Group(*parts)


def register(app: typer.Typer) -> None:
    """Add `explain` to the main CLI app."""
    app.command(name="explain")(explain_command)
