"""The durable job store: users, tokens, jobs and their events, on SQLite or PostgreSQL.

Every state change is one short transaction whose first statement writes, so SQLite's writer lock
is taken up front (no lock upgrades) and PostgreSQL rows are locked by the UPDATE itself. Workers
claim jobs with one conditional UPDATE (`FOR UPDATE SKIP LOCKED` in its subquery on PostgreSQL).
"""

from __future__ import annotations

import os
import time
import uuid
from pathlib import Path
from typing import Any, Iterable

from sqlalchemy import ColumnElement, Engine, func, insert, select, text, update

from omnisolve.service.config import Settings
from omnisolve.service.tables import job_events, jobs, tokens, users
from omnisolve.storage import Database

TERMINAL = ("succeeded", "failed", "cancelled")
MIGRATIONS = Path(__file__).with_name("migrations")
# Columns of a job row without the uploaded content and the large part of the result.
SUMMARY = [c for c in jobs.c if c.name not in ("content", "result_detail")]


def migrate(engine: Engine) -> None:
    """Upgrade the schema to the newest Alembic revision (no alembic.ini needed)."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":  # several processes may start at once
            conn.execute(text("SELECT pg_advisory_xact_lock(7105324)"))
        config.attributes["connection"] = conn
        command.upgrade(config, "head")


class Store(Database):
    """All database access of the service; rows come back as plain dicts. `url` is a database
    URL or a SQLite file path; `get_storage(None)` opens `$OMNISOLVE_DB` or ./omnisolve.db."""

    kind = "service database"

    def __init__(self, url: str | os.PathLike, migrate_schema: bool = True):
        self.migrate_schema = migrate_schema
        super().__init__(url)

    @classmethod
    def default_location(cls) -> str:
        return Settings.from_env().db_url

    def prepare(self) -> None:
        if self.migrate_schema:
            migrate(self.engine)

    def ping(self) -> None:
        with self.engine.connect() as conn:
            conn.execute(text("SELECT 1"))

    # users and tokens -------------------------------------------------------------------------

    def add_token(self, user_name: str, token_hash: str) -> None:
        """Store a token hash for `user_name`, creating the user on first use."""
        with self.engine.begin() as conn:
            user_id = conn.execute(select(users.c.id).where(users.c.name == user_name)).scalar()
            if user_id is None:
                user_id = conn.execute(
                    insert(users).values(name=user_name, created_at=time.time()).returning(users.c.id)
                ).scalar_one()
            conn.execute(
                insert(tokens).values(user_id=user_id, token_hash=token_hash, created_at=time.time(), revoked=False)
            )

    def user_for_token(self, token_hash: str) -> dict | None:
        query = (
            select(users.c.id, users.c.name)
            .join(tokens, tokens.c.user_id == users.c.id)
            .where(tokens.c.token_hash == token_hash, tokens.c.revoked.is_(False))
        )
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        return None if row is None else dict(row._mapping)

    def list_tokens(self) -> list[dict]:
        query = (
            select(tokens.c.id, users.c.name, tokens.c.created_at, tokens.c.revoked)
            .join(users, tokens.c.user_id == users.c.id)
            .order_by(tokens.c.id)
        )
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(query)]

    def revoke_tokens(self, token_id: int | None = None, user_name: str | None = None) -> int:
        """Revoke one token by id, or every token of a user; returns how many were revoked."""
        stmt = update(tokens).where(tokens.c.revoked.is_(False)).values(revoked=True)
        if token_id is not None:
            stmt = stmt.where(tokens.c.id == token_id)
        if user_name is not None:
            stmt = stmt.where(tokens.c.user_id.in_(select(users.c.id).where(users.c.name == user_name)))
        with self.engine.begin() as conn:
            return conn.execute(stmt).rowcount

    # jobs as the API sees them ----------------------------------------------------------------

    def create_job(self, owner_id: int, **fields: Any) -> dict:
        """Insert a queued job and its first event; committed when this returns."""
        now = time.time()
        row = dict(
            fields,
            id=uuid.uuid4().hex,
            owner_id=owner_id,
            status="queued",
            attempts=0,
            cancel_requested=False,
            created_at=now,
        )
        with self.engine.begin() as conn:
            conn.execute(insert(jobs).values(**row))
            self._event(conn, row["id"], "status", {"status": "queued"}, now)
        row.pop("content")
        return {c.name: row.get(c.name) for c in SUMMARY}

    def get_job(self, job_id: str, owner_id: int | None = None, *, detail: bool = False) -> dict | None:
        """The job (None if missing or not `owner_id`'s); `detail` adds content and result_detail."""
        query = select(*(jobs.c if detail else SUMMARY)).where(jobs.c.id == job_id)
        if owner_id is not None:
            query = query.where(jobs.c.owner_id == owner_id)
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        return None if row is None else dict(row._mapping)

    def list_jobs(self, owner_id: int, status: str | None, limit: int, offset: int) -> tuple[list[dict], int]:
        where = [jobs.c.owner_id == owner_id] + ([jobs.c.status == status] if status else [])
        query = select(*SUMMARY).where(*where).order_by(jobs.c.created_at.desc(), jobs.c.id).limit(limit).offset(offset)
        with self.engine.connect() as conn:
            total = conn.execute(select(func.count()).select_from(jobs).where(*where)).scalar_one()
            rows = [dict(r._mapping) for r in conn.execute(query)]
        return rows, total

    def cancel(self, job_id: str, owner_id: int) -> str:
        """'cancelled' (was queued), 'requested' (running: its worker kills it), 'finished' or 'missing'."""
        mine = (jobs.c.id == job_id, jobs.c.owner_id == owner_id)
        now = time.time()
        with self.engine.begin() as conn:
            done = conn.execute(
                update(jobs)
                .where(*mine, jobs.c.status == "queued")
                .values(status="cancelled", cancel_requested=True, error="cancelled by the user", finished_at=now)
            ).rowcount
            if done:
                self._event(conn, job_id, "status", {"status": "cancelled"}, now)
                return "cancelled"
            if conn.execute(
                update(jobs).where(*mine, jobs.c.status == "running").values(cancel_requested=True)
            ).rowcount:
                return "requested"
            status = conn.execute(select(jobs.c.status).where(*mine)).scalar()
        return "missing" if status is None else "finished"

    def events_after(self, job_id: str, seq: int) -> list[dict]:
        query = (
            select(job_events).where(job_events.c.job_id == job_id, job_events.c.seq > seq).order_by(job_events.c.seq)
        )
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(query)]

    # jobs as the workers see them -------------------------------------------------------------

    def claim(self, worker_id: str) -> dict | None:
        """Atomically take the oldest queued job (with its content) for `worker_id`, or None."""
        oldest = (
            select(jobs.c.id)
            .where(jobs.c.status == "queued")
            .order_by(jobs.c.created_at)
            .limit(1)
            .with_for_update(skip_locked=True)
            .scalar_subquery()
        )
        with self.engine.connect() as conn:  # cheap read first: idle workers poll without taking write locks
            if conn.execute(select(jobs.c.id).where(jobs.c.status == "queued").limit(1)).first() is None:
                return None
        now = time.time()
        stmt = (
            update(jobs)
            .where(jobs.c.id == oldest, jobs.c.status == "queued")
            .values(status="running", worker_id=worker_id, attempts=jobs.c.attempts + 1, started_at=now, heartbeat=now)
            .returning(*jobs.c)
        )
        with self.engine.begin() as conn:
            row = conn.execute(stmt).first()
            if row is None:
                return None
            self._event(conn, row.id, "status", {"status": "running", "attempt": row.attempts}, now)
        return dict(row._mapping)

    def heartbeat(self, job_id: str, worker_id: str, events: Iterable[tuple[str, dict]] = ()) -> bool | None:
        """Refresh the job's heartbeat and store `events`; returns whether a cancel was requested,
        or None when the job is no longer this worker's (it was re-queued as stale)."""
        now = time.time()
        with self.engine.begin() as conn:
            row = conn.execute(
                update(jobs)
                .where(*self._running(job_id, worker_id))
                .values(heartbeat=now)
                .returning(jobs.c.cancel_requested)
            ).first()
            if row is None:
                return None
            for kind, data in events:
                self._event(conn, job_id, kind, data, now)
        return bool(row.cancel_requested)

    def finish(
        self,
        job_id: str,
        worker_id: str,
        status: str,
        *,
        result: dict | None = None,
        detail: dict | None = None,
        error: str | None = None,
        events: Iterable[tuple[str, dict]] = (),
    ) -> bool:
        """Record the outcome of this worker's run; False if the job was taken from it meanwhile."""
        now = time.time()
        with self.engine.begin() as conn:
            done = conn.execute(
                update(jobs)
                .where(*self._running(job_id, worker_id))
                .values(status=status, result=result, result_detail=detail, error=error, finished_at=now, heartbeat=now)
            ).rowcount
            if done:
                for kind, data in [*events, ("status", {"status": status})]:
                    self._event(conn, job_id, kind, data, now)
        return bool(done)

    def release(self, job_id: str, worker_id: str) -> None:
        """Put a job back in the queue because its worker is shutting down (not the job's fault)."""
        with self.engine.begin() as conn:
            done = conn.execute(
                update(jobs)
                .where(*self._running(job_id, worker_id))
                .values(status="queued", worker_id=None, heartbeat=None, attempts=jobs.c.attempts - 1)
            ).rowcount
            if done:
                self._event(conn, job_id, "status", {"status": "queued", "reason": "worker shut down"}, time.time())

    def recover_stale(self, stale_after: float, max_attempts: int) -> dict[str, list[str]]:
        """Jobs whose worker vanished (no heartbeat for `stale_after` s): cancelled if a cancel was
        requested, failed after `max_attempts` runs, else re-queued. Returns ids by new status."""
        stale = (jobs.c.status == "running", jobs.c.heartbeat < time.time() - stale_after)
        return self._requeue(stale, max_attempts, "worker")

    def requeue_lost(self, job_id: str, worker_id: str, max_attempts: int) -> str | None:
        """This worker's job whose task was lost with its machine (a Ray node), treated as a job
        of a lost worker: cancelled if a cancel was requested, failed after `max_attempts` runs,
        else re-queued. Its new status, or None when the job was no longer this worker's."""
        changed = self._requeue(self._running(job_id, worker_id), max_attempts, "Ray node")
        return next((status for status, ids in changed.items() if ids), None)

    def _requeue(self, running: tuple[ColumnElement[bool], ...], max_attempts: int, what: str) -> dict[str, list[str]]:
        """The running jobs that `running` selects, whose `what` was lost, re-queued or ended."""
        now = time.time()
        lost = f"its {what} was lost on each of {max_attempts} attempts"
        changes: dict[str, tuple[tuple[ColumnElement[bool], ...], dict[str, Any]]] = {
            "cancelled": (
                running + (jobs.c.cancel_requested.is_(True),),
                dict(status="cancelled", error="cancelled by the user", finished_at=now),
            ),
            "failed": (
                running + (jobs.c.attempts >= max_attempts,),
                dict(status="failed", error=lost, finished_at=now),
            ),
            "queued": (running, dict(status="queued", worker_id=None, heartbeat=None)),
        }
        out: dict[str, list[str]] = {}
        with self.engine.begin() as conn:
            for status, (where, values) in changes.items():
                ids = list(conn.execute(update(jobs).where(*where).values(**values).returning(jobs.c.id)).scalars())
                for job_id in ids:
                    self._event(conn, job_id, "status", {"status": status, "reason": f"{what} lost"}, now)
                out[status] = ids
        return out

    @staticmethod
    def _running(job_id: str, worker_id: str) -> tuple:
        return jobs.c.id == job_id, jobs.c.worker_id == worker_id, jobs.c.status == "running"

    @staticmethod
    def _event(conn: Any, job_id: str, kind: str, data: dict, now: float) -> None:
        conn.execute(insert(job_events).values(job_id=job_id, kind=kind, data=data, time=now))


__all__ = ["Store", "TERMINAL", "migrate"]
