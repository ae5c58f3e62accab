"""Constrained Bayesian optimization after CONFIG (Xu, Jiang, Shen, Zhang, Ding: "Constrained
Efficient Global Optimization of Expensive Black-box Functions", ICML 2023), for small budgets
of expensive evaluations with constraints g(x) <= 0.

Gaussian-process models (scikit-learn, Matern 5/2 with one length scale per coordinate) of f and
of every g_j over the points told so far. After a space-filling start (random points, `x0`
first), each next point minimizes the lower confidence bound of f over the candidates whose
lower confidence bounds of every g_j are at most 0, the optimistic feasible set: a point that
could be feasible and could be good. When no candidate is optimistically feasible, every
candidate has a constraint whose lower confidence bound is positive: the evidence CONFIG uses to
declare a problem infeasible. It is recorded (`evidence`, which the result's message carries),
never turned into an `infeasible` status: evaluations prove no infeasibility. The point asked
then is the one with the least optimistic violation. Candidates: random points of the unit cube
and perturbations of the best point. The models' hyperparameters are refitted every `REFIT`
points and kept in between (a fit costs O(n^3) per optimizer step).
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from omnisolve.blackbox.backend import Backend, Setup, Told

WIDTH = 2.0  # the confidence bounds: mean -+ WIDTH x standard deviation
CANDIDATES = 1000  # random candidates per step, plus as many around the best point
LOCAL = 0.05  # the spread of the candidates around the best point
REFIT = 5  # hyperparameters refitted every REFIT points


class ConfigBackend(Backend):
    def __init__(self, setup: Setup):
        self._setup = setup
        self._rng = np.random.default_rng(setup.seed)
        d = setup.dimension
        start = self._rng.uniform(0.0, 1.0, size=(min(setup.budget, max(4, 2 * d + 1)), d))
        if setup.x0 is not None:
            start[0] = setup.x0
        self._pending = list(start)
        self._out = 0  # points handed out, not yet told
        self._x: list[np.ndarray] = []
        self._f: list[float] = []
        self._g: list[np.ndarray] = []
        self._kernels: dict[int, Any] = {}  # per model (0: f, j + 1: g_j), its last fitted kernel
        self.evidence: str | None = None

    def ask(self) -> tuple[np.ndarray, Any] | None:
        if self._out:
            return None  # one point at a time: the next depends on this one's value
        x = self._pending.pop(0) if self._pending else self._next()
        self._out += 1
        return x, x

    def tell(self, token: Any, told: Told) -> None:
        self._out -= 1
        if told.failed:
            return  # nothing to model; the next candidates are drawn afresh
        self._x.append(np.asarray(token, dtype=float))
        self._f.append(told.value)
        if self._setup.constrained and told.violations is not None:
            self._g.append(np.asarray(told.violations, dtype=float))

    def _next(self) -> np.ndarray:
        d = self._setup.dimension
        if len(self._x) < 2:
            return self._rng.uniform(0.0, 1.0, d)
        X = np.asarray(self._x)
        best = X[int(np.argmin(self._f))]
        near = np.clip(best + LOCAL * self._rng.standard_normal((CANDIDATES, d)), 0.0, 1.0)
        candidates = np.vstack([self._rng.uniform(0.0, 1.0, (CANDIDATES, d)), near])
        mean, sd = self._predict(0, X, np.asarray(self._f), candidates)
        score = mean - WIDTH * sd
        if not (self._setup.constrained and len(self._g) == len(self._x)):
            return candidates[int(np.argmin(score))]
        G = np.asarray(self._g)
        optimistic = np.max(
            [m - WIDTH * s for m, s in (self._predict(j + 1, X, G[:, j], candidates) for j in range(G.shape[1]))],
            axis=0,
        )  # per candidate the largest lower confidence bound of the g_j: > 0, surely infeasible
        feasible = optimistic <= 0.0
        if feasible.any():
            self.evidence = None
            return candidates[feasible][int(np.argmin(score[feasible]))]
        self.evidence = (
            f"after {len(self._x)} evaluations no candidate point is optimistically feasible: at each of "
            f"{len(candidates)} some constraint's lower confidence bound is above 0 (CONFIG's evidence of "
            "infeasibility, not a proof)"
        )
        return candidates[int(np.argmin(optimistic))]

    def _predict(self, model: int, X: np.ndarray, y: np.ndarray, at: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Mean and standard deviation at `at` of a GP fitted to (X, y), y standardized."""
        from sklearn.gaussian_process import GaussianProcessRegressor
        from sklearn.gaussian_process.kernels import ConstantKernel, Matern, WhiteKernel

        scale = float(np.std(y)) or 1.0
        centre = float(np.mean(y))
        kernel = self._kernels.get(model)
        refit = kernel is None or len(X) % REFIT == 0
        if kernel is None:
            kernel = ConstantKernel(1.0, (1e-3, 1e3)) * Matern(
                np.full(X.shape[1], 0.2), (1e-3, 10.0), nu=2.5
            ) + WhiteKernel(1e-6, (1e-10, 1e-1))
        gp = GaussianProcessRegressor(
            kernel, optimizer="fmin_l_bfgs_b" if refit else None, normalize_y=False, random_state=0
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # convergence warnings of the hyperparameter fit
            gp.fit(X, (y - centre) / scale)
        self._kernels[model] = gp.kernel_
        mean, sd = gp.predict(at, return_std=True)
        return centre + scale * mean, scale * sd


def make(setup: Setup) -> Backend:
    return ConfigBackend(setup)
