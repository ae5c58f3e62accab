"""`Result`: what every solver returns, with the verifier's `Certificate` attached."""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field
from enum import Enum, StrEnum
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


class Optimality(str, Enum):
    """What is known about a result's claim (optimal, infeasible or unbounded).

    PROVEN: checked from the data (dual certificate, Farkas ray, primal ray and a feasible point)
    or confirmed by an independent solver's run; CLAIMED: only a backend's word; REFUTED: a
    witness showed a claim wrong (the result then carries the best certified answer); NONE: no
    claim was made (a feasible answer stopped by a limit, an error)."""

    PROVEN = "proven"
    CLAIMED = "claimed"
    REFUTED = "refuted"
    NONE = "none"


class Verdict(StrEnum):
    """The verifier's finding on an answer. A `str`: equal to, and written as, "pass" / "fail" /
    "none"."""

    PASS = "pass"  # the answer satisfies the problem (within the tolerance)
    FAIL = "fail"  # it violates the problem: `Certificate.messages` say how
    NONE = "none"  # no solution to check


@dataclass
class Certificate:
    """The verifier's independent check of an answer (see `omnisolve.verify`): feasibility from
    the data, and what is proven about the status the backend claimed."""

    verdict: Verdict
    objective: float | None = None  # recomputed from the problem, never copied from the solver
    max_violation: float = 0.0  # largest violation of a bound or row, relative to max(1, |rhs|)
    integrality_violation: float = 0.0
    objective_error: float = 0.0  # |solver's objective - recomputed| (relative)
    tolerance: float = 1e-6
    messages: list[str] = field(default_factory=list)
    optimality: Optimality = Optimality.NONE
    bound: float | None = None  # a certified bound on the optimum (never a solver's bare word)
    evidence: str = ""  # how the claim was proven, or why it is only claimed
    residual: float | None = None  # dual infeasibility / ray residual of the checked evidence
    refutation: str = ""  # who claimed what, and who showed it wrong
    witnesses: list[dict[str, Any]] = field(default_factory=list)  # the cross-check's runs

    def __post_init__(self) -> None:
        self.verdict = Verdict(self.verdict)
        self.optimality = Optimality(self.optimality)

    @property
    def passed(self) -> bool:
        return self.verdict == Verdict.PASS


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
    # evidence a backend may return for the verifier to check from the data: row duals y with
    # reduced costs c - A'y (optimal LP/QP), or a ray: Farkas multipliers over the rows
    # (infeasible) or a primal direction over the variables (unbounded)
    duals: np.ndarray | None = None
    ray: np.ndarray | None = None
    solution: Any = None  # tour, routes, schedule or item list for structured problems
    runtime: float = 0.0
    solver: str = ""
    solver_version: str = ""
    trace: list[tuple[float, float | None, float | None]] = field(default_factory=list)
    log: str = ""
    message: str = ""
    certificate: Certificate | None = None
    problem_name: str = ""
    extra: dict[str, Any] = field(default_factory=dict)  # structured side information (e.g. a race's per-solver traces)

    @property
    def gap(self) -> float | None:
        """The gap to a certified bound (see `Certificate.bound`); None without one."""
        if self.certificate is None:
            return None
        return relative_gap(self.objective, self.certificate.bound)

    @property
    def claimed_gap(self) -> float | None:
        """The gap to the backend's own bound, which nobody checked."""
        return relative_gap(self.objective, self.bound)

    @property
    def optimality(self) -> Optimality:
        return self.certificate.optimality if self.certificate is not None else Optimality.NONE

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["status"] = self.status.value
        d["gap"] = self.gap
        d["claimed_gap"] = self.claimed_gap
        for key in ("values", "duals", "ray"):
            d[key] = None if getattr(self, key) is None else np.asarray(getattr(self, key), float).tolist()
        d["solution"] = jsonable(self.solution)
        d["trace"] = [list(t) for t in self.trace]
        plain: dict[str, Any] = jsonable(d)
        return plain

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Result":
        d = dict(d)
        d.pop("gap", None)
        d.pop("claimed_gap", None)
        cert = d.pop("certificate", None)
        arrays = {key: d.pop(key, None) for key in ("values", "duals", "ray")}
        arrays = {key: None if a is None else np.asarray(a, float) for key, a in arrays.items()}
        return cls(
            status=Status(d.pop("status")),
            **arrays,
            certificate=Certificate(**cert) if cert else None,
            trace=[tuple(t) for t in d.pop("trace", [])],
            **d,
        )


def jsonable(obj: Any) -> Any:
    """Numpy scalars/arrays and tuples to plain JSON types; inf/nan to None."""
    if isinstance(obj, Enum):
        return obj.value
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
