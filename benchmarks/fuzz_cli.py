"""The hostile-input campaign of docs/robustness.md: N mutated files of every format through
`omnisolve solve FILE --time-limit T -q`, judged by the README (tests/cli_runner.py).

    .venv/bin/python benchmarks/fuzz_cli.py --count 10000 --seed 1 --time-limit 2

Prints a markdown report: exit codes per seed format, the slowest runs against the allowance
(time limit + the cross-check's share, plus 10 %), and every defect with its file (kept in
--keep DIR for the regression tests).
"""

from __future__ import annotations

import argparse
import collections
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

import cli_runner  # noqa: E402
import hostile  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--time-limit", type=float, default=2.0)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--memory-mb", type=int, default=4096)
    parser.add_argument("--keep", type=Path, help="copy every file with a defect here")
    args = parser.parse_args()

    from omnisolve.api import after_solve_allowance

    allowed = 1.1 * (args.time_limit + after_solve_allowance(args.time_limit))
    with tempfile.TemporaryDirectory(prefix="omnisolve-fuzz-") as tmp:
        seeds = hostile.seed_files(Path(tmp) / "seeds")
        cases = hostile.write_cases(seeds, args.count, args.seed, Path(tmp) / "cases")
        began = time.monotonic()
        outcomes = cli_runner.run(
            [["solve", str(p), "--time-limit", str(args.time_limit), "-q"] for p in cases],
            timeout=10 * allowed + 30,
            jobs=args.jobs,
            memory_mb=args.memory_mb,
        )
        wall = time.monotonic() - began
        defects = [(o, found) for o in outcomes if (found := cli_runner.defects(o, allowed))]
        if args.keep and defects:
            args.keep.mkdir(parents=True, exist_ok=True)
            for o, _ in defects:
                shutil.copy(o["args"][1], args.keep)
    report(args, outcomes, defects, allowed, wall)


def report(args: argparse.Namespace, outcomes: list[dict], defects: list, allowed: float, wall: float) -> None:
    by_format: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    for o in outcomes:
        name = Path(o["args"][1]).name
        by_format[name.split("-", 1)[1].split(".")[0]][o["exit"]] += 1
    codes = sorted({c for counter in by_format.values() for c in counter}, key=lambda c: (c is None, c or 0))
    print(
        f"{len(outcomes)} files (seed {args.seed}), `solve --time-limit {args.time_limit}`, {args.jobs} at a time, "
        f"{wall:.0f} s wall; allowance {allowed:.2f} s per run\n"
    )
    print("| seed file | " + " | ".join(f"exit {c}" if c is not None else "killed" for c in codes) + " |")
    print("|---|" + "---|" * len(codes))
    for name in sorted(by_format):
        print(f"| {name} | " + " | ".join(str(by_format[name][c]) for c in codes) + " |")
    slowest = max(outcomes, key=lambda o: o["seconds"])
    print(f"\nslowest run: {slowest['seconds']:.2f} s ({Path(slowest['args'][1]).name}, exit {slowest['exit']})")
    print(f"defects: {len(defects)}")
    for o, found in defects:
        print(f"- {Path(o['args'][1]).name}: exit {o['exit']}, {o['seconds']:.1f} s: " + "; ".join(found))


if __name__ == "__main__":
    main()
