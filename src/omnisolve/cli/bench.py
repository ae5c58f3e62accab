"""`omnisolve bench SUITE`: benchmark solvers on a suite (the work is in `omnisolve.bench`)."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from omnisolve.cli.console import err, out


def bench(
    suite: str = typer.Argument(
        ...,
        help="suite name under ../shared/benchdata (tsp, cvrp, jobshop, mip, mip_hard, knapsack) "
        "or a folder with optima.csv",
    ),
    solvers: Optional[str] = typer.Option(
        None,
        "--solvers",
        "-s",
        help="comma-separated backends, NAME@THREADS to fix one's threads (default: the suite's)",
    ),
    time_limit: float = typer.Option(10.0, "--time-limit", "-t", help="seconds per run"),
    threads: Optional[int] = typer.Option(
        None, "--threads", "-j", help="cores per run (default: the available cores divided by --jobs)"
    ),
    repeats: int = typer.Option(1, "--repeats", "-r", help="runs per instance and solver (seeds 0, 1, ...)"),
    out_dir: Optional[Path] = typer.Option(
        None, "--out", "-o", help="output folder (default out/bench/SUITE-TIMESTAMP)"
    ),
    instances: Optional[str] = typer.Option(None, "--instances", help="comma-separated instance names"),
    max_size: Optional[int] = typer.Option(None, "--max-size", help="skip instances larger than this"),
    limit: Optional[int] = typer.Option(None, "--limit", help="only the first K instances"),
    jobs: int = typer.Option(1, "--jobs", help="runs at once (timings are fairest at 1)"),
    data: Optional[Path] = typer.Option(None, "--data", help="folder holding the suites"),
) -> None:
    """Benchmark solvers on a suite: runs.csv, runs.json, summary.md and plots in --out."""
    from omnisolve.bench.command import bench_command

    bench_command(
        out, err, suite, solvers, time_limit, threads, repeats, out_dir, instances, max_size, limit, jobs, data
    )


def register(app: typer.Typer) -> None:
    """Add `bench` to the main CLI app."""
    app.command()(bench)
