"""The one wrapper that calls the user's function: it counts every call (and refuses one past
the budget), turns a raise, a NaN or a wrong shape into a failed evaluation with its message,
and runs a batch in worker processes when there are several workers."""

from __future__ import annotations

import functools
import math
import pickle
from concurrent.futures import ProcessPoolExecutor
from typing import Any, Callable

import numpy as np

from omnisolve.errors import ModelError

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


class Evaluator:
    """Calls `fun` (and `constraints`) at most `budget` times in all; `workers` > 1 evaluates
    each batch in that many child processes (the functions must then be picklable)."""

    def __init__(
        self,
        fun: Callable[[np.ndarray], Any],
        constraints: Callable[[np.ndarray], Any] | None,
        budget: int,
        workers: int = 1,
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
        if workers > 1:
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
        if self.workers > 1 and len(points) > 1:
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

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None
