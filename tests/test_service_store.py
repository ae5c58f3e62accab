"""The job store on SQLite and PostgreSQL: concurrent claims never hand one job to two workers,
heartbeats belong to the claiming worker, and the schema migrates idempotently."""

from __future__ import annotations

import threading

from omnisolve.service.store import Store
from service_fixtures import db_url, postgres_server  # noqa: F401

JOB = dict(
    name=None,
    solver="auto",
    time_limit=1.0,
    threads=1,
    gap=1e-6,
    memory_mb=None,
    problem_kind="jobshop",
    filename="ft06.txt",
    content=b"2 1\n0 1\n0 2\n",
)


def test_concurrent_workers_claim_each_job_exactly_once(db_url):
    store = Store(db_url)
    store.add_token("owner", "0" * 64)
    owner = store.user_for_token("0" * 64)["id"]
    ids = {store.create_job(owner, **JOB)["id"] for _ in range(40)}
    claimed: list[tuple[str, str]] = []
    refused: list[str] = []  # a failed assert in a thread would only be a warning: collected here
    lock = threading.Lock()

    def work(worker: str) -> None:
        mine = Store(db_url, migrate_schema=False)
        while (job := mine.claim(worker)) is not None:
            finished = mine.finish(job["id"], worker, "succeeded")
            with lock:
                claimed.append((job["id"], worker))
                if not finished:
                    refused.append(job["id"])
        mine.close()

    threads = [threading.Thread(target=work, args=(f"w{i}",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(job for job, _ in claimed) == sorted(ids)  # every job once, none twice
    assert refused == []  # the claiming worker may always finish its job
    rows, total = store.list_jobs(owner, "succeeded", 100, 0)
    assert total == 40 and all(r["attempts"] == 1 for r in rows)
    store.close()


def test_only_the_claiming_worker_may_beat_or_finish(db_url):
    store = Store(db_url)
    store.add_token("owner", "1" * 64)
    owner = store.user_for_token("1" * 64)["id"]
    job_id = store.create_job(owner, **JOB)["id"]
    assert store.claim("a")["id"] == job_id and store.claim("b") is None
    assert store.heartbeat(job_id, "b") is None and store.finish(job_id, "b", "failed") is False
    assert store.heartbeat(job_id, "a") is False and store.finish(job_id, "a", "succeeded") is True
    assert store.get_job(job_id)["status"] == "succeeded"
    Store(db_url).close()  # migrating an up-to-date database again is a no-op
    assert store.get_job(job_id, owner + 1) is None
    store.close()
