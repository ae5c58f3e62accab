"""This process and its machine: the cores it may use (the default for every `threads`), and
its own Ctrl-C, remembered where a solver's C++ code would swallow the KeyboardInterrupt."""

from __future__ import annotations

import math
import os
import signal
import threading
from pathlib import Path

_interrupted = threading.Event()


def available_cores() -> int:
    """The cores this process may use, the default for every `threads`: its CPU affinity,
    capped by a cgroup v2 CPU quota (a container given 1.5 CPUs gets 2), never below 1."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    quota = _cgroup_quota(Path("/sys/fs/cgroup/cpu.max"))
    return max(1, min(cores, quota) if quota else cores)


def _cgroup_quota(path: Path) -> int | None:
    """The CPUs a cgroup v2 `cpu.max` file ("QUOTA PERIOD" or "max PERIOD") allows, rounded up."""
    try:
        quota, period = path.read_text().split()
        return None if quota == "max" else max(1, math.ceil(int(quota) / int(period)))
    except (OSError, ValueError, ZeroDivisionError):
        return None


def catch_interrupts() -> None:
    """Make Ctrl-C raise KeyboardInterrupt as usual and also remember it. HiGHS runs Python only
    in its callbacks and swallows an exception raised there (in its log callback, say), so a
    solve would run on to its limit; with the request remembered, the next callback stops it.
    Call from the main thread of a program that owns the terminal (the CLI), not a library."""

    def handler(signum: int, frame: object) -> None:
        _interrupted.set()
        raise KeyboardInterrupt

    signal.signal(signal.SIGINT, handler)


def interrupt_requested() -> bool:
    """Whether Ctrl-C reached this process since `catch_interrupts()`."""
    return _interrupted.is_set()
