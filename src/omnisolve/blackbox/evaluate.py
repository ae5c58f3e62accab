"""The one wrapper that calls the user's function: it counts every call (and refuses one past
the budget), turns a raise, a NaN or a wrong shape into a failed evaluation with its message,
and runs a batch in worker processes when there are several workers: a process pool forked from
this one, or, given an omnisolve executor (`processes.LocalExecutor`, `cluster.RayExecutor`),
one task per point, `workers` at a time, with fun and constraints sent along by cloudpickle
(by value: a lambda or a function of the caller's script runs on another machine too)."""

from __future__ import annotations

import contextlib
import functools
import math
import pickle
import sys
import tempfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

import numpy as np

from omnisolve.errors import ModelError
from omnisolve.result import Result, Status

if TYPE_CHECKING:
    from omnisolve.processes import Channel, Executor
    from omnisolve.processes import Outcome as TaskOutcome

#: (f(x) or None when it failed, g(x) or None, the failure in words or "")
Outcome = tuple[float | None, np.ndarray | None, str]


def evaluate_one(
    fun: Callable[[np.ndarray], Any], constraints: Callable[[np.ndarray], Any] | None, x: np.ndarray
) -> Outcome:
    """fun(x) and constraints(x), each on its own copy of x; any failure caught and described.
    Module-level, so worker processes can run it."""
    try:
        value = np.asarray(fun(x.copy()), dtype=float)
        if value.size != 1:
            return None, None, f"fun returned {value.size} values, not one"
        f = float(value.item())
        if not math.isfinite(f):
            return None, None, f"fun returned {f}"
        if constraints is None:
            return f, None, ""
        g = np.atleast_1d(np.asarray(constraints(x.copy()), dtype=float)).ravel()
        if not np.isfinite(g).all():
            return None, None, "constraints returned a NaN or infinite value"
        return f, g, ""
    except Exception as exc:  # the user's function failing is a failed evaluation, not a crash
        return None, None, f"{type(exc).__name__}: {exc}"


def run_task(spec: dict[str, Any], channel: Channel) -> None:
    """The task of one evaluation on an executor: `spec["call"]`, a cloudpickled (fun,
    constraints), at `spec["x"]`; its outcome goes back as a result (f as the objective, g and
    the failure in words in `extra`)."""
    import cloudpickle

    channel.started()
    fun, constraints = cloudpickle.loads(Path(spec["call"]).read_bytes())
    f, g, error = evaluate_one(fun, constraints, np.asarray(spec["x"], dtype=float))
    extra = {"g": None if g is None else g.tolist(), "error": error}
    channel.result(Result(Status.ERROR if error else Status.FEASIBLE, objective=f, message=error, extra=extra))


class Evaluator:
    """Calls `fun` (and `constraints`) at most `budget` times in all; `workers` > 1 evaluates
    each batch in that many child processes (the functions must then be picklable), or, with an
    `executor`, one task per point on it, `workers` at a time."""

    def __init__(
        self,
        fun: Callable[[np.ndarray], Any],
        constraints: Callable[[np.ndarray], Any] | None,
        budget: int,
        workers: int = 1,
        executor: Executor | None = None,
    ):
        if not callable(fun):
            raise ModelError(f"fun must be callable, got {type(fun).__name__}")
        if constraints is not None and not callable(constraints):
            raise ModelError(f"constraints must be callable (g(x) <= 0), got {type(constraints).__name__}")
        self._call = functools.partial(evaluate_one, fun, constraints)
        self.budget, self.workers = budget, workers
        self.calls = 0
        self.failures = 0
        self.last_error = ""
        self._pool: ProcessPoolExecutor | None = None
        self.executor = executor
        self._dir: tempfile.TemporaryDirectory[str] | None = None
        if executor is not None:
            self._dir = tempfile.TemporaryDirectory(prefix="omnisolve-blackbox-")
            self._file = Path(self._dir.name) / "call.pkl"
            self._file.write_bytes(_by_value(fun, constraints))
        elif workers > 1:
            try:
                pickle.dumps(self._call)
            except Exception as exc:
                raise ModelError(
                    f"workers={workers} evaluates fun in child processes, so fun and constraints must be picklable "
                    f"(defined at a module's top level, not a lambda or a local function): {exc}"
                ) from None

    def __call__(self, points: list[np.ndarray]) -> list[Outcome]:
        if self.calls + len(points) > self.budget:  # BlackBox.ask never hands out more: a bug if it did
            raise RuntimeError(f"{self.calls + len(points)} calls would exceed the budget of {self.budget}")
        self.calls += len(points)
        if self.executor is not None:
            outcomes = [
                o for i in range(0, len(points), self.workers) for o in self._tasks(points[i : i + self.workers])
            ]
        elif self.workers > 1 and len(points) > 1:
            if self._pool is None:
                self._pool = ProcessPoolExecutor(self.workers)
            outcomes = list(self._pool.map(self._call, points))
        else:
            outcomes = [self._call(x) for x in points]
        for _, _, error in outcomes:
            if error:
                self.failures += 1
                self.last_error = error
        return outcomes

    def _tasks(self, points: list[np.ndarray]) -> list[Outcome]:
        """The points evaluated at once, a task each on the executor."""
        from omnisolve.processes import Task

        assert self.executor is not None
        path = tuple(p for p in sys.path if p)  # the caller's modules, for what fun imports
        with contextlib.ExitStack() as running:  # its exit cancels whatever is still running
            handles = [
                running.enter_context(
                    self.executor.submit(
                        Task(
                            "omnisolve.blackbox.evaluate:run_task",
                            {"call": str(self._file), "x": x.tolist()},
                            path,
                            files=("call",),
                        )
                    )
                )
                for x in points
            ]
            return [_outcome(handle.wait()) for handle in handles]

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None
        if self._dir is not None:
            self._dir.cleanup()
            self._dir = None


def _by_value(fun: Callable[[np.ndarray], Any], constraints: Callable[[np.ndarray], Any] | None) -> bytes:
    """(fun, constraints) pickled by value, or a ModelError saying why they cannot be."""
    import cloudpickle

    try:
        return cloudpickle.dumps((fun, constraints))
    except Exception as exc:
        raise ModelError(f"an executor evaluates fun in other processes, and fun cannot be pickled: {exc}") from None


def _outcome(ended: TaskOutcome) -> Outcome:
    """An evaluation task's outcome as (f, g, failure): a task that died is a failed evaluation."""
    if ended.result is None:
        return None, None, ended.error or f"the evaluation's process {ended.ended(200)}"
    answer = Result.from_dict(ended.result)
    g = answer.extra.get("g")
    return answer.objective, None if g is None else np.asarray(g, dtype=float), str(answer.extra.get("error", ""))
