"""Service settings: one dataclass with defaults that need no configuration, overridable by
`OMNISOLVE_*` environment variables (so worker subprocesses inherit them) and CLI options."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace
from typing import Any

from omnisolve.processes import Executor, available_cores

DEFAULT_DB = "sqlite:///./omnisolve.db"


@dataclass(frozen=True)
class Settings:
    """Everything the API, the store and the workers need to know."""

    db_url: str = DEFAULT_DB
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    max_upload_bytes: int = 20 * 2**20  # whole request body, checked while it streams in
    default_memory_mb: int = 8192  # address-space limit of a job's child process (and of an upload's check)
    parse_seconds: float = 30.0  # an upload that takes longer to read is refused (422)
    upload_checks: int = 2  # uploads read at the same time (each in a child process); more wait their turn
    max_time_limit: float = 24 * 3600.0
    max_threads: int = 64
    kill_grace: float = 30.0  # a job is killed at time_limit + kill_grace seconds
    heartbeat_interval: float = 0.5  # seconds between a running job's heartbeats
    stale_after: float = 15.0  # a running job without a heartbeat for this long lost its worker
    max_attempts: int = 3  # runs of one job (lost workers and lost Ray nodes included) before it is failed
    poll_interval: float = 0.2  # how often workers look for jobs and SSE looks for events
    extra_solvers: dict[str, str] = field(default_factory=dict)  # name -> "module:Class" plug-ins
    # POST /nl's language model (docs/nl.md), never the request's: none configured, no /nl. Its
    # key is OPENAI_API_KEY in the server's environment, never a setting (settings go to children).
    nl_base_url: str = ""
    nl_model: str = ""
    ray: str = ""  # jobs run on this Ray cluster (host:port, or auto); "": here ($RAY_ADDRESS: that cluster)

    def job_threads(self) -> int:
        """A job's threads when it names none: this machine's cores divided among the workers."""
        return max(1, available_cores() // max(1, self.workers))

    def executor(self) -> Executor:
        """Where a worker runs its jobs: in child processes of its own, or as tasks on the Ray
        cluster `ray` names. Ray re-runs no lost task itself: the worker puts its job back in
        the queue, counted in `max_attempts`, as the store does for a lost worker."""
        from omnisolve.processes.cluster import executor_for

        return executor_for(self.ray or None, retries=0)

    @classmethod
    def from_env(cls, **overrides: object) -> "Settings":
        """Defaults, then `OMNISOLVE_DB` / `OMNISOLVE_<FIELD>` variables, then `overrides`
        (None values are ignored so CLI options left unset keep the environment's choice)."""
        values: dict[str, Any] = {}  # field name -> value of that field's type
        for f in fields(cls):
            raw = os.environ.get("OMNISOLVE_DB" if f.name == "db_url" else f"OMNISOLVE_{f.name.upper()}")
            if raw is not None:
                values[f.name] = _parse(f.name, raw)
        values.update({k: v for k, v in overrides.items() if v is not None})
        return replace(cls(), **values)

    def to_env(self) -> dict[str, str]:
        """The variables that make `from_env` in a child process give these settings."""
        env = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name == "extra_solvers":
                value = ",".join(f"{k}={v}" for k, v in value.items())
            env["OMNISOLVE_DB" if f.name == "db_url" else f"OMNISOLVE_{f.name.upper()}"] = str(value)
        return env


def _parse(name: str, raw: str) -> object:
    kind = {f.name: f.type for f in fields(Settings)}[name]
    if name == "extra_solvers":
        pairs = [item.split("=", 1) for item in raw.split(",") if "=" in item]
        return {k.strip(): v.strip() for k, v in pairs}
    if kind == "int":
        return int(raw)
    if kind == "float":
        return float(raw)
    return raw


def register_extra_solvers(settings: Settings) -> None:
    """Make plug-in backends known to this process (the API validates names; job processes get them in their task)."""
    if settings.extra_solvers:
        from omnisolve.solvers import registry

        registry.register_all(settings.extra_solvers)
