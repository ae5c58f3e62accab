"""Nevergrad: NGOpt (Nevergrad's own choice of optimizer from dimension, budget and workers) or
any optimizer of its registry by name ("ng:CMA", "ng:TwoPointsDE", ...), on ask/tell."""

from __future__ import annotations

import builtins
import warnings
from typing import Any

import numpy as np

from omnisolve.blackbox.backend import Backend, Setup, Told
from omnisolve.errors import UnsupportedError

EXAMPLES = ("NGOpt", "CMA", "TwoPointsDE", "PSO", "DE", "OnePlusOne")


def _scalar(value: Any) -> float:
    """`float` that also takes a one-element array, as numpy < 2.4 did."""
    return builtins.float(value.item() if isinstance(value, np.ndarray) else value)


def _numpy_24_compatible() -> None:
    """Nevergrad 1.0.12's meta-models call `float()` on a one-element array, which numpy 2.4
    refuses with a TypeError (nevergrad issue 1612): NGOpt picks them for small budgets, and
    the error left their Powell thread waiting forever. Their module gets a `float` that takes
    such arrays."""
    from nevergrad.optimization import metamodel

    metamodel.float = _scalar  # type: ignore[attr-defined]


class NevergradBackend(Backend):
    def __init__(self, setup: Setup):
        import nevergrad as ng

        _numpy_24_compatible()
        name = setup.option or "NGOpt"
        if name not in ng.optimizers.registry:
            raise UnsupportedError(
                f"unknown Nevergrad optimizer {name!r}; e.g. {', '.join('ng:' + e for e in EXAMPLES)} "
                f"(nevergrad.optimizers.registry has {len(ng.optimizers.registry)})"
            )
        parametrization = ng.p.Array(shape=(setup.dimension,), lower=0.0, upper=1.0)
        parametrization.random_state = np.random.RandomState(setup.seed)
        parametrization.function.deterministic = not setup.noisy  # NGOpt picks noise-handling members
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # e.g. "CMA is inefficient in dimension 1"
            self._optimizer = ng.optimizers.registry[name](
                parametrization=parametrization, budget=setup.budget, num_workers=setup.workers
            )
        if setup.x0 is not None:
            self._optimizer.suggest(setup.x0)

    def ask(self) -> tuple[np.ndarray, Any]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            candidate = self._optimizer.ask()
        return np.asarray(candidate.value, dtype=float), candidate

    def tell(self, token: Any, told: Told) -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # e.g. a loss Nevergrad finds suspiciously large
            self._optimizer.tell(token, told.penalized)


def make(setup: Setup) -> Backend:
    return NevergradBackend(setup)
