"""Explain infeasibility: an irreducible infeasible subset (IIS), named with the user's names.

    from omnisolve.explain import explain
    e = explain(problem, time_limit=30)
    e.status          # "infeasible" | "feasible" | "unknown"
    e.rows, e.bounds  # ["c1 (<= 5)", ...], ["x >= 3", "y integer", ...]
    e.irreducible     # verified: dropping any member makes the rest feasible
    e.message         # one paragraph for humans; e.to_dict() for JSON

A layer beside `portfolio`: imports model, problems, solvers, errors and result; only the CLI,
the API and the service import it. `explain` never prints and never raises for a valid
problem (it answers "unknown" with the reason), and keeps to its time limit.
"""

from __future__ import annotations

import math

from omnisolve.explain.explanation import FEASIBLE, INFEASIBLE, UNKNOWN, BoundEntry, Explanation, RowEntry
from omnisolve.model import Model
from omnisolve.problems import Problem

__all__ = ["BoundEntry", "Explanation", "RowEntry", "explain", "FEASIBLE", "INFEASIBLE", "UNKNOWN"]


def explain(problem: Problem | Model, time_limit: float = 30.0) -> Explanation:
    """Why `problem` (a `ProblemData`, a `Model` or a structured problem) is infeasible.

    status "infeasible": `rows`/`bounds` hold an infeasible subset, irreducible when
    `irreducible` is True; "feasible": it is not infeasible; "unknown": undecided within
    `time_limit` seconds, or outside what the methods here handle (`message` says why).
    Raises TypeError only for something that is not a problem at all."""
    from omnisolve.explain.linear import Budget, explain_data, unknown
    from omnisolve.model import ProblemData
    from omnisolve.problems.base import StructuredProblem

    if not isinstance(problem, (ProblemData, Model, StructuredProblem)):
        raise TypeError(f"explain takes a ProblemData, Model or structured problem, not {type(problem).__name__}")
    try:
        seconds = float(time_limit)
    except (TypeError, ValueError):
        seconds = 30.0
    budget = Budget(seconds if math.isfinite(seconds) and seconds > 0 else 30.0)
    try:
        if isinstance(problem, StructuredProblem):
            from omnisolve.explain.structured import explain_structured

            return explain_structured(problem, budget)
        data = problem.compile() if isinstance(problem, Model) else problem
        return explain_data(data, budget)
    except ImportError as exc:
        return unknown(f"a solver package is missing ({exc.name or exc}).", budget)
    except Exception as exc:  # never raise on a problem: say what went wrong instead
        return unknown(f"{type(exc).__name__}: {exc}", budget)
