"""Command line: `omnisolve solve | info | solvers | demo | bench | portfolio | serve | token`.

Exit codes: 0 solved and certified; 1 solver error, failed certificate, out of memory or an
unexpected failure (a bug; one line, never a traceback); 2 bad input file;
3 ill-formed model; 4 unsupported by the chosen solver; 5 infeasible; 6 unbounded;
7 time limit reached without a feasible answer; 8 a solver's claim was refuted by the
cross-check (the certified answer is printed); 130 interrupted.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console

from omnisolve.errors import OmnisolveError
from omnisolve.result import Optimality, Result, Status

app = typer.Typer(add_completion=False, no_args_is_help=True, help="State the problem, solve it, prove the answer.")
# Pipes and CI logs get 120 columns so tables stay readable; terminals use their own width.
out = Console(width=None if sys.stdout.isatty() else 120)
err = Console(stderr=True, width=None if sys.stderr.isatty() else 120)

EXIT_BY_STATUS = {
    Status.OPTIMAL: 0,
    Status.FEASIBLE: 0,
    Status.ERROR: 1,
    Status.INFEASIBLE: 5,
    Status.UNBOUNDED: 6,
    Status.TIME_LIMIT: 7,
}
EXIT_REFUTED = 8


def fail(message: str, code: int) -> "typer.Exit":
    err.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    return typer.Exit(code)


@app.command()
def solve(
    file: Path = typer.Argument(..., help="MPS/LP, JSON, TSPLIB .tsp, VRPLIB .vrp, job-shop or .kp file"),
    solver: str = typer.Option("auto", "--solver", "-s", help="backend name; auto (learned selector); race (top solvers at once); race:A,B (these at once)"),
    time_limit: float = typer.Option(60.0, "--time-limit", "-t", help="seconds"),
    threads: int = typer.Option(1, "--threads", "-j"),
    gap: float = typer.Option(1e-6, "--gap", help="relative gap at which to stop"),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="write the result as JSON"),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="no live progress line"),
    deadline: Optional[float] = typer.Option(None, "--deadline", help="seconds after which an answer is worthless (auto/race pick for it)"),
    utility: Optional[str] = typer.Option(None, "--utility", help="value of time: deadline:S, linear:S or exp:HALF_LIFE"),
    history: Optional[bool] = typer.Option(None, "--history/--no-history", help="record the run in the history (~/.omnisolve/history.db or $OMNISOLVE_HISTORY; on when that is set)"),
    cross_check: str = typer.Option("claims", "--cross-check", help="off | claims (an independent solver checks unproven optimal/infeasible/unbounded claims) | always"),
) -> None:
    """Solve FILE, print status, objective, bound, gap, time and the certificate."""
    from omnisolve.api import solve as run
    from omnisolve.reporting import Progress, result_table

    if time_limit <= 0 or threads < 1 or not 0 <= gap < 1:
        raise fail("--time-limit must be > 0, --threads >= 1 and --gap in [0, 1)", 2)
    if deadline is not None and utility is not None:
        raise fail("give --deadline or --utility, not both", 2)
    if cross_check not in ("off", "claims", "always"):
        raise fail(f"--cross-check must be off, claims or always, not {cross_check!r}", 2)
    value = f"deadline:{deadline}" if deadline is not None else utility
    with Progress(err, enabled=not quiet) as progress:
        result = run(file, solver=solver, time_limit=time_limit, threads=threads, gap=gap,
                     on_incumbent=progress.update, utility=value, history=history, cross_check=cross_check)
    out.print(result_table(result, title=file.name))
    if output is not None:
        try:
            output.write_text(result.to_json())
        except OSError as exc:
            raise fail(f"{output}: cannot write result: {exc.strerror}", 2) from None
    _exit_for(result)


def _exit_for(result: Result) -> None:
    if result.optimality == Optimality.REFUTED:
        raise fail(f"claim refuted: {result.certificate.refutation}", EXIT_REFUTED)
    code = EXIT_BY_STATUS[result.status]
    if code:
        reason = result.message or {
            Status.INFEASIBLE: "the problem is infeasible",
            Status.UNBOUNDED: "the problem is unbounded",
            Status.TIME_LIMIT: "time limit reached without a feasible solution",
        }.get(result.status, result.status.value)
        raise fail(reason, code)


@app.command()
def info(file: Path = typer.Argument(..., help="a problem file")) -> None:
    """Print the problem class, its size and its features."""
    from omnisolve.api import load
    from omnisolve.reporting import features_table

    out.print(features_table(load(file), title=file.name))


@app.command()
def solvers() -> None:
    """List the backends and whether each is installed."""
    from omnisolve.reporting import solvers_table

    out.print(solvers_table())


@app.command()
def demo(time_limit: float = typer.Option(60.0, "--time-limit", "-t")) -> None:
    """Solve the bundled LP, MILP, knapsack, TSP berlin52 and job-shop ft06 instances."""
    from omnisolve.demo import run_demo

    if not run_demo(out, time_limit):
        raise typer.Exit(1)


@app.command()
def bench(
    suite: str = typer.Argument(..., help="suite name under ../shared/benchdata (tsp, cvrp, jobshop, mip, mip_hard, knapsack) or a folder with optima.csv"),
    solvers: Optional[str] = typer.Option(None, "--solvers", "-s", help="comma-separated backends, NAME@THREADS to fix one's threads (default: the suite's)"),
    time_limit: float = typer.Option(10.0, "--time-limit", "-t", help="seconds per run"),
    threads: int = typer.Option(1, "--threads", "-j"),
    repeats: int = typer.Option(1, "--repeats", "-r", help="runs per instance and solver (seeds 0, 1, ...)"),
    out_dir: Optional[Path] = typer.Option(None, "--out", "-o", help="output folder (default out/bench/SUITE-TIMESTAMP)"),
    instances: Optional[str] = typer.Option(None, "--instances", help="comma-separated instance names"),
    max_size: Optional[int] = typer.Option(None, "--max-size", help="skip instances larger than this"),
    limit: Optional[int] = typer.Option(None, "--limit", help="only the first K instances"),
    jobs: int = typer.Option(1, "--jobs", help="runs at once (timings are fairest at 1)"),
    data: Optional[Path] = typer.Option(None, "--data", help="folder holding the suites"),
) -> None:
    """Benchmark solvers on a suite: runs.csv, runs.json, summary.md and plots in --out."""
    from omnisolve.bench.command import bench_command

    bench_command(out, err, suite, solvers, time_limit, threads, repeats, out_dir, instances, max_size, limit, jobs, data)


# Sub-packages add their own commands (`serve`, `token`, `portfolio`); their modules import only typer.
from omnisolve.explain.commands import register as _register_explain  # noqa: E402
from omnisolve.portfolio.commands import register as _register_portfolio  # noqa: E402
from omnisolve.service.commands import register as _register_service  # noqa: E402

_register_portfolio(app)
_register_explain(app)
_register_service(app)


def main() -> None:
    """Entry point: user errors become one line on stderr and an exit code, never a traceback."""
    try:
        code = app(standalone_mode=False)  # returns typer.Exit's code instead of raising it
        if code == 130:  # typer turns Ctrl-C into Exit(130)
            err.print("interrupted")
        sys.exit(code if isinstance(code, int) else 0)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except OmnisolveError as exc:
        err.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
        sys.exit(exc.exit_code)
    except (KeyboardInterrupt, typer.Abort):  # click turns Ctrl-C into Abort
        err.print("interrupted")
        sys.exit(130)
    except typer.TyperException as exc:  # usage errors: unknown option, missing argument
        err.print(f"[bold red]error:[/] {exc.format_message()}", highlight=False, soft_wrap=True)
        sys.exit(getattr(exc, "exit_code", 2))
    except MemoryError:  # a limit the input policy did not foresee: still the README's exit 1
        err.print("[bold red]error:[/] out of memory: the problem is too large for this machine", highlight=False,
                  soft_wrap=True)
        sys.exit(1)
    except Exception as exc:  # anything unexpected (a bug): one line, exit 1, never a traceback
        detail = " ".join(str(exc).split())[:200]
        err.print(f"[bold red]error:[/] unexpected failure, please report it with the input: {detail}",
                  highlight=False, soft_wrap=True)
        sys.exit(1)


if __name__ == "__main__":
    main()
