"""Destroy operators of a MILP large-neighbourhood search (Balans-style).

Each operator turns the full model and the incumbent(s) into a sub-MIP, stated as a
`ProblemData` with the same variables: integer variables kept at the incumbent get lb = ub, and
some operators add one row or swap the objective. Every sub-MIP keeps all rows of the full
model, so any solution of it is feasible for the full model. `share` is the operator's
neighbourhood size: the fraction of integer variables allowed to change.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Callable

import numpy as np
import scipy.sparse as sp

from omnisolve.model import Names, ProblemData, Sense


@dataclass
class LnsState:
    """What the operators read: the model, incumbents best first (full-model objective, values),
    the LP relaxation's values (for RINS; None until computed) and the random generator."""

    data: ProblemData
    incumbents: list[tuple[float, np.ndarray]]
    rng: np.random.Generator
    lp_values: np.ndarray | None = None

    @property
    def best(self) -> np.ndarray:
        return self.incumbents[0][1]


@dataclass(frozen=True)
class Neighbourhood:
    """A sub-MIP. `warm_start`: the incumbent is feasible for it (HiGHS may start from it).
    `cutoff`: set when the sub-MIP is the full model restricted to solutions better than
    `cutoff`; its infeasibility then proves no such solution exists."""

    problem: ProblemData
    warm_start: bool = True
    cutoff: float | None = None


def binary_mask(data: ProblemData) -> np.ndarray:
    """Integer variables with bounds [0, 1]."""
    return data.integer_mask & (data.lb == 0) & (data.ub == 1)


def integral_objective(data: ProblemData) -> bool:
    """Whether every solution's objective is an integer: integral costs on integer variables,
    no costs on continuous ones, an integral constant."""
    c = data.c
    return not c[~data.integer_mask].any() and np.array_equal(c, np.round(c)) and data.c0 == round(data.c0)


def objective_step(data: ProblemData, objective: float) -> float:
    """The least improvement worth asking for: 1 for an integral objective, else 1e-4 relative."""
    return 1.0 if integral_objective(data) else 1e-4 * max(1.0, abs(objective))


def fix_integers(data: ProblemData, values: np.ndarray, fix: np.ndarray) -> ProblemData:
    """`data` with the integer variables selected by `fix` held at their (rounded) `values`."""
    fix = fix & data.integer_mask
    held = np.clip(np.round(values[fix]), data.lb[fix], data.ub[fix])
    lb, ub = data.lb.copy(), data.ub.copy()
    lb[fix] = ub[fix] = held
    return dataclasses.replace(data, lb=lb, ub=ub)


def _free_at_most(candidates: np.ndarray, count: int, rng: np.random.Generator) -> np.ndarray:
    """A mask freeing `count` of the `candidates` (all of them when there are fewer), at random."""
    index = np.flatnonzero(candidates)
    if len(index) > count:
        index = rng.choice(index, size=count, replace=False)
    free = np.zeros(len(candidates), dtype=bool)
    free[index] = True
    return free


def _target(data: ProblemData, share: float) -> int:
    return max(1, int(round(share * int(data.integer_mask.sum()))))


def _fix_all_but(state: LnsState, candidates: np.ndarray, share: float) -> Neighbourhood | None:
    """Free at most share of the integers among `candidates`, fix every other integer."""
    if not candidates.any():
        return None
    free = _free_at_most(candidates & state.data.integer_mask, _target(state.data, share), state.rng)
    return Neighbourhood(fix_integers(state.data, state.best, ~free))


def random_destroy(state: LnsState, share: float) -> Neighbourhood | None:
    """Free a random `share` of the integer variables; the rest keep their incumbent values."""
    return _fix_all_but(state, state.data.integer_mask, share)


def rins(state: LnsState, share: float) -> Neighbourhood | None:
    """RINS: fix the integers whose incumbent value equals the LP relaxation's; free (at most
    share of) the ones where they differ."""
    if state.lp_values is None:
        return None
    return _fix_all_but(state, np.abs(state.best - state.lp_values) > 1e-6, share)


def crossover(state: LnsState, share: float) -> Neighbourhood | None:
    """Fix the integers where the two best incumbents agree; free (at most share of) the rest."""
    if len(state.incumbents) < 2:
        return None
    return _fix_all_but(state, np.abs(state.best - state.incumbents[1][1]) > 0.5, share)


def _with_row(data: ProblemData, row: np.ndarray, lo: float, hi: float, name: str) -> ProblemData:
    """`data` plus the linear row lo <= row @ x <= hi."""
    A = sp.vstack([data.A, sp.csr_matrix(row)], format="csr")
    return dataclasses.replace(
        data,
        A=A,
        row_lb=np.append(data.row_lb, lo),
        row_ub=np.append(data.row_ub, hi),
        row_names=Names.of([*data.row_names.tolist(), name]),
    )


def distance_row(data: ProblemData, values: np.ndarray) -> tuple[np.ndarray, float]:
    """(d, d0) with d @ x + d0 = sum over binaries of |x_j - values_j| (the Hamming distance)."""
    binary = binary_mask(data)
    at_one = binary & (values > 0.5)
    d = np.where(at_one, -1.0, np.where(binary, 1.0, 0.0))
    return d, float(at_one.sum())


def local_branching(state: LnsState, share: float) -> Neighbourhood | None:
    """Local branching: keep every variable free but allow at most k = share * (number of
    binaries) binaries to flip: sum over binaries |x_j - x*_j| <= k."""
    binary = binary_mask(state.data)
    if not binary.any():
        return None
    k = max(1, int(round(share * int(binary.sum()))))
    d, d0 = distance_row(state.data, state.best)
    return Neighbourhood(_with_row(state.data, d, -np.inf, k - d0, "lns_local_branching"))


def proximity(state: LnsState, share: float) -> Neighbourhood | None:
    """Proximity search: the full model asked for a solution better than the incumbent by at
    least `objective_step`, minimising the Hamming distance to the incumbent. `share` is unused:
    the distance objective itself keeps the search near the incumbent."""
    data = state.data
    if not binary_mask(data).any():
        return None
    objective = state.incumbents[0][0]
    step = objective_step(data, objective)
    d, d0 = distance_row(data, state.best)
    if data.sense == Sense.MIN:
        cutoff, lo, hi = objective - step, -np.inf, objective - step - data.c0
    else:
        cutoff, lo, hi = objective + step, objective + step - data.c0, np.inf
    better = _with_row(data, data.c, lo, hi, "lns_objective_cutoff")
    sub = dataclasses.replace(better, c=d, c0=d0, sense=Sense.MIN)
    return Neighbourhood(sub, warm_start=False, cutoff=cutoff)


Operator = Callable[[LnsState, float], "Neighbourhood | None"]

#: name -> (operator, initial share)
OPERATORS: dict[str, tuple[Operator, float]] = {
    "random": (random_destroy, 0.2),
    "local_branching": (local_branching, 0.05),
    "rins": (rins, 0.3),
    "proximity": (proximity, 1.0),
    "crossover": (crossover, 0.3),
}
