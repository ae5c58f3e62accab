"""POST /nl: a problem in words to its formulation, model, answer and certificate
(`omnisolve.nl.formulate`), with the server's language model (settings `nl_base_url` /
`nl_model`, key from the server's OPENAI_API_KEY): a request names none, so nobody can point
the server elsewhere. The language model writes JSON only; nothing it writes is executed.

The request waits for the answer: a language model's few calls and a small model's solves
(one thread, `SOLVE_SECONDS` each) in a worker thread of the API process."""

from __future__ import annotations

from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException
from starlette.concurrency import run_in_threadpool

from omnisolve.errors import OmnisolveError
from omnisolve.service.api_routes import ERRORS, User, get_settings
from omnisolve.service.config import Settings
from omnisolve.service.schemas import ErrorBody, NLAnswer, NLRequest

router = APIRouter()
SOLVE_SECONDS = 10.0
NOT_CONFIGURED = "this server has no language model configured (its OMNISOLVE_NL_BASE_URL setting)"


@router.post(
    "/nl",
    response_model=NLAnswer,
    tags=["nl"],
    responses={
        **ERRORS,
        422: {"model": ErrorBody},
        502: {"model": ErrorBody, "description": "the server's language model failed"},
        503: {"model": ErrorBody, "description": "no language model configured"},
    },
)
async def solve_words(body: NLRequest, user: User, settings: Annotated[Settings, Depends(get_settings)]) -> NLAnswer:
    """Formulate the problem stated in `text`, solve and certify the model, repair it from
    omnisolve's messages; with `samples` > 1 the answer most candidates agree on. 422 when no
    usable model came out, 502 when the language model failed, 503 when there is none."""
    from omnisolve.nl import EndpointError, formulate

    if not settings.nl_base_url:
        raise HTTPException(503, NOT_CONFIGURED)
    work = partial(
        formulate,
        body.text,
        base_url=settings.nl_base_url,
        model=settings.nl_model or None,
        samples=body.samples,
        time_limit=SOLVE_SECONDS,
        threads=1,
    )
    try:
        found = await run_in_threadpool(work)
    except EndpointError as exc:
        raise HTTPException(502, f"the server's language model failed: {exc.reason}") from None
    except OmnisolveError as exc:
        raise HTTPException(422, str(exc)) from None
    result: dict[str, Any] = found.result.to_dict()
    for key in ("values", "log", "duals", "ray"):
        result.pop(key, None)
    result["extra"].pop("nl", None)  # said below, field by field
    return NLAnswer.model_validate(
        {
            "formulation": found.formulation,
            "model": found.model,
            "answer": found.answer,
            "result": result,
            "repairs": found.feedback,
            "candidates": found.candidates,
            "chosen": found.chosen,
            "agreeing": found.summary["agreeing"],
        }
    )
