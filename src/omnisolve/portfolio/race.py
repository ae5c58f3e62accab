"""Race several solvers on one problem, each in its own process group, and keep the best
certified answer.

- Isolation: every racer is a task of `omnisolve.processes` (entry `portfolio.racer:run`) in a
  new session; a crash, a memory blow-up or a hang harms nobody else. On stop, each group gets
  SIGTERM, then SIGKILL after a short grace, and is reaped; the handles' `with` guarantees it
  (also on KeyboardInterrupt).
- Where: the racers run on an executor, this machine's by default; on a Ray cluster's
  (`processes.cluster.RayExecutor`) each racer is an actor on any node reserving its threads,
  the problem travels as a file of plain data, and incumbents, starts and the stop still go
  through this process.
- Threads: the budget is split evenly, at least one thread per racer.
- Board: every racer's backend that can continue from another's solution (`Limits.exchange`)
  offers its best while it runs and takes the race's best certified one when it is better;
  offers are verified here before they go on the board (`board.py`), which reaches the racers
  through the executor's broadcast (on Ray: one actor). Certified results go on it too.
- Stages: a race is a list of stages run one after the other (a schedule); the racers of a
  stage run at once for their share of the time. Each racer of a later stage starts from the
  best certified solution found so far (HiGHS `setSolution`, CP-SAT hints).
- Stop: as soon as a certified result proves optimality (or reaches the gap), proves
  infeasibility/unboundedness, or the time limit passes. An unproven infeasible/unbounded
  claim lets the others race on: it is the answer only if none finds a certified solution.
- Stopping criteria (`stop`, the caller's own): the criteria that pickle (a target objective
  or gap, a stall, ...) go to every racer, which stops by them and answers its best incumbent;
  the race itself asks the whole of `stop` of its best certified answer each time one arrives
  (so one racer reaching a `TargetObjective` ends them all), and asks the criteria that cannot
  cross a process boundary (a `Cancelled` on a `threading.Event`) every poll. When a criterion
  ends the race, the racers still running are stopped, the best certified answer so far wins
  (a `TIME_LIMIT` result without one), and `Result.extra["race"]["criterion"]` is true.
- Result: the winner's verified result, `solver` = "race(a,b)->winner", and every racer's
  status, objective, runtime and trace in `Result.extra["race"]`.
"""

from __future__ import annotations

import contextlib
import dataclasses
import pickle
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from omnisolve.limits import AnyOf, IncumbentCallback, Limits, StoppingCriterion, Tracker
from omnisolve.model import ProblemData, Sense
from omnisolve.portfolio.board import Board
from omnisolve.problems import Problem
from omnisolve.processes import BROADCAST, Broadcast, Executor, Handle, Kind, LocalExecutor, Task
from omnisolve.result import Optimality, Result, Status, Verdict
from omnisolve.verify import verify

POLL = 0.05
STOP_GRACE = 2.0  # s a racer has to report its best once a stopping criterion ended the race
DEFINITE = (Status.INFEASIBLE, Status.UNBOUNDED)


@dataclass
class Stage:
    """Racers run at once for `share` of the time limit (the last stage gets what is left)."""

    solvers: list[str]
    share: float = 1.0


@dataclass
class Racer:
    """One racer's process and what it reported."""

    solver: str
    threads: int
    stage: int
    handle: Handle | None = None
    stopped: bool = False  # still running when the race stopped it
    trace: list[tuple[float, float | None, float | None]] = field(default_factory=list)
    result: Result | None = None
    message: str = ""

    def summary(self) -> dict[str, Any]:
        r = self.result
        return {
            "solver": self.solver,
            "stage": self.stage,
            "threads": self.threads,
            "status": r.status.value if r else ("stopped" if self.stopped else "crashed"),
            "objective": r.objective if r else None,
            "bound": r.bound if r else None,
            "runtime": r.runtime if r else None,
            "verdict": r.certificate.verdict if r and r.certificate else Verdict.NONE,
            "adopted": r.extra.get("adopted", 0) if r else 0,  # board solutions it continued from
            "stopped": self.stopped,  # still running when the race stopped it (it may have answered then)
            "message": (r.message if r else self.message)[:300],
            "trace": [list(t) for t in self.trace],
        }


def race(
    problem: Problem,
    stages: list[Stage] | list[str],
    time_limit: float = 60.0,
    threads: int = 1,
    gap: float = 1e-6,
    seed: int = 0,
    on_incumbent: IncumbentCallback | None = None,
    extra_solvers: dict[str, str] | None = None,
    sys_path: tuple[str, ...] = (),
    executor: Executor | None = None,
    stop: StoppingCriterion | None = None,
) -> Result:
    """Race the solvers (a list of names is one stage) on `problem` and return the best verified
    result; `executor` runs the racers (None: this machine); `stop`: the caller's own stopping
    criteria, honoured as the module's docstring says."""
    names = [s for s in stages if isinstance(s, str)]
    plan = [Stage(names)] if names else [s for s in stages if isinstance(s, Stage)]
    if not plan or not all(s.solvers for s in plan):
        raise ValueError("a race needs at least one solver in every stage")
    executor = executor or LocalExecutor()
    broadcast = executor.broadcast()
    state = _RaceState(problem, time_limit, gap, on_incumbent, stop, broadcast)
    with contextlib.closing(broadcast), tempfile.TemporaryDirectory(prefix="omnisolve-race-") as tmp:
        work = Path(tmp)
        (work / "problem.pkl").write_bytes(pickle.dumps(problem))
        common = {"problem": str(work / "problem.pkl"), "gap": gap, "seed": seed, "register": dict(extra_solvers or {})}
        common[BROADCAST] = broadcast.spec()
        if state.sent is not None:
            (work / "stop.pkl").write_bytes(pickle.dumps(state.sent))
            common["stop"] = str(work / "stop.pkl")
        race_end = state.start + time_limit
        for k, stage in enumerate(plan):
            last = k == len(plan) - 1
            stage_end = race_end if last else min(race_end, time.monotonic() + stage.share * time_limit)
            racers = [Racer(s, max(1, threads // len(stage.solvers)), k) for s in stage.solvers]
            state.racers += racers
            _run_stage(racers, common, tuple(sys_path), state, stage_end, executor)
            if state.done or time.monotonic() >= race_end:
                break
    return state.outcome()


def _split(stop: StoppingCriterion | None) -> tuple[StoppingCriterion | None, StoppingCriterion | None]:
    """`stop`'s criteria that pickle (sent to the racers) and those that do not (kept here)."""
    parts = stop.criteria if isinstance(stop, AnyOf) else () if stop is None else (stop,)
    pickles = [_pickles(c) for c in parts]
    sent = [c for c, p in zip(parts, pickles) if p]
    kept = [c for c, p in zip(parts, pickles) if not p]
    return (AnyOf(*sent) if sent else None), (AnyOf(*kept) if kept else None)


def _pickles(criterion: StoppingCriterion) -> bool:
    try:
        pickle.dumps(criterion)
    except Exception:  # a lock, an open file, a multiprocessing.Event outside a spawn: TypeError, RuntimeError, ...
        return False
    return True


class _RaceState:
    """The race's clock, racers, best verified result, combined trace, and the `tracker` that
    asks the caller's criteria of the best certified answer."""

    def __init__(
        self,
        problem: Problem,
        time_limit: float,
        gap: float,
        on_incumbent: IncumbentCallback | None,
        stop: StoppingCriterion | None,
        broadcast: Broadcast,
    ):
        self.problem, self.time_limit, self.gap = problem, time_limit, gap
        sense = getattr(problem, "sense", Sense.MIN)
        self.sign = 1.0 if sense == Sense.MIN else -1.0
        self.board = Board(problem, self.sign, broadcast)
        self.on_incumbent = on_incumbent
        self.start = time.monotonic()
        self.tracker = Tracker(sense=sense, limits=Limits(time=time_limit, stop=stop), clock=time.monotonic)
        self.sent, self.kept = _split(stop)  # the criteria sent to the racers, those asked here
        self.criterion = False  # whether a criterion of `stop` ended the race
        self.racers: list[Racer] = []
        self.best: Result | None = None
        self.claim: Result | None = None  # the first unproven infeasible/unbounded claim
        self.done = False
        self.trace: list[tuple[float, float | None, float | None]] = []

    def elapsed(self) -> float:
        return time.monotonic() - self.start

    def ask_kept(self) -> None:
        """End the race if a criterion kept here (not sent to the racers) holds."""
        if self.kept is not None and self.kept.should_stop(self.tracker):
            self.done = self.criterion = True

    def incumbent(self, racer: Racer, objective: float | None, bound: float | None) -> None:
        t = self.elapsed()
        racer.trace.append((t, objective, bound))
        last_obj = next((o for _, o, _ in reversed(self.trace) if o is not None), None)
        if objective is not None and (last_obj is None or self.sign * (objective - last_obj) < -1e-12):
            self.trace.append((t, objective, None))
            if self.on_incumbent is not None:
                self.on_incumbent(t, objective, None)

    def finished(self, racer: Racer, result: Result) -> None:
        """Verify a racer's result; keep it if it is the best; stop the race when it settles it."""
        result.problem_name = getattr(self.problem, "name", "")
        racer.result = verify(self.problem, result)
        if result.status in DEFINITE:
            if result.optimality == Optimality.PROVEN:
                self.best, self.done = result, True
            elif self.claim is None:
                self.claim = result  # only a claim: the others race on, and a certified answer wins
            return
        objective = result.objective  # recomputed by the certificate when it passed
        if objective is None or not (result.status.has_solution and result.certificate and result.certificate.passed):
            return
        best = None if self.best is None else self.best.objective  # None also after a proof of infeasibility
        if best is None or self.sign * (objective - best) < -1e-12:
            self.best = result
            self.incumbent(racer, result.objective, result.bound)
            start, _ = self.start_for()
            if start is not None:
                self.board.certified(racer.solver, objective, start)
        gap = result.gap
        if result.status == Status.OPTIMAL or (gap is not None and gap <= self.gap):
            self.best, self.done = result, True
            return
        self.tracker.report(objective, result.bound)
        if self.tracker.stop_requested():
            self.done = self.criterion = True

    def start_for(self) -> tuple[Any, bool]:
        """The best certified solution so far as a start, and whether it is a values array."""
        if self.best is None:
            return None, False
        if isinstance(self.problem, ProblemData):
            return (None, False) if self.best.values is None else (self.best.values.tolist(), True)
        return self.best.solution, False

    def outcome(self) -> Result:
        names = ",".join(dict.fromkeys(r.solver for r in self.racers))
        winner = self.best or self.claim
        if winner is None:
            statuses = [r.result.status for r in self.racers if r.result is not None]
            status = Status.TIME_LIMIT if Status.TIME_LIMIT in statuses or not statuses else Status.ERROR
            reasons = "; ".join(
                f"{r.solver}: {(r.result.message if r.result else r.message) or 'no answer'}" for r in self.racers
            )
            winner = Result(status, message=f"no racer found a certified answer ({reasons})")
            winner.problem_name = getattr(self.problem, "name", "")
        inner = winner.solver or "none"
        winner = dataclasses.replace(winner)  # the racer's own result stays as it reported
        winner.solver = f"race({names})->{inner}"
        winner.runtime = self.elapsed()
        winner.trace = self.trace or winner.trace
        racers = [r.summary() for r in self.racers]
        winner.extra = {
            **winner.extra,
            "race": {"winner": inner, "racers": racers, "criterion": self.criterion, "board": self.board.posts},
        }
        if self.criterion:
            winner.message = "stopped by a stopping criterion" + (f"; {winner.message}" if winner.message else "")
        lines = [
            f"{r.solver}: {s['status']} obj={s['objective']} t={s['runtime']}"
            for r, s in ((r, r.summary()) for r in self.racers)
        ]
        winner.log = "race:\n" + "\n".join(lines) + ("\n\n" + winner.log if winner.log else "")
        return winner


def _run_stage(
    racers: list[Racer],
    common: dict[str, Any],
    sys_path: tuple[str, ...],
    state: _RaceState,
    end: float,
    executor: Executor,
) -> None:
    """Start the stage's racers, collect their messages until the stage settles, then stop them all."""
    start, start_is_values = state.start_for()
    with contextlib.ExitStack() as running:  # its exit stops and reaps every racer
        for racer in racers:
            spec = {
                **common,
                "solver": racer.solver,
                "threads": racer.threads,
                "start": start,
                "start_is_values": start_is_values,
                "deadline": time.time() + (end - time.monotonic()),
            }
            files = ("problem", "stop") if "stop" in spec else ("problem",)
            task = Task("omnisolve.portfolio.racer:run", spec, sys_path, cpus=racer.threads, files=files)
            racer.handle = running.enter_context(executor.submit(task))
        grace = 1.0 + 0.1 * state.time_limit  # racers stop themselves at `end`; allow them to report
        while not state.done and any(r.handle.poll() is None for r in racers if r.handle is not None):
            if time.monotonic() > end + grace:
                break
            _drain(racers, state, timeout=POLL)
            state.ask_kept()
        if state.criterion:  # asked to stop (SIGTERM), each racer reports what it has (racer.py)
            _stop_all([r.handle for r in racers if r.handle is not None and r.handle.poll() is None])
    _drain(racers, state, timeout=0)
    for racer in racers:
        assert racer.handle is not None
        outcome = racer.handle.wait()  # reaped already: its outcome
        racer.stopped = outcome.cancelled
        if racer.result is None:
            racer.message = "stopped by the race" if racer.stopped else f"racer {outcome.ended(200)}"


def _stop_all(handles: list[Handle]) -> None:
    """Ask every handle's racer to stop at once, each given `STOP_GRACE` to report before SIGKILL."""
    stopping = [threading.Thread(target=handle.cancel, args=(STOP_GRACE,)) for handle in handles]
    for thread in stopping:
        thread.start()
    for thread in stopping:
        thread.join()


def _drain(racers: list[Racer], state: _RaceState, timeout: float) -> None:
    """Handle every message the racers sent (sleeping `timeout` when none had any)."""
    heard = False
    for racer in racers:
        assert racer.handle is not None
        for msg in racer.handle.messages():
            heard = True
            if msg["kind"] == Kind.INCUMBENT:
                state.incumbent(racer, msg["objective"], msg["bound"])
                if msg.get("solution") is not None and msg["objective"] is not None:
                    state.board.offer(racer.solver, msg["objective"], msg["solution"])
            elif msg["kind"] == Kind.RESULT and racer.result is None:
                state.finished(racer, Result.from_dict(msg["result"]))
    if not heard and timeout:
        time.sleep(timeout)
