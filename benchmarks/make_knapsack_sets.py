"""Write the knapsack instances of the portfolio's held-apart set (benchmarks/data/knapsack_heldapart):
Pisinger's classes ("Where are the hard knapsack problems?", 2005) drawn again, apart from the
training suite's in every way it can be: another seed, weights up to R = 10,000 (the training
suite's go to 1,000), capacities of 30 % and 70 % of the total weight (training: 50 %), other
sizes (150 and 1,200 items), and one class the training suite has no instance of (almost strongly
correlated). Each optimum is computed by dynamic programming over the capacity here and checked
against HiGHS on the 0-1 model (its solution <= the optimum <= its bound, within a minute).

    .venv/bin/python benchmarks/make_knapsack_heldapart.py
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

OUT = Path(__file__).resolve().parent / "data" / "knapsack_heldapart"
SEED = 20261206
R = 10_000
SIZES = ((150, 0.3), (1200, 0.7))  # (items, capacity as a share of the total weight)


def draw(kind: str, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """(values, weights) of Pisinger's class `kind`."""
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


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(SEED)
    rows = []
    for kind in ("uncorrelated", "weakly", "strongly", "inverse_strongly", "almost_strongly", "subset_sum"):
        for n, share in SIZES:
            values, weights = draw(kind, n, rng)
            capacity = int(share * weights.sum())
            name = f"{kind}_h{n}"
            lines = [f"{n} {capacity}"] + [f"{p} {w}" for p, w in zip(values, weights)]
            (OUT / f"{name}.kp").write_text("\n".join(lines) + "\n")
            best = optimum(values, weights, capacity)
            found, bound = highs_bounds(values, weights, capacity)
            assert found - 0.5 < best < bound + 0.5, (name, found, best, bound)
            rows.append({"name": name, "file": f"{name}.kp", "items": n, "capacity": capacity, "optimum": best})
            print(name, best, flush=True)
    with (OUT / "optima.csv").open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


if __name__ == "__main__":
    main()
