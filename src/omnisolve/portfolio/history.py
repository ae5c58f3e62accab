"""The local run history (SQLite) and the online bandit that learns from it.

Every solve may append its class, features, solver and outcome. Per problem class, a UCB1
bandit over the candidate solvers (in the spirit of Khodak et al., "Learning to Relax": learn
the best configuration online over a user's sequence of instances) starts from the selector's
ranking as a prior worth `PRIOR_WEIGHT` plays and updates with the rewards seen in the history,
so a solver that keeps failing on a user's problem family loses its place.

Location: `OMNISOLVE_HISTORY` (a path; "off" disables), else ~/.omnisolve/history.db.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from contextlib import closing
from pathlib import Path
from typing import Any

PRIOR_WEIGHT = 2  # the selector's ranking counts as this many plays of each arm
EXPLORATION = 0.3  # UCB1 exploration constant (rewards are in [0, 1])

_SCHEMA = """CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY, at REAL, class TEXT, features TEXT, solver TEXT, status TEXT,
    runtime REAL, gap REAL, time_limit REAL, reward REAL)"""


def default_path() -> Path | None:
    """Where the history lives, or None when OMNISOLVE_HISTORY is "off"."""
    env = os.environ.get("OMNISOLVE_HISTORY", "").strip()
    if env.lower() in ("off", "0", "no", "false"):
        return None
    return Path(env).expanduser() if env else Path.home() / ".omnisolve" / "history.db"


def reward(status: str, runtime: float, time_limit: float) -> float:
    """In [0, 1]: proven optimal (or infeasible/unbounded) scores 1 - runtime / (2 x limit), an
    unproven answer 0.25, nothing 0."""
    if status in ("optimal", "infeasible", "unbounded"):
        return 1.0 - 0.5 * min(max(runtime / time_limit, 0.0), 1.0)
    return 0.25 if status == "feasible" else 0.0


class History:
    """Append-only run log in one SQLite file."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with closing(self._connect()) as db, db:
            db.execute(_SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=5.0)

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
        row = (
            time.time(),
            cls,
            json.dumps(features),
            solver,
            status,
            runtime,
            gap,
            time_limit,
            reward(status, runtime, time_limit),
        )
        with closing(self._connect()) as db, db:
            db.execute(
                "INSERT INTO runs (at, class, features, solver, status, runtime, gap, time_limit, reward) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                row,
            )

    def rewards(self, cls: str) -> list[tuple[str, float]]:
        """(solver, reward) of every recorded run of class `cls`, oldest first."""
        with closing(self._connect()) as db:
            return list(db.execute("SELECT solver, reward FROM runs WHERE class = ? ORDER BY id", (cls,)))

    def summary(self) -> list[dict[str, Any]]:
        """Per class and solver: runs, mean reward, mean runtime."""
        query = (
            "SELECT class, solver, COUNT(*), AVG(reward), AVG(runtime) FROM runs "
            "GROUP BY class, solver ORDER BY class, AVG(reward) DESC"
        )
        with closing(self._connect()) as db:
            return [dict(zip(("class", "solver", "runs", "reward", "runtime"), r)) for r in db.execute(query)]


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
