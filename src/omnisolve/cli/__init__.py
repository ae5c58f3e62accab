"""Command line: `omnisolve solve | info | solvers | demo | bench | portfolio | serve | token`.

Exit codes: 0 solved and certified; 1 solver error, failed certificate, out of memory or an
unexpected failure (a bug; one line, never a traceback); 2 bad input file;
3 ill-formed model; 4 unsupported by the chosen solver; 5 infeasible; 6 unbounded;
7 time limit reached without a feasible answer; 8 a solver's claim was refuted by the
cross-check (the certified answer is printed); 130 interrupted.
"""

from __future__ import annotations

import sys

import typer

from omnisolve.cli import batch, bench, demo, explain, portfolio, service, solve
from omnisolve.cli.console import err
from omnisolve.errors import OmnisolveError

app = typer.Typer(add_completion=False, no_args_is_help=True, help="State the problem, solve it, prove the answer.")
for _group in (solve, batch, demo, bench, portfolio, explain, service):  # the order `--help` lists them in
    _group.register(app)


def main() -> None:
    """Entry point: user errors become one line on stderr and an exit code, never a traceback."""
    try:
        code = app(standalone_mode=False)  # returns typer.Exit's code instead of raising it
        if code == 130:  # typer turns Ctrl-C into Exit(130)
            err.print("interrupted")
        sys.exit(code if isinstance(code, int) else 0)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except OmnisolveError as exc:
        err.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
        sys.exit(exc.exit_code)
    except (KeyboardInterrupt, typer.Abort):  # click turns Ctrl-C into Abort
        err.print("interrupted")
        sys.exit(130)
    except typer.TyperException as exc:  # usage errors: unknown option, missing argument
        err.print(f"[bold red]error:[/] {exc.format_message()}", highlight=False, soft_wrap=True)
        sys.exit(getattr(exc, "exit_code", 2))
    except MemoryError:  # a limit the input policy did not foresee: still the README's exit 1
        err.print(
            "[bold red]error:[/] out of memory: the problem is too large for this machine",
            highlight=False,
            soft_wrap=True,
        )
        sys.exit(1)
    except Exception as exc:  # anything unexpected (a bug): one line, exit 1, never a traceback
        detail = " ".join(str(exc).split())[:200]
        err.print(
            f"[bold red]error:[/] unexpected failure, please report it with the input: {detail}",
            highlight=False,
            soft_wrap=True,
        )
        sys.exit(1)
