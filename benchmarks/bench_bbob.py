"""COCO's BBOB suites (bbob: the 24 noiseless functions; bbob-constrained: 54 constrained ones)
solved side by side in one run, at the same budget of calls: omnisolve `minimize(method="auto")`,
NGOpt called through nevergrad directly, Optuna's default sampler (TPE) called directly, and
`minimize` with each single omnisolve method. The measure is COCO's: per run, the calls after
which each of the 51 standard precision targets f - f_opt = 10^2 .. 10^-8 was first reached (the
best FEASIBLE point so far, on bbob-constrained); the aggregated ECDF of (function, target) pairs
over calls / dimension, and its area (`bench.metrics.ecdf_area`), per suite and dimension; and
COCO's expected running time to five of the targets (`bench.metrics.expected_running_time`),
per function, its median over the functions of a suite and dimension (bbob_ert.md).

`--noise moderate|severe` makes every function noisy with COCO's Gaussian noise model (the
bbob-noisy testbed's f_GN, Hansen et al. 2009): a method is told f_opt + (f - f_opt) *
exp(beta * N(0, 1)) + 1.01e-8 where f - f_opt >= 1e-8 (beta 0.01 or 1), while the targets are
counted, as COCO counts them, on the noise-free value of every evaluated point.

Needs the `bench` extra (COCO's `coco-experiment`): `pip install -e '.[bench]'`. Writes
bbob.json (every run's first hits), bbob.csv (area per suite, dimension and method) and
bbob_ecdf.png into --out. The full configuration is the defaults:

    .venv/bin/python benchmarks/bench_bbob.py
    .venv/bin/python benchmarks/bench_bbob.py --dims 2,5 --instances 1 --budget-per-dim 50  # small
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import math
import re
import tempfile
import time
import warnings
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Callable

import numpy as np

import omnisolve as om
from omnisolve.bench import metrics, plots
from omnisolve.blackbox.methods import METHODS
from omnisolve.blackbox.ng_backend import _numpy_24_compatible
from omnisolve.errors import UnsupportedError

RESULTS = Path(__file__).resolve().parent / "results"
NGOPT, OPTUNA = "NGOpt (nevergrad)", "Optuna default (optuna)"
NOISE_BETA = {"moderate": 0.01, "severe": 1.0}  # COCO's f_GN


def gaussian_noise(beta: float, seed: int) -> Callable[[float], float]:
    """COCO's f_GN on a precision f - f_opt: multiplicative log-normal noise, with the offset
    that keeps the final target 1e-8 out of reach of noise alone."""
    rng = np.random.default_rng(seed)

    def noisy(precision: float) -> float:
        if precision < 1e-8:
            return precision
        return precision * math.exp(beta * rng.standard_normal()) + 1.01e-8

    return noisy


class Recorder:
    """A COCO problem as the function to minimize: counts the calls, keeps the (calls,
    precision) pairs where the best feasible precision improved, and answers nothing beyond
    `budget` calls (raises, so no method can use more). The constraints of a point are evaluated
    once, whoever asks first. With `noise` (a map of the precision), the method is told the
    noisy value and the precision recorded is the noise-free one."""

    def __init__(self, problem: Any, f_opt: float, budget: int, noise: Callable[[float], float] | None = None):
        self.problem, self.f_opt, self.budget, self.noise = problem, f_opt, budget, noise
        self.calls, self.best, self.improvements = 0, math.inf, []
        self._last: tuple[np.ndarray, np.ndarray] | None = None  # the last point's constraint values

    def __call__(self, x: np.ndarray) -> float:
        if self.calls >= self.budget:
            raise RuntimeError(f"budget of {self.budget} calls spent")
        self.calls += 1
        x = np.asarray(x, dtype=float)
        f = float(self.problem(x))
        feasible = self.problem.number_of_constraints == 0 or bool(np.all(self.constraints(x) <= 0))
        if feasible and f - self.f_opt < self.best:
            self.best = f - self.f_opt
            self.improvements.append((self.calls, self.best))
        return f if self.noise is None else self.f_opt + self.noise(f - self.f_opt)

    def constraints(self, x: np.ndarray) -> np.ndarray:
        """g(x), evaluated once per point: the feasibility check of a call and the method's own
        request for the same point share it."""
        x = np.asarray(x, dtype=float)
        if self._last is None or not np.array_equal(self._last[0], x):
            self._last = (x.copy(), np.asarray(self.problem.constraint(x), dtype=float))
        return self._last[1]


def omnisolve_method(method: str) -> Callable[[Recorder, list, int], None]:
    def run(rec: Recorder, bounds: list, seed: int) -> None:
        constraints = rec.constraints if rec.problem.number_of_constraints else None
        noisy = None if method == "auto" else rec.noise is not None  # auto finds out for itself
        om.minimize(rec, bounds, budget=rec.budget, constraints=constraints, method=method, seed=seed, noisy=noisy)

    return run


def ngopt_direct(rec: Recorder, bounds: list, seed: int) -> None:
    """Nevergrad's NGOpt on its own ask/tell, constraints told as `constraint_violation`."""
    import nevergrad as ng

    _numpy_24_compatible()  # nevergrad 1.0.12 on numpy 2.4 (see ng_backend)
    lower, upper = np.array(bounds).T
    parametrization = ng.p.Array(shape=(len(bounds),), lower=lower, upper=upper)
    parametrization.random_state = np.random.RandomState(seed)
    parametrization.function.deterministic = rec.noise is None  # told, as a user who knows would
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        optimizer = ng.optimizers.NGOpt(parametrization=parametrization, budget=rec.budget)
        for _ in range(rec.budget):
            candidate = optimizer.ask()
            f = rec(candidate.value)
            if rec.problem.number_of_constraints:
                optimizer.tell(candidate, f, np.maximum(rec.constraints(candidate.value), 0.0))
            else:
                optimizer.tell(candidate, f)


def optuna_direct(rec: Recorder, bounds: list, seed: int) -> None:
    """Optuna's default sampler (TPE), with `constraints_func` on constrained problems."""
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    constrained = rec.problem.number_of_constraints > 0
    constraints_func = (lambda trial: trial.user_attrs["g"]) if constrained else None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # constraints_func is experimental
        study = optuna.create_study(sampler=optuna.samplers.TPESampler(seed=seed, constraints_func=constraints_func))

    def objective(trial: Any) -> float:
        x = np.array([trial.suggest_float(f"x{i}", lo, hi) for i, (lo, hi) in enumerate(bounds)])
        f = rec(x)
        if constrained:
            trial.set_user_attr("g", [float(v) for v in rec.constraints(x)])
        return f

    study.optimize(objective, n_trials=rec.budget)


COLUMNS: dict[str, Callable[[Recorder, list, int], None]] = {
    "auto": omnisolve_method("auto"),
    NGOPT: ngopt_direct,
    OPTUNA: optuna_direct,
    **{name: omnisolve_method(name) for name in METHODS},
}


def f_opt(suite: str, function: int, instance: int, dimension: int) -> float:
    """The problem's optimal value, which cocoex 2.8 does not expose on its problems: read from
    the header COCO's own observer writes (one call, in a throw-away directory)."""
    import cocoex

    with tempfile.TemporaryDirectory() as tmp, contextlib.chdir(tmp):
        one = _suite(suite, [function], instance, dimension)  # kept: its problems die with it
        problem = one[0]
        problem.observe_with(cocoex.Observer(suite, "result_folder: fopt"))
        problem(problem.initial_solution)
        problem.free()
        header = next(Path(tmp).rglob("*.dat")).read_text()
    found = re.search(r"Fopt \(([^)]+)\)", header)
    assert found, f"no Fopt in COCO's log header: {header[:200]}"
    return float(found.group(1))


def _suite(suite: str, functions: list[int] | None, instance: int, dimension: int) -> Any:
    import cocoex

    indices = f" function_indices: {','.join(map(str, functions))}" if functions else ""
    return cocoex.Suite(suite, f"instances: {instance}", f"dimensions: {dimension}{indices}")


@dataclass
class RunRow:
    suite: str
    function: int
    instance: int
    dimension: int
    method: str
    calls: int
    best: float | None  # the best feasible f - f_opt, None when no call was feasible
    seconds: float
    hits: list[int | None] | None  # None: the method refused the problem
    error: str = ""
    noise: str = ""  # "": noise-free, else the --noise level


def run_one(suite: str, problem: Any, fopt: float, method: str, budget: int, seed: int, noise: str = "") -> RunRow:
    """One method on one problem; a method that raises keeps the targets it reached before.
    With `noise`, the same noise sequence for every method on a problem."""
    rec = Recorder(problem, fopt, budget, gaussian_noise(NOISE_BETA[noise], seed) if noise else None)
    bounds = list(zip(problem.lower_bounds, problem.upper_bounds))
    began = time.perf_counter()
    error, hits = "", None
    try:
        COLUMNS[method](rec, bounds, seed)
    except UnsupportedError as exc:
        error = f"unsupported: {exc}"
    except Exception as exc:  # e.g. the recorder's budget guard
        error = f"{type(exc).__name__}: {exc}"
    if not error.startswith("unsupported"):
        hits = metrics.first_hits(rec.improvements)
    best = rec.best if math.isfinite(rec.best) else None
    fn, dim, inst = problem.id_triple  # COCO orders it (function, dimension, instance)
    return RunRow(suite, fn, inst, dim, method, rec.calls, best, time.perf_counter() - began, hits, error, noise)


def area_table(rows: list[RunRow], budget_per_dim: float) -> list[dict[str, Any]]:
    """Per (suite, dimension, method), and per (suite, "all", method): the ECDF area, the
    fraction of pairs reached at the budget, the runs and their seconds."""
    groups: dict[tuple[str, str, str], list[RunRow]] = {}
    for r in rows:
        if r.hits is not None:
            groups.setdefault((r.suite, str(r.dimension), r.method), []).append(r)
            groups.setdefault((r.suite, "all", r.method), []).append(r)
    table = []
    for (suite, dims, method), mine in groups.items():
        runs = [(r.dimension, r.hits or []) for r in mine]
        table.append(
            {
                "suite": suite,
                "dimension": dims,
                "method": method,
                "area": round(metrics.ecdf_area(runs, budget_per_dim), 4),
                "reached": round(metrics.ecdf(runs, [budget_per_dim])[0], 4),
                "runs": len(mine),
                "seconds": round(sum(r.seconds for r in mine), 1),
            }
        )
    table.sort(
        key=lambda t: (t["suite"], t["dimension"] == "all", 0 if t["dimension"] == "all" else int(t["dimension"]))
    )
    return table


def markdown(table: list[dict[str, Any]], methods: list[str]) -> str:
    """Area (reached) per method, one row per (suite, dimension)."""
    cells: dict[tuple[str, str], dict[str, str]] = {}
    for t in table:
        cells.setdefault((t["suite"], t["dimension"]), {})[t["method"]] = f"{t['area']:.3f} ({t['reached']:.2f})"
    methods = [m for m in methods if any(t["method"] == m for t in table)]  # a refused method has no column
    lines = ["| suite | dim | " + " | ".join(methods) + " |", "|---|---|" + "---|" * len(methods)]
    for (suite, dims), row in cells.items():
        lines.append(f"| {suite} | {dims} | " + " | ".join(row.get(m, "-") for m in methods) + " |")
    return "\n".join(lines)


#: the targets of the ERT table: COCO_TARGETS' indices of f - f_opt = 10^1, 10^-1, 10^-3, 10^-5, 10^-8
ERT_TARGETS = {"1e1": 5, "1e-1": 15, "1e-3": 25, "1e-5": 35, "1e-8": 50}


def ert_markdown(rows: list[RunRow], methods: list[str]) -> str:
    """COCO's expected running time, per (suite, dimension), method and target: per function the
    ERT over its runs (`metrics.expected_running_time`), divided by the dimension; a cell is the
    median over the group's functions (none when fewer than half reached the target) and, in
    brackets, the functions that reached it."""
    done = [r for r in rows if r.hits is not None]
    methods = [m for m in methods if any(r.method == m for r in done)]
    lines = ["| suite | dim | target | " + " | ".join(methods) + " |", "|---|---|---|" + "---|" * len(methods)]
    for suite, dim in sorted({(r.suite, r.dimension) for r in done}):
        mine = [r for r in done if (r.suite, r.dimension) == (suite, dim)]
        for name, k in ERT_TARGETS.items():
            cells = [_ert_cell([r for r in mine if r.method == method], k, dim) for method in methods]
            lines.append(f"| {suite} | {dim} | {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _ert_cell(rows: list[RunRow], k: int, dim: int) -> str:
    """ "median ERT / dimension (functions reached / functions)" of one method's runs to target k."""
    per_function: dict[int, list[tuple[int, int | None]]] = {}
    for r in rows:
        assert r.hits is not None  # ert_markdown passes only runs that ran
        per_function.setdefault(r.function, []).append((r.calls, r.hits[k]))
    erts = sorted(metrics.expected_running_time(runs) / dim for runs in per_function.values())
    if not erts:
        return "not run"
    reached = sum(math.isfinite(e) for e in erts)
    median = erts[len(erts) // 2]
    return f"{median:.0f} ({reached}/{len(erts)})" if math.isfinite(median) else f"- ({reached}/{len(erts)})"


def plot(rows: list[RunRow], methods: list[str], budget_per_dim: float, path: Path) -> None:
    """One ECDF panel per suite and dimension, a curve per method that ran there."""
    grid = list(np.logspace(0.0, math.log10(budget_per_dim), 200))
    runs: dict[str, dict[str, list[tuple[int, list[int | None]]]]] = {}
    for r in rows:
        if r.hits is not None:
            runs.setdefault(f"{r.suite}, {r.dimension}-D", {}).setdefault(r.method, []).append((r.dimension, r.hits))
    panels = {
        title: {m: (grid, metrics.ecdf(mine[m], grid)) for m in methods if m in mine} for title, mine in runs.items()
    }
    dims = {r.dimension for r in rows}
    plots.ecdf_panels(panels, path, columns=len(dims), highlight="auto")


def solve_all(args: argparse.Namespace, methods: list[str]) -> list[RunRow]:
    """Every method on every problem of the chosen suites, dimensions, instances and functions."""
    import cocoex  # the bench extra: pip install -e '.[bench]'

    cocoex.log_level("warning")
    functions = [int(f) for f in args.functions.split(",")] if args.functions else None
    rows: list[RunRow] = []
    for suite in args.suites.split(","):
        for dim in map(int, args.dims.split(",")):
            for instance in map(int, args.instances.split(",")):
                for problem in _suite(suite, functions, instance, dim):
                    fopt = f_opt(suite, problem.id_function, instance, dim)
                    for method in methods:
                        budget = args.budget_per_dim * dim
                        rows.append(run_one(suite, problem, fopt, method, budget, args.seed, args.noise))
                        r = rows[-1]
                        print(f"{problem.id} {method}: best {r.best} in {r.seconds:.1f} s {r.error}", flush=True)
    return rows


def _write_runs(out: Path, settings: dict[str, Any], rows: list[RunRow]) -> None:
    runs = [asdict(r) for r in rows]
    (out / "bbob.json").write_text(json.dumps({"args": settings, "runs": runs}, separators=(",", ":")))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--suites", default="bbob,bbob-constrained")
    parser.add_argument("--dims", default="2,5,10,20")
    parser.add_argument("--instances", default="1,2,3")
    parser.add_argument("--functions", default="", help="comma-separated function numbers (default: all)")
    parser.add_argument("--budget-per-dim", type=int, default=100)
    parser.add_argument("--methods", default=",".join(COLUMNS), help=f"from {', '.join(COLUMNS)}")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--noise", choices=["", *NOISE_BETA], default="", help="COCO's Gaussian noise, every function")
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument(
        "--from-json", type=Path, nargs="+", help="bbob.json files of one budget: their table, CSV and plot, merged"
    )
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    if args.from_json:
        data = [json.loads(path.read_text()) for path in args.from_json]
        rows = [RunRow(**r) for d in data for r in d["runs"]]
        budgets = {d["args"]["budget_per_dim"] for d in data}
        assert len(budgets) == 1, f"one budget per dimension to merge, got {sorted(budgets)}"
        budget = budgets.pop()
        methods = list(dict.fromkeys(m for d in data for m in d["args"]["methods"].split(",")))
        if len(data) > 1:  # one run's file, as if it had run at once
            dims = ",".join(map(str, sorted({r.dimension for r in rows})))
            merged = [str(p) for p in args.from_json]
            settings = data[0]["args"] | {"methods": ",".join(methods), "dims": dims, "merged": merged}
            _write_runs(args.out, settings, rows)
    else:
        budget, methods = args.budget_per_dim, args.methods.split(",")
        rows = solve_all(args, methods)
        _write_runs(args.out, vars(args) | {"out": str(args.out), "from_json": None}, rows)
    table = area_table(rows, budget)
    with open(args.out / "bbob.csv", "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(table[0]))
        writer.writeheader()
        writer.writerows(table)
    plot(rows, methods, budget, args.out / "bbob_ecdf.png")
    print(f"\nECDF area (fraction of (function, target) pairs reached at {budget} x dim calls)\n")
    print(markdown(table, methods))
    ert = ert_markdown(rows, methods)
    (args.out / "bbob_ert.md").write_text(ert + "\n")
    print(f"\nExpected running time / dimension, median over functions (functions reached)\n\n{ert}")


if __name__ == "__main__":
    main()
