"""Suites: a folder of instances plus its `optima.csv`, read into `Instance`s with the reference
values a benchmark compares against (layout of ../shared/benchdata, see its README).

The columns are read by name, so any folder with an `optima.csv` (`name`, `file`, and some of
the columns below) is a suite:

| column | used as |
|---|---|
| optimum | proven optimum (tsp, knapsack, jobshop, mip, cvrp) |
| best_known + proven_optimal | best known value, proven only where proven_optimal is "yes" (mip_hard) |
| upper_bound / lower_bound | best known value / dual bound where no optimum is known (jobshop) |
| best_bound | dual bound (mip_hard) |
| status | "infeasible" / "unbounded": the expected answer (mip) |
| sense | min / max (mip_hard); otherwise taken from the problem when it is read |
| max_vehicles | fleet limit to apply when reading a CVRP (cvrp) |
| comment_best_value | historic value, shown beside, never used as reference (cvrp) |
| dimension / items / jobs x machines | instance size for `--max-size` |
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from omnisolve.errors import InputError

#: ../shared/benchdata next to the repository (src/omnisolve/bench/suites.py -> repo -> ..).
DEFAULT_DATA = Path(__file__).resolve().parents[4] / "shared" / "benchdata"
#: suites kept in the repository (benchmarks/data: generated held-apart instances), found by name too
REPO_DATA = Path(__file__).resolve().parents[3] / "benchmarks" / "data"

DEFAULT_SOLVERS: dict[str, list[str]] = {
    "tsp": ["tsp-ils", "lkh", "ortools-routing"],
    "cvrp": ["pyvrp", "ortools-routing"],
    "jobshop": ["jobshop-lns", "cpsat"],
    "mip": ["highs", "cpsat"],
    "mip_hard": ["milp-alns", "highs"],
    "knapsack": ["knapsack-dp", "cpsat"],
}

EXPECTED_STATUSES = ("infeasible", "unbounded")


@dataclass(frozen=True)
class Instance:
    """One benchmark instance and what is known about its answer."""

    name: str
    path: Path
    best_known: float | None = None  # optimum, else best known value; None: best found in the run
    proven: bool = False  # best_known is a proven optimum
    bound: float | None = None  # known dual bound, for information
    expected_status: str | None = None  # "infeasible" / "unbounded" where that is the known answer
    sense: str | None = None  # None: the problem's own sense
    num_vehicles: int | None = None  # CVRP fleet limit to read the instance with
    historic_value: float | None = None  # shown beside the results, never a reference
    size: int | None = None


@dataclass(frozen=True)
class Suite:
    name: str
    folder: Path
    instances: list[Instance]
    default_solvers: list[str]


def resolve(spec: str, data: Path | None = None) -> Path:
    """The suite folder `data / spec` (default data: ../shared/benchdata beside the repository),
    else the repository's `benchmarks/data / spec`, else `spec` itself as a folder path."""
    root = data if data is not None else DEFAULT_DATA
    for folder in (root / spec, REPO_DATA / spec, Path(spec).expanduser()):  # root / an absolute path is that path
        if folder.is_dir():
            return folder
    known = sorted(p.name for p in root.iterdir() if (p / "optima.csv").is_file()) if root.is_dir() else []
    hint = f"suites in {root}: {', '.join(known)}" if known else f"{root} holds no suites"
    raise InputError(f"unknown suite {spec!r}: not a folder; {hint}")


def load_suite(spec: str, data: Path | None = None) -> Suite:
    """Read the suite `spec` (a name under `data` or a folder path) and its `optima.csv`."""
    folder = resolve(spec, data)
    table = folder / "optima.csv"
    if not table.is_file():
        raise InputError("a suite folder needs an optima.csv (columns name, file, optimum, ...)", path=str(table))
    with table.open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    instances = [_instance(folder, row, table, line) for line, row in enumerate(rows, 2)]
    return Suite(folder.name, folder, instances, DEFAULT_SOLVERS.get(folder.name, []))


def select(
    suite: Suite, names: list[str] | None = None, max_size: int | None = None, limit: int | None = None
) -> list[Instance]:
    """The suite's instances filtered by name, by size (unknown sizes kept), then the first `limit`."""
    chosen = suite.instances
    if names:
        by_name = {i.name: i for i in chosen}
        missing = [n for n in names if n not in by_name]
        if missing:
            raise InputError(f"suite {suite.name} has no instance {', '.join(missing)}")
        chosen = [by_name[n] for n in names]
    if max_size is not None:
        chosen = [i for i in chosen if i.size is None or i.size <= max_size]
    return chosen[:limit] if limit is not None else chosen


def _instance(folder: Path, row: dict[str, str], table: Path, line: int) -> Instance:
    """One `optima.csv` row as an `Instance` (columns as in the module docstring)."""

    def number(key: str) -> float | None:
        text = (row.get(key) or "").strip()
        if not text:
            return None
        try:
            return float(text)
        except ValueError:
            raise InputError(f"column {key}: {text!r} is not a number", path=str(table), line=line) from None

    name, file = (row.get("name") or "").strip(), (row.get("file") or "").strip()
    if not name or not file:
        raise InputError("every row needs a name and a file", path=str(table), line=line)
    optimum, best_known = number("optimum"), number("best_known")
    proven = optimum is not None or (best_known is not None and (row.get("proven_optimal") or "").strip() == "yes")
    best = next((v for v in (optimum, best_known, number("upper_bound")) if v is not None), None)
    status = (row.get("status") or "").strip().lower()
    vehicles = number("max_vehicles")
    return Instance(
        name=name,
        path=folder / file,
        best_known=best,
        proven=proven,
        bound=next((v for v in (number("lower_bound"), number("best_bound")) if v is not None), None),
        expected_status=status if status in EXPECTED_STATUSES else None,
        sense=(row.get("sense") or "").strip() or None,
        num_vehicles=int(vehicles) if vehicles is not None else None,
        historic_value=number("comment_best_value"),
        size=_size(number),
    )


def _size(number) -> int | None:
    """Nodes, items, or jobs x machines, whichever the table gives."""
    for key in ("dimension", "items"):
        value = number(key)
        if value is not None:
            return int(value)
    jobs, machines = number("jobs"), number("machines")
    return int(jobs * machines) if jobs is not None and machines is not None else None
