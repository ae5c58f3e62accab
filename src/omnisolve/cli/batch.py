"""CLI command `omnisolve batch FILES... --output-dir DIR`: many files solved at once, on this
machine or a Ray cluster (`--ray ADDRESS`), each answer written as it arrives; a batch run
again skips the files already answered. Exit 0 when every file has a certified answer, 1 when
some run failed (its error is in its JSON and summary.csv), 2 bad input."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from omnisolve.cli.console import err, fail, out, ray_option, threads_option, time_limit_option


def batch_command(
    files: List[Path] = typer.Argument(..., help="problem files (any format `solve` reads)"),
    output_dir: Path = typer.Option(
        ..., "--output-dir", "-o", help="DIR/<file stem>.json per file and DIR/summary.csv"
    ),
    solver: str = typer.Option("auto", "--solver", "-s", help="backend name, auto or race"),
    time_limit: float = time_limit_option(60.0, "seconds per file"),
    threads: int = threads_option(1, "cores per run; runs at once: the cores / this"),
    cross_check: str = typer.Option("claims", "--cross-check", help="off | claims | always"),
    ray: Optional[str] = ray_option("the files' runs"),
) -> None:
    """Solve many files at once, here or on a Ray cluster: DIR/<stem>.json each, DIR/summary.csv."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from omnisolve.batch import solve_many
    from omnisolve.processes.cluster import executor_for

    if time_limit <= 0 or threads < 1:
        raise fail("--time-limit must be > 0 and --threads >= 1", 2)
    if cross_check not in ("off", "claims", "always"):
        raise fail(f"--cross-check must be off, claims or always, not {cross_check!r}", 2)
    executor = executor_for(ray)
    failed = []
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err, transient=True) as progress:
        bar = progress.add_task("batch", total=len(files))

        def done(path: Path, result: object) -> None:
            progress.advance(bar)
            progress.update(bar, description=path.name)

        results = solve_many(
            files,
            solver=solver,
            time_limit=time_limit,
            threads=threads,
            cross_check=cross_check,
            executor=executor,
            output_dir=output_dir,
            on_result=done,
        )
    for path, result in zip(files, results):
        if result.status.value == "error":
            failed.append(path)
    out.print(
        f"{len(files) - len(failed)} of {len(files)} answered; results in {output_dir} (summary.csv)",
        highlight=False,
        soft_wrap=True,
    )
    if failed:
        raise fail(f"{len(failed)} run(s) failed, first {failed[0]}: see {output_dir / 'summary.csv'}", 1)


def register(app: typer.Typer) -> None:
    """Add `batch` to the main CLI app."""
    app.command("batch")(batch_command)
