"""Read a job submission (JSON or multipart upload) and validate its problem before it is queued."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TypeVar

from fastapi import HTTPException, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError
from starlette.datastructures import UploadFile

from omnisolve.errors import OmnisolveError
from omnisolve.service.config import Settings
from omnisolve.service.schemas import JobOptions, JobRequest
from omnisolve.service.uploads import parse_problem, problem_kind, safe_filename

M = TypeVar("M", bound=BaseModel)


@dataclass
class Submission:
    content: bytes
    filename: str
    options: JobOptions


async def read_submission(request: Request, settings: Settings) -> Submission:
    """The problem bytes, file name and options of a POST /jobs request (size already bounded
    by the app's body limit)."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == "multipart/form-data":
        submission = await _read_form(request)
    elif content_type == "application/json" or content_type.endswith("+json"):
        req = _validated(JobRequest, await request.body())
        if req.content is not None:  # else `model` (the request has exactly one of the two)
            content, default = req.content.encode("utf-8", "replace"), "upload.txt"
        else:
            content, default = json.dumps(req.model).encode(), "model.json"
        options = JobOptions.model_validate(req.model_dump(include=set(JobOptions.model_fields)))
        submission = Submission(content, safe_filename(req.filename, default), options)
    else:
        raise HTTPException(415, "send the job as application/json or as multipart/form-data with a 'file' part")
    _check_limits(submission.options, settings)
    return submission


async def _read_form(request: Request) -> Submission:
    form = await request.form(max_files=1, max_fields=len(JobOptions.model_fields) + 1)
    upload = form.get("file")
    if not isinstance(upload, UploadFile):
        raise _field_error("file", "a multipart request needs the problem file in a part named 'file'")
    fields = {k: v for k, v in form.multi_items() if k != "file"}
    if any(not isinstance(v, str) for v in fields.values()):
        raise _field_error("file", "only one file part, named 'file', is accepted")
    options = _validated(JobOptions, {k: v for k, v in fields.items() if v != "" or k == "name"})
    return Submission(await upload.read(), safe_filename(upload.filename), options)


def check_problem(submission: Submission) -> str:
    """Parse the problem and make sure the chosen solver takes it; returns the problem kind.
    Raises HTTPException 422 naming the file, line or solver otherwise."""
    from omnisolve.api import pick_solver

    try:
        problem = parse_problem(submission.content, submission.filename)
        backend = pick_solver(problem, submission.options.solver)
        reason = backend.unsupported_reason(problem)
        if reason is None and not backend.available():
            reason = f"its package {backend.package!r} is not installed"
    except OmnisolveError as exc:
        raise HTTPException(422, str(exc)) from None
    if reason is not None:
        raise HTTPException(422, f"solver {backend.name} cannot solve {submission.filename}: {reason}")
    return problem_kind(problem)


def _check_limits(options: JobOptions, settings: Settings) -> None:
    if options.time_limit > settings.max_time_limit:
        raise _field_error("time_limit", f"at most {settings.max_time_limit:g} seconds")
    if options.threads is not None and options.threads > settings.max_threads:
        raise _field_error("threads", f"at most {settings.max_threads}")


def _validated(model: type[M], data: bytes | Mapping[str, object]) -> M:
    """`data` (a JSON body, or a form's fields) as `model`; a 422 naming the field otherwise."""
    try:
        return model.model_validate_json(data) if isinstance(data, bytes) else model.model_validate(data)
    except ValidationError as exc:
        raise RequestValidationError(
            [{"type": e["type"], "loc": ("body", *e["loc"]), "msg": e["msg"]} for e in exc.errors(include_url=False)]
        ) from None


def _field_error(field: str, message: str) -> RequestValidationError:
    return RequestValidationError([{"type": "value_error", "loc": ("body", field), "msg": message}])
