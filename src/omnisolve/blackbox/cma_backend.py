"""pycma's CMA-ES on the unit cube, restarted with a doubled population (IPOP) whenever it stops
before the budget is spent. A generation's points are handed out one by one and told to CMA-ES
together once all are back."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from omnisolve.blackbox.backend import Backend, Setup, Told

SIGMA0 = 0.3  # of the unit cube's side: the first search spreads over most of the box


class CmaBackend(Backend):
    def __init__(self, setup: Setup):
        self._setup = setup
        self._rng = np.random.default_rng(setup.seed)
        self._popsize = 0  # 0: CMA-ES's default for the dimension
        self._run = 0  # counts the restarts
        self._start(setup.x0 if setup.x0 is not None else np.full(setup.dimension, 0.5))

    def _start(self, mean: np.ndarray) -> None:
        import cma

        options: dict[str, Any] = {"bounds": [0.0, 1.0], "seed": int(self._rng.integers(1, 2**31)), "verbose": -9}
        if self._popsize:
            options["popsize"] = self._popsize
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # e.g. "in dimension 1, CMA-ES is not recommended"
            self._es = cma.CMAEvolutionStrategy(mean, SIGMA0, options)
        self._popsize = self._es.popsize
        self._run += 1
        self._generation: list[np.ndarray] = []
        self._values: dict[int, float] = {}
        self._handed = 0

    def ask(self) -> tuple[np.ndarray, Any] | None:
        if self._handed == len(self._generation):
            if len(self._values) < len(self._generation):
                return None  # the generation's points are out; CMA-ES needs them all back first
            if self._generation:
                self._next_generation()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                self._generation = [np.asarray(x, dtype=float) for x in self._es.ask()]
            self._values, self._handed = {}, 0
        k = self._handed
        self._handed += 1
        return self._generation[k], (self._run, k)

    def tell(self, token: Any, told: Told) -> None:
        run, k = token
        if run == self._run:  # a point of a run that has since restarted teaches nothing
            self._values[k] = told.penalized

    def _next_generation(self) -> None:
        """Tell CMA-ES the whole generation; restart it (IPOP) when it has converged."""
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            self._es.tell(self._generation, [self._values[k] for k in range(len(self._generation))])
        if self._es.stop():
            self._popsize *= 2
            self._start(self._rng.uniform(0.0, 1.0, self._setup.dimension))


def make(setup: Setup) -> Backend:
    return CmaBackend(setup)
