"""Bounds on structured problems computed from their data alone, so an answer that reaches one
is proven optimal without trusting any solver, and any other answer gets a certified gap.

- job shop: the larger of the longest job and, per machine, the one-machine relaxation with
  heads and tails (each operation released after its job's predecessors, followed by its
  job's successors) solved exactly with preemption by Jackson's preemptive schedule (run the
  available operation with the longest tail). Dropping the other machines and allowing
  preemption only relaxes the problem, so the value bounds the makespan from below; on many
  classic instances (la01-la15, ft06) it is the optimum.
- knapsack: Dantzig's bound, the linear relaxation (items by value per weight, the last one
  taken fractionally), an upper bound on the best value. Given an answer of integral value z
  on integral data, also the bound of reduced-cost fixing (Dembo and Hammer): with the
  relaxation's multiplier lambda, a selection that differs from the relaxation's choice on item
  j is worth at most L(lambda) - |v_j - lambda w_j|, so where that is below z + 1 item j is
  fixed; the items left (the core) are solved exactly by dynamic programming when that is
  small, and max(z, the fixed items plus the core's optimum) bounds the best value. Exact
  integer arithmetic throughout: a proof, not an estimate. Typically it proves a solver's
  answer to a knapsack of a thousand items and a capacity of millions in milliseconds, where
  dynamic programming over the capacity would take minutes.
"""

from __future__ import annotations

import heapq

import numpy as np

from omnisolve.problems import JobShop, Knapsack, Problem
from omnisolve.problems.knapsack import reduction

#: the most items x capacity the core's dynamic program may span (about 0.1 s with numpy),
#: and the most items it may hold (a Python loop over them)
MAX_CORE_CELLS = 20_000_000
MAX_CORE_ITEMS = 20_000
REDUCTION = "reduced-cost fixing against the answer, the core by dynamic programming, from the data"


def data_bound(problem: Problem, objective: float | None = None) -> tuple[float, str] | None:
    """(bound in the problem's sense, how it was computed), or None for classes without one;
    `objective`: a verified answer's value, which a knapsack's reduction can use."""
    if isinstance(problem, JobShop):
        return float(jobshop_bound(problem)), "one-machine bound (Jackson's preemptive schedule) from the data"
    if isinstance(problem, Knapsack):
        dantzig = dantzig_bound(problem)
        reduced = None if objective is None else reduction_bound(problem, objective)
        if reduced is not None and reduced < dantzig:
            return float(reduced), REDUCTION
        return dantzig, "Dantzig's linear-relaxation bound from the data"
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


def reduction_bound(problem: Knapsack, objective: float, max_cells: int = MAX_CORE_CELLS) -> int | None:
    """An upper bound on the best value, at most max(floor(objective), ...) and equal to it
    when no selection is worth more (see the module docstring); None when the data are not
    integers, the numbers could overflow, or the core is too large for `max_cells`."""
    fixing = reduction(problem, objective)
    if fixing is None:
        return None
    if fixing.settled:
        return fixing.z
    v, w = problem.values.astype(np.int64), problem.weights.astype(np.int64)
    best = _core_optimum(v[fixing.core], w[fixing.core], fixing.room, max_cells)
    return None if best is None else max(fixing.z, int(v[fixing.ones].sum()) + best)


def _core_optimum(v: np.ndarray, w: np.ndarray, room: int, max_cells: int) -> int | None:
    """The best value of the core items within `room` (exact 0/1 dynamic program over the
    capacity), or None when items x capacity exceeds `max_cells`."""
    free = int(v[w == 0].sum())
    v, w = v[w > 0], w[w > 0]
    room = min(room, int(w.sum()))
    if len(v) > MAX_CORE_ITEMS or len(v) * (room + 1) > max_cells:
        return None
    best = np.zeros(room + 1, dtype=np.int64)
    for value, weight in zip(v.tolist(), w.tolist()):
        if weight <= room:
            best[weight:] = np.maximum(best[weight:], best[: room + 1 - weight] + value)
    return free + int(best[room])
