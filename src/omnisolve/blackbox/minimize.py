"""`omnisolve.minimize`: black-box minimization within a budget of function calls, as a loop
over `BlackBox.ask` / `tell` with one counting wrapper (`Evaluator`) around the function."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any, Callable

import numpy as np

from omnisolve.blackbox.ask_tell import BlackBox
from omnisolve.blackbox.certify import certificate
from omnisolve.blackbox.evaluate import Evaluator
from omnisolve.limits import IncumbentCallback
from omnisolve.result import Result, Status, Verdict

if TYPE_CHECKING:
    from omnisolve.processes import Executor


def search(box: BlackBox, evaluate: Evaluator, should_stop: Callable[[], bool]) -> str:
    """Ask a batch of `box.workers` points, evaluate, tell, until `should_stop()`, the budget is
    spent or the method has nothing more to try; how it ended, in words."""
    while not should_stop():
        points = box.ask(box.workers)
        if not points:
            return "budget spent" if box.asked >= box.budget else "the method had nothing more to try"
        for x, (f, g, _) in zip(points, evaluate(points)):
            box.tell(x, f, g)
    return "time limit reached"


def minimize(
    fun: Callable[[np.ndarray], float],
    bounds: Any,
    *,
    budget: int,
    constraints: Callable[[np.ndarray], Any] | None = None,
    x0: Any = None,
    method: str = "auto",
    workers: int = 1,
    seed: int = 0,
    integer: Any = None,
    on_incumbent: IncumbentCallback | None = None,
    time_limit: float | None = None,
    noisy: bool | None = None,
    executor: Executor | None = None,
) -> Result:
    """Minimize `fun(x) -> float` over the box `bounds` (a list of (lo, hi)) in at most `budget`
    calls of `fun`, subject to `constraints(x) <= 0` (a callable returning an array), with the
    coordinates where the boolean mask `integer` is True integral in every call.

    `method`: "auto" (rules on dimension, budget, workers, constraints and integer share: see
    `blackbox.auto`) or a name of `blackbox.methods.names()`; `x0`: a point to evaluate first;
    `workers` > 1 evaluates batches in that many child processes (fun and constraints must be
    picklable); `executor` (an omnisolve executor: `processes.LocalExecutor()`, or
    `processes.cluster.RayExecutor(address)` for a Ray cluster) runs each call as a task of its
    own instead, `workers` at a time (fun and constraints go by value, lambdas too);
    `on_incumbent(elapsed, objective, None)` is called on every better feasible point;
    `time_limit` (seconds, None: none) stops the search early; `noisy`: whether a repeated
    point can give another value (None: not known, and "auto" spends one call to find out).

    The `Result`: status feasible with the best feasible point (never optimal: a black box
    proves no bound) and a certificate that checks its bounds, integrality and g(x) <= 0 by
    calling `constraints` once more; time_limit with "no feasible point found in N calls" when
    none was feasible; error with the last exception when every call failed."""
    box = BlackBox(
        bounds,
        budget=budget,
        integer=integer,
        method=method,
        constraints=constraints is not None,
        seed=seed,
        x0=x0,
        workers=workers,
        on_incumbent=on_incumbent,
        noisy=noisy,
    )
    evaluate = Evaluator(fun, constraints, box.budget, box.workers, executor)
    start = time.perf_counter()
    try:
        ended = search(box, evaluate, lambda: time_limit is not None and time.perf_counter() - start >= time_limit)
    finally:
        box.close()
        evaluate.close()
    result = box.result()
    result.extra.update(calls=evaluate.calls, ended=ended)
    if result.status == Status.ERROR:
        result.message += f"; the last error: {evaluate.last_error}"
    elif evaluate.last_error:
        result.extra["last_error"] = evaluate.last_error
    if result.values is not None and result.objective is not None and constraints is not None:
        g = _constraints_once(constraints, result.values)
        result.certificate = certificate(box.space, result.values, result.objective, g, "g re-evaluated once")
    if result.certificate is not None and result.certificate.verdict == Verdict.FAIL:
        result.status = Status.ERROR
        result.message = "verification failed: " + "; ".join(result.certificate.messages)
    else:
        result.message += f"; {ended} after {evaluate.calls} calls"
    return result


def _constraints_once(constraints: Callable[[np.ndarray], Any], x: np.ndarray) -> np.ndarray:
    """g(x) for the certificate; a raise or a value that is not numbers reads as infeasible."""
    try:
        return np.atleast_1d(np.asarray(constraints(x.copy()), dtype=float)).ravel()
    except Exception:  # the certificate then fails, naming g
        return np.array([np.inf])
