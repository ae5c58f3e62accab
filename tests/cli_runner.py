"""Run the `omnisolve` CLI on many files, fast and safely, and judge each outcome by the
README's promises.

`run(commands, ...)` starts one server process (`python tests/cli_runner.py`) that imports
omnisolve once and forks a child per command: exactly the CLI's `main()` with the arguments,
its stdout and stderr caught at the file-descriptor level, an address-space limit, its own
process group (killed with everything it started when it overruns). A fork costs
milliseconds, where a fresh interpreter costs a second: this is what makes a campaign of
10,000 files feasible (benchmarks/fuzz_cli.py) and a seeded sample cheap in `make test`.

`defects(outcome)` lists how an outcome breaks the README: an exit code outside its table, a
run past its limit, a Python exception or traceback shown to the user, an error that is not one
line naming the file, or a line too long to read.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import resource
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

#: the README's exit-code table
EXIT_CODES = {0, 1, 2, 3, 4, 5, 6, 7, 8, 130}
PYTHONIC = re.compile(r"Traceback|\b[A-Z]\w*(?:Error|Exception|Warning)\b|internal error|<class |File \"")


def run(commands: list[list[str]], *, timeout: float, jobs: int = 2, memory_mb: int = 4096) -> list[dict]:
    """Outcomes of `omnisolve ARGS` for every ARGS in `commands`, in order: exit code (None when
    killed), stdout, stderr, seconds, killed. A run is killed after `timeout` seconds."""
    server = subprocess.Popen(
        [sys.executable, __file__, str(jobs), str(timeout), str(memory_mb)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    results: dict[int, dict] = {}
    with server:
        for k, args in enumerate(commands):
            server.stdin.write(json.dumps({"id": k, "args": args}) + "\n")
        server.stdin.close()
        for line in server.stdout:
            outcome = json.loads(line)
            results[outcome.pop("id")] = outcome
    lost = {"exit": None, "stdout": "", "stderr": "", "seconds": 0.0, "killed": False, "lost": True}
    return [dict(results.get(k, lost), args=commands[k]) for k in range(len(commands))]


def defects(outcome: dict, allowed_seconds: float) -> list[str]:
    """How `outcome` (of `omnisolve solve FILE ...`) breaks the README, if it does."""
    found = []
    path = outcome["args"][1]
    if outcome.get("lost"):
        return ["the runner reported no outcome for this run"]
    if outcome["killed"] or outcome["seconds"] > allowed_seconds:
        found.append(f"ran {outcome['seconds']:.1f} s, more than the {allowed_seconds:.1f} s allowed")
    if outcome["exit"] is not None and outcome["exit"] not in EXIT_CODES:
        found.append(f"exit {outcome['exit']} is not in the README's table")
    stderr = outcome["stderr"].strip()
    if PYTHONIC.search(stderr):
        found.append(f"shows Python internals: {stderr[:300]!r}")
    if outcome["exit"] not in (0, None):
        lines = stderr.splitlines()
        if len(lines) != 1:
            found.append(f"error is {len(lines)} lines: {stderr[:300]!r}")
        elif len(stderr) > 400:
            found.append(f"error is {len(stderr)} characters long: {stderr[:300]!r}...")
        if outcome["exit"] == 2 and Path(path).name not in stderr:
            found.append(f"bad-input error does not name the file: {stderr[:300]!r}")
    return found


# ---- the server (this file run as a script) -------------------------------------------------------
def _child(args: list[str], out: int, err: int, memory_mb: int) -> None:
    """In the forked child: become the CLI with `args`, never return."""
    code = 70
    try:
        os.setsid()
        os.dup2(out, 1)
        os.dup2(err, 2)
        limit = memory_mb * 2**20
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        signal.signal(signal.SIGINT, signal.default_int_handler)
        sys.argv = ["omnisolve", *args]
        from omnisolve.cli import main

        main()
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:  # noqa: BLE001 - the CLI let something through: exit 70, judged a defect
        code = 70
    finally:
        for stream in (sys.stdout, sys.stderr):  # a failed flush must never skip the exit below,
            with contextlib.suppress(BaseException):  # or this child would go on as a second server
                stream.flush()
        os._exit(code)


def _serve(jobs: int, timeout: float, memory_mb: int) -> None:
    import importlib

    for module in ("omnisolve.cli", "omnisolve.io", "omnisolve.api", "highspy", "ortools.sat.python.cp_model", "pyvrp"):
        importlib.import_module(module)  # imported once, inherited by every fork

    pending = [json.loads(line) for line in sys.stdin]
    running: dict[int, tuple[dict, float, Path, Path]] = {}
    tmp = Path(tempfile.mkdtemp(prefix="omnisolve-cli-runner-"))
    while pending or running:
        while pending and len(running) < jobs:
            job = pending.pop(0)
            out_path, err_path = tmp / f"{job['id']}.out", tmp / f"{job['id']}.err"
            with out_path.open("wb") as out, err_path.open("wb") as err:
                pid = os.fork()
                if pid == 0:
                    _child(job["args"], out.fileno(), err.fileno(), memory_mb)
            running[pid] = (job, time.monotonic(), out_path, err_path)
        time.sleep(0.005)
        for pid, (job, began, out_path, err_path) in list(running.items()):
            done, status = os.waitpid(pid, os.WNOHANG)
            seconds = time.monotonic() - began
            killed = False
            if not done and seconds > timeout:
                _kill_group(pid)
                _, status = os.waitpid(pid, 0)
                killed = True
            elif not done:
                continue
            else:
                _kill_group(pid)  # whatever the CLI left behind
            del running[pid]
            code = os.waitstatus_to_exitcode(status)
            outcome = {
                "id": job["id"],
                "exit": None if killed else code,
                "seconds": seconds,
                "killed": killed,
                "stdout": out_path.read_text(errors="replace"),
                "stderr": err_path.read_text(errors="replace"),
            }
            out_path.unlink()
            err_path.unlink()
            print(json.dumps(outcome), flush=True)
    os.rmdir(tmp)


def _kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


if __name__ == "__main__":
    _serve(int(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3]))
