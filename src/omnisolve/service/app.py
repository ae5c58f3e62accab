"""`create_app(settings)`: the FastAPI application (API routes + the UI's router)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from contextlib import asynccontextmanager
from typing import AsyncIterator

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from omnisolve.service.config import Settings, register_extra_solvers
from omnisolve.service.store import Store
from omnisolve.service.upload_check import SHUTTING_DOWN, UploadChecks

log = logging.getLogger("omnisolve.service")


def create_app(settings: Settings | None = None) -> FastAPI:
    """The app; its lifespan opens (and migrates) the store, so use it as
    `with TestClient(create_app(s)) as client:` in tests."""
    settings = settings or Settings.from_env()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        register_extra_solvers(settings)
        store = await run_in_threadpool(Store, settings.db_url)
        app.state.store = store
        threading.Thread(target=app.state.upload_checks.warm_up, daemon=True, name="fork-server-start").start()
        try:
            yield
        finally:
            store.close()

    from omnisolve.service import nl_routes, ui
    from omnisolve.service.api_routes import router
    from omnisolve.version import __version__

    app = FastAPI(
        title="omnisolve",
        version=__version__,
        lifespan=lifespan,
        description="Submit optimization problems, follow the solver live, download certified results. "
        "Every endpoint except /health needs `Authorization: Bearer <token>`.",
    )
    app.state.settings = settings
    app.state.stopping = threading.Event()  # set by `begin_shutdown`
    app.state.upload_checks = UploadChecks(settings, app.state.stopping)
    app.add_exception_handler(Exception, _internal_error)
    app.add_middleware(BodyLimit, limit=settings.max_upload_bytes)
    app.add_middleware(QuietShutdown, stopping=app.state.stopping)
    app.include_router(router)
    app.include_router(nl_routes.router)
    app.include_router(ui.router, include_in_schema=False)  # pages, not API
    return app


def begin_shutdown(app: FastAPI) -> None:
    """The server was asked to stop: running upload checks are killed (their requests answer
    503), and requests still running when the server's grace period ends stop quietly."""
    app.state.upload_checks.stop()


async def _internal_error(request: Request, exc: Exception) -> JSONResponse:
    """A bug answers 500 JSON and is logged; the service keeps running."""
    log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return JSONResponse({"detail": f"internal error: {type(exc).__name__}"}, status_code=500)


class BodyLimit:
    """Refuse request bodies over `limit` bytes with 413 JSON: at once when Content-Length says so,
    else while the body streams in (the read raises), so nothing unbounded is ever buffered."""

    def __init__(self, app: ASGIApp, limit: int):
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        too_large = HTTPException(413, f"request body larger than the limit of {self.limit} bytes")
        length = dict(scope["headers"]).get(b"content-length", b"")
        if length.isdigit() and int(length) > self.limit:
            return await JSONResponse({"detail": too_large.detail}, status_code=413)(scope, receive, send)
        seen, exceeded = 0, False

        async def limited() -> Message:
            nonlocal seen, exceeded
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.limit:
                exceeded = True
                raise too_large
            return message

        async def answer(message: Message) -> None:
            # a reader of the stream (the multipart parser) may turn the raise into its own 400:
            # whatever the app answers once the limit is passed becomes the 413
            if not exceeded:
                await send(message)
            elif message["type"] == "http.response.start":
                await JSONResponse({"detail": too_large.detail}, status_code=413)(scope, receive, send)

        await self.app(scope, limited, answer)


class QuietShutdown:
    """A request still running when the server stops (an upload still streaming in, an open event
    stream) is cancelled by uvicorn once its graceful shutdown times out: it then answers 503 if it
    had not answered yet, and ends with one log line instead of a CancelledError traceback."""

    def __init__(self, app: ASGIApp, stopping: threading.Event):
        self.app, self.stopping = app, stopping

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started = finished = False

        async def watched(message: Message) -> None:
            nonlocal started, finished
            started = started or message["type"] == "http.response.start"
            finished = finished or (message["type"] == "http.response.body" and not message.get("more_body"))
            await send(message)

        try:
            await self.app(scope, receive, watched)
        except BaseException as exc:
            if not (self.stopping.is_set() and _only_cancelled(exc)):
                raise
            task = asyncio.current_task()
            if task is not None:
                task.uncancel()  # handled: the task ends normally
            log.info("%s %s stopped by the shutdown", scope["method"], scope["path"])
            with contextlib.suppress(Exception):  # the client may be gone already
                if not started:
                    await JSONResponse({"detail": SHUTTING_DOWN}, status_code=503)(scope, receive, send)
                elif not finished:  # a stream: end it properly
                    await send({"type": "http.response.body", "body": b"", "more_body": False})


def _only_cancelled(exc: BaseException) -> bool:
    if isinstance(exc, BaseExceptionGroup):
        return exc.split(asyncio.CancelledError)[1] is None
    return isinstance(exc, asyncio.CancelledError)
