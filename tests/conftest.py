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


#: the files whose tests take longest in all (`pytest --durations`), heaviest first: `make test`
#: hands whole files to its two workers in collection order, so these go first and the short
#: files fill in beside them, instead of one worker finishing test_ray.py alone at the end
HEAVY_FILES = (
    "test_ray.py",
    "test_service_hostile.py",
    "test_bench.py",
    "test_service_solve.py",
    "test_cli_documented.py",
    "test_service_recovery.py",
    "test_service_ui_e2e.py",
    "test_fuzz.py",
    "test_tsp_solvers.py",
    "test_race_board.py",
    "test_nl.py",
)


def pytest_collection_modifyitems(config, items) -> None:
    """Heavy files first, each file's tests in their own order (a stable sort)."""
    rank = {name: i for i, name in enumerate(HEAVY_FILES)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))


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
