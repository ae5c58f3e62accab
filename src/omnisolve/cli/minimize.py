"""`omnisolve minimize TARGET`: minimize a Python function, a black box, from the command line
with `omnisolve.minimize`, its progress live on stderr, the certified best point printed."""

from __future__ import annotations

import importlib
import importlib.util
import sys
from pathlib import Path
from typing import Any, Callable, Optional

import typer

from omnisolve.cli.console import err, fail, out, ray_option, time_limit_option


def minimize(
    target: str = typer.Argument(..., help="the function: FILE.py:NAME or package.module:NAME, f(x) -> float"),
    bounds: list[str] = typer.Option(
        ..., "--bounds", "-b", help="LO,HI of one coordinate, repeated per coordinate; or LO,HI xN for N alike"
    ),
    budget: int = typer.Option(..., "--budget", "-n", help="the most calls of the function"),
    constraints: Optional[str] = typer.Option(
        None, "--constraints", "-c", help="g(x) -> array, feasible where g(x) <= 0: FILE.py:NAME or module:NAME"
    ),
    method: str = typer.Option("auto", "--method", "-m", help="auto or a method of `omnisolve.blackbox.methods()`"),
    workers: int = typer.Option(1, "--workers", "-w", help="calls evaluated at once, each in a process of its own"),
    integer: Optional[str] = typer.Option(None, "--integer", help="comma-separated coordinates (from 0) kept integral"),
    seed: int = typer.Option(0, "--seed"),
    time_limit: Optional[float] = time_limit_option(None, "seconds after which no new call is made (default: none)"),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="write the result as JSON"),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="no live progress line"),
    ray: Optional[str] = ray_option("the calls, each a task (with --workers at a time)"),
) -> None:
    """Minimize a Python function over a box within a budget of calls (a black box)."""
    from omnisolve.blackbox.minimize import minimize as run
    from omnisolve.cli.reporting import Progress, result_table
    from omnisolve.cli.solve import write_and_exit
    from omnisolve.processes.cluster import executor_for

    box = [pair for text in bounds for pair in parse_bounds(text)]
    if budget < 1 or workers < 1:
        raise fail("--budget and --workers must be >= 1", 2)
    if time_limit is not None and time_limit <= 0:
        raise fail("--time-limit must be > 0", 2)
    mask = None if integer is None else integer_mask(integer, len(box))
    fun, g = load_function(target), None if constraints is None else load_function(constraints)
    executor = executor_for(ray) if ray is not None else None
    with Progress(err, enabled=not quiet) as progress:
        result = run(
            fun, box, budget=budget, constraints=g, method=method, workers=workers, seed=seed, integer=mask,
            on_incumbent=progress.update, time_limit=time_limit, executor=executor,
        )  # fmt: skip
    out.print(result_table(result, title=target))
    if result.values is not None:
        out.print("x = [" + ", ".join(f"{v:.10g}" for v in result.values) + "]", highlight=False)
    write_and_exit(result, output)


def parse_bounds(text: str) -> list[tuple[float, float]]:
    """ "LO,HI" -> one coordinate's box; "LO,HI xN" -> N alike; a one-line error (exit 2) otherwise."""
    pair, _, times = text.replace(" ", "").partition("x")
    try:
        lo, hi = (float(v) for v in pair.split(","))
        count = int(times) if times else 1
    except ValueError:
        raise fail(f"--bounds {text!r}: give LO,HI or LO,HI xN (numbers, N a count)", 2) from None
    if not lo < hi or count < 1:
        raise fail(f"--bounds {text!r}: LO must be below HI and N at least 1", 2)
    return [(lo, hi)] * count


def integer_mask(text: str, size: int) -> list[bool]:
    """The --integer coordinates as a mask over `size` coordinates; a one-line error otherwise."""
    try:
        chosen = {int(v) for v in text.split(",") if v.strip()}
    except ValueError:
        raise fail(f"--integer {text!r}: give comma-separated coordinates, e.g. 0,2", 2) from None
    if not all(0 <= i < size for i in chosen):
        raise fail(f"--integer {text!r}: coordinates run from 0 to {size - 1}", 2)
    return [i in chosen for i in range(size)]


def load_function(target: str) -> Callable[..., Any]:
    """The callable TARGET names, FILE.py:NAME or package.module:NAME; exit 2 with one line when
    it is not there or its module fails to import."""
    where, _, name = target.rpartition(":")
    if not where or not name:
        raise fail(f"{target!r}: give FILE.py:NAME or package.module:NAME", 2)
    try:
        if where.endswith(".py"):
            path = Path(where).resolve()
            if not path.is_file():
                raise fail(f"{where}: no such file", 2)
            module = _file_module(path)
        else:
            if "" not in sys.path and str(Path.cwd()) not in sys.path:
                sys.path.insert(0, str(Path.cwd()))  # as `python -m` finds modules of this directory
            module = importlib.import_module(where)
    except typer.Exit:
        raise
    except Exception as exc:  # the user's file failing to import: say so in one line
        raise fail(f"{where}: cannot import it: {exc}", 2) from None
    fun = getattr(module, name, None)
    if not callable(fun):
        raise fail(f"{where} has no function {name!r}", 2)
    return fun


def _file_module(path: Path) -> Any:
    """The module of a .py file, imported once (the function and the constraints may share it)
    and kept in `sys.modules` under its name, so that its functions pickle by reference for
    --workers; its directory goes on sys.path, so what it imports beside it is found."""
    known = sys.modules.get(path.stem)
    if known is not None and getattr(known, "__file__", None) == str(path):
        return known
    sys.path.insert(0, str(path.parent))
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None and spec.loader is not None  # a .py file always has both
    module = importlib.util.module_from_spec(spec)
    sys.modules[path.stem] = module
    spec.loader.exec_module(module)
    return module


def register(app: typer.Typer) -> None:
    """Add `minimize` to the main CLI app."""
    app.command()(minimize)
