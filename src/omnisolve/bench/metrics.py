"""Benchmark measures: gap, time to target, primal integral, shifted geometric mean, performance
profiles, PAR-10, and COCO's ECDF of targets reached by black-box runs.

Convention: every gap here is a FRACTION (0.01 = 1 %); reports multiply by 100 for display.
A trace is the solver's incumbent trace `[(t, objective, bound), ...]` (seconds since the solve
started); entries without an objective are bound updates and are ignored by the primal measures.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, cast

from omnisolve.model import Sense

Trace = Sequence[Sequence[float | None]]


def gap(objective: float | None, best: float | None, sense: str = Sense.MIN) -> float | None:
    """Relative primal gap of `objective` to the reference `best`, as a fraction of |best|:
    (objective - best) / |best| when minimizing, (best - objective) / |best| when maximizing.
    Negative when `objective` beats `best`; 0 / inf when `best` is 0; None when either is missing."""
    if objective is None or best is None:
        return None
    diff = objective - best if sense == Sense.MIN else best - objective
    if best == 0:
        return 0.0 if diff == 0 else math.copysign(math.inf, diff)
    return diff / abs(best)


def incumbents(trace: Trace) -> list[tuple[float, float]]:
    """The (time, objective) points of a trace that carry an objective, in time order."""
    return [(float(cast(float, t)), float(obj)) for t, obj, *_ in trace if obj is not None]  # a time is never None


def time_to_target(trace: Trace, best: float | None, sense: str, target_gap: float) -> float | None:
    """First time an incumbent is within `target_gap` (fraction) of `best`; None if never."""
    if best is None:
        return None
    for t, obj in incumbents(trace):
        g = gap(obj, best, sense)
        if g is not None and g <= target_gap:
            return t
    return None


def primal_gap_function(incumbent: float | None, best: float) -> float:
    """Berthold's p: 1 without an incumbent or with opposite signs, 0 when both are 0,
    else |best - incumbent| / max(|best|, |incumbent|) (in [0, 1], sense-free)."""
    if incumbent is None or incumbent * best < 0:
        return 1.0
    if incumbent == 0 and best == 0:
        return 0.0
    return abs(best - incumbent) / max(abs(best), abs(incumbent))


def primal_gap_at(trace: Trace, best: float, times: Iterable[float]) -> list[float]:
    """p(t) at each of the (ascending) `times`: the gap of the last incumbent found by then."""
    points = incumbents(trace)
    out, k, current = [], 0, None
    for t in times:
        while k < len(points) and points[k][0] <= t:
            current = points[k][1]
            k += 1
        out.append(primal_gap_function(current, best))
    return out


def primal_integral(trace: Trace, best: float | None, time_limit: float) -> float | None:
    """Berthold's primal integral: the integral of p(t) from 0 to `time_limit` (seconds of gap;
    divide by `time_limit` for the normalized value in [0, 1]). None without a reference."""
    if best is None:
        return None
    total, last_t, current = 0.0, 0.0, None
    for t, obj in incumbents(trace):
        t = min(max(t, 0.0), time_limit)
        total += primal_gap_function(current, best) * (t - last_t)
        last_t, current = t, obj
    return total + primal_gap_function(current, best) * (time_limit - last_t)


def shifted_geomean(values: Iterable[float], shift: float = 10.0) -> float | None:
    """exp(mean(log(v + shift))) - shift: a mean of times that neither ignores small ones
    nor lets one huge value dominate. None for no values."""
    logs = [math.log(v + shift) for v in values]
    return math.exp(sum(logs) / len(logs)) - shift if logs else None


def performance_ratios(table: Mapping[Any, Mapping[str, float | None]]) -> dict[str, list[float]]:
    """Per solver, its value on each instance divided by the best (smallest) value any solver
    had there; a missing value (failure) is inf. `table` is instance (any key, e.g. (instance,
    repeat)) -> solver -> value."""
    solvers = sorted({s for row in table.values() for s in row})
    ratios: dict[str, list[float]] = {s: [] for s in solvers}
    for row in table.values():
        finite = [v for v in row.values() if v is not None and math.isfinite(v)]
        best = min(finite, default=None)
        for s in solvers:
            v = row.get(s)
            if v is None or best is None or not math.isfinite(v):
                ratios[s].append(math.inf)
            elif best <= 0:
                ratios[s].append(1.0 if v <= best else math.inf)
            else:
                ratios[s].append(v / best)
    return ratios


def performance_profile(ratios: Sequence[float], taus: Iterable[float]) -> list[float]:
    """Dolan-More profile: the fraction of instances whose ratio is at most each tau."""
    n = len(ratios)
    return [sum(r <= tau for r in ratios) / n if n else 0.0 for tau in taus]


def answer_cost(proof: float | None, claim: float | None, reach: float | None, time_limit: float) -> float:
    """What a run's answer costs its user, in seconds (PAR-10 with proof first), by the first
    of: the time to a certified answer (`proof`: its optimality, infeasibility or unboundedness
    proven, cross-check included); the limit plus the time to an answer only claimed optimal
    (`claim`: the reference reached, no proof); twice the limit plus the time an unclaimed answer
    reached the reference (`reach`: the run goes on to the limit); 10 x the limit. So any proof
    within the limit ranks before any claim, and a claim before an answer that ran out the limit:
    HiGHS finds strongly_500's optimum in 0.04 s and never proves it, knapsack-dp proves it in 0.2 s."""
    if proof is not None and proof <= time_limit:
        return proof
    if claim is not None and claim <= time_limit:
        return time_limit + claim
    if reach is not None and reach <= time_limit:
        return 2.0 * time_limit + reach
    return 10.0 * time_limit


#: COCO's standard precision targets f - f_opt: 10^2 down to 10^-8, five per decade (51)
COCO_TARGETS = tuple(10.0 ** (2.0 - k / 5.0) for k in range(51))


def first_hits(improvements: Iterable[tuple[int, float]], targets: Sequence[float] = COCO_TARGETS) -> list[int | None]:
    """Per target, the number of calls after which the precision (f - f_opt of the best point
    so far) was first at most the target, or None if never; `improvements` are (calls,
    precision) pairs in calling order."""
    hits: list[int | None] = [None] * len(targets)
    for calls, precision in improvements:
        for i, target in enumerate(targets):
            if hits[i] is None and precision <= target:
                hits[i] = calls
    return hits


def ecdf(runs: Iterable[tuple[int, Sequence[int | None]]], per_dimension: Iterable[float]) -> list[float]:
    """COCO's aggregated ECDF: for each budget of calls per dimension, the fraction of (run,
    target) pairs reached within it; a run is (dimension, its `first_hits`)."""
    pairs = _per_dimension(runs)
    return [sum(p <= b for p in pairs) / len(pairs) if pairs else 0.0 for b in per_dimension]


def ecdf_area(runs: Iterable[tuple[int, Sequence[int | None]]], max_per_dimension: float) -> float:
    """The area under the ECDF over log10(calls / dimension) from 0 to log10(`max_per_dimension`),
    divided by that width: 1 when every target is reached with the first call per dimension,
    0 when none is reached within the budget (a pair reached at c calls per dimension adds
    1 - log10(max(c, 1)) / log10(max), averaged over all pairs)."""
    width = math.log10(max_per_dimension)
    terms = [0.0 if p > max_per_dimension else 1.0 - math.log10(max(p, 1.0)) / width for p in _per_dimension(runs)]
    return sum(terms) / len(terms) if terms else 0.0


def expected_running_time(runs: Iterable[tuple[int, int | None]]) -> float:
    """COCO's expected running time (ERT) of one function to one target over its runs (instances
    or repeats), each (calls it spent, calls when it first reached the target or None): the calls
    of all runs, each counted until its hit or to its end, over the runs that hit; infinity
    when none did (Hansen et al., COCO: Performance Assessment, 2016)."""
    total, hits = 0, 0
    for spent, hit in runs:
        total += spent if hit is None else hit
        hits += hit is not None
    return total / hits if hits else math.inf


def _per_dimension(runs: Iterable[tuple[int, Sequence[int | None]]]) -> list[float]:
    """Every (run, target) pair's calls per dimension when first reached, infinity if never."""
    return [calls / dim if calls is not None else math.inf for dim, hits in runs for calls in hits]
