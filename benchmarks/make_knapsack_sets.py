"""Write the portfolio's generated knapsack sets in benchmarks/data, Pisinger's classes ("Where
are the hard knapsack problems?", 2005) drawn with other parameters than ../shared/benchdata's
(weights up to 1,000, capacity 50 % of the total weight, 50-1,000 items):

- knapsack_heldapart, the evaluation set: apart from every training set in every way it can be:
  its own seed, weights up to R = 10,000, capacities of 30 % and 70 %, 150 and 1,200 items, and
  one class no training set has (almost strongly correlated).
- knapsack_large, training: capacities too large for dynamic programming within 10 s (items x
  capacity from 2.2e9 to 1.6e10, where the shared suite stays under 2.5e8): weights up to 100,000,
  capacities of 50 % and 40 %, 300 and 800 items, another seed, the five other classes. Without
  it the selector only ever saw knapsack-dp prove everything.

Each optimum is computed by dynamic programming over the capacity here and checked against HiGHS
on the 0-1 model (its solution <= the optimum <= its bound, within a minute).

    .venv/bin/python benchmarks/make_knapsack_sets.py [heldapart|large ...]
"""

from __future__ import annotations

import csv
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

DATA = Path(__file__).resolve().parent / "data"
CLASSES = ("uncorrelated", "weakly", "strongly", "inverse_strongly", "almost_strongly", "subset_sum")


@dataclass(frozen=True)
class KnapsackSet:
    """One generated set: its seed, weight range R, sizes as (items, capacity share), classes and
    the suffix of its instance names."""

    seed: int
    R: int
    sizes: tuple[tuple[int, float], ...]
    classes: tuple[str, ...]
    tag: str


SETS = {
    "heldapart": KnapsackSet(20261206, 10_000, ((150, 0.3), (1200, 0.7)), CLASSES, "h"),
    "large": KnapsackSet(
        20261207, 100_000, ((300, 0.5), (800, 0.4)), tuple(c for c in CLASSES if c != "almost_strongly"), "L"
    ),
}


def draw(kind: str, n: int, R: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """(values, weights) of Pisinger's class `kind` with weights up to R."""
    w = rng.integers(1, R + 1, n)
    if kind == "uncorrelated":
        p = rng.integers(1, R + 1, n)
    elif kind == "weakly":
        p = np.maximum(1, w + rng.integers(-R // 10, R // 10 + 1, n))
    elif kind == "strongly":
        p = w + R // 10
    elif kind == "inverse_strongly":
        p = rng.integers(1, R + 1, n)
        w = p + R // 10
    elif kind == "almost_strongly":
        p = w + R // 10 + rng.integers(-R // 500, R // 500 + 1, n)
    elif kind == "subset_sum":
        p = w.copy()
    else:
        raise ValueError(kind)
    return p.astype(np.int64), w.astype(np.int64)


def optimum(values: np.ndarray, weights: np.ndarray, capacity: int) -> int:
    """The 0-1 knapsack optimum by dynamic programming over the capacity."""
    best = np.zeros(capacity + 1, dtype=np.int64)
    for p, w in zip(values.tolist(), weights.tolist()):
        if w <= capacity:
            np.maximum(best[w:], best[:-w] + p, out=best[w:])
    return int(best[-1])


def highs_bounds(values: np.ndarray, weights: np.ndarray, capacity: int) -> tuple[float, float]:
    """HiGHS on the 0-1 model, at most a minute: (its best value, its upper bound), the
    independent check of the dynamic program (equal when HiGHS proves its optimum)."""
    from scipy.optimize import Bounds, LinearConstraint, milp

    n = len(values)
    res = milp(
        -values.astype(float),
        constraints=LinearConstraint(weights[None, :].astype(float), -np.inf, capacity),
        integrality=np.ones(n),
        bounds=Bounds(0, 1),
        options={"time_limit": 60},
    )
    assert res.x is not None, res.message
    return -float(res.fun), -float(res.mip_dual_bound)


def write(which: str) -> None:
    """Write the set `which` (a key of SETS) into benchmarks/data/knapsack_<which>."""
    spec = SETS[which]
    out = DATA / f"knapsack_{which}"
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(spec.seed)
    rows = []
    for kind in spec.classes:
        for n, share in spec.sizes:
            values, weights = draw(kind, n, spec.R, rng)
            capacity = int(share * weights.sum())
            name = f"{kind}_{spec.tag}{n}"
            lines = [f"{n} {capacity}"] + [f"{p} {w}" for p, w in zip(values, weights)]
            (out / f"{name}.kp").write_text("\n".join(lines) + "\n")
            best = optimum(values, weights, capacity)
            found, bound = highs_bounds(values, weights, capacity)
            assert found - 0.5 < best < bound + 0.5, (name, found, best, bound)
            rows.append({"name": name, "file": f"{name}.kp", "items": n, "capacity": capacity, "optimum": best})
            print(name, best, flush=True)
    with (out / "optima.csv").open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


if __name__ == "__main__":
    for which in sys.argv[1:] or list(SETS):
        write(which)
