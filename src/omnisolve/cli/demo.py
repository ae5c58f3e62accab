"""`make demo`: solve one bundled instance of each class, a black-box function and a nonlinear
model, and print one summary table."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from importlib import resources
from typing import Callable

import numpy as np
import typer
from rich.console import Console
from rich.table import Table

from omnisolve.cli.console import out, time_limit_option
from omnisolve.cli.reporting import fmt, fmt_gap, status_text, verdict_text
from omnisolve.model import Model
from omnisolve.result import Optimality, Result, Status

SCHWEFEL_MIN = 2 * -418.9828872724338  # 2-D Schwefel on [-500, 500]^2, at x = (420.9687, 420.9687)
HS71_MIN = 17.0140173  # Hock & Schittkowski (1981), problem 71


@dataclass(frozen=True)
class Case:
    """One demo row: `solve(time_limit)` gives the result, `optimum` the known answer.
    `provable`: a solver can prove it optimal (the discrete and linear instances); for the
    black-box and the nonconvex models a certified feasible answer at the optimum is the goal."""

    name: str
    kind: str
    optimum: float
    solve: Callable[[float], Result]
    provable: bool = True


def bundled_instances() -> list[dict]:
    """Rows of the bundled optima.csv with `path` pointing into the installed package."""
    root = resources.files("omnisolve") / "data"
    with (root / "optima.csv").open() as fh:
        rows = list(csv.DictReader(fh))
    for row in rows:
        row["path"] = str(root / row["file"])
        row["optimum"] = float(row["optimum"])
    return rows


def schwefel(x: np.ndarray) -> float:
    """The Schwefel function: many local minima, the best one far from the centre."""
    return float(np.sum(-x * np.sin(np.sqrt(np.abs(x)))))


def hs71() -> Model:
    """Hock–Schittkowski 71: a nonconvex objective and two nonlinear constraints, 4 variables."""
    m = Model("hs71")
    for i in range(4):
        m.add_variable(f"x{i + 1}", 1, 5)
    m.minimize(lambda v: v[0] * v[3] * (v[0] + v[1] + v[2]) + v[2])
    m.add_nonlinear_constraint(lambda v: np.array([np.prod(v)]), lb=25, name="product")
    m.add_nonlinear_constraint(lambda v: np.array([v @ v]), lb=40, ub=40, name="sphere")
    return m


def demo_cases() -> list[Case]:
    """The bundled instances, then a black-box function and a nonlinear model."""
    from omnisolve.api import solve
    from omnisolve.blackbox import minimize

    def file_solve(path: str) -> Callable[[float], Result]:
        return lambda t: solve(path, time_limit=t)

    cases = [Case(row["name"], row["class"], row["optimum"], file_solve(row["path"])) for row in bundled_instances()]
    cases.append(
        Case(
            "schwefel-2d",
            "black box",
            SCHWEFEL_MIN,
            lambda t: minimize(schwefel, [(-500, 500)] * 2, budget=2000, time_limit=t),
            provable=False,
        )
    )
    cases.append(Case("hs71", "NLP", HS71_MIN, lambda t: solve(hs71(), time_limit=min(t, 10.0)), provable=False))
    return cases


def run_demo(console: Console, time_limit: float = 60.0) -> bool:
    """Solve every demo case; True when all reach their known optimum with a passing
    certificate, and the provable ones are reported optimal. The status column says whether
    each "optimal" is proven or only claimed; a local search's answer is "feasible"."""
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
    all_good, proven, cases = True, 0, demo_cases()
    for case in cases:
        with console.status(f"solving {case.name} ..."):
            result = case.solve(time_limit)
        gap = None if result.objective is None else abs(result.objective - case.optimum) / max(1.0, abs(case.optimum))
        good = (
            (result.status == Status.OPTIMAL if case.provable else result.status.has_solution)
            and result.certificate is not None
            and result.certificate.passed
            and gap is not None
            and gap <= 1e-6
        )
        all_good &= good
        proven += result.optimality == Optimality.PROVEN
        table.add_row(
            case.name,
            case.kind,
            result.solver,
            status_text(result),
            fmt(result.objective),
            fmt(case.optimum),
            fmt_gap(gap),
            f"{result.runtime:.2f} s",
            verdict_text(result),
        )
    console.print(table)
    console.print(
        "[bold green]all answers at their known optimum and certified[/]"
        if all_good
        else "[bold red]some answers were not at their known optimum and certified[/]"
    )
    provable = sum(case.provable for case in cases)
    console.print(
        f"optimality proven for {proven} of {provable} that can be proven (the others are only the solver's "
        "claim; docs/verification.md); the black box and the nonconvex model are certified feasible at the "
        "known optimum, which no solver proves"
    )
    return all_good


def demo_command(time_limit: float = time_limit_option(60.0, None)) -> None:
    """Solve the bundled LP, MILP, knapsack, TSP berlin52 and job-shop ft06 instances, a black-box
    function (2-D Schwefel) and a nonlinear model (Hock–Schittkowski 71)."""
    if not run_demo(out, time_limit):
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add `demo` to the main CLI app."""
    app.command("demo")(demo_command)
