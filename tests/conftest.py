"""Shared test helpers: where the benchmark instances live, and how much slack a time assertion gets."""

import os
import sys
from pathlib import Path

BENCHDATA = Path(__file__).resolve().parents[2] / "shared" / "benchdata"

# Time assertions read "limit + grace(k)": k is one of the constants below (one per kind of
# assertion, never per test), scaled by $OMNISOLVE_TEST_TIME_FACTOR (default 1) for slow or
# busy machines, e.g. OMNISOLVE_TEST_TIME_FACTOR=3 make test. Quality is never asserted on
# what fits in wall-clock time: known optima only where the solver proves them (and stops).
TIME_FACTOR = float(os.environ.get("OMNISOLVE_TEST_TIME_FACTOR", "1"))
OVERRUN = 1.5  # s an in-process solve may run past its time limit (model building, result, teardown)
RACE_OVERRUN = 6.0  # s a race of solver processes may run past its limit (spawning, imports, kills)
STOPPED = 15.0  # s a solve may take in all when a criterion of Limits.stop fires within its first seconds


def grace(seconds: float) -> float:
    """`seconds` of slack for a time assertion, scaled by $OMNISOLVE_TEST_TIME_FACTOR."""
    return seconds * TIME_FACTOR


def run_cli(capsys, *args: str) -> tuple[int, str, str]:
    """`omnisolve ARGS` in this process through the real entry point `cli.main`:
    (exit code, stdout, stderr)."""
    from omnisolve import cli

    old = sys.argv
    sys.argv = ["omnisolve", *args]
    try:
        cli.main()
        code = 0
    except SystemExit as exc:
        code = exc.code or 0
    finally:
        sys.argv = old
    captured = capsys.readouterr()
    return code, captured.out, captured.err
