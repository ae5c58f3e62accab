"""Run a suite: every (instance, solver, repeat) in its own worker process under a hard time
limit, then score the runs against the instances' reference values.

Isolation: each run is a task of `omnisolve.processes` (entry `bench.worker:run`) in a new
session (its own process group), on the settings' executor: this machine's, or a Ray
cluster's, where the run reserves its threads as CPUs. Timing is the worker's own: a run's
runtime and load time are measured in its process, never the parent's wall clock (which on a
cluster includes placing the task). The hard deadline is `load_allowance` for reading the
instance, counted from when the worker runs (on a cluster: once it is placed on its node),
then, from the moment the worker says it has read it (`started`), `time_limit + grace`. On
overrun the whole process group gets SIGTERM, then SIGKILL (a solver that ignores SIGTERM dies
too), and is reaped; the run is an error "killed after N s". A worker that crashes (segfault,
sys.exit, abort) sends no result and becomes an error naming its exit code or signal. The
group is killed after every run, so a solver's stray children never outlive it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from omnisolve.api import after_solve_allowance
from omnisolve.bench import metrics
from omnisolve.bench.suites import Instance
from omnisolve.errors import InputError, UnsupportedError
from omnisolve.model import Sense
from omnisolve.processes import Executor, Kind, LocalExecutor, Outcome, Task
from omnisolve.result import Result, Verdict

TARGETS = {"time_to_1pct": 1e-2, "time_to_01pct": 1e-3}
BEST_TOLERANCE = 1e-6  # a gap (fraction) at most this counts as reaching the reference
WRONG_TOLERANCE = 1e-4  # an "optimal" claim further than this from a proven optimum is wrong
POLL = 0.02  # seconds between checks on a running worker


@dataclass(frozen=True)
class Settings:
    """How to run: limits per run, repeats, parallel runs, the hard-kill allowances, and where
    (`executor`: this machine by default, or `processes.cluster.RayExecutor`)."""

    time_limit: float = 10.0
    threads: int = 1
    repeats: int = 1
    jobs: int = 1
    seed: int = 0  # repeat k runs with seed + k
    grace: float | None = (
        None  # seconds past the limit before the kill; None: max(5, 0.2 x limit) + 5 compile + cross-check
    )
    load_allowance: float = 60.0  # seconds to start Python and read the instance
    extra_solvers: Mapping[str, str] = field(default_factory=dict)  # name -> "module:Class" for workers
    sys_path: tuple[str, ...] = ()  # prepended to the workers' sys.path (to import extra solvers)
    executor: Executor = field(default_factory=LocalExecutor, compare=False)

    @property
    def hard_grace(self) -> float:
        if self.grace is not None:
            return self.grace
        return max(5.0, 0.2 * self.time_limit) + 5.0 + after_solve_allowance(self.time_limit)


@dataclass
class Run:
    """One run: what the solver returned and, after `score`, how it compares to the reference."""

    instance: str
    solver: str
    repeat: int
    seed: int
    status: str = "error"
    objective: float | None = None
    bound: float | None = None
    verdict: str = Verdict.NONE
    optimality: str = "none"  # proven, claimed, refuted or none (see docs/verification.md)
    check_time: float = 0.0  # seconds the cross-check spent after the solve
    runtime: float = 0.0
    load_time: float | None = None
    trace: list[list[float | None]] = field(default_factory=list)
    message: str = ""
    sense: str = Sense.MIN
    solver_version: str = ""
    reference: float | None = None  # best known, or best found in the run where none is proven
    gap: float | None = None  # fraction, see metrics.gap
    time_to_1pct: float | None = None
    time_to_01pct: float | None = None
    time_to_solve: float | None = None  # to the reference (gap <= 1e-6) or to a correct proof
    primal_integral: float | None = None  # seconds
    primal_integral_norm: float | None = None  # / time limit, in [0, 1]
    correct: bool | None = None  # False: contradicts a proven optimum or the expected status
    peak_rss_mb: float | None = None  # the worker's peak memory (see `worker.peak_rss_mb`)


ProgressHook = Callable[[Instance, str], None]


def solver_spec(label: str, threads: int) -> tuple[str, int]:
    """ "pyvrp@1" -> ("pyvrp", 1): a solver entry may fix its own thread count, so one run can
    put a solver beside itself at other threads (e.g. one-seed PyVRP beside omnisolve's)."""
    name, _, count = label.partition("@")
    if not count:
        return name, threads
    if not count.isdigit() or int(count) < 1:
        raise InputError(f"bad solver entry {label!r}: after @ comes a thread count of at least 1")
    return name, int(count)


def plan(instances: list[Instance], solvers: list[str], repeats: int) -> list[tuple[Instance, str, int]]:
    """The runs in order: instance by instance, each solver, each repeat."""
    return [(inst, solver, k) for inst in instances for solver in solvers for k in range(repeats)]


def run_suite(
    instances: list[Instance],
    solvers: list[str],
    settings: Settings,
    on_start: ProgressHook | None = None,
    on_done: ProgressHook | None = None,
) -> list[Run]:
    """All runs (sequential unless `settings.jobs` > 1), scored; the hooks drive a progress bar."""
    jobs = plan(instances, solvers, settings.repeats)
    stop = threading.Event()

    def one(job: tuple[Instance, str, int]) -> Run:
        inst, solver, k = job
        if on_start is not None:
            on_start(inst, solver)
        run = run_one(inst, solver, k, settings, stop)
        if on_done is not None:
            on_done(inst, solver)
        return run

    if settings.jobs <= 1:
        runs = [one(job) for job in jobs]
    else:
        with ThreadPoolExecutor(settings.jobs) as pool:
            try:
                runs = list(pool.map(one, jobs))
            except BaseException:  # Ctrl-C: kill the running workers, start no more
                stop.set()
                pool.shutdown(cancel_futures=True)
                raise
    score(runs, instances, settings.time_limit)
    return runs


def run_one(inst: Instance, solver: str, repeat: int, settings: Settings, stop: threading.Event | None = None) -> Run:
    """One run in a fresh worker process, never raising for anything the solver does; setting
    `stop` kills it (KeyboardInterrupt)."""
    run = Run(inst.name, solver, repeat, settings.seed + repeat)
    name, threads = solver_spec(solver, settings.threads)
    spec = {
        "path": str(inst.path),
        "num_vehicles": inst.num_vehicles,
        "solver": name,
        "time_limit": settings.time_limit,
        "threads": threads,
        "seed": run.seed,
        "register": dict(settings.extra_solvers),
    }
    task = Task("omnisolve.bench.worker:run", spec, settings.sys_path, cpus=threads, files=("path",), fresh=True)
    killed, started, outcome = _execute(task, settings, stop or threading.Event())
    if killed:
        run.message = killed
    elif outcome.result is not None:
        _record(run, Result.from_dict(outcome.result), started)
    elif outcome.error is not None:
        run.message = outcome.error
        if outcome.code == UnsupportedError.exit_code:  # the solver refused the instance it read
            run.status = "unsupported"
            _record_load(run, started)
    else:
        run.message = f"worker {outcome.ended()}"
    return run


def _execute(task: Task, settings: Settings, stop: threading.Event) -> tuple[str, dict[str, Any] | None, Outcome]:
    """Start the worker, enforce the deadline, reap it: ("killed after N s" when it overran
    the deadline, else "", its `started` message, its outcome)."""
    started: dict[str, Any] | None = None
    killed = False
    with settings.executor.submit(task) as worker:
        while not worker.placed(POLL):  # a cluster's task may wait for cores: its allowance starts once it runs
            if stop.is_set():
                raise KeyboardInterrupt
        start = time.monotonic()
        deadline = start + settings.load_allowance
        while worker.poll() is None:
            for message in worker.messages(POLL):
                if message["kind"] == Kind.STARTED:
                    started = message
                    deadline = time.monotonic() + settings.time_limit + settings.hard_grace
            if time.monotonic() > deadline:
                killed = True
                break
            if stop.is_set():
                raise KeyboardInterrupt
        if not killed:  # its result is in, or it ended: give it until the deadline to exit
            worker.wait(max(0.0, deadline - time.monotonic()))
    started = started or next((m for m in worker.messages() if m["kind"] == Kind.STARTED), None)
    outcome = worker.wait()  # reaped by now: its outcome
    if not killed:
        return "", started, outcome
    reading = "" if started else " (still reading the instance)"
    return f"killed after {time.monotonic() - start:.0f} s{reading}", started, outcome


def _record(run: Run, result: Result, started: dict[str, Any] | None) -> None:
    """The run's fields from the worker's certified result; a solver whose claim the
    cross-check refuted is scored on its own (wrong) answer."""
    check = result.extra.get("cross_check", {})
    own = check.get("refuted_claim")
    run.status = own["status"] if own else result.status.value
    run.objective = own["objective"] if own else result.objective
    run.bound = own["bound"] if own else result.bound
    run.verdict = result.certificate.verdict if result.certificate is not None else Verdict.NONE
    run.optimality = result.optimality.value
    run.check_time = check.get("seconds", 0.0)
    run.runtime = result.runtime
    run.trace = [list(t) for t in result.trace]
    run.message = result.message
    run.solver_version = result.solver_version
    run.peak_rss_mb = result.extra.get("peak_rss_mb")
    _record_load(run, started)


def _record_load(run: Run, started: dict[str, Any] | None) -> None:
    """The load time and the problem's sense, from the worker's `started` message."""
    if started is not None:
        run.load_time, run.sense = started["load_time"], started["sense"]


def score(runs: list[Run], instances: list[Instance], time_limit: float) -> None:
    """Fill each run's reference, gap, times to target, time to solve, primal integral, correctness."""
    by_name = {inst.name: inst for inst in instances}
    for name, group in _group(runs).items():
        inst = by_name[name]
        # the problem's own sense, from a worker that read it (an early error leaves the default)
        sense = inst.sense or next((r.sense for r in group if r.load_time is not None), Sense.MIN)
        reference = _reference(inst, group, sense)
        for run in group:
            run.sense = sense
            _score_run(run, inst, reference, time_limit)


def _group(runs: list[Run]) -> dict[str, list[Run]]:
    groups: dict[str, list[Run]] = {}
    for run in runs:
        groups.setdefault(run.instance, []).append(run)
    return groups


def _reference(inst: Instance, runs: list[Run], sense: str) -> float | None:
    """The proven optimum; otherwise the better of the best known value and the best certified
    objective any run found."""
    if inst.proven:
        return inst.best_known
    found = [r.objective for r in runs if r.verdict == Verdict.PASS and r.objective is not None]
    candidates = found + ([inst.best_known] if inst.best_known is not None else [])
    if not candidates:
        return None
    return min(candidates) if sense == Sense.MIN else max(candidates)


def _score_run(run: Run, inst: Instance, reference: float | None, time_limit: float) -> None:
    run.reference = reference
    if run.status == "unsupported":
        return
    trace = primal_trace(run, time_limit)
    if run.verdict == Verdict.PASS and run.objective is not None:
        run.gap = metrics.gap(run.objective, reference, run.sense)
    for key, target in TARGETS.items():
        setattr(run, key, metrics.time_to_target(trace, reference, run.sense, target))
    run.primal_integral = metrics.primal_integral(trace, reference, time_limit)
    if run.primal_integral is not None:
        run.primal_integral_norm = run.primal_integral / time_limit
    proved_status = inst.expected_status is not None and run.status == inst.expected_status
    reached = metrics.time_to_target(trace, reference, run.sense, BEST_TOLERANCE)
    run.time_to_solve = run.runtime if proved_status else reached
    run.correct = _correct(run, inst)


def primal_trace(run: Run, time_limit: float) -> list[list[float | None]]:
    """The run's trace plus its certified final answer (a solver may not report its last one)."""
    if run.verdict == Verdict.PASS and run.objective is not None:
        return [*run.trace, [min(run.runtime, time_limit), run.objective, run.bound]]
    return list(run.trace)


def _correct(run: Run, inst: Instance) -> bool | None:
    """False when the run contradicts what is known (another definite status than the expected
    one, an objective beyond a proven optimum, an "optimal" claim far from it, a claim the
    cross-check refuted); True when it
    agrees; None when there is nothing to compare (no answer, or no proven value)."""
    if run.optimality == "refuted":  # an independent solver showed the claim wrong
        return False
    definite = ("optimal", "feasible", "infeasible", "unbounded")
    if inst.expected_status is not None:
        return run.status == inst.expected_status if run.status in definite else None
    if not inst.proven:
        return None
    if run.status in ("infeasible", "unbounded"):
        return False
    if run.gap is None:
        return None
    return run.gap >= -WRONG_TOLERANCE and (run.status != "optimal" or run.gap <= WRONG_TOLERANCE)
