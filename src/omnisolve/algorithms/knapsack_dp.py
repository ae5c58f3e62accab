"""Exact 0-1 knapsack by dynamic programming over the capacity, vectorized with numpy.

`best[c]` is the greatest value of the items seen so far within weight c; item (w, v) updates
it in one array step, `best[w:] = max(best[w:], best[:-w] + v)`, and the cells where the item
won are kept as one bit each (n x (C+1) bits), enough to walk the choice back from `best[C]`.
Time O(n C), memory n C / 8 bytes: exact where branch and bound stalls (e.g. Pisinger's
inverse strongly correlated class), as long as the capacity is moderate.

Where the capacity is too large for that, `solve_by_core` fixes most items first: the greedy
choice's value z, reduced-cost fixing against it (`problems.knapsack.reduction`), and the same
DP over the few items left (the core), exact too: any better choice keeps the fixings.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from omnisolve.problems import Knapsack
from omnisolve.problems.knapsack import Reduction, against_greedy

#: Largest table of kept bits (bytes) the DP may allocate.
MAX_TABLE_BYTES = 2 * 1024**3
#: Up to this many cells (items x capacity) the DP takes a few seconds at most (about 1e8
#: cells per second) and proves the optimum where CP-SAT may not; `prefer_dp` uses it.
PREFER_CELLS = 4e8


def dp_reason(problem: Knapsack) -> str | None:
    """None when the DP can solve this knapsack, else why not (fractional weights, or a table
    of kept bits larger than MAX_TABLE_BYTES)."""
    w = problem.weights
    bad = np.flatnonzero(w != np.round(w))
    if bad.size:
        return f"dynamic programming needs integer weights (found {w[bad[0]]:g}); use highs or cpsat"
    table = problem.dp_cells / 8
    if table > MAX_TABLE_BYTES:
        return (
            f"capacity {problem.capacity:g} x {problem.size} items needs {table / 1024**3:.1f} GiB "
            f"for the DP table (at most {MAX_TABLE_BYTES / 1024**3:g}); use cpsat or highs"
        )
    return None


def prefer_dp(problem: Knapsack) -> bool:
    """Whether the DP is the right exact method: it applies and n x C is small enough that it
    finishes within a few seconds (see PREFER_CELLS)."""
    return dp_reason(problem) is None and problem.dp_cells <= PREFER_CELLS


def solve_knapsack(
    values: np.ndarray, weights: np.ndarray, capacity: int, expired: Callable[[], bool] = lambda: False
) -> list[int] | None:
    """The sorted items of an optimal choice within integer `capacity` (integer `weights`,
    any non-negative `values`); None if `expired()` turns true before the DP is done."""
    items = np.flatnonzero(np.asarray(weights, dtype=float) <= capacity)  # before the cast: 1e19 would wrap
    w = np.zeros(len(weights), dtype=np.int64)
    w[items] = np.asarray(weights, dtype=float)[items]
    v = np.asarray(values, dtype=float)
    best = np.zeros(capacity + 1)
    won = np.zeros(capacity + 1, dtype=bool)
    kept = np.empty((len(items), (capacity + 8) // 8), dtype=np.uint8)
    for k, i in enumerate(items):
        if expired():
            return None
        wi = int(w[i])
        candidate = best[: capacity + 1 - wi] + v[i]
        won[:wi] = False
        np.greater(candidate, best[wi:], out=won[wi:])
        np.maximum(best[wi:], candidate, out=best[wi:])
        kept[k] = np.packbits(won)
    chosen = []
    c = capacity
    for k in range(len(items) - 1, -1, -1):
        if kept[k, c >> 3] >> (7 - (c & 7)) & 1:
            chosen.append(int(items[k]))
            c -= int(w[items[k]])
    return sorted(chosen)


def core_of(problem: Knapsack) -> tuple[list[int], Reduction] | None:
    """The greedy choice and the fixing against it (`problems.knapsack.against_greedy`), or
    None when the data are not integers or the core's DP would exceed PREFER_CELLS."""
    found = against_greedy(problem)
    return None if found is None or found[1].cells > PREFER_CELLS else found


def solve_by_core(
    problem: Knapsack, core: tuple[list[int], Reduction], expired: Callable[[], bool] = lambda: False
) -> list[int] | None:
    """An optimal choice: the greedy one if nothing beats it, else the fixed items plus the
    core's DP (exact: any better choice keeps the fixings); None if `expired()` turns true."""
    greedy, fixing = core
    if fixing.settled:
        return greedy
    items = np.flatnonzero(fixing.core)
    chosen = solve_knapsack(problem.values[items], problem.weights[items], fixing.room, expired)
    if chosen is None:
        return None
    better = sorted(np.flatnonzero(fixing.ones).tolist() + items[chosen].tolist())
    return better if problem.evaluate(better) > problem.evaluate(greedy) else greedy
