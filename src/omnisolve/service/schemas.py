"""Request and response models of the API (they make the OpenAPI schema precise)."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

JobStatus = Literal["queued", "running", "succeeded", "failed", "cancelled"]


class JobOptions(BaseModel):
    """How to solve: the same options as `omnisolve solve`."""

    model_config = ConfigDict(extra="forbid")

    solver: str = Field("auto", min_length=1, max_length=64, description="backend name, auto (learned choice) or race")
    time_limit: float = Field(10.0, gt=0, le=24 * 3600, description="seconds")
    threads: int | None = Field(
        None, ge=1, le=64, description="cores for the solve; default: the server's cores divided among its workers"
    )
    gap: float = Field(1e-6, ge=0, lt=1, description="relative gap at which to stop")
    cross_check: Literal["off", "claims", "always"] = Field(
        "claims",
        description="an independent solver checks unproven optimal/infeasible/unbounded claims (claims), "
        "also feasible answers (always), or never (off)",
    )
    memory_mb: int | None = Field(
        None, ge=64, le=2**20, description="memory limit of the solve (MiB); default from the settings"
    )
    name: str | None = Field(None, max_length=200, pattern=r"^[^\x00]*$", description="a label for the job")


class JobRequest(JobOptions):
    """A problem as file text (`content`, any format omnisolve reads, sniffed with `filename`)
    or as a JSON model object (`model`, see docs/json-format.md) — exactly one of the two."""

    content: str | None = Field(None, description="the text of a problem file")
    filename: str | None = Field(
        None, max_length=255, description="the file's name; its extension helps to detect the format"
    )
    model: dict[str, Any] | None = Field(None, description="a JSON model object (docs/json-format.md)")

    @model_validator(mode="after")
    def _one_problem(self) -> "JobRequest":
        if (self.content is None) == (self.model is None):
            raise ValueError("give exactly one of 'content' (file text) or 'model' (JSON model object)")
        return self


class Certificate(BaseModel):
    verdict: str
    objective: float | None = None
    max_violation: float = 0.0
    integrality_violation: float = 0.0
    objective_error: float = 0.0
    tolerance: float = 1e-6
    messages: list[str] = []
    optimality: str = Field(
        "none", description="proven (from the data or by an independent run), claimed, refuted or none"
    )
    bound: float | None = Field(None, description="a certified bound on the optimum")
    evidence: str = Field("", description="how the claim was proven, or why it is only claimed")
    residual: float | None = None
    refutation: str = Field("", description="who claimed what, and who showed it wrong")
    witnesses: list[dict[str, Any]] = Field([], description="the cross-check's runs")


class ResultSummary(BaseModel):
    """`Result.to_dict()` without the large `values` and `log` (download them from /solution)."""

    status: str
    objective: float | None = None
    bound: float | None = None
    gap: float | None = Field(None, description="gap to the certified bound")
    claimed_gap: float | None = Field(None, description="gap to the solver's own, unchecked bound")
    solution: Any = None
    runtime: float = 0.0
    solver: str = ""
    solver_version: str = ""
    trace: list[list[float | None]] = []
    message: str = ""
    certificate: Certificate | None = None
    problem_name: str = ""
    extra: dict[str, Any] = Field({}, description="side information, e.g. how `auto` chose the solver")


class Job(BaseModel):
    id: str
    name: str | None
    status: JobStatus
    solver: str
    time_limit: float
    threads: int
    gap: float
    cross_check: str = "claims"
    memory_mb: int | None
    problem_kind: str
    filename: str
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    attempts: int
    cancel_requested: bool
    error: str | None
    result: ResultSummary | None

    @classmethod
    def from_row(cls, row: dict) -> "Job":
        times = {k: _utc(row[k]) for k in ("created_at", "started_at", "finished_at")}
        return cls.model_validate({k: row[k] for k in cls.model_fields if k in row} | times)


class JobList(BaseModel):
    items: list[Job]
    total: int
    limit: int
    offset: int


class Health(BaseModel):
    status: str
    database: str
    version: str


class ErrorBody(BaseModel):
    detail: Any


def _utc(seconds: float | None) -> datetime | None:
    return None if seconds is None else datetime.fromtimestamp(seconds, tz=timezone.utc)


class NLRequest(BaseModel):
    """A problem in words for POST /nl. The language model is the server's (its settings)."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(..., min_length=1, max_length=20_000, description="the problem, stated in words")
    samples: int = Field(1, ge=1, le=5, description="candidates to formulate; the answer most of them agree on wins")


class NLCandidate(BaseModel):
    status: str = Field(description="the candidate model's result, or 'no model' when the repairs ran out")
    objective: float | None = Field(None, description="its certified objective")
    structure: str = Field("", description="its model's shape: sense, variables (integer ones), constraints")
    repairs: int
    tokens: int
    error: str = ""


class NLAnswer(BaseModel):
    """The chosen candidate: formulation, model, answer and the certified result, and how the
    candidates agreed."""

    formulation: dict[str, Any] = Field(description="sets, parameters, variables, objective, constraints")
    model: dict[str, Any] = Field(description="the omnisolve JSON model (docs/json-format.md)")
    answer: dict[str, Any] = Field(description="non-zero values by variable name, or a structured solution")
    result: ResultSummary
    repairs: list[str] = Field(description="the messages sent back to the language model to repair the model")
    candidates: list[NLCandidate]
    chosen: int = Field(description="index of the chosen candidate")
    agreeing: int = Field(description="how many candidates certified the chosen answer")
