"""Read and check an upload in a child process with the limits of a job's process (the job's
memory limit, its own process group, an end of its own when the server is gone) and a time
limit, so that no upload can starve the API process: a reader that allocates gigabytes or runs
for minutes on a hostile file costs a child, never the server, its memory or its /health.

Children come from a fork server started once with omnisolve's readers imported, so a check
costs milliseconds, not an interpreter start. At most `settings.upload_checks` run at a time, in
threads of their own: /health and the other endpoints never wait for a thread behind them.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

import anyio
from fastapi import HTTPException

from omnisolve.errors import OmnisolveError
from omnisolve.processes import confine, kill_group
from omnisolve.service.config import Settings
from omnisolve.service.submissions import Submission, check_problem

log = logging.getLogger("omnisolve.service")
SHUTTING_DOWN = "the service is shutting down; submit the job again in a moment"
# what a check imports: readers, the solver choice and the backends' wrappers, and what `omnisolve
# serve`'s main module imports (each child runs it again); a name that no longer imports is skipped
# by the fork server: it only makes each check import it again
_PRELOAD = [
    "omnisolve.cli",
    "omnisolve.service.submissions",
    "omnisolve.io",
    "omnisolve.io.mps",
    "omnisolve.api",
    "omnisolve.portfolio.rules",
    "omnisolve.portfolio.choice",
    "highspy",
] + [
    f"omnisolve.solvers.{name}"
    for name in (
        "highs",
        "cpsat",
        "scipy_nlp",
        "ipopt_nlp",
        "tsp_ils",
        "lkh",
        "ortools_routing",
        "pyvrp_hgs",
        "hgs_cvrp",
        "knapsack_dp",
        "jobshop_lns",
        "milp_alns",
        "scip",
        "tsp_dfj",
    )
]


class UploadChecks:
    """The upload checks of one app, each in a confined child process."""

    def __init__(self, settings: Settings, stopping: threading.Event):
        self.settings, self.stopping = settings, stopping
        self._live: set[multiprocessing.process.BaseProcess] = set()
        self._lock = threading.Lock()
        self._slots: anyio.CapacityLimiter | None = None  # made in the event loop, on first use
        self._threads: anyio.CapacityLimiter | None = None

    async def kind(self, submission: Submission) -> str:
        """The problem kind of `submission`, checked in a child process; HTTPException 422 naming
        the file when it cannot be read or solved or reading it takes longer than `parse_seconds`,
        503 when the server shuts down or was busy with other checks for `parse_seconds`."""
        return await self.run(check_problem, (submission,), submission.options.memory_mb, submission.filename)

    def warm_up(self) -> None:
        """Start the fork server now, so that the first upload does not wait for it."""
        from multiprocessing import forkserver

        _context()  # the modules it preloads
        forkserver.ensure_running()

    async def run(self, work: Callable[..., Any], args: tuple, memory_mb: int | None, filename: str) -> Any:
        """`work(*args)` (which reads the file `filename`) in a confined child, at most
        `upload_checks` at a time: its answer, or HTTPException as `kind` says."""
        if self._slots is None or self._threads is None:
            self._slots = anyio.CapacityLimiter(self.settings.upload_checks)
            self._threads = anyio.CapacityLimiter(self.settings.upload_checks)  # never short: slots come first
        with anyio.move_on_after(self.settings.parse_seconds) as waited:
            await self._slots.acquire()
        if waited.cancelled_caught:
            raise HTTPException(
                503,
                f"the service is busy reading {self.settings.upload_checks} other uploads; try again in a moment",
                headers={"Retry-After": "5"},
            )
        try:
            return await anyio.to_thread.run_sync(
                self._in_child, work, args, memory_mb, filename, limiter=self._threads
            )
        finally:
            self._slots.release()

    def _in_child(self, work: Callable[..., Any], args: tuple, memory_mb: int | None, filename: str) -> Any:
        """`work(*args)` in a child, blocking: start it, wait for its answer or the time limit, kill it."""
        settings = self.settings
        memory_mb = memory_mb or settings.default_memory_mb  # as the job's process has
        context = _context()
        receiver, sender = context.Pipe(duplex=False)
        child = context.Process(
            target=_child,
            args=(sender, work, args, settings, memory_mb, filename),
            name="omnisolve-upload-check",
            daemon=True,
        )  # never waited for at the server's exit
        with self._lock:
            if self.stopping.is_set():
                raise HTTPException(503, SHUTTING_DOWN)
            child.start()
            self._live.add(child)
        sender.close()
        try:
            if not receiver.poll(settings.parse_seconds):
                raise HTTPException(422, f"{filename}: reading it took longer than {settings.parse_seconds:g} s")
            status, detail = receiver.recv()
        except EOFError:  # killed: by stop(), the kernel's OOM killer, or a reader's crash
            status, detail = 422, f"{filename}: the reader's process ended without an answer (out of memory?)"
            if self.stopping.is_set():
                status, detail = 503, SHUTTING_DOWN
        finally:
            receiver.close()
            kill_child(child)
            child.join()
            with self._lock:
                self._live.discard(child)
        if status:
            raise HTTPException(status, detail)
        return detail

    def stop(self) -> None:
        """At shutdown: kill every running child (its request answers 503 at once instead of
        holding the server up), and start no new one."""
        self.stopping.set()
        with self._lock:
            for child in self._live:
                kill_child(child)


def kill_child(process: multiprocessing.process.BaseProcess) -> None:
    """SIGKILL a child started with `confine` and everything it started."""
    if process.pid is not None:
        kill_group(process.pid)
    process.kill()


def _context() -> multiprocessing.context.ForkServerContext:
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(_PRELOAD)
    return context


def _child(
    conn: Connection, work: Callable[..., Any], args: tuple, settings: Settings, memory_mb: int, filename: str
) -> None:
    """In the child: sends (status, detail); status 0 means fine and detail is what `work`
    returned. Never raises: whatever happens ends here, not in a traceback in the server's log."""
    answer = None
    try:
        # The parent is the fork server, which ends with the API. The check forks from a server
        # that already maps the preloaded modules (hundreds of MB of address space): reading
        # gets `memory_mb` MB beyond that, else any limit below the server's size would refuse
        # a file only when reading it happens to need fresh memory.
        confine(memory_mb, os.getppid(), beyond_current=True)
        from omnisolve.service.config import register_extra_solvers

        register_extra_solvers(settings)
        answer = (0, work(*args))
    except HTTPException as exc:
        answer = (exc.status_code, exc.detail)
    except OmnisolveError as exc:
        answer = (422, str(exc))
    except MemoryError:  # answered below, once the reader's frames (and what they hold) are freed
        pass
    except Exception as exc:  # any reader failure on user input is the input's fault, never a 500
        if not (isinstance(exc, ImportError) and "failed to map" in str(exc)):  # else: a module past the memory limit
            answer = (422, f"{filename}: cannot read or check the problem")
            log.warning("upload check of %s: %s", filename, f"{type(exc).__name__}: {exc}"[:300])  # one line
    if answer is None:
        answer = (422, f"{filename}: reading it needs more than the memory limit of {memory_mb} MB")
    try:
        conn.send(answer)
        conn.close()
    except BaseException:  # the server gave up on this child (time limit, shutdown): nobody to tell
        os._exit(1)
