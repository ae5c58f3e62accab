"""`omnisolve solve | info | solvers`: solve a file and print the certified answer, its exit
code from the README's table; describe a problem; list the backends."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from omnisolve.cli.console import err, fail, out, ray_option, threads_option, time_limit_option
from omnisolve.result import Optimality, Result, Status

EXIT_BY_STATUS = {
    Status.OPTIMAL: 0,
    Status.FEASIBLE: 0,
    Status.ERROR: 1,
    Status.INFEASIBLE: 5,
    Status.UNBOUNDED: 6,
    Status.TIME_LIMIT: 7,
}
EXIT_REFUTED = 8


def solve(
    file: Path = typer.Argument(..., help="MPS/LP, JSON, TSPLIB .tsp, VRPLIB .vrp, job-shop or .kp file"),
    solver: str = typer.Option(
        "auto",
        "--solver",
        "-s",
        help="backend name; auto (learned selector); race (top solvers at once); race:A,B (these at once)",
    ),
    time_limit: float = time_limit_option(60.0),
    threads: Optional[int] = threads_option(None, "cores for the solver, split among racers (default: all available)"),
    gap: float = typer.Option(1e-6, "--gap", help="relative gap at which to stop"),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="write the result as JSON"),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="no live progress line"),
    deadline: Optional[float] = typer.Option(
        None, "--deadline", help="seconds after which an answer is worthless (auto/race pick for it)"
    ),
    utility: Optional[str] = typer.Option(
        None, "--utility", help="value of time: deadline:S, linear:S or exp:HALF_LIFE"
    ),
    history: Optional[bool] = typer.Option(
        None,
        "--history/--no-history",
        help="record the run in the history: ~/.omnisolve/history.db, or $OMNISOLVE_HISTORY (a file path or a database "
        "URL such as postgresql://USER:PW@HOST/DB; recording is on when it is set)",
    ),
    cross_check: str = typer.Option(
        "claims",
        "--cross-check",
        help="off | claims (an independent solver checks unproven optimal/infeasible/unbounded claims) | always",
    ),
    ray: Optional[str] = ray_option("a race's racers (--solver race, race:A,B, or auto when it races)"),
) -> None:
    """Solve FILE, print status, objective, bound, gap, time and the certificate."""
    from omnisolve.api import solve as run
    from omnisolve.cli.reporting import Progress, result_table
    from omnisolve.processes.cluster import executor_for

    if time_limit <= 0 or (threads is not None and threads < 1) or not 0 <= gap < 1:
        raise fail("--time-limit must be > 0, --threads >= 1 and --gap in [0, 1)", 2)
    if deadline is not None and utility is not None:
        raise fail("give --deadline or --utility, not both", 2)
    if cross_check not in ("off", "claims", "always"):
        raise fail(f"--cross-check must be off, claims or always, not {cross_check!r}", 2)
    races = solver in ("auto", "race") or solver.startswith("race:")
    if ray is not None and not races:
        raise fail(f"--ray runs a race's racers; {solver} alone runs here (give --solver race or race:A,B)", 2)
    value = f"deadline:{deadline}" if deadline is not None else utility
    executor = executor_for(ray) if races else None
    with Progress(err, enabled=not quiet) as progress:
        result = run(
            file,
            solver,
            time_limit,
            threads,
            gap,
            on_incumbent=progress.update,
            utility=value,
            history=history,
            cross_check=cross_check,
            executor=executor,
        )
    out.print(result_table(result, title=file.name))
    write_and_exit(result, output)


def write_and_exit(result: Result, output: Path | None) -> None:
    """Write `result` as JSON to `output` (if given), then exit as the README says (`exit_for`)."""
    if output is not None:
        try:
            output.write_text(result.to_json())
        except OSError as exc:
            raise fail(f"{output}: cannot write result: {exc.strerror}", 2) from None
    exit_for(result)


def exit_for(result: Result) -> None:
    """Raise the exit the README gives `result` (none for a certified answer), its reason on one line."""
    cert = result.certificate
    if cert is not None and cert.optimality == Optimality.REFUTED:
        raise fail(f"claim refuted: {cert.refutation}", EXIT_REFUTED)
    code = EXIT_BY_STATUS[result.status]
    if code:
        reason = result.message or {
            Status.INFEASIBLE: "the problem is infeasible",
            Status.UNBOUNDED: "the problem is unbounded",
            Status.TIME_LIMIT: "time limit reached without a feasible solution",
        }.get(result.status, result.status.value)
        raise fail(reason, code)


def info(file: Path = typer.Argument(..., help="a problem file")) -> None:
    """Print the problem class, its size and its features."""
    from omnisolve.api import load
    from omnisolve.cli.reporting import features_table

    out.print(features_table(load(file), title=file.name))


def solvers() -> None:
    """List the backends and whether each is installed."""
    from omnisolve.cli.reporting import solvers_table

    out.print(solvers_table())


def register(app: typer.Typer) -> None:
    """Add `solve`, `info` and `solvers` to the main CLI app."""
    for command in (solve, info, solvers):
        app.command()(command)
