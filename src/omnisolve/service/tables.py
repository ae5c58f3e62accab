"""The database schema (SQLAlchemy Core); Alembic migrations in `migrations/` create the same tables.
Times are UNIX seconds (float) so heartbeat arithmetic is identical on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
)

metadata = MetaData()

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(100), nullable=False, unique=True),
    Column("created_at", Float, nullable=False),
)

tokens = Table(
    "tokens",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),  # SHA-256 hex; the token itself is never stored
    Column("created_at", Float, nullable=False),
    Column("revoked", Boolean, nullable=False, default=False),
)

jobs = Table(
    "jobs",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("owner_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("name", String(200), nullable=True),
    Column("status", String(16), nullable=False),  # queued, running, succeeded, failed, cancelled
    Column("solver", String(64), nullable=False),
    Column("time_limit", Float, nullable=False),
    Column("threads", Integer, nullable=False),
    Column("gap", Float, nullable=False),
    Column("cross_check", String(8), nullable=False, server_default="claims"),
    Column("memory_mb", Integer, nullable=True),
    Column("problem_kind", String(32), nullable=False),
    Column("filename", String(255), nullable=False),
    Column("content", LargeBinary, nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("worker_id", String(100), nullable=True),
    Column("heartbeat", Float, nullable=True),
    Column("cancel_requested", Boolean, nullable=False, default=False),
    Column("result", JSON, nullable=True),  # Result.to_dict() without values and log
    Column("result_detail", JSON, nullable=True),  # {"values": [...], "log": "..."}
    Column("error", Text, nullable=True),
    Column("created_at", Float, nullable=False),
    Column("started_at", Float, nullable=True),
    Column("finished_at", Float, nullable=True),
    Index("ix_jobs_owner_created", "owner_id", "created_at"),
    Index("ix_jobs_status_created", "status", "created_at"),
)

job_events = Table(
    "job_events",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),  # global order; SSE resumes after a seq
    Column("job_id", String(32), ForeignKey("jobs.id", ondelete="CASCADE"), nullable=False),
    Column("kind", String(16), nullable=False),  # status, incumbent
    Column("data", JSON, nullable=False),
    Column("time", Float, nullable=False),
    Index("ix_job_events_job_seq", "job_id", "seq"),
)
