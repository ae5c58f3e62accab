"""Many problems at once: `solve_many` (the library's `omnisolve.solve_many`) and the body of
`omnisolve batch`. Each problem is one task (`omnisolve.batch:run` in a child process) on an
executor: this machine's (`LocalExecutor`, as many at once as its cores hold the runs'
threads) or a Ray cluster's (`RayExecutor`, as many as the cluster's cores hold). With an
output folder every answer is written as `DIR/<file stem>.json` (the JSON of `solve --output`)
as it arrives, with `DIR/summary.csv`; a batch run again skips the files already answered.
"""

from __future__ import annotations

import csv
import json
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable

from omnisolve.errors import InputError
from omnisolve.model import Model
from omnisolve.problems import Problem
from omnisolve.processes import Channel, Executor, Handle, LocalExecutor, Task
from omnisolve.result import Result, Status

KILL_GRACE = 30.0  # seconds past a run's time limit and after-solve allowance before it is killed
SUMMARY = ["file", "status", "objective", "bound", "gap", "verdict", "optimality", "runtime", "solver", "message"]


def run(spec: dict[str, Any], channel: Channel) -> None:
    """The task: solve the file at `spec["path"]` and send its certified `Result`."""
    from omnisolve.api import solve

    channel.started()
    result = solve(
        spec["path"],
        solver=spec["solver"],
        time_limit=spec["time_limit"],
        threads=spec["threads"],
        cross_check=spec["cross_check"],
        on_incumbent=channel.incumbent,
    )
    channel.result(result)


@dataclass
class Job:
    """One problem of the batch: its file, where its answer goes, its result once known, and
    when its run is killed (set once the run has started: on a cluster it may wait for cores)."""

    path: Path
    output: Path | None
    result: Result | None = None
    deadline: float | None = None


def solve_many(
    problems: Iterable[str | os.PathLike | Problem | Model],
    solver: str = "auto",
    time_limit: float = 60.0,
    threads: int = 1,
    cross_check: str = "claims",
    executor: Executor | None = None,
    output_dir: str | os.PathLike | None = None,
    on_result: Callable[[Path, Result], None] | None = None,
) -> list[Result]:
    """Solve every problem (a file, or a problem or Model, written to a temporary file first)
    and return their certified results in order. `executor`: None for this machine, or a
    `processes.cluster.RayExecutor`. `output_dir`: write each result as `<file stem>.json`
    and `summary.csv`, and reuse the results already there. `on_result(path, result)` is called
    as each arrives."""
    executor = executor or LocalExecutor()
    with tempfile.TemporaryDirectory(prefix="omnisolve-batch-") as tmp:
        paths = [_as_file(p, Path(tmp), i) for i, p in enumerate(problems)]
        out = Path(output_dir) if output_dir is not None else None
        jobs = [Job(path, None if out is None else out / f"{path.stem}.json") for path in paths]
        _check_stems(jobs)
        if out is not None:
            out.mkdir(parents=True, exist_ok=True)
            for job in jobs:
                job.result = _answered(job.output)
        spec = {"solver": solver, "time_limit": time_limit, "threads": threads, "cross_check": cross_check}
        _run(jobs, executor, spec, max(1, executor.cores() // threads), on_result)
    if out is not None:
        write_summary(jobs, out / "summary.csv")
    return [job.result or Result(Status.ERROR, message="not run") for job in jobs]


def _run(
    jobs: list[Job],
    executor: Executor,
    spec: dict[str, Any],
    slots: int,
    on_result: Callable[[Path, Result], None] | None,
) -> None:
    """Keep `slots` tasks running until every job without a result has one."""
    from omnisolve.api import after_solve_allowance

    waiting = [job for job in jobs if job.result is None]
    running: list[tuple[Job, Handle]] = []
    allowed = spec["time_limit"] + after_solve_allowance(spec["time_limit"], spec["cross_check"]) + KILL_GRACE
    try:
        while waiting or running:
            while waiting and len(running) < slots:
                job = waiting.pop(0)
                task = Task(
                    "omnisolve.batch:run", {**spec, "path": str(job.path)}, cpus=spec["threads"], files=("path",)
                )
                running.append((job, executor.submit(task)))
            for entry in list(running):
                job, handle = entry
                handle.messages()  # incumbents are not shown per file; drained so the pipe never fills
                if job.deadline is None and handle.placed():
                    job.deadline = time.monotonic() + allowed
                late = job.deadline is not None and time.monotonic() >= job.deadline
                outcome = handle.wait(0) if late else handle.poll()
                if outcome is None or (outcome.returncode is None and outcome.result is None):
                    continue
                handle.cancel()
                running.remove(entry)
                job.result = _result(outcome, allowed)
                if job.output is not None:
                    job.output.write_text(job.result.to_json())
                if on_result is not None:
                    on_result(job.path, job.result)
            time.sleep(0.05)
    finally:
        for _, handle in running:
            handle.cancel()


def _result(outcome: Any, allowed: float) -> Result:
    """The task's certified result, or an error result saying how it ended."""
    if outcome.result is not None:
        return Result.from_dict(outcome.result)
    if outcome.error is not None:
        return Result(Status.ERROR, message=outcome.error)
    if outcome.cancelled:
        return Result(Status.ERROR, message=f"killed after {allowed:g} s without an answer")
    return Result(Status.ERROR, message=f"the run {outcome.ended()}")


def _as_file(problem: str | os.PathLike | Problem | Model, folder: Path, index: int) -> Path:
    """A problem's file: a path as it is (it must exist), else the problem written as JSON."""
    if isinstance(problem, (str, os.PathLike)):
        path = Path(problem)
        if not path.is_file():
            raise InputError(f"{path}: no such file")
        return path
    from omnisolve.io import write

    path = folder / f"{getattr(problem, 'name', None) or 'problem'}-{index}.json"
    write(problem, path)
    return path


def _check_stems(jobs: list[Job]) -> None:
    """Two files with one stem would write one answer file: refused, both named."""
    seen: dict[str, Path] = {}
    for job in jobs:
        other = seen.setdefault(job.path.stem, job.path)
        if other != job.path and job.output is not None:
            raise InputError(f"{other} and {job.path} would both be answered in {job.path.stem}.json; rename one")


def _answered(output: Path | None) -> Result | None:
    """The result already written for a job (a batch resumed), or None."""
    if output is None or not output.is_file():
        return None
    try:
        return Result.from_dict(json.loads(output.read_text()))
    except (ValueError, KeyError, TypeError):
        return None  # half written or not ours: solved again


def write_summary(jobs: list[Job], path: Path) -> None:
    """One row per job: its file and what its result says (empty for a job not run)."""
    with path.open("w", newline="") as fh:
        writer = csv.DictWriter(fh, SUMMARY)
        writer.writeheader()
        for job in jobs:
            r = job.result
            cert = r.certificate if r is not None else None
            writer.writerow(
                {"file": str(job.path)}
                if r is None
                else {
                    "file": str(job.path),
                    "status": r.status.value,
                    "objective": r.objective,
                    "bound": r.bound,
                    "gap": r.gap,
                    "verdict": cert.verdict if cert is not None else "",
                    "optimality": r.optimality.value,
                    "runtime": r.runtime,
                    "solver": r.solver,
                    "message": " ".join(r.message.split())[:300],
                }
            )
