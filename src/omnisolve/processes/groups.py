"""Process groups from the parent's side: ending a child's whole group (SIGTERM, then SIGKILL
after one grace), and saying in words how a child ended."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable
from pathlib import Path

TERM_GRACE = 0.5  # seconds a group has between SIGTERM and SIGKILL
POLL = 0.02  # seconds between looks at a child that is ending
KILL_WAIT = 2.0  # seconds at most that kill_group waits for the killed members to stop running


def kill_group(pgid: int, wait: float = KILL_WAIT) -> None:
    """SIGKILL every process of the group (a group already gone is fine), then wait, at most
    `wait` seconds, until none of them is still running: SIGKILL is delivered asynchronously, so a
    grandchild may show as running just after killpg returns (`wait` 0: not waited for, nothing
    read from /proc). Zombies count as ended (their reaper
    may be far away, or absent: `killpg(pgid, 0)` succeeds on them forever)."""
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        return
    end = time.monotonic() + wait
    while time.monotonic() < end and _running_members(pgid):
        time.sleep(POLL / 4)


def _running_members(pgid: int) -> bool:
    """Whether any process of group `pgid` is running (not a zombie), read from /proc; False
    where there is no /proc (there, SIGKILL's delivery is not waited for)."""
    try:
        entries = os.listdir("/proc")
    except OSError:
        return False
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if len(fields) > 2 and int(fields[2]) == pgid and fields[0] != "Z":
            return True
    return False


def terminate(pgid: int, ended: Callable[[], bool], grace: float = TERM_GRACE) -> None:
    """SIGTERM the group, give its leader `grace` seconds to end (`ended` says when it has), then
    SIGKILL the group: the leader if it ignored SIGTERM, and whatever it started that is left."""
    try:
        os.killpg(pgid, signal.SIGTERM)
    except (ProcessLookupError, PermissionError):
        pass
    end = time.monotonic() + grace
    while not ended() and time.monotonic() < end:
        time.sleep(POLL)
    kill_group(pgid)


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
