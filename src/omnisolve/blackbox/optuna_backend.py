"""Optuna's samplers on ask/tell: TPE (with constraints through `constraints_func`), CMA-ES
(`CmaEsSampler`, on the `cmaes` package; constraints as a penalty) and the Gaussian-process
sampler (with constraints through `constraints_func`; needs `torch`).

A failed evaluation is told as a failed trial, which the samplers leave out of their models."""

from __future__ import annotations

import importlib.util
import logging
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import numpy as np

from omnisolve.blackbox.backend import Backend, Setup, Told
from omnisolve.errors import UnsupportedError

if TYPE_CHECKING:
    from optuna.distributions import BaseDistribution

#: sampler option -> the package it needs beyond optuna
NEEDS = {"tpe": "", "cmaes": "cmaes", "gp": "torch"}
CONSTRAINED = ("tpe", "gp")  # the samplers that take `constraints_func`
G_KEY = "omnisolve_g"  # the trial's user attribute holding its constraint value


@contextmanager
def _quiet() -> Iterator[None]:
    """Optuna's per-trial INFO log lines and experimental-feature warnings, silenced for the call
    only (the user's own Optuna logging stays as it was)."""
    logger = logging.getLogger("optuna")
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        logger.setLevel(level)


class OptunaBackend(Backend):
    def __init__(self, setup: Setup):
        import optuna

        kind = setup.option
        needed = NEEDS[kind]
        if needed and importlib.util.find_spec(needed) is None:
            raise UnsupportedError(f"method optuna-{kind} needs the package {needed!r}, which is not installed")
        self._native = setup.constrained and kind in CONSTRAINED
        constraints = _constraint if self._native else None
        with _quiet():
            if kind == "tpe":
                sampler: Any = optuna.samplers.TPESampler(seed=setup.seed, constraints_func=constraints)
            elif kind == "cmaes":
                sampler = optuna.samplers.CmaEsSampler(seed=setup.seed)
            else:
                sampler = optuna.samplers.GPSampler(
                    seed=setup.seed, deterministic_objective=not setup.noisy, constraints_func=constraints
                )
            self._study = optuna.create_study(sampler=sampler)
            if setup.x0 is not None:
                self._study.enqueue_trial({f"u{i}": float(v) for i, v in enumerate(setup.x0)})
        unit = optuna.distributions.FloatDistribution(0.0, 1.0)
        self._space: dict[str, BaseDistribution] = {f"u{i}": unit for i in range(setup.dimension)}

    def ask(self) -> tuple[np.ndarray, Any]:
        with _quiet():
            trial = self._study.ask(self._space)
        return np.array([trial.params[name] for name in self._space]), trial

    def tell(self, token: Any, told: Told) -> None:
        from optuna.trial import TrialState

        with _quiet():
            if told.failed:
                self._study.tell(token, state=TrialState.FAIL)
                return
            if self._native:
                assert told.violations is not None
                token.set_user_attr(G_KEY, float(np.max(told.violations, initial=0.0)))
            self._study.tell(token, told.value if self._native else told.penalized)


def _constraint(trial: Any) -> tuple[float]:
    """Optuna's `constraints_func`: the largest g(x), feasible when <= 0."""
    return (trial.user_attrs[G_KEY],)


def make(setup: Setup) -> Backend:
    return OptunaBackend(setup)
