"""Server-sent events of a job, read from the store so they work across processes and machines."""

from __future__ import annotations

import asyncio
import threading
from typing import AsyncIterator

from fastapi.sse import ServerSentEvent
from starlette.concurrency import run_in_threadpool

from omnisolve.service.store import TERMINAL, Store


async def job_event_stream(
    store: Store, job_id: str, after: int, poll: float, stopping: threading.Event | None = None
) -> AsyncIterator[ServerSentEvent]:
    """Stored events with seq > `after`, then new ones as workers store them, then `end` once the
    job is terminal. The status is read before the events, so the last events are never missed.
    When `stopping` is set (the server shuts down) the stream ends without `end`: the client
    reconnects with Last-Event-ID and misses nothing."""
    seq = after
    while stopping is None or not stopping.is_set():
        job = await run_in_threadpool(store.get_job, job_id)
        for row in await run_in_threadpool(store.events_after, job_id, seq):
            seq = row["seq"]
            yield ServerSentEvent(event=row["kind"], data=row["data"], id=str(seq))
        if job is None or job["status"] in TERMINAL:
            yield ServerSentEvent(event="end", data={"status": job["status"] if job else "deleted"})
            return
        await asyncio.sleep(poll)


def incumbent_trace(store: Store, job_id: str) -> list[list[float | None]]:
    """[[t, objective, bound], ...] from the stored incumbent events of a job still running."""
    return [
        [e["data"].get("t"), e["data"].get("objective"), e["data"].get("bound")]
        for e in store.events_after(job_id, 0)
        if e["kind"] == "incumbent"
    ]
