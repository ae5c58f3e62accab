"""`auto` races the two leaders instead of betting when the call is close or a prover was put
before the selector's heuristic, and there are cores for both (issue: a selector that
generalizes); otherwise it runs its first choice alone."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from omnisolve import api
from omnisolve.portfolio import choice as choice_module
from omnisolve.portfolio.choice import Choice, worth_racing
from omnisolve.result import Result, Status

DATA = Path(__file__).resolve().parents[1] / "src" / "omnisolve" / "data"


class Model:
    """A selector whose solvers are all predicted to take `seconds` (log10-normal, no spread);
    `provers` proved answers in training (default: all of them)."""

    time_limit = 5.0

    def __init__(self, seconds: float, provers: tuple[str, ...] = ("a", "b", "c"), class_best: str | None = None):
        self.mu, self._provers = math.log10(seconds), list(provers)
        self.info = {"class_best": {"k": class_best}} if class_best else {}

    def predict(self, cls, feats, solvers):
        return {s: (self.mu, 0.0) for s in solvers}

    def provers(self, cls):
        return self._provers


@pytest.mark.parametrize(
    "seconds, priors, proof_first, limit, expected",
    [
        (30.0, [0.5, 0.45], False, 10.0, ["a", "b"]),  # close call: race
        (30.0, [0.5, 0.35], False, 10.0, []),  # a clear leader: bet on it
        (30.0, [0.5, 0.1], True, 10.0, ["a", "b"]),  # the prover runs beside the heuristic
        (0.5, [0.5, 0.45], True, 10.0, []),  # the leader should be done in 5 % of the limit
        (30.0, [0.5, 0.45], False, 1.0, []),  # too short for racers to start
        (30.0, [0.5, 0.45], False, None, ["a", "b"]),  # no limit: the selector's own
    ],
)
def test_worth_racing(seconds, priors, proof_first, limit, expected):
    assert worth_racing(Model(seconds), "c", {}, ["a", "b", "c"], priors, proof_first, limit) == expected
    assert worth_racing(Model(seconds), "c", {}, ["a"], priors[:1], proof_first, limit) == []


@pytest.mark.parametrize("seconds", [0.5, 30.0])
def test_a_leader_that_displaced_the_class_best_races_it(seconds):
    """Even a leader expected within 5 % of the limit (HiGHS on a knapsack family it never saw)
    races the class's best in training (knapsack-dp); a limit too short for racers still bets."""
    model = Model(seconds, class_best="c")
    assert worth_racing(model, "k", {}, ["a", "b", "c"], [0.5, 0.1, 0.1], False, 10.0) == ["a", "c"]
    assert worth_racing(model, "k", {}, ["c", "b", "a"], [0.5, 0.1, 0.1], False, 10.0) == []  # the safe bet leads
    assert worth_racing(model, "k", {}, ["a", "b", "c"], [0.5, 0.1, 0.1], False, 1.0) == []


@pytest.mark.parametrize(
    "seconds, provers, expected",
    [
        (30.0, ("a", "b"), ["a", "c"]),  # a prover leads: the best heuristic races beside it
        (8.0, ("c",), ["a", "c"]),  # a heuristic leads: the prover races, its median proof fits 10 s
        (30.0, ("c",), []),  # ... but not a prover not expected to prove within the limit
        (30.0, (), []),  # heuristics only: the close-call rule (a clear leader here)
    ],
)
def test_a_prover_and_a_heuristic_race_as_bets_of_different_kinds(seconds, provers, expected):
    """Even with a clear leader (priors 0.5 against 0.1), auto races it beside the best solver
    of the other kind when that is worth a thread."""
    assert worth_racing(Model(seconds, provers), "k", {}, ["a", "b", "c"], [0.5, 0.1, 0.1], False, 10.0) == expected


@pytest.fixture
def runs(monkeypatch) -> dict:
    """A choice with contenders; record whether `api.solve` raced them or ran one backend."""
    got: dict = {}

    def choose(*args, **kwargs):
        return Choice(["highs", "scip", "milp-alns"], "selector", "mip", {}, [0.5, 0.45, 0.1], ["highs", "scip"])

    def race(data, racers, **kwargs):
        got.update(raced=list(racers), threads=kwargs["threads"])
        return Result(Status.ERROR, message="recorded")

    def solve_with(data, backend, limits, on_incumbent):
        got.update(alone=backend.name, threads=limits.threads)
        return Result(Status.ERROR, message="recorded")

    monkeypatch.setattr(choice_module, "choose", choose)
    monkeypatch.setattr("omnisolve.portfolio.race.race", race)
    monkeypatch.setattr(api, "_solve_with", solve_with)
    return got


def test_auto_races_the_contenders_with_two_cores(runs):
    result = api.solve(DATA / "afiro.mps", time_limit=10, threads=2, cross_check="off")
    assert runs == {"raced": ["highs", "scip"], "threads": 2}
    assert result.extra["selection"]["method"] == "selector+race"


def test_auto_bets_on_the_first_with_one_core(runs):
    result = api.solve(DATA / "afiro.mps", time_limit=10, threads=1, cross_check="off")
    assert runs == {"alone": "highs", "threads": 1}
    assert result.extra["selection"]["method"] == "selector"


def test_race_takes_the_ranking_not_only_the_contenders(runs):
    api.solve(DATA / "afiro.mps", solver="race", time_limit=10, threads=3, cross_check="off")
    assert runs["raced"] == ["highs", "scip", "milp-alns"]
