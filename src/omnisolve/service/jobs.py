"""Run one job in a child process, so a solver crash, segfault or memory blow-up kills only the child.

The job is a task of `omnisolve.processes` (entry `service.jobs:run`) on the worker's executor
(this machine, or a Ray cluster's node, reserving the job's threads): its own process group
(cancelling it ends the whole group), the job's address-space limit, an end of its own when its
worker is gone. It reports JSON messages, never pickles: an `incumbent` on every improvement,
then a `result` or an `error`; `job_outcome` turns that, or how the process died, into the job's
status.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import tempfile
from collections.abc import Iterator
from typing import Any

from omnisolve.processes import Channel, Executor, Handle, Kind, Outcome, Task, ending
from omnisolve.service.config import Settings

_FIELDS = ("filename", "solver", "time_limit", "threads", "gap", "cross_check")  # what the child needs of a job


def memory_limit(job: dict[str, Any], settings: Settings) -> int:
    """The job's address-space limit in MB."""
    return int(job.get("memory_mb") or settings.default_memory_mb)


@contextlib.contextmanager
def job_process(job: dict[str, Any], settings: Settings, executor: Executor) -> Iterator[Handle]:
    """The job solving in a child process on `executor`; leaving the block stops the child if it
    still runs."""
    # the content goes through a file, which the child removes once read (a worker that dies
    # leaves nothing behind); the file is removed here too if the child never read it
    fd, content_path = tempfile.mkstemp(prefix="omnisolve-job-")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(job["content"])
        spec = {**{k: job[k] for k in _FIELDS}, "content_path": content_path, "register": settings.extra_solvers}
        # the worker's sys.path too, as a child of multiprocessing had it: plug-ins import as here
        sys_path = tuple(p for p in sys.path if p)
        task = Task(
            "omnisolve.service.jobs:run",
            spec,
            sys_path,
            memory_limit(job, settings),
            cpus=job["threads"],
            files=("content_path",),
        )
        with executor.submit(task) as child:
            yield child
    finally:
        with contextlib.suppress(OSError):
            os.unlink(content_path)


def run(spec: dict[str, Any], channel: Channel) -> None:
    """The child's side: parse, solve, send the incumbents and the result (an exception is an
    `error` message, said by `omnisolve.processes`)."""
    from omnisolve.api import solve
    from omnisolve.service.uploads import parse_problem
    from omnisolve.solvers import registry

    registry.register_all(spec["register"])
    with open(spec["content_path"], "rb") as fh:
        content = fh.read()
    os.unlink(spec["content_path"])  # read once; nothing is left behind if the worker dies
    problem = parse_problem(content, spec["filename"])
    channel.started()
    result = solve(
        problem,
        solver=spec["solver"],
        time_limit=spec["time_limit"],
        threads=spec["threads"],
        gap=spec["gap"],
        cross_check=spec.get("cross_check", "claims"),
        on_incumbent=channel.incumbent,
    )
    channel.result(result)


def incumbent_events(messages: list[dict[str, Any]]) -> list[tuple[str, dict[str, Any]]]:
    """The job events of the child's incumbent messages."""
    return [
        ("incumbent", {k: m[k] for k in ("t", "objective", "bound")}) for m in messages if m["kind"] == Kind.INCUMBENT
    ]


def job_outcome(outcome: Outcome, memory_mb: int) -> tuple[str, str | None, dict[str, Any] | None]:
    """(job status, error reason, result) for how the child ended."""
    result = outcome.result
    if result is not None:
        if result["status"] == "error":
            return "failed", result.get("message") or "the solver reported an error", result
        return "succeeded", None, result
    if outcome.error is not None:
        return "failed", outcome.error, None
    code = outcome.returncode
    reason = f"the solver process {ending(code)}"
    if code is not None and -code in (signal.SIGKILL, signal.SIGSEGV, signal.SIGABRT, signal.SIGBUS):
        reason += f" (crash, or memory limit of {memory_mb} MB exceeded)"
    elif code is None or code >= 0:
        reason += " without a result"
    return "failed", reason, None


def split_result(result: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(summary without `values` and `log`, the detail holding them)."""
    summary = {k: v for k, v in result.items() if k not in ("values", "log")}
    return summary, {"values": result.get("values"), "log": result.get("log", "")}
