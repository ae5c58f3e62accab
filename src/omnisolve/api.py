"""`omnisolve.solve`: read or compile the problem, pick a solver, solve, and certify the answer."""

from __future__ import annotations

import dataclasses
import os
import sys
import time
import traceback
from typing import TYPE_CHECKING, Any

from omnisolve.errors import OmnisolveError
from omnisolve.limits import Criteria, IncumbentCallback, Limits, Tracker, combined
from omnisolve.model import Model, ProblemData, Sense
from omnisolve.problems import Problem, StructuredProblem
from omnisolve.processes import available_cores, warm
from omnisolve.result import Result, Status
from omnisolve.solvers import registry
from omnisolve.solvers.base import SolverInterface
from omnisolve.verify import verify

if TYPE_CHECKING:
    from omnisolve.portfolio.choice import Choice
    from omnisolve.portfolio.crosscheck import Mode
    from omnisolve.portfolio.history import History
    from omnisolve.processes import Executor

# statuses a race started after the leader's head start could not better
ANSWERED = (Status.OPTIMAL, Status.INFEASIBLE, Status.UNBOUNDED)


def load(problem: Model | Problem | str | os.PathLike) -> Problem:
    """A path is read, a `Model` is compiled, `ProblemData` and structured problems pass through."""
    if isinstance(problem, (str, os.PathLike)):
        from omnisolve.io import read

        return read(problem)
    if isinstance(problem, Model):
        return problem.compile()
    if isinstance(problem, (ProblemData, StructuredProblem)):
        return problem
    raise TypeError(f"cannot solve a {type(problem).__name__}: pass a Model, a problem or a file path")


def named_racers(solver: str) -> list[str] | None:
    """["a", "b"] for "race:a,b" (each a known backend, else `UnsupportedError`); None otherwise."""
    if not solver.startswith("race:"):
        return None
    return [registry.get(name.strip()).name for name in solver.removeprefix("race:").split(",")]


def pick_solver(problem: Problem, solver: str = "auto") -> SolverInterface:
    """The named backend, the lead racer of "race:a,b", or for `auto` (and the lead racer of
    `race`) the learned selector's choice (the rule-based one for classes it has not seen)."""
    named = named_racers(solver)
    if named:
        return registry.get(named[0])
    if solver in ("auto", "race"):
        from omnisolve.portfolio.choice import choose

        return registry.get(choose(problem).ranked[0])
    return registry.get(solver)


def _history(history: bool | str | os.PathLike | History | None) -> History | None:
    """The run history to learn from and record in, or None: `True` -> the default place, a
    path or database URL -> there, a `History` as is, `None` -> the default place only when
    OMNISOLVE_HISTORY is set; "off" there turns the default place off."""
    from omnisolve.portfolio.history import History, default_location

    if history is None:
        history = default_location() if os.environ.get("OMNISOLVE_HISTORY") else None
    elif history is True:
        history = default_location()
    return None if history is None or history is False else History.get_storage(history)


def solve(
    problem: Model | Problem | str | os.PathLike,
    solver: str = "auto",
    time_limit: float = 60.0,
    threads: int | None = None,
    gap: float = 1e-6,
    seed: int = 0,
    on_incumbent: IncumbentCallback | None = None,
    utility: Any = None,
    history: bool | str | os.PathLike | History | None = None,
    cross_check: str = "claims",
    executor: Executor | None = None,
    stop: Criteria = None,
) -> Result:
    """Solve `problem` and return a `Result` carrying its verifier's `Certificate`.

    `solver`: a backend name; "auto" (the learned selector, rules as fallback); "race" (the
    selector's top solvers at once in isolated processes, see `portfolio.race`); or
    "race:A,B,..." (these backends at once, e.g. "race:highs,scip"). `utility`
    ("deadline:S", "linear:S", "exp:H" or a `portfolio.utility.Utility`) makes the choice
    maximize the expected value of the answer and caps the time limit at its horizon.
    `threads`: cores for the backend (a race splits them among its racers); by default all
    the cores this process may use (`processes.available_cores`).
    `history`: record the outcome in the run history and let it steer `auto`/`race` (True: the
    default place, `$OMNISOLVE_HISTORY` or ~/.omnisolve/history.db; or a SQLite file path, a
    database URL such as "postgresql://user:pw@host/db", or a `portfolio.history.History`).
    `cross_check`: "claims" (default) lets an independent solver confirm or refute an optimal,
    infeasible or unbounded claim the data could not prove, for up to a fifth of the time limit
    (`portfolio.crosscheck`); "always" also checks feasible answers; "off" never does.
    `executor`: where a race's racers run: None for this machine, or a
    `processes.cluster.RayExecutor` (each racer an actor on any node of the cluster); a single
    backend runs in this process either way.
    `stop`: stopping criteria of the caller's own beside the time limit and the gap, one or
    several (`omnisolve.limits`: `TargetObjective(v)`, `TargetGap(rel)`, `Stall(s)`,
    `Cancelled(event)`; the run stops when any holds), honoured by the backend `solver` or `auto`
    picks, and by a race as `portfolio.race.race` says. A stopped run answers its best
    incumbent as feasible, as at the time limit.

    Bad input raises an `OmnisolveError`; a backend that crashes gives `Status.ERROR` with the
    reason in `Result.message`. A result whose certificate fails is reported as an error.
    """
    from omnisolve.portfolio.crosscheck import check_mode

    started = time.perf_counter()
    mode = check_mode(cross_check)
    threads = available_cores() if threads is None else threads
    data = load(problem)
    runs = _history(history)
    named = named_racers(solver)
    limits = Limits(time=time_limit, threads=threads, gap=gap, seed=seed, stop=combined(stop))
    if solver not in ("auto", "race") and named is None:
        result = _solve_with(data, registry.get(solver), limits, on_incumbent)
        result = _after_solve(data, result, mode, time_limit, threads, seed, started)
        _record(runs, data, None, result, time_limit)
        return result
    from omnisolve.portfolio.choice import choose
    from omnisolve.portfolio.utility import Utility, parse

    value = parse(utility) if isinstance(utility, str) else utility
    if isinstance(value, Utility):
        time_limit = min(time_limit, value.horizon)
        limits = dataclasses.replace(limits, time=time_limit)
    choice = choose(data, value, runs, time_limit=time_limit)
    racing = bool(solver == "race" or named or (threads >= 2 and choice.contenders))
    method = choice.method
    if racing and solver == "auto" and choice.head_start > 0 and limits.stop is None:
        result, racing = _alone_first(data, choice, limits, on_incumbent, executor)
        method += "+alone first"
    elif racing:
        racers = named or (choice.contenders if solver == "auto" else choice.ranked[: max(2, threads)])
        result = _race(data, racers, limits, on_incumbent, executor)
    else:
        result = _solve_with(data, registry.get(choice.ranked[0]), limits, on_incumbent)
    method += "+race" if racing and solver == "auto" else ""
    result.extra = {
        **result.extra,
        "selection": {"method": method, "ranked": choice.ranked, "class": choice.cls},
    }
    result = _after_solve(data, result, mode, time_limit, threads, seed, started)
    _record(runs, data, choice, result, time_limit)
    return result


def _race(
    data: Problem, racers: list[str], limits: Limits, on_incumbent: IncumbentCallback | None, executor: Executor | None
) -> Result:
    """`racers` at once in isolated processes (`portfolio.race`), within `limits`."""
    from omnisolve.portfolio.race import race

    return race(
        data,
        racers,
        time_limit=limits.time,
        threads=limits.threads,
        gap=limits.gap,
        seed=limits.seed,
        on_incumbent=on_incumbent,
        extra_solvers=registry.registered(),
        sys_path=tuple(p for p in sys.path if p),
        executor=executor,
        stop=limits.stop,
    )


def _alone_first(
    data: Problem, choice: Choice, limits: Limits, on_incumbent: IncumbentCallback | None, executor: Executor | None
) -> tuple[Result, bool]:
    """The leader alone for its head start (`portfolio.choice.head_start`), then, unless it has
    answered (`ANSWERED`), the race of the contenders in the time left; whether it raced. The
    race that finds nothing leaves the leader's answer."""
    started = time.perf_counter()
    if executor is None:
        warm()  # the race's processes are ready by the time the leader has had its head start
    progress = _one_progress(data, on_incumbent)
    alone = dataclasses.replace(limits, time=min(choice.head_start, limits.time))
    result = first = _solve_with(data, registry.get(choice.contenders[0]), alone, progress)
    racing = first.status not in ANSWERED
    if racing:
        left = dataclasses.replace(limits, time=limits.time - (time.perf_counter() - started))
        result = _race(data, choice.contenders, left, progress, executor)
        result = first if result.objective is None and first.objective is not None else result
    result.runtime = time.perf_counter() - started
    return result, racing


def _one_progress(data: Problem, on_incumbent: IncumbentCallback | None) -> IncumbentCallback | None:
    """The callback of a solve in two runs (the leader alone, then the race): times from the
    solve's start and improvements only, as one run would report them."""
    if on_incumbent is None:
        return None
    whole = Tracker(on_incumbent, getattr(data, "sense", Sense.MIN))
    return lambda seconds, objective, bound: whole.report(objective, bound)


def _after_solve(
    data: Problem, result: Result, mode: Mode, time_limit: float, threads: int, seed: int, started: float
) -> Result:
    """What follows every solve, single or raced, that began at `started` (perf_counter): the
    cross-check of an unproven claim, in the time the solve left of its limit plus its share
    past it, then, for an infeasible result, why: an irreducible infeasible subset by the
    user's names (`result.extra["explanation"]`). At most `after_solve_allowance` past the limit."""
    from omnisolve.portfolio.crosscheck import cross_check

    unused = time_limit - (time.perf_counter() - started)
    result = cross_check(data, result, mode, time_limit, threads, seed, unused)
    if result.status == Status.INFEASIBLE:
        from omnisolve.explain import explain

        result.extra = {**result.extra, "explanation": explain(data, time_limit=_explain_seconds(time_limit)).to_dict()}
    return result


def _explain_seconds(time_limit: float) -> float:
    return max(1.0, 0.2 * time_limit)


def after_solve_allowance(time_limit: float, cross_check: str = "claims") -> float:
    """The most `solve` may spend past its time limit: the cross-check's witnesses and an
    infeasible result's explanation. Whoever kills a solve at a deadline adds this."""
    from omnisolve.portfolio.crosscheck import budget

    return (0.0 if cross_check == "off" else budget(time_limit)) + _explain_seconds(time_limit)


def _record(runs: History | None, data: Problem, choice: Any, result: Result, time_limit: float) -> None:
    """Append the outcome to the run history `runs` (nothing when None)."""
    if runs is None:
        return
    from omnisolve.portfolio.crosscheck import claimed_by
    from omnisolve.portfolio.features import features, problem_class

    solver = claimed_by(result)  # a race's winner
    cls, feats = (choice.cls, choice.features) if choice is not None else (problem_class(data), features(data))
    runs.record(cls, feats, solver, result.status.value, result.runtime, result.gap, time_limit)


def _solve_with(
    data: Problem, backend: SolverInterface, limits: Limits, on_incumbent: IncumbentCallback | None
) -> Result:
    """One backend in this process; a crash becomes an error result; the answer is verified."""
    try:
        result = backend.solve(data, limits, on_incumbent)
    except OmnisolveError:
        raise
    except Exception as exc:  # a backend bug becomes an error result, never a crash
        result = Result(
            Status.ERROR,
            solver=backend.name,
            # one line without the exception's class name (the log keeps the traceback)
            message=f"solver {backend.name} failed: "
            + ("out of memory" if isinstance(exc, MemoryError) else " ".join(str(exc).split())[:200] or "no detail"),
            log=traceback.format_exc(),
        )
    result.problem_name = getattr(data, "name", "")
    return verify(data, result)
