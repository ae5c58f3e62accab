"""The one interface every black-box method implements: ask for a point of the unit cube, tell
what it was worth. `BlackBox` maps the points to the user's box and computes what to tell."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Setup:
    """What a method is told when it is made: the dimension, the budget of evaluations, the
    seed, a start point in the unit cube (or None), how many points are evaluated at once,
    whether constraints are told, the method's option (the Nevergrad optimizer's name) and
    whether f is noisy (a repeated point gives another value)."""

    dimension: int
    budget: int
    seed: int
    x0: np.ndarray | None = None
    workers: int = 1
    constrained: bool = False
    option: str = ""
    noisy: bool = False


@dataclass(frozen=True)
class Told:
    """One evaluation as a method sees it.

    `value`: the objective, or for a failed evaluation (a raise, NaN) a value worse than any seen;
    `violations`: g(x) (feasible where all <= 0), None without constraints or when it failed;
    `penalized`: `value` made worse than every feasible value seen when x is infeasible, for
    methods that take no constraints of their own; `failed`: the evaluation failed."""

    value: float
    violations: np.ndarray | None
    penalized: float
    failed: bool


class Backend(ABC):
    """A method behind ask/tell on the unit cube [0, 1]^n."""

    @abstractmethod
    def ask(self) -> tuple[np.ndarray, Any] | None:
        """A point to evaluate and the token to tell it back with; None when the method must
        first hear about the points it has handed out, or has nothing more to try."""

    @abstractmethod
    def tell(self, token: Any, told: Told) -> None:
        """The evaluation of the point asked with `token`."""

    def close(self) -> None:
        """Release threads or other resources (the default has none)."""
