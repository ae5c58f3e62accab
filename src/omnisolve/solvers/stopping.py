"""Stopping a native solver from outside: a light watcher thread that asks a question every
`POLL` seconds while the solver runs and calls the solver's own thread-safe stop once the answer
is yes. For solvers that release the GIL while they search (CP-SAT's `stop_search`, the routing
library's `CancelSearch`), so that a cancel or a stall acts between two solutions too."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

POLL = 0.05  # seconds between two questions


@contextmanager
def stop_when(asked: Callable[[], bool], stop: Callable[[], None]) -> Iterator[None]:
    """Run the body while a daemon thread asks `asked()` every `POLL` seconds and calls `stop()`
    once it holds; the thread ends (and is joined) when the body does."""
    done = threading.Event()

    def watch() -> None:
        while not done.wait(POLL):
            if asked():
                stop()
                return

    watcher = threading.Thread(target=watch, name="omnisolve-stop-watcher", daemon=True)
    watcher.start()
    try:
        yield
    finally:
        done.set()
        watcher.join()
