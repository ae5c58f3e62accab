"""Hock–Schittkowski problems (and the 2-D Schwefel function) with known global optima, solved by
the continuous backends at one time limit: `scipy`, `ipopt` and `alm` (one local search from the
default start), `global-nlp` with SciPy's and with IPOPT's local searches, and `auto`. A cell is
the certified objective and the wall time; "ok" marks the known optimum reached (within 1e-5
relative, `hs_problems.NlpCase.reached`). The problems are in tests/hs_problems.py (source there):
`--set hs` the mixed set, `--set equality` the book's equality-constrained problems, `--set
apart` more of the book's problems, added after `local-nlp` was set on the first two.

    .venv/bin/python benchmarks/bench_hs.py [--set hs|equality|apart] [--time-limit 10] [--seed 0] [--only hs71,hs59]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Callable

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

import omnisolve as om  # noqa: E402
from hs_problems import APART_CASES, CASES, EQUALITY_CASES, NlpCase  # noqa: E402
from omnisolve.blackbox.model_solver import GlobalNlpSolver  # noqa: E402
from omnisolve.errors import UnsupportedError  # noqa: E402
from omnisolve.limits import Limits  # noqa: E402
from omnisolve.result import Result  # noqa: E402
from omnisolve.solvers import registry  # noqa: E402
from omnisolve.verify import verify  # noqa: E402

Run = Callable[[om.Model, float, int], Result]


def backend(make: Callable[[], object]) -> Run:
    """A backend object's solve, verified as `omnisolve.solve` does (no cross-check)."""

    def run(model: om.Model, limit: float, seed: int) -> Result:
        data = om.load(model)
        return verify(data, make().solve(data, Limits(time=limit, threads=1, seed=seed)))  # type: ignore[attr-defined]

    return run


COLUMNS: dict[str, Run] = {
    "scipy": backend(lambda: registry.get("scipy")),
    "ipopt": backend(lambda: registry.get("ipopt")),
    "alm": backend(lambda: registry.get("alm")),
    "global-nlp (scipy)": backend(lambda: GlobalNlpSolver(local="scipy")),
    "global-nlp (ipopt)": backend(lambda: GlobalNlpSolver(local="ipopt")),
    "auto": lambda model, limit, seed: om.solve(model, time_limit=limit, threads=1, seed=seed, cross_check="off"),
}


SETS = {"hs": CASES, "equality": EQUALITY_CASES, "apart": APART_CASES}


def cell(case: NlpCase, run: Run, limit: float, seed: int) -> tuple[str, bool]:
    """("objective (time)" with "ok" when the optimum is reached, or why there is none; reached)."""
    began = time.perf_counter()
    try:
        result = run(case.build(), limit, seed)
    except UnsupportedError:
        return "refused", False
    took = time.perf_counter() - began
    if not result.status.has_solution:
        return f"{result.status.value} ({took:.1f} s)", False
    reached = case.reached(result.objective)
    solver = f" [{result.solver}]" if run is COLUMNS["auto"] else ""
    return f"{result.objective:.7g}{' ok' if reached else ''} ({took:.1f} s){solver}", reached


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--time-limit", type=float, default=10.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--only", default="", help="comma-separated problem names")
    parser.add_argument("--set", choices=tuple(SETS), default="hs", help="which problems")
    args = parser.parse_args()
    cases = SETS[args.set]
    names = args.only.split(",") if args.only else list(cases)
    print(f"time limit {args.time_limit} s, seed {args.seed}, set {args.set}\n")
    print("| problem | n | optimum | " + " | ".join(COLUMNS) + " |")
    print("|---|---|---|" + "---|" * len(COLUMNS))
    reached = dict.fromkeys(COLUMNS, 0)
    for name in names:
        case = cases[name]
        cells = []
        for column, run in COLUMNS.items():
            text, ok = cell(case, run, args.time_limit, args.seed)
            cells.append(text)
            reached[column] += ok
        n = om.load(case.build()).num_variables
        print(f"| {name} | {n} | {case.optimum:.10g} | " + " | ".join(cells) + " |", flush=True)
    print("| optimum reached | | | " + " | ".join(f"{reached[c]} of {len(names)}" for c in COLUMNS) + " |")


if __name__ == "__main__":
    main()
