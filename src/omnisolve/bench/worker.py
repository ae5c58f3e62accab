"""One benchmark run in its own process: `python -m omnisolve.bench.worker JOB.json RESULT.json`.

The job spec (written by `runner`) names the instance file, the fleet limit for CVRPs, the
solver, limits and seed, extra `sys_path` entries and `register` entries (name -> "module:Class",
for backends the parent registered, e.g. test fakes). After reading the instance the worker
touches `loaded_marker`, so the parent starts the solve's hard deadline only then. The result
JSON has status ("unsupported" when the solver refuses the instance), objective, bound, verdict,
optimality (proven / claimed / refuted / none, after the default cross-check) and its time,
runtime, trace, message, sense and load_time. A crash or kill leaves no result file; the parent
records that as an error.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Any

from omnisolve.model import Sense
from omnisolve.result import Verdict


def load(job: dict[str, Any]) -> Any:
    """The instance, read with the suite's fleet limit for CVRPs."""
    from omnisolve.io import read, read_cvrp

    if job.get("num_vehicles") is not None:
        return read_cvrp(job["path"], num_vehicles=job["num_vehicles"])
    return read(job["path"])


def run(job: dict[str, Any]) -> dict[str, Any]:
    """Read, check support, solve and certify; every outcome is a result dict."""
    from omnisolve.api import solve
    from omnisolve.errors import UnsupportedError
    from omnisolve.solvers import registry

    try:
        backend = registry.get(job["solver"])
    except UnsupportedError as exc:
        return {"status": "error", "message": f"solver module not available: {exc}"}
    start = time.perf_counter()
    problem = load(job)
    load_time = time.perf_counter() - start
    Path(job["loaded_marker"]).touch()
    common = {"load_time": load_time, "sense": getattr(problem, "sense", Sense.MIN)}
    reason = backend.unsupported_reason(problem)
    if reason is not None:
        return {"status": "unsupported", "message": reason, **common}
    result = solve(
        problem, solver=job["solver"], time_limit=job["time_limit"], threads=job["threads"], seed=job["seed"]
    )
    cert = result.certificate
    check = result.extra.get("cross_check", {})
    own = check.get("refuted_claim")  # a refuted solver is scored on its own (wrong) answer
    return {
        "status": own["status"] if own else result.status.value,
        "objective": own["objective"] if own else result.objective,
        "bound": own["bound"] if own else result.bound,
        "verdict": cert.verdict if cert is not None else Verdict.NONE,
        "optimality": result.optimality.value,
        "check_time": check.get("seconds", 0.0),
        "runtime": result.runtime,
        "trace": [list(t) for t in result.trace],
        "message": result.message,
        "solver_version": result.solver_version,
        **common,
    }


def main(job_file: str, result_file: str) -> None:
    job = json.loads(Path(job_file).read_text())
    sys.path[:0] = job.get("sys_path", [])
    from omnisolve.result import jsonable
    from omnisolve.solvers import registry

    for name, target in job.get("register", {}).items():
        registry.register(name, target)
    try:
        out = run(job)
    except Exception as exc:  # bad file, a solver that raises outside `solve`'s guard, ...
        out = {"status": "error", "message": f"{type(exc).__name__}: {exc}"}
    tmp = result_file + ".tmp"
    Path(tmp).write_text(json.dumps(jsonable(out)))
    os.replace(tmp, result_file)  # the parent never sees half a file


if __name__ == "__main__":
    main(*sys.argv[1:3])
