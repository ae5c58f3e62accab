"""Command line: `omnisolve solve | info | solvers | minimize | nl | demo | bench | portfolio | serve | token`.

Exit codes: 0 solved and certified; 1 solver error, failed certificate, out of memory or an
unexpected failure (a bug; one line, never a traceback); 2 bad input file;
3 ill-formed model; 4 unsupported by the chosen solver (or `nl`'s language model unavailable);
5 infeasible; 6 unbounded; 7 time limit reached without a feasible answer; 8 a solver's claim
was refuted by the cross-check (the certified answer is printed); 130 interrupted.
"""

from __future__ import annotations

import sys

import typer

from omnisolve.cli import batch, bench, demo, explain, minimize, nl, portfolio, service, solve
from omnisolve.cli.console import err
from omnisolve.errors import OmnisolveError
from omnisolve.processes import catch_interrupts, interrupt_requested

app = typer.Typer(add_completion=False, no_args_is_help=True, help="State the problem, solve it, prove the answer.")
# the order `--help` lists them in
for _group in (solve, minimize, nl, batch, demo, bench, portfolio, explain, service):
    _group.register(app)


def main() -> None:
    """Entry point: user errors become one line on stderr and an exit code, never a traceback.
    Ctrl-C is remembered as well as raised, so it ends in 130 even where a solver's C++ code
    swallowed the KeyboardInterrupt."""
    catch_interrupts()
    code = _run()
    if code == 130 or interrupt_requested():
        err.print("interrupted")
        code = 130
    sys.exit(code)


def _run() -> int:
    """Run the app; its exit code, with every failure said in one line on stderr."""
    try:
        code = app(standalone_mode=False)  # returns typer.Exit's code instead of raising it
        return code if isinstance(code, int) else 0  # typer turns Ctrl-C into Exit(130)
    except typer.Exit as exc:
        return exc.exit_code
    except (KeyboardInterrupt, typer.Abort):  # click turns Ctrl-C into Abort
        return 130
    except OmnisolveError as exc:
        return _failed(str(exc), exc.exit_code)
    except typer.TyperException as exc:  # usage errors: unknown option, missing argument
        return _failed(exc.format_message(), getattr(exc, "exit_code", 2))
    except MemoryError:  # a limit the input policy did not foresee: still the README's exit 1
        return _failed("out of memory: the problem is too large for this machine", 1)
    except Exception as exc:  # anything unexpected (a bug): one line, exit 1, never a traceback
        detail = " ".join(str(exc).split())[:200]
        return _failed(f"unexpected failure, please report it with the input: {detail}", 1)


def _failed(message: str, code: int) -> int:
    """Say `message` as the error (unless Ctrl-C caused it: then the exit says "interrupted")."""
    if not interrupt_requested():
        err.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    return code
