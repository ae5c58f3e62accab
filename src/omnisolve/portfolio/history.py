"""The run history and the online bandit that learns from it.

Every solve may append its class, features, solver and outcome. Per problem class, a UCB1
bandit over the candidate solvers (in the spirit of Khodak et al., "Learning to Relax": learn
the best configuration online over a user's sequence of instances) starts from the selector's
ranking as a prior worth `PRIOR_WEIGHT` plays and updates with the rewards seen in the history,
so a solver that keeps failing on a user's problem family loses its place.

Location: `OMNISOLVE_HISTORY` (a SQLite file path or a database URL such as
postgresql://USER:PASSWORD@HOST/DB; "off" disables), else ~/.omnisolve/history.db. The table is
the one the raw-sqlite3 history of earlier versions wrote, so their files keep working.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

from sqlalchemy import Column, Float, Integer, MetaData, Table, Text, func, insert, select

from omnisolve.storage import Database, StorageError

PRIOR_WEIGHT = 2  # the selector's ranking counts as this many plays of each arm
EXPLORATION = 0.3  # UCB1 exploration constant (rewards are in [0, 1])

schema = MetaData()
runs = Table(
    "runs",
    schema,
    Column("id", Integer, primary_key=True),
    Column("at", Float),  # UNIX seconds
    Column("class", Text),
    Column("features", Text),  # JSON object
    Column("solver", Text),
    Column("status", Text),
    Column("runtime", Float),
    Column("gap", Float),
    Column("time_limit", Float),
    Column("reward", Float),
)


def default_location() -> str | None:
    """Where the history lives (a path or URL), or None when OMNISOLVE_HISTORY is "off"."""
    env = os.environ.get("OMNISOLVE_HISTORY", "").strip()
    if env.lower() in ("off", "0", "no", "false"):
        return None
    return env or str(Path.home() / ".omnisolve" / "history.db")


def reward(status: str, runtime: float, time_limit: float) -> float:
    """In [0, 1]: proven optimal (or infeasible/unbounded) scores 1 - runtime / (2 x limit), an
    unproven answer 0.25, nothing 0."""
    if status in ("optimal", "infeasible", "unbounded"):
        return 1.0 - 0.5 * min(max(runtime / time_limit, 0.0), 1.0)
    return 0.25 if status == "feasible" else 0.0


class History(Database):
    """Append-only run log in one database; a connection per use, none kept open."""

    kind = "run history"
    metadata = schema
    pooled = False

    @classmethod
    def default_location(cls) -> str:
        location = default_location()
        if location is None:
            raise StorageError("the run history is off (OMNISOLVE_HISTORY=off)")
        return location

    def record(
        self,
        cls: str,
        features: dict[str, float],
        solver: str,
        status: str,
        runtime: float,
        gap: float | None,
        time_limit: float,
    ) -> None:
        row = {
            "at": time.time(),
            "class": cls,
            "features": json.dumps(features),
            "solver": solver,
            "status": status,
            "runtime": runtime,
            "gap": gap,
            "time_limit": time_limit,
            "reward": reward(status, runtime, time_limit),
        }
        with self.transaction() as conn:
            conn.execute(insert(runs).values(row))

    def rewards(self, cls: str) -> list[tuple[str, float]]:
        """(solver, reward) of every recorded run of class `cls`, oldest first."""
        query = select(runs.c.solver, runs.c.reward).where(runs.c["class"] == cls).order_by(runs.c.id)
        with self.transaction() as conn:
            return [(solver, value) for solver, value in conn.execute(query)]

    def summary(self) -> list[dict[str, Any]]:
        """Per class and solver: runs, mean reward, mean runtime."""
        mean_reward = func.avg(runs.c.reward)
        query = (
            select(runs.c["class"], runs.c.solver, func.count(), mean_reward, func.avg(runs.c.runtime))
            .group_by(runs.c["class"], runs.c.solver)
            .order_by(runs.c["class"], mean_reward.desc(), runs.c.solver)
        )
        with self.transaction() as conn:
            return [dict(zip(("class", "solver", "runs", "reward", "runtime"), r)) for r in conn.execute(query)]


def adjust(ranked: list[str], priors: list[float], runs: list[tuple[str, float]]) -> list[str]:
    """`ranked` reordered by a UCB1 bandit: prior mean reward `priors[i]` for `ranked[i]`,
    updated with the history's (solver, reward) pairs; the bandit's pick comes first."""
    from omnisolve.algorithms.bandit import UCB1

    if not ranked:
        return ranked
    bandit = UCB1(len(ranked), exploration=EXPLORATION)
    bandit.counts[:] = PRIOR_WEIGHT
    bandit.means[:] = priors
    index = {s: i for i, s in enumerate(ranked)}
    for solver, value in runs:
        if solver in index:
            bandit.update(index[solver], value)
    order = sorted(range(len(ranked)), key=lambda i: -bandit.scores()[i])
    return [ranked[i] for i in order]
