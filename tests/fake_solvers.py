"""The one module of test-only backends, loaded by name ("fake_solvers:ClassName") in this
process or in worker and racer processes (`extra_solvers`/`register` with `sys_path`).

- Misbehaving backends (`FAKES`): each breaks the contract in one way a caller must survive:
  a segfault, `sys.exit`, a `MemoryError`, a hang that ignores SIGTERM, a refusal.
- Lying backends (`LIARS`): each returns a claim the data contradicts, the way real solvers
  have (wrong presolve reductions, wrong infeasibility or unboundedness verdicts, a misreported
  objective or bound). omnisolve must catch every one of them: a failed certificate becomes an
  error, a false claim is refuted and the true answer returned.
- Honest helpers: `slow-highs`, a HiGHS that starts late, so a liar deterministically answers
  first; `cpsat-after-deaths`, a CP-SAT that starts once the racers that die on purpose are dead;
  `greedy-knapsack`, a quick unproven answer; `start-echo`, which returns its start.
- Board users (`BOARD`), for a race's board of certified solutions: `board-poster` offers its
  selection, `board-liar` offers it with a false objective, `board-adopter` answers the board's
  solution, `tour-poster` offers a known TSP tour.

Also `alive(pid)`, shared by the tests that check no process outlives a run.
"""

from __future__ import annotations

import ctypes
import dataclasses
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from omnisolve.limits import Limits, Tracker
from omnisolve.model import ProblemData
from omnisolve.result import Result, Status
from omnisolve.solvers.base import SolverInterface


def alive(pid: int) -> bool:
    """Whether `pid` runs (a zombie awaiting its reaper counts as dead)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def _highs() -> SolverInterface:
    from omnisolve.solvers.highs import HighsSolver

    return HighsSolver()


# ---- misbehaving backends -----------------------------------------------------------------------
class _Fake(SolverInterface):
    description = "test fake"

    def unsupported_reason(self, problem: Any) -> str | None:
        return None


def _dying() -> None:
    """A fake about to die on purpose leaves its pid in $OMNISOLVE_TEST_DYING (a folder), when
    set, for `AfterDeathsSolver`."""
    folder = os.environ.get("OMNISOLVE_TEST_DYING")
    if folder:
        Path(folder, str(os.getpid())).touch()


class CrashSolver(_Fake):
    """Segfaults the process."""

    name = "crash"

    def _solve(self, problem: Any, limits: Limits, tracker: Tracker) -> Result:
        _dying()
        ctypes.string_at(0)
        raise AssertionError("unreachable")


class ExitSolver(_Fake):
    """Calls sys.exit in the middle of the solve."""

    name = "exit"

    def _solve(self, problem: Any, limits: Limits, tracker: Tracker) -> Result:
        _dying()
        sys.exit(3)


class OutOfMemorySolver(_Fake):
    """Raises MemoryError."""

    name = "oom"

    def _solve(self, problem: Any, limits: Limits, tracker: Tracker) -> Result:
        raise MemoryError("fake allocation of 1 TiB failed")


class HangSolver(_Fake):
    """Ignores SIGTERM and the limit, starts a child that sleeps too, and never returns; writes
    its own and the child's pid to $OMNISOLVE_TEST_PIDFILE."""

    name = "hang"

    def _solve(self, problem: Any, limits: Limits, tracker: Tracker) -> Result:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        child = subprocess.Popen(["sleep", "600"])
        with open(os.environ["OMNISOLVE_TEST_PIDFILE"], "w") as fh:
            fh.write(f"{os.getpid()} {child.pid}")
        while True:
            time.sleep(1)


class NoAnswerSolver(_Fake):
    """Stops at its time limit without a feasible point (as a real solver may on a hard model)."""

    name = "no-answer"

    def _solve(self, problem: Any, limits: Limits, tracker: Tracker) -> Result:
        return Result(Status.TIME_LIMIT)


class RefuseSolver(_Fake):
    """Refuses every problem."""

    name = "refuse"

    def unsupported_reason(self, problem: Any) -> str | None:
        return "refuses everything"

    def _solve(self, problem: Any, limits: Limits, tracker: Tracker) -> Result:
        raise AssertionError("never called on a refused problem")


# ---- lying backends: false claims a certificate passes (the cross-check must refute them) -------
class _Liar(SolverInterface):
    description = "test liar"

    def unsupported_reason(self, problem: Any) -> str | None:
        return None if isinstance(problem, ProblemData) else "takes models only"


class SuboptimalSolver(_Liar):
    """Returns a feasible point of the feasibility problem (objective ignored) as OPTIMAL, with
    its own objective as the 'bound'."""

    name = "liar-suboptimal"

    def _solve(self, data: ProblemData, limits: Limits, tracker: Tracker) -> Result:
        blind = dataclasses.replace(data, c=np.zeros(data.num_variables), Q=None)
        found = _highs().solve(blind, limits)
        if not found.status.has_solution:
            return found
        objective = data.objective_value(found.values)
        return Result(Status.OPTIMAL, objective=objective, bound=objective, values=found.values)


class WrongDualsSolver(_Liar):
    """A suboptimal point claimed OPTIMAL together with made-up duals: they must prove nothing."""

    name = "liar-duals"

    def _solve(self, data: ProblemData, limits: Limits, tracker: Tracker) -> Result:
        result = SuboptimalSolver().solve(data, limits)
        result.duals, result.solver = np.ones(data.A.shape[0]), self.name
        return result


class InfeasibleSolver(_Liar):
    """Claims INFEASIBLE for everything, with a made-up Farkas ray."""

    name = "liar-infeasible"

    def _solve(self, data: ProblemData, limits: Limits, tracker: Tracker) -> Result:
        return Result(Status.INFEASIBLE, ray=np.ones(data.A.shape[0]))


class UnboundedSolver(_Liar):
    """Claims UNBOUNDED for everything, with a made-up ray."""

    name = "liar-unbounded"

    def _solve(self, data: ProblemData, limits: Limits, tracker: Tracker) -> Result:
        return Result(Status.UNBOUNDED, ray=np.ones(data.num_variables))


class EmptyKnapsackSolver(SolverInterface):
    """Claims the empty selection is an optimal knapsack answer."""

    name = "liar-knapsack"
    description = "test liar"

    def unsupported_reason(self, problem: Any) -> str | None:
        return None if getattr(problem, "kind", "") == "Knapsack" else "knapsack only"

    def _solve(self, problem: Any, limits: Limits, tracker: Tracker) -> Result:
        return Result(Status.OPTIMAL, objective=0.0, bound=0.0, solution=[])


# ---- lying backends: answers whose certificate fails (each must become an error) ---------------
class ViolatedRowSolver(_Liar):
    """Claims OPTIMAL for the origin clipped to the variable bounds: the bounds and integrality
    hold and the objective is reported exactly, but rows are violated (on the test models the
    origin breaks a >= row, and its objective beats the true optimum). No bound is reported, so
    only the row check can catch it."""

    name = "liar-violated"

    def _solve(self, data: ProblemData, limits: Limits, tracker: Tracker) -> Result:
        values = np.clip(np.zeros(data.num_variables), data.lb, data.ub)
        return Result(Status.OPTIMAL, objective=data.objective_value(values), values=values)


class WrongObjectiveSolver(_Liar):
    """The true optimum's values (from HiGHS) claimed OPTIMAL with an objective one better than
    theirs; no bound, so only the objective check can catch it."""

    name = "liar-objective"

    def _solve(self, data: ProblemData, limits: Limits, tracker: Tracker) -> Result:
        found = _highs().solve(data, limits)
        sign = 1.0 if data.sense == "min" else -1.0
        objective = data.objective_value(found.values) - sign * 1.0
        return Result(Status.OPTIMAL, objective=objective, values=found.values)


class WrongBoundSolver(_Liar):
    """The true optimum's values and objective claimed OPTIMAL with a 'bound' one past the
    objective (above it for a minimization): no bound can be."""

    name = "liar-bound"

    def _solve(self, data: ProblemData, limits: Limits, tracker: Tracker) -> Result:
        found = _highs().solve(data, limits)
        sign = 1.0 if data.sense == "min" else -1.0
        objective = data.objective_value(found.values)
        return Result(Status.OPTIMAL, objective=objective, bound=objective + sign * 1.0, values=found.values)


class OverfullKnapsackSolver(SolverInterface):
    """Claims that taking every item is an optimal knapsack answer (objective reported exactly,
    the capacity exceeded)."""

    name = "liar-overfull"
    description = "test liar"

    def unsupported_reason(self, problem: Any) -> str | None:
        return None if getattr(problem, "kind", "") == "Knapsack" else "knapsack only"

    def _solve(self, problem: Any, limits: Limits, tracker: Tracker) -> Result:
        everything = list(range(len(problem.values)))
        value = float(np.sum(problem.values))
        return Result(Status.OPTIMAL, objective=value, bound=value, solution=everything)


# ---- honest but slow ----------------------------------------------------------------------------
class SlowHighsSolver(_Liar):
    """HiGHS after a delay of SLOW_SECONDS: in a race, the other racer answers first."""

    name = "slow-highs"
    description = "test fake: HiGHS, late"
    SLOW_SECONDS = 3.0

    def _solve(self, data: ProblemData, limits: Limits, tracker: Tracker) -> Result:
        time.sleep(self.SLOW_SECONDS)
        result = _highs().solve(data, dataclasses.replace(limits, time=max(0.5, limits.time - self.SLOW_SECONDS)))
        result.solver = self.name
        return result


class AfterDeathsSolver(SolverInterface):
    """CP-SAT once $OMNISOLVE_TEST_DEATHS fakes have left their pid in $OMNISOLVE_TEST_DYING and
    died, and the hanging fake has written $OMNISOLVE_TEST_PIDFILE (when set): in a race it wins
    after the crashes and the hang have started, however loaded the machine."""

    name = "cpsat-after-deaths"
    description = "test fake: CP-SAT, after the crashes"

    def unsupported_reason(self, problem: Any) -> str | None:
        return None

    def _solve(self, problem: Any, limits: Limits, tracker: Tracker) -> Result:
        from omnisolve.solvers.cpsat import CpSatSolver

        folder, deaths = Path(os.environ["OMNISOLVE_TEST_DYING"]), int(os.environ["OMNISOLVE_TEST_DEATHS"])
        hang = os.environ.get("OMNISOLVE_TEST_PIDFILE")
        while True:
            pids = [int(p.name) for p in folder.iterdir()]
            if len(pids) >= deaths and not any(alive(pid) for pid in pids) and (not hang or Path(hang).exists()):
                break
            if tracker.should_stop():
                return Result(Status.TIME_LIMIT, message="the fakes did not die in time")
            time.sleep(0.05)
        result = CpSatSolver().solve(problem, dataclasses.replace(limits, time=tracker.search_remaining()))
        result.solver = self.name
        return result


class GreedyKnapsackSolver(SolverInterface):
    """Honest and quick: the greedy knapsack selection by value density, reported FEASIBLE (it
    proves nothing), with no bound of its own."""

    name = "greedy-knapsack"
    description = "test fake: greedy knapsack"

    def unsupported_reason(self, problem: Any) -> str | None:
        return None if getattr(problem, "kind", "") == "Knapsack" else "knapsack only"

    def _solve(self, problem: Any, limits: Limits, tracker: Tracker) -> Result:
        chosen, load = [], 0.0
        for i in np.argsort(-problem.values / np.maximum(problem.weights, 1e-12), kind="stable"):
            if load + problem.weights[i] <= problem.capacity:
                chosen.append(int(i))
                load += float(problem.weights[i])
        return Result(Status.FEASIBLE, objective=float(problem.values[chosen].sum()), solution=sorted(chosen))


class StartEchoSolver(GreedyKnapsackSolver):
    """Returns the start it was handed (FEASIBLE) and nothing without one: shows what a race
    forwards to a later stage."""

    name = "start-echo"
    description = "test fake: echoes its start"

    def _solve(self, problem: Any, limits: Limits, tracker: Tracker) -> Result:
        if limits.start is None:
            return Result(Status.TIME_LIMIT, message="no start was given")
        chosen = sorted(int(i) for i in limits.start)
        return Result(Status.FEASIBLE, objective=float(problem.values[chosen].sum()), solution=chosen)


class BoardPosterSolver(GreedyKnapsackSolver):
    """In a race: offers its greedy selection to the race's board until the race ends, then
    answers it. `lie` is added to the objective it claims for it (0: honest)."""

    name = "board-poster"
    description = "test fake: offers the greedy selection to the board"
    lie = 0.0

    def _solve(self, problem: Any, limits: Limits, tracker: Tracker) -> Result:
        greedy = super()._solve(problem, limits, tracker)
        assert greedy.objective is not None and limits.exchange is not None
        claimed = greedy.objective + self.lie
        while not tracker.should_stop():
            limits.exchange.swap(claimed, lambda: greedy.solution)
            time.sleep(0.02)
        return greedy


class BoardLiarSolver(BoardPosterSolver):
    """Offers its greedy selection claiming it is worth 1000 more (its final answer is honest)."""

    name = "board-liar"
    description = "test fake: offers a false objective to the board"
    lie = 1000.0


class BoardAdopterSolver(_Fake):
    """In a race: waits for the board's first solution and answers it (TIME_LIMIT without one):
    values for a model, the structured solution otherwise."""

    name = "board-adopter"
    description = "test fake: answers the board's solution"

    def _solve(self, problem: Any, limits: Limits, tracker: Tracker) -> Result:
        assert limits.exchange is not None
        while not tracker.should_stop():
            board = limits.exchange.swap(None, list)
            if board is not None and isinstance(problem, ProblemData):
                return Result(Status.FEASIBLE, objective=board[0], values=np.asarray(board[1], dtype=float))
            if board is not None:
                return Result(Status.FEASIBLE, objective=board[0], solution=board[1])
            time.sleep(0.02)
        return Result(Status.TIME_LIMIT, message="the board stayed empty")


class TourPosterSolver(_Fake):
    """In a race on a TSP: offers the tour of the TSPLIB tour file $OMNISOLVE_TEST_TOUR to the
    board until the race ends, then answers it."""

    name = "tour-poster"
    description = "test fake: offers a known tour to the board"

    def _solve(self, problem: Any, limits: Limits, tracker: Tracker) -> Result:
        lines = Path(os.environ["OMNISOLVE_TEST_TOUR"]).read_text().split("TOUR_SECTION")[1].split()
        tour = [int(v) - 1 for v in lines[: lines.index("-1")]]
        length = problem.evaluate(tour)
        assert limits.exchange is not None
        while not tracker.should_stop():
            limits.exchange.swap(length, lambda: tour)
            time.sleep(0.02)
        return Result(Status.FEASIBLE, objective=length, solution=tour)


def table(*classes: type) -> dict[str, str]:
    """name -> "fake_solvers:Class", as `registry.register` and extra_solvers take them."""
    return {cls.name: f"fake_solvers:{cls.__name__}" for cls in classes}


#: name -> "fake_solvers:Class" for `registry.register`, `extra_solvers=` and the service
FAKES = table(CrashSolver, ExitSolver, OutOfMemorySolver, HangSolver, RefuseSolver)
#: answers whose certificate fails: each must end as an error, never as an answer
FAILING = table(ViolatedRowSolver, WrongObjectiveSolver, WrongBoundSolver, OverfullKnapsackSolver)
#: every backend that lies, and the honest late one used against them
LIARS = table(SuboptimalSolver, WrongDualsSolver, InfeasibleSolver, UnboundedSolver, EmptyKnapsackSolver) | FAILING
#: backends that use a race's board of certified solutions
BOARD = table(BoardPosterSolver, BoardLiarSolver, BoardAdopterSolver, TourPosterSolver)
ALL = FAKES | LIARS | BOARD | table(SlowHighsSolver, AfterDeathsSolver, GreedyKnapsackSolver, StartEchoSolver)
