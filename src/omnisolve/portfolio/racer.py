"""One racer of a race, the entry of its task (`omnisolve.portfolio.racer:run`, run in a child
process by `omnisolve.processes`).

The spec (written by `race`) names the pickled problem, the solver, its limits as an absolute
wall-clock deadline (so start-up time counts against the race's limit), threads, gap, seed, a
start solution, the pickled stopping criteria sent to racers (`stop`, optional) and extra
backends to register (test fakes). The racer reports an `incumbent`
on every improvement, then the (unverified) `result` once; a crash leaves no result, and the
parent records how the process ended.
"""

from __future__ import annotations

import pickle
import time
import traceback
from pathlib import Path
from typing import Any

from omnisolve.processes import Channel


def run(spec: dict[str, Any], channel: Channel) -> None:
    """Solve the spec's problem with its solver, sending incumbents and the (unverified) result."""
    from omnisolve.limits import Limits
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
    limits = Limits(
        time=max(spec["deadline"] - time.time(), 1e-3),
        threads=spec["threads"],
        gap=spec["gap"],
        seed=spec["seed"],
        start=start,
        stop=pickle.loads(Path(spec["stop"]).read_bytes()) if "stop" in spec else None,
    )
    try:
        result = backend.solve(problem, limits, channel.incumbent)
    except Exception as exc:  # the parent must hear why, not just see an exit code
        result = Result(
            Status.ERROR, solver=spec["solver"], message=f"{type(exc).__name__}: {exc}", log=traceback.format_exc()
        )
    channel.result(result)
