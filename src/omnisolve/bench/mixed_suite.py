"""The mixed `portfolio` benchmark suite: instances of every class from the benchmark data, each
class with the solvers that compete on it (listed in data/portfolio/suite.csv), and the run
that collects one runs.csv for training and evaluating the selector.

The merged runs.csv is the bench harness's runs.csv with leading `suite` and `time_limit`
columns, so every row names its instance file: (suite, instance) -> `bench.suites` -> path.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from omnisolve.bench.suites import Instance, load_suite, select
from omnisolve.errors import InputError

SUITE_FILE = Path(__file__).resolve().parents[1] / "data" / "portfolio" / "suite.csv"
# the evaluation set: instances of the same suites that no shipped selector trained on
HELD_APART_FILE = SUITE_FILE.with_name("heldapart.csv")


@dataclass(frozen=True)
class Part:
    """One class of the mixed suite: a benchmark suite, some of its instances, its solvers."""

    suite: str
    instances: tuple[str, ...]
    solvers: tuple[str, ...]


def parts(path: Path = SUITE_FILE) -> list[Part]:
    """The mixed suite's definition (columns suite, instances, solvers; lists space-separated)."""
    with path.open(newline="") as fh:
        return [
            Part(r["suite"], tuple(r["instances"].split()), tuple(r["solvers"].split())) for r in csv.DictReader(fh)
        ]


@lru_cache(maxsize=None)
def _suite_instances(suite: str, data: Path | None) -> dict[str, Instance]:
    return {inst.name: inst for inst in load_suite(suite, data).instances}


def instance(suite: str, name: str, data: Path | None = None) -> Instance:
    """The benchmark `Instance` called `name` in `suite` (InputError when there is none)."""
    found = _suite_instances(suite, data).get(name)
    if found is None:
        raise InputError(f"suite {suite} has no instance {name!r}")
    return found


def collect(
    out: Path,
    time_limit: float,
    threads: int = 1,
    data: Path | None = None,
    solvers: list[str] | None = None,
    on_progress: Callable[[str], None] | None = None,
    parts_file: Path = SUITE_FILE,
) -> Path:
    """Run every part of the mixed suite (`parts_file`: the training suite or the held-apart
    one) with the bench harness (one isolated worker per run), write each part's runs into
    out/SUITE/ and all of them into out/runs.csv; returns that file. `solvers` restricts every
    part to these solvers."""
    from omnisolve.bench import report
    from omnisolve.bench.runner import Settings, run_suite

    settings = Settings(time_limit=time_limit, threads=threads)
    merged: list[dict[str, object]] = []
    known = sorted({s for part in parts(parts_file) for s in part.solvers})
    if solvers and not set(solvers) & set(known):
        raise InputError(f"no part of the suite runs {', '.join(solvers)}; its solvers: {', '.join(known)}")
    for part in parts(parts_file):
        chosen = [s for s in part.solvers if not solvers or s in solvers]
        if not chosen:
            continue
        insts = select(load_suite(part.suite, data), list(part.instances))
        hook = (lambda inst, solver: on_progress(f"{part.suite}/{inst.name} {solver}")) if on_progress else None
        runs = run_suite(insts, chosen, settings, on_start=hook)
        folder = out / part.suite
        folder.mkdir(parents=True, exist_ok=True)
        report.write_runs(runs, folder)
        with (folder / "runs.csv").open(newline="") as fh:
            merged += [{"suite": part.suite, "time_limit": time_limit, **row} for row in csv.DictReader(fh)]
    target = out / "runs.csv"
    out.mkdir(parents=True, exist_ok=True)
    with target.open("w", newline="") as fh:
        writer = csv.DictWriter(fh, list(merged[0]))
        writer.writeheader()
        writer.writerows(merged)
    return target
