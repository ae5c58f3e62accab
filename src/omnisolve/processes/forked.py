"""The parent's side of the zygote (zygote.py): `Zygote` starts it, asks it to fork a task's
child and hears when that child ends; `shared()` is this process's one zygote, started on first
use (or early by `warm()`) and stopped at exit, so that its children's memory counts in this
process's `RUSAGE_CHILDREN` as a directly started child's would.

A task's child forked by the zygote is not this process's child: `ForkedChild` learns that it
ended, its return code and its peak memory from the zygote. A zygote that cannot start or stops
answering is given up for the rest of this process, whose tasks then start as fresh processes.
"""

from __future__ import annotations

import atexit
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from typing import Any

from omnisolve.processes.groups import kill_group

ANSWER_WAIT = 30.0  # seconds for the zygote's first answer (its imports included), then each
PACKET = 1 << 20  # bytes: the largest message (a request with its environment)
REPORT_WAIT = 2.0  # seconds between a child's reaping and the zygote's report of it, at most
STOP_WAIT = 0.1  # seconds a stopping zygote has to end its children and exit


class ForkedChild:
    """A task's child forked by the zygote, as its `LocalHandle` sees it."""

    def __init__(self, zygote: Zygote, pid: int):
        self._zygote = zygote
        self.pid = pid
        self.returncode: int | None = None

    def ended(self) -> bool:
        """Whether the child has ended (reaped by the zygote, its group killed)."""
        if self.returncode is None:
            self.returncode = self._zygote.returncode(self.pid)
        return self.returncode is not None

    def reap(self) -> int:
        """Its return code, once it has ended: the zygote has killed what was left of its group
        and reaped it (this process must not signal the group after that). A child reaped
        without a report within REPORT_WAIT seconds counts as killed."""
        unreported = None
        while not self.ended():
            if _running(self.pid):
                unreported = None
            elif unreported is None:
                unreported = time.monotonic()
            elif time.monotonic() - unreported > REPORT_WAIT:
                self.returncode = -signal.SIGKILL
                break
            time.sleep(0.005)
        return self.returncode  # type: ignore[return-value]


class Zygote:
    """A running zygote: `spawn` forks a task's child from it; `close` stops it."""

    def __init__(self, env: dict[str, str] | None):
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        command = [sys.executable, "-m", "omnisolve.processes.zygote", str(theirs.fileno())]
        try:
            self._process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                start_new_session=True,
                pass_fds=(theirs.fileno(),),
                env=env,
            )
        except BaseException:
            ours.close()
            raise
        finally:
            theirs.close()
        self._sock = ours
        self.owner = os.getpid()  # a process forked from this one must start its own
        self._lock = threading.Lock()  # one request at a time: answers come in order
        self._changed = threading.Condition()
        self._answers: list[dict[str, Any]] = []
        self._ended: dict[int, int] = {}
        self._lost = False
        self.peak_child_kib = 0  # the largest peak resident set among the children that ended
        threading.Thread(target=self._read, daemon=True).start()

    @property
    def alive(self) -> bool:
        return not self._lost

    def spawn(self, task_file: str, pipe: int, output: str, env: dict[str, str]) -> ForkedChild | None:
        """Fork a child to run the task in `task_file`, writing its messages to `pipe` and its
        output to `output`, in this process's directory and with `env`; None when the zygote
        does not answer (it is given up)."""
        request = {"task": task_file, "output": output, "cwd": os.getcwd(), "env": env}
        with self._lock:
            if self._lost:
                return None
            try:
                socket.send_fds(self._sock, [json.dumps(request).encode()], [pipe])
            except OSError:
                self._give_up()
                return None
            answer = self._answer()
        if answer is None or "pid" not in answer:
            self._give_up()
            return None
        return ForkedChild(self, answer["pid"])

    def returncode(self, pid: int) -> int | None:
        """A child's return code once the zygote reported it ended (given once: its pid may be
        reused); for a child of a zygote that was lost, SIGKILL's once the child is gone (it ends
        itself when the zygote has)."""
        with self._changed:
            if pid in self._ended:
                return self._ended.pop(pid)
        if self._lost and not _running(pid):
            return -signal.SIGKILL
        return None

    def close(self) -> None:
        """Stop the zygote (it kills its children's groups) and reap it; one busy importing a
        library after STOP_WAIT seconds is killed (a child of its still running ends itself, as
        when the zygote is lost)."""
        self._lost = True
        try:
            self._sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        try:
            self._process.wait(STOP_WAIT)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        self._sock.close()

    def _answer(self) -> dict[str, Any] | None:
        end = time.monotonic() + ANSWER_WAIT
        with self._changed:
            while not self._answers and not self._lost:
                if not self._changed.wait(end - time.monotonic()) and time.monotonic() >= end:
                    return None
            return self._answers.pop(0) if self._answers else None

    def _give_up(self) -> None:
        if not self._lost:
            self._lost = True
            kill_group(self._process.pid, wait=0)

    def _read(self) -> None:
        while (message := self._receive()) is not None:
            with self._changed:
                if "exit" in message:
                    self._ended[message["exit"]] = message["returncode"]
                    self.peak_child_kib = max(self.peak_child_kib, message["maxrss_kib"])
                else:  # a new child: an unread end of an earlier one of the same pid is stale
                    self._ended.pop(message.get("pid", -1), None)
                    self._answers.append(message)
                self._changed.notify_all()
        with self._changed:
            self._lost = True
            self._changed.notify_all()

    def _receive(self) -> dict[str, Any] | None:
        """The zygote's next message; None once it has gone, or said something not of the
        protocol (then it is given up: nothing it says can be trusted any more)."""
        try:
            data = self._sock.recv(PACKET)
        except OSError:
            return None
        try:
            return json.loads(data) if data else None
        except ValueError:
            self._give_up()
            return None


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


_shared: Zygote | None = None
_shared_lock = threading.Lock()
_given_up = False


def shared(env: dict[str, str] | None = None) -> Zygote | None:
    """This process's zygote, started on first call (with `env`, None: this process's); None
    once one was lost (tasks then start as fresh processes)."""
    global _shared, _given_up
    with _shared_lock:
        if _shared is not None and _shared.owner != os.getpid():  # forked from its owner
            _shared, _given_up = None, False
        if _shared is not None and not _shared.alive:
            _shared, _given_up = None, True
        if _shared is None and not _given_up:
            try:
                _shared = Zygote(env)
            except OSError:
                _given_up = True
                return None
            atexit.register(_stop, _shared)
        return _shared


def stop() -> None:
    """Stop this process's zygote, if it started one, as at exit: a child forked by a zygote
    ends with os._exit, which runs no exit handler, so it calls this itself (else its own
    zygote's children would go unreaped by it, and their memory uncounted)."""
    if _shared is not None:
        _stop(_shared)


def peak_child_kib() -> int:
    """The largest peak resident set (KiB) among the children this process's zygote forked that
    ended; 0 without a zygote."""
    return _shared.peak_child_kib if _shared is not None and _shared.owner == os.getpid() else 0


def _stop(zygote: Zygote) -> None:
    if zygote.owner == os.getpid():
        zygote.close()
