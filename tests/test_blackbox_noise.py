"""Noise as a feature of `method="auto"` (`blackbox.probe`): the repeated first point tells a
noisy f from a deterministic one, the choice follows, the call is counted in the budget, the
answer says when its value is one noisy sample; `noisy=` given by the caller skips the probe;
NGOpt is told; the learned chooser keeps noisy runs apart."""

from __future__ import annotations

import numpy as np
import pytest

import omnisolve as om
from omnisolve.blackbox import probe
from omnisolve.blackbox.auto import Features, choose
from omnisolve.blackbox.backend import Setup
from omnisolve.blackbox.methods import make
from omnisolve.blackbox.probe import MIN_BUDGET, REPEATS


@pytest.fixture
def noise_matters(monkeypatch):
    """A choice that depends on noise (the shipped record picks COBYQA either way): cma for a
    noisy f, auto's own choice otherwise."""

    def choose_by_noise(f: Features) -> tuple[str, str]:
        return ("cma", "noisy: cma") if f.noisy else choose(f)

    monkeypatch.setattr(probe, "choose", choose_by_noise)


class Counted:
    """sphere around 0.3, with Gaussian noise of `sigma`; keeps every point it was called at."""

    def __init__(self, sigma: float = 0.0, fail_first: bool = False):
        self.rng = np.random.default_rng(7)
        self.sigma, self.fail_first = sigma, fail_first
        self.points: list[np.ndarray] = []

    def __call__(self, x: np.ndarray) -> float:
        self.points.append(x.copy())
        if self.fail_first and len(self.points) == 1:
            raise RuntimeError("simulator down")
        return float(np.sum((x - 0.3) ** 2) + self.sigma * self.rng.standard_normal())


def test_a_deterministic_function_is_found_so_and_auto_chooses_as_without_noise(noise_matters):
    f = Counted()
    result = om.minimize(f, [(-1, 1)] * 3, budget=150)
    assert np.array_equal(f.points[0], f.points[1]) and np.allclose(f.points[0], 0.0)  # the middle of the box, twice
    assert result.extra["noise"] == {"noisy": False, "repeated_values": [0.27, 0.27]}
    assert result.extra["method"] == choose(Features(3, 150, 1, False, 0.0, noisy=False))[0]
    assert result.extra["rule"].startswith("f repeated its value at one point (0.27, 0.27); ")
    assert len(f.points) == result.extra["calls"] <= 150 and result.objective < 1e-6
    assert "noisy" not in result.message
    # cobyqa starts from the middle too: it is told the known value, not called there a third time
    assert result.extra["method"] == "cobyqa" and sum(np.allclose(p, 0.0) for p in f.points) == 2


def test_a_noisy_function_is_found_so_chosen_for_and_its_answer_says_so(noise_matters):
    f = Counted(sigma=0.01)
    result = om.minimize(f, [(-1, 1)] * 3, budget=150, x0=[0.5, 0.5, 0.5])
    assert np.allclose(f.points[0], 0.5) and np.allclose(f.points[1], 0.5)  # x0 is the probe's point
    noise = result.extra["noise"]
    assert noise["noisy"] and noise["repeated_values"][0] != noise["repeated_values"][1]
    assert result.extra["method"] == "cma" and result.extra["rule"].startswith("f varied at one point (")
    assert "f is noisy: its value there is one noisy sample" in result.message
    assert len(f.points) <= 150 and result.status == om.Status.FEASIBLE
    assert float(np.sum((result.values - 0.3) ** 2)) < 0.05  # near the true minimum despite the noise


@pytest.mark.parametrize(
    "kwargs",
    [
        {"noisy": True},  # the caller knows
        {"noisy": False},
        {"budget": MIN_BUDGET - 1},  # too small to spend a call on it
        {"integer": [True, False]},  # rules 2-3 pick methods that take no noise into account
    ],
)
def test_no_probe_where_it_cannot_change_what_runs(kwargs, noise_matters):
    args = {"budget": 60, **kwargs}
    result = om.minimize(Counted(0.01), [(-1, 1)] * 2, **args)
    assert "repeated_values" not in result.extra.get("noise", {})
    assert not result.extra["rule"].startswith(("f repeated", "f varied"))
    if "noisy" in args:
        assert result.extra["noise"] == {"noisy": args["noisy"], "told": "by the caller"}
    features = Features(2, args["budget"], 1, False, 0.5 if "integer" in args else 0.0, args.get("noisy"))
    assert result.extra["method"] == choose(features)[0]


def fresh_noise(x: np.ndarray) -> float:
    """Noise from the OS's entropy at every call: a copy in a worker process draws its own (a
    pickled generator would repeat its parent's draws in every worker)."""
    return float(np.sum((x - 0.3) ** 2) + 0.01 * np.random.default_rng().standard_normal())


def test_no_probe_where_the_choice_is_the_same_either_way():
    """The shipped record picks COBYQA for a noisy 3-D f at 50 calls per dimension as for a
    deterministic one: no call is spent on the probe, and cobyqa's run is exactly as if named."""
    f, g = Counted(0.01), Counted(0.01)
    result = om.minimize(f, [(-1, 1)] * 3, budget=150)
    named = om.minimize(g, [(-1, 1)] * 3, budget=150, method="cobyqa")
    assert "noise" not in result.extra and result.extra["method"] == "cobyqa"
    assert result.objective == named.objective and len(f.points) == len(g.points)


def test_with_several_workers_the_probe_tells_ngopt_that_f_is_noisy():
    result = om.minimize(fresh_noise, [(-1, 1)] * 2, budget=60, workers=2)
    assert result.extra["noise"]["noisy"] and result.extra["method"] == "ngopt"
    assert result.extra["rule"].startswith("f varied at one point (") and result.extra["calls"] <= 60


def test_a_failed_probe_call_leaves_noise_unknown_and_the_search_goes_on(noise_matters):
    f = Counted(fail_first=True)
    result = om.minimize(f, [(-1, 1)] * 2, budget=60)
    assert result.extra["rule"].startswith("a probe call failed, so noise is unknown and taken as absent; ")
    assert result.extra["failed"] == 1 and result.status == om.Status.FEASIBLE and result.objective < 1e-4


def test_ask_tell_hands_out_the_probe_then_the_chosen_method(noise_matters):
    box = om.BlackBox([(-1, 1)] * 2, budget=40)
    first = box.ask(5)
    assert len(first) == REPEATS and np.array_equal(first[0], first[1]) and box.method == "auto"
    assert box.ask(1) == []  # the probe's values must come back first
    for x in first:
        box.tell(x, float(np.sum(x**2)))
    assert box.method != "auto" and box.rule.startswith("f repeated its value")
    more = box.ask(3)
    assert more and box.asked == REPEATS + len(more)
    box.close()


def test_a_probe_stopped_early_still_answers(noise_matters):
    result = om.minimize(Counted(), [(-1, 1)] * 2, budget=60, time_limit=0.0)
    assert result.extra["calls"] == 0 and result.solver == "auto" and result.solver_version == ""


def test_ngopt_is_told_that_f_is_noisy():
    for noisy in (True, False):
        backend = make("ngopt", Setup(2, 50, 0, noisy=noisy))
        assert backend._optimizer.parametrization.function.deterministic is not noisy  # type: ignore[attr-defined]


def test_the_chooser_keeps_noisy_runs_apart():
    from omnisolve.blackbox.chooser import train

    def runs(noise: str, areas: dict[str, float]) -> list[dict]:
        return [
            {"suite": "bbob", "function": 1, "instance": 1, "dimension": 2, "method": m, "per_dimension": 50.0,
             "area": a, "noise": noise}
            for m, a in areas.items()
        ]  # fmt: skip

    chooser = train(runs("", {"cobyqa": 0.5, "cma": 0.2}) + runs("severe", {"cobyqa": 0.1, "cma": 0.3}))
    assert chooser.choose(Features(2, 100, 1, False, 0.0, noisy=False))[0] == "cobyqa"
    assert chooser.choose(Features(2, 100, 1, False, 0.0))[0] == "cobyqa"  # unknown reads as noise-free
    assert chooser.choose(Features(2, 100, 1, False, 0.0, noisy=True))[0] == "cma"
    assert train(runs("", {"cobyqa": 0.5})).choose(Features(2, 100, 1, False, 0.0, noisy=True)) is None


def test_noise_in_the_constraints_alone_counts(noise_matters):
    rng = np.random.default_rng(3)
    result = om.minimize(
        lambda x: float(np.sum(x**2)),
        [(-1, 1)] * 2,
        budget=60,
        constraints=lambda x: [0.5 - x[0] + 0.01 * rng.random()],
    )
    assert result.extra["noise"]["noisy"] and result.extra["noise"]["repeated_values"] == [0.0, 0.0]
