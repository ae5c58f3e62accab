"""The 0-1 knapsack problem: choose items of greatest total value within a weight capacity."""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Any, cast

import numpy as np
import scipy.sparse as sp

from omnisolve.errors import ModelError
from omnisolve.model import LinearExpr, Model, ProblemData, Sense
from omnisolve.problems import _common as common
from omnisolve.problems.base import StructuredProblem


class Knapsack(StructuredProblem):
    """Pick a subset of items with total weight at most `capacity`, maximizing total value.

    A solution is the sorted list of chosen item indices.
    """

    kind = "Knapsack"
    sense = Sense.MAX

    def __init__(self, values: np.ndarray, weights: np.ndarray, capacity: float, name: str = "knapsack"):
        where = common.label(self.kind, name)
        self.name = name
        self.values = common.real_array(values, where, "values", 1)
        self.weights = common.real_array(weights, where, "weights", 1)
        if self.values.size == 0:
            raise ModelError(f"{where}: needs at least one item")
        if self.weights.shape != self.values.shape:
            raise ModelError(f"{where}: {self.weights.size} weights for {self.values.size} values")
        common.nonnegative(self.values, where, "values")
        common.nonnegative(self.weights, where, "weights")
        self.capacity = common.finite_number(capacity, where, "capacity")
        if self.capacity < 0:
            raise ModelError(f"{where}: capacity is {self.capacity:g}, must be >= 0")
        common.readonly(self.values)
        common.readonly(self.weights)

    @property
    def size(self) -> int:
        return len(self.values)

    @property
    def reachable_capacity(self) -> int:
        """The capacity a dynamic program over it ranges over: floor(capacity), but no more
        than the total weight."""
        return int(min(np.floor(self.capacity), self.weights.sum()))

    @property
    def dp_cells(self) -> int:
        """The work of that dynamic program: items x (reachable capacity + 1)."""
        return self.size * (self.reachable_capacity + 1)

    def __repr__(self) -> str:
        return f"Knapsack({self.name!r}, {self.size} items, capacity {self.capacity:g})"

    def to_model(self) -> Model:
        """Binary x_i per item, one row weights @ x <= capacity, maximize values @ x.
        Variables: x (one per item)."""
        m = Model(self.name)
        x = m.add_variables(self.size, "x", vtype="binary")
        m.add_constraint(sp.csr_matrix(self.weights.reshape(1, -1)) @ x <= self.capacity, name="capacity")
        # numpy defers `array @ x` to x.__rmatmul__ (a LinearExpr); its stubs say an array
        m.maximize(cast(LinearExpr, self.values @ x))
        return m

    def solution_from_values(self, data: ProblemData, values: np.ndarray) -> list[int]:
        """The items whose binary rounds to 1."""
        return np.flatnonzero(common.value_vector(values, self.size) > 0.5).tolist()

    def values_from_solution(self, items: list[int]) -> np.ndarray:
        """The `to_model()` variable values of a valid choice (for MIP starts and round trips)."""
        problems = self.check(items)
        if problems:
            raise ModelError(f"{common.label(self.kind, self.name)}: cannot encode an invalid choice: {problems[0]}")
        x = np.zeros(self.size)
        x[common.int_list(items, "items")[0]] = 1.0
        return x

    def _read(self, items: Any) -> tuple[list[int] | None, str | None]:
        return common.index_list(items, "items", self.size, "items {bad} are not item indices (0..{last})")

    def check(self, items: Any) -> list[str]:
        chosen, problem = self._read(items)
        if chosen is None:
            return [cast(str, problem)]  # _read gives a problem whenever it gives no list
        problems = []
        twice = common.repeated(chosen)
        if twice:
            problems.append(f"items chosen more than once: {common.listing(twice)}")
        weight = float(self.weights[chosen].sum())
        if common.exceeds(weight, self.capacity):
            problems.append(f"total weight {weight:g} is more than the capacity {self.capacity:g}")
        return problems

    def evaluate(self, items: Any) -> float:
        """Total value of the chosen items; NaN when `items` is not a list of item indices."""
        chosen, _ = self._read(items)
        return float("nan") if chosen is None else float(self.values[chosen].sum())

    def features(self) -> dict[str, float]:
        w, v = self.weights, self.values
        total = float(w.sum())
        with np.errstate(over="ignore"):  # a weight of 1e-320 gives an infinite ratio: capped, no warning
            ratio = np.minimum(v / np.where(w > 0, w, 1.0), 1e15)
        by_ratio = np.argsort(-ratio, kind="stable")
        greedy = int(np.searchsorted(np.cumsum(w[by_ratio]), self.capacity, side="right"))
        spread = w.std() * v.std()
        return {
            "num_items": float(self.size),
            "capacity_to_total_weight": self.capacity / total if total else 1.0,
            "fits_alone": float((w <= self.capacity).mean()),
            "greedy_prefix": greedy / self.size,
            # what decides whether knapsack-dp finishes, which no share or spread above tells
            "dp_cells": float(dp_work(self)),
            "weight_value_corr": float(np.mean((w - w.mean()) * (v - v.mean())) / spread) if spread else 0.0,
            **common.stats("weight", w),
            **common.stats("value", v),
            **common.stats("ratio", ratio),
        }


#: integers beyond this are not exact in a float64 array
EXACT = 2**53


@dataclass(frozen=True)
class Reduction:
    """Reduced-cost fixing of a knapsack against an integer value `z` (Dembo and Hammer): with
    the linear relaxation's multiplier lambda, a selection that differs from the relaxation's
    choice on item j is worth at most L(lambda) - |v_j - lambda w_j|, so where that is below
    z + 1 item j is fixed. Any selection worth more than z takes every item of `ones`, none of
    the other fixed items, and fits items of `core` within `room`; `settled`: none is worth
    more than z at all."""

    z: int
    ones: np.ndarray  # bool mask over the items
    core: np.ndarray  # bool mask over the items
    room: int
    settled: bool

    @property
    def cells(self) -> int:
        """The core's dynamic-programming table: its items x (room + 1); 0 when settled."""
        return 0 if self.settled else int(self.core.sum()) * (self.room + 1)


def reduction(problem: Knapsack, value: float) -> Reduction | None:
    """The fixing against z = floor(`value`), in exact integer arithmetic; None when values or
    weights are not integers or the products could overflow an int64."""
    values, weights = problem.values, problem.weights
    if not (_integral(values) and _integral(weights)) or not math.isfinite(value):
        return None
    if len(values) * (float(values.max()) + float(weights.max())) >= 2**62:
        return None  # sums might overflow an int64
    v, w = values.astype(np.int64), weights.astype(np.int64)
    room = min(math.floor(problem.capacity), int(w.sum()))  # exact, unlike a float sum
    z = math.floor(value)
    broken = _break_item(v, w, room)
    nothing = np.zeros(len(v), dtype=bool)
    if broken is None:  # everything fits: one selection, no core
        return Reduction(z, ~nothing, nothing, room, settled=int(v.sum()) <= z)
    p, q = int(v[broken]), int(w[broken])  # the multiplier lambda = p / q
    if (int(v.max()) * q + p * int(w.max())) * (len(v) + 1) + p * room >= 2**62:
        return None
    r = v * q - p * w  # reduced values, times q
    lagrangian = p * room + int(r[r > 0].sum())  # L(lambda) x q
    fixed = (r != 0) & (lagrangian - np.abs(r) < (z + 1) * q)
    ones = fixed & (r > 0)
    left = room - int(w[ones].sum())
    return Reduction(z, ones, ~fixed, left, settled=lagrangian < (z + 1) * q or left < 0)


def _integral(a: np.ndarray) -> bool:
    return bool(np.all(np.abs(a) < EXACT) and np.all(a == np.floor(a)))


def _by_ratio(v: np.ndarray, w: np.ndarray) -> np.ndarray:
    """The items by value per weight, best first (weightless ones before all)."""
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        ratio = np.where(w > 0, v / np.where(w > 0, w, 1), np.inf)
    return np.argsort(-ratio, kind="stable")


def _break_item(v: np.ndarray, w: np.ndarray, room: int) -> int | None:
    """The first item, by value per weight, that no longer fits whole (None: all fit)."""
    order = _by_ratio(v, w)
    over = np.flatnonzero(np.cumsum(w[order]) > room)
    return int(order[over[0]]) if over.size else None


def greedy_choice(problem: Knapsack, extra: int = 1000) -> list[int]:
    """Items by value per weight, each taken when it still fits: the whole prefix that fits at
    once, then up to `extra` more items past the first that does not (one array scan each)."""
    w = problem.weights
    order = _by_ratio(problem.values, w)
    filled = np.cumsum(w[order])
    fits = int(np.searchsorted(filled, problem.capacity, side="right"))
    chosen = order[:fits].tolist()
    room = float(problem.capacity) - (float(filled[fits - 1]) if fits else 0.0)
    rest = order[fits:]
    for _ in range(extra):
        light = np.flatnonzero(w[rest] <= room)
        if not light.size:
            break
        item = int(rest[light[0]])
        chosen.append(item)
        room -= float(w[item])
        rest = rest[light[0] + 1 :]
    return sorted(chosen)


def against_greedy(problem: Knapsack) -> tuple[list[int], Reduction] | None:
    """The greedy choice and the fixing against its value, the core's room capped at the
    core's total weight; None when `reduction` declines."""
    greedy = greedy_choice(problem)
    fixing = reduction(problem, problem.evaluate(greedy))
    if fixing is None:
        return None
    room = max(0, int(min(fixing.room, problem.weights[fixing.core].sum())))
    return greedy, dataclasses.replace(fixing, room=room)


def dp_work(problem: Knapsack) -> int:
    """The cells knapsack-dp's dynamic program spans: items x capacity, or, where fixing
    against the greedy choice leaves a smaller core, the core's (`Reduction.cells`)."""
    found = against_greedy(problem)
    return problem.dp_cells if found is None else min(problem.dp_cells, found[1].cells)
