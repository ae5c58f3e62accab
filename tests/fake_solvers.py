"""Misbehaving test-only backends for the benchmark harness (tests/test_bench.py): each breaks
the contract in one way the harness must survive. Loaded in worker processes by name."""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
import time
from typing import Any

from omnisolve.result import Result
from omnisolve.solvers.base import Limits, SolverInterface, Tracker


class _Fake(SolverInterface):
    description = "test fake"

    def unsupported_reason(self, problem: Any) -> str | None:
        return None


class CrashSolver(_Fake):
    """Segfaults the process."""

    name = "crash"

    def _solve(self, problem: Any, limits: Limits, tracker: Tracker) -> Result:
        ctypes.string_at(0)
        raise AssertionError("unreachable")


class ExitSolver(_Fake):
    """Calls sys.exit in the middle of the solve."""

    name = "exit"

    def _solve(self, problem: Any, limits: Limits, tracker: Tracker) -> Result:
        sys.exit(3)


class OutOfMemorySolver(_Fake):
    """Raises MemoryError."""

    name = "oom"

    def _solve(self, problem: Any, limits: Limits, tracker: Tracker) -> Result:
        raise MemoryError("fake allocation of 1 TiB failed")


class HangSolver(_Fake):
    """Ignores SIGTERM and the limit, starts a child that sleeps too, and never returns; writes
    its own and the child's pid to $OMNISOLVE_TEST_PIDFILE."""

    name = "hang"

    def _solve(self, problem: Any, limits: Limits, tracker: Tracker) -> Result:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        child = subprocess.Popen(["sleep", "600"])
        with open(os.environ["OMNISOLVE_TEST_PIDFILE"], "w") as fh:
            fh.write(f"{os.getpid()} {child.pid}")
        while True:
            time.sleep(1)


class RefuseSolver(_Fake):
    """Refuses every problem."""

    name = "refuse"

    def unsupported_reason(self, problem: Any) -> str | None:
        return "refuses everything"

    def _solve(self, problem: Any, limits: Limits, tracker: Tracker) -> Result:
        raise AssertionError("never called on a refused problem")
