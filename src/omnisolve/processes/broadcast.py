"""A value the parent publishes to its running tasks while they run (a race's best certified
solution), the one way back into a task besides its start and its stop.

The parent `publish`es bytes; the task reads the latest from a file (`Listener`), whose path is
in its spec under `KEY`. `FileBroadcast` (`LocalExecutor.broadcast()`) writes that file itself:
parent and tasks share this machine's disk. On a Ray cluster (`cluster.RayBroadcast`) the value
lives in one actor and each task's actor mirrors it into a file on its own node. Every write
replaces the file atomically, so a reader sees a whole value or the one before.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Any, Protocol

KEY = "broadcast"  # the spec key naming a task's broadcast: {"path": ...} (or {"actor": ...} on Ray)


class Broadcast(Protocol):
    """The parent's side: `spec()` goes into each task's spec under `KEY`."""

    def spec(self) -> dict[str, Any]: ...

    def publish(self, data: bytes) -> None: ...

    def close(self) -> None: ...


def write_atomic(path: Path, data: bytes) -> None:
    """Replace `path`'s content by `data` in one step (a temporary file renamed over it)."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)


class FileBroadcast:
    """A broadcast through a file on this machine."""

    def __init__(self) -> None:
        self._dir = tempfile.mkdtemp(prefix="omnisolve-broadcast-")
        self.path = Path(self._dir) / "latest"

    def spec(self) -> dict[str, Any]:
        return {"path": str(self.path)}

    def publish(self, data: bytes) -> None:
        write_atomic(self.path, data)

    def close(self) -> None:
        shutil.rmtree(self._dir, ignore_errors=True)

    def __enter__(self) -> FileBroadcast:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class Listener:
    """The task's side: the latest value, once per publication."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._seen: tuple[int, int] | None = None

    def latest(self) -> bytes | None:
        """The value published since the last call, or None when there is no new one."""
        try:
            status = os.stat(self.path)
            key = (status.st_ino, status.st_mtime_ns)  # a new inode per publication (os.replace)
            if key == self._seen:
                return None
            data = self.path.read_bytes()
        except OSError:  # nothing published yet, or replaced between stat and read: next time
            return None
        self._seen = key
        return data
