"""Adaptive large-neighbourhood search for MILP (Balans-style): HiGHS on the full model first,
for an incumbent and a valid dual bound; then a bandit picks a destroy operator each round,
HiGHS repairs the sub-MIP within a time slice, and each operator's neighbourhood size adapts;
the last share of the time goes to HiGHS on the full model again, started from the incumbent.

Only full-model runs give dual bounds (a sub-MIP's bound is not global), plus one exception:
a proximity sub-MIP proven infeasible proves that nothing beats the incumbent by its step.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import numpy as np

from omnisolve.algorithms.bandit import make_bandit
from omnisolve.algorithms.milp_lns import OPERATORS, LnsState, Neighbourhood, integral_objective
from omnisolve.limits import Limits, Tracker
from omnisolve.model import ProblemData, Sense, VarType
from omnisolve.solvers.highs_run import HighsRun, run_highs
from omnisolve.verify import Tolerances
from omnisolve.verify.model_check import check_values


@dataclass(frozen=True)
class AlnsSettings:
    """Time shares of the phases (of the whole limit), the bandit, and the share bounds."""

    start_share: float = 0.05  # full-model HiGHS first (longer if it has no incumbent yet)
    final_share: float = 0.1  # full-model HiGHS last, from the incumbent
    slice_share: float = 0.05  # time slice of one sub-MIP
    min_slice: float = 0.5
    max_slice: float = 10.0
    bandit: str = "thompson"  # "ucb1" explored too evenly in quick trials (rewards are mostly 0)
    min_share: float = 0.02
    max_share: float = 0.9
    grow: float = 1.5  # share *= grow after a quick optimal sub-MIP without improvement
    shrink: float = 0.7  # share *= shrink after a sub-MIP that hit its time limit


@dataclass
class AlnsOutcome:
    """The best incumbent (None if none), the best valid bound, and whether it is proven optimal;
    `status` is the first full-model run's when it ended the search without an incumbent."""

    values: np.ndarray | None
    objective: float | None
    bound: float | None
    optimal: bool
    status: str = ""
    rounds: dict[str, int] = field(default_factory=dict)


def improvement_reward(old: float, new: float, sign: float) -> float:
    """0 without improvement; otherwise 0.5 plus 0.5 scaled by the relative improvement, full
    at 1 %: reward = 0.5 + 0.5 * min(1, rel / 0.01), rel = (old - new) / max(1, |old|) (min)."""
    rel = sign * (old - new) / max(1.0, abs(old))
    return 0.0 if rel <= 1e-12 else 0.5 + 0.5 * min(1.0, rel / 0.01)


class MilpAlns:
    """One search over `data` within `limits`, reporting incumbents and bounds to `tracker`."""

    def __init__(self, data: ProblemData, limits: Limits, tracker: Tracker, settings: AlnsSettings = AlnsSettings()):
        self.data, self.limits, self.tracker, self.settings = data, limits, tracker, settings
        self.sign = 1.0 if data.sense == Sense.MIN else -1.0
        self.state = LnsState(data, [], np.random.default_rng(limits.seed))
        self.bound: float | None = None
        self.names = list(OPERATORS)
        self.shares = {name: OPERATORS[name][1] for name in self.names}
        self.bandit = make_bandit(settings.bandit, len(self.names), limits.seed)
        self.rounds = {name: 0 for name in self.names}
        self._lp_tried = False

    # -- incumbents and bounds -------------------------------------------------------------

    @property
    def objective(self) -> float | None:
        return self.state.incumbents[0][0] if self.state.incumbents else None

    def offer(self, values: np.ndarray) -> bool:
        """Keep `values` if feasible for the full model and better than the incumbent."""
        _, _, objective, messages = check_values(self.data, values, Tolerances())
        if messages or objective is None:
            return False
        incumbents = self.state.incumbents
        if incumbents and self.sign * (objective - incumbents[0][0]) >= -1e-9:
            if len(incumbents) == 1 and np.abs(values - incumbents[0][1]).max() > 0.5:
                incumbents.append((objective, values))  # a distinct second solution for crossover
            return False
        self.state.incumbents = [(objective, values), *incumbents[:1]]
        self.tracker.report(objective, self.bound)
        return True

    def swap(self) -> None:
        """In a race: offer the incumbent to the race's board, and take the board's when it is
        better (kept only if feasible for the full model, like any other)."""
        if self.limits.exchange is None:
            return
        incumbents = self.state.incumbents
        better = self.limits.exchange.swap(self.objective, lambda: incumbents[0][1].tolist())
        if better is not None:
            self.offer(np.asarray(better[1], dtype=float))

    def offer_bound(self, bound: float | None) -> None:
        """Keep `bound` if it is a valid full-model bound tighter than the current one."""
        if bound is not None and (self.bound is None or self.sign * (bound - self.bound) > 0):
            self.bound = bound
            self.tracker.report(self.objective, bound)

    def proven(self) -> bool:
        if self.objective is None or self.bound is None:
            return False
        return self.sign * (self.objective - self.bound) <= self.limits.gap * max(1.0, abs(self.objective))

    # -- phases ------------------------------------------------------------------------------

    def full_run(self, deadline: float, stop_at: float | None = None) -> HighsRun:
        """HiGHS on the full model until `deadline`, started from the incumbent; with `stop_at`,
        it stops at the first moment after `stop_at` when an incumbent exists."""
        stop = None
        if stop_at is not None:
            stop = lambda: self.objective is not None and self.tracker.elapsed() >= stop_at  # noqa: E731
        best = self.state.incumbents[0][1] if self.state.incumbents else None
        run = run_highs(
            self.data,
            deadline,
            self.limits,
            self.tracker,
            start=best,
            on_solution=self.offer,
            on_progress=lambda _, bound: self.offer_bound(bound),
            stop=stop,
        )
        if run.values is not None:
            self.offer(run.values)
        self.offer_bound(run.objective if run.status == "optimal" else run.bound)
        return run

    def ensure_lp_values(self, deadline: float) -> None:
        """Solve the LP relaxation once (for RINS)."""
        if self._lp_tried:
            return
        self._lp_tried = True
        relaxed = dataclasses.replace(self.data, vtype=np.full(self.data.num_variables, VarType.CONTINUOUS))
        run = run_highs(relaxed, deadline, self.limits, self.tracker)
        if run.status == "optimal":
            self.state.lp_values = run.values

    def lns_round(self, deadline: float) -> None:
        """Pick an operator, build and repair its sub-MIP, reward the bandit, adapt the share."""
        arm = self.bandit.select()
        name = self.names[arm]
        self.rounds[name] += 1
        if name == "rins":
            self.ensure_lp_values(deadline)
        operator, _ = OPERATORS[name]
        hood = operator(self.state, self.shares[name])
        if hood is None or self.tracker.elapsed() >= deadline:
            self.bandit.update(arm, 0.0)
            return
        old = self.objective
        run = self.repair(hood, deadline)
        new = self.objective
        assert old is not None and new is not None  # rounds start once there is an incumbent; it stays
        reward = improvement_reward(old, new, self.sign)
        self.bandit.update(arm, reward)
        self.adapt(name, run, reward > 0, deadline)

    def repair(self, hood: Neighbourhood, deadline: float) -> HighsRun:
        """HiGHS on the sub-MIP; its solutions are offered to the full model as they come."""
        start = self.state.best if hood.warm_start else None
        run = run_highs(hood.problem, deadline, self.limits, self.tracker, start=start, on_solution=self.offer)
        if run.values is not None:
            self.offer(run.values)
        if hood.cutoff is not None and run.status == "infeasible":
            # nothing beats the cutoff; with an integral objective, nothing beats the incumbent
            self.offer_bound(self.objective if integral_objective(self.data) else hood.cutoff)
        return run

    def adapt(self, name: str, run: HighsRun, improved: bool, deadline: float) -> None:
        """Grow the share after a quick proof that the neighbourhood holds nothing better; shrink
        it after a sub-MIP that ran out of time."""
        s = self.settings
        if run.status in ("optimal", "infeasible") and not improved and run.runtime < 0.5 * self.time_slice():
            self.shares[name] = min(s.max_share, self.shares[name] * s.grow)
        elif run.status in ("feasible", "none") and self.tracker.elapsed() >= deadline - 1e-3:
            self.shares[name] = max(s.min_share, self.shares[name] * s.shrink)

    def time_slice(self) -> float:
        s = self.settings
        return min(s.max_slice, max(s.min_slice, s.slice_share * self.limits.time))

    def run(self) -> AlnsOutcome:
        s, T, tracker = self.settings, self.limits.time, self.tracker
        end = tracker.stop_at  # the margin also covers HiGHS overrunning its deadline a little
        first = self.full_run(end, stop_at=s.start_share * T)
        if self.objective is None or first.status in ("optimal", "infeasible", "unbounded") or self.proven():
            return self.outcome(first.status)
        final_at = end - s.final_share * T
        while tracker.elapsed() < final_at - 0.1 and not self.proven() and not tracker.should_stop():
            self.swap()
            self.lns_round(min(final_at, tracker.elapsed() + self.time_slice()))
        if tracker.elapsed() < end - 0.1 and not self.proven() and not tracker.should_stop():
            self.full_run(end)
        return self.outcome("")

    def outcome(self, status: str) -> AlnsOutcome:
        best = self.state.incumbents[0] if self.state.incumbents else (None, None)
        return AlnsOutcome(best[1], best[0], self.bound, self.proven(), status, dict(self.rounds))
