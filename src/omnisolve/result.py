"""`Result`: what every solver returns, with the verifier's `Certificate` attached."""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field
from enum import Enum
from typing import Any

import numpy as np


class Status(str, Enum):
    OPTIMAL = "optimal"
    FEASIBLE = "feasible"
    INFEASIBLE = "infeasible"
    UNBOUNDED = "unbounded"
    TIME_LIMIT = "time_limit"  # stopped by the limit with no feasible answer
    ERROR = "error"

    @property
    def has_solution(self) -> bool:
        return self in (Status.OPTIMAL, Status.FEASIBLE)


@dataclass
class Certificate:
    """The verifier's independent check of an answer (see `omnisolve.verify`)."""

    verdict: str  # "pass", "fail" or "none" (no solution to check)
    objective: float | None = None  # recomputed from the problem, never copied from the solver
    max_violation: float = 0.0  # largest violation of a bound or row, relative to max(1, |rhs|)
    integrality_violation: float = 0.0
    objective_error: float = 0.0  # |solver's objective - recomputed| (relative)
    tolerance: float = 1e-6
    messages: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return self.verdict == "pass"


def relative_gap(objective: float | None, bound: float | None) -> float | None:
    """|objective - bound| / max(1, |objective|); None when either is missing."""
    if objective is None or bound is None or not (math.isfinite(objective) and math.isfinite(bound)):
        return None
    return abs(objective - bound) / max(1.0, abs(objective))


@dataclass
class Result:
    """Status, objective, bound, gap, values or structured solution, trace, log and certificate."""

    status: Status
    objective: float | None = None
    bound: float | None = None
    values: np.ndarray | None = None  # one value per variable, for model problems
    solution: Any = None  # tour, routes, schedule or item list for structured problems
    runtime: float = 0.0
    solver: str = ""
    solver_version: str = ""
    trace: list[tuple[float, float | None, float | None]] = field(default_factory=list)
    log: str = ""
    message: str = ""
    certificate: Certificate | None = None
    problem_name: str = ""
    extra: dict = field(default_factory=dict)  # structured side information (e.g. a race's per-solver traces)

    @property
    def gap(self) -> float | None:
        if self.status == Status.OPTIMAL and self.objective is not None and self.bound is None:
            return 0.0
        return relative_gap(self.objective, self.bound)

    def to_dict(self) -> dict:
        d = asdict(self)
        d["status"] = self.status.value
        d["gap"] = self.gap
        d["values"] = None if self.values is None else np.asarray(self.values, float).tolist()
        d["solution"] = jsonable(self.solution)
        d["trace"] = [list(t) for t in self.trace]
        return jsonable(d)

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent)

    @classmethod
    def from_dict(cls, d: dict) -> "Result":
        d = dict(d)
        d.pop("gap", None)
        cert = d.pop("certificate", None)
        values = d.pop("values", None)
        return cls(
            status=Status(d.pop("status")),
            values=None if values is None else np.asarray(values, float),
            certificate=Certificate(**cert) if cert else None,
            trace=[tuple(t) for t in d.pop("trace", [])],
            **d,
        )


def jsonable(obj):
    """Numpy scalars/arrays and tuples to plain JSON types; inf/nan to None."""
    if isinstance(obj, dict):
        return {str(k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return jsonable(obj.tolist())
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, (float, np.floating)):
        return float(obj) if math.isfinite(obj) else None
    return obj
