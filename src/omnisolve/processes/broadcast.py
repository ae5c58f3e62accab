"""A value the parent publishes to its running tasks while they run (a race's best certified
solution), the one way back into a task besides its start and its stop.

The parent `publish`es bytes; the task reads the latest from a file (`Listener`), whose path is
in its spec under `KEY`. `FileBroadcast` (`LocalExecutor.broadcast()`) writes that file itself:
parent and tasks share this machine's disk. On a Ray cluster (`cluster.RayBroadcast`) the value
lives in one actor and each task's actor mirrors it into a file on its own node. Every write
replaces the file atomically, so a reader sees a whole value or the one before; the file's
first line is the value's number, so a reader reads the rest only when it is new.
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


def write_atomic(path: Path, version: int, data: bytes) -> None:
    """Replace `path`'s content by value number `version`, `data`, in one step (a temporary
    file renamed over it)."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_bytes(b"%d\n" % version + data)
    os.replace(temporary, path)


class FileBroadcast:
    """A broadcast through a file on this machine."""

    def __init__(self) -> None:
        self._dir = tempfile.mkdtemp(prefix="omnisolve-broadcast-")
        self.path = Path(self._dir) / "latest"
        self.version = 0

    def spec(self) -> dict[str, Any]:
        return {"path": str(self.path)}

    def publish(self, data: bytes) -> None:
        self.version += 1
        write_atomic(self.path, self.version, data)

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
        self._seen = 0  # the number of the value last returned

    def latest(self) -> bytes | None:
        """The value published since the last call, or None when there is no new one."""
        try:
            with open(self.path, "rb") as file:  # the file as it was when opened, whatever replaces it
                version = int(file.readline())
                if version == self._seen:
                    return None
                data = file.read()
        except (OSError, ValueError):  # nothing published yet
            return None
        self._seen = version
        return data
