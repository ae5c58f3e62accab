"""`omnisolve bench nl`: the word problems of the shared NL answer sets (../shared/benchdata/nl,
see its README) through `solve_text`, scored against their answers.

An item is correct when its certified objective equals the answer within the datasets' rule
(relative 1e-4 or absolute 1e-6, `same_value`); an item whose answer is null when omnisolve
reports the model infeasible or unbounded. The datasets' looser rule (both values rounded to 2
decimals) and the score without disputed items are reported beside it."""

from __future__ import annotations

import csv
import json
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

from omnisolve.errors import InputError
from omnisolve.nl.formulate import FormulationError, answer_of, same_value, solve_text


@dataclass(frozen=True)
class Item:
    id: str
    dataset: str
    question: str
    answer: float | None  # None: the source says infeasible or has no numeric answer
    disputed: bool = False


@dataclass
class ItemRun:
    """One item's outcome: the answer omnisolve certified (`predicted`: a number, "infeasible",
    "unbounded" or None) and how it compares."""

    id: str
    dataset: str
    answer: float | None
    predicted: float | str | None
    status: str  # the result's status, or "no model" when the repair rounds ran out
    correct: bool
    correct_rounded: bool  # also correct after rounding both values to 2 decimals
    disputed: bool
    repairs: int
    tokens: int
    seconds: float
    error: str = ""


def load_items(folder: Path, datasets: list[str] | None = None, limit: int | None = None) -> list[Item]:
    """The items of every answer set in `folder` (each JSON-lines file whose records carry
    `question` and `answer`), or of the named `datasets`, the first `limit` of each."""
    found: dict[str, list[Item]] = {}
    for path in sorted(Path(folder).glob("*.jsonl")):
        with path.open() as fh:
            records = [json.loads(line) for line in fh if line.strip()]
        if records and {"question", "answer", "dataset"} <= records[0].keys():
            found[records[0]["dataset"]] = [
                Item(r["id"], r["dataset"], r["question"], r["answer"], bool(r.get("disputed"))) for r in records
            ]
    if not found:
        raise InputError("no NL answer set here (JSON lines with question and answer)", path=str(folder))
    unknown = sorted(set(datasets or []) - found.keys())
    if unknown:
        raise InputError(f"unknown dataset {', '.join(unknown)}; known: {', '.join(sorted(found))}", path=str(folder))
    return [item for name in (datasets or sorted(found)) for item in found[name][:limit]]


def score(predicted: float | str | None, answer: float | None) -> tuple[bool, bool]:
    """(correct by the datasets' rule, correct after rounding both to 2 decimals)."""
    if answer is None:
        ok = predicted in ("infeasible", "unbounded")
        return ok, ok
    if not isinstance(predicted, float):
        return False, False
    strict = same_value(predicted, answer)
    return strict, strict or round(predicted, 2) == round(answer, 2)


def run_item(item: Item, **options: Any) -> ItemRun:
    """`item` through `solve_text(question, **options)`; an `EndpointError` is raised (the
    endpoint is down: every other item would fail the same way)."""
    start = time.perf_counter()
    try:
        result = solve_text(item.question, **options)
    except FormulationError as exc:
        seconds = time.perf_counter() - start
        return ItemRun(
            item.id,
            item.dataset,
            item.answer,
            None,
            "no model",
            False,
            False,
            item.disputed,
            0,
            exc.tokens,
            seconds,
            str(exc),
        )
    predicted = answer_of(result)
    nl = result.extra["nl"]
    return ItemRun(
        item.id,
        item.dataset,
        item.answer,
        predicted,
        result.status.value,
        *score(predicted, item.answer),
        item.disputed,
        nl["repairs"],
        nl["tokens"],
        time.perf_counter() - start,
        result.message,
    )


def evaluate(items: list[Item], on_item: Callable[[Item], None] | None = None, **options: Any) -> list[ItemRun]:
    """Every item in turn (`on_item` is told which starts); `options` go to `solve_text`."""
    runs = []
    for item in items:
        if on_item is not None:
            on_item(item)
        runs.append(run_item(item, **options))
    return runs


def _percent(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def summary(runs: list[ItemRun]) -> list[dict[str, Any]]:
    """One row per dataset, then "all": items, execution rate (a model omnisolve read and
    solved), accuracy by each rule (percent), mean repairs, tokens and seconds per item."""
    rows = []
    names = sorted({r.dataset for r in runs})
    for name, group in [(n, [r for r in runs if r.dataset == n]) for n in names] + [("all", runs)]:
        n = len(group)
        undisputed = [r for r in group if not r.disputed]
        rows.append(
            {
                "dataset": name,
                "items": n,
                "executed %": _percent(sum(r.status != "no model" for r in group), n),
                "accuracy %": _percent(sum(r.correct for r in group), n),
                "2-decimal %": _percent(sum(r.correct_rounded for r in group), n),
                "undisputed %": _percent(sum(r.correct for r in undisputed), len(undisputed)),
                "repairs": round(sum(r.repairs for r in group) / n, 2) if n else None,
                "tokens": round(sum(r.tokens for r in group) / n) if n else None,
                "seconds": round(sum(r.seconds for r in group) / n, 2) if n else None,
            }
        )
    return rows


def summary_markdown(rows: list[dict[str, Any]], title: str) -> str:
    """The summary as a markdown table under `title`, with the scoring rules spelt out."""
    head = list(rows[0])
    lines = [f"# {title}", "", "| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join("-" if row[k] is None else str(row[k]) for k in head) + " |" for row in rows]
    lines += [
        "",
        "accuracy: certified objective within max(1e-6, 1e-4 max(|pred|, |answer|)) of the answer; a null",
        "answer is matched by a model proven infeasible or unbounded. 2-decimal: also correct when both",
        "round to the same 2 decimals. undisputed: accuracy without the items marked disputed.",
        "",
    ]
    return "\n".join(lines)


def write_runs(runs: list[ItemRun], rows: list[dict[str, Any]], out: Path, title: str) -> None:
    """runs.csv (one row per item) and summary.md in `out`."""
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"cannot create the output folder: {exc.strerror}", path=str(out)) from None
    with (out / "runs.csv").open("w", newline="") as fh:
        writer = csv.DictWriter(fh, [f.name for f in fields(ItemRun)])
        writer.writeheader()
        writer.writerows(asdict(r) for r in runs)
    (out / "summary.md").write_text(summary_markdown(rows, title))
