"""Black-box optimization (`omnisolve.minimize`, `omnisolve.BlackBox`, `omnisolve.blackbox`) and
the Model path through `global-nlp`: every method keeps the budget, the bounds and the integer
mask; known optima are reached; constraints hold at the answer and no answer is claimed without
evidence; failing functions, parallel workers, ask/tell and the errors; docs/continuous.md's
code runs. Every run is seeded and small."""

from __future__ import annotations

import importlib.util
import os
import re
from pathlib import Path

import numpy as np
import pytest

import omnisolve as om
from omnisolve.blackbox import methods
from omnisolve.blackbox.auto import Features, choose
from omnisolve.errors import InputError, ModelError, UnsupportedError
from omnisolve.result import Optimality, Status, Verdict

DOC = Path(__file__).resolve().parents[1] / "docs" / "continuous.md"
HAS_TORCH = importlib.util.find_spec("torch") is not None
#: every method that runs here ("ng:NAME" stands for Nevergrad's registry; optuna-gp needs torch)
RUNNABLE = [m for m in methods() if m != "ng:NAME" and (HAS_TORCH or m != "optuna-gp")] + ["ng:TwoPointsDE"]


def sphere(x: np.ndarray) -> float:
    return float(np.sum((x - 0.5) ** 2))


def rosenbrock(x: np.ndarray) -> float:
    return float(np.sum(100 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2))


def disk(x: np.ndarray) -> np.ndarray:
    """g(x) <= 0 inside the disk of radius 2."""
    return np.array([x @ x - 4.0])


class Recorder:
    """A function that keeps every point it is called with."""

    def __init__(self, fun):
        self.fun, self.points = fun, []

    def __call__(self, x):
        self.points.append(np.array(x))
        return self.fun(x)


# ---- the budget, the bounds, the integer mask ------------------------------------------------------
@pytest.mark.parametrize("method", RUNNABLE)
def test_every_method_keeps_budget_bounds_integers_and_constraints(method):
    bounds = [(-2.0, 3.0), (0.2, 9.7), (-1.5, 1.5)]
    integer = [False, True, False]
    fun, g = Recorder(lambda x: float(np.sum((x - [1.0, 4.0, -1.0]) ** 2))), Recorder(disk)
    result = om.minimize(fun, bounds, budget=40, constraints=g, integer=integer, method=method, seed=2)
    points = np.array(fun.points)
    assert 0 < len(points) <= 40 and result.extra["calls"] == len(points)
    assert len(g.points) == len(points) + (result.values is not None)  # g once more, for the certificate
    lo, hi = np.array(bounds).T
    assert ((points >= lo) & (points <= hi)).all()
    assert (points[:, 1] == np.round(points[:, 1])).all() and set(points[:, 1]) <= set(range(1, 10))
    assert result.status in (Status.FEASIBLE, Status.TIME_LIMIT), result.message
    if result.status == Status.FEASIBLE:
        assert disk(result.values)[0] <= 1e-6 and result.values[1] == round(result.values[1])
        assert result.certificate.passed and result.certificate.optimality == Optimality.NONE


# ---- known optima -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "method", ["auto", "ng:CMA", "optuna-cmaes", "cma", "scipy-da", "powell", "cobyla", "cobyqa", "nelder-mead"]
)
def test_sphere_in_5d(method):
    result = om.minimize(sphere, [(-2, 2)] * 5, budget=300, method=method, seed=0)
    assert result.status == Status.FEASIBLE and result.objective < 1e-3
    np.testing.assert_allclose(result.values, 0.5, atol=0.03)


@pytest.mark.parametrize("method", ["ngopt", "optuna-tpe"])
def test_sphere_in_2d_for_the_model_based_methods(method):
    result = om.minimize(sphere, [(-2, 2)] * 2, budget=80, method=method, seed=0)
    assert result.objective < 1e-2


@pytest.mark.parametrize("method", ["auto", "optuna-cmaes", "cma", "scipy-da", "powell", "cobyqa", "nelder-mead"])
def test_rosenbrock_in_2d(method):
    result = om.minimize(rosenbrock, [(-2, 2)] * 2, budget=600, method=method, seed=0)
    assert result.objective < 1e-3
    np.testing.assert_allclose(result.values, 1.0, atol=0.05)


@pytest.mark.parametrize("method", ["auto", "cma", "scipy-da", "cobyqa-da", "cobyqa-cma", "nelder-mead"])
def test_rosenbrock_in_4d(method):
    result = om.minimize(rosenbrock, [(-2, 2)] * 4, budget=2000, method=method, seed=0)
    assert result.objective < 1e-3


# ---- constraints and honesty --------------------------------------------------------------------
@pytest.mark.parametrize("method", ["auto", "cobyla", "cobyqa", "optuna-tpe", "scipy-da", "config"])
def test_the_answer_meets_the_constraints(method):
    """min x + y + z in the ball of radius 2: -2 sqrt(3) = -3.4641 at -2/sqrt(3) (1, 1, 1).
    CONFIG refits its Gaussian processes at every call: 40 calls keep it to seconds."""
    budget = 40 if method == "config" else 120
    result = om.minimize(lambda x: float(np.sum(x)), [(-3, 3)] * 3, budget=budget, constraints=disk, method=method)
    assert result.status == Status.FEASIBLE and disk(result.values)[0] <= 1e-6
    assert result.certificate.passed and result.certificate.max_violation <= 1e-6
    assert result.objective >= -2 * np.sqrt(3) - 1e-5
    if method in ("auto", "cobyla", "cobyqa"):  # the methods that take constraints as such, on few calls
        assert result.objective == pytest.approx(-2 * np.sqrt(3), abs=1e-3)


def test_no_feasible_point_is_said_so_never_infeasible():
    result = om.minimize(sphere, [(-1, 1)] * 2, budget=30, constraints=lambda x: np.array([x @ x + 1.0]))
    assert result.status == Status.TIME_LIMIT and result.values is None and result.objective is None
    assert "no feasible point found in 30 evaluations" in result.message
    assert "the least violation: max g(x) = 1" in result.message and len(result.extra["least_violating"]) == 2


def test_config_finds_a_constrained_optimum_in_few_calls_and_weighs_infeasibility():
    """CONFIG's optimistic feasibility: min (x - 0.3)^2 + (y + 0.2)^2 with x + y >= 0.5 is 0.08 at
    (0.5, 0); 40 calls come within 1 %. Where no point can be feasible, the models say so (the
    evidence, in the message), and the status stays `time_limit`: evaluations prove nothing."""
    fun = lambda x: float((x[0] - 0.3) ** 2 + (x[1] + 0.2) ** 2)  # noqa: E731
    result = om.minimize(
        fun, [(-1, 1)] * 2, budget=40, constraints=lambda x: np.array([0.5 - x[0] - x[1]]), method="config"
    )
    assert result.status == Status.FEASIBLE and result.certificate.passed
    assert result.objective == pytest.approx(0.08, rel=0.01) and result.values.sum() >= 0.5 - 1e-9
    result = om.minimize(
        fun, [(-1, 1)] * 2, budget=25, constraints=lambda x: np.array([1.0 + x[0] ** 2]), method="config"
    )
    assert result.status == Status.TIME_LIMIT and result.values is None
    assert "CONFIG's evidence of infeasibility, not a proof" in result.message
    assert result.extra["infeasibility_evidence"] in result.message


def test_a_constraint_that_changes_its_mind_fails_the_certificate():
    calls = []

    def fickle(x):
        calls.append(1)
        return np.array([-1.0 if len(calls) <= 20 else 1.0])

    result = om.minimize(sphere, [(-1, 1)] * 2, budget=20, constraints=fickle, method="cma")
    assert result.status == Status.ERROR and "verification failed" in result.message
    assert result.certificate.verdict == Verdict.FAIL and "max g(x) = 1" in result.certificate.messages[0]


def test_incumbents_are_reported_and_traced():
    seen = []
    result = om.minimize(sphere, [(-1, 1)] * 3, budget=60, method="nelder-mead", on_incumbent=lambda *e: seen.append(e))
    assert [tuple(e) for e in seen] == [tuple(e) for e in result.trace] and seen
    values = [f for _, f, _ in seen]
    assert values == sorted(values, reverse=True) and values[-1] == result.objective
    assert all(bound is None for _, _, bound in seen)


def test_time_limit_stops_the_search():
    result = om.minimize(sphere, [(-1, 1)] * 2, budget=10**6, method="powell", time_limit=0.2)
    assert result.status == Status.FEASIBLE and result.extra["ended"] == "time limit reached"
    assert result.extra["calls"] < 10**6


# ---- failing functions ---------------------------------------------------------------------------
def flaky(x: np.ndarray) -> float:
    """Raises left of x0 = 0.2, NaN below x1 = 0.2: the box's centre fails, the minimum (0.5, 0.5) does not."""
    if x[0] < 0.2:
        raise ValueError("x0 too small")
    return float("nan") if x[1] < 0.2 else sphere(x)


@pytest.mark.parametrize("method", ["cma", "scipy-da", "optuna-tpe", "ngopt", "cobyla"])
def test_raising_or_nan_is_a_failed_evaluation(method):
    result = om.minimize(flaky, [(-1, 1)] * 2, budget=60, method=method, seed=1)
    assert result.status == Status.FEASIBLE and (result.values >= 0.2).all()
    assert result.extra["failed"] > 0 and result.extra["last_error"] in ("ValueError: x0 too small", "fun returned nan")


def test_every_call_failing_reports_the_exception():
    def broken(x):
        raise RuntimeError("simulator crashed")

    result = om.minimize(broken, [(-1, 1)], budget=12, method="cma")
    assert result.status == Status.ERROR and result.values is None
    assert result.message.startswith("every one of the 12 evaluations failed")
    assert "RuntimeError: simulator crashed" in result.message


def test_a_function_returning_several_values_fails_its_calls():
    result = om.minimize(lambda x: x, [(-1, 1)] * 2, budget=5, method="cma")
    assert result.status == Status.ERROR and "fun returned 2 values, not one" in result.message


# ---- ask/tell ------------------------------------------------------------------------------------
@pytest.mark.parametrize("method", ["cma", "scipy-da", "scipy-de", "optuna-tpe", "ng:TwoPointsDE", "cobyla"])
def test_ask_tell_gives_what_minimize_gives(method):
    box = om.BlackBox([(-2, 2)] * 3, budget=90, method=method, seed=5, constraints=True)
    while points := box.ask():  # one at a time, as minimize asks with one worker
        for x in points:
            box.tell(x, rosenbrock(x), disk(x))
    box.close()
    result = om.minimize(rosenbrock, [(-2, 2)] * 3, budget=90, method=method, seed=5, constraints=disk)
    x, f = box.best
    assert f == result.objective and np.array_equal(x, result.values)
    assert box.result().objective == f and box.asked == 90


def test_ask_tell_errors():
    box = om.BlackBox([(0, 1)], budget=2, method="cma")
    (x,) = box.ask()
    with pytest.raises(InputError, match="not a point ask returned"):
        box.tell(x + 0.5, 1.0)
    with pytest.raises(InputError, match="without constraints"):
        box.tell(x, 1.0, [0.0])
    box.tell(x, float("nan"))  # a failed evaluation
    assert box.best == (None, None) and box.failures == 1
    with pytest.raises(InputError, match="told already"):
        box.tell(x, 1.0)
    constrained = om.BlackBox([(0, 1)], budget=2, method="cma", constraints=True)
    (y,) = constrained.ask()
    with pytest.raises(InputError, match="tell g"):
        constrained.tell(y, 1.0)
    assert len(box.ask(5)) == 1 and box.ask() == []  # the budget of 2 is spent


def test_x0_is_evaluated_first():
    fun = Recorder(sphere)
    om.minimize(fun, [(-1, 1), (0, 4)], budget=5, x0=[0.25, 3], integer=[False, True], method="optuna-tpe")
    np.testing.assert_array_equal(fun.points[0], [0.25, 3])


# ---- workers ---------------------------------------------------------------------------------------
def test_two_workers_evaluate_in_child_processes():
    result = om.minimize(sphere, [(-1, 1)] * 2, budget=24, workers=2, seed=0)
    assert result.status == Status.FEASIBLE and result.extra["calls"] <= 24 and result.extra["method"] == "ngopt"


def test_an_unpicklable_function_is_refused_with_workers():
    with pytest.raises(ModelError, match="must be picklable .*not a lambda"):
        om.minimize(lambda x: 0.0, [(-1, 1)], budget=4, workers=2)


def test_an_executor_evaluates_each_call_as_a_task_of_its_own(tmp_path):
    """With `executor`, every call runs in a task (a child process here; a Ray actor's on a
    cluster, tests/test_ray.py), `workers` at a time; fun goes by value, so a lambda of the
    caller's, with what it captured, works; each of the 16 calls left its own process's mark,
    and the same seed gives the same answer again."""
    from omnisolve.processes import LocalExecutor

    def fun(x: np.ndarray) -> float:
        (tmp_path / str(os.getpid())).touch()
        return float(np.sum((x - 0.3) ** 2))

    g = lambda x: np.array([x[0] - 0.2])  # noqa: E731
    runs = [
        om.minimize(fun, [(-1, 1)] * 2, budget=16, workers=2, seed=0, constraints=g, executor=LocalExecutor())
        for _ in range(2)
    ]
    first = runs[0]
    assert first.status == Status.FEASIBLE and first.certificate.passed and first.extra["calls"] == 16
    assert first.objective == pytest.approx(fun(first.values)) and first.values[0] <= 0.2 + 1e-6
    np.testing.assert_array_equal(first.values, runs[1].values)
    pids = {int(p.name) for p in tmp_path.iterdir()}
    assert len(pids - {os.getpid()}) == 2 * 16


def test_a_failing_call_in_a_task_is_a_failed_evaluation():
    from omnisolve.processes import LocalExecutor

    def fails_left(x: np.ndarray) -> float:
        if x[0] < 0:
            raise ValueError("left half")
        return float(x[0])

    result = om.minimize(fails_left, [(-1, 1)], budget=8, workers=2, seed=0, executor=LocalExecutor())
    assert result.status == Status.FEASIBLE and result.objective >= 0
    assert result.extra.get("last_error", "").startswith("ValueError: left half")


# ---- errors --------------------------------------------------------------------------------------
def test_an_unknown_method_gets_one_line_listing_the_valid_ones():
    with pytest.raises(UnsupportedError) as err:
        om.minimize(sphere, [(-1, 1)], budget=5, method="simplex")
    message = str(err.value)
    assert message.startswith("unknown black-box method 'simplex'; valid: auto, ngopt, optuna-tpe")
    assert "ng:NAME" in message and "\n" not in message and err.value.exit_code == 4
    with pytest.raises(UnsupportedError, match="unknown Nevergrad optimizer 'Nope'; e.g. ng:NGOpt"):
        om.minimize(sphere, [(-1, 1)], budget=5, method="ng:Nope")


@pytest.mark.skipif(HAS_TORCH, reason="torch is installed")
def test_optuna_gp_names_the_package_it_needs():
    with pytest.raises(UnsupportedError, match="optuna-gp needs the package 'torch'"):
        om.minimize(sphere, [(-1, 1)], budget=5, method="optuna-gp")


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"bounds": [(1, 0)]}, ModelError, r"bounds\[0\] = \(1, 0\)"),
        ({"bounds": [(0, np.inf)]}, ModelError, "finite lo <= hi"),
        ({"bounds": [0, 1]}, ModelError, "pairs"),
        ({"bounds": [(0.2, 0.8)], "integer": [True]}, ModelError, "holds no integer"),
        ({"integer": [True, False]}, ModelError, "boolean mask of 1 entries"),
        ({"x0": [2.0]}, ModelError, r"x0\[0\] = 2 is not a point"),
        ({"budget": 0}, InputError, "budget must be an integer at least 1, got 0"),
        ({"budget": 2.5}, InputError, "budget must be an integer at least 1"),
        ({"workers": 0}, InputError, "workers must be"),
        ({"seed": -1}, InputError, r"seed must be an integer in \[0, 4294967296\), got -1"),
        ({"noisy": "yes"}, InputError, r"noisy must be True, False or None \(not known\), got 'yes'"),
        ({"fun": 3}, ModelError, "fun must be callable"),
        ({"constraints": 3}, ModelError, "constraints must be callable"),
    ],
)
def test_bad_input_is_refused(kwargs, error, match):
    args = {"fun": sphere, "bounds": [(-1, 1)], "budget": 5, **kwargs}
    with pytest.raises(error, match=match):
        om.minimize(args.pop("fun"), args.pop("bounds"), **args)


# ---- auto ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "features, method",
    [
        (Features(3, 300, 4, False, 0.0), "ngopt"),
        (Features(4, 200, 1, False, 0.75), "optuna-tpe"),
        (Features(4, 2000, 1, True, 0.5), "cma"),
        (Features(4, 2000, 1, False, 0.25), "cma"),
        (Features(5, 100, 1, True, 0.0), "cobyla"),
        (Features(5, 500, 1, True, 0.0), "cobyla"),  # 100 per dimension: still few
        (Features(5, 5005, 1, True, 0.0), "cobyla"),  # above the recorded 1,000 per dimension: rule 4
        (Features(10, 100, 1, False, 0.0), "cobyqa"),
        (Features(10, 1000, 1, False, 0.0), "cobyqa"),
        (Features(10, 10010, 1, False, 0.0), "cobyqa-cma"),
        (Features(30, 3000, 1, False, 0.0), "cobyqa"),  # above the recorded 20 dimensions: the rules
        (Features(30, 3000, 1, True, 0.0), "cobyla"),
    ],
)
def test_auto_rules(features, method):
    assert choose(features)[0] == method


def test_auto_says_which_rule_chose():
    result = om.minimize(sphere, [(-1, 1)] * 2, budget=30, integer=[True, False])
    assert (
        result.extra["method"] == "optuna-tpe" and result.extra["rule"] == "50% integer coordinates, budget 30 <= 300"
    )


# ---- the Model path --------------------------------------------------------------------------------
def schwefel_model() -> om.Model:
    m = om.Model("schwefel")
    m.add_variables(2, "x", lb=-500, ub=500)
    m.minimize(lambda v: float(np.sum(-v * np.sin(np.sqrt(np.abs(v))))))
    return m


def test_a_model_with_a_callable_finds_the_global_minimum_of_schwefel():
    """2-D Schwefel over [-500, 500]^2: the global minimum is -837.9658 at (420.9687, 420.9687);
    SciPy from the centre alone stops at -403.69."""
    result = om.solve(schwefel_model(), time_limit=10, seed=0)
    assert result.solver == "global-nlp" and result.extra["selection"]["ranked"] == [
        "global-nlp",
        "local-nlp",
        "ipopt",
        "alm",
        "scipy",
    ]
    assert result.objective == pytest.approx(-837.9658, abs=1e-3)
    np.testing.assert_allclose(result.values, 420.9687, atol=1e-3)
    assert result.status == Status.FEASIBLE and result.optimality == Optimality.NONE and result.gap is None


def test_a_constrained_maximization_through_the_model_path():
    """max -(x - 1)^2 - (y - 2)^2 with x + y <= 2: -0.5 at (0.5, 1.5)."""
    m = om.Model("cap")
    x, y = m.add_variable("x", -3, 3), m.add_variable("y", -3, 3)
    m.add_constraint(x + y <= 2)
    m.maximize(lambda v: float(-((v[0] - 1) ** 2) - (v[1] - 2) ** 2))
    result = om.solve(m, time_limit=10, seed=0)
    assert result.solver == "global-nlp" and result.status == Status.FEASIBLE and result.certificate.passed
    assert result.objective == pytest.approx(-0.5, abs=1e-6)
    np.testing.assert_allclose(result.values, [0.5, 1.5], atol=1e-4)


def test_an_unbounded_variable_keeps_the_local_path():
    from omnisolve.portfolio.rules import preferences

    m = om.Model("open")
    m.add_variable("x", lb=0)
    m.minimize(lambda v: float((v[0] - 1) ** 2))
    assert preferences(m.compile()) == ["local-nlp", "ipopt", "alm", "scipy"]
    with pytest.raises(UnsupportedError, match="1 variables have an infinite bound \\(first x\\)"):
        om.solve(m, solver="global-nlp")


# ---- the documentation ---------------------------------------------------------------------------
@pytest.mark.parametrize("index", range(len(re.findall(r"```python\n", DOC.read_text()))))
def test_the_code_of_docs_continuous_runs(index):
    block = re.findall(r"```python\n(.*?)```", DOC.read_text(), re.S)[index]
    exec(compile(block, f"{DOC.name}, block {index}", "exec"), {"__name__": f"continuous_doc_{index}"})


def test_the_readme_black_box_example_runs():
    readme = (DOC.parents[1] / "README.md").read_text()
    block = readme.split("## Black-box optimization", 1)[1].split("```python\n", 1)[1].split("```", 1)[0]
    namespace: dict = {"__name__": "readme_black_box"}
    exec(compile(block, "README.md, Black-box optimization", "exec"), namespace)
    result = namespace["result"]
    assert result.status == Status.FEASIBLE and result.certificate.passed and result.extra["calls"] <= 500
    assert result.values[0] + result.values[1] <= 1 + 1e-6


def test_a_dropped_box_ends_its_scipy_thread():
    import gc
    import threading

    def scipy_threads() -> int:
        return sum(t.name == "omnisolve-scipy" and t.is_alive() for t in threading.enumerate())

    before = scipy_threads()
    box = om.BlackBox([(-1, 1)] * 2, budget=10, method="powell")
    box.tell(box.ask()[0], 1.0)
    assert scipy_threads() == before + 1
    del box
    gc.collect()
    assert scipy_threads() == before


# ---- auto's learned chooser ------------------------------------------------------------------------
def _runs(dimension: int, per: float, constrained: bool, areas: dict[str, list[float]]) -> list[dict]:
    suite = "bbob-constrained" if constrained else "bbob"
    return [
        {
            "suite": suite,
            "function": f,
            "instance": 1,
            "dimension": dimension,
            "method": m,
            "per_dimension": per,
            "area": a,
        }
        for m, values in areas.items()
        for f, a in enumerate(values, 1)
    ]


def test_chooser_learns_the_best_mean_area_and_stays_inside_its_runs():
    from omnisolve.blackbox.chooser import Chooser, train

    runs = (
        _runs(2, 50, False, {"cma": [0.5, 0.1], "powell": [0.2, 0.2], "cobyla": [0.9]})  # cobyla: one problem only
        + _runs(10, 100, False, {"cma": [0.1, 0.1], "powell": [0.3, 0.3]})
        + _runs(2, 50, True, {"NGOpt (nevergrad)": [0.4, 0.4], "ngopt": [0.2, 0.2], "powell": [0.25, 0.25]})
    )
    chooser = Chooser.from_dict(train(runs).to_dict())  # what the shipped file holds reads back the same
    assert chooser.choose(Features(2, 100, 1, False, 0.0))[0] == "cma"  # 0.3 against 0.2; cobyla not on every problem
    method, why = chooser.choose(Features(10, 1000, 1, False, 0.0))
    assert method == "powell" and why.startswith("learned:") and "10-D at 100 calls per dimension" in why
    # NGOpt called directly and through omnisolve are one method: their runs are averaged (0.3 > 0.25)
    assert chooser.choose(Features(2, 100, 1, True, 0.0))[0] == "ngopt"
    assert chooser.choose(Features(2, 100, 1, False, 0.0), allowed=["powell"])[0] == "powell"
    for outside in (
        Features(20, 2000, 1, False, 0.0),  # a larger dimension than any recorded
        Features(2, 1000, 1, False, 0.0),  # more calls per dimension than any recorded
        Features(2, 100, 4, False, 0.0),  # workers
        Features(2, 100, 1, False, 0.5),  # integer coordinates
        Features(5, 500, 1, True, 0.0),  # constrained: recorded in 2-D only
    ):
        assert chooser.choose(outside) is None, outside
    assert chooser.choose(Features(2, 100, 1, False, 0.0), allowed=["nelder-mead"]) is None


def test_shipped_chooser_answers_inside_the_recorded_runs_and_the_rules_elsewhere():
    method, why = choose(Features(7, 700, 1, False, 0.0))
    assert method == "cobyqa" and why.startswith("learned:")
    method, why = choose(Features(12, 600, 1, True, 0.0))
    assert method == "cobyla" and why.startswith("learned:")
    method, why = choose(Features(4, 4000, 1, False, 0.0))  # 1,000 per dimension: judged, not learned from
    assert method == "cobyqa-cma" and why == "1000 > 100 evaluations per dimension"
    method, why = choose(Features(3, 300, 1, False, 0.0, noisy=True))  # the noisy runs' own groups
    assert method == "cobyqa" and "recorded noisy unconstrained problems" in why
    method, why = choose(Features(4, 8000, 1, False, 0.0))  # 2,000 calls per dimension: never recorded
    assert method == "cobyqa-cma" and why == "2000 > 100 evaluations per dimension"
    result = om.minimize(sphere, [(-1, 1)] * 4, budget=200)
    assert result.extra["method"] == "cobyqa" and result.extra["rule"].startswith(
        "learned:"
    )  # no probe: COBYQA either way
    assert result.objective < 1e-6


def test_config_models_only_the_points_that_evaluated():
    """Failed evaluations (a raise, NaN) are left out of CONFIG's models; it goes on within the budget."""
    calls = []

    def flaky(x):
        calls.append(1)
        if len(calls) % 3 == 0:
            raise ValueError("simulator crashed")
        return float(np.sum((x - 0.5) ** 2))

    result = om.minimize(flaky, [(-1, 1)] * 2, budget=30, method="config")
    assert len(calls) <= 30 and result.extra["failed"] == len(calls) // 3
    assert result.status == Status.FEASIBLE and result.objective < 0.05
