"""The REST endpoints: /jobs (submit, list, show, cancel, events, solution, figures) and /health."""

from __future__ import annotations

import json
from collections.abc import AsyncIterable
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Header, HTTPException, Path, Query, Request, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from fastapi.sse import EventSourceResponse, ServerSentEvent
from starlette.concurrency import run_in_threadpool

from omnisolve.service.auth import authenticate
from omnisolve.service.config import Settings
from omnisolve.service.events import incumbent_trace, job_event_stream
from omnisolve.service.schemas import ErrorBody, Health, Job, JobList, JobRequest, JobStatus
from omnisolve.service.store import Store
from omnisolve.service.submissions import read_submission

router = APIRouter()
bearer = HTTPBearer(auto_error=False, description="an API token from `omnisolve token create NAME`")
JobId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$", description="job id (32 hex digits)")]
ERRORS: dict[int | str, dict[str, Any]] = {code: {"model": ErrorBody} for code in (401, 404)}


def json_object(description: str) -> dict[int | str, dict[str, Any]]:
    """The OpenAPI responses of a job route answering 200 with a free-form JSON object."""
    content = {"application/json": {"schema": {"type": "object"}}}
    return {**ERRORS, 200: {"content": content, "description": description}}


def get_store(request: Request) -> Store:
    return request.app.state.store


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def current_user(
    store: Annotated[Store, Depends(get_store)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> dict:
    """The user owning the request's Bearer token; 401 otherwise."""
    user = authenticate(store, credentials.credentials) if credentials else None
    if user is None:
        raise HTTPException(
            401,
            "missing or invalid API token: send 'Authorization: Bearer <token>'",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return user


def owned_job(
    job_id: JobId, user: Annotated[dict, Depends(current_user)], store: Annotated[Store, Depends(get_store)]
) -> dict:
    """The caller's job; another user's job is reported missing (404), never forbidden."""
    return stored_job(store, job_id, user["id"])


def stored_job(store: Store, job_id: str, owner_id: int | None = None, *, detail: bool = False) -> dict:
    """The job as `Store.get_job` gives it; 404 when there is none (or it is not `owner_id`'s)."""
    job = store.get_job(job_id, owner_id, detail=detail)
    if job is None:
        raise HTTPException(404, f"no job {job_id}")
    return job


User = Annotated[dict, Depends(current_user)]
OwnedJob = Annotated[dict, Depends(owned_job)]
StoreDep = Annotated[Store, Depends(get_store)]

_FORM_SCHEMA = {
    "type": "object",
    "required": ["file"],
    "properties": {
        "file": {"type": "string", "format": "binary", "description": "a problem file"},
        **{
            k: v
            for k, v in JobRequest.model_json_schema()["properties"].items()
            if k not in ("content", "filename", "model")
        },
    },
}
_SUBMIT_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": JobRequest.model_json_schema()},
            "multipart/form-data": {"schema": _FORM_SCHEMA},
        },
    }
}


@router.post(
    "/jobs",
    status_code=201,
    response_model=Job,
    openapi_extra=_SUBMIT_BODY,
    tags=["jobs"],
    responses={
        **ERRORS,
        413: {"model": ErrorBody},
        415: {"model": ErrorBody},
        422: {"model": ErrorBody},
        503: {"model": ErrorBody},
    },
)
async def submit_job(
    request: Request, user: User, store: StoreDep, settings: Annotated[Settings, Depends(get_settings)]
) -> Job:
    """Queue a problem: JSON with `content` (file text) or `model` (JSON model), or a multipart
    upload with a `file` part. The problem is read and checked first; the job is stored durably
    before the 201 answer."""
    submission = await read_submission(request, settings)
    kind = await request.app.state.upload_checks.kind(submission)
    options = submission.options
    row = await run_in_threadpool(
        store.create_job,
        user["id"],
        name=options.name,
        solver=options.solver,
        time_limit=options.time_limit,
        threads=options.threads or settings.job_threads(),
        gap=options.gap,
        cross_check=options.cross_check,
        memory_mb=options.memory_mb,
        problem_kind=kind,
        filename=submission.filename,
        content=submission.content,
    )
    return Job.from_row(row)


@router.get("/jobs", response_model=JobList, responses=ERRORS, tags=["jobs"])
def list_jobs(
    user: User,
    store: StoreDep,
    status: Annotated[JobStatus | None, Query(description="only jobs with this status")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=10**9)] = 0,
) -> JobList:
    """The caller's jobs, newest first."""
    rows, total = store.list_jobs(user["id"], status, limit, offset)
    return JobList(items=[Job.from_row(r) for r in rows], total=total, limit=limit, offset=offset)


@router.get("/jobs/{job_id}", response_model=Job, responses=ERRORS, tags=["jobs"])
def get_job(job: OwnedJob) -> Job:
    """Status, options and the result summary of one job."""
    return Job.from_row(job)


@router.delete("/jobs/{job_id}", response_model=Job, responses={**ERRORS, 409: {"model": ErrorBody}}, tags=["jobs"])
def cancel_job(job: OwnedJob, user: User, store: StoreDep) -> Job:
    """Cancel: a queued job at once; a running one is killed by its worker within about a second
    (the answer then shows `cancel_requested`). A finished job gives 409."""
    outcome = store.cancel(job["id"], user["id"])
    if outcome == "finished":
        raise HTTPException(409, f"job {job['id']} is already {job['status']}")
    if outcome == "missing":
        raise HTTPException(404, f"no job {job['id']}")
    return Job.from_row(stored_job(store, job["id"], user["id"]))


@router.get(
    "/jobs/{job_id}/events",
    response_class=EventSourceResponse,
    responses=ERRORS,
    tags=["jobs"],
)
async def job_events(
    job: OwnedJob,
    store: StoreDep,
    settings: Annotated[Settings, Depends(get_settings)],
    request: Request,
    last_event_id: Annotated[int, Header(ge=0, le=2**62, description="resume after this event id")] = 0,
) -> AsyncIterable[ServerSentEvent]:
    """Server-sent events: `status` ({"status"}), `incumbent` ({"t", "objective", "bound"}), and a
    final `end` once the job is finished; stored events are replayed first."""
    async for item in job_event_stream(
        store, job["id"], last_event_id, settings.poll_interval, request.app.state.stopping
    ):
        yield item


@router.get(
    "/jobs/{job_id}/solution",
    tags=["jobs"],
    responses=json_object("the full Result JSON, with variable values and solver log"),
)
def job_solution(job: OwnedJob, store: StoreDep) -> Response:
    """Download the full result (with `values` and `log`); 404 while there is none."""
    full = stored_job(store, job["id"], detail=True)
    if full["result"] is None:
        raise HTTPException(404, f"job {job['id']} has no result yet (status {job['status']})")
    body = json.dumps({**full["result"], **(full["result_detail"] or {})}, indent=2)
    name = f"{job['filename'].rsplit('.', 1)[0]}-{job['id'][:8]}-result.json"
    return Response(
        body, media_type="application/json", headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


@router.get(
    "/jobs/{job_id}/figures/{kind}",
    tags=["jobs"],
    responses=json_object("a plotly figure: {data, layout}"),
)
async def job_figure(job: OwnedJob, kind: Literal["solution", "progress"], request: Request, store: StoreDep) -> dict:
    """A plotly figure of the solution, or of incumbent and bound over time."""
    from omnisolve.service.pictures import figure_of

    # The job's problem is read again to draw it, in a child process with the limits of an
    # upload's check: a big problem costs that child, never the API process's memory.

    full = await run_in_threadpool(lambda: stored_job(store, job["id"], detail=True))
    trace = job["result"]["trace"] if job["result"] else await run_in_threadpool(incumbent_trace, store, job["id"])
    result = job["result"] and {**job["result"], **(full["result_detail"] or {})}  # with the values
    figure = await request.app.state.upload_checks.run(
        figure_of, (full["content"], job["filename"], kind, result, trace), job["memory_mb"], job["filename"]
    )
    if figure is None:
        raise HTTPException(404, f"no {kind} figure for job {job['id']} (status {job['status']})")
    return figure


@router.get("/health", response_model=Health, tags=["service"], responses={503: {"model": Health}})
def health(store: StoreDep, response: Response) -> Health:
    """Liveness and database reachability; needs no token."""
    from omnisolve.version import __version__

    try:
        store.ping()
        database = "ok"
    except Exception as exc:  # report, don't fail: this is what monitoring asks
        database, response.status_code = f"error: {type(exc).__name__}", 503
    return Health(status="ok" if database == "ok" else "degraded", database=database, version=__version__)
