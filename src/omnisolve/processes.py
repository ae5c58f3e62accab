"""Child processes that run in their own process group (bench runs, racers, service jobs):
killing a whole group, and saying in words how a child ended."""

from __future__ import annotations

import os
import signal
from pathlib import Path


def kill_group(pgid: int) -> None:
    """SIGKILL every process of the group; a group already gone is fine."""
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def ending(returncode: int | None) -> str:
    """ "killed by SIGSEGV" for a negative return code, else "exited with code N"."""
    if returncode is not None and returncode < 0:
        number = -returncode
        return f"killed by {signal.Signals(number).name if number in set(signal.Signals) else f'signal {number}'}"
    return f"exited with code {returncode}"


def last_line(log_file: Path | None, width: int = 300) -> str:
    """The last non-empty line of a child's log (cut to `width`), or "" without one."""
    if log_file is None or not log_file.exists():
        return ""
    lines = [line for line in log_file.read_text(errors="replace").splitlines() if line.strip()]
    return lines[-1].strip()[:width] if lines else ""
