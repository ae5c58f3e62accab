"""`method="auto"`'s learned stage: the method with the largest area under the ECDF in recorded
benchmark runs (COCO's bbob and bbob-constrained) on problems like the one at hand.

Training (`train`) groups the recorded runs by what `auto` can see of a problem (constraints or
not, noise or not, dimension, calls per dimension) and keeps each method's mean ECDF area per
group (COCO's 51 targets over log10(calls / dimension), `bench.metrics.ecdf_area`, computed by
the caller). A choice (`Chooser.choose`) averages the areas of the groups nearest the problem,
in log dimension and log calls per dimension, with the same constraint and noise flags,
weighted by closeness,
and takes the best method among those recorded in every one of them. It answers only inside
what was recorded: a dimension or a budget per dimension outside the recorded range, integer
coordinates or several workers (none recorded) leave the choice to the rules of
`blackbox.auto`. The shipped table (data/blackbox_chooser.json) is written by
`benchmarks/train_chooser.py` from the runs named there.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable

if TYPE_CHECKING:
    from omnisolve.blackbox.auto import Features

#: a library called directly in the benchmark is the same method as omnisolve's wrapper of it
SAME_AS = {"NGOpt (nevergrad)": "ngopt", "Optuna default (optuna)": "optuna-tpe"}
NEAREST = 3  # groups averaged per choice
SHIPPED = Path(__file__).resolve().parents[1] / "data" / "blackbox_chooser.json"


@dataclass(frozen=True)
class Group:
    """The recorded problems of one kind: each method's mean ECDF area over them."""

    constrained: bool
    dimension: int
    per_dimension: float
    areas: dict[str, float]
    problems: int
    noisy: bool = False

    def distance(self, dimension: int, per_dimension: float) -> float:
        """Closeness in doublings of the dimension and of the calls per dimension."""
        return abs(math.log2(self.dimension / dimension)) + abs(math.log2(self.per_dimension / per_dimension))


@dataclass(frozen=True)
class Chooser:
    groups: tuple[Group, ...]

    def choose(self, f: Features, allowed: Iterable[str] | None = None) -> tuple[str, str] | None:
        """(method, why) for a problem with features `f`, from the `allowed` methods (None: any
        recorded), or None when `f` lies outside the recorded runs."""
        if f.workers > 1 or f.integer_share > 0:
            return None
        mine = [g for g in self.groups if g.constrained == f.constrained and g.noisy == bool(f.noisy)]
        per = f.budget_per_dimension
        if not mine or not _within(f.dimension, [g.dimension for g in mine]):
            return None
        if not _within(per, [g.per_dimension for g in mine]):
            return None
        near = sorted(mine, key=lambda g: g.distance(f.dimension, per))[:NEAREST]
        common = set.intersection(*(set(g.areas) for g in near))
        if allowed is not None:
            common &= set(allowed)
        if not common:
            return None
        weights = [1.0 / (1.0 + g.distance(f.dimension, per)) for g in near]
        mean = {m: sum(w * g.areas[m] for w, g in zip(weights, near)) / sum(weights) for m in common}
        best = max(sorted(common), key=lambda m: mean[m])
        problems = sum(g.problems for g in near)
        kind = ("noisy " if f.noisy else "") + ("constrained" if f.constrained else "unconstrained")
        return best, (
            f"learned: largest mean ECDF area ({mean[best]:.3f}) on {problems} recorded "
            f"{kind} problems nearest {f.dimension}-D at {per:.0f} calls per dimension"
        )

    def to_dict(self) -> dict[str, Any]:
        return {"groups": [g.__dict__ for g in self.groups]}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Chooser:
        return cls(tuple(Group(**g) for g in data["groups"]))


def _within(value: float, seen: list[float]) -> bool:
    return min(seen) <= value <= max(seen)


def train(runs: Iterable[dict[str, Any]]) -> Chooser:
    """A chooser from recorded runs: dicts with suite, function, instance, dimension, method (as
    `benchmarks/bench_bbob.py` writes them), per_dimension (its budget) and area (the run's ECDF
    area, `bench.metrics.ecdf_area`). A method is kept in a group only where it ran on
    every problem of the group; the runs of one method under two names (`SAME_AS`) are averaged."""
    areas: dict[tuple[bool, bool, int, float], dict[str, list[float]]] = {}
    seen: dict[tuple[bool, bool, int, float], dict[str, set[tuple[int, int]]]] = {}
    for run in runs:
        method = SAME_AS.get(run["method"], run["method"])
        if method == "auto" or run.get("error"):
            continue
        key = (run["suite"] != "bbob", bool(run.get("noise")), int(run["dimension"]), float(run["per_dimension"]))
        areas.setdefault(key, {}).setdefault(method, []).append(float(run["area"]))
        seen.setdefault(key, {}).setdefault(method, set()).add((int(run["function"]), int(run["instance"])))
    groups = []
    for key, by_method in sorted(areas.items()):
        constrained, noisy, dimension, per_dimension = key
        problems = set().union(*seen[key].values())
        kept = {m: sum(v) / len(v) for m, v in sorted(by_method.items()) if seen[key][m] == problems}
        groups.append(Group(constrained, dimension, per_dimension, kept, len(problems), noisy))
    return Chooser(tuple(groups))


@lru_cache(maxsize=1)
def shipped() -> Chooser:
    """The chooser shipped with omnisolve."""
    return Chooser.from_dict(json.loads(SHIPPED.read_text()))
