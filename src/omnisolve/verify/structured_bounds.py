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
import math

import numpy as np

from omnisolve.problems import JobShop, Knapsack, Problem

#: the most items x capacity the core's dynamic program may span (about 0.1 s with numpy),
#: and the most items it may hold (a Python loop over them)
MAX_CORE_CELLS = 20_000_000
MAX_CORE_ITEMS = 20_000
#: integers beyond this are not exact in a float64 array; products of them must fit an int64
EXACT = 2**53


def data_bound(problem: Problem, objective: float | None = None) -> tuple[float, str] | None:
    """(bound in the problem's sense, how it was computed), or None for classes without one;
    `objective`: a verified answer's value, which a knapsack's reduction can use."""
    if isinstance(problem, JobShop):
        return float(jobshop_bound(problem)), "one-machine bound (Jackson's preemptive schedule) from the data"
    if isinstance(problem, Knapsack):
        dantzig = dantzig_bound(problem)
        reduced = None if objective is None else reduction_bound(problem, objective)
        if reduced is not None and reduced < dantzig:
            return float(
                reduced
            ), "reduced-cost fixing against the answer, the core by dynamic programming, from the data"
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
    values, weights = problem.values, problem.weights
    if not (_integral(values) and _integral(weights)) or not math.isfinite(objective):
        return None
    if len(values) * (float(values.max()) + float(weights.max())) >= 2**62:
        return None  # sums might overflow an int64
    v, w = values.astype(np.int64), weights.astype(np.int64)
    room = int(min(math.floor(problem.capacity), int(w.sum())))
    z = math.floor(objective)
    broken = _break_item(v, w, room)
    if broken is None:  # everything fits: the relaxation is integral
        return max(z, int(v.sum()))
    p, q = int(v[broken]), int(w[broken])  # the multiplier lambda = p / q
    if (int(v.max()) * q + p * int(w.max())) * (len(v) + 1) + p * room >= 2**62:
        return None
    r = v * q - p * w  # reduced values, times q
    lagrangian = p * room + int(r[r > 0].sum())  # L(lambda) x q
    if lagrangian < (z + 1) * q:
        return z
    fixed = (r != 0) & (lagrangian - np.abs(r) < (z + 1) * q)
    ones = fixed & (r > 0)
    core = ~fixed
    left = room - int(w[ones].sum())
    if left < 0:  # no selection keeps every fixing: none is worth more than z
        return z
    best = _core_optimum(v[core], w[core], left, max_cells)
    return None if best is None else max(z, int(v[ones].sum()) + best)


def _integral(a: np.ndarray) -> bool:
    return bool(np.all(np.abs(a) < EXACT) and np.all(a == np.floor(a)))


def _break_item(v: np.ndarray, w: np.ndarray, room: int) -> int | None:
    """The first item, by value per weight, that no longer fits whole (None: all fit)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(w > 0, v / np.maximum(w, 1), np.inf)
    order = np.argsort(-ratio, kind="stable")
    filled = np.cumsum(w[order])
    over = np.flatnonzero(filled > room)
    return int(order[over[0]]) if over.size else None


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
