"""A race's incumbent board: the best certified solution, shared with the racers while they run.

- A racer's backend calls `Exchange.swap(objective, solution)` in its loop (`Limits.exchange`;
  outside a race it is None): its best goes to the race when it beats what the racer sent and
  what the board holds, and the board's best comes back when it beats the racer's own.
- The race (`Board.offer`) verifies every offered solution against the problem's data before it
  goes on the board: a racer's word is not proof, so a wrong solution is refused and recorded.
  What passes and improves is published to every racer through the executor's broadcast (a
  file on this machine; one Ray actor, mirrored onto each node, on a cluster).
- The record of every offer is `Result.extra["race"]["board"]`.
"""

from __future__ import annotations

import json
import threading
import time
from typing import Any, Callable

import numpy as np

from omnisolve.model import ProblemData
from omnisolve.problems import Problem
from omnisolve.processes import Broadcast, Listener
from omnisolve.result import Result, Status, jsonable
from omnisolve.verify import verify

INTERVAL = 0.2  # seconds between a racer's exchanges with the board
# a racer sends a solution of n entries at most every INTERVAL * max(1, n / PER_INTERVAL) seconds:
# a 100,000-node tour (600 KB of JSON, verified by the race) every 2 s, not 5 times a second
PER_INTERVAL = 10_000


def _better(sign: float, objective: float, than: float | None) -> bool:
    return than is None or sign * (objective - than) < -1e-9 * max(1.0, abs(than))


class Board:
    """The race's side: verifies offers and publishes the best certified one."""

    def __init__(self, problem: Problem, sign: float, broadcast: Broadcast):
        self.problem, self.sign, self.broadcast = problem, sign, broadcast
        self.objective: float | None = None  # the best certified objective on the board
        self.posts: list[dict[str, Any]] = []
        self._start = time.monotonic()

    def offer(self, solver: str, objective: float, solution: Any) -> bool:
        """Verify a racer's solution; publish it when it passes and beats the board; say whether
        it did. An offer that cannot beat the board (by its claimed objective) is not verified."""
        if not _better(self.sign, objective, self.objective):
            return False
        model = isinstance(self.problem, ProblemData)
        claim = Result(
            Status.FEASIBLE,
            objective=objective,
            values=np.asarray(solution, dtype=float) if model else None,
            solution=None if model else solution,
        )
        checked = verify(self.problem, claim)
        if checked.certificate is None or not checked.certificate.passed or checked.objective is None:
            self._record(solver, objective, False, checked.message or "its certificate failed")
            return False
        return self.certified(solver, checked.objective, solution)

    def certified(self, solver: str, objective: float, solution: Any) -> bool:
        """Publish a solution already certified (a racer's verified result) when it beats the board."""
        published = _better(self.sign, objective, self.objective)
        self._record(solver, objective, published)
        if published:
            self.objective = objective
            self.broadcast.publish(json.dumps(jsonable([objective, solution])).encode())
        return published

    def _record(self, solver: str, objective: float, published: bool, refused: str = "") -> None:
        post = {"t": round(time.monotonic() - self._start, 3), "solver": solver, "objective": objective}
        post.update({"verified": not refused, "published": published})
        if refused:
            post["why"] = refused[:200]
        self.posts.append(post)


class Exchange:
    """A racer's side, handed to its backend as `Limits.exchange`."""

    def __init__(self, listener: Listener, send: Callable[[float, Any], None], sign: float):
        self.listener, self.send, self.sign = listener, send, sign
        self.sent: float | None = None  # the objective last sent to the race
        self.board: tuple[float, Any] | None = None  # the board's best, as last read
        self.adopted = 0  # board solutions handed to the backend
        self._last = self._sent_at = -float("inf")
        self._pause = INTERVAL  # seconds from one send to the next: longer for large solutions
        self._lock = threading.Lock()  # a backend may swap from several threads

    def swap(self, objective: float | None, solution: Callable[[], Any]) -> tuple[float, Any] | None:
        """Send this racer's best (`solution()` is made only when it is sent; None: it has none
        yet) and return the board's best when it is strictly better than `objective`; at most
        every `INTERVAL` s, else None at once."""
        with self._lock:
            now = time.monotonic()
            if now - self._last < INTERVAL:
                return None
            self._last = now
            return self._swap(objective, solution)

    def _swap(self, objective: float | None, solution: Callable[[], Any]) -> tuple[float, Any] | None:
        data = self.listener.latest()
        if data is not None:
            board_objective, board_solution = json.loads(data)
            self.board = (float(board_objective), board_solution)
        board = None if self.board is None else self.board[0]
        due = time.monotonic() - self._sent_at >= self._pause
        if (
            objective is not None
            and due
            and _better(self.sign, objective, self.sent)
            and _better(self.sign, objective, board)
        ):
            made = solution()
            self.send(objective, made)
            self.sent, self._sent_at = objective, time.monotonic()
            self._pause = INTERVAL * max(1.0, len(made) / PER_INTERVAL if hasattr(made, "__len__") else 1.0)
        if self.board is not None and (objective is None or _better(self.sign, self.board[0], objective)):
            self.adopted += 1
            return self.board
        return None
