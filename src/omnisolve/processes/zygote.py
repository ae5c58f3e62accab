"""The zygote: a process that has imported omnisolve and its solvers' libraries once and forks a
task's child from itself, so that a child starts in milliseconds instead of importing them anew
(0.5-1 s of a race's start on these machines). Run as `python -m omnisolve.processes.zygote FD`
by `forked.Zygote` (the parent's side), with FD its end of a SOCK_SEQPACKET socket pair.

The protocol, one JSON object per packet:
- parent -> zygote: {"task", "output", "cwd", "env"} with the task's message pipe as an attached
  descriptor; the zygote forks and answers {"pid": PID} (or {"error": text}).
- zygote -> parent: {"exit": PID, "returncode": N, "maxrss_kib": K} when a child has ended. The
  zygote kills what is left of the child's process group before it reaps the child (whose zombie
  keeps the group's number from reuse until then), so the parent never signals a reaped group.

The zygote is single-threaded where it forks (no Python thread of its own; imports happen only
between requests), ends when its parent's end of the socket closes, and kills its children's
groups as it goes. Imports: the few every task needs before its first answer, then the heavy
solver libraries one at a time while no request waits and no child runs (on two cores they would
take a core from the children); a child forked before a library is loaded imports it itself.
"""

from __future__ import annotations

import importlib
import json
import os
import select
import signal
import socket
import sys
import traceback
from typing import Any

from omnisolve.processes.forked import PACKET, stop
from omnisolve.processes.groups import kill_group

#: imported before the first answer: what every task's child needs
BASE = ("omnisolve.processes.child", "omnisolve.portfolio.racer", "omnisolve.solvers.registry", "omnisolve.api")
#: imported afterwards, one at a time between requests: the solvers' libraries
LIBRARIES = (
    "highspy",
    "pyscipopt",
    "ortools.sat.python.cp_model",
    "pyvrp",
    "hygese",
    "elkai",
    "numba",
    "omnisolve.algorithms.tsp_kernels",
)


def main(fd: int) -> int:
    sock = socket.socket(fileno=fd)
    wake_read, wake_write = os.pipe()
    os.set_blocking(wake_write, False)
    signal.signal(signal.SIGCHLD, lambda *_: None)  # the wake-up pipe gets a byte per SIGCHLD
    signal.set_wakeup_fd(wake_write)
    for name in BASE:
        _import(name)
    pending = list(LIBRARIES)
    children: set[int] = set()
    try:
        while True:
            idle = pending and not children  # imports never compete with running children
            readable, _, _ = select.select([sock.fileno(), wake_read], [], [], 0.0 if idle else None)
            if wake_read in readable:
                os.read(wake_read, 4096)
            _reap(sock, children)
            if sock.fileno() in readable:
                if not _serve(sock, children, (wake_read, wake_write)):
                    return 0
            elif idle:
                _import(pending.pop(0))
    finally:
        for pid in children:
            kill_group(pid, wait=0)


def _serve(sock: socket.socket, children: set[int], private: tuple[int, int]) -> bool:
    """Answer one request: fork its child. False when the parent has gone (end of the socket)."""
    try:
        data, fds, _, _ = socket.recv_fds(sock, PACKET, 1)
    except ConnectionResetError:
        return False
    if not data:
        return False
    try:
        request = json.loads(data)
        pipe = fds[0]
    except (ValueError, IndexError) as exc:
        sock.send(json.dumps({"error": f"bad request: {exc}"}).encode())
        return True
    pid = os.fork()
    if pid == 0:
        _child(request, pipe, sock, private)
    os.close(pipe)
    children.add(pid)
    sock.send(json.dumps({"pid": pid}).encode())
    return True


def _child(request: dict[str, Any], pipe: int, sock: socket.socket, private: tuple[int, int]) -> None:
    """The forked child: the zygote's state dropped, the task's session, directory, environment
    and output, then the task, as `python -m omnisolve.processes` would run it. Never returns."""
    code = 1
    try:
        parent = os.getppid()
        signal.set_wakeup_fd(-1)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        sock.close()
        for fd in private:
            os.close(fd)
        os.setsid()
        output = os.open(request["output"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.dup2(output, 1)
        os.dup2(output, 2)
        os.close(output)
        os.close(null)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        sys.argv = ["-m", "omnisolve.processes", request["task"], str(pipe), str(parent)]
        from omnisolve.processes.__main__ import main as task_main

        code = task_main(sys.argv[2:])
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    except BaseException:  # the child must end here, never return into the zygote's loop
        traceback.print_exc()
    finally:
        _stop_own_zygote()
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:  # a closed or broken stream: nothing more to say
                pass
        os._exit(code)


def _stop_own_zygote() -> None:
    try:
        stop()
    except Exception:  # the child ends either way
        traceback.print_exc()


def _reap(sock: socket.socket, children: set[int]) -> None:
    """Report every child that has ended, after killing what is left of its group."""
    while children:
        try:
            info = os.waitid(os.P_ALL, 0, os.WEXITED | os.WNOHANG | os.WNOWAIT)
        except ChildProcessError:
            return
        if info is None:
            return
        pid = info.si_pid
        kill_group(pid, wait=0)
        _, status, usage = os.wait4(pid, 0)
        children.discard(pid)
        report = {"exit": pid, "returncode": os.waitstatus_to_exitcode(status), "maxrss_kib": usage.ru_maxrss}
        try:
            sock.send(json.dumps(report).encode())
        except OSError:  # the parent has gone; the loop ends on its next read
            pass


def _import(name: str) -> None:
    """Import a module ahead of the children; one that fails is left to the child that needs it."""
    try:
        importlib.import_module(name)
    except Exception:  # an optional library missing or broken here: the child will say
        pass


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1])))
