"""TSP at scale: seeded random uniform instances (integer coordinates in a 10^6 x 10^6 square,
TSPLIB EUC_2D) solved end to end by `omnisolve solve FILE --time-limit T`, one child process
each. Reported per run: the child's wall time, its peak resident memory (`ru_maxrss` of that
child alone, from `os.wait4`), the certified tour length and its ratio to the
Beardwood-Halton-Hammersley estimate 0.7124 sqrt(n A) of the optimum (asymptotic; finite random
instances are a little longer: optimal tours of the DIMACS E10k.0 and E100k.0 instances are 0.7187
and 0.7140 sqrt(n A)), and the load average around the runs. With `--lkh-seconds S`, instances
of at most `--lkh-nodes` nodes also get a reference tour from LKH-3 (elkai) on the coordinates,
S CPU seconds with settings for large instances (`LKH_PARAMETERS`), and the ratio to it. With
`--solvers auto,lkh`, each instance is solved once per solver (`--solver S`), side by side.

    .venv/bin/python benchmarks/bench_tsp_scale.py [--runs 1000:10,10000:30,100000:60] [--seed 1]
        [--lkh-seconds 0] [--lkh-nodes 20000] [--solvers auto]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

SIDE = 1_000_000  # coordinates are integers in [0, SIDE)
BHH = 0.7124  # Beardwood-Halton-Hammersley constant (Johnson, McGeoch and Rothberg 1996)
#: LKH-3 on a large instance: POPMUSIC candidates (no O(n^2) candidate computation), a short
#: subgradient ascent, one run until the time limit
LKH_PARAMETERS = "CANDIDATE_SET_TYPE = POPMUSIC\nINITIAL_PERIOD = 100\nMAX_CANDIDATES = 5\nRUNS = 1\nSEED = 1\n"


def write_instance(path: Path, n: int, seed: int) -> None:
    """A random uniform EUC_2D instance of `n` nodes, seeded."""
    xy = np.random.default_rng(seed).integers(0, SIDE, size=(n, 2))
    rows = "".join(f"{i + 1} {x} {y}\n" for i, (x, y) in enumerate(xy.tolist()))
    head = f"NAME : uniform{n}\nTYPE : TSP\nDIMENSION : {n}\nEDGE_WEIGHT_TYPE : EUC_2D\nNODE_COORD_SECTION\n"
    path.write_text(head + rows + "EOF\n")


def solve(path: Path, seconds: float, out: Path, solver: str = "auto") -> tuple[float, float, int]:
    """(wall seconds, peak RSS in MB, exit code) of `omnisolve solve` on `path` in a child."""
    cmd = [sys.executable, "-m", "omnisolve.cli", "solve", str(path), "--time-limit", str(seconds), "-s", solver]
    cmd += ["-q", "--no-history", "-o", str(out)]
    began = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)  # this child's own rusage
    wall = time.perf_counter() - began
    proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here: Popen must not wait again
    return wall, usage.ru_maxrss / 1024, proc.returncode


def lkh_length(path: Path, seconds: float) -> tuple[float, float]:
    """(tour length, wall seconds) of LKH-3 on the instance at `path`, for `seconds` CPU seconds."""
    from elkai import _elkai

    from omnisolve.io import read

    began = time.perf_counter()
    params = f"{LKH_PARAMETERS}TIME_LIMIT = {seconds}\nPROBLEM_FILE = :stdin:\n"
    tour = [int(v) - 1 for v in _elkai.solve_problem(params, path.read_text())]
    return read(path).evaluate(tour), time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", default="1000:10,10000:30,100000:60", help="nodes:seconds, comma-separated")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--lkh-seconds", type=float, default=0.0, help="LKH-3 reference tour, CPU seconds (0: none)")
    parser.add_argument("--lkh-nodes", type=int, default=20000, help="the largest instance given an LKH-3 reference")
    parser.add_argument("--solvers", default="auto", help="comma-separated --solver values, each run per instance")
    args = parser.parse_args()
    runs = [(int(n), float(s)) for n, s in (item.split(":") for item in args.runs.split(","))]
    print(f"load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    columns = ["nodes", "limit s", "wall s", "peak RSS MB", "tour length", "BHH estimate", "/ BHH", "solver"]
    columns += ["certificate", "LKH-3", "/ LKH-3"]
    print("| " + " | ".join(columns) + " |\n" + "|---" * len(columns) + "|")
    with tempfile.TemporaryDirectory() as tmp:
        for n, seconds in runs:
            path, out = Path(tmp) / f"uniform{n}.tsp", Path(tmp) / f"uniform{n}.json"
            write_instance(path, n, args.seed)
            reference_length = None
            if args.lkh_seconds > 0 and n <= args.lkh_nodes:
                reference_length, lkh_wall = lkh_length(path, args.lkh_seconds)
            for solver in args.solvers.split(","):
                wall, rss, code = solve(path, seconds, out, solver)
                result = json.loads(out.read_text()) if code == 0 else {}
                length = result.get("objective")
                estimate = BHH * math.sqrt(n * float(SIDE) ** 2)
                ratio = f"{length / estimate:.4f}" if length else "-"
                verdict = (result.get("certificate") or {}).get("verdict", f"exit {code}")
                reference = "- | -"
                if reference_length is not None:
                    share = f"{length / reference_length:.4f}" if length else "-"
                    reference = f"{reference_length:.0f} ({lkh_wall:.0f} s) | {share}"
                print(
                    f"| {n} | {seconds:g} | {wall:.1f} | {rss:.0f} | {length or '-'} | {estimate:.0f} | {ratio} "
                    f"| {result.get('solver', '-')} | {verdict} | {reference} |",
                    flush=True,
                )
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
