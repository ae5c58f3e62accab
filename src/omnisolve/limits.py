"""What a run may spend and when it stops: `Limits`, the `Tracker` that watches one run, and the
stopping criteria backends ask through it (small objects combined with `|`, in the spirit of
PyVRP's `pyvrp.stop`).

Times are seconds on the tracker's clock, which reads zero when the run starts. The answer is
due at `Tracker.deadline` (the time limit); a search stops `stop_margin` earlier, at
`Tracker.stop_at`, to leave time for building and reporting its answer. That margin is the one
policy every backend follows."""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Callable, Protocol

#: on_incumbent(elapsed_seconds, objective, bound) — called by backends on every new incumbent
#: or bound improvement; the CLI draws it, the service streams it, bench records it.
IncumbentCallback = Callable[[float, "float | None", "float | None"], None]

#: a monotonic clock in seconds; the tracker's by default is `time.perf_counter`
Clock = Callable[[], float]

# The margin policy: a tenth of the time limit, at least 0.05 s, at most 0.3 s (HiGHS may
# overrun a deadline by a few tenths of a second), never more than half the limit.
MARGIN_SHARE = 0.1
MARGIN_FLOOR = 0.05
MARGIN_CAP = 0.3


def stop_margin(time_limit: float) -> float:
    """Seconds before the deadline at which a search stops, so its answer (result built,
    reported, helpers reaped) still comes back within `time_limit`."""
    return min(MARGIN_CAP, max(MARGIN_FLOOR, MARGIN_SHARE * time_limit), time_limit / 2)


@dataclass(frozen=True)
class Limits:
    """What a solve may spend: wall time (s), threads, memory (MiB), and when to stop early."""

    time: float = 60.0
    threads: int = 1
    memory_mb: int | None = None
    gap: float = 1e-6  # relative gap at which a solver may stop and claim optimality
    seed: int = 0
    # a known solution to start from (values for a ProblemData, the structured solution otherwise);
    # backends that accept one (highs, cpsat) use it as a start/hint, the others ignore it
    start: Any = field(default=None, compare=False)
    # more reasons to stop early (e.g. `Cancelled(event)`, `TargetObjective(v)`): loops ask them
    # through `Tracker.should_stop()`, hooks into native solvers through `Tracker.stop_requested()`
    stop: StoppingCriterion | None = field(default=None, compare=False)
    # in a race, the racer's exchange with the race's board of certified solutions
    # (`portfolio.board.Exchange`): backends that can continue from another's solution call
    # `exchange.swap(objective, solution)` in their loops; None outside a race
    exchange: Any = field(default=None, compare=False)

    def __post_init__(self) -> None:
        if not self.time > 0:
            raise ValueError(f"time limit must be positive, got {self.time}")
        if self.threads < 1:
            raise ValueError(f"threads must be at least 1, got {self.threads}")
        if not 0 <= self.gap < 1:
            raise ValueError(f"gap must be in [0, 1), got {self.gap}")

    def criteria(self) -> StoppingCriterion:
        """When a run stops: the margin before the time limit, the target gap, or `stop`."""
        default = TimeLimit(self.time - stop_margin(self.time)) | TargetGap(self.gap)
        return default if self.stop is None else default | self.stop


class Tracker:
    """One run's clock, incumbent trace and stopping criteria. Backends report every incumbent
    and bound (improvements go to the user's callback), take their time budgets from
    `remaining()` / `search_remaining()` and ask `should_stop()` in their loops (a hook inside a
    native solver asks `stop_requested()`)."""

    def __init__(
        self,
        on_incumbent: IncumbentCallback | None = None,
        sense: str = "min",
        limits: Limits | None = None,
        clock: Clock = time.perf_counter,
    ):
        limits = limits or Limits()
        self._clock = clock
        self.start = clock()
        self.deadline = limits.time  # the answer is due
        self.stop_at = limits.time - stop_margin(limits.time)  # searching ends
        self.criteria = limits.criteria()
        self.extra = limits.stop  # the caller's own criteria, beside the time limit and the gap
        self.sign = 1.0 if sense == "min" else -1.0  # "min" or "max" (`model.Sense` is a str)
        self.objective: float | None = None  # the best reported so far
        self.bound: float | None = None
        self.improved_at = 0.0  # when `objective` last improved (0 before the first incumbent)
        self.trace: list[tuple[float, float | None, float | None]] = []
        self._callback = on_incumbent

    def elapsed(self) -> float:
        return self._clock() - self.start

    def remaining(self) -> float:
        """Seconds until the deadline (negative once it has passed)."""
        return self.deadline - self.elapsed()

    def search_remaining(self) -> float:
        """Seconds a search may still run: until `stop_at` (negative once it has passed)."""
        return self.stop_at - self.elapsed()

    def should_stop(self) -> bool:
        """Whether any stopping criterion holds now."""
        return self.criteria.should_stop(self)

    def stop_requested(self) -> bool:
        """Whether one of the caller's own criteria (`Limits.stop`) holds: what a hook inside a
        native solver asks, the solver enforcing the time limit and the gap itself (so that
        reaching the gap still ends as the solver's own optimality claim)."""
        return self.extra is not None and self.extra.should_stop(self)

    def report(self, objective: float | None, bound: float | None = None) -> None:
        """A new incumbent and/or bound: kept in the trace and passed on if either improves."""
        better_obj = objective is not None and (
            self.objective is None or self.sign * (objective - self.objective) < -1e-12
        )
        better_bound = bound is not None and (self.bound is None or self.sign * (bound - self.bound) > 1e-12)
        if not (better_obj or better_bound):
            return
        t = self.elapsed()
        if better_obj:
            self.objective, self.improved_at = objective, t
        if better_bound:
            self.bound = bound
        self.trace.append((t, objective, bound))
        if self._callback is not None:
            self._callback(t, objective, bound)


class StoppingCriterion(ABC):
    """One reason to stop a run, asked with the run's tracker; `a | b` stops when either does."""

    @abstractmethod
    def should_stop(self, tracker: Tracker) -> bool:
        """Whether the run `tracker` watches should stop now."""

    def __or__(self, other: StoppingCriterion) -> AnyOf:
        return AnyOf(self, other)


@dataclass(frozen=True)
class TimeLimit(StoppingCriterion):
    """Stop once `seconds` have passed on the tracker's clock."""

    seconds: float

    def should_stop(self, tracker: Tracker) -> bool:
        return tracker.elapsed() >= self.seconds


@dataclass(frozen=True)
class TargetGap(StoppingCriterion):
    """Stop once the best objective and bound are within the relative gap `rel`:
    |objective - bound| <= rel * max(1, |objective|), the measure of `result.relative_gap`."""

    rel: float

    def should_stop(self, tracker: Tracker) -> bool:
        objective, bound = tracker.objective, tracker.bound
        if objective is None or bound is None:
            return False
        return abs(objective - bound) <= self.rel * max(1.0, abs(objective))


@dataclass(frozen=True)
class TargetObjective(StoppingCriterion):
    """Stop once an incumbent is at least as good as `value` (in the run's sense)."""

    value: float

    def should_stop(self, tracker: Tracker) -> bool:
        return tracker.objective is not None and tracker.sign * (tracker.objective - self.value) <= 0


@dataclass(frozen=True)
class Stall(StoppingCriterion):
    """Stop once the objective has not improved for `seconds` (counted from the start while
    there is no incumbent)."""

    seconds: float

    def should_stop(self, tracker: Tracker) -> bool:
        return tracker.elapsed() - tracker.improved_at >= self.seconds


class Event(Protocol):
    """What `Cancelled` watches: a `threading.Event`, a `multiprocessing.Event`, ..."""

    def is_set(self) -> bool: ...


@dataclass(frozen=True)
class Cancelled(StoppingCriterion):
    """Stop once the user sets `event`."""

    event: Event

    def should_stop(self, tracker: Tracker) -> bool:
        return self.event.is_set()


class AnyOf(StoppingCriterion):
    """Stop once any of `criteria` says so (nested `AnyOf`s are flattened)."""

    def __init__(self, *criteria: StoppingCriterion):
        flat = (c for given in criteria for c in (given.criteria if isinstance(given, AnyOf) else [given]))
        self.criteria: tuple[StoppingCriterion, ...] = tuple(flat)

    def __repr__(self) -> str:
        return f"AnyOf{self.criteria!r}"

    def should_stop(self, tracker: Tracker) -> bool:
        return any(c.should_stop(tracker) for c in self.criteria)


#: what `omnisolve.solve` takes as `stop`: one criterion, several (the run stops when any does), or none
Criteria = StoppingCriterion | Iterable[StoppingCriterion] | None


def combined(stop: Criteria) -> StoppingCriterion | None:
    """`stop` as the one criterion `Limits.stop` holds: several are combined as `AnyOf`."""
    if stop is None or isinstance(stop, StoppingCriterion):
        return stop
    given = tuple(stop)
    return AnyOf(*given) if given else None
