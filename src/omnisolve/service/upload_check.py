"""Read and check an upload in a child process, under the jobs' memory limit and a time limit,
so that no upload can starve the API process (a reader that allocates gigabytes or runs for
minutes on a hostile file costs a child, never the server or its /health).

Children come from a fork server started once with omnisolve's readers imported, so a check
costs milliseconds, not an interpreter start.
"""

from __future__ import annotations

import multiprocessing
import threading
from multiprocessing.connection import Connection

from fastapi import HTTPException

from omnisolve.service.config import Settings
from omnisolve.service.jobs import limit_memory
from omnisolve.service.submissions import Submission, check_problem

_PRELOAD = ["omnisolve.service.submissions", "omnisolve.io", "omnisolve.api"]
_live: set = set()  # the checks running now
_lock = threading.Lock()
_stopping = threading.Event()


def stop_all() -> None:
    """At shutdown: kill every running check, so its request answers 503 at once instead of
    holding the server up (and being cancelled mid-way)."""
    _stopping.set()
    with _lock:
        for child in _live:
            child.kill()


def _context() -> multiprocessing.context.BaseContext:
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(_PRELOAD)
    return context


def _check_child(conn: Connection, submission: Submission, settings: Settings) -> None:
    """In the child: (status, detail) of the check; status 0 means fine and detail is the kind."""
    try:
        limit_memory(settings.default_memory_mb)
        from omnisolve.service.config import register_extra_solvers

        register_extra_solvers(settings)
        conn.send((0, check_problem(submission)))
    except HTTPException as exc:
        conn.send((exc.status_code, exc.detail))
    except MemoryError:
        conn.send((422, f"{submission.filename}: reading it needs more than the memory limit of "
                        f"{settings.default_memory_mb} MB"))
    except Exception as exc:  # any reader failure on user input is the input's fault, never a 500
        conn.send((422, f"{submission.filename}: cannot read the problem ({type(exc).__name__})"))
    finally:
        conn.close()


def check_upload(submission: Submission, settings: Settings) -> str:
    """The problem kind of `submission`, checked in a child process; HTTPException 422 naming
    the file when it cannot be read or solved, or when reading takes longer than
    `settings.parse_seconds`."""
    context = _context()
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_check_child, args=(sender, submission, settings), name="omnisolve-upload-check",
                            daemon=True)  # ended with the server, never waited for at its exit
    with _lock:
        if _stopping.is_set():
            raise HTTPException(503, "the service is shutting down; submit the job again in a moment")
        child.start()
        _live.add(child)
    sender.close()
    try:
        if not receiver.poll(settings.parse_seconds):
            raise HTTPException(422, f"{submission.filename}: reading it took longer than {settings.parse_seconds:g} s")
        status, detail = receiver.recv()
    except EOFError:
        status, detail = 422, f"{submission.filename}: the reader's process ended without an answer (out of memory?)"
        if _stopping.is_set():
            status, detail = 503, "the service is shutting down; submit the job again in a moment"
    finally:
        receiver.close()
        child.kill()
        child.join()
        with _lock:
            _live.discard(child)
    if status:
        raise HTTPException(status, detail)
    return detail
