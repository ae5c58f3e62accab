"""`method="auto"` where noise can change what runs: the first calls evaluate one point
(x0, or the middle of the box) REPEATS times. Values that differ mean f is noisy; then `auto`
chooses knowing it (`blackbox.auto`), and the chosen method runs on the rest of the budget,
told that f is noisy (Nevergrad's NGOpt then plans for noise). When f is deterministic and the
chosen method's first point is the probe's (a local method started from x0 or the middle), it is
told the value already known instead of spending a call: the probe then costs one call."""

from __future__ import annotations

import dataclasses
from typing import Any, Callable

import numpy as np

from omnisolve.blackbox.auto import Features, choose
from omnisolve.blackbox.backend import Backend, Setup, Told

REPEATS = 2
MIN_BUDGET = 20  # below it the repeated call is too large a share of the budget


def worth_probing(f: Features) -> bool:
    """Whether knowing the noise can change what `auto` runs for a problem with features `f`:
    with one worker, when its choice for a noisy f differs from its choice for a deterministic
    one; with several, always (NGOpt is told). Not with integer coordinates (rules 2-3 pick
    methods that take no noise into account), nor where the budget is too small for the
    repeated call. Where it cannot change anything, no call is spent on it."""
    if f.noisy is not None or f.integer_share > 0 or f.budget < MIN_BUDGET:
        return False
    if f.workers > 1:
        return True
    with_noise = choose(dataclasses.replace(f, noisy=True))[0]
    return with_noise != choose(dataclasses.replace(f, noisy=False))[0]


class ProbingAuto(Backend):
    """The probe, then the method `auto` chooses with its outcome. `method` and `rule` are
    "auto" and "probing for noise" until the probe's values are all told."""

    def __init__(self, setup: Setup, features: Features, make: Callable[[str, Setup], Backend]):
        self._setup, self._features, self._make = setup, features, make
        self._point = setup.x0 if setup.x0 is not None else np.full(setup.dimension, 0.5)
        self._asked = 0
        self._told: dict[int, tuple[float, np.ndarray | None] | None] = {}  # None: the call failed
        self.inner: Backend | None = None
        self.method, self.rule = "auto", "probing for noise"
        self.noise: dict[str, Any] = {}
        self._known: Told | None = None  # the probe point's value, for the chosen method's first ask

    def ask(self) -> tuple[np.ndarray, Any] | None:
        if self.inner is not None:
            asked = self.inner.ask()
            known, self._known = self._known, None
            if asked is not None and known is not None and np.array_equal(asked[0], self._point):
                self.inner.tell(asked[1], known)
                asked = self.inner.ask()
            return asked
        if self._asked == REPEATS:
            return None  # the probe's values must come back first
        self._asked += 1
        return self._point.copy(), self._asked - 1

    def tell(self, token: Any, told: Told) -> None:
        if self.inner is not None:
            self.inner.tell(token, told)
            return
        self._told[token] = None if told.failed else (told.value, told.violations)
        if len(self._told) == REPEATS:
            self._decide()
            if not self.noise.get("noisy", True):  # deterministic: the value stands for the point
                self._known = told

    def _decide(self) -> None:
        seen = [v for v in self._told.values() if v is not None]
        if len(seen) < REPEATS:
            noisy, why = False, "a probe call failed, so noise is unknown and taken as absent"
        else:
            values = [f for f, _ in seen]
            noisy = max(values) > min(values) or any(not _same(g, seen[0][1]) for _, g in seen)
            shown = ", ".join(f"{f:.6g}" for f in values)
            why = f"f varied at one point ({shown}): noisy" if noisy else f"f repeated its value at one point ({shown})"
            self.noise = {"noisy": noisy, "repeated_values": values}
        self.method, rule = choose(dataclasses.replace(self._features, noisy=noisy))
        self.rule = f"{why}; {rule}"
        rest = dataclasses.replace(self._setup, budget=self._setup.budget - REPEATS, noisy=noisy)
        self.inner = self._make(self.method, rest)

    @property
    def evidence(self) -> str:
        """The chosen method's evidence of infeasibility, if it weighs any."""
        return str(getattr(self.inner, "evidence", "") or "")

    def close(self) -> None:
        if self.inner is not None:
            self.inner.close()


def _same(a: np.ndarray | None, b: np.ndarray | None) -> bool:
    """The same g(x) twice (None: no constraints)."""
    return (a is None) == (b is None) and (a is None or b is None or np.array_equal(a, b))
