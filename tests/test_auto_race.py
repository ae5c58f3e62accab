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


@pytest.mark.parametrize(
    "seconds, contenders, expected", [(0.05, ["a", "b"], 1.0), (5.0, ["a", "b"], 0.0), (0.05, [], 0.0)]
)
def test_a_leader_likely_done_within_the_head_start_runs_alone_first(seconds, contenders, expected):
    assert choice_module.head_start(Model(seconds), "k", {}, contenders) == expected
    assert choice_module.HEAD_START == 1.0  # the cases above straddle it


@pytest.fixture
def alone_first(monkeypatch) -> dict:
    """A choice whose leader has a head start; `got["first"]` is what the leader answers alone
    and `got["raced"]` the race's answer; record what ran, with which limits."""
    got: dict = {"calls": []}

    def choose(*args, **kwargs):
        return Choice(["highs", "scip"], "selector", "mip", {}, [0.5, 0.45], ["highs", "scip"], head_start=1.0)

    def race(data, racers, **kwargs):
        got["calls"].append(("race", list(racers), kwargs["time_limit"]))
        return got["raced"]

    def solve_with(data, backend, limits, on_incumbent):
        got["calls"].append(("alone", backend.name, limits.time))
        return got["first"]

    monkeypatch.setattr(choice_module, "choose", choose)
    monkeypatch.setattr("omnisolve.portfolio.race.race", race)
    monkeypatch.setattr(api, "_solve_with", solve_with)
    return got


def test_a_leader_that_answers_within_its_head_start_is_not_raced(alone_first):
    alone_first["first"] = Result(Status.OPTIMAL, objective=1.0, bound=1.0)
    result = api.solve(DATA / "afiro.mps", time_limit=10, threads=2, cross_check="off")
    assert alone_first["calls"] == [("alone", "highs", 1.0)]
    assert result.objective == 1.0 and result.extra["selection"]["method"] == "selector+alone first"


def test_a_leader_not_done_within_its_head_start_is_raced_in_the_time_left(alone_first):
    alone_first["first"] = Result(Status.FEASIBLE, objective=3.0)
    alone_first["raced"] = Result(Status.OPTIMAL, objective=2.0, bound=2.0)
    result = api.solve(DATA / "afiro.mps", time_limit=10, threads=2, cross_check="off")
    (_, alone, _), (kind, racers, seconds) = alone_first["calls"]  # the leader answered at once here
    assert alone == "highs" and kind == "race" and racers == ["highs", "scip"] and 9.0 < seconds < 10.0
    assert result.objective == 2.0 and result.extra["selection"]["method"] == "selector+alone first+race"
    alone_first["raced"] = Result(Status.TIME_LIMIT, message="nothing in time")  # the leader's answer stands
    assert api.solve(DATA / "afiro.mps", time_limit=10, threads=2, cross_check="off").objective == 3.0


def test_a_caller_s_stopping_criterion_races_at_once(alone_first):
    """The head start's end is not the caller's: with criteria of their own, no head start."""
    from omnisolve.limits import TargetObjective

    alone_first["raced"] = Result(Status.FEASIBLE, objective=2.0)
    api.solve(DATA / "afiro.mps", time_limit=10, threads=2, cross_check="off", stop=TargetObjective(5.0))
    assert [call[0] for call in alone_first["calls"]] == ["race"]


def test_two_runs_report_progress_as_one():
    """The leader's incumbents, then the race's: times from the solve's start, improvements only."""
    seen: list = []
    progress = api._one_progress(type("P", (), {"sense": "min"})(), lambda t, objective, bound: seen.append(objective))
    for objective in (10.0, 8.0, 9.0, 7.0):
        progress(0.0, objective, None)
    assert seen == [10.0, 8.0, 7.0]


def test_a_small_knapsack_on_two_cores_is_solved_alone_and_proven():
    """Real: the bundled 100-item knapsack, knapsack-dp likely done within its head start."""
    import omnisolve as om

    result = om.solve(DATA / "strongly_100.kp", time_limit=10, threads=2)
    assert result.extra["selection"]["method"] == "selector+alone first"
    assert result.objective == 31644 and result.certificate.optimality == "proven"
