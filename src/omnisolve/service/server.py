"""`omnisolve serve`: the API under uvicorn plus N worker subprocesses, stopped together."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
from types import FrameType
from typing import TYPE_CHECKING

from omnisolve.service.config import Settings

if TYPE_CHECKING:
    import uvicorn

log = logging.getLogger("omnisolve.service")


class WorkerPool:
    """N `python -m omnisolve.service.worker` processes; one that dies is started again."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.processes: list[subprocess.Popen] = []
        self._stopping = threading.Event()
        self._watcher = threading.Thread(target=self._watch, daemon=True, name="worker-watch")

    def _spawn(self) -> subprocess.Popen:
        env = {**os.environ, **self.settings.to_env()}
        return subprocess.Popen(
            [sys.executable, "-m", "omnisolve.service.worker", "--db", self.settings.db_url], env=env
        )

    def start(self) -> None:
        self.processes = [self._spawn() for _ in range(self.settings.workers)]
        self._watcher.start()

    def _watch(self) -> None:
        while not self._stopping.wait(1.0):
            for i, proc in enumerate(self.processes):
                if proc.poll() is not None and not self._stopping.is_set():
                    log.warning("worker %d exited with %s; starting a new one", proc.pid, proc.returncode)
                    self.processes[i] = self._spawn()

    def stop(self, timeout: float = 15.0) -> None:
        """SIGTERM every worker (each re-queues its running job), then SIGKILL stragglers."""
        self._stopping.set()
        for proc in self.processes:
            if proc.poll() is None:
                proc.terminate()
        for proc in self.processes:
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _server_class() -> type[uvicorn.Server]:
    import uvicorn
    from fastapi import FastAPI

    from omnisolve.service.app import begin_shutdown

    class Server(uvicorn.Server):
        """uvicorn that tells the app as soon as it is asked to exit (running upload checks stop)."""

        def handle_exit(self, sig: int, frame: FrameType | None) -> None:
            if isinstance(self.config.app, FastAPI):  # always: `run_service` serves `create_app`'s app
                begin_shutdown(self.config.app)
            super().handle_exit(sig, frame)

    return Server


def run_service(settings: Settings) -> None:
    """Migrate the database, start the workers, serve HTTP until SIGTERM/SIGINT, stop the workers."""
    import uvicorn

    from omnisolve.service.app import create_app
    from omnisolve.service.store import Store

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    Store(settings.db_url).close()  # migrate before the workers start
    pool = WorkerPool(settings)
    pool.start()
    for sig in (signal.SIGTERM, signal.SIGINT):  # uvicorn re-raises the signal it stopped on: let it pass
        signal.signal(sig, lambda *_: None)
    try:
        config = uvicorn.Config(
            create_app(settings), host=settings.host, port=settings.port, log_level="info", timeout_graceful_shutdown=5
        )  # open event streams must not hold up a stop
        _server_class()(config).run()
    finally:
        pool.stop()
