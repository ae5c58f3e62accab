"""`omnisolve nl TEXT|FILE`: a word problem to a certified answer through a language model
(`omnisolve.nl`): prints the formulation, the model, the candidates, the answer and the
certificate. Exit codes as `solve`'s (README); 4 when the language model cannot be reached or
used (it is the chosen backend of the formulation, and it is not available), 1 when no usable
model came out of the repair rounds."""

from __future__ import annotations

import contextlib
import json
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Optional

import typer

from omnisolve.cli.console import err, fail, out, time_limit_option
from omnisolve.errors import InputError

if TYPE_CHECKING:
    from rich.console import Group
    from rich.table import Table

    from omnisolve.nl import Formulation

MAX_TEXT = 100_000  # characters: a word problem, not a data file
SHOWN_VALUES = 30


def nl_command(
    problem: str = typer.Argument(..., help="the problem in words, or a text file that holds them"),
    base_url: Optional[str] = typer.Option(
        None, "--base-url", help="OpenAI-compatible endpoint (default $OPENAI_BASE_URL, else OpenAI's API)"
    ),
    model: Optional[str] = typer.Option(
        None, "--model", "-m", help="the language model (default $OMNISOLVE_NL_MODEL, else gpt-4o-mini)"
    ),
    samples: int = typer.Option(1, "--samples", "-k", help="candidates to formulate; the answer most agree on wins"),
    repairs: int = typer.Option(3, "--repairs", help="rounds of repair from omnisolve's messages, per candidate"),
    time_limit: float = time_limit_option(10.0, "seconds per solve of a candidate model"),
    output: Optional[Path] = typer.Option(
        None, "--output", "-o", help="write the result as JSON (formulation and model in extra.nl)"
    ),
    stream: bool = typer.Option(False, "--stream", help="show the language model's answers as they are written"),
) -> None:
    """Solve a problem stated in words: formulate, model, solve, certify, repair. The key comes
    from $OPENAI_API_KEY; no generated code is ever run."""
    from omnisolve.cli.reporting import result_table
    from omnisolve.cli.solve import write_and_exit
    from omnisolve.nl import formulate

    if samples < 1 or repairs < 0 or time_limit <= 0:
        raise fail("--samples must be >= 1, --repairs >= 0 and --time-limit > 0", 2)
    text = problem_text(problem)
    work = partial(
        formulate, text, base_url=base_url, model=model, samples=samples, repairs=repairs, time_limit=time_limit
    )
    if stream:  # the answers echoed to stderr as they arrive; stdout keeps the report
        found = work(stream=True, on_text=echo)
        err.print()
    else:
        with err.status("formulating...") if err.is_terminal else contextlib.nullcontext():
            found = work()
    show(found)
    out.print(result_table(found.result, title="certified answer"))
    write_and_exit(found.result, output)


def echo(piece: str) -> None:
    """A piece of the language model's answer, written to stderr as it is."""
    err.print(piece, end="", markup=False, highlight=False, style="dim")


def problem_text(argument: str) -> str:
    """The argument itself, or the text of the file it names; a lone word that looks like a
    file name (has an extension) but names none is an error, not a problem statement."""
    path = Path(argument)
    looks_like_file = " " not in argument.strip() and bool(path.suffix)
    try:
        is_file = looks_like_file and path.is_file()
    except OSError:
        is_file = False
    if is_file:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"cannot read the problem text: {exc}", path=argument) from None
    elif looks_like_file:
        raise InputError("file not found", path=argument)
    else:
        text = argument
    if len(text) > MAX_TEXT:
        raise InputError(f"the problem text has {len(text)} characters, more than {MAX_TEXT}")
    return text


def show(found: Formulation) -> None:
    """Formulation, model, repairs, candidates and answer, in that order."""
    from rich.text import Text

    from omnisolve.cli.reporting import fmt
    from omnisolve.io.json_model import dumps

    out.print(_pairs("formulation", {key: json.dumps(value) for key, value in found.formulation.items()}))
    out.print(Text("model", style="bold"))
    out.print(dumps(found.model).rstrip(), highlight=False, markup=False, soft_wrap=True)
    for k, message in enumerate(found.feedback, 1):
        out.print(Text(f"repair {k}: ", style="yellow").append(message.splitlines()[0], style="default"))
    summary = found.summary
    if summary["samples"] > 1:
        out.print(_candidates(found))
    answer = found.answer
    shown = dict(list(answer.items())[:SHOWN_VALUES])
    if len(answer) > SHOWN_VALUES:
        shown["..."] = f"{len(answer) - SHOWN_VALUES} more non-zero values"
    out.print(_pairs("answer", {k: fmt(v) if isinstance(v, float) else str(v) for k, v in shown.items()}))


def _pairs(title: str, rows: dict[str, str]) -> Group:
    """`title`, then name and value per row, both as plain text (a model's "x[i]" is no markup)."""
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    table = Table(show_header=False, box=None, pad_edge=False)
    table.add_column(style="bold")
    table.add_column(overflow="fold")
    for key, value in rows.items():
        table.add_row(Text(key), Text(value))
    return Group(Text(title, style="bold"), table)


def _candidates(found: Formulation) -> Table:
    from rich.table import Table
    from rich.text import Text

    from omnisolve.cli.reporting import fmt

    summary = found.summary
    agree = f"{summary['agreeing']} of {summary['samples']} candidates agree"
    table = Table("#", "status", "objective", "model", "repairs", "tokens", "", title=agree, title_justify="left")
    for k, c in enumerate(found.candidates):
        chosen = Text("chosen" if k == found.chosen else c["error"][:60])
        row = (str(k + 1), c["status"], fmt(c["objective"]), c["structure"], str(c["repairs"]), str(c["tokens"]))
        table.add_row(*row, chosen)
    return table


def bench_nl(
    datasets: str | None,
    limit: int | None,
    base_url: str | None,
    model: str | None,
    samples: int,
    repairs: int,
    time_limit: float,
    out_dir: Path | None,
    data: Path | None,
) -> None:
    """`omnisolve bench nl`: every item of the chosen answer sets under `data`/nl through the
    language model, then runs.csv and summary.md in `out_dir` and the per-dataset table."""
    import time

    from rich.table import Table

    from omnisolve.bench.suites import DEFAULT_DATA
    from omnisolve.nl import Endpoint
    from omnisolve.nl.evaluation import evaluate, load_items, summary, write_runs

    if samples < 1 or repairs < 0 or time_limit <= 0 or (limit is not None and limit < 1):
        raise fail("--samples and --limit must be >= 1, --repairs >= 0 and --time-limit > 0", 2)
    names = [name.strip() for name in datasets.split(",") if name.strip()] if datasets else None
    items = load_items((data or DEFAULT_DATA) / "nl", names, limit)
    folder = out_dir or Path("out") / "bench" / f"nl-{time.strftime('%Y%m%d-%H%M%S')}"
    options = dict(base_url=base_url, model=model, samples=samples, repairs=repairs, time_limit=time_limit)
    with err.status("nl") as status:
        runs = evaluate(items, on_item=lambda item: status.update(f"nl: {item.id}"), **options)
    rows = summary(runs)
    title = f"nl: {len(items)} word problems, model {Endpoint.resolve(base_url, model).model}"
    write_runs(runs, rows, folder, title)
    table = Table(*rows[0], title=title)
    for row in rows:
        table.add_row(*("-" if value is None else str(value) for value in row.values()))
    out.print(table)
    out.print(f"results in {folder}", highlight=False, soft_wrap=True)


def register(app: typer.Typer) -> None:
    """Add `nl` to the main CLI app."""
    app.command(name="nl")(nl_command)
