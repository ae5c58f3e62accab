"""Multi-armed bandits that pick which LNS operator to run next: UCB1 and Thompson sampling.

Both share one interface, `select() -> arm` and `update(arm, reward)`, and keep exact
statistics: `counts[a]` (times arm a was updated) and `means[a]` (the running mean of its
rewards). Rewards are expected in [0, 1].
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod

import numpy as np


class Bandit(ABC):
    """Counts and mean rewards per arm; subclasses decide which arm to play next."""

    def __init__(self, n_arms: int):
        if n_arms < 1:
            raise ValueError(f"a bandit needs at least one arm, got {n_arms}")
        self.counts = np.zeros(n_arms, dtype=np.int64)
        self.means = np.zeros(n_arms, dtype=float)

    @property
    def n_arms(self) -> int:
        return len(self.counts)

    @abstractmethod
    def select(self) -> int:
        """The arm to play next."""

    def update(self, arm: int, reward: float) -> None:
        """Record `reward` for `arm` (incremental mean, exact up to round-off)."""
        self.counts[arm] += 1
        self.means[arm] += (reward - self.means[arm]) / self.counts[arm]


class UCB1(Bandit):
    """Auer et al.'s UCB1: play every arm once (in index order), then the arm maximising
    `means[a] + exploration * sqrt(ln(total plays) / counts[a])`; ties go to the lowest index.
    The classic constant is exploration = sqrt(2)."""

    def __init__(self, n_arms: int, exploration: float = math.sqrt(2.0)):
        super().__init__(n_arms)
        self.exploration = exploration

    def scores(self) -> np.ndarray:
        """The upper confidence bound of every arm (+inf for arms never played)."""
        played = self.counts > 0
        bonus = np.full(self.n_arms, np.inf)
        log_total = math.log(max(int(self.counts.sum()), 1))
        bonus[played] = self.exploration * np.sqrt(log_total / self.counts[played])
        return self.means + bonus

    def select(self) -> int:
        return int(np.argmax(self.scores()))


class ThompsonSampling(Bandit):
    """Beta-Bernoulli Thompson sampling: arm a's success rate has posterior
    Beta(1 + sum of rewards, 1 + sum of (1 - reward)); play the arm whose sample is largest.
    Fractional rewards in [0, 1] count as partial successes. Seeded, so runs repeat."""

    def __init__(self, n_arms: int, seed: int = 0):
        super().__init__(n_arms)
        self.alpha = np.ones(n_arms)
        self.beta = np.ones(n_arms)
        self._rng = np.random.default_rng(seed)

    def select(self) -> int:
        return int(np.argmax(self._rng.beta(self.alpha, self.beta)))

    def update(self, arm: int, reward: float) -> None:
        reward = min(max(reward, 0.0), 1.0)
        super().update(arm, reward)
        self.alpha[arm] += reward
        self.beta[arm] += 1.0 - reward


def make_bandit(kind: str, n_arms: int, seed: int = 0) -> Bandit:
    """ "ucb1" or "thompson"."""
    if kind == "ucb1":
        return UCB1(n_arms)
    if kind == "thompson":
        return ThompsonSampling(n_arms, seed)
    raise ValueError(f"unknown bandit {kind!r}; known: ucb1, thompson")
