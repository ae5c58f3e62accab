"""`omnisolve bench portfolio`: how well selection and racing do on recorded runs, judged on
instances the selector did not train on: leave-one-family-out (every family of instances —
kroA100 and kroB150 are both `tsp/kro` — held out in turn, the selector trained on all the
others; the default, since it asks whether the selector generalizes rather than memorizes), or
k-fold cross-validation over instances (all runs of an instance in the same fold).

Rows: every single solver, the single best solver (SBS: least cost over all instances), the
virtual best solver (VBS: per instance the best run, an oracle), `auto` (the selector trained
on the other folds picks one solver) and `race` (the selector's top-k, simulated from the
recorded runs, twice: k racers sharing one CPU, so a racer solves when k x its runtime is within
the limit; and one thread per racer (`--threads k`), so the race takes the fastest racer's time;
the race's gap is the best racer's; a race's answers come RACE_STARTUP seconds later than its
racers' own, the time its processes take to start in a fresh process, or WARM_STARTUP after a
head start, during which the zygote has loaded the solvers' libraries). A solver not run on an
instance (or refusing it) counts as unsolved: cost 10 x limit, gap 1. Gaps are fractions clipped to [0, 1]. A cost is
`metrics.answer_cost`: the time to a proof, else the limit plus the time to a claim, else twice
the limit plus the time to reach the reference. `auto, 2 cores` is what `auto` runs by default
on two cores: its pick, or the race `choice.worth_racing` calls (simulated, a thread each), after
the leader's head start alone where `choice.head_start` gives it one.
Instead of holding instances out, `held_apart` judges a selector trained on other runs.
"""

from __future__ import annotations

import csv
import re
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal, NotRequired, TypedDict

import numpy as np

from omnisolve.bench import metrics
from omnisolve.bench.dataset import PROVEN, Dataset, Sample
from omnisolve.bench.training import train
from omnisolve.errors import InputError
from omnisolve.model import Sense
from omnisolve.portfolio.choice import RACE_STARTUP, WARM_STARTUP, head_start, selector_choice
from omnisolve.portfolio.selector import MIN_SAMPLES, Selector

if TYPE_CHECKING:
    from omnisolve.bench.suites import Instance
    from omnisolve.result import Result

COLUMNS = ["method", "cost", "x VBS", "mean gap %", "solved", "instances"]

#: a row of the portfolio table: `COLUMNS`, and for `auto` and `race` the share of the SBS-VBS gap closed
Row = TypedDict(
    "Row",
    {
        "method": str,
        "cost": float,
        "x VBS": NotRequired[float | None],
        "mean gap %": float,
        "solved": int,
        "instances": int,
        "closed %": NotRequired[float | None],
    },
)
#: one real race of `real_races`
RaceRow = TypedDict(
    "RaceRow",
    {
        "instance": str,
        "racers": str,
        "winner": str,
        "status": str,
        "runtime": float,
        "cost": float,
        "VBS cost": float,
    },
)


@dataclass
class Pick:
    """What `auto` and `race` chose on one instance, from the fold that did not see it."""

    sample: Sample
    auto: str
    race: list[str]
    seconds: float  # selection time (features are precomputed; this is the prediction)
    contenders: list[str] = field(default_factory=list)  # what auto races with two cores ([]: it bets)
    head_start: float = 0.0  # seconds the first contender runs alone before the race (`choice.head_start`)


def family(sample: Sample) -> str:
    """The instance's family: its class and the letters its name starts with, a trailing
    capital after lower-case letters dropped (kroA100 -> tsp/kro, P-n55-k15 -> cvrp/P,
    setcover_2 -> mip/setcover, inverse_strongly_500 -> knapsack/inverse)."""
    letters = re.match(r"[A-Za-z]*", sample.instance).group()  # type: ignore[union-attr]  # `*` always matches
    return f"{sample.cls}/{re.sub(r'(?<=[a-z])[A-Z]$', '', letters) or sample.instance}"


def held_out_sets(data: Dataset, split: str = "family", folds: int = 5, seed: int = 0) -> list[list[int]]:
    """Indices of `data.samples` held out together: one set per family ("family"), or
    `folds` random folds over instances ("random")."""
    if split == "family":
        groups: dict[str, list[int]] = {}
        for i, s in enumerate(data.samples):
            groups.setdefault(family(s), []).append(i)
        return list(groups.values())
    if split == "random":
        order = np.random.default_rng(seed).permutation(len(data.samples))
        return [sorted(order[k::folds].tolist()) for k in range(folds)]
    raise ValueError(f"split must be family or random, not {split!r}")


def cross_validate(data: Dataset, folds: int = 5, race_k: int = 2, seed: int = 0, split: str = "random") -> list[Pick]:
    """Train without each held-out set (`held_out_sets`), pick on it; every instance is held
    out once."""
    picks = []
    for held_out in held_out_sets(data, split, folds, seed):
        held = [data.samples[i] for i in held_out]
        kept = [s for i, s in enumerate(data.samples) if i not in set(held_out)]
        fallback = single_best(kept, data.solvers, data.time_limit)
        if len(kept) < MIN_SAMPLES:  # too little left to learn from: the single best of what is
            picks += [Pick(s, fallback, [fallback], 0.0) for s in held]
            continue
        selector = train(Dataset(kept, data.solvers, data.time_limit), seed=seed)
        picks += [pick(selector, s, data.time_limit, fallback, race_k) for s in held]
    return picks


def held_apart(data: Dataset, selector: Selector, race_k: int = 2) -> list[Pick]:
    """The picks of a selector trained elsewhere (on the training suite) on `data`'s instances,
    which it never saw: no retraining, the honest test of whether it generalizes."""
    fallback = single_best(data.samples, data.solvers, data.time_limit)
    return [pick(selector, s, data.time_limit, fallback, race_k) for s in data.samples]


def pick(selector: Selector, s: Sample, limit: float, fallback: str, race_k: int = 2) -> Pick:
    """What `auto` does on `s` (`choice.selector_choice`: the selector's ranking, proof first,
    and the two it races on a close call when it has the cores), and the top-`race_k` to race;
    `fallback` when it ranks none of the solvers run on `s`."""
    t = time.perf_counter()
    installed = [solver for solver in s.cost if solver not in s.refused]  # as `choice.supported` filters them
    learned = selector.rank(s.cls, s.features, installed)
    ranked, _, contenders = selector_choice(selector, s.cls, s.features, learned, s.rules, limit)
    start = head_start(selector, s.cls, s.features, contenders)
    racers = selector.schedule(s.cls, s.features, race_k, installed) or (ranked or [fallback])[:1]
    return Pick(s, (ranked or [fallback])[0], racers, time.perf_counter() - t, contenders, start)


def per_class(data: Dataset, picks: list[Pick], by_family: bool = False) -> list[dict[str, object]]:
    """Per problem class (or per family): auto's cost against the virtual best (an oracle per
    instance) and the group's single best solver, as ratios (the bar: auto <= 1.1 x VBS and
    <= 0.5 x SBS); "VBS / SBS" is the best any choice could do against the SBS, so where it is
    above 0.5 no selector can meet the second bar."""
    limit, rows = data.time_limit, []
    group = family if by_family else (lambda s: s.cls)
    for key in sorted({group(p.sample) for p in picks}):
        mine = [p for p in picks if group(p.sample) == key]
        samples = [p.sample for p in mine]
        solvers = sorted({solver for s in samples for solver in s.cost})
        sbs = single_best(samples, solvers, limit)
        auto = statistics.fmean(_cost(p.sample, p.auto, limit) for p in mine)
        paired = statistics.fmean(two_cores(p, limit)[0] for p in mine)
        vbs = statistics.fmean(min(s.cost.values()) for s in samples)
        sbs_cost = statistics.fmean(_cost(s, sbs, limit) for s in samples)
        rows.append(
            {
                "family" if by_family else "class": key,
                "instances": len(mine),
                **({} if by_family else {"families": len({family(s) for s in samples})}),
                "auto cost": auto,
                "VBS cost": vbs,
                "SBS": sbs,
                "SBS cost": sbs_cost,
                "auto / VBS": auto / vbs if vbs else None,
                "auto / SBS": auto / sbs_cost if sbs_cost else None,
                "2 cores / VBS": paired / vbs if vbs else None,
                "2 cores / SBS": paired / sbs_cost if sbs_cost else None,
                "VBS / SBS": vbs / sbs_cost if sbs_cost else None,
            }
        )
    return rows


def bars(groups: list[dict[str, object]]) -> str:
    """The issue's two bars over per-class or per-family rows (`per_class`), auto on two cores,
    in words: how many groups are within 1.1 x VBS, and how many of those where 0.5 x SBS is
    within reach (VBS <= 0.5 x SBS) meet it."""

    def ratio(row: dict[str, object], key: str) -> float:
        value = row[key]
        return float(value) if isinstance(value, (int, float)) else 1.0  # a group of zero cost: met

    near = sum(ratio(r, "2 cores / VBS") <= 1.1 for r in groups)
    reachable = [r for r in groups if ratio(r, "VBS / SBS") <= 0.5]
    halved = sum(ratio(r, "2 cores / SBS") <= 0.5 for r in reachable)
    return (
        f"Auto on two cores is within 1.1 x VBS in {near} of {len(groups)}; 0.5 x SBS is within reach "
        f"(VBS <= 0.5 x SBS) in {len(reachable)}, and auto meets it in {halved} of them."
    )


def two_cores(p: Pick, limit: float) -> tuple[float, float]:
    """(cost, gap) of `auto` given two cores: it races its contenders, a thread each (simulated
    from their one-thread runs), after the first one's head start alone if it has one, or runs
    its pick alone (as recorded, on one thread)."""
    if p.contenders:
        return race_outcome(p.sample, p.contenders, limit, 1.0, p.head_start)
    return _cost(p.sample, p.auto, limit), _gap(p.sample, p.auto)


def _cost(s: Sample, solver: str, limit: float) -> float:
    return s.cost.get(solver, 10 * limit)


def _gap(s: Sample, solver: str) -> float:
    return s.gap.get(solver, 1.0)


def single_best(samples: list[Sample], solvers: list[str], limit: float) -> str:
    return min(solvers, key=lambda solver: sum(_cost(s, solver, limit) for s in samples))


def race_outcome(
    s: Sample, racers: list[str], limit: float, slowdown: float | None = None, alone: float = 0.0
) -> tuple[float, float]:
    """(cost, gap) of racing `racers`, each running `slowdown` times slower than alone (default:
    the number of racers, i.e. they share one CPU; 1: one thread each), their answers RACE_STARTUP
    later (WARM_STARTUP after a head start): per repeat, the race's answer is the first proof or
    claim, whichever comes first (a claimed optimum ends the race, as `portfolio.race` does), else
    the first answer to reach the reference (`metrics.answer_cost`).
    With `alone` seconds of head start, the first racer's proof or claim within them is the
    answer; else the race starts after them."""
    k = len(racers) if slowdown is None else slowdown
    runs = [s.times[r] for r in racers if r in s.times]
    lead = s.times.get(racers[0], [(None, None, None)])
    costs, gaps = [], []
    for i in range(max((len(r) for r in runs), default=1)):
        repeat = [r[i % len(r)] for r in runs]
        first = lead[i % len(lead)]
        if alone and any(t is not None and t <= alone for t in first[:2]):
            costs.append(metrics.answer_cost(*first, limit))
            gaps.append(_gap(s, racers[0]))
            continue
        delay = alone + WARM_STARTUP if alone else RACE_STARTUP
        proof, claim, reach = (_first([t[j] for t in repeat], k, delay) for j in range(3))
        if claim is not None and (proof is None or claim < proof):
            proof = None  # a claimed optimum ends the race (`portfolio.race`): a later proof comes too late
        costs.append(metrics.answer_cost(proof, claim, reach, limit))
        gaps.append(min(_gap(s, r) for r in racers))
    return statistics.fmean(costs), statistics.fmean(gaps)


def _first(times: list[float | None], slowdown: float, delay: float = 0.0) -> float | None:
    """The earliest of `times` (None: never) at `slowdown` times slower, `delay` later."""
    known = [t * slowdown + delay for t in times if t is not None]
    return min(known) if known else None


def table(data: Dataset, picks: list[Pick]) -> list[Row]:
    """The rows described in the module docstring, plus the share of the SBS-VBS gap closed."""
    limit, samples = data.time_limit, [p.sample for p in picks]

    def row(method: str, costs: list[float], gaps: list[float]) -> Row:
        return {
            "method": method,
            "cost": statistics.fmean(costs),
            "mean gap %": 100 * statistics.fmean(gaps),
            "solved": sum(c < 10 * limit for c in costs),
            "instances": len(costs),
        }

    rows = [
        row(solver, [_cost(s, solver, limit) for s in samples], [_gap(s, solver) for s in samples])
        for solver in data.solvers
    ]
    sbs = single_best(samples, data.solvers, limit)
    rows.append({**next(r for r in rows if r["method"] == sbs), "method": f"SBS ({sbs})"})
    rows.append(row("VBS (oracle)", [min(s.cost.values()) for s in samples], [min(s.gap.values()) for s in samples]))
    rows.append(
        row(
            "auto (selector, held out)",
            [_cost(p.sample, p.auto, limit) for p in picks],
            [_gap(p.sample, p.auto) for p in picks],
        )
    )
    paired = [two_cores(p, limit) for p in picks]
    rows.append(row("auto, 2 cores (races close calls, simulated, held out)", *map(list, zip(*paired))))
    for label, slowdown in (("1 CPU shared", None), ("1 thread each", 1.0)):
        raced = [race_outcome(p.sample, p.race, limit, slowdown) for p in picks]
        rows.append(row(f"race (top-2, {label}, simulated, held out)", [c for c, _ in raced], [g for _, g in raced]))
    vbs = next(r["cost"] for r in rows if r["method"].startswith("VBS"))
    sbs_cost = next(r["cost"] for r in rows if r["method"].startswith("SBS"))
    for r in rows:
        r["x VBS"] = r["cost"] / vbs if vbs else None
        if r["method"].startswith(("auto", "race")):
            r["closed %"] = 100 * (sbs_cost - r["cost"]) / (sbs_cost - vbs) if sbs_cost != vbs else None
    return rows


def split_text(data: Dataset, split: str, folds: int) -> str:
    """How the instances were held out, in words."""
    if split == "family":
        return f"leave-one-family-out ({len({family(s) for s in data.samples})} families)"
    return f"{folds}-fold cross-validation over instances"


def markdown(rows: list[Row], data: Dataset, picks: list[Pick], how: str) -> str:
    cols = COLUMNS + ["closed %"]
    lines = [
        f"{len(picks)} instances, {len(data.solvers)} solvers, time limit {data.time_limit:g} s, {how}.",
        "",
        "| " + " | ".join(cols) + " |",
        "|" + "---|" * len(cols),
    ]
    lines += ["| " + " | ".join(_fmt(r.get(c)) for c in cols) + " |" for r in rows]
    for by_family, title in ((False, "Per class"), (True, "Per family")):
        groups = per_class(data, picks, by_family)
        cols = list(groups[0]) if groups else []
        lines += ["", f"{title} (auto as held out, on one core and on two; SBS: the group's single best solver):", ""]
        lines += ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
        lines += ["| " + " | ".join(_fmt(r[c]) for c in cols) + " |" for r in groups]
        lines += ["", bars(groups)] if groups else []
    overhead = [1000 * p.seconds for p in picks]
    feats = [1000 * p.sample.feature_seconds for p in picks]
    lines += [
        "",
        f"selection (prediction) time per instance: mean {statistics.fmean(overhead):.2f} ms, "
        f"max {max(overhead):.2f} ms; features: mean {statistics.fmean(feats):.2f} ms, max {max(feats):.2f} ms.",
    ]
    return "\n".join(lines) + "\n"


def write(rows: list[Row], picks: list[Pick], data: Dataset, how: str, out: Path) -> str:
    """portfolio.md, portfolio.csv and picks.csv (per instance: class, family, auto's pick, what
    auto runs on two cores and its cost, the top-2 race, the VBS) into `out`."""
    out.mkdir(parents=True, exist_ok=True)
    text = markdown(rows, data, picks, how)
    (out / "portfolio.md").write_text(text)
    cols = COLUMNS + ["closed %"]
    with (out / "portfolio.csv").open("w", newline="") as fh:
        w = csv.DictWriter(fh, cols)
        w.writeheader()
        w.writerows({c: r.get(c) for c in cols} for r in rows)
    with (out / "picks.csv").open("w", newline="") as fh:
        pw = csv.writer(fh)
        pw.writerow(
            [
                "suite",
                "instance",
                "class",
                "family",
                "auto",
                "auto_2_cores",
                "race",
                "vbs",
                "auto_cost",
                "auto_2_cores_cost",
                "vbs_cost",
                "feature_ms",
                "select_ms",
            ]
        )
        for p in picks:
            vbs = min(p.sample.cost, key=p.sample.cost.__getitem__)
            pw.writerow(
                [
                    p.sample.suite,
                    p.sample.instance,
                    p.sample.cls,
                    family(p.sample),
                    p.auto,
                    " ".join(p.contenders or [p.auto]),
                    " ".join(p.race),
                    vbs,
                    f"{_cost(p.sample, p.auto, data.time_limit):.3f}",
                    f"{two_cores(p, data.time_limit)[0]:.3f}",
                    f"{p.sample.cost[vbs]:.3f}",
                    f"{1000 * p.sample.feature_seconds:.3f}",
                    f"{1000 * p.seconds:.3f}",
                ]
            )
    return text


def _fmt(value: object) -> str:
    if value is None:
        return "-"
    return f"{value:.3g}" if isinstance(value, float) else str(value)


def real_races(picks: list[Pick], limit: float, per_class: int, data: Path | None = None) -> list[RaceRow]:
    """Race each pick's top-2 for real (one thread each) on the first `per_class` instances of
    every class; per race: instance, racers, winner, runtime, cost and the recorded VBS cost."""
    from omnisolve.bench.mixed_suite import instance
    from omnisolve.bench.worker import load
    from omnisolve.portfolio.race import race

    rows: list[RaceRow] = []
    seen: dict[str, int] = {}
    for p in picks:
        s = p.sample
        seen[s.cls] = seen.get(s.cls, 0) + 1
        if seen[s.cls] > per_class:
            continue
        inst = instance(s.suite, s.instance, data)
        problem = load({"path": str(inst.path), "num_vehicles": inst.num_vehicles})
        result = race(problem, p.race, time_limit=limit, threads=len(p.race))
        rows.append(
            {
                "instance": s.key,
                "racers": " ".join(p.race),
                "winner": result.extra["race"]["winner"],
                "status": result.status.value,
                "runtime": result.runtime,
                "cost": _race_cost(result, inst, getattr(problem, "sense", Sense.MIN), limit),
                "VBS cost": min(s.cost.values()),
            }
        )
    return rows


def _race_cost(result: Result, inst: Instance, sense: str, limit: float) -> float:
    """Like the bench harness, `metrics.answer_cost` of the race: its certified (else claimed)
    optimum or expected infeasible/unbounded status at its runtime, else the time its incumbent
    first reached the reference."""
    from omnisolve.result import Optimality

    trace = list(result.trace) + ([(result.runtime, result.objective, None)] if result.objective is not None else [])
    if inst.expected_status is not None:
        reached = result.runtime if result.status.value == inst.expected_status else None
    else:
        reached = metrics.time_to_target(trace, inst.best_known, sense, 1e-6)
    if reached is None or result.status.value not in PROVEN:
        return metrics.answer_cost(None, None, reached, limit)
    proven = result.certificate is not None and result.certificate.optimality == Optimality.PROVEN
    return metrics.answer_cost(result.runtime if proven else None, None if proven else result.runtime, reached, limit)


def evaluate_runs(
    runs: list[Path],
    out: Path,
    folds: int = 5,
    suite: str | None = None,
    time_limit: float | None = None,
    data: Path | None = None,
    races: int = 0,
    split: str = "family",
    selector: Selector | Literal["shipped"] | None = None,
) -> str:
    """Read runs, hold instances out by `split` ("family" or "random" folds) — or, given a
    `selector` trained on other runs ("shipped": the package's, trained nearest the runs' limit),
    judge its picks on these held-apart instances — write the report into `out` (plus `races`
    real races per class into races.csv); returns the markdown."""
    from omnisolve.bench.dataset import read_runs
    from omnisolve.portfolio.selector import default_selector

    dataset = read_runs(runs, suite, time_limit, data)
    if selector == "shipped":
        selector = default_selector(dataset.time_limit)
        if selector is None:
            raise InputError("no selector shipped; train one with `omnisolve portfolio train`")
    if not isinstance(selector, Selector):
        picks, how = cross_validate(dataset, folds, split=split), split_text(dataset, split, folds)
    else:
        picks = held_apart(dataset, selector)
        how = (
            f"held apart: a selector trained at {selector.time_limit:g} s on "
            f"{selector.info.get('instances', '?')} other instances, never on these"
        )
    text = write(table(dataset, picks), picks, dataset, how, out)
    if races:
        rows = real_races(picks, dataset.time_limit, races, data)
        with (out / "races.csv").open("w", newline="") as fh:
            w = csv.DictWriter(fh, list(rows[0]))
            w.writeheader()
            w.writerows(rows)
        text += (
            f"\nreal races (top-2, one thread each, {len(rows)} instances): cost "
            f"{statistics.fmean(r['cost'] for r in rows):.3g} "
            f"vs VBS {statistics.fmean(r['VBS cost'] for r in rows):.3g}"
            f" on the same instances (races.csv).\n"
        )
        (out / "portfolio.md").write_text(text)
    return text
