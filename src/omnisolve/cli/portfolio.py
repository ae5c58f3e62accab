"""CLI commands of the portfolio (`omnisolve portfolio ...`); heavy imports stay inside them."""

from __future__ import annotations

from pathlib import Path
from typing import Any, List, Optional

import typer

from omnisolve.cli.console import fail, out, time_limit_option

portfolio = typer.Typer(no_args_is_help=True, help="Train, inspect and evaluate the solver selector.")


@portfolio.command()
def train(
    runs: List[Path] = typer.Argument(..., help="runs.csv of `omnisolve bench` (one or more)"),
    output: Path = typer.Option(Path("selector.json"), "--output", "-o", help="where to write the selector (JSON)"),
    suite: Optional[str] = typer.Option(None, "--suite", help="suite of runs.csv files without a suite column"),
    time_limit: Optional[float] = time_limit_option(None, "the runs' time limit, if not in the CSV"),
    data: Optional[Path] = typer.Option(None, "--data", help="folder holding the suites"),
    trees: int = typer.Option(40, "--trees", help="trees per solver forest"),
) -> None:
    """Train the selector from benchmark runs and write it as JSON."""
    from omnisolve.bench.dataset import read_runs
    from omnisolve.bench.training import train as fit

    dataset = read_runs(runs, suite, time_limit, data)
    selector = fit(dataset, trees=trees)
    selector.save(output)
    out.print(
        f"selector for {', '.join(selector.models)} on {len(dataset.samples)} instances "
        f"({', '.join(selector.classes)}) written to {output}",
        highlight=False,
        soft_wrap=True,
    )


@portfolio.command()
def show(
    file: Optional[Path] = typer.Argument(None, help="a problem file: print the selector's ranking for it"),
    selector: Optional[Path] = typer.Option(
        None, "--selector", help="selector JSON (default: the shipped one trained nearest --time-limit)"
    ),
    time_limit: Optional[float] = typer.Option(None, "--time-limit", "-t", help="the solve's time limit in seconds"),
    utility: Optional[str] = typer.Option(None, "--utility", help="deadline:S, linear:S or exp:HALF_LIFE"),
) -> None:
    """Describe the selector, or rank the solvers for FILE with predicted median times."""
    from rich.table import Table

    from omnisolve.portfolio.selector import Selector, default_selector

    model = Selector.load(selector) if selector else default_selector(time_limit)
    if model is None:
        raise fail("no selector shipped; train one with `omnisolve portfolio train`", 2)
    name = selector.name if selector else f"shipped, trained at {model.time_limit:g} s"
    if file is None:
        table = Table("solver", "classes", "sigma (log10)", title=f"selector ({name}): {model.info}")
        for solver, m in model.models.items():
            table.add_row(solver, ", ".join(m.classes), f"{m.sigma:.2f}")
        out.print(table)
        return
    from omnisolve.api import load
    from omnisolve.portfolio.choice import choose
    from omnisolve.portfolio.utility import parse

    choice = choose(load(file), parse(utility) if utility else None, selector=model, time_limit=time_limit)
    pred = model.predict(choice.cls, choice.features, choice.ranked)
    table = Table("rank", "solver", "median cost s", title=f"{file.name}: {choice.cls}, by {choice.method}")
    for k, name in enumerate(choice.ranked, 1):
        table.add_row(str(k), name, f"{10 ** pred[name][0]:.3g}" if name in pred else "-")
    out.print(table)


@portfolio.command()
def evaluate(
    runs: List[Path] = typer.Argument(..., help="runs.csv files (the mixed suite's has suite and time_limit columns)"),
    out_dir: Path = typer.Option(Path("out/portfolio-eval"), "--out", "-o", help="output folder"),
    split: str = typer.Option(
        "family", "--split", help="family (leave-one-family-out) or random (--folds over instances)"
    ),
    folds: int = typer.Option(5, "--folds", help="folds over instances with --split random"),
    suite: Optional[str] = typer.Option(None, "--suite"),
    time_limit: Optional[float] = time_limit_option(None, None),
    data: Optional[Path] = typer.Option(None, "--data", help="folder holding the suites"),
    races: int = typer.Option(0, "--real-races", help="also race for real on this many instances per class"),
    selector: Optional[str] = typer.Option(
        None,
        "--selector",
        help="judge this selector (JSON, or `shipped`: the one trained nearest the runs' limit) on RUNS, "
        "instances it never trained on, instead of holding RUNS' own instances out",
    ),
) -> None:
    """Cost (time to a proof first, then to the reference) and gap of each solver, SBS, VBS, and
    of auto and race on instances held out from training (or held apart: --selector)."""
    from omnisolve.bench.evaluation import evaluate_runs

    if folds < 2:
        raise fail("--folds must be at least 2", 2)
    if split not in ("family", "random"):
        raise fail(f"--split must be family or random, not {split!r}", 2)
    text = evaluate_runs(runs, out_dir, folds, suite, time_limit, data, races, split, _judged(selector))
    out.print(text, highlight=False, soft_wrap=True)


def _judged(selector: str | None) -> Any:
    """What `--selector` names: None, `shipped`, or a selector read from its JSON file."""
    from omnisolve.portfolio.selector import Selector

    return Selector.load(Path(selector)) if selector not in (None, "shipped") else selector


@portfolio.command()
def history() -> None:
    """Per class and solver: runs recorded in the history and their mean reward."""
    from rich.table import Table

    from omnisolve.portfolio.history import History, default_location
    from omnisolve.storage import shown, sqlite_file

    location = default_location()
    file = None if location is None else sqlite_file(location)
    if location is None or (file is not None and not file.is_file()):
        out.print(f"no run history ({shown(location) if location else 'OMNISOLVE_HISTORY=off'})")
        return
    runs = History(location)
    table = Table("class", "solver", "runs", "mean reward", "mean runtime s", title=runs.name)
    for row in runs.summary():
        table.add_row(row["class"], row["solver"], str(row["runs"]), f"{row['reward']:.2f}", f"{row['runtime']:.3g}")
    out.print(table)


def register(app: typer.Typer) -> None:
    """Add the portfolio commands to the main CLI app."""
    app.add_typer(portfolio, name="portfolio")
