"""Job-shop dispatching rules: Giffler-Thompson schedule generation driven by a priority rule.

Every rule here ranks operations by a static key (lower = dispatched first), so one generator
serves them all: at each step it looks at the next unscheduled operation of every job (a numpy
vector over jobs), picks the machine and the conflict set, and schedules the conflict-set
operation with the lowest key. `active` schedules (Giffler-Thompson) may delay a machine for a
better operation; `non-delay` ones never leave a machine idle while an operation waits. The
best of all rules in both modes seeds the exact and LNS solvers with a good first schedule.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from omnisolve.problems import JobShop

Starts = list[list[int]]


def _arrays(shop: JobShop) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per operation (global order, job by job): machine, duration, job, and each job's first op."""
    return shop._machine, shop._duration, shop._job, shop._first


def _work_left(shop: JobShop) -> np.ndarray:
    """Per operation: the job's processing time from this operation to its end (inclusive)."""
    _, d, job, first = _arrays(shop)
    total = np.add.reduceat(d, first[:-1])
    done_before = np.cumsum(d) - d - np.repeat(np.cumsum(total) - total, np.diff(first))
    return total[job] - done_before


def _spt(shop: JobShop) -> np.ndarray:
    """Shortest processing time first."""
    return shop._duration.astype(float)


def _mwkr(shop: JobShop) -> np.ndarray:
    """Most work remaining first."""
    return -_work_left(shop).astype(float)


def _mor(shop: JobShop) -> np.ndarray:
    """Most operations remaining first."""
    _, _, job, first = _arrays(shop)
    position = np.arange(len(job)) - first[job]
    return (position - np.diff(first)[job]).astype(float)


def _fdd_mwkr(shop: JobShop) -> np.ndarray:
    """Flow due date (work done up to and including the operation) over work remaining."""
    d = shop._duration
    left = _work_left(shop)
    fdd = d + (left[shop._first[shop._job]] - left)  # work of the job's ops up to this one
    return fdd / np.maximum(left, 1)


RULES: dict[str, Callable[[Any], np.ndarray]] = {
    "SPT": _spt,
    "MWKR": _mwkr,
    "MOR": _mor,
    "FDD/MWKR": _fdd_mwkr,
}


def dispatch(shop: JobShop, key: np.ndarray, active: bool = True) -> np.ndarray:
    """Flat start times of the schedule that dispatches by `key` (lower first, ties by job).

    Active (Giffler-Thompson): the machine of the earliest-completing candidate; its conflict
    set is every candidate there starting before that completion. Non-delay: the earliest
    start over all candidates; the conflict set is every candidate starting then on its machine.
    """
    machine, d, _, first = _arrays(shop)
    n_jobs = len(first) - 1
    nxt = first[:-1].copy()  # next unscheduled op of each job
    end_op = first[1:]
    job_ready = np.zeros(n_jobs, dtype=np.int64)
    machine_ready = np.zeros(shop.num_machines, dtype=np.int64)
    start = np.zeros(len(machine), dtype=np.int64)
    jobs = np.arange(n_jobs)
    for _ in range(len(machine)):
        live = jobs[nxt < end_op]
        ops = nxt[live]
        mach = machine[ops]
        es = np.maximum(job_ready[live], machine_ready[mach])
        if active:
            ect = es + d[ops]
            best = int(np.argmin(ect))
            conflict = (mach == mach[best]) & (es < ect[best])
        else:
            best = int(np.argmin(es))
            conflict = (mach == mach[best]) & (es == es[best])
        if not conflict.any():  # zero-duration operation: it conflicts with nobody
            conflict[best] = True
        pick = np.flatnonzero(conflict)[np.argmin(key[ops[conflict]])]
        o, j = ops[pick], live[pick]
        start[o] = es[pick]
        job_ready[j] = machine_ready[mach[pick]] = es[pick] + d[o]
        nxt[j] += 1
    return start


def rule_schedules(shop: JobShop) -> dict[str, np.ndarray]:
    """Flat start times for every rule in `RULES`, active and non-delay."""
    out = {}
    for name, rule in RULES.items():
        key = rule(shop)
        out[f"{name} active"] = dispatch(shop, key, active=True)
        out[f"{name} non-delay"] = dispatch(shop, key, active=False)
    return out


def best_rule_schedule(shop: JobShop) -> tuple[str, np.ndarray]:
    """The rule (and mode) with the shortest makespan, and its flat start times."""
    d = shop._duration
    return min(rule_schedules(shop).items(), key=lambda item: int((item[1] + d).max()))


def best_dispatch(shop: JobShop) -> Starts:
    """`starts[j][k]` of the shortest schedule over all rules and both modes."""
    return shop._nested(best_rule_schedule(shop)[1])
