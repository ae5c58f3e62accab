"""One racer of a race, the entry of its task (`omnisolve.portfolio.racer:run`, run in a child
process by `omnisolve.processes`).

The spec (written by `race`) names the pickled problem, the solver, its limits as an absolute
wall-clock deadline (so start-up time counts against the race's limit), threads, gap, seed, a
start solution, the pickled stopping criteria sent to racers (`stop`, optional), the race's
board (`broadcast`, optional: the backend gets a `board.Exchange` as `Limits.exchange`) and extra
backends to register (test fakes). The racer reports an `incumbent`
on every improvement (with its `solution` when the backend offers it to the board), then the
(unverified) `result` once, with `extra["adopted"]`: the board solutions its backend took; a
crash leaves no result, and the parent records how the process ended.

SIGTERM (the race ending, before its SIGKILL) is a stopping criterion here: the backend stops
its search and the racer reports what it found, so a race cancelled or settled early still
hears its racers' answers. A backend that does not stop in time is killed as before.
"""

from __future__ import annotations

import os
import pickle
import signal
import threading
import time
import traceback
from pathlib import Path
from typing import Any

from omnisolve.processes import Channel


def run(spec: dict[str, Any], channel: Channel) -> None:
    """Solve the spec's problem with its solver, sending incumbents and the (unverified) result."""
    from omnisolve.limits import Cancelled, Limits, StoppingCriterion
    from omnisolve.result import Result, Status
    from omnisolve.solvers import registry

    registry.register_all(spec["register"])
    problem = pickle.loads(Path(spec["problem"]).read_bytes())
    backend = registry.get(spec["solver"])
    start = spec.get("start")
    if start is not None and spec.get("start_is_values"):
        import numpy as np

        start = np.asarray(start, dtype=float)
    channel.started()
    stop: StoppingCriterion = Cancelled(asked_to_stop())
    if "stop" in spec:  # the caller's criteria that the race sent
        stop = pickle.loads(Path(spec["stop"]).read_bytes()) | stop
    exchange = _exchange(spec, problem, channel)
    limits = Limits(
        time=max(spec["deadline"] - time.time(), 1e-3),
        threads=spec["threads"],
        gap=spec["gap"],
        seed=spec["seed"],
        start=start,
        stop=stop,
        exchange=exchange,
    )
    try:
        result = backend.solve(problem, limits, channel.incumbent)
        if exchange is not None and exchange.adopted:
            result.extra = {**result.extra, "adopted": exchange.adopted}
    except Exception as exc:  # the parent must hear why, not just see an exit code
        result = Result(
            Status.ERROR, solver=spec["solver"], message=f"{type(exc).__name__}: {exc}", log=traceback.format_exc()
        )
    channel.result(result)


def _exchange(spec: dict[str, Any], problem: Any, channel: Channel) -> Any:
    """The racer's exchange with the race's board, when the race has one."""
    from omnisolve.model import Sense
    from omnisolve.portfolio.board import Exchange
    from omnisolve.processes import BROADCAST, Kind, Listener

    if BROADCAST not in spec:
        return None
    started = time.monotonic()

    def send(objective: float, solution: Any) -> None:
        channel.send(Kind.INCUMBENT, t=time.monotonic() - started, objective=objective, bound=None, solution=solution)

    sign = 1.0 if getattr(problem, "sense", Sense.MIN) == Sense.MIN else -1.0  # as the race's board
    return Exchange(Listener(spec[BROADCAST]["path"]), send, sign)


def asked_to_stop() -> threading.Event:
    """An event SIGTERM sets at once, whatever the main thread is doing: the signal's byte on a
    wake-up pipe is read by a thread of its own (a Python handler alone would wait until a native
    solve gave the main thread back). Call from the main thread."""
    asked = threading.Event()
    read, write = os.pipe()
    os.set_blocking(write, False)
    signal.signal(signal.SIGTERM, lambda *_: asked.set())
    signal.set_wakeup_fd(write)

    def wait() -> None:
        os.read(read, 1)
        asked.set()

    threading.Thread(target=wait, daemon=True, name="sigterm").start()
    return asked
