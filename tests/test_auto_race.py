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
    """A selector whose leader is predicted to take `seconds` (log10-normal, no spread)."""

    time_limit = 5.0

    def __init__(self, seconds: float):
        self.mu = math.log10(seconds)

    def predict(self, cls, feats, solvers):
        return {s: (self.mu, 0.0) for s in solvers}


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
