"""The zygote (processes/zygote.py, forked.py): tasks' children forked from a process that has
imported omnisolve and its solvers' libraries once. Each test here that stops or loses a zygote
uses its own (the module's `_shared` patched), never the one the other tests share.

The tasks' entries are the functions below (`test_zygote:NAME`), run in the child."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from conftest import OVERRUN, grace
from fake_solvers import alive
from omnisolve.processes import Channel, LocalExecutor, Task, forked
from omnisolve.result import Result, Status

TESTS = str(Path(__file__).resolve().parent)
START = 30.0  # s a child may take to start on a busy machine


# ---- the tasks' entries, run in the child -----------------------------------------------------
def where(spec: dict[str, Any], channel: Channel) -> None:
    """Answers with its parent's pid, its directory and one variable of its environment."""
    value = os.environ.get("OMNISOLVE_TEST_MARK", "")
    message = f"{os.getppid()} {os.getcwd()} {value}"
    channel.result(Result(Status.FEASIBLE, objective=1.0, message=message))


def sleep(spec: dict[str, Any], channel: Channel) -> None:
    Path(spec["pidfile"]).write_text(str(os.getpid()))
    channel.started()
    time.sleep(600)


def allocate(spec: dict[str, Any], channel: Channel) -> None:
    """Touches `mb` megabytes, then answers."""
    block = np.ones(spec["mb"] * 2**20 // 8)
    channel.result(Result(Status.FEASIBLE, objective=float(block.sum() > 0)))


def nested(spec: dict[str, Any], channel: Channel) -> None:
    """Runs `allocate` as a task of its own (through a zygote of its own), then answers."""
    with LocalExecutor().submit(Task("test_zygote:allocate", {"mb": spec["mb"]}, sys_path=(TESTS,))) as inner:
        outcome = inner.wait(START)
    channel.result(Result(Status.FEASIBLE, objective=float(outcome.result is not None)))


# ---- helpers ----------------------------------------------------------------------------------
def submit(entry: str, memory_mb: int = 0, fresh: bool = False, **spec: Any) -> Any:
    task = Task(f"test_zygote:{entry}", spec, sys_path=(TESTS,), memory_mb=memory_mb, fresh=fresh)
    return LocalExecutor().submit(task)


def answer(entry: str, memory_mb: int = 0, fresh: bool = False, **spec: Any) -> str:
    with submit(entry, memory_mb, fresh, **spec) as handle:
        outcome = handle.wait(START)
    assert outcome.result is not None, outcome.ended()
    return Result.from_dict(outcome.result).message


def wait_for_pid(path: Path) -> int:
    deadline = time.monotonic() + START
    while not (path.exists() and path.read_text().strip()):
        assert time.monotonic() < deadline, "the child never started"
        time.sleep(0.02)
    return int(path.read_text())


def until(condition: Any, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


@pytest.fixture
def own_zygote(monkeypatch):
    """A zygote of this test's own, stopped after it; the shared one is back afterwards."""
    monkeypatch.setattr(forked, "_shared", None)
    monkeypatch.setattr(forked, "_given_up", False)
    yield
    if forked._shared is not None:
        forked._shared.close()


# ---- tests ------------------------------------------------------------------------------------
def test_a_task_without_a_memory_limit_is_forked_by_the_zygote_with_the_callers_directory_and_environment(
    tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("OMNISOLVE_TEST_MARK", "set after the zygote started")
    parent, cwd, mark = answer("where").split(" ", 2)
    zygote = forked.shared()
    assert zygote is not None and int(parent) == zygote._process.pid != os.getpid()
    assert cwd == str(tmp_path) and mark == "set after the zygote started"


@pytest.mark.parametrize("memory_mb, fresh", [(4096, False), (0, True)])
def test_a_task_with_a_memory_limit_or_asked_fresh_starts_afresh_as_this_processs_child(memory_mb, fresh):
    parent, _, _ = answer("where", memory_mb=memory_mb, fresh=fresh).split(" ", 2)
    assert int(parent) == os.getpid()


def test_the_zygote_reports_its_childrens_peak_memory(own_zygote):
    answer("allocate", mb=200)
    assert forked.peak_child_kib() >= 200 * 1024


def test_a_lost_zygote_ends_its_children_and_later_tasks_start_afresh(tmp_path, own_zygote):
    with submit("sleep", pidfile=str(tmp_path / "pid")) as handle:
        pid = wait_for_pid(tmp_path / "pid")
        zygote = forked._shared
        assert zygote is not None
        os.killpg(zygote._process.pid, signal.SIGKILL)
        zygote._process.wait()
        outcome = handle.wait(grace(START))
    assert outcome.ended() == "killed by SIGKILL" and not alive(pid)
    parent, _, _ = answer("where").split(" ", 2)
    assert int(parent) == os.getpid() and forked.shared() is None


def test_closing_the_zygote_ends_its_running_children_and_reaps_it(tmp_path, own_zygote):
    handle = submit("sleep", pidfile=str(tmp_path / "pid"))
    pid = wait_for_pid(tmp_path / "pid")
    zygote = forked._shared
    assert zygote is not None
    zygote.close()
    assert zygote._process.returncode is not None
    assert until(lambda: not alive(pid), grace(OVERRUN))
    assert handle.wait(grace(START)).returncode == -signal.SIGKILL


def test_a_forked_child_stops_its_own_zygote_so_its_grandchildrens_memory_counts(own_zygote):
    """A forked child ends with os._exit (no exit handlers): it stops the zygote it started
    itself, reaping it, so the peak of a task it ran reaches this process through its own."""
    with submit("nested", mb=300) as handle:
        outcome = handle.wait(START)
    assert outcome.result is not None and Result.from_dict(outcome.result).objective == 1.0
    assert forked.peak_child_kib() >= 300 * 1024


# ---- the protocol, against a zygote played by the test ------------------------------------------
_POPEN = subprocess.Popen


class _Played:
    """Stands in for the zygote's process: the test holds the zygote's end of the socket, and a
    sleeping process of its own session is what giving the zygote up kills."""

    def __init__(self, command: list[str], pass_fds: tuple[int, ...], **kwargs: Any):
        self.end = socket.socket(fileno=os.dup(pass_fds[0]))
        self._sleeper = _POPEN(["sleep", "60"], start_new_session=True)
        self.pid = self._sleeper.pid

    def wait(self, timeout: float | None = None) -> int:
        self._sleeper.kill()
        return self._sleeper.wait()

    def kill(self) -> None:
        self._sleeper.kill()


@pytest.fixture
def played(monkeypatch):
    """A `Zygote` whose process is the test: (the zygote, its end of the socket)."""
    made: list[_Played] = []
    monkeypatch.setattr(forked.subprocess, "Popen", lambda *a, **k: made.append(_Played(*a, **k)) or made[-1])
    zygote = forked.Zygote(None)
    yield zygote, made[0].end
    made[0].end.close()
    zygote.close()


def _spawned(zygote: forked.Zygote, end: socket.socket, pid: int) -> forked.ForkedChild:
    """Ask the played zygote for a child and answer with `pid`."""
    read, write = os.pipe()
    box: list[Any] = []
    asking = threading.Thread(target=lambda: box.append(zygote.spawn("task.json", write, "out.log", {})))
    asking.start()
    data, fds, _, _ = socket.recv_fds(end, forked.PACKET, 1)
    for fd in (*fds, read, write):
        os.close(fd)
    assert json.loads(data)["task"] == "task.json"
    end.send(json.dumps({"pid": pid}).encode())
    asking.join(5)
    assert isinstance(box[0], forked.ForkedChild) and box[0].pid == pid
    return box[0]


def test_an_unread_end_of_an_earlier_child_is_not_taken_for_a_new_child_of_the_same_pid(played):
    zygote, end = played
    end.send(json.dumps({"exit": 99999, "returncode": 3, "maxrss_kib": 10}).encode())  # nobody reads it
    assert until(lambda: zygote.peak_child_kib == 10, 5)
    child = _spawned(zygote, end, 99999)  # the pid again, for a new child
    assert not child.ended()
    end.send(json.dumps({"exit": 99999, "returncode": 7, "maxrss_kib": 20}).encode())
    assert child.reap() == 7 and zygote.peak_child_kib == 20


def test_a_zygote_that_says_something_outside_the_protocol_is_given_up(played):
    zygote, end = played
    end.send(b"not json")
    assert until(lambda: not zygote.alive, 5)
    assert zygote.spawn("task.json", 0, "out.log", {}) is None
