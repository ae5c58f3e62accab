"""Benchmark outputs: runs.csv / runs.json (every run, traces in the JSON), summary.md (per
solver, then per instance side by side) and the rich table printed at the end.

Gaps are stored as fractions (see `metrics`) and shown here as percent.
"""

from __future__ import annotations

import csv
import json
import statistics
from dataclasses import asdict, fields
from pathlib import Path

from rich.table import Table

from omnisolve.bench import metrics
from omnisolve.bench.runner import BEST_TOLERANCE, Run, Settings
from omnisolve.bench.suites import Instance
from omnisolve.model import Sense
from omnisolve.processes import LocalExecutor
from omnisolve.result import Verdict, jsonable

SUMMARY_COLUMNS = [
    "solver",
    "runs",
    "unsup",
    "errors",
    "gap% mean",
    "gap% median",
    "gap% max",
    "optimal",
    "proven",
    "claimed",
    "refuted",
    "check s",
    "best",
    "wrong",
    "sgm time",
    "PI/T mean",
]

GROWTH_COLUMNS = ["instance", "size", "solver", "gap", "1 % at s", "0.1 % at s", "peak MB"]


def write_runs(runs: list[Run], out: Path) -> None:
    """runs.json: every field of every run; runs.csv: the same without the trace (its length instead)."""
    (out / "runs.json").write_text(json.dumps(jsonable([asdict(r) for r in runs]), indent=1))
    columns = [f.name for f in fields(Run) if f.name != "trace"] + ["trace_points"]
    with (out / "runs.csv").open("w", newline="") as fh:
        writer = csv.DictWriter(fh, columns)
        writer.writeheader()
        for run in runs:
            row = {k: v for k, v in asdict(run).items() if k != "trace"}
            writer.writerow({**row, "trace_points": len(run.trace)})


def solver_summary(runs: list[Run], solvers: list[str], time_limit: float) -> list[dict[str, object]]:
    """One row per solver: counts, gap statistics (percent), how many claims were proven, only
    claimed or refuted (and the cross-check's mean seconds), shifted geometric mean of the time
    to solve (time limit when the reference or a proof was never reached) and the mean
    normalized primal integral. Unsupported runs count in `unsup` only."""
    rows = []
    for solver in solvers:
        mine = [r for r in runs if r.solver == solver and r.status != "unsupported"]
        gaps = [100 * r.gap for r in mine if r.gap is not None]
        integrals = [r.primal_integral_norm for r in mine if r.primal_integral_norm is not None]
        times = [r.time_to_solve if r.time_to_solve is not None else time_limit for r in mine]
        rows.append(
            {
                "solver": solver,
                "runs": len(mine),
                "unsup": sum(r.solver == solver and r.status == "unsupported" for r in runs),
                "errors": sum(r.status == "error" for r in mine),
                "gap% mean": statistics.fmean(gaps) if gaps else None,
                "gap% median": statistics.median(gaps) if gaps else None,
                "gap% max": max(gaps, default=None),
                "optimal": sum(r.status == "optimal" for r in mine),
                "proven": sum(r.optimality == "proven" for r in mine),
                "claimed": sum(r.optimality == "claimed" for r in mine),
                "refuted": sum(r.optimality == "refuted" for r in mine),
                "check s": statistics.fmean([r.check_time for r in mine]) if mine else None,
                "best": sum(r.gap is not None and r.gap <= BEST_TOLERANCE for r in mine),
                "wrong": sum(r.correct is False for r in mine),
                "sgm time": metrics.shifted_geomean(times),
                "PI/T mean": statistics.fmean(integrals) if integrals else None,
            }
        )
    return rows


def instance_rows(runs: list[Run], instances: list[Instance], solvers: list[str]) -> list[list[str]]:
    """Per instance: name, reference, then per solver its best objective and mean gap over repeats."""
    rows = []
    for inst in instances:
        mine = [r for r in runs if r.instance == inst.name]
        if not mine:
            continue
        row = [inst.name, _reference_text(inst, mine[0].reference)]
        row += [_cell([r for r in mine if r.solver == s], mine[0].sense) for s in solvers]
        rows.append(row)
    return rows


def growth_rows(runs: list[Run], instances: list[Instance], solvers: list[str]) -> list[list[str]]:
    """Per instance and solver (first repeat): the instance's size, gap, seconds to 1 % and to
    0.1 % above the reference ("-" if never) and peak memory in MB: the scale curve's points."""
    rows = []
    for inst in instances:
        for solver in solvers:
            run = next((r for r in runs if r.instance == inst.name and r.solver == solver), None)
            if run is None:
                continue
            gap = "-" if run.gap is None else _pct(run.gap)
            times = [_fmt(run.time_to_1pct), _fmt(run.time_to_01pct)]
            rows.append([inst.name, _fmt(inst.size), solver, gap, *times, _fmt(run.peak_rss_mb)])
    return rows


def _reference_text(inst: Instance, reference: float | None) -> str:
    """The best known value (or the expected status); where the run improved on it or none was
    known, the best found, with the historic value (CVRP comment) in brackets."""
    text = inst.expected_status or _num(inst.best_known)
    if reference is not None and reference != inst.best_known:
        text = f"best found {_num(reference)}" if inst.best_known is None else f"{text} (new best {_num(reference)})"
    if inst.best_known is None and inst.historic_value is not None:
        text += f" [historic {_num(inst.historic_value)}]"
    return text


def _cell(runs: list[Run], sense: str) -> str:
    if not runs:
        return ""
    answered = [(r, r.objective) for r in runs if r.objective is not None and r.verdict == Verdict.PASS]
    if not answered:
        statuses = sorted({r.status for r in runs})
        return "/".join(statuses)
    objectives = [objective for _, objective in answered]
    best = min(objectives) if sense == Sense.MIN else max(objectives)
    gaps = [r.gap for r, _ in answered if r.gap is not None]
    gap = f" / {_pct(statistics.fmean(gaps))}" if gaps else ""
    mark = (
        "*"
        if any(r.status == "optimal" and r.optimality == "proven" for r, _ in answered)
        else ("+" if any(r.status == "optimal" for r, _ in answered) else "")
    )
    return f"{_num(best)}{mark}{gap}"


def summary_markdown(
    suite: str, runs: list[Run], instances: list[Instance], solvers: list[str], settings: Settings
) -> str:
    """summary.md: settings, the per-solver table, the per-instance table and the definitions."""
    summary = solver_summary(runs, solvers, settings.time_limit)
    per_solver = [[_fmt(row[c]) for c in SUMMARY_COLUMNS] for row in summary]
    per_instance = instance_rows(runs, instances, solvers)
    where = "" if isinstance(settings.executor, LocalExecutor) else " on a Ray cluster"
    return "\n".join(
        [
            f"# Benchmark: {suite}",
            "",
            f"{len(instances)} instances x {len(solvers)} solvers x {settings.repeats} repeats, "
            f"time limit {settings.time_limit:g} s, {settings.threads} thread(s), "
            f"{settings.jobs} run(s) at once{where}.",
            "",
            _md_table(SUMMARY_COLUMNS, per_solver),
            "",
            "unsup: runs the solver refused (not counted in runs); gap%: 100 x (objective - reference) / "
            "|reference| (sense-adjusted), over runs with a certified answer; optimal: the solver said optimal; "
            "proven / claimed / refuted: what the certificate and the cross-check made of each claim (optimal, "
            "infeasible, unbounded; docs/verification.md); check s: mean seconds of the cross-check after the solve; "
            "best: gap <= 1e-6; wrong: contradicts a proven optimum or the known status; sgm time: shifted "
            "geometric mean (shift 10 s) of the seconds to reach the reference or prove the known status "
            "(time limit if never); PI/T: Berthold's primal integral / time limit (1 for a run without any "
            "incumbent).",
            "",
            "## Per instance",
            "",
            "objective of the best repeat (* = optimal, proven; + = optimal, only claimed) / mean gap over repeats",
            "",
            _md_table(["instance", "best known", *solvers], per_instance),
            "",
            "## Time to target and memory",
            "",
            "first repeat; seconds to 1 % and 0.1 % above the reference (- = never); peak MB: the run's "
            "process plus its largest child (racers, helper searches)",
            "",
            _md_table(GROWTH_COLUMNS, growth_rows(runs, instances, solvers)),
            "",
            "![gap over time](gap_vs_time.png)",
            "",
            "![performance profiles](profiles.png)",
            "",
        ]
    )


def summary_table(rows: list[dict[str, object]], title: str) -> Table:
    """The per-solver summary as a rich table for the terminal."""
    table = Table(title=title)
    for column in SUMMARY_COLUMNS:
        table.add_column(column, no_wrap=column == "solver")
    for row in rows:
        table.add_row(*(_fmt(row[c]) for c in SUMMARY_COLUMNS))
    return table


def _md_table(headers: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    return "\n".join(lines + ["| " + " | ".join(row) + " |" for row in rows])


def _fmt(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:.10g}"


def _pct(fraction: float) -> str:
    return f"{100 * fraction:.3g} %"
