"""One benchmark run, the entry of its task (`omnisolve.bench.worker:run`, run in a child
process by `omnisolve.processes`).

The spec (written by `runner`) names the instance file, the fleet limit for CVRPs, the solver,
limits and seed, and `register` entries (name -> "module:Class", for backends the parent
registered, e.g. test fakes). Once it has read the instance the run says `started` with its
`load_time` and the problem's `sense`, so the parent starts the solve's hard deadline only then.
Then it sends the certified `Result` of `api.solve` (the cross-check included, its `extra`
holding the run's `peak_rss_mb`), or an `error`:
with `UnsupportedError`'s exit code when the solver refuses the instance, else code 1. A crash
or kill leaves neither; the parent records that as an error.
"""

from __future__ import annotations

import time
from typing import Any

from omnisolve.model import Sense
from omnisolve.processes import Channel

PORTFOLIO = ("auto", "race")  # bench entries that are omnisolve's choice, not one backend


def load(spec: dict[str, Any]) -> Any:
    """The instance, read with the suite's fleet limit for CVRPs."""
    from omnisolve.io import read, read_cvrp

    if spec.get("num_vehicles") is not None:
        return read_cvrp(spec["path"], num_vehicles=spec["num_vehicles"])
    return read(spec["path"])


def run(spec: dict[str, Any], channel: Channel) -> None:
    """Read, check support, solve and certify; every outcome is a message."""
    from omnisolve.api import solve
    from omnisolve.errors import UnsupportedError
    from omnisolve.solvers import registry

    try:
        registry.register_all(spec["register"])
        portfolio = spec["solver"] in PORTFOLIO  # omnisolve's own choice, as `solve` makes it by default
        try:
            backend = None if portfolio else registry.get(spec["solver"])
        except UnsupportedError as exc:
            channel.error(f"solver module not available: {exc}")
            return
        start = time.perf_counter()
        problem = load(spec)
        channel.started(load_time=time.perf_counter() - start, sense=getattr(problem, "sense", Sense.MIN))
        reason = None if backend is None else backend.unsupported_reason(problem)
        if reason is not None:
            channel.error(reason, UnsupportedError.exit_code)
            return
        result = solve(
            problem, solver=spec["solver"], time_limit=spec["time_limit"], threads=spec["threads"], seed=spec["seed"]
        )
    except Exception as exc:  # bad file, a solver that raises outside `solve`'s guard, ...
        channel.error(f"{type(exc).__name__}: {exc}")
        return
    result.extra["peak_rss_mb"] = peak_rss_mb()
    channel.result(result)


def peak_rss_mb() -> float:
    """The run's peak resident memory in MB: this process's high-water mark (VmHWM, which starts
    afresh at exec) plus the largest peak among its children that ended (racers, helper searches;
    for those its zygote forked, as the zygote reported them). A bound rather than a reading: two
    children that peaked at different times are counted as one at its own peak, and a child's
    figure (getrusage) is at least the size of the process it was forked from (this one, or the
    zygote), since Linux keeps the forked copy's high-water mark across exec. (getrusage of this
    process itself would be the bench parent's size at fork: gigabytes under pytest.)"""
    import resource

    from omnisolve.processes import forked

    children_kib = max(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, forked.peak_child_kib())
    return round((_own_peak_kib() + children_kib) / 1024, 1)


def _own_peak_kib() -> int:
    """This process's peak resident set in KiB, from /proc (getrusage where there is no /proc)."""
    import resource

    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
