"""Time building a model with about 1,000,000 non-zeros through the matrix and the expression API.

Both methods state the same random LP (`A x <= b`, objective `c x`, A with `--row-nnz` entries
per row) and time the build and `compile()` separately; the table shows the best of `--repeats`.

    .venv/bin/python benchmarks/bench_model_build.py [--nnz 1000000] [--row-nnz 10] [--repeats 3]
"""

from __future__ import annotations

import argparse
import gc
import time
from typing import Callable

import numpy as np
import scipy.sparse as sp

from omnisolve.model import Model, quicksum


def random_lp(nnz: int, row_nnz: int, seed: int = 0) -> tuple[sp.csr_matrix, np.ndarray, np.ndarray]:
    """A (m x n, `row_nnz` distinct columns per row, m = n = nnz / row_nnz), b and c."""
    rng = np.random.default_rng(seed)
    m = n = nnz // row_nnz
    cols = np.sort(_distinct_columns(rng, m, n, row_nnz), axis=1)
    indptr = np.arange(0, m * row_nnz + 1, row_nnz)
    A = sp.csr_matrix((rng.uniform(1.0, 10.0, m * row_nnz), cols.ravel(), indptr), shape=(m, n))
    return A, rng.uniform(10.0, 100.0, m), rng.uniform(-1.0, 1.0, n)


def _distinct_columns(rng: np.random.Generator, m: int, n: int, k: int) -> np.ndarray:
    """k distinct column indices per row: a random start plus k distinct offsets mod n."""
    offsets = np.sort(rng.choice(n, size=k, replace=False))
    return (rng.integers(0, n, size=(m, 1)) + offsets) % n


def build_matrix(A: sp.csr_matrix, b: np.ndarray, c: np.ndarray) -> Model:
    model = Model("matrix")
    x = model.add_variables(A.shape[1], name="x", ub=1.0)
    model.add_constraints(A @ x <= b, name="row")
    model.minimize(c @ x)
    return model


def build_expression(A: sp.csr_matrix, b: np.ndarray, c: np.ndarray) -> Model:
    model = Model("expression")
    x = list(model.add_variables(A.shape[1], name="x", ub=1.0))
    indptr, cols, vals = A.indptr.tolist(), A.indices.tolist(), A.data.tolist()
    for i, rhs in enumerate(b.tolist()):
        lo, hi = indptr[i], indptr[i + 1]
        model.add_constraint(quicksum(a * x[j] for a, j in zip(vals[lo:hi], cols[lo:hi])) <= rhs)
    model.minimize(quicksum(cj * xj for cj, xj in zip(c.tolist(), x)))
    return model


def time_method(build: Callable, A, b, c, repeats: int) -> tuple[float, float, int]:
    """Best build and compile seconds over `repeats`, and the compiled non-zeros."""
    best_build = best_compile = float("inf")
    nnz = 0
    for _ in range(repeats):
        gc.collect()
        t0 = time.perf_counter()
        model = build(A, b, c)
        t1 = time.perf_counter()
        data = model.compile()
        t2 = time.perf_counter()
        best_build, best_compile = min(best_build, t1 - t0), min(best_compile, t2 - t1)
        nnz = data.nnz
        del model, data
    return best_build, best_compile, nnz


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nnz", type=int, default=1_000_000)
    parser.add_argument("--row-nnz", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    A, b, c = random_lp(args.nnz, args.row_nnz)
    rows = {}
    for method, build in (("matrix", build_matrix), ("expression", build_expression)):
        rows[method] = time_method(build, A, b, c, args.repeats)
    base = sum(rows["matrix"][:2])
    print(f"{A.shape[0]} rows x {A.shape[1]} variables, {args.row_nnz} non-zeros per row, best of {args.repeats}\n")
    print("| method | nnz | build s | compile s | total s | ratio expression/matrix |")
    print("|---|---:|---:|---:|---:|---:|")
    for method, (build_s, compile_s, nnz) in rows.items():
        total = build_s + compile_s
        print(f"| {method} | {nnz:,} | {build_s:.3f} | {compile_s:.3f} | {total:.3f} | {total / base:.1f} |")


if __name__ == "__main__":
    main()
