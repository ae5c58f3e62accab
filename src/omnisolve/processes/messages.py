"""The one message schema between a task's child and its parent: JSON lines, each an object
with a `kind` field.

| kind | fields | when |
|---|---|---|
| `started` | anything the child learned while starting (e.g. `load_time`) | its input is read; the timed work begins |
| `incumbent` | `t`, `objective`, `bound`, optionally `values` or `solution` (for a board) | on an improvement |
| `log` | `text` | a line for the parent's log |
| `result` | `result`: a `Result.to_dict()` | once, at the end |
| `error` | `message` (one line), `code` (an exit code of the README) | once, instead of a result |

`Channel` writes them on the child's side; `decode` reads one line on the parent's side.
"""

from __future__ import annotations

import json
import os
import threading
from enum import StrEnum
from typing import IO, Any

from omnisolve.result import Result, jsonable


class Kind(StrEnum):
    STARTED = "started"
    INCUMBENT = "incumbent"
    LOG = "log"
    RESULT = "result"
    ERROR = "error"


FINAL = (Kind.RESULT, Kind.ERROR)  # the last message of a task: one of them, once
_REQUIRED = {
    Kind.STARTED: (),
    Kind.INCUMBENT: ("t", "objective"),
    Kind.LOG: ("text",),
    Kind.RESULT: ("result",),
    Kind.ERROR: ("message",),
}


def encode(kind: Kind, **fields: Any) -> str:
    """One message as a line of JSON (without its newline); numpy numbers become plain ones,
    inf and nan null."""
    return json.dumps(jsonable({"kind": kind, **fields}), allow_nan=False)


def decode(line: str) -> dict[str, Any] | None:
    """The message on `line`, or None when it is not one of the schema (garbage, an unknown
    kind, a missing field)."""
    try:
        message = json.loads(line)
    except ValueError:
        return None
    if not isinstance(message, dict) or message.get("kind") not in _REQUIRED:
        return None
    return message if all(key in message for key in _REQUIRED[Kind(message["kind"])]) else None


class Channel:
    """The child's side: writes messages to the parent, one flushed line each, from any thread
    (a backend may report incumbents from its own threads)."""

    def __init__(self, stream: IO[str]):
        self._stream = stream
        self._lock = threading.Lock()

    def send(self, kind: Kind, **fields: Any) -> None:
        line = encode(kind, **fields) + "\n"
        with self._lock:
            try:
                self._stream.write(line)
                self._stream.flush()
            except OSError:  # the parent is gone (BrokenPipeError): nobody is left to tell, end quietly
                os._exit(1)

    def started(self, **info: Any) -> None:
        self.send(Kind.STARTED, **info)

    def incumbent(self, t: float, objective: float | None, bound: float | None = None, values: Any = None) -> None:
        """An improvement; its signature is `IncumbentCallback`'s, so a backend can call it."""
        extra = {} if values is None else {"values": values}
        self.send(Kind.INCUMBENT, t=t, objective=objective, bound=bound, **extra)

    def log(self, text: str) -> None:
        self.send(Kind.LOG, text=text)

    def result(self, result: Result) -> None:
        self.send(Kind.RESULT, result=result.to_dict())

    def error(self, message: str, code: int = 1) -> None:
        self.send(Kind.ERROR, message=message, code=code)

    def close(self) -> None:
        with self._lock:
            try:
                self._stream.close()
            except OSError:
                pass
