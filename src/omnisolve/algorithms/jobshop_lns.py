"""Large-neighbourhood search for the job shop, independent of the exact solver it calls.

A move relaxes a neighbourhood of operations and keeps, on every machine, the order of all
other operations (precedences between consecutive fixed operations); a sub-solver then
re-optimizes the relaxed ones, never worse than the incumbent. Four neighbourhoods: a random
time window, random machines, random jobs, and a stretch of the critical path with what runs
around it. Each neighbourhood adapts its own size: larger after a sub-solve proven optimal
within its slice, smaller after one that ran out of time.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from omnisolve.problems import JobShop

MIN_SIZE = 6  # operations relaxed at least
START_FRACTION = 0.2  # of all operations, each neighbourhood's first size
GROW, SHRINK = 1.15, 0.85

# solve_sub(fixed_before, fixed_after, incumbent flat starts, makespan cap, seconds)
#   -> (flat starts no longer than the cap, or None; whether the sub-problem was proven optimal)
SubSolver = Callable[[np.ndarray, np.ndarray, np.ndarray, int, float], tuple["np.ndarray | None", bool]]


def makespan(shop: JobShop, starts: np.ndarray) -> int:
    return int((starts + shop._duration).max())


def machine_order(shop: JobShop, starts: np.ndarray) -> np.ndarray:
    """All operations sorted by machine, then start (then end, for zero-length operations)."""
    return np.lexsort((starts + shop._duration, starts, shop._machine))


def fixed_precedences(shop: JobShop, starts: np.ndarray, relaxed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pairs (a, b): on a's machine b is the next operation outside the neighbourhood, so
    a must end before b starts; relaxed operations may go anywhere between them."""
    order = machine_order(shop, starts)
    kept = order[~relaxed[order]]
    same = shop._machine[kept[:-1]] == shop._machine[kept[1:]]
    return kept[:-1][same], kept[1:][same]


def critical(shop: JobShop, starts: np.ndarray) -> np.ndarray:
    """Mask of operations on a longest path of the schedule's disjunctive graph (job and
    machine successors), i.e. those whose start plus longest tail equals the makespan."""
    d, n = shop._duration, len(starts)
    order = machine_order(shop, starts)
    next_on_machine = np.full(n, -1)
    same = shop._machine[order[:-1]] == shop._machine[order[1:]]
    next_on_machine[order[:-1][same]] = order[1:][same]
    next_in_job = np.full(n, -1)
    chain = shop._chain()
    next_in_job[chain] = chain + 1
    tail = d.astype(np.int64).copy()
    for o in np.lexsort((starts + d, starts))[::-1]:  # successors start no earlier
        for s in (next_on_machine[o], next_in_job[o]):
            if s >= 0:
                tail[o] = max(tail[o], d[o] + tail[s])
    return starts + tail == makespan(shop, starts)


@dataclass
class Neighbourhoods:
    """Picks operations to relax; `sizes` holds each neighbourhood's adaptive size."""

    shop: JobShop
    rng: np.random.Generator
    sizes: dict[str, float] = field(default_factory=dict)

    KINDS = ("time window", "machines", "jobs", "critical path")

    def __post_init__(self) -> None:
        start = max(MIN_SIZE, START_FRACTION * self.shop.size)
        self.sizes = {name: start for name in self.KINDS}

    def pick(self, starts: np.ndarray) -> tuple[str, np.ndarray]:
        """A random neighbourhood's name and its mask of relaxed operations."""
        name = self.KINDS[self.rng.integers(len(self.KINDS))]
        size = min(int(self.sizes[name]), self.shop.size)
        if name == "time window":
            return name, self._time_window(starts, size)
        if name == "critical path":
            return name, self._critical_path(starts, size)
        return name, self._groups(self.shop._machine if name == "machines" else self.shop._job, size)

    def adapt(self, name: str, proven: bool) -> None:
        factor = GROW if proven else SHRINK
        self.sizes[name] = min(max(self.sizes[name] * factor, MIN_SIZE), self.shop.size)

    def _time_window(self, starts: np.ndarray, size: int, t: int | None = None) -> np.ndarray:
        """The `size` operations still running at a random time t (or starting after it)
        that start first: those overlapping [t, t + w] for the w that gives `size`."""
        ends = starts + self.shop._duration
        if t is None:
            t = int(self.rng.integers(0, max(int(ends.max()), 1)))
        later = np.flatnonzero(ends > t)
        take = later[np.argsort(starts[later], kind="stable")[:size]]
        if len(take) < size:  # near the end: widen to the left
            rest = np.setdiff1d(np.arange(len(starts)), take)
            take = np.concatenate([take, rest[np.argsort(-ends[rest], kind="stable")[: size - len(take)]]])
        return self._mask(take)

    def _groups(self, group_of: np.ndarray, size: int) -> np.ndarray:
        """Whole groups (machines or jobs) in random order until `size` operations are relaxed."""
        counts = np.bincount(group_of)
        groups = self.rng.permutation(len(counts))
        k = int(np.searchsorted(np.cumsum(counts[groups]), size)) + 1
        return np.isin(group_of, groups[:k])

    def _critical_path(self, starts: np.ndarray, size: int) -> np.ndarray:
        """A random stretch of critical operations (at most half the size) with the time
        window of `size` operations that starts with it."""
        crit = np.flatnonzero(critical(self.shop, starts))
        crit = crit[np.argsort(starts[crit], kind="stable")]
        k = min(len(crit), max(size // 2, 1))
        first = int(self.rng.integers(0, len(crit) - k + 1))
        stretch = crit[first : first + k]
        return self._time_window(starts, size, t=int(starts[stretch[0]])) | self._mask(stretch)

    def _mask(self, ops: np.ndarray) -> np.ndarray:
        mask = np.zeros(self.shop.size, dtype=bool)
        mask[ops] = True
        return mask


class SharedSchedule:
    """The best schedule and lower bound of searches running at once in threads (e.g. LNS
    beside a full CP-SAT search): each offers what it finds and takes the best when it
    starts a move. `on_improve(makespan, bound)` is called, under the lock, on each gain."""

    def __init__(
        self, shop: JobShop, starts: np.ndarray, bound: int, on_improve: Callable[[int, int], None] | None = None
    ):
        self.shop, self.starts, self.value, self.bound = shop, starts, makespan(shop, starts), bound
        self.proven = False  # set by a search that proved `bound` is the optimum
        self._on_improve = on_improve
        self._lock = threading.Lock()

    def offer(self, starts: np.ndarray) -> bool:
        """Take `starts` if it is no longer than the best; True if it is strictly shorter."""
        value = makespan(self.shop, starts)
        with self._lock:
            if value > self.value:
                return False
            better, self.starts, self.value = value < self.value, starts, value
            if better and self._on_improve is not None:
                self._on_improve(value, self.bound)
            return better

    def raise_bound(self, bound: int) -> None:
        with self._lock:
            if bound > self.bound:
                self.bound = bound
                if self._on_improve is not None:
                    self._on_improve(self.value, bound)

    @property
    def closed(self) -> bool:
        """Nothing left to gain: the best schedule meets the bound, or a search proved it."""
        return self.proven or self.value <= self.bound


def search(
    shared: SharedSchedule,
    solve_sub: SubSolver,
    time_left: Callable[[], float],
    slice_seconds: float,
    seed: int = 0,
) -> np.ndarray:
    """Improve the best schedule of `shared` by neighbourhood moves until `time_left()` runs
    out or `shared` is closed. Each move starts from the best schedule at that moment, wherever
    it came from (searches in other threads offer theirs to `shared` too), and any schedule the
    sub-solver returns no longer than that replaces it."""
    hoods = Neighbourhoods(shared.shop, np.random.default_rng(seed))
    while not shared.closed and time_left() > 0.05:
        starts, best = shared.starts, shared.value
        name, relaxed = hoods.pick(starts)
        before, after = fixed_precedences(shared.shop, starts, relaxed)
        found, proven = solve_sub(before, after, starts, best, min(slice_seconds, time_left()))
        hoods.adapt(name, proven)
        if found is not None:
            shared.offer(found)
    return shared.starts
