"""Bounds on structured problems computed from their data alone, so an answer that reaches one
is proven optimal without trusting any solver, and any other answer gets a certified gap.

- job shop: the larger of the longest job and, per machine, the one-machine relaxation with
  heads and tails (each operation released after its job's predecessors, followed by its
  job's successors) solved exactly with preemption by Jackson's preemptive schedule (run the
  available operation with the longest tail). Dropping the other machines and allowing
  preemption only relaxes the problem, so the value bounds the makespan from below; on many
  classic instances (la01-la15, ft06) it is the optimum.
- knapsack: Dantzig's bound, the linear relaxation (items by value per weight, the last one
  taken fractionally), an upper bound on the best value.
"""

from __future__ import annotations

import heapq

import numpy as np

from omnisolve.problems import JobShop, Knapsack, Problem


def data_bound(problem: Problem) -> tuple[float, str] | None:
    """(bound in the problem's sense, how it was computed), or None for classes without one."""
    if isinstance(problem, JobShop):
        return float(jobshop_bound(problem)), "one-machine bound (Jackson's preemptive schedule) from the data"
    if isinstance(problem, Knapsack):
        return dantzig_bound(problem), "Dantzig's linear-relaxation bound from the data"
    return None


def jobshop_bound(problem: JobShop) -> int:
    """A lower bound on the makespan: longest job, or the best one-machine preemptive bound."""
    by_machine: dict[int, list[tuple[int, int, int]]] = {}
    best = 0
    for job in problem.jobs:
        durations = [d for _, d in job]
        total = sum(durations)
        best = max(best, total)
        head = 0
        for machine, duration in job:
            tail = total - head - duration
            by_machine.setdefault(machine, []).append((head, duration, tail))
            head += duration
    for ops in by_machine.values():
        best = max(best, _jackson_preemptive(ops))
    return best


def _jackson_preemptive(ops: list[tuple[int, int, int]]) -> int:
    """max(C + tail) of Jackson's preemptive schedule of (release, duration, tail) operations on
    one machine: the exact optimum of that preemptive relaxation."""
    ops = sorted(ops)
    ready: list[tuple[int, int]] = []  # (-tail, remaining duration)
    t, i, best = 0, 0, 0
    while i < len(ops) or ready:
        if not ready:
            t = max(t, ops[i][0])
        while i < len(ops) and ops[i][0] <= t:
            heapq.heappush(ready, (-ops[i][2], ops[i][1]))
            i += 1
        neg_tail, remaining = heapq.heappop(ready)
        run = min(remaining, (ops[i][0] - t) if i < len(ops) else remaining)
        t += run
        if remaining > run:
            heapq.heappush(ready, (neg_tail, remaining - run))
        else:
            best = max(best, t - neg_tail)
    return best


def dantzig_bound(problem: Knapsack) -> float:
    """The linear relaxation's optimum: an upper bound on any selection's value."""
    values, weights, room = (
        np.asarray(problem.values, float),
        np.asarray(problem.weights, float),
        float(problem.capacity),
    )
    free = weights <= 0
    total = float(values[free].sum())
    with np.errstate(over="ignore"):  # a weight of 1e-320: an infinite ratio sorts first, without a warning
        ratio = values[~free] / weights[~free]
    order = np.argsort(-ratio, kind="stable")
    for v, w in zip(values[~free][order], weights[~free][order]):
        if w <= room:
            total, room = total + v, room - w
        else:
            bound: float = total + v * room / w
            return bound
    return total
