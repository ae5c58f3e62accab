"""`RayExecutor`: tasks on a Ray cluster, with the same `Handle` as `LocalExecutor`.

Each task gets a Ray actor that reserves the task's cores (`Task.cpus`: HiGHS and CP-SAT keep
their own thread pools, so a node never runs more solver threads than it has cores) and runs
the task as `LocalExecutor` does, in a child process of its own on that node: one solver run
per process, the memory limit, TERM-then-KILL. The actor relays the child's messages. The task
is plain data; the files its spec names (`Task.files`: a problem's path) travel with it as
bytes and are written on the node, so a solver object is never pickled. Cancelling stops the
child and ends the actor; the node and its Ray worker pool live on. When a node is lost, the
task starts again on another one (at most `retries` times; then its outcome says `lost`); its
final message is reported once. A task needing more cores than the largest node has ends at
once with an error instead of waiting for ever.

Ray is imported here only, and only when a `RayExecutor` is made.
"""

from __future__ import annotations

import functools
import logging
import os
import shutil
import socket
import tempfile
import threading
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from omnisolve.errors import InputError
from omnisolve.processes.broadcast import KEY, write_atomic
from omnisolve.processes.executor import Executor, LocalExecutor, Outcome, Task
from omnisolve.processes.groups import TERM_GRACE

RETRIES = 2  # re-runs of a task whose node was lost
MIRROR = 0.2  # seconds between a task's actor's looks at its broadcast's actor


def connect(address: str | None = None) -> None:
    """Join the cluster at `address` ("host:port"); None: `RAY_ADDRESS`, else Ray's own
    discovery (a cluster started on this machine with `ray start`, else a new local one).
    A cluster that cannot be reached is one line of error."""
    import ray

    if ray.is_initialized():
        return
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    where = address or os.environ.get("RAY_ADDRESS") or "auto"
    probe(where)
    try:
        ray.init(address=address, logging_level=logging.ERROR, log_to_driver=False, configure_logging=False)
    except (ConnectionError, RuntimeError, ValueError) as exc:
        raise InputError(f"cannot reach the Ray cluster at {where}: {' '.join(str(exc).split())[:200]}") from None


def executor_for(address: str | None, retries: int = RETRIES) -> Executor:
    """The executor a command's `--ray` option names: None -> the cluster of `RAY_ADDRESS`
    when it is set, else this machine (`LocalExecutor`); "auto" -> Ray's own discovery;
    "host:port" -> that cluster."""
    address = address or os.environ.get("RAY_ADDRESS")
    if not address:
        return LocalExecutor()
    return RayExecutor(None if address == "auto" else address, retries)


def probe(where: str, timeout: float = 5.0) -> None:
    """A "host:port" address must accept a connection within `timeout` seconds (Ray itself
    would retry for minutes): else one line of error at once."""
    host, _, port = where.rpartition(":")
    if not host or not port.isdigit() or "://" in where:
        return  # "auto", "ray://...": Ray's own discovery and client say what is wrong
    try:
        socket.create_connection((host, int(port)), timeout=timeout).close()
    except OSError as exc:
        raise InputError(f"cannot reach the Ray cluster at {where}: {exc.strerror or exc}") from None


class RayExecutor:
    """Runs each task in a child process of a Ray actor on any node of the cluster."""

    def __init__(self, address: str | None = None, retries: int = RETRIES):
        connect(address)
        self.retries = retries

    def submit(self, task: Task) -> RayHandle:
        return RayHandle(task, self.retries)

    def cores(self) -> int:
        """The cluster's CPUs (its nodes' total), for how many tasks fit at once."""
        import ray

        return max(1, int(ray.cluster_resources().get("CPU", 1)))

    def broadcast(self) -> RayBroadcast:
        return RayBroadcast()


class _Latest:
    """The broadcast's actor: the latest value and its number (0: none yet)."""

    def __init__(self) -> None:
        self.version, self.data = 0, b""

    def publish(self, data: bytes) -> None:
        self.version, self.data = self.version + 1, data

    def since(self, version: int) -> tuple[int, bytes] | None:
        """The latest value when it is newer than `version`."""
        return (self.version, self.data) if self.version > version else None


class RayBroadcast:
    """A broadcast through one actor, on the parent's node (it outlives any worker node, and
    reserves no CPU, so it is placed even when the racers hold them all); each task's actor
    mirrors it into a file on its own node (`_Runner`)."""

    def __init__(self) -> None:
        import ray
        from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

        here = NodeAffinitySchedulingStrategy(ray.get_runtime_context().get_node_id(), soft=True)
        self.name = f"omnisolve-broadcast-{os.getpid()}-{time.time_ns()}"
        latest = ray.remote(max_restarts=0)(_Latest)  # type: ignore[call-overload]
        self._actor: Any = latest.options(name=self.name, num_cpus=0, scheduling_strategy=here).remote()
        ray.get(self._actor.since.remote(0))  # type: ignore[attr-defined]  # placed before any task looks for it

    def spec(self) -> dict[str, Any]:
        return {"actor": self.name}

    def publish(self, data: bytes) -> None:
        self._actor.publish.remote(data)  # one caller's calls run in order

    def close(self) -> None:
        import ray

        if ray.is_initialized():
            ray.kill(self._actor, no_restart=True)


class _Runner:
    """The actor's side: the task's files written on this node, the task run by `LocalExecutor`."""

    def __init__(self, task: dict[str, Any], files: dict[str, tuple[str, bytes]]):
        self._dir = tempfile.mkdtemp(prefix="omnisolve-ray-")
        spec = dict(task["spec"])
        for key, (name, data) in files.items():
            path = Path(self._dir) / key / name
            path.parent.mkdir(parents=True)
            path.write_bytes(data)
            spec[key] = str(path)
        self._ended = threading.Event()
        if "actor" in spec.get(KEY, {}):  # the task reads a broadcast: mirrored into a file here
            mirror = Path(self._dir) / KEY
            threading.Thread(target=self._mirror, args=(spec[KEY]["actor"], mirror), daemon=True).start()
            spec[KEY] = {"path": str(mirror)}
        self._handle = LocalExecutor().submit(Task.from_dict({**task, "spec": spec}))

    def _mirror(self, name: str, path: Path) -> None:
        """Copy the broadcast's actor's latest value into `path` until the task ends."""
        import ray

        version = 0
        try:
            latest = ray.get_actor(name)
            while not self._ended.wait(MIRROR):
                found: Any = ray.get(latest.since.remote(version))
                if found is not None:
                    version = found[0]
                    write_atomic(path, version, found[1])
        except Exception:  # the broadcast ended (its race is over) or its actor is gone: stop mirroring
            return

    def node(self) -> str:
        import ray

        return str(ray.get_runtime_context().get_node_id())

    def messages(self, timeout: float) -> list[dict[str, Any]]:
        return self._handle.messages(timeout)

    def poll(self) -> dict[str, Any] | None:
        outcome = self._handle.poll()
        return None if outcome is None else self._told(outcome)

    def cancel(self, grace: float) -> dict[str, Any]:
        self._handle.cancel(grace)
        return self.wait(0)

    def wait(self, timeout: float | None) -> dict[str, Any]:
        return self._told(self._handle.wait(timeout))

    def _told(self, outcome: Outcome) -> dict[str, Any]:
        """The outcome as a dict; the task's files are removed once its process has ended (the
        parent kills this actor then, which runs no clean-up of its own)."""
        if outcome.returncode is not None:
            self._ended.set()
            shutil.rmtree(self._dir, ignore_errors=True)
        return asdict(outcome)


@functools.cache
def _runner_actor() -> Any:
    """`_Runner` as a Ray actor class, made once per process; its methods run in threads, so
    `messages` answers while `wait` blocks (ray.remote's stubs know only tasks' options)."""
    import ray

    return ray.remote(max_concurrency=4, max_restarts=0)(_Runner)  # type: ignore[call-overload]


def _shipped(task: Task) -> tuple[dict[str, Any], dict[str, tuple[str, bytes]]]:
    """The task as a dict and the files its spec names (`Task.files`), as (file name, bytes)
    by spec key."""
    files = {key: (Path(task.spec[key]).name, Path(task.spec[key]).read_bytes()) for key in task.files}
    return task.to_dict(), files


def _largest_node() -> int:
    """The CPUs of the cluster's largest live node."""
    import ray

    return max((int(n["Resources"].get("CPU", 0)) for n in ray.nodes() if n["Alive"]), default=0)


class RayHandle:
    """A task on the cluster, as its parent sees it (`Handle`). Until its actor is placed (a
    node has its cores free) it answers as a task that has not begun: no messages, `poll()`
    None; so a caller polling many tasks is never held up by one that waits for cores."""

    def __init__(self, task: Task, retries: int = RETRIES):
        self._task, self._files = _shipped(task)
        self._cpus = max(1, task.cpus)
        self._retries = retries
        self._outcome: Outcome | None = None
        self._final_seen = False
        self._left: list[dict[str, Any]] = []  # messages taken from the actor as the task ended
        self._actor: Any = None
        self._placing: Any = None  # the actor's first call, answered once it runs on its node
        self.runs = 0  # actors started for this task: 1, or more after lost nodes
        largest = _largest_node()
        if self._cpus > largest:
            self._outcome = Outcome(error=f"needs {self._cpus} cores on one node; the cluster's largest has {largest}")
        else:
            self._start()

    def _start(self) -> None:
        self.runs += 1
        self._actor = _runner_actor().options(num_cpus=self._cpus).remote(self._task, self._files)
        self._placing = self._actor.node.remote()

    def placed(self, timeout: float | None = 0.0) -> bool:
        if self._placing is not None and self._connected():
            import ray

            if ray.wait([self._placing], timeout=timeout)[0]:
                self._placing = None  # up (or failed: the next call says so)
        return self._placing is None

    def _connected(self) -> bool:
        """Whether this process is still connected to the cluster (else the task is lost to
        it): any call of Ray's without a connection would start a new local cluster."""
        import ray

        if ray.is_initialized():
            return True
        if self._outcome is None:
            self._outcome = Outcome(error="the connection to the Ray cluster was shut down", lost=True)
        return False

    def _call(self, method: str, *args: Any) -> Any:
        """`actor.method(*args)` of the placed actor; None when its node was lost: then the task
        starts again elsewhere while retries are left and its final message has not been seen,
        else its outcome says it was lost."""
        import ray
        from ray.exceptions import RayActorError

        if not self._connected():
            return None
        try:
            return ray.get(getattr(self._actor, method).remote(*args))
        except RayActorError as exc:
            if self._final_seen or self.runs > self._retries:
                self._outcome = Outcome(error=f"lost its Ray node {self.runs} time(s): {_first_line(exc)}", lost=True)
            else:
                self._start()
            return None

    def messages(self, timeout: float = 0.0) -> list[dict[str, Any]]:
        if self._outcome is not None:  # what the actor still held when the task ended, once
            left, self._left = self._left, []
            return left
        if not self.placed(timeout):
            return []
        return self._once(self._call("messages", timeout) or [])

    def _once(self, out: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """`out` with its final message only when none was reported before (a re-run after a
        lost node may send one again)."""
        if any(m.get("kind") in ("result", "error") for m in out):
            if self._final_seen:
                out = [m for m in out if m.get("kind") not in ("result", "error")]
            self._final_seen = True
        return out

    def poll(self) -> Outcome | None:
        if self._outcome is not None or not self.placed():
            return self._outcome
        found = self._call("poll")
        if found is not None and found.get("returncode") is not None:
            self._end(found)
        return self._outcome if self._outcome is not None else (Outcome(**found) if found else None)

    def cancel(self, grace: float = TERM_GRACE) -> None:
        if self._outcome is None:
            self._end((self._call("cancel", grace) if self.placed() else None) or asdict(Outcome(cancelled=True)))

    def wait(self, timeout: float | None = None) -> Outcome:
        end = None if timeout is None else time.monotonic() + timeout
        while self._outcome is None:
            left = None if end is None else max(0.0, end - time.monotonic())
            if not self.placed(left):
                self.cancel()
            else:
                found = self._call("wait", left)  # None: its node was lost; it runs again, or is lost
                if found is not None:
                    self._end(found)
        assert self._outcome is not None
        return self._outcome

    def node(self) -> str:
        """The Ray node id running the task."""
        return str(self._call("node"))

    def _end(self, outcome: dict[str, Any]) -> None:
        """Record the outcome, take the messages the actor still holds (a caller reads them
        after cancelling, as from a local task), and end the actor."""
        import ray
        from ray.exceptions import RayError

        if self._outcome is None:
            self._outcome = Outcome(**outcome)
            if self._connected():
                try:
                    self._left = self._once(ray.get(self._actor.messages.remote(0.0)))
                except RayError:  # its node is gone, and its messages with it
                    pass
        if self._connected():
            ray.kill(self._actor, no_restart=True)

    def __enter__(self) -> RayHandle:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.cancel()


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
