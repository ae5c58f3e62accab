"""The one interface every solver backend implements (its limits and tracker are in `omnisolve.limits`)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

import numpy as np

from omnisolve.errors import UnsupportedError
from omnisolve.limits import IncumbentCallback, Limits, Tracker
from omnisolve.model import ProblemData, Sense
from omnisolve.problems import Problem, StructuredProblem
from omnisolve.result import Result, Status
from omnisolve.solvers.requirements import kind_reason


class SolverInterface(ABC):
    """A backend. Subclasses set `name`, `package` (the import it needs), `accepts` (or
    override `unsupported_reason`) and implement `_solve`; the first paragraph of their
    docstring is their `description`. See docs/adding-a-solver.md for the template."""

    name: str = ""
    package: str = ""  # module imported lazily; missing -> the solver is listed as not installed
    description: str = ""  # one line for `omnisolve solvers`: by default the docstring's first paragraph
    # True for a backend whose "optimal" on a nonconvex model is a global claim (spatial
    # branch-and-bound); the verifier turns any other backend's "optimal" on such a model into
    # "feasible", since a local optimum is not an optimum
    global_search: bool = False
    # the structured problem classes it solves, asked by the default `unsupported_reason`; a
    # backend of models (`ProblemData`) overrides `unsupported_reason` instead
    accepts: tuple[type[StructuredProblem], ...] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """A backend's `description` is the first paragraph of its docstring (as click takes a
        command's help), unless it sets one."""
        super().__init_subclass__(**kwargs)
        if "description" not in vars(cls) and cls.__doc__:
            cls.description = " ".join(cls.__doc__.split("\n\n")[0].split())

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

    def unsupported_reason(self, problem: Problem) -> str | None:
        """None if this backend can solve `problem`, else a one-line reason why not: here, unless
        `problem` is one of `accepts`; a backend with more to check overrides it and calls this."""
        if not self.accepts:
            raise NotImplementedError(f"solver {self.name}: set `accepts` or override `unsupported_reason`")
        return kind_reason(problem, *self.accepts)

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
        tracker = Tracker(on_incumbent, getattr(problem, "sense", Sense.MIN), limits)
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


def concluded(result: Result, tracker: Tracker, data: ProblemData, point: np.ndarray | None = None) -> Result:
    """The LP/MILP backends' last step: a solution's objective and bound go to the tracker, an
    unbounded result carries `point` (a feasible point of its ray) as its values, and the
    result is named after the problem."""
    if result.status.has_solution:
        tracker.report(result.objective, result.bound)
    elif result.status == Status.UNBOUNDED:
        result.values = point
    result.problem_name = data.name
    return result
