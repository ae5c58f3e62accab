"""`make demo`: solve one bundled instance of each class and print one summary table, then a
black-box function (`minimize`) and a nonlinear Model with Python callables (`solve`) with
known global optima, in a second table."""

from __future__ import annotations

import csv
from importlib import resources

import numpy as np
import typer
from rich.console import Console
from rich.table import Table

from omnisolve.cli.console import out, time_limit_option
from omnisolve.cli.reporting import fmt, fmt_gap, status_text, verdict_text
from omnisolve.model import Model
from omnisolve.result import Optimality, Result, Status

SCHWEFEL_OPTIMUM = -837.9657745  # 2 x -418.98288727, at x = (420.9687, 420.9687)
SCHWEFEL_BUDGET = 500  # calls of the function
HS71_OPTIMUM = 17.0140173  # Hock and Schittkowski (1981), problem 71
COLUMNS = ("instance", "class", "solver", "status", "objective", "known optimum", "gap to optimum", "time")


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
    """Solve every bundled instance, then the continuous ones; True when all bundled answers are
    optimal, all continuous ones feasible, each certified and at its known optimum. The status
    column says whether each "optimal" is proven or only claimed."""
    from omnisolve.api import solve

    table = Table(*COLUMNS, "certificate", title="omnisolve demo")
    all_good, proven, rows = True, 0, bundled_instances()
    for row in rows:
        with console.status(f"solving {row['name']} ..."):
            result = solve(row["path"], time_limit=time_limit)
        all_good &= _add_row(table, row["name"], row["class"], result, row["optimum"], Status.OPTIMAL)
        proven += result.optimality == Optimality.PROVEN
    console.print(table)
    console.print(
        "[bold green]all answers optimal and certified[/]"
        if all_good
        else "[bold red]some answers were not optimal and certified[/]"
    )
    console.print(
        f"optimality proven for {proven} of {len(rows)} (the others are only the solver's claim; docs/verification.md)"
    )
    return run_continuous(console, time_limit) and all_good


def run_continuous(console: Console, time_limit: float) -> bool:
    """The 2-D Schwefel function through `minimize` and Hock-Schittkowski 71 through `solve`;
    True when both are feasible, certified and at the known global optimum. Neither can be
    `optimal`: a black-box search proves no bound, and a local NLP solution is only feasible."""
    from omnisolve.api import solve
    from omnisolve.blackbox import minimize

    table = Table(*COLUMNS, "certificate", title="omnisolve demo: black box and nonlinear (docs/continuous.md)")
    with console.status("minimizing the Schwefel function ..."):
        bb = minimize(schwefel, [(-500, 500)] * 2, budget=SCHWEFEL_BUDGET, seed=0)
    good = _add_row(table, f"schwefel-2d ({SCHWEFEL_BUDGET} calls)", "black box", bb, SCHWEFEL_OPTIMUM, Status.FEASIBLE)
    with console.status("solving hs71 ..."):
        nlp = solve(hs71(), time_limit=time_limit, seed=0)
    good &= _add_row(table, "hs71", "NLP", nlp, HS71_OPTIMUM, Status.FEASIBLE)
    console.print(table)
    console.print(
        "[bold green]both at their known global optimum, certified feasible[/] (a black box and a "
        "local NLP solution prove no bound: feasible, not optimal)"
        if good
        else "[bold red]a continuous answer missed its known global optimum or its certificate[/]"
    )
    return good


def schwefel(x: np.ndarray) -> float:
    """The Schwefel function: over [-500, 500]^n its global minimum is -418.98 n, at the box's
    far corner (x_i = 420.97), among many local minima (a local search from the centre stops
    at -403.69 in 2-D)."""
    return float(np.sum(-x * np.sin(np.sqrt(np.abs(x)))))


def hs71() -> Model:
    """Hock-Schittkowski problem 71 as a Model with Python callables (no gradients): minimize
    x1 x4 (x1 + x2 + x3) + x3 subject to x1 x2 x3 x4 >= 25 and sum x_i^2 = 40, 1 <= x <= 5."""
    m = Model("hs71")
    m.add_variables(4, "x", lb=1, ub=5)
    m.minimize(lambda v: float(v[0] * v[3] * (v[0] + v[1] + v[2]) + v[2]))
    m.add_nonlinear_constraint(lambda v: np.array([np.prod(v)]), lb=25, name="product")
    m.add_nonlinear_constraint(lambda v: np.array([v @ v]), lb=40, ub=40, name="sphere")
    return m


def _add_row(table: Table, name: str, kind: str, result: Result, known: float, expected: Status) -> bool:
    """One result's row; True when its status is `expected`, its certificate passed and its
    objective is `known` within 1e-6 relative."""
    gap = None if result.objective is None else abs(result.objective - known) / max(1.0, abs(known))
    table.add_row(
        name,
        kind,
        result.solver,
        status_text(result),
        fmt(result.objective),
        fmt(known),
        fmt_gap(gap),
        f"{result.runtime:.2f} s",
        verdict_text(result),
    )
    return (
        result.status == expected
        and result.certificate is not None
        and result.certificate.passed
        and gap is not None
        and gap <= 1e-6
    )


def demo_command(time_limit: float = time_limit_option(60.0, None)) -> None:
    """Solve the bundled LP, MILP, knapsack, TSP berlin52 and job-shop ft06 instances, then the
    2-D Schwefel function (black box) and Hock-Schittkowski 71 (NLP)."""
    if not run_demo(out, time_limit):
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add `demo` to the main CLI app."""
    app.command("demo")(demo_command)
