"""`method="auto"`: the choice of a black-box method from a problem's features, behind
`choose(features) -> (method, why)`.

Rules 1-3 first (several workers, integer coordinates: no recorded run has them); then the
chooser learned from recorded BBOB runs (`blackbox.chooser`) where the problem lies inside
them (2-20 dimensions, 50-100 calls per dimension, and with constraints 1,000 in 2 dimensions;
noisy or not, as `blackbox.probe` found f); rules 4-6 otherwise. Noise has no rule of its
own: in the recorded noisy runs (COCO's Gaussian noise, moderate and severe, 100 calls per
dimension) the best method was the one without noise, COBYQA, so outside them the rules for
noise-free problems stand. The rules, first
match wins (docs/continuous.md gives the runs they come from: sphere, Rosenbrock, Rastrigin,
Schwefel, integer and constrained variants in 2-10 dimensions at 20-1000 evaluations per
dimension, two or three seeds each, and COCO's bbob and bbob-constrained suites in 2 and 5
dimensions, instance 1, at 50 per dimension):

1. several workers -> ngopt (Nevergrad's NGOpt plans its batches for the workers);
2. at least half the coordinates integer -> optuna-tpe up to TPE_MAX_BUDGET evaluations (TPE
   models each coordinate; its cost per trial grows with the trials), else cma;
3. some integer coordinates -> cma (rounding makes plateaus, which stall the gradient steps of
   dual annealing's local searches; CMA-ES only ranks points);
4. constraints -> cobyla (takes g(x) <= 0 as constraints: on bbob-constrained far ahead of
   every method that penalizes or samples, at 50, 100 and 1,000 calls per dimension);
5. at most FEW_PER_DIMENSION evaluations per dimension -> cobyqa (a quadratic model per run,
   restarted: the best on bbob at 50 per dimension, in both dimensions);
6. otherwise -> cobyqa-cma: COBYQA's restarts on the first half of the budget, then CMA-ES with
   IPOP restarts from the best point. On bbob at 1,000 calls per dimension COBYQA alone reaches
   the most targets soonest, but stays in local optima (Schwefel's function); the first half of
   the calls is most of COCO's logarithmic budget axis. The second half was dual annealing's
   (`cobyqa-da`), which finds Schwefel's global minimum; CMA-ES's restarts find it too and reach
   the last digits on more functions (bbob instance 7, held apart: the same area, and 83, 68
   and 56 % of the targets in 2, 5 and 10 dimensions against 75, 57 and 44 %).
"""

from __future__ import annotations

from dataclasses import dataclass

INTEGER_SHARE = 0.5
TPE_MAX_BUDGET = 300
FEW_PER_DIMENSION = 100


@dataclass(frozen=True)
class Features:
    """What the rules look at."""

    dimension: int
    budget: int
    workers: int
    constrained: bool
    integer_share: float
    noisy: bool | None = None  # None: not known (`blackbox.probe` finds out)

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
    from omnisolve.blackbox.chooser import shipped

    learned = shipped().choose(f)
    if learned is not None:
        return learned
    if f.constrained:
        return "cobyla", "constrained: COBYLA takes g(x) <= 0 as constraints"
    per = f.budget_per_dimension
    if per > FEW_PER_DIMENSION:
        return "cobyqa-cma", f"{per:.0f} > {FEW_PER_DIMENSION} evaluations per dimension"
    few = f"{per:.0f} <= {FEW_PER_DIMENSION} evaluations per dimension"
    return "cobyqa", few
