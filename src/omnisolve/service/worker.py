"""A worker: a plain process that pulls jobs from the store and runs each in a child process,
here or, with `Settings.ray`, as a task on a Ray cluster (a job whose node is lost goes back to
the queue, as one of a lost worker does).

Run as `python -m omnisolve.service.worker --db URL` (`omnisolve serve` starts N of them); any
number of workers on any number of machines may share one PostgreSQL database.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import socket
import threading
import time
import uuid

from omnisolve.api import after_solve_allowance
from omnisolve.errors import OmnisolveError
from omnisolve.service.config import Settings
from omnisolve.service.jobs import incumbent_events, job_outcome, job_process, memory_limit, split_result
from omnisolve.service.store import Store

log = logging.getLogger("omnisolve.worker")
EXIT_WAIT = 5.0  # seconds a job's child has to exit once its result is in


class Worker:
    """Claims queued jobs one at a time, streams their incumbents as events, and records outcomes."""

    def __init__(self, settings: Settings, worker_id: str | None = None, store: Store | None = None):
        self.settings = settings
        self.worker_id = worker_id or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.store = store or Store(settings.db_url)
        self.executor = settings.executor()

    def run(self, stop: threading.Event) -> None:
        """Serve jobs until `stop` is set; a running job is then killed and re-queued."""
        next_recovery = 0.0
        while not stop.is_set():
            try:
                if time.monotonic() >= next_recovery:
                    self._recover()
                    next_recovery = time.monotonic() + self.settings.stale_after / 2
                job = self.store.claim(self.worker_id)
            except Exception:  # the database may be briefly unavailable; try again
                log.exception("worker %s: store error", self.worker_id)
                stop.wait(1.0)
                continue
            if job is None:
                stop.wait(self.settings.poll_interval)
                continue
            log.info("worker %s: job %s (attempt %d)", self.worker_id, job["id"], job["attempts"])
            self.execute(job, stop)

    def execute(self, job: dict, stop: threading.Event) -> str:
        """Run one claimed job to its end; returns the status it ended with."""
        settings, store, job_id = self.settings, self.store, job["id"]
        with job_process(job, settings, self.executor) as child:  # leaving it stops the child: SIGTERM, then SIGKILL
            after = after_solve_allowance(job["time_limit"], job.get("cross_check", "claims"))
            deadline = None  # set once the job's process has started (on a cluster it may wait for cores)
            last_beat, pending = time.monotonic(), []
            while child.poll() is None:
                pending += incumbent_events(child.messages(settings.poll_interval))
                now = time.monotonic()
                if deadline is None and child.placed():
                    deadline = now + job["time_limit"] + after + settings.kill_grace
                if stop.is_set():
                    child.cancel()
                    store.release(job_id, self.worker_id)
                    return "queued"
                if deadline is not None and now > deadline:
                    child.cancel()
                    store.finish(
                        job_id,
                        self.worker_id,
                        "failed",
                        error=f"killed after the time limit of {job['time_limit']:g} s "
                        f"plus {after:g} s for the cross-check and {settings.kill_grace:g} s grace",
                        events=pending,
                    )
                    return "failed"
                if pending or now - last_beat >= settings.heartbeat_interval:
                    cancel = self._beat(job_id, pending)
                    pending, last_beat = [], now
                    if cancel is None:  # re-queued by someone else while we were stalled: drop it
                        return "lost"
                    if cancel:
                        child.cancel()
                        store.finish(job_id, self.worker_id, "cancelled", error="cancelled by the user")
                        return "cancelled"
            pending += incumbent_events(child.messages())
            outcome = child.wait(EXIT_WAIT)
        if outcome.lost:  # its Ray node died: no fault of the job's
            lost = store.requeue_lost(job_id, self.worker_id, settings.max_attempts) or "lost"
            log.warning("worker %s: job %s lost its node (%s): now %s", self.worker_id, job_id, outcome.error, lost)
            return lost
        status, error, result = job_outcome(outcome, memory_limit(job, settings))
        summary, detail = split_result(result) if result is not None else (None, None)
        store.finish(job_id, self.worker_id, status, result=summary, detail=detail, error=error, events=pending)
        log.info("worker %s: job %s %s%s", self.worker_id, job_id, status, f": {error}" if error else "")
        return status

    def _beat(self, job_id: str, events: list) -> bool | None:
        try:
            return self.store.heartbeat(job_id, self.worker_id, events)
        except Exception:  # keep solving; the next beat retries (events of this beat are dropped)
            log.exception("worker %s: heartbeat failed", self.worker_id)
            return False

    def _recover(self) -> None:
        changed = self.store.recover_stale(self.settings.stale_after, self.settings.max_attempts)
        for status, ids in changed.items():
            for job_id in ids:
                log.warning("job %s had a lost worker: now %s", job_id, status)


def main(argv: list[str] | None = None) -> None:
    """`python -m omnisolve.service.worker [--db URL]`: serve jobs until SIGTERM or SIGINT."""
    parser = argparse.ArgumentParser(prog="omnisolve-worker", description=main.__doc__)
    parser.add_argument(
        "--db",
        default=None,
        help="database URL or SQLite file path (default $OMNISOLVE_DB or sqlite:///./omnisolve.db)",
    )
    parser.add_argument("--id", default=None, help="worker id shown in the job rows")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    settings = Settings.from_env(db_url=args.db)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    try:
        worker = Worker(settings, args.id)
    except OmnisolveError as exc:  # e.g. a database it cannot reach: one line, not a traceback
        parser.exit(exc.exit_code, f"error: {exc}\n")
    try:
        worker.run(stop)
    finally:
        worker.store.close()


if __name__ == "__main__":
    main()
