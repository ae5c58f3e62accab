"""Training data for the selector from bench runs: per instance its class and features, per
(instance, solver) the run's cost (`metrics.answer_cost`: the time to a proof first, then to a
claim, then to the reference) and gap.

A runs.csv row is found on disk through (suite, instance) -> `bench.suites`; the suite comes
from the row's `suite` column (the mixed suite's merged runs.csv) or is given for a plain
bench runs.csv. The time limit comes from the `time_limit` column or is given.
"""

from __future__ import annotations

import csv
import math
import time
from dataclasses import dataclass, field
from pathlib import Path

from omnisolve.bench import metrics
from omnisolve.errors import InputError
from omnisolve.result import Verdict

PROVEN = ("optimal", "infeasible", "unbounded")  # statuses a solver proves
Times = tuple[float | None, float | None, float | None]  # a run's (proof, claim, reach) seconds


@dataclass
class Sample:
    """One instance: its class, features, and per solver its cost (`metrics.answer_cost`) and gap,
    means over repeats, and each repeat's (proof, claim, reach) times of `metrics.answer_cost`."""

    suite: str
    instance: str
    cls: str
    features: dict[str, float]
    cost: dict[str, float] = field(default_factory=dict)
    gap: dict[str, float] = field(default_factory=dict)  # fraction in [0, 1]; 1 without an answer
    repeats: dict[str, int] = field(default_factory=dict)
    times: dict[str, list[Times]] = field(default_factory=dict)  # per repeat
    proved: set[str] = field(default_factory=set)  # solvers that proved the answer at least once
    refused: set[str] = field(default_factory=set)  # solvers that refused the instance (`auto` never picks them)
    rules: list[str] = field(default_factory=list)  # the rule-based order (`portfolio.rules`) of the installed backends
    feature_seconds: float = 0.0  # time to compute the class and features (problem already read)

    @property
    def key(self) -> str:
        return f"{self.suite}/{self.instance}"


@dataclass
class Dataset:
    samples: list[Sample]
    solvers: list[str]
    time_limit: float


def _number(text: str | None) -> float | None:
    try:
        value = float(text) if text not in (None, "") else None
    except ValueError:
        return None
    return value if value is None or math.isfinite(value) else None


def read_runs(
    paths: list[Path], suite: str | None = None, time_limit: float | None = None, data: Path | None = None
) -> Dataset:
    """The dataset of one or more runs.csv files (repeats of a run are averaged)."""
    rows: list[dict[str, str]] = []
    for path in paths:
        try:
            with Path(path).open(newline="") as fh:
                found = list(csv.DictReader(fh))
        except OSError as exc:
            raise InputError(f"cannot read runs: {exc.strerror}", path=str(path)) from None
        for line, row in enumerate(found, 2):
            if not (row.get("suite") or suite):
                raise InputError("no suite column: give the suite of these runs (--suite)", path=str(path), line=line)
            if not row.get("instance") or not row.get("solver"):
                raise InputError("every row needs instance and solver", path=str(path), line=line)
        rows += found
    limit = time_limit or max((_number(r.get("time_limit")) or 0.0 for r in rows), default=0.0)
    if not limit:
        raise InputError("the runs carry no time_limit column: give the time limit (--time-limit)")
    samples: dict[tuple[str, str], Sample] = {}
    for row in rows:
        key = (row.get("suite") or suite or "", row["instance"])
        if key not in samples:
            samples[key] = _sample(*key, data)
        _add_run(samples[key], row, limit)
    solvers = sorted({r["solver"] for r in rows})
    return Dataset(list(samples.values()), solvers, limit)


def _sample(suite: str, name: str, data: Path | None) -> Sample:
    from omnisolve.bench.mixed_suite import instance
    from omnisolve.bench.worker import load
    from omnisolve.portfolio.choice import supported
    from omnisolve.portfolio.features import features, problem_class
    from omnisolve.portfolio.rules import preferences

    inst = instance(suite, name, data)
    problem = load({"path": str(inst.path), "num_vehicles": inst.num_vehicles})
    start = time.perf_counter()
    cls, feats = problem_class(problem), features(problem)
    seconds = time.perf_counter() - start
    return Sample(suite, name, cls, feats, feature_seconds=seconds, rules=supported(problem, preferences(problem)))


def run_times(row: dict[str, str]) -> Times:
    """A runs.csv row's (proof, claim, reach) seconds (`metrics.answer_cost`): a correct answer
    reaches the reference at `time_to_solve`; a correct proven status ends the run at its
    runtime plus the check's time, a proof when the certificate says `proven` (or the row has
    no optimality column), else a claim."""
    t = _number(row.get("time_to_solve"))
    if row.get("correct") == "False" or row.get("status") == "unsupported" or t is None:
        return None, None, None
    if row.get("status") not in PROVEN:
        return None, None, t
    ended = (_number(row.get("runtime")) or t) + (_number(row.get("check_time")) or 0.0)
    return (ended, None, t) if row.get("optimality", "proven") == "proven" else (None, ended, t)


def _add_run(sample: Sample, row: dict[str, str], time_limit: float) -> None:
    """Fold one run into the sample (mean over repeats)."""
    times = run_times(row)
    cost = metrics.answer_cost(*times, time_limit)
    g = _number(row.get("gap"))
    if times[2] is not None and g is None:  # a proven infeasible/unbounded status: nothing to close
        gap = 0.0
    else:
        gap = 1.0 if g is None or row.get("verdict") != Verdict.PASS else min(max(g, 0.0), 1.0)
    solver = row["solver"]
    if times[0] is not None or times[1] is not None:
        sample.proved.add(solver)
    if row.get("status") == "unsupported":
        sample.refused.add(solver)
    sample.times.setdefault(solver, []).append(times)
    n = sample.repeats.get(solver, 0)
    for table, value in ((sample.cost, cost), (sample.gap, gap)):
        table[solver] = (table.get(solver, 0.0) * n + value) / (n + 1)
    sample.repeats[solver] = n + 1
