"""Which solvers to use on a problem: the learned selector's ranking (expected utility when the
user states a value of time), the rule-based order of `portfolio.rules` when the selector knows
nothing about the class, then the history's bandit on top."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable

from omnisolve.errors import UnsupportedError
from omnisolve.portfolio.utility import Utility
from omnisolve.problems import Problem

if TYPE_CHECKING:
    from omnisolve.portfolio.history import History

RULE_PRIORS = (0.6, 0.4)  # prior rewards of the rules' first choice and of the others
CLOSE = 0.8  # the runner-up's expected reward at least this share of the leader's: a close call
QUICK = 0.1  # a leader expected to finish within this share of the time limit needs no rival
RACE_FROM_SECONDS = 2.0  # below this limit, racers' start-up would eat the budget
# seconds a race of two takes to start its racers' processes beyond a solve in this process,
# in a fresh process whose zygote (processes/zygote.py) starts with the race (measured on 2
# cores: 0.4-0.7 s for knapsacks, TSPs and job shops solved in 0.01-0.3 s alone) ...
RACE_STARTUP = 0.5
# ... and once the zygote has its libraries: after a head start, or in a process that has raced
# before (0.10-0.15 s measured on 2 cores for a race of two on a 100-item knapsack)
WARM_STARTUP = 0.15
# a leader likely to finish within this many seconds runs alone first (`head_start`)
HEAD_START = 1.0


@dataclass
class Choice:
    """Solvers best first, how they were ranked, and the instance's class and features."""

    ranked: list[str]
    method: str  # "selector", "rules", plus "+history" when the bandit reordered them
    cls: str
    features: dict[str, float]
    priors: list[float] = field(default_factory=list)
    contenders: list[str] = field(default_factory=list)  # race these, given the cores, rather than bet
    head_start: float = 0.0  # seconds the leader runs alone before the contenders race (0: at once)


def supported(problem: Problem, names: list[str]) -> list[str]:
    """The installed backends among `names` that accept `problem`, in order."""
    from omnisolve.solvers import registry

    out = []
    for name in dict.fromkeys(names):
        try:
            backend = registry.get(name)
        except UnsupportedError:
            continue
        if backend.available() and backend.supports(problem):
            out.append(name)
    return out


def choose(
    problem: Problem,
    utility: Utility | None = None,
    history: History | str | os.PathLike | None = None,
    selector: Any = "default",
    time_limit: float | None = None,
) -> Choice:
    """Rank the backends for `problem` (to run for `time_limit` seconds, None: unknown), the
    run `history` (a `History`, a path or a URL; None: none) reordering them;
    UnsupportedError when none accepts it."""
    from omnisolve.portfolio.features import features, problem_class
    from omnisolve.portfolio.rules import beyond_selector, preferences
    from omnisolve.portfolio.rules import choose as rule_choice
    from omnisolve.portfolio.selector import default_selector

    cls, feats = problem_class(problem), features(problem)
    model = default_selector(time_limit) if selector == "default" else selector
    if beyond_selector(problem):
        model = None
    ranked: list[str] = []
    priors: list[float] = []
    contenders: list[str] = []
    start = 0.0
    rules = supported(problem, preferences(problem))
    if model is not None:
        learned = supported(problem, model.rank(cls, feats, model.candidates(cls), utility))
        ranked, priors, contenders = selector_choice(model, cls, feats, learned, rules, time_limit)
        start = head_start(model, cls, feats, contenders)
    method = "selector" if ranked else "rules"
    if not ranked:
        ranked = rules
        if not ranked:
            rule_choice(problem)  # raises the UnsupportedError listing every backend's reason
        priors = [RULE_PRIORS[0]] + [RULE_PRIORS[1]] * (len(ranked) - 1)
    if history is not None:
        from omnisolve.portfolio.history import History, adjust

        runs = History.get_storage(history).rewards(cls)
        if runs:
            reordered = adjust(ranked, priors, runs)
            method += "+history" if reordered != ranked else ""
            priors = [priors[ranked.index(s)] for s in reordered]
            ranked = reordered
    return Choice(ranked, method, cls, feats, priors, contenders, start)


def selector_choice(
    model: Any, cls: str, feats: dict[str, float], learned: list[str], rules: list[str], time_limit: float | None
) -> tuple[list[str], list[float], list[str]]:
    """From the selector's ranking `learned`: the solvers best first (proof first, see
    `prefer_proof`), their prior rewards, and the two to race when the call is close."""
    ranked = prefer_proof(learned, rules, model.provers(cls), proof_in_reach(model, cls, feats, time_limit))
    if not ranked:
        return [], [], []
    priors = _selector_priors(model, cls, feats, ranked)
    return ranked, priors, worth_racing(model, cls, feats, ranked, priors, ranked != learned, time_limit)


def worth_racing(
    model: Any,
    cls: str,
    feats: dict[str, float],
    ranked: list[str],
    priors: list[float],
    proof_first: bool,
    time_limit: float | None,
) -> list[str]:
    """The leader and a rival, to run side by side when there are cores for both, or [] to bet
    on the leader. A leader that displaced the class's single best solver in training races it:
    on a family the forests never saw their prediction may be an extrapolation, and the class's
    best is the safe bet (HiGHS, predicted fast on a new knapsack family, never proves it;
    knapsack-dp does in a second). A prover and a heuristic make bets of different kinds (a proof
    that may not come in time, an answer that is never proven), so the leader races the best
    solver of the other kind (`other_kind`). Otherwise the two leaders race when the bet is a
    close call: the runner-up is expected to do nearly as well (`CLOSE`; this includes two
    heuristics neither of which is expected to prove anything, both rewards near 0), or a
    prover was put before the selector's heuristic (`prefer_proof`). Except for the first case, a leader
    expected to finish well within the limit (`QUICK`) is run alone; a limit too short for
    racers to start always is."""
    from omnisolve.portfolio.utility import expected_seconds

    budget = model.time_limit if time_limit is None else time_limit
    if len(ranked) < 2 or budget < RACE_FROM_SECONDS:
        return []
    safe = model.info.get("class_best", {}).get(cls)
    if safe in ranked[1:]:
        return [ranked[0], safe]
    lead = expected_seconds(*model.predict(cls, feats, [ranked[0]])[ranked[0]])
    if lead <= QUICK * budget:
        return []
    rival = other_kind(model, cls, feats, ranked, budget)
    if rival is not None:
        return [ranked[0], rival]
    return ranked[:2] if proof_first or priors[1] >= CLOSE * priors[0] else []


def head_start(model: Any, cls: str, feats: dict[str, float], contenders: list[str]) -> float:
    """HEAD_START when the race's leader is likely to finish within it alone: it runs alone
    first, and the race starts only if it has not answered by then; else 0, the race at once. A
    hit saves the race's start-up (a 50-item knapsack: 0.01 s alone, 0.5-1.7 s raced), a miss
    costs the head start less what the zygote, warmed during it, saves the race: worth it when
    the leader's predicted chance of a hit is at least that cost over the cost plus the saving,
    (HEAD_START + WARM_STARTUP - RACE_STARTUP) / (HEAD_START + WARM_STARTUP)."""
    from omnisolve.portfolio.utility import within

    if not contenders:
        return 0.0
    mu, sigma = model.predict(cls, feats, contenders[:1])[contenders[0]]
    hit = within(mu, sigma, HEAD_START)
    miss = HEAD_START + WARM_STARTUP - RACE_STARTUP
    return HEAD_START if hit >= miss / (miss + RACE_STARTUP) else 0.0


def other_kind(model: Any, cls: str, feats: dict[str, float], ranked: list[str], budget: float) -> str | None:
    """The best-ranked solver of the other kind than the leader: beside a prover (a solver
    that proved answers of the class in training), the best heuristic; beside a heuristic, the
    best prover whose predicted median time fits `budget` (a proof that is likely at all)."""
    provers = set(model.provers(cls))
    if ranked[0] in provers:
        return next((s for s in ranked[1:] if s not in provers), None)
    medians = model.predict(cls, feats, [s for s in ranked[1:] if s in provers])
    return next((s for s in ranked[1:] if s in medians and 10 ** medians[s][0] <= budget), None)


def prefer_proof(
    ranked: list[str], rules: list[str], provers: list[str], in_reach: Callable[[str], bool] = lambda solver: True
) -> list[str]:
    """The selector learns from short runs, where a fast heuristic (LKH on a 100-city TSP) can
    beat a solver that needs longer to prove the optimum. When the selector's first choice
    never proved an answer on the class but the rules' first choice did and a proof is `in_reach`
    for it, the rules' choice goes first: omnisolve prefers an answer it can certify as optimal."""
    if (
        ranked
        and rules
        and ranked[0] not in provers
        and rules[0] in provers
        and rules[0] in ranked
        and in_reach(rules[0])
    ):
        return [rules[0]] + [s for s in ranked if s != rules[0]]
    return ranked


def proof_in_reach(model: Any, cls: str, feats: dict[str, float], time_limit: float | None) -> Callable[[str], bool]:
    """Whether a solver can be expected to prove the answer within `time_limit`: the selector
    knows run times up to its training limit only, so beyond it (or when the limit is unknown)
    the rules decide; within it, the solver's predicted mean cost must fit."""
    from omnisolve.portfolio.utility import expected_seconds

    if time_limit is None or time_limit > model.time_limit:
        return lambda solver: True
    return lambda solver: expected_seconds(*model.predict(cls, feats, [solver])[solver]) <= time_limit


def _selector_priors(model: Any, cls: str, feats: dict[str, float], ranked: list[str]) -> list[float]:
    """Each solver's expected history reward under its predicted runtime distribution: value
    1 - t / (2 x limit) for an answer proven within the limit (see `history.reward`)."""
    from omnisolve.portfolio.utility import expected_utility

    pred = model.predict(cls, feats, ranked)
    linear = Utility("linear", 2 * model.time_limit)
    return [expected_utility(linear, mu, sigma, model.time_limit) for mu, sigma in (pred[s] for s in ranked)]
