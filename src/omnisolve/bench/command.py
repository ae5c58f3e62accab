"""`omnisolve bench`: check the options, run the suite with a progress bar, write every output
and print the per-solver summary. Errors are `OmnisolveError`s: bad suite or option -> exit 2,
unknown solver -> exit 4."""

from __future__ import annotations

import time
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from omnisolve.bench import plots, report
from omnisolve.bench.mixed_suite import HELD_APART_FILE, SUITE_FILE
from omnisolve.bench.runner import Run, Settings, plan, run_suite, solver_spec
from omnisolve.bench.suites import Instance, Suite, load_suite, select
from omnisolve.bench.worker import PORTFOLIO
from omnisolve.errors import InputError, UnsupportedError
from omnisolve.processes import Executor, LocalExecutor, available_cores
from omnisolve.processes.cluster import executor_for
from omnisolve.solvers import registry

MIXED_SUITES = {"portfolio": SUITE_FILE, "portfolio-heldapart": HELD_APART_FILE}  # suite name -> its parts


def split(text: str | None) -> list[str]:
    """ "a, b,c" -> ["a", "b", "c"]; None -> []."""
    return [part.strip() for part in (text or "").split(",") if part.strip()]


def choose_solvers(suite: Suite, names: list[str]) -> list[str]:
    """The named solvers (`name` or `name@threads`), else the suite's defaults; unknown names ->
    UnsupportedError (exit 4), a bad thread count -> InputError (exit 2)."""
    chosen = names or suite.default_solvers
    if not chosen:
        raise InputError(f"suite {suite.name} has no default solvers; name them with --solvers")
    known = [*registry.names(), *PORTFOLIO]
    unknown = [s for s in chosen if solver_spec(s, 1)[0] not in known]
    if unknown:
        raise UnsupportedError(f"unknown solver {', '.join(unknown)}; known: {', '.join(known)}")
    return chosen


def placement(executor: Executor, threads: int | None, jobs: int | None) -> tuple[int, int]:
    """(threads per run, runs at once), each as given or by default: on this machine one run at
    a time with all its cores (timings are fairest so); on a cluster one thread per run, as many
    runs at once as its CPUs hold."""
    if isinstance(executor, LocalExecutor):
        jobs = 1 if jobs is None else jobs
        return (max(1, available_cores() // max(jobs, 1)) if threads is None else threads), jobs
    threads = 1 if threads is None else threads
    return threads, (max(1, executor.cores() // max(threads, 1)) if jobs is None else jobs)


def run_benchmark(
    suite: Suite, instances: list[Instance], solvers: list[str], settings: Settings, out: Path, console: Console
) -> list[Run]:
    """Run everything with a progress bar on `console`, then write runs.csv, runs.json,
    summary.md, gap_vs_time.png and profiles.png into `out`."""
    registry.register_all(settings.extra_solvers)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"cannot create the output folder: {exc.strerror}", path=str(out)) from None
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task(suite.name, total=len(plan(instances, solvers, settings.repeats)))
        runs = run_suite(
            instances,
            solvers,
            settings,
            on_start=lambda inst, solver: progress.update(task, description=f"{suite.name}: {inst.name} / {solver}"),
            on_done=lambda inst, solver: progress.advance(task),
        )
    report.write_runs(runs, out)
    (out / "summary.md").write_text(report.summary_markdown(suite.name, runs, instances, solvers, settings))
    plots.gap_vs_time(runs, solvers, settings.time_limit, out / "gap_vs_time.png")
    plots.profiles(runs, solvers, out / "profiles.png")
    return runs


def bench_command(
    out_console: Console,
    err_console: Console,
    suite: str,
    solvers: str | None = None,
    time_limit: float = 10.0,
    threads: int | None = None,
    repeats: int = 1,
    out: Path | None = None,
    instances: str | None = None,
    max_size: int | None = None,
    limit: int | None = None,
    jobs: int | None = None,
    data: Path | None = None,
    ray: str | None = None,
) -> Path:
    """The CLI command's body; returns the output folder. The suite `portfolio` is the mixed
    suite of `omnisolve.portfolio`: run (unless --out holds its runs.csv) and evaluate selection
    leave-one-family-out; `portfolio-heldapart` is its evaluation set (instances the shipped
    selectors never trained on): run it and judge the shipped selector trained nearest the limit.
    `ray`: the runs go to that Ray cluster ("auto": Ray's discovery; None: `RAY_ADDRESS`'s, else
    this machine); `threads` and `jobs` default as `placement` says."""
    mixed = suite in MIXED_SUITES
    if mixed and ray is not None:
        raise InputError(f"bench {suite} runs on this machine; --ray is for the other suites")
    executor = LocalExecutor() if mixed else executor_for(ray)
    threads, jobs = placement(executor, threads, jobs)
    if mixed:
        return _portfolio(out_console, err_console, suite, time_limit, threads, out, data, split(solvers))
    if (
        time_limit <= 0
        or min(threads, repeats, jobs) < 1
        or (limit is not None and limit < 1)
        or (max_size is not None and max_size < 1)
    ):
        raise InputError("--time-limit must be > 0; --threads, --repeats, --jobs, --limit and --max-size >= 1")
    loaded = load_suite(suite, data)
    chosen = select(loaded, split(instances), max_size, limit)
    if not chosen:
        raise InputError(f"no instance of suite {loaded.name} is left after the filters")
    names = choose_solvers(loaded, split(solvers))
    settings = Settings(time_limit=time_limit, threads=threads, repeats=repeats, jobs=jobs, executor=executor)
    folder = out or Path("out") / "bench" / f"{loaded.name}-{time.strftime('%Y%m%d-%H%M%S')}"
    runs = run_benchmark(loaded, chosen, names, settings, folder, err_console)
    rows = report.solver_summary(runs, names, time_limit)
    out_console.print(report.summary_table(rows, title=f"{loaded.name}: {len(chosen)} instances, {time_limit:g} s"))
    out_console.print(f"results in {folder}", highlight=False, soft_wrap=True)
    return folder


def _portfolio(
    out_console: Console,
    err_console: Console,
    suite: str,
    time_limit: float,
    threads: int,
    out: Path | None,
    data: Path | None,
    solvers: list[str],
) -> Path:
    from omnisolve.bench.evaluation import evaluate_runs
    from omnisolve.bench.mixed_suite import collect

    if time_limit <= 0 or threads < 1:
        raise InputError("--time-limit must be > 0 and --threads >= 1")
    folder = out or Path("out") / "bench" / f"{suite}-{time.strftime('%Y%m%d-%H%M%S')}"
    runs = folder / "runs.csv"
    with err_console.status(suite) as status:
        if not runs.is_file():  # else only evaluate the runs already there
            collect(
                folder, time_limit, threads, data, solvers, on_progress=status.update, parts_file=MIXED_SUITES[suite]
            )
        text = evaluate_runs([runs], folder, data=data, selector="shipped" if suite == "portfolio-heldapart" else None)
    out_console.print(text, highlight=False, soft_wrap=True)
    out_console.print(f"results in {folder}", highlight=False, soft_wrap=True)
    return folder
