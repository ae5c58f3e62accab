"""A real Ray cluster on this machine, all of it on 127.0.0.1, for tests/test_ray.py and
benchmarks/bench_ray_throughput.py: a head node and worker nodes, each started by `ray start` in
a process group of its own, so that one node can be killed (a lost machine) and the whole
cluster stopped by those group ids alone (`ray stop` would stop every Ray process on the
machine, other people's clusters too).

Ray turns "127.0.0.1" into the machine's network address unless its cluster mode is off
(`RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER=0`, set for every process here, drivers included); with it
off, `ray start --address` refuses to start a worker node, so a worker node is started through
Ray's own `ray start` code with that refusal and the address lookup set to loopback. The
cluster's token (Ray's token authentication) is its own, in the environment, never the shared
~/.ray/auth_token.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from database_fixtures import free_port

RAY = Path(sys.executable).with_name("ray")
ENV = {
    "RAY_USAGE_STATS_ENABLED": "0",
    "RAY_AUTH_MODE": "token",
    "RAY_AUTH_TOKEN": secrets.token_hex(32),
    "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0",  # every address stays 127.0.0.1
    "RAY_health_check_period_ms": "1000",  # a killed node is known dead within seconds
    "RAY_health_check_timeout_ms": "1000",
    "RAY_health_check_failure_threshold": "3",
}
OBJECT_STORE = str(100 * 2**20)  # bytes per node: tasks carry small files, never big objects
WORKER_NODE = """
import sys
import ray._private.ray_constants as constants
import ray._private.services as services
constants.ENABLE_RAY_CLUSTER = True  # past `ray start`'s refusal of a worker node in this mode
services.get_node_ip_address = lambda address=None: "127.0.0.1"
from ray.scripts.scripts import main
sys.argv = ["ray", "start", *sys.argv[1:]]
main()
"""


class LocalCluster:
    """`ray start --head` with `head_cpus` CPUs; `add_node` starts worker nodes; `stop` (or the
    `with` block's end) ends every process of every node. Sets `ENV` in this process until
    then, so that a driver here (`ray.init`) connects over 127.0.0.1 too."""

    def __init__(self, head_cpus: int = 2):
        self._saved = {key: os.environ.get(key) for key in ENV}
        os.environ.update(ENV)
        self.temp = tempfile.mkdtemp(prefix="ray-", dir="/tmp")  # short: Ray's socket paths have a length limit
        self.address = f"127.0.0.1:{free_port()}"
        self.groups: list[int] = []  # the process group of each node, the head's first
        head = ["--head", f"--port={self.address.rpartition(':')[2]}", "--include-dashboard=false"]
        self._start([str(RAY), "start", *head], head_cpus)

    def add_node(self, cpus: int = 1) -> int:
        """A worker node with `cpus` CPUs; its process group id, for `kill_node`."""
        return self._start([sys.executable, "-c", WORKER_NODE, f"--address={self.address}"], cpus)

    def _start(self, command: list[str], cpus: int) -> int:
        command += ["--node-ip-address=127.0.0.1", f"--num-cpus={cpus}", f"--object-store-memory={OBJECT_STORE}"]
        command += ["--disable-usage-stats", f"--temp-dir={self.temp}"]
        # a free port where Ray would take the fixed 52365, so that two clusters on one machine
        # (two test runs side by side) never meet
        command += [f"--dashboard-agent-listen-port={free_port()}"]
        started = subprocess.Popen(
            command,
            env={**os.environ, **ENV, "TMPDIR": self.temp},  # what its tasks leave on a killed node goes at `stop`
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,  # the node's processes stay in this group: `kill_node` ends them all
        )
        self.groups.append(started.pid)
        output, _ = started.communicate(timeout=120)
        if started.returncode != 0:
            self.stop()
            raise RuntimeError(f"ray start failed:\n{output[-3000:]}")
        return started.pid

    def raylet(self, group: int) -> int:
        """The pid of the node's raylet, the parent of the Ray workers (actors) on that node."""
        return next(pid for pid in _members(group) if "raylet/raylet" in command_line(pid))

    def kill_node(self, group: int) -> None:
        """The node is lost at once, as a machine that dies: SIGKILL to its processes."""
        _kill(group, signal.SIGKILL)
        self.groups.remove(group)

    def stop(self) -> None:
        """Disconnect a driver in this process, then end every node (SIGTERM, then SIGKILL)."""
        import ray

        ray.shutdown()
        for group in self.groups:
            _kill(group, signal.SIGTERM)
        end = time.monotonic() + 5
        while any(_alive(group) for group in self.groups) and time.monotonic() < end:
            time.sleep(0.2)
        for group in self.groups:
            _kill(group, signal.SIGKILL)
        self.groups = []
        shutil.rmtree(self.temp, ignore_errors=True)
        for key, value in self._saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value

    def __enter__(self) -> LocalCluster:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def _kill(group: int, sig: signal.Signals) -> None:
    """`sig` to the node's process group and to the Ray workers its raylet started (each in a
    group of its own)."""
    members = _members(group)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(group, sig)
    for pid in (child for pid in members for child in _children(pid)):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, sig)


def _stats() -> dict[int, list[str]]:
    """Each process's /proc/PID/stat fields after its name: state, ppid, pgrp, ..."""
    out = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, IndexError):
            out[int(stat.parent.name)] = stat.read_text().rsplit(")", 1)[1].split()
    return out


def _members(group: int) -> list[int]:
    return [pid for pid, fields in _stats().items() if int(fields[2]) == group]


def _children(pid: int) -> list[int]:
    return [child for child, fields in _stats().items() if int(fields[1]) == pid]


def _alive(group: int) -> bool:
    """Whether the group has a process that is not a zombie."""
    return any(fields[0] != "Z" for pid, fields in _stats().items() if int(fields[2]) == group)


def command_line(pid: int) -> str:
    """The process's command line ("ray::_Runner" for a Ray worker running that actor)."""
    try:
        return Path(f"/proc/{pid}/cmdline").read_text().replace("\0", " ")
    except OSError:
        return ""
