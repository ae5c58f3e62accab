"""`method="auto"`: the baseline rules choosing a black-box method from a problem's features.

Kept in this one module, behind `choose(features) -> (method, rule)`, so that a chooser learned
from benchmark runs can replace it. The rules, first match wins (docs/continuous.md gives the
runs they come from: sphere, Rosenbrock, Rastrigin, Schwefel, integer and constrained variants
in 2-10 dimensions at 20 and 100 evaluations per dimension, two or three seeds each):

1. several workers -> ngopt (Nevergrad's NGOpt plans its batches for the workers);
2. at least half the coordinates integer -> optuna-tpe up to TPE_MAX_BUDGET evaluations (TPE
   models each coordinate; its cost per trial grows with the trials), else cma;
3. some integer coordinates -> cma (rounding makes plateaus, which stall the gradient steps of
   dual annealing's local searches; CMA-ES only ranks points);
4. constraints and under FEW_PER_DIMENSION evaluations per dimension -> cobyla (takes g(x) <= 0
   as constraints; the best of the runs on a few evaluations);
5. otherwise -> scipy-da (dual annealing with local searches, restarted: the most reliable of
   the runs on multimodal and smooth functions alike).
"""

from __future__ import annotations

from dataclasses import dataclass

INTEGER_SHARE = 0.5
TPE_MAX_BUDGET = 300
FEW_PER_DIMENSION = 50


@dataclass(frozen=True)
class Features:
    """What the rules look at."""

    dimension: int
    budget: int
    workers: int
    constrained: bool
    integer_share: float

    @property
    def budget_per_dimension(self) -> float:
        return self.budget / self.dimension


def choose(f: Features) -> tuple[str, str]:
    """(method, the rule that chose it, in words)."""
    if f.workers > 1:
        return "ngopt", f"{f.workers} workers: NGOpt plans batches for them"
    if f.integer_share >= INTEGER_SHARE:
        share = f"{f.integer_share:.0%} integer coordinates"
        if f.budget <= TPE_MAX_BUDGET:
            return "optuna-tpe", f"{share}, budget {f.budget} <= {TPE_MAX_BUDGET}"
        return "cma", f"{share}, budget {f.budget} > {TPE_MAX_BUDGET}"
    if f.integer_share > 0:
        return "cma", f"{f.integer_share:.0%} integer coordinates: plateaus"
    if f.constrained and f.budget_per_dimension < FEW_PER_DIMENSION:
        return "cobyla", f"constrained, {f.budget_per_dimension:.0f} < {FEW_PER_DIMENSION} evaluations per dimension"
    return "scipy-da", "the default for continuous problems"
