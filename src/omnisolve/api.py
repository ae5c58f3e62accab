"""`omnisolve.solve`: read or compile the problem, pick a solver, solve, and certify the answer."""

from __future__ import annotations

import os
import traceback
from typing import Any

from omnisolve.errors import OmnisolveError
from omnisolve.model import Model, ProblemData
from omnisolve.problems.base import StructuredProblem
from omnisolve.result import Result, Status
from omnisolve.solvers import registry
from omnisolve.solvers.base import IncumbentCallback, Limits, SolverInterface
from omnisolve.verify import verify

Problem = ProblemData | StructuredProblem


def load(problem: Model | Problem | str | os.PathLike) -> Problem:
    """A path is read, a `Model` is compiled, `ProblemData` and structured problems pass through."""
    if isinstance(problem, (str, os.PathLike)):
        from omnisolve.io import read

        return read(problem)
    if isinstance(problem, Model):
        return problem.compile()
    if isinstance(problem, (ProblemData, StructuredProblem)):
        return problem
    raise TypeError(f"cannot solve a {type(problem).__name__}: pass a Model, a problem or a file path")


def pick_solver(problem: Problem, solver: str = "auto") -> SolverInterface:
    """The named backend, or the rule-based choice for `auto`."""
    if solver == "auto":
        from omnisolve.solvers.auto import choose

        return choose(problem)
    return registry.get(solver)


def solve(
    problem: Model | Problem | str | os.PathLike,
    solver: str = "auto",
    time_limit: float = 60.0,
    threads: int = 1,
    gap: float = 1e-6,
    seed: int = 0,
    on_incumbent: IncumbentCallback | None = None,
) -> Result:
    """Solve `problem` and return a `Result` carrying its verifier's `Certificate`.

    Bad input raises an `OmnisolveError`; a backend that crashes gives `Status.ERROR` with the
    reason in `Result.message`. A result whose certificate fails is reported as an error.
    """
    data = load(problem)
    backend = pick_solver(data, solver)
    limits = Limits(time=time_limit, threads=threads, gap=gap, seed=seed)
    try:
        result = backend.solve(data, limits, on_incumbent)
    except OmnisolveError:
        raise
    except Exception as exc:  # a backend bug becomes an error result, never a crash
        result = Result(
            Status.ERROR,
            solver=backend.name,
            message=f"solver {backend.name} failed: {type(exc).__name__}: {exc}",
            log=traceback.format_exc(),
        )
    result.problem_name = getattr(data, "name", "")
    return verify(data, result)
