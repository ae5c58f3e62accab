"""The one interface every solver backend implements, and the limits it must respect."""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any, Callable

from omnisolve.errors import UnsupportedError
from omnisolve.model import Sense
from omnisolve.problems import Problem
from omnisolve.result import Result

#: on_incumbent(elapsed_seconds, objective, bound) — called by backends on every new incumbent
#: or bound improvement; the CLI draws it, the service streams it, bench records it.
IncumbentCallback = Callable[[float, "float | None", "float | None"], None]


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

    def __post_init__(self) -> None:
        if not self.time > 0:
            raise ValueError(f"time limit must be positive, got {self.time}")
        if self.threads < 1:
            raise ValueError(f"threads must be at least 1, got {self.threads}")
        if not 0 <= self.gap < 1:
            raise ValueError(f"gap must be in [0, 1), got {self.gap}")


class Tracker:
    """Collects the incumbent trace and forwards improvements to the user's callback."""

    def __init__(self, on_incumbent: IncumbentCallback | None, sense: str = Sense.MIN):
        self.start = time.perf_counter()
        self.trace: list[tuple[float, float | None, float | None]] = []
        self._callback = on_incumbent
        self._sign = 1.0 if sense == Sense.MIN else -1.0

    def elapsed(self) -> float:
        return time.perf_counter() - self.start

    def report(self, objective: float | None, bound: float | None = None) -> None:
        if self.trace:
            _, last_obj, last_bound = self.trace[-1]
            better_obj = objective is not None and (last_obj is None or self._sign * (objective - last_obj) < -1e-12)
            better_bound = bound is not None and (last_bound is None or self._sign * (bound - last_bound) > 1e-12)
            if not (better_obj or better_bound):
                return
        t = self.elapsed()
        self.trace.append((t, objective, bound))
        if self._callback is not None:
            self._callback(t, objective, bound)


class SolverInterface(ABC):
    """A backend. Subclasses set `name`, `package` (the import it needs) and implement
    `unsupported_reason` and `_solve`; see docs/adding-a-solver.md for the template."""

    name: str = ""
    package: str = ""  # module imported lazily; missing -> the solver is listed as not installed
    description: str = ""
    # True for a backend whose "optimal" on a nonconvex model is a global claim (spatial
    # branch-and-bound); the verifier turns any other backend's "optimal" on such a model into
    # "feasible", since a local optimum is not an optimum
    global_search: bool = False

    @classmethod
    def available(cls) -> bool:
        import importlib.util

        return not cls.package or importlib.util.find_spec(cls.package) is not None

    def version(self) -> str:
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version(self.package) if self.package else ""
        except PackageNotFoundError:
            return ""

    @abstractmethod
    def unsupported_reason(self, problem: Problem) -> str | None:
        """None if this backend can solve `problem`, else a one-line reason why not."""

    def supports(self, problem: Problem) -> bool:
        return self.unsupported_reason(problem) is None

    def solve(
        self, problem: Problem, limits: Limits | None = None, on_incumbent: IncumbentCallback | None = None
    ) -> Result:
        """Solve and return an (unverified) `Result`; `omnisolve.solve` adds the certificate."""
        reason = self.unsupported_reason(problem)
        if reason is not None:
            raise UnsupportedError(f"solver {self.name}: {reason}")
        if not self.available():
            raise UnsupportedError(f"solver {self.name} needs the package {self.package!r}, which is not installed")
        limits = limits or Limits()
        tracker = Tracker(on_incumbent, getattr(problem, "sense", Sense.MIN))
        result = self._solve(problem, limits, tracker)
        result.runtime = result.runtime or tracker.elapsed()
        result.trace = result.trace or tracker.trace
        result.solver = result.solver or self.name
        result.solver_version = result.solver_version or self.version()
        if self.global_search:
            result.extra = {**result.extra, "global_search": True}
        return result

    @abstractmethod
    def _solve(self, problem: Problem, limits: Limits, tracker: Tracker) -> Result:
        """Backend-specific work; report incumbents with `tracker.report(objective, bound)`."""
