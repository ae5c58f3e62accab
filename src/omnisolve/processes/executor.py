"""Where a task runs: the `Executor` interface and `LocalExecutor`, a child process per task.

A task is plain data (`Task`: an entry point's name and a JSON spec), never a solver object,
so that another executor (Ray, later) can ship it as it is. The parent talks to a running task
through its `Handle`: the messages it sent (messages.py), whether it has ended, cancelling it,
waiting for its `Outcome`. A handle is a context manager whose exit cancels the task, so a
`with` block (or `contextlib.ExitStack` for several) never leaks a process, also on Ctrl-C.
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol

from omnisolve.processes import forked
from omnisolve.processes.broadcast import Broadcast, FileBroadcast
from omnisolve.processes.groups import POLL, TERM_GRACE, ending, kill_group, last_line, terminate
from omnisolve.processes.machine import available_cores
from omnisolve.processes.messages import FINAL, Kind, decode

READER_JOIN = 1.0  # seconds to wait for a reaped child's last messages
use_zygote = os.environ.get("OMNISOLVE_ZYGOTE", "1") != "0"  # fork tasks' children from a zygote
# the directory holding the omnisolve package, which a child must import as its parent did
_ROOT = str(Path(__file__).resolve().parents[2])


@dataclass(frozen=True)
class Task:
    """One run as plain data: `entry` ("package.module:function") is called in the child as
    `function(spec, channel)`; `spec` is JSON (a problem's path or content, the solver's name,
    limits); `sys_path` is prepended to the child's before the entry is imported; `memory_mb`
    limits the child's address space (0: no limit); `cpus`: the cores it uses (its solver's
    threads), which an executor that places tasks reserves for it; `files`: the keys of `spec`
    whose values are paths of files the child reads, which an executor running it on another
    machine sends along (and points the keys at its copies); `fresh`: start the child as a new
    interpreter, never forked by the zygote (a bench run, whose memory is measured: a forked
    child's resident pages include the libraries it shares with the zygote)."""

    entry: str
    spec: dict[str, Any] = field(default_factory=dict)
    sys_path: tuple[str, ...] = ()
    memory_mb: int = 0
    cpus: int = 1
    files: tuple[str, ...] = ()
    fresh: bool = False

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Task:
        return cls(
            d["entry"],
            d["spec"],
            tuple(d["sys_path"]),
            d["memory_mb"],
            d.get("cpus", 1),
            tuple(d.get("files", ())),
            d.get("fresh", False),
        )


@dataclass(frozen=True)
class Outcome:
    """How a task ended: the `result` payload (`Result.to_dict()`), or the child's `error`
    message and its exit `code`, or neither when the process ended without saying (then
    `returncode` and `last_output` say why). `cancelled`: it was still running when cancelled;
    `unreadable`: lines on its message pipe that were not messages of the schema; `lost`: the
    machine running it was lost (a Ray node), which is no fault of the task's."""

    result: dict[str, Any] | None = None
    error: str | None = None
    code: int | None = None
    returncode: int | None = None
    cancelled: bool = False
    unreadable: int = 0
    last_output: str = ""  # the last line the child printed
    lost: bool = False

    def ended(self, width: int = 300) -> str:
        """How the process ended, in words, with its last line of output cut to `width`:
        "killed by SIGSEGV: ...", "exited with code 3"."""
        garbled = f" after {self.unreadable} unreadable message lines" if self.unreadable else ""
        line = self.last_output[:width]
        return ending(self.returncode) + garbled + (f": {line}" if line else "")


class Handle(Protocol):
    """A running task, as its parent sees it."""

    def placed(self, timeout: float | None = 0.0) -> bool:
        """Whether the task's process has started, waiting up to `timeout` seconds (None: until
        it has): a local task's at once; a cluster's once a node has its cores free. Until then
        it sends nothing and `poll()` is None; deadlines of its run count from here."""
        ...

    def messages(self, timeout: float = 0.0) -> list[dict[str, Any]]:
        """The messages that arrived since the last call (the final one included), waiting up
        to `timeout` seconds for the first."""
        ...

    def poll(self) -> Outcome | None:
        """None while the task runs without a final message; else its outcome (complete, with
        the process reaped, once the process has ended)."""
        ...

    def cancel(self, grace: float = TERM_GRACE) -> None:
        """End the task: SIGTERM, then SIGKILL after `grace` seconds; reaped when it returns."""
        ...

    def wait(self, timeout: float | None = None) -> Outcome:
        """Let the task end by itself within `timeout` seconds (None: however long it takes),
        else cancel it; its complete outcome."""
        ...

    def __enter__(self) -> Handle: ...

    def __exit__(self, *exc_info: object) -> None: ...


class Executor(Protocol):
    """Runs tasks: `LocalExecutor` in child processes of this one; `cluster.RayExecutor` on a
    Ray cluster. `cores()`: how many cores its tasks share, for how many fit at once;
    `broadcast()`: a value to publish to running tasks (broadcast.py)."""

    def submit(self, task: Task) -> Handle: ...

    def cores(self) -> int: ...

    def broadcast(self) -> Broadcast: ...


class LocalExecutor:
    """Each task in a child process of this one (`LocalHandle`)."""

    def submit(self, task: Task) -> LocalHandle:
        return LocalHandle(task)

    def cores(self) -> int:
        return available_cores()

    def broadcast(self) -> FileBroadcast:
        return FileBroadcast()


_EOF = object()  # what the reader queues when the child's pipe closes


class LocalHandle:
    """A task in a child process: `python -m omnisolve.processes TASK.json FD PARENT` in a new
    session (its own process group), its stdout and stderr in a file of the handle's (read for the
    last line when it crashes), its messages on the inherited pipe FD, read by a thread."""

    def __init__(self, task: Task):
        self._dir = Path(tempfile.mkdtemp(prefix="omnisolve-task-"))
        self._output = self._dir / "output.log"
        task_file = self._dir / "task.json"
        task_file.write_text(json.dumps(task.to_dict()))
        read_fd, write_fd = os.pipe()
        try:
            self._process = _start(task, str(task_file), write_fd, self._output)
        except BaseException:
            os.close(read_fd)
            shutil.rmtree(self._dir, ignore_errors=True)
            raise
        finally:
            os.close(write_fd)
        self.pid = self._process.pid  # also the process group's id
        self._queue: queue.Queue[Any] = queue.Queue()
        self._final: dict[str, Any] | None = None
        self._unreadable = 0
        self._cancelled = False
        self._outcome: Outcome | None = None
        self._reader = threading.Thread(target=self._read, args=(read_fd,), daemon=True)
        self._reader.start()

    def placed(self, timeout: float | None = 0.0) -> bool:
        return True

    def _read(self, fd: int) -> None:
        with os.fdopen(fd, encoding="utf-8", errors="replace") as pipe:
            for line in pipe:
                message = decode(line)
                if message is None:
                    self._unreadable += bool(line.strip())
                    continue
                if message["kind"] in FINAL and self._final is None:
                    self._final = message
                self._queue.put(message)
        self._queue.put(_EOF)

    def messages(self, timeout: float = 0.0) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        while True:
            try:
                item = self._queue.get(timeout=timeout) if timeout > 0 and not out else self._queue.get_nowait()
            except queue.Empty:
                return out
            if item is _EOF:  # nothing more will come
                return out
            out.append(item)

    def poll(self) -> Outcome | None:
        if self._outcome is not None or self._ended():
            return self._finish()
        return self._current(None) if self._final is not None else None

    def cancel(self, grace: float = TERM_GRACE) -> None:
        if self._outcome is not None:
            return
        if not self._ended():
            self._cancelled = True
            terminate(self.pid, self._ended, grace)
        self._finish()

    def wait(self, timeout: float | None = None) -> Outcome:
        end = None if timeout is None else time.monotonic() + timeout
        while not self._ended():
            if end is not None and time.monotonic() >= end:
                self.cancel()
                break
            time.sleep(POLL)
        return self._finish()

    def __enter__(self) -> LocalHandle:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.cancel()

    def _ended(self) -> bool:
        return self._process.ended()

    def _finish(self) -> Outcome:
        """Kill what is left of the group, reap the child, read its last messages; once."""
        if self._outcome is None:
            returncode = self._process.reap()
            self._reader.join(READER_JOIN)
            self._outcome = self._current(returncode)
            shutil.rmtree(self._dir, ignore_errors=True)
        return self._outcome

    def _current(self, returncode: int | None) -> Outcome:
        final = self._final or {}
        return Outcome(
            result=final.get("result") if final.get("kind") == Kind.RESULT else None,
            error=final.get("message") if final.get("kind") == Kind.ERROR else None,
            code=final.get("code"),
            returncode=returncode,
            cancelled=self._cancelled,
            unreadable=self._unreadable,
            last_output=last_line(self._output) if returncode is not None else "",
        )


class _Child(Protocol):
    """A task's child process, started directly (`_ExecChild`) or forked by the zygote
    (`forked.ForkedChild`)."""

    pid: int

    def ended(self) -> bool:
        """Whether it has exited; its group's number stays reserved until `reap`."""
        ...

    def reap(self) -> int:
        """Kill what is left of its process group, reap it; its return code."""
        ...


class _ExecChild:
    """`python -m omnisolve.processes TASK.json FD PARENT`, started directly: a fresh
    interpreter that imports what it needs (0.5-1 s), for tasks with a memory limit (the
    zygote's libraries would count against it) and when no zygote runs."""

    def __init__(self, task_file: str, pipe: int, output: Path):
        command = [sys.executable, "-m", "omnisolve.processes", task_file, str(pipe), str(os.getpid())]
        with output.open("wb") as out:
            self._process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                pass_fds=(pipe,),
                env=_child_environment(),
            )
        self.pid = self._process.pid

    def ended(self) -> bool:
        """Whether the child has exited, without reaping it: its zombie keeps the process
        group's number from being reused until `reap` has killed what is left of the group."""
        if self._process.returncode is not None:
            return True
        try:
            return os.waitid(os.P_PID, self.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None
        except ChildProcessError:
            return True

    def reap(self) -> int:
        kill_group(self.pid)
        return self._process.wait()


def warm() -> None:
    """Start this process's zygote now, ahead of the tasks that will need it (a solve that may
    race after running its leader alone), so that their children start at once."""
    _zygote(_child_environment())


def _zygote(env: dict[str, str] | None) -> forked.Zygote | None:
    """This process's zygote (started with `env`), None when zygotes are off or it was lost."""
    return forked.shared(env) if use_zygote else None


def _start(task: Task, task_file: str, pipe: int, output: Path) -> _Child:
    """The task's child: forked by this process's zygote where the task has no memory limit, is
    not to start `fresh`, and the zygote answers; else started directly."""
    env = _child_environment()
    zygote = _zygote(env) if task.memory_mb == 0 and not task.fresh else None
    child = zygote.spawn(task_file, pipe, str(output), env or dict(os.environ)) if zygote else None
    return child or _ExecChild(task_file, pipe, output)


def _child_environment() -> dict[str, str] | None:
    """This process's environment with omnisolve's directory first on PYTHONPATH, so that the
    child imports the omnisolve its parent runs; None (unchanged) when that directory is the
    interpreter's own site-packages, which must stay behind the standard library."""
    if _ROOT in {sysconfig.get_paths()[key] for key in ("purelib", "platlib")}:
        return None
    path = os.environ.get("PYTHONPATH")
    return {**os.environ, "PYTHONPATH": _ROOT + (os.pathsep + path if path else "")}
