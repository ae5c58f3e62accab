"""Run one job in a child process, so a solver crash, segfault or memory blow-up kills only the child.

The child gets its own process group (the worker kills the whole group), an address-space limit,
and dies with its worker. It reports over a pipe as JSON messages, never pickles:
`{"type": "incumbent", "t", "objective", "bound"}`, then one `{"type": "result", "result": {...}}`
or `{"type": "error", "error": "..."}`.
"""

from __future__ import annotations

import contextlib
import json
import multiprocessing
import os
import signal
import tempfile
import threading
import time
from multiprocessing.connection import Connection
from typing import Any

from omnisolve.processes import ending, kill_group
from omnisolve.service.config import Settings


def _die_with_parent(parent: int) -> None:
    """A daemon thread that ends this process when the worker that started it is gone."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


def limit_memory(memory_mb: int, beyond_current: bool = False) -> None:
    """An address-space limit of `memory_mb` MB on this process (none for 0), or, with
    `beyond_current`, of what it maps now plus `memory_mb` MB."""
    if memory_mb > 0:
        import resource

        limit = memory_mb * 2**20
        if beyond_current:
            with open("/proc/self/statm") as statm:
                limit += int(statm.read().split()[0]) * resource.getpagesize()
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def confine(memory_mb: int, parent: int, beyond_current: bool = False) -> None:
    """The limits of a service child process (a job's solve, an upload's check), called first
    thing in the child: its own process group (so `kill_child` ends all it started), an end of
    its own when `parent` is gone, and an address-space limit of `memory_mb` MB (see
    `limit_memory`)."""
    os.setsid()
    _die_with_parent(parent)
    limit_memory(memory_mb, beyond_current)


def kill_child(process: multiprocessing.process.BaseProcess) -> None:
    """SIGKILL a child started with `confine` and everything it started."""
    if process.pid is not None:
        kill_group(process.pid)
    process.kill()


def _child_main(conn: Connection, job: dict, settings: Settings, memory_mb: int, parent: int) -> None:
    """Entry point of the child process: parse, solve, send messages."""

    def send(message: dict) -> None:
        from omnisolve.result import jsonable  # numpy numbers to floats, inf and nan to null

        try:
            conn.send_bytes(json.dumps(jsonable(message), allow_nan=False).encode())
        except OSError:  # the worker is gone (BrokenPipeError): nobody is left to tell, end quietly
            os._exit(1)

    try:
        confine(memory_mb, parent)
        from omnisolve.api import solve
        from omnisolve.service.config import register_extra_solvers
        from omnisolve.service.uploads import parse_problem

        register_extra_solvers(settings)
        with open(job["content_path"], "rb") as fh:
            content = fh.read()
        os.unlink(job["content_path"])  # read once; nothing is left behind if the worker dies
        problem = parse_problem(content, job["filename"])
        result = solve(
            problem,
            solver=job["solver"],
            time_limit=job["time_limit"],
            threads=job["threads"],
            gap=job["gap"],
            cross_check=job.get("cross_check", "claims"),
            on_incumbent=lambda t, obj, bound: send({"type": "incumbent", "t": t, "objective": obj, "bound": bound}),
        )
        send({"type": "result", "result": result.to_dict()})
    except MemoryError:
        send({"type": "error", "error": f"out of memory (limit {memory_mb} MB)"})
    except Exception as exc:  # the job's failure, reported to the worker; the child ends either way
        from omnisolve.errors import OmnisolveError

        send(
            {"type": "error", "error": str(exc) if isinstance(exc, OmnisolveError) else f"{type(exc).__name__}: {exc}"}
        )
    finally:
        conn.close()


class JobProcess:
    """The child process solving one job, as the worker sees it."""

    def __init__(self, job: dict, settings: Settings):
        self.memory_mb = job.get("memory_mb") or settings.default_memory_mb
        context = multiprocessing.get_context("spawn")
        self._conn, child_conn = context.Pipe(duplex=False)
        # the content goes through a file: a spawn payload larger than a pipe's buffer would block
        # the worker until the child has imported everything, and die half-read with the worker
        fd, self._content_path = tempfile.mkstemp(prefix="omnisolve-job-")
        with os.fdopen(fd, "wb") as fh:
            fh.write(job["content"])
        fields = ("filename", "solver", "time_limit", "threads", "gap", "cross_check")
        small = {**{k: job[k] for k in fields}, "content_path": self._content_path}
        self._process = context.Process(
            target=_child_main,
            args=(child_conn, small, settings, self.memory_mb, os.getpid()),
            name=f"omnisolve-job-{job['id']}",
            daemon=False,
        )
        self._process.start()
        child_conn.close()
        self.outcome: dict | None = None

    def messages(self, timeout: float) -> list[dict]:
        """Incumbent messages that arrived within `timeout` s; a final message is kept in `outcome`."""
        out: list[dict] = []
        deadline = time.monotonic() + timeout
        while self.outcome is None:
            try:
                if not self._conn.poll(max(0.0, deadline - time.monotonic())):
                    break
                message = json.loads(self._conn.recv_bytes())
            except (EOFError, OSError):  # the child is gone
                break
            if message["type"] == "incumbent":
                out.append(message)
            else:
                self.outcome = message
        return out

    @property
    def done(self) -> bool:
        return self.outcome is not None or not self._process.is_alive()

    def kill(self) -> None:
        """SIGKILL the child and everything it started."""
        kill_child(self._process)

    def finish(self) -> dict:
        """Wait for the child; the final message, or an error saying how the child died."""
        self._process.join(5)
        if self._process.is_alive():
            self.kill()
            self._process.join()
        self._conn.close()
        with contextlib.suppress(OSError):
            os.unlink(self._content_path)
        if self.outcome is not None:
            return self.outcome
        code = self._process.exitcode
        reason = f"the solver process {ending(code)}"
        if code is not None and -code in (signal.SIGKILL, signal.SIGSEGV, signal.SIGABRT, signal.SIGBUS):
            reason += f" (crash, or memory limit of {self.memory_mb} MB exceeded)"
        elif code is None or code >= 0:
            reason += " without a result"
        return {"type": "error", "error": reason}


def split_result(result: dict) -> tuple[dict, dict]:
    """(summary without `values` and `log`, the detail holding them)."""
    summary = {k: v for k, v in result.items() if k not in ("values", "log")}
    return summary, {"values": result.get("values"), "log": result.get("log", "")}


def job_status(outcome: dict[str, Any]) -> tuple[str, str | None]:
    """(job status, error reason) for a child's final message."""
    if outcome["type"] == "error":
        return "failed", outcome["error"]
    result = outcome["result"]
    if result["status"] == "error":
        return "failed", result.get("message") or "the solver reported an error"
    return "succeeded", None
