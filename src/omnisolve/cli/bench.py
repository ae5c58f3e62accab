"""`omnisolve bench SUITE`: benchmark solvers on a suite (the work is in `omnisolve.bench`);
`omnisolve bench nl`: the natural-language front end on the NL answer sets (`cli/nl.py`)."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from omnisolve.cli.console import err, out, ray_option, threads_option, time_limit_option


def bench(
    suite: str = typer.Argument(
        ...,
        help="suite name under ../shared/benchdata (tsp, cvrp, jobshop, mip, mip_hard, knapsack), "
        "a folder with optima.csv, portfolio (the selector's training suite: run it and evaluate "
        "leave-one-family-out), portfolio-heldapart (instances no shipped selector saw: run them and "
        "judge the shipped selector), or nl (word problems through a language model)",
    ),
    solvers: Optional[str] = typer.Option(
        None,
        "--solvers",
        "-s",
        help="comma-separated backends, NAME@THREADS to fix one's threads (default: the suite's)",
    ),
    time_limit: float = time_limit_option(10.0, "seconds per run"),
    threads: Optional[int] = threads_option(None, "cores per run (default: the cores divided by --jobs; on Ray: 1)"),
    repeats: int = typer.Option(1, "--repeats", "-r", help="runs per instance and solver (seeds 0, 1, ...)"),
    out_dir: Optional[Path] = typer.Option(
        None, "--out", "-o", help="output folder (default out/bench/SUITE-TIMESTAMP)"
    ),
    instances: Optional[str] = typer.Option(None, "--instances", help="comma-separated instance names"),
    max_size: Optional[int] = typer.Option(None, "--max-size", help="skip instances larger than this"),
    limit: Optional[int] = typer.Option(None, "--limit", help="only the first K instances"),
    jobs: Optional[int] = typer.Option(
        None, "--jobs", help="runs at once (default 1, fairest for timings; on Ray: as many as its CPUs hold)"
    ),
    data: Optional[Path] = typer.Option(None, "--data", help="folder holding the suites"),
    dataset: Optional[str] = typer.Option(None, "--dataset", help="nl: comma-separated answer sets (default all)"),
    base_url: Optional[str] = typer.Option(None, "--base-url", help="nl: OpenAI-compatible endpoint"),
    model: Optional[str] = typer.Option(None, "--model", help="nl: the language model"),
    samples: int = typer.Option(1, "--samples", help="nl: candidates per problem"),
    repairs: int = typer.Option(3, "--repairs", help="nl: repair rounds per candidate"),
    ray: Optional[str] = ray_option("the runs"),
) -> None:
    """Benchmark solvers on a suite: runs.csv, runs.json, summary.md and plots in --out. `bench
    nl`: accuracy of `omnisolve nl` on the NL answer sets, runs.csv and summary.md in --out."""
    if suite == "nl":
        from omnisolve.cli.nl import bench_nl

        bench_nl(dataset, limit, base_url, model, samples, repairs, time_limit, out_dir, data)
        return
    from omnisolve.bench.command import bench_command

    bench_command(
        out, err, suite, solvers, time_limit, threads, repeats, out_dir, instances, max_size, limit, jobs, data, ray
    )


def register(app: typer.Typer) -> None:
    """Add `bench` to the main CLI app."""
    app.command()(bench)
