"""`BlackBox`: ask/tell over any black-box method. The caller evaluates the points it asks for
(where and how it likes) and tells the values back; `minimize` is this loop with a counting
wrapper around the function."""

from __future__ import annotations

import math
import operator
import weakref
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from typing import Any

import numpy as np

from omnisolve.blackbox.auto import Features, choose
from omnisolve.blackbox.backend import Setup, Told
from omnisolve.blackbox.certify import FEASIBILITY_TOL, certificate, largest
from omnisolve.blackbox.methods import lookup, make
from omnisolve.blackbox.probe import ProbingAuto, worth_probing
from omnisolve.blackbox.space import Space
from omnisolve.errors import InputError
from omnisolve.limits import IncumbentCallback, Tracker
from omnisolve.result import Result, Status

FAILED_WHEN_NOTHING_SEEN = 1e12  # the value told for a failure before any finite value is known


@dataclass(frozen=True)
class Evaluation:
    """One told point: its objective (None: the evaluation failed) and g(x) (None without
    constraints or when it failed)."""

    x: np.ndarray
    objective: float | None
    g: np.ndarray | None

    @property
    def violation(self) -> float:
        """max g(x) (0 without constraints, inf for a failed evaluation)."""
        return float("inf") if self.objective is None else largest(self.g)

    @property
    def feasible(self) -> bool:
        return self.violation <= FEASIBILITY_TOL


def checked_int(name: str, value: Any, lo: int, hi: int | None = None) -> int:
    """`value` as an int in [lo, hi) (hi None: no upper end); `InputError` otherwise."""
    try:
        number = operator.index(value)
    except TypeError:
        number = None
    if number is None or number < lo or (hi is not None and number >= hi):
        where = f"at least {lo}" if hi is None else f"in [{lo}, {hi})"
        raise InputError(f"{name} must be an integer {where}, got {value!r}")
    return number


class BlackBox:
    """Ask/tell minimization of f(x) over the box `bounds` (a list of (lo, hi)), subject to
    g(x) <= 0 when `constraints` is True (tell g(x) with every f(x)), with the coordinates
    where `integer` is True integral.

    `ask(k)` returns up to k new points (fewer when the method must first hear about the ones it
    handed out, as SciPy's sequential methods and a CMA-ES generation do; [] once `budget`
    points have been asked or the method has nothing more to try). `tell(x, f, g)` takes the
    value of an asked point; f raising, NaN or infinite counts as a failed evaluation (worse
    than anything seen). `best` is the best feasible (x, f) so far; `result()` the `Result`.
    `method`: a name of `omnisolve.blackbox.methods.names()` or "auto" (`blackbox.auto`);
    `workers`: how many points are evaluated at once (Nevergrad plans for it); `noisy`: whether
    f gives another value at a repeated point (None: not known; "auto" then evaluates its first
    point twice to find out, `blackbox.probe`)."""

    def __init__(
        self,
        bounds: Any,
        *,
        budget: int,
        constraints: bool = False,
        integer: Any = None,
        method: str = "auto",
        seed: int = 0,
        x0: Any = None,
        workers: int = 1,
        on_incumbent: IncumbentCallback | None = None,
        noisy: bool | None = None,
    ):
        self.space = Space(bounds, integer)
        self.budget = checked_int("budget", budget, 1)
        self.workers = checked_int("workers", workers, 1)
        self.constrained = bool(constraints)
        seed = checked_int("seed", seed, 0, 2**32)
        if noisy is not None and not isinstance(noisy, (bool, np.bool_)):
            raise InputError(f"noisy must be True, False or None (not known), got {noisy!r}")
        if method != "auto":
            lookup(method)  # an unknown name fails here, before anything is built
        unit_x0 = None if x0 is None else self.space.unit(x0)
        setup = Setup(
            self.space.dimension, self.budget, seed, unit_x0, self.workers, self.constrained, noisy=bool(noisy)
        )
        self._probe: ProbingAuto | None = None
        self._noisy = None if noisy is None else bool(noisy)
        if method == "auto":
            features = Features(
                self.space.dimension, self.budget, self.workers, self.constrained, self.space.integer_share, noisy
            )
            if worth_probing(features):
                self._probe = ProbingAuto(setup, features, make)
                self._method, self._rule = "auto", ""
            else:
                self._method, self._rule = choose(features)
        else:
            self._method, self._rule = method, "named by the caller"
        self._backend = self._probe or make(self._method, setup)
        self._close = weakref.finalize(self, self._backend.close)  # a box dropped unclosed still ends its thread
        self._pending: dict[bytes, list[Any]] = {}
        self.asked = 0
        self.history: list[Evaluation] = []  # every told point, in order
        self._best: Evaluation | None = None
        self._best_value = math.inf
        self._closest: Evaluation | None = None  # the least infeasible point, while none is feasible
        self._worst: float | None = None  # the largest objective told
        self._worst_feasible: float | None = None
        self._tracker = Tracker(on_incumbent)

    @property
    def method(self) -> str:
        """The method searching: the one named, or auto's choice ("auto" while it probes)."""
        return self._probe.method if self._probe else self._method

    @property
    def rule(self) -> str:
        """Why that method, in words."""
        return self._probe.rule if self._probe else self._rule

    # ---- ask/tell ----------------------------------------------------------------------------
    def ask(self, k: int = 1) -> list[np.ndarray]:
        """Up to `k` points to evaluate (see the class docstring for when fewer)."""
        k = checked_int("k", k, 1)
        points: list[np.ndarray] = []
        while len(points) < k and self.asked < self.budget:
            asked = self._backend.ask()
            if asked is None:
                break
            unit, token = asked
            x = self.space.point(unit)
            self._pending.setdefault(x.tobytes(), []).append(token)
            self.asked += 1
            points.append(x)
        return [x.copy() for x in points]

    def tell(self, x: Any, f: Any, g: Any = None) -> None:
        """f(x) (and g(x) with constraints) for a point `ask` returned."""
        x = np.asarray(x, dtype=float)
        tokens = self._pending.get(x.tobytes())
        if not tokens:
            raise InputError("tell: x is not a point ask returned, or it was told already")
        objective = _finite(f)
        if g is not None and not self.constrained:
            raise InputError("tell: g given, but this BlackBox was made without constraints (constraints=True)")
        if self.constrained and objective is not None:
            if g is None:
                raise InputError("tell: this BlackBox has constraints; tell g(x) with f(x)")
            g = np.atleast_1d(np.asarray(g, dtype=float)).ravel()
            objective = objective if np.isfinite(g).all() else None
        evaluation = Evaluation(x.copy(), objective, g if objective is not None else None)
        told = self._told(evaluation)
        self._backend.tell(tokens.pop(0), told)
        if not tokens:
            del self._pending[x.tobytes()]
        self._record(evaluation)

    def _told(self, e: Evaluation) -> Told:
        if e.objective is None:
            fail = FAILED_WHEN_NOTHING_SEEN if self._worst is None else self._worst + max(1.0, abs(self._worst))
            return Told(fail, None, fail, True)
        penalized = e.objective
        if not e.feasible:
            assert e.g is not None
            base = e.objective if self._worst_feasible is None else max(e.objective, self._worst_feasible)
            penalized = base + float(np.maximum(e.g, 0.0).sum())
        return Told(e.objective, e.g, penalized, False)

    def _record(self, e: Evaluation) -> None:
        self.history.append(e)
        if e.objective is None:
            return
        self._worst = e.objective if self._worst is None else max(self._worst, e.objective)
        if not e.feasible:
            if self._closest is None or e.violation < self._closest.violation:
                self._closest = e
            return
        self._worst_feasible = e.objective if self._worst_feasible is None else max(self._worst_feasible, e.objective)
        if self._best is None or e.objective < self._best_value:
            self._best, self._best_value = e, e.objective
            self._tracker.report(e.objective)

    def close(self) -> None:
        """Stop the method's thread, if it has one (SciPy's methods); `minimize` always does,
        and a box that is garbage-collected does too."""
        self._close()

    # ---- answers -----------------------------------------------------------------------------
    @property
    def best(self) -> tuple[np.ndarray | None, float | None]:
        """(x, f(x)) of the best feasible point told so far; (None, None) before one."""
        if self._best is None:
            return None, None
        return self._best.x.copy(), self._best.objective

    @property
    def failures(self) -> int:
        return sum(e.objective is None for e in self.history)

    def result(self) -> Result:
        """The best feasible point as a `Result`: status feasible (never optimal: a black box
        proves no bound) with its certificate from g as told; time_limit with a clear message
        when no point was feasible; error when every evaluation failed."""
        told, best = len(self.history), self._best
        extra: dict[str, Any] = {
            "method": self.method,
            "rule": self.rule,
            "evaluations": told,
            "failed": self.failures,
            "budget": self.budget,
        }
        if self._probe is not None and self._probe.noise:
            extra["noise"] = self._probe.noise
        elif self._noisy is not None:
            extra["noise"] = {"noisy": self._noisy, "told": "by the caller"}
        if best is not None:
            assert best.objective is not None
            result = Result(
                Status.FEASIBLE,
                objective=best.objective,
                values=best.x.copy(),
                message=f"best feasible point of {told} evaluations ({self.method}); no optimality claim"
                + ("; f is noisy: its value there is one noisy sample" if extra.get("noise", {}).get("noisy") else ""),
                certificate=certificate(self.space, best.x, best.objective, best.g, "g as told"),
            )
        elif told and self.failures == told:
            result = Result(Status.ERROR, message=f"every one of the {told} evaluations failed")
        else:
            result = Result(Status.TIME_LIMIT, message=f"no feasible point found in {told} evaluations")
            if self._closest is not None:
                result.message += f" (the least violation: max g(x) = {self._closest.violation:.3g})"
                extra["least_violating"] = self._closest.x.tolist()
            evidence = getattr(self._backend, "evidence", None)  # a method that weighs infeasibility (config)
            if evidence:
                result.message += f"; {evidence}"
                extra["infeasibility_evidence"] = evidence
        result.solver = self.method
        result.solver_version = _version(lookup(self.method).package) if self.method != "auto" else ""
        result.runtime = self._tracker.elapsed()
        result.trace = list(self._tracker.trace)
        result.extra = extra
        return result


def _finite(f: Any) -> float | None:
    """f as a float, None when it is not one finite number."""
    try:
        value = np.asarray(f, dtype=float)
    except (TypeError, ValueError):
        return None
    if value.size != 1 or not math.isfinite(value.item()):
        return None
    return float(value.item())


def _version(package: str) -> str:
    try:
        return version(package)
    except PackageNotFoundError:
        return ""
