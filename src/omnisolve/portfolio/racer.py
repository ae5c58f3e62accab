"""One racer of a race, in its own process: `python -m omnisolve.portfolio.racer JOB.json FD`.

The job (written by `race`) names the pickled problem, the solver, its limits as an absolute
wall-clock deadline (so start-up time counts against the race's limit), threads, gap, seed, a
start solution and extra backends to register (test fakes). Messages go to the inherited pipe
`FD` as JSON lines, never to stdout (a backend may print there):
`{"kind": "incumbent", "t", "objective", "bound"}` on every improvement, then
`{"kind": "result", "result": Result.to_dict()}` once. A crash leaves no result line; the
parent records it.
"""

from __future__ import annotations

import json
import os
import pickle
import sys
import time
import traceback
from pathlib import Path
from typing import Any


def run(job: dict[str, Any], emit: Any) -> None:
    """Solve the job's problem with its solver, emitting incumbents and the (unverified) result."""
    from omnisolve.limits import Limits
    from omnisolve.result import Result, Status
    from omnisolve.solvers import registry

    for name, target in job.get("register", {}).items():
        registry.register(name, target)
    problem = pickle.loads(Path(job["problem"]).read_bytes())
    backend = registry.get(job["solver"])
    start = job.get("start")
    if start is not None and job.get("start_is_values"):
        import numpy as np

        start = np.asarray(start, dtype=float)
    limits = Limits(
        time=max(job["deadline"] - time.time(), 1e-3),
        threads=job["threads"],
        gap=job["gap"],
        seed=job["seed"],
        start=start,
    )
    try:
        result = backend.solve(
            problem,
            limits,
            lambda t, obj, bound: emit({"kind": "incumbent", "t": t, "objective": obj, "bound": bound}),
        )
    except Exception as exc:  # the parent must hear why, not just see an exit code
        result = Result(
            Status.ERROR, solver=job["solver"], message=f"{type(exc).__name__}: {exc}", log=traceback.format_exc()
        )
    emit({"kind": "result", "result": result.to_dict()})


def main(job_file: str, fd: str) -> None:
    job = json.loads(Path(job_file).read_text())
    sys.path[:0] = job.get("sys_path", [])
    pipe = os.fdopen(int(fd), "w", buffering=1)

    def emit(message: dict[str, Any]) -> None:
        from omnisolve.result import jsonable

        pipe.write(json.dumps(jsonable(message)) + "\n")
        pipe.flush()

    run(job, emit)
    pipe.close()


if __name__ == "__main__":
    main(*sys.argv[1:3])
