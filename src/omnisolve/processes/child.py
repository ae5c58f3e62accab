"""The child's side of a task: its limits (an end of its own when its parent is gone, an
address-space limit) and `run`, which calls the task's entry and turns an exception into an
`error` message. `python -m omnisolve.processes` (`__main__.py`) is the process around it."""

from __future__ import annotations

import importlib
import os
import sys
import threading
import time
import traceback
from typing import TYPE_CHECKING

from omnisolve.errors import OmnisolveError
from omnisolve.processes.messages import Channel

if TYPE_CHECKING:
    from omnisolve.processes.executor import Task


def die_with_parent(parent: int) -> None:
    """A daemon thread that ends this process when `parent`, the process that started it, is gone."""

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
    """The limits of a forked child (the service's upload checks), called first thing in it: its
    own process group (so killing the group ends all it started), an end of its own when `parent`
    is gone, and an address-space limit (see `limit_memory`). A task's child gets its session
    from its executor and the rest from `python -m omnisolve.processes`."""
    os.setsid()
    die_with_parent(parent)
    limit_memory(memory_mb, beyond_current)


def run(task: Task, channel: Channel) -> int:
    """Call the task's entry ("package.module:function") as `function(task.spec, channel)`;
    return the exit code: 0, or 1 after an exception, which becomes an `error` message (its
    traceback goes to stderr, as an uncaught one would)."""
    try:
        sys.path[:0] = task.sys_path
        module, _, name = task.entry.partition(":")
        getattr(importlib.import_module(module), name)(task.spec, channel)
    except MemoryError:
        channel.error(f"out of memory (limit {task.memory_mb} MB)" if task.memory_mb else "out of memory")
        return 1
    except Exception as exc:  # the task's failure, reported to the parent; the child ends either way
        traceback.print_exc()
        message = str(exc) if isinstance(exc, OmnisolveError) else f"{type(exc).__name__}: {exc}"
        channel.error(message, exc.exit_code if isinstance(exc, OmnisolveError) else 1)
        return 1
    return 0
