"""The child-process module: the message schema's round trip, and real child processes that
answer, crash, exit, raise, run out of memory, hang through SIGTERM, are killed, write garbage
or lose their parent, each with the right outcome and no process of their group left; every
test with the children forked by the zygote and started afresh.

The tasks' entries are the functions below (`test_processes:NAME`), run in the child."""

from __future__ import annotations

import ctypes
import io
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from conftest import OVERRUN, grace
from fake_solvers import alive
from omnisolve.errors import InputError
from omnisolve.processes import TERM_GRACE, Channel, Kind, LocalExecutor, Task, decode, encode
from omnisolve.result import Certificate, Result, Status, Verdict

TESTS = str(Path(__file__).resolve().parent)
START = 30.0  # s a child may take to start Python and import omnisolve on a busy machine


# ---- the tasks' entries, run in the child -----------------------------------------------------
def answer(spec: dict[str, Any], channel: Channel) -> None:
    channel.started(load_time=0.5)
    channel.incumbent(0.1, 12.0, 3.0)
    channel.incumbent(0.2, 10.0, 4.0, values=[1.0, 0.0])
    channel.log("half way")
    channel.result(Result(Status.OPTIMAL, objective=spec["objective"], solver="fake"))


def crash(spec: dict[str, Any], channel: Channel) -> None:
    channel.started()
    ctypes.string_at(0)


def leave(spec: dict[str, Any], channel: Channel) -> None:
    print("leaving now", flush=True)
    sys.exit(3)


def fail(spec: dict[str, Any], channel: Channel) -> None:
    if spec["kind"] == "input":
        raise InputError("no such column", path="x.mps", line=4)
    if spec["kind"] == "memory":
        raise MemoryError
    raise ValueError("boom")


def hang(spec: dict[str, Any], channel: Channel) -> None:
    """Ignores SIGTERM and starts a child in its group that ignores it too; writes both pids."""
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    child = subprocess.Popen(["sleep", "600"])
    Path(spec["pidfile"]).write_text(f"{os.getpid()} {child.pid}")
    channel.started()
    while True:
        time.sleep(1)


def sleep(spec: dict[str, Any], channel: Channel) -> None:
    """Sleeps (SIGTERM ends it at once); writes its pid."""
    Path(spec["pidfile"]).write_text(str(os.getpid()))
    channel.started()
    time.sleep(600)


def strays(spec: dict[str, Any], channel: Channel) -> None:
    """Answers, leaving a child of its group behind; writes the child's pid."""
    child = subprocess.Popen(["sleep", "600"])
    Path(spec["pidfile"]).write_text(str(child.pid))
    channel.result(Result(Status.FEASIBLE, objective=1.0))


def garbage(spec: dict[str, Any], channel: Channel) -> None:
    stream = channel._stream
    stream.write('not json\n{"kind": "incumbent"}\n[1, 2]\n')
    stream.flush()
    channel.incumbent(0.0, 5.0)


# ---- helpers ----------------------------------------------------------------------------------
@pytest.fixture(autouse=True, params=["zygote", "exec"])
def start(request, monkeypatch):
    """Every test twice: its children forked by the zygote, and started afresh (as a task with a
    memory limit is, and every task once the zygote is lost), here and in a parent it starts."""
    from omnisolve.processes import executor

    monkeypatch.setattr(executor, "use_zygote", request.param == "zygote")
    monkeypatch.setenv("OMNISOLVE_ZYGOTE", "1" if request.param == "zygote" else "0")


def submit(entry: str, **spec: Any) -> Any:
    return LocalExecutor().submit(Task(f"test_processes:{entry}", spec, sys_path=(TESTS,)))


def group(pgid: int) -> list[int]:
    """The live processes (zombies excluded) whose process group is `pgid`, from /proc."""
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            members.append(int(stat.parent.name))
    return members


def gone(pgid: int, pids: Sequence[int] = ()) -> bool:
    """Whether the group `pgid` and `pids` are gone within a moment (a SIGKILL is not instant)."""
    deadline = time.monotonic() + grace(OVERRUN)
    while group(pgid) or any(alive(pid) for pid in pids):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def wait_for_file(path: Path) -> list[int]:
    deadline = time.monotonic() + START
    while not (path.exists() and path.read_text().strip()):
        assert time.monotonic() < deadline, "the child never started"
        time.sleep(0.05)
    return [int(p) for p in path.read_text().split()]


# ---- the schema -------------------------------------------------------------------------------
def test_every_kind_round_trips_through_a_channel_and_decode():
    stream = io.StringIO()
    channel = Channel(stream)
    result = Result(
        Status.FEASIBLE,
        objective=np.float64(7.5),
        bound=float("inf"),
        values=np.array([1.0, 2.0]),
        trace=[(0.1, 7.5, None)],
        certificate=Certificate(Verdict.PASS, objective=7.5),
    )
    channel.started(load_time=np.float32(0.25), sense="min")
    channel.incumbent(0.5, np.int64(9), None, values=np.array([1, 0]))
    channel.incumbent(0.6, 8.0, float("nan"))
    channel.log("a line")
    channel.result(result)
    channel.error("no such file", 2)
    lines = stream.getvalue().splitlines()
    assert all(line == json.dumps(json.loads(line)) for line in lines)  # one plain JSON object a line
    messages = [decode(line) for line in lines]
    assert messages[:4] == [
        {"kind": "started", "load_time": 0.25, "sense": "min"},
        {"kind": "incumbent", "t": 0.5, "objective": 9, "bound": None, "values": [1, 0]},
        {"kind": "incumbent", "t": 0.6, "objective": 8.0, "bound": None},  # nan is null, not NaN
        {"kind": "log", "text": "a line"},
    ]
    assert messages[4]["kind"] == "result" and Result.from_dict(messages[4]["result"]).to_dict() == result.to_dict()
    assert messages[5] == {"kind": "error", "message": "no such file", "code": 2}
    assert encode(Kind.LOG, text="x") == '{"kind": "log", "text": "x"}'


@pytest.mark.parametrize(
    "line",
    [
        "",
        "not json",
        "[1, 2]",
        '"result"',
        '{"kind": "gossip"}',
        '{"objective": 1}',
        '{"kind": "result"}',
        '{"kind": "incumbent", "objective": 1}',
        '{"kind": "error"}',
        '{"kind": "log"}',
    ],
)
def test_a_line_outside_the_schema_is_no_message(line):
    assert decode(line) is None


# ---- real children ----------------------------------------------------------------------------
def test_a_child_that_answers_sends_every_message_and_its_result():
    with submit("answer", objective=10.0) as handle:
        outcome = handle.wait(START)
        messages = handle.messages()
    assert [m["kind"] for m in messages] == ["started", "incumbent", "incumbent", "log", "result"]
    assert messages[0]["load_time"] == 0.5 and messages[2]["values"] == [1.0, 0.0]
    assert outcome.result is not None and Result.from_dict(outcome.result).objective == 10.0
    assert outcome.error is None and outcome.returncode == 0 and not outcome.cancelled
    assert gone(handle.pid)


def test_poll_gives_the_outcome_once_the_result_is_in_and_messages_wait_for_the_next():
    with submit("answer", objective=3.0) as handle:
        assert handle.poll() is None  # still starting
        seen: list[dict] = []
        deadline = time.monotonic() + START
        while handle.poll() is None:
            assert time.monotonic() < deadline
            seen += handle.messages(0.1)
        outcome = handle.wait()
        seen += handle.messages()
    assert outcome.result["objective"] == 3.0 and [m["kind"] for m in seen][-1] == "result"


def test_a_crash_is_named_by_its_signal_after_the_messages_before_it():
    with submit("crash") as handle:
        outcome = handle.wait(START)
        assert [m["kind"] for m in handle.messages()] == ["started"]
    assert outcome.result is None and outcome.error is None
    assert outcome.ended().startswith("killed by SIGSEGV")


def test_an_exit_is_named_by_its_code_and_the_last_line_printed():
    with submit("leave") as handle:
        outcome = handle.wait(START)
    assert outcome.returncode == 3 and outcome.ended() == "exited with code 3: leaving now"
    assert outcome.ended(width=5) == "exited with code 3: leavi"


@pytest.mark.parametrize(
    "kind, message, code",
    [
        ("value", "ValueError: boom", 1),
        ("input", "x.mps:4: no such column", InputError.exit_code),
        ("memory", "out of memory", 1),
    ],
)
def test_an_exception_becomes_an_error_message_with_its_exit_code(kind, message, code):
    with submit("fail", kind=kind) as handle:
        outcome = handle.wait(START)
    assert (outcome.error, outcome.code, outcome.result) == (message, code, None)
    assert outcome.returncode == 1
    if kind != "memory":  # the traceback is in the output, as an uncaught exception's would be
        assert outcome.last_output == f"{'ValueError' if kind == 'value' else 'omnisolve.errors.InputError'}: " + (
            "boom" if kind == "value" else "x.mps:4: no such column"
        )


def test_a_memory_limit_is_named_when_the_child_runs_out():
    task = Task("test_processes:fail", {"kind": "memory"}, sys_path=(TESTS,), memory_mb=4096)
    with LocalExecutor().submit(task) as handle:
        assert handle.wait(START).error == "out of memory (limit 4096 MB)"


def test_cancel_terms_then_kills_a_child_that_ignores_sigterm_and_its_group(tmp_path):
    with submit("hang", pidfile=str(tmp_path / "pids")) as handle:
        pids = wait_for_file(tmp_path / "pids")
        assert sorted(group(handle.pid)) == sorted(pids)  # the child leads a group of its own
        asked = time.monotonic()
        handle.cancel()
        took = time.monotonic() - asked
        outcome = handle.wait()
    assert TERM_GRACE <= took < TERM_GRACE + grace(OVERRUN)
    assert outcome.cancelled and outcome.ended() == "killed by SIGKILL" and outcome.result is None
    assert gone(handle.pid, pids)


def test_cancel_of_a_child_that_obeys_sigterm_takes_no_grace(tmp_path):
    with submit("sleep", pidfile=str(tmp_path / "pid")) as handle:
        wait_for_file(tmp_path / "pid")
        asked = time.monotonic()
        handle.cancel()
        assert time.monotonic() - asked < TERM_GRACE
        assert handle.wait().ended() == "killed by SIGTERM"


def test_wait_with_a_timeout_cancels_a_child_that_overruns(tmp_path):
    with submit("hang", pidfile=str(tmp_path / "pids")) as handle:
        pids = wait_for_file(tmp_path / "pids")
        outcome = handle.wait(0.2)
    assert outcome.cancelled and outcome.returncode == -signal.SIGKILL
    assert gone(handle.pid, pids)


def test_a_child_killed_from_outside_is_named_so(tmp_path):
    with submit("sleep", pidfile=str(tmp_path / "pid")) as handle:
        (pid,) = wait_for_file(tmp_path / "pid")
        os.kill(pid, signal.SIGKILL)
        outcome = handle.wait(START)
    assert not outcome.cancelled and outcome.ended() == "killed by SIGKILL"


def test_what_a_child_leaves_in_its_group_dies_with_it(tmp_path):
    with submit("strays", pidfile=str(tmp_path / "pid")) as handle:
        outcome = handle.wait(START)
    assert outcome.result is not None and outcome.returncode == 0
    assert gone(handle.pid, [int((tmp_path / "pid").read_text())])


def test_kill_group_returns_once_no_member_of_the_group_runs():
    """SIGKILL is delivered asynchronously; kill_group waits until every member has stopped, so a
    caller that looks at once sees none running (zombies awaiting their reaper count as ended)."""
    from omnisolve.processes.groups import kill_group

    leader = subprocess.Popen(
        ["sh", "-c", "trap '' TERM; for i in 1 2 3 4 5 6 7 8; do sleep 600 & done; wait"],
        start_new_session=True,
    )
    deadline = time.monotonic() + START
    while len(_group(leader.pid)) < 9 and time.monotonic() < deadline:
        time.sleep(0.01)
    members = _group(leader.pid)
    assert len(members) == 9
    kill_group(leader.pid)
    assert not [pid for pid in members if alive(pid)]
    leader.wait(timeout=5)


def _group(pgid: int) -> list[int]:
    """The pids of group `pgid`'s members, from /proc."""
    pids = []
    for entry in filter(str.isdigit, os.listdir("/proc")):
        try:
            fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[2]) == pgid:
            pids.append(int(entry))
    return pids


def test_garbage_on_the_pipe_is_skipped_and_counted():
    with submit("garbage") as handle:
        outcome = handle.wait(START)
        assert handle.messages() == [{"kind": "incumbent", "t": 0.0, "objective": 5.0, "bound": None}]
    assert outcome.unreadable == 3 and outcome.result is None
    assert outcome.ended() == "exited with code 0 after 3 unreadable message lines"


def test_an_interrupt_inside_the_with_block_still_ends_the_child(tmp_path):
    with pytest.raises(KeyboardInterrupt):
        with submit("hang", pidfile=str(tmp_path / "pids")) as handle:
            pids = wait_for_file(tmp_path / "pids")
            raise KeyboardInterrupt
    assert gone(handle.pid, pids)


def test_a_child_ends_when_its_parent_is_killed(tmp_path):
    """A parent killed with SIGKILL cannot cancel: the child notices its parent is gone."""
    pidfile = tmp_path / "pid"
    script = (
        "import sys, time; sys.path.insert(0, sys.argv[1]); import test_processes as t;"
        "t.submit('sleep', pidfile=sys.argv[2]); time.sleep(600)"
    )
    parent = subprocess.Popen([sys.executable, "-c", script, TESTS, str(pidfile)])
    try:
        (pid,) = wait_for_file(pidfile)
    finally:
        parent.kill()
        parent.wait()
    deadline = time.monotonic() + grace(OVERRUN)
    while alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not alive(pid), "the child outlived its parent"


def test_a_listener_sees_every_publication_once_even_of_the_same_size_at_once():
    from omnisolve.processes import Listener
    from omnisolve.processes.broadcast import FileBroadcast

    with FileBroadcast() as broadcast:
        listener = Listener(broadcast.path)
        assert listener.latest() is None  # nothing published yet
        seen = []
        for value in (b"[1, 2]", b"[1, 3]", b"[1, 4]"):  # quicker than any file clock's tick
            broadcast.publish(value)
            seen.append(listener.latest())
            seen.append(listener.latest())
        assert seen == [b"[1, 2]", None, b"[1, 3]", None, b"[1, 4]", None]
