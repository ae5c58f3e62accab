"""Features, the selector (training, JSON round trip), value of time, the history's
bandit, cross-validated evaluation and the `portfolio` commands."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest
from scipy.special import ndtr
from typer.testing import CliRunner

from conftest import BENCHDATA, run_cli
from database_fixtures import db_url, postgres_server  # noqa: F401
from omnisolve.api import solve
from omnisolve.bench.dataset import Dataset, Sample, read_runs
from omnisolve.bench.evaluation import (
    bars,
    cross_validate,
    family,
    held_apart,
    held_out_sets,
    per_class,
    race_outcome,
    table,
)
from omnisolve.bench.training import train
from omnisolve.cli import app
from omnisolve.errors import InputError
from omnisolve.io import read
from omnisolve.portfolio.choice import RACE_STARTUP, WARM_STARTUP, choose
from omnisolve.portfolio.features import describe, features, problem_class
from omnisolve.portfolio.history import History, reward
from omnisolve.portfolio.selector import Forest, Selector, SolverModel, default_selector, shipped_limits
from omnisolve.portfolio.utility import expected_seconds, expected_utility, parse

DATA = Path(__file__).resolve().parents[1] / "src" / "omnisolve" / "data"


def constant(mu: float, sigma: float, classes: list[str]) -> SolverModel:
    """A solver model predicting log10 cost `mu` everywhere."""
    return SolverModel(
        Forest([{"left": [-1], "right": [-1], "feature": [-2], "threshold": [0.0], "value": [mu]}]), sigma, classes
    )


def synthetic(n: int = 40, seed: int = 1) -> Dataset:
    """Class K: solver `fast-small` wins below size 500, `fast-large` above; `slow` never solves."""
    rng = np.random.default_rng(seed)
    samples = []
    for i in range(n):
        size = float(rng.integers(10, 1000))
        small = size < 500
        cost = {"fast-small": 0.1 if small else 50.0, "fast-large": 2.0 if small else 0.3, "slow": 50.0}
        samples.append(
            Sample(
                "s",
                f"i{i}",
                "K",
                {"size": size, "noise": float(rng.random())},
                cost,
                {k: 0.0 if v < 50 else 1.0 for k, v in cost.items()},
            )
        )
    return Dataset(samples, ["fast-large", "fast-small", "slow"], 5.0)


# ---- features ------------------------------------------------------------------------------


def test_model_features_describe_size_types_and_rows():
    egout = read(DATA / "egout.mps")
    f = features(egout)
    assert problem_class(egout) == "MILP"
    assert f["variables"] == egout.num_variables and f["constraints"] == egout.num_constraints
    assert f["integer_share"] == pytest.approx(egout.integer_mask.mean())
    assert 0 < f["equality_share"] <= 1 and f["row_nnz_max"] >= f["row_nnz_mean"] > 0
    kind, shown = describe(egout)
    assert kind == "MILP (min)" and shown["variables"] == egout.num_variables


def test_structured_features():
    shop = read(DATA / "ft06.txt")
    f = features(shop)
    assert problem_class(shop) == "JobShop" and f["num_jobs"] == 6 and f["jobs_per_machine"] == 1.0
    big = read(BENCHDATA / "mip_hard" / "facility_1.mps")  # their cost (milliseconds) is a benchmark's claim
    assert features(big)["variables"] == big.num_variables


# ---- selector ------------------------------------------------------------------------------


def test_selector_learns_which_solver_wins_where_and_round_trips_json(tmp_path):
    data = synthetic()
    selector = train(data)
    assert selector.rank("K", {"size": 100.0})[0] == "fast-small"
    assert selector.rank("K", {"size": 900.0})[0] == "fast-large"
    assert "slow" not in selector.models  # never solved anything: never a candidate
    selector.save(tmp_path / "sel.json")
    loaded = Selector.load(tmp_path / "sel.json")
    assert loaded.predict("K", {"size": 321.0}) == selector.predict("K", {"size": 321.0})
    assert loaded.rank("K", {"size": 321.0, "noise": 0.5}) == selector.rank("K", {"size": 321.0, "noise": 0.5})


def test_selector_errors_are_one_line_input_errors(tmp_path):
    with pytest.raises(InputError, match="too few instances"):
        train(Dataset(synthetic().samples[:3], ["fast-small"], 5.0))
    (tmp_path / "bad.json").write_text('{"format": "other"}')
    with pytest.raises(InputError, match="not an omnisolve selector"):
        Selector.load(tmp_path / "bad.json")


def test_a_solve_asks_the_selector_trained_nearest_its_time_limit(monkeypatch):
    """By ratio: 3 s goes to the 5 s selector rather than the 1 s one; an unknown limit to the
    longest-trained one; `choose` passes the solve's limit on."""
    limits = shipped_limits()
    assert {1.0, 5.0} <= set(limits)
    assert all(Selector.load(path).time_limit == t for t, path in limits.items())  # each file named by its limit
    assert default_selector(0.5).time_limit == 1.0 and default_selector(3).time_limit == 5.0
    assert default_selector(None).time_limit == default_selector(3600).time_limit == max(limits)
    asked = []
    monkeypatch.setattr("omnisolve.portfolio.selector.default_selector", lambda t=None: asked.append(t))
    choose(read(DATA / "ft06.txt"), time_limit=2.0)
    assert asked == [2.0]


def test_shipped_selector_loads_and_ranks_real_classes():
    selector = default_selector()
    assert selector is not None and {"TSP", "Knapsack", "MILP", "JobShop"} <= set(selector.classes)
    choice = choose(read(DATA / "ft06.txt"))
    assert choice.method == "selector" and choice.ranked[0] in ("cpsat", "jobshop-lns")
    result = solve(DATA / "ft06.txt", time_limit=20)
    assert result.objective == 55 and result.extra["selection"]["method"] == "selector"


# ---- value of time -------------------------------------------------------------------------


def test_utility_parsing_and_values():
    assert parse("deadline:2").value(1.9) == 1 and parse("deadline:2").value(2.1) == 0
    assert parse("linear:10").value(5.0) == pytest.approx(0.5)
    assert parse("exp:3").value(3.0) == pytest.approx(0.5)
    for bad in ("soon", "deadline:x", "linear:-1", "exp:0"):
        with pytest.raises(InputError, match="bad utility"):
            parse(bad)


def test_deadline_prefers_the_steady_solver_over_the_fast_on_average_one():
    # risky: median 0.5 s with a heavy tail (mean 1.5 s); steady: always about 1.8 s
    risky, steady = (np.log10(0.5), 0.65), (np.log10(1.8), 0.02)
    assert expected_seconds(*risky) < expected_seconds(*steady)
    selector = Selector(10.0, ["K"], [], {"risky": constant(*risky, ["K"]), "steady": constant(*steady, ["K"])})
    assert selector.rank("K", {})[0] == "risky"  # median/mean runtime choice
    deadline = parse("deadline:2")
    # under a deadline, expected utility = P(done by the deadline) = Phi((log10 2 - mu) / sigma)
    assert expected_utility(deadline, *steady, 10.0) == pytest.approx(
        ndtr((np.log10(2) - steady[0]) / steady[1]), abs=1e-9
    )
    assert expected_utility(deadline, *risky, 10.0) == pytest.approx(
        ndtr((np.log10(2) - risky[0]) / risky[1]), abs=1e-9
    )
    assert selector.rank("K", {}, utility=deadline)[0] == "steady"


# ---- history -------------------------------------------------------------------------------


def test_history_changes_the_choice_on_a_repeated_family(db_url):
    sack = read(DATA / "strongly_100.kp")
    selector = Selector(
        10.0,
        ["Knapsack"],
        [],
        {
            "cpsat": constant(np.log10(0.5), 0.3, ["Knapsack"]),
            "knapsack-dp": constant(np.log10(1.0), 0.3, ["Knapsack"]),
        },
    )
    assert choose(sack, history=db_url, selector=selector).ranked[0] == "cpsat"
    history = History(db_url)
    choices = []
    for _ in range(4):  # the user's family: cpsat keeps failing, knapsack-dp solves fast
        history.record("Knapsack", {}, "cpsat", "time_limit", 10.0, None, 10.0)
        history.record("Knapsack", {}, "knapsack-dp", "optimal", 0.05, 0.0, 10.0)
        choices.append(choose(sack, history=history, selector=selector))
    assert choices[-1].ranked[0] == "knapsack-dp" and choices[-1].method == "selector+history"
    assert reward("optimal", 0.0, 10.0) == 1.0 and reward("time_limit", 10.0, 10.0) == 0.0


def test_solve_records_its_outcome_in_the_history(db_url):
    result = solve(DATA / "strongly_100.kp", solver="knapsack-dp", history=db_url)
    rows = History(db_url).summary()
    assert result.status.value == "optimal"
    assert rows[0]["class"] == "Knapsack" and rows[0]["solver"] == "knapsack-dp" and rows[0]["runs"] == 1


# ---- evaluation ----------------------------------------------------------------------------


def test_cross_validated_selection_closes_the_sbs_vbs_gap():
    data = synthetic()
    picks = cross_validate(data, folds=4)
    assert sorted(p.sample.instance for p in picks) == sorted(s.instance for s in data.samples)
    rows = {r["method"].split(" ")[0]: r for r in table(data, picks)}
    vbs, sbs, auto = rows["VBS"]["cost"], rows["SBS"]["cost"], rows["auto"]["cost"]
    assert vbs == pytest.approx(np.mean([min(s.cost.values()) for s in data.samples]))
    assert vbs <= auto < sbs and rows["auto"]["closed %"] > 80


@pytest.mark.parametrize(
    "cls, name, expected",
    [
        ("TSP", "kroA100", "TSP/kro"),
        ("TSP", "eil51", "TSP/eil"),
        ("CVRP", "P-n55-k15", "CVRP/P"),
        ("MILP", "setcover_2", "MILP/setcover"),
        ("Knapsack", "inverse_strongly_500", "Knapsack/inverse"),
        ("JobShop", "ft06", "JobShop/ft"),
        ("MILP", "25fv47", "MILP/25fv47"),  # no leading letters: the instance is its own family
    ],
)
def test_family_is_the_class_and_the_name_without_its_size(cls, name, expected):
    assert family(Sample("s", name, cls, {})) == expected


def test_leave_one_family_out_holds_each_family_out_together():
    names = ["kroA100", "kroB150", "eil51", "eil76", "rat99"]
    data = Dataset([Sample("s", n, "TSP", {}) for n in names], ["a"], 5.0)
    sets = held_out_sets(data, "family")
    assert sorted(sorted(names[i] for i in held) for held in sets) == [
        ["eil51", "eil76"],
        ["kroA100", "kroB150"],
        ["rat99"],
    ]
    folds = held_out_sets(data, "random", folds=2)
    assert sorted(i for held in folds for i in held) == list(range(5)) and len(folds) == 2
    with pytest.raises(ValueError, match="family or random"):
        held_out_sets(data, "none")


def test_a_family_whose_rest_is_too_small_to_learn_from_gets_the_single_best():
    """Held out, the 7 x instances leave 3 y instances: too few to train; the single best of
    those 3 (b) is picked for every x instance, and the per-class ratios are computed."""
    samples = [Sample("s", f"x{i}", "K", {"n": i}, {"a": 1.0, "b": 2.0}, {"a": 0.0, "b": 0.0}) for i in range(7)]
    samples += [Sample("s", f"y{i}", "K", {"n": i}, {"a": 3.0, "b": 1.0}, {"a": 0.0, "b": 0.0}) for i in range(3)]
    picks = cross_validate(Dataset(samples, ["a", "b"], 5.0), split="family")
    assert {p.auto for p in picks if p.sample.instance.startswith("x")} == {"b"}
    (row,) = per_class(Dataset(samples, ["a", "b"], 5.0), picks)
    x, y = per_class(Dataset(samples, ["a", "b"], 5.0), picks, by_family=True)
    assert (x["family"], x["instances"], x["SBS"], x["auto / VBS"]) == ("K/x", 7, "a", 2.0)  # b (2 s) where a takes 1 s
    assert (y["family"], y["instances"], y["SBS"], y["auto / VBS"]) == ("K/y", 3, "b", 3.0)  # a, x's best: 3 s
    assert row["SBS"] == "a" and row["families"] == 2 and row["VBS cost"] == pytest.approx((7 * 1 + 3 * 1) / 10)
    # per family the SBS is the VBS (1.0: 0.5 x SBS out of reach); over the class a (1.6 s on
    # average) against the VBS's 1 s (0.625)
    assert x["VBS / SBS"] == y["VBS / SBS"] == 1.0 and row["VBS / SBS"] == pytest.approx(1.0 / 1.6)
    assert bars([x, y]) == (
        "Auto on two cores is within 1.1 x VBS in 0 of 2; 0.5 x SBS is within reach (VBS <= 0.5 x SBS) in 0, "
        "and auto meets it in 0 of them."
    )
    mixed = {"2 cores / VBS": 1.05, "VBS / SBS": 0.4, "2 cores / SBS": 0.42}
    assert bars([x, mixed]).endswith(
        "within 1.1 x VBS in 1 of 2; 0.5 x SBS is within reach (VBS <= 0.5 x SBS) in 1, and auto meets it in 1 of them."
    )


def test_under_a_deadline_heuristics_without_a_proof_in_reach_go_by_expected_cost(monkeypatch):
    """Trained at 5 s, two heuristics cost 2 x 5 s plus their time to the best tour (slow: 4 s,
    quick: 0.5 s): under a 5 s deadline both are worth 0, and the quicker one leads; a prover
    expected at 1 s leads them both."""
    selector = Selector(5.0, ["K"], [], {})
    pred = {"slow": (np.log10(14.0), 0.001), "quick": (np.log10(10.5), 0.001), "prover": (0.0, 0.1)}
    monkeypatch.setattr(Selector, "predict", lambda self, cls, feats, solvers=None: {s: pred[s] for s in solvers})
    assert selector.rank("K", {}, ["slow", "quick"], parse("deadline:5")) == ["quick", "slow"]
    assert selector.rank("K", {}, ["slow", "quick", "prover"], parse("deadline:5"))[0] == "prover"


def test_the_class_best_stays_first_unless_another_is_faster_in_the_median(monkeypatch):
    """b has the lower mean cost (its prediction is surer) but a higher median than the
    class's best a: a stays first. When c's median beats a's, c leads."""
    selector = Selector(5.0, ["K"], [], {}, {"class_best": {"K": "a"}})
    pred = {"a": (0.0, 1.0), "b": (0.2, 0.1), "c": (-0.5, 0.1)}
    monkeypatch.setattr(Selector, "predict", lambda self, cls, feats, solvers=None: {s: pred[s] for s in solvers})
    assert selector.rank("K", {}, ["a", "b"]) == ["a", "b"]
    assert selector.rank("K", {}, ["a", "b", "c"])[0] == "c"
    assert Selector(5.0, ["K"], [], {}).rank("K", {}, ["a", "b"]) == ["b", "a"]  # no class best recorded


def test_simulated_race_shares_the_cpu():
    s = Sample(
        "s",
        "i",
        "K",
        {},
        {"a": 2.0, "b": 4.0},
        {"a": 0.0, "b": 0.0},
        times={"a": [(2.0, None, 2.0)], "b": [(4.0, None, 4.0)]},
    )
    assert race_outcome(s, ["a", "b"], 5.0) == (4.0 + RACE_STARTUP, 0.0)  # a at half speed: 2 x 2 s
    assert race_outcome(s, ["a", "b"], 3.0)[0] == 30.0  # neither within 3 s at half speed


def test_a_race_answers_the_first_proof_before_an_earlier_unproven_answer():
    """h reaches the optimum at 0.2 s and never proves it, p proves it at 1 s: racing them costs
    p's proof (at half speed, 2 s), not h's unproven answer (twice the limit plus 0.4 s); c only
    claims the optimum, at 0.5 s: a claim before a proof ends the race, as a real race does
    (the limit plus the claim's time), and it ranks before any unclaimed answer. Every answer of
    a race comes RACE_STARTUP later than its racer's own."""
    times = {"h": [(None, None, 0.2)], "p": [(1.0, None, 1.0)], "c": [(None, 0.5, 0.5)]}
    s = Sample("s", "i", "K", {}, gap={"h": 0.0, "p": 0.0, "c": 0.0}, times=times)
    late = RACE_STARTUP
    assert race_outcome(s, ["h", "p"], 5.0)[0] == pytest.approx(2.0 + late)
    assert race_outcome(s, ["h"], 5.0, slowdown=1)[0] == pytest.approx(10.2 + late)
    assert race_outcome(s, ["h", "p"], 1.5)[0] == pytest.approx(3.0 + 0.4 + late)  # the proof is past the limit
    assert race_outcome(s, ["h", "c"], 5.0)[0] == pytest.approx(5.0 + 1.0 + late)
    assert race_outcome(s, ["c", "p"], 5.0)[0] == pytest.approx(5.0 + 1.0 + late)  # c's claim at 1 s ends it


def test_a_head_start_answers_alone_within_it_else_the_race_starts_after_it():
    """With a head start, the first racer's proof (p at 1 s) or claim (c at 0.5 s) within it is
    the answer, alone; otherwise the race starts after it and its warm start-up (the zygote
    loaded the libraries during the head start)."""
    times = {"h": [(None, None, 0.2)], "p": [(1.0, None, 1.0)], "c": [(None, 0.5, 0.5)]}
    s = Sample("s", "i", "K", {}, gap={"h": 0.2, "p": 0.0, "c": 0.0}, times=times)
    assert race_outcome(s, ["p", "h"], 5.0, 1.0, alone=1.0) == (1.0, 0.0)
    assert race_outcome(s, ["c", "h"], 5.0, 1.0, alone=1.0) == (5.0 + 0.5, 0.0)
    assert race_outcome(s, ["p", "h"], 5.0, 1.0, alone=0.5)[0] == pytest.approx(0.5 + WARM_STARTUP + 1.0)
    assert race_outcome(s, ["h", "p"], 5.0, 1.0, alone=1.0)[0] == pytest.approx(1.0 + WARM_STARTUP + 1.0)


def test_an_unproven_optimum_costs_more_than_any_proof_within_the_limit(tmp_path):
    """Read from runs.csv: HiGHS finds strongly_500's optimum in 0.04 s and runs to the limit
    without proving it (2 x 5 + 0.04), knapsack-dp proves it in 0.17 s plus 0.03 s of checks, a
    claim the cross-check could not confirm costs the limit more, and a wrong answer 10 x the limit."""
    runs = tmp_path / "runs.csv"
    with runs.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(
            [
                "suite",
                "time_limit",
                "instance",
                "solver",
                "status",
                "optimality",
                "verdict",
                "gap",
                "time_to_solve",
                "runtime",
                "check_time",
                "correct",
            ]
        )
        w.writerow(["knapsack", 5, "strongly_500", "highs", "feasible", "none", "pass", 0, 0.04, 5.01, 0.01, True])
        w.writerow(
            ["knapsack", 5, "strongly_500", "knapsack-dp", "optimal", "proven", "pass", 0, 0.15, 0.17, 0.03, True]
        )
        w.writerow(["knapsack", 5, "strongly_500", "cpsat", "optimal", "claimed", "pass", 0, 0.3, 0.32, 1.0, True])
        w.writerow(["knapsack", 5, "strongly_500", "lying", "optimal", "claimed", "pass", 0, 0.3, 0.32, 1.0, False])
    (sample,) = read_runs([runs], data=BENCHDATA).samples
    assert sample.cost == pytest.approx({"highs": 10.04, "knapsack-dp": 0.2, "cpsat": 6.32, "lying": 50.0})
    assert sample.proved == {"knapsack-dp", "cpsat"} and sample.times["highs"] == [(None, None, 0.04)]


# ---- commands ------------------------------------------------------------------------------


def knapsack_runs(path: Path) -> Path:
    """Fabricated runs on 10 real knapsack instances: knapsack-dp wins on the small ones."""
    names = [
        "uncorrelated_50",
        "uncorrelated_100",
        "uncorrelated_200",
        "uncorrelated_500",
        "uncorrelated_1000",
        "weakly_50",
        "weakly_100",
        "weakly_500",
        "weakly_1000",
        "strongly_50",
    ]
    with path.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(
            ["suite", "time_limit", "instance", "solver", "status", "verdict", "gap", "time_to_solve", "correct"]
        )
        for name in names:
            small = int(name.split("_")[1]) <= 100
            w.writerow(["knapsack", 5, name, "knapsack-dp", "optimal", "pass", 0, 0.01 if small else 3.0, True])
            w.writerow(["knapsack", 5, name, "cpsat", "optimal", "pass", 0, 1.0 if small else 0.2, True])
    return path


def test_held_apart_judges_a_selector_trained_elsewhere_without_retraining():
    """Trained on one draw of the synthetic class, judged on another: its own ranking is the
    pick (the oracle's solver on nearly every instance), and the evaluation trains nothing."""
    trained_on, judged_on = synthetic(seed=1), synthetic(seed=2)
    selector = train(trained_on)
    picks = held_apart(judged_on, selector)
    assert [p.auto for p in picks] == [selector.rank("K", p.sample.features)[0] for p in picks]
    rows = {r["method"].split(" ")[0]: r for r in table(judged_on, picks)}
    assert rows["auto"]["cost"] <= 1.1 * rows["VBS"]["cost"] < rows["SBS"]["cost"]


def test_evaluate_judges_the_shipped_or_a_given_selector_on_held_apart_runs(tmp_path, capsys):
    runs = knapsack_runs(tmp_path / "runs.csv")
    runner = CliRunner()
    assert runner.invoke(app, ["portfolio", "train", str(runs), "-o", str(tmp_path / "sel.json")]).exit_code == 0
    for selector, trained in (
        (str(tmp_path / "sel.json"), "at 5 s on 10 other instances"),
        ("shipped", "at 5 s on 101"),
    ):
        args = ["portfolio", "evaluate", str(runs), "-o", str(tmp_path / "ev"), "--selector", selector]
        evaluated = runner.invoke(app, args)
        assert evaluated.exit_code == 0, evaluated.output
        assert f"held apart: a selector trained {trained}" in (tmp_path / "ev" / "portfolio.md").read_text()
    code, _, err = run_cli(capsys, "portfolio", "evaluate", str(runs), "--selector", str(tmp_path / "none.json"))
    assert code == 2 and "none.json: cannot read the selector" in err and len(err.strip().splitlines()) == 1


def test_bench_portfolio_with_solvers_no_part_runs_is_one_line_exit_2(tmp_path, capsys):
    code, _, err = run_cli(capsys, "bench", "portfolio", "--solvers", "nosuch", "-t", "1", "--out", str(tmp_path / "o"))
    assert code == 2 and "no part of the suite runs nosuch; its solvers: cpsat," in err
    assert len(err.strip().splitlines()) == 1


def test_bench_portfolio_heldapart_judges_the_shipped_selector_nearest_the_limit(tmp_path, capsys):
    """With its runs already in --out, `bench portfolio-heldapart` only evaluates: the shipped
    selector trained nearest the runs' limit (5 s), on instances it never saw (the held-apart set shares none with
    the training suite)."""
    from omnisolve.bench.mixed_suite import HELD_APART_FILE, SUITE_FILE, parts

    trained = {(p.suite, n) for p in parts(SUITE_FILE) for n in p.instances}
    held = {(p.suite, n) for p in parts(HELD_APART_FILE) for n in p.instances}
    assert len(held) >= 70 and not trained & held
    knapsack_runs(tmp_path / "runs.csv")
    code, out, err = run_cli(capsys, "bench", "portfolio-heldapart", "--out", str(tmp_path))
    assert code == 0, err
    assert "held apart: a selector trained at 5 s on 101 other instances" in (tmp_path / "portfolio.md").read_text()


def test_portfolio_train_show_and_evaluate_commands(tmp_path):
    runs = knapsack_runs(tmp_path / "runs.csv")
    runner = CliRunner()
    trained = runner.invoke(app, ["portfolio", "train", str(runs), "-o", str(tmp_path / "sel.json")])
    assert trained.exit_code == 0, trained.output
    saved = json.loads((tmp_path / "sel.json").read_text())
    assert saved["format"] == "omnisolve-selector/1" and set(saved["models"]) == {"cpsat", "knapsack-dp"}
    shown = runner.invoke(
        app,
        [
            "portfolio",
            "show",
            str(BENCHDATA / "knapsack" / "uncorrelated_50.kp"),
            "--selector",
            str(tmp_path / "sel.json"),
        ],
    )
    assert shown.exit_code == 0 and "knapsack-dp" in shown.output.split("1 ")[1].split("\n")[0]
    evaluated = runner.invoke(app, ["portfolio", "evaluate", str(runs), "-o", str(tmp_path / "ev"), "--folds", "5"])
    assert evaluated.exit_code == 0, evaluated.output
    report = (tmp_path / "ev" / "portfolio.md").read_text()
    assert "VBS (oracle)" in report and "leave-one-family-out (3 families)" in report
    args = ["portfolio", "evaluate", str(runs), "-o", str(tmp_path / "cv"), "--split", "random", "--folds", "5"]
    assert runner.invoke(app, args).exit_code == 0
    assert "5-fold cross-validation over instances" in (tmp_path / "cv" / "portfolio.md").read_text()
    wrong = runner.invoke(app, ["portfolio", "evaluate", str(runs), "--split", "families"])
    assert wrong.exit_code == 2 and "--split must be family or random" in wrong.output


def test_train_and_evaluate_a_named_suite_from_a_data_folder(tmp_path):
    """runs.csv without suite and time-limit columns: `--suite mine --data DIR -t 5` find the
    instances in DIR/mine; `--trees 3` sizes every forest; `--real-races 1` races one instance
    per class for real (races.csv)."""
    import shutil

    suite = tmp_path / "data" / "mine"
    suite.mkdir(parents=True)
    runs = knapsack_runs(tmp_path / "with-suite.csv")
    rows = list(csv.DictReader(runs.open()))
    optima = {r["name"]: r for r in csv.DictReader((BENCHDATA / "knapsack" / "optima.csv").open())}
    with (suite / "optima.csv").open("w", newline="") as fh:
        fh.write("name,file,optimum,items\n")
        for name in dict.fromkeys(r["instance"] for r in rows):
            shutil.copy(BENCHDATA / "knapsack" / optima[name]["file"], suite)
            fh.write(f"{name},{optima[name]['file']},{optima[name]['optimum']},{optima[name]['items']}\n")
    plain = tmp_path / "runs.csv"
    with plain.open("w", newline="") as fh:
        fields = [f for f in rows[0] if f not in ("suite", "time_limit")]
        w = csv.DictWriter(fh, fields, extrasaction="ignore")
        w.writeheader()
        w.writerows(rows)
    named = ["--suite", "mine", "--data", str(tmp_path / "data"), "-t", "5"]
    runner = CliRunner()
    trained = runner.invoke(
        app, ["portfolio", "train", str(plain), *named, "--trees", "3", "-o", str(tmp_path / "sel.json")]
    )
    assert trained.exit_code == 0, trained.output
    saved = json.loads((tmp_path / "sel.json").read_text())
    assert {name: len(m["trees"]) for name, m in saved["models"].items()} == {"cpsat": 3, "knapsack-dp": 3}
    evaluated = runner.invoke(
        app, ["portfolio", "evaluate", str(plain), *named, "--real-races", "1", "-o", str(tmp_path / "ev")]
    )
    assert evaluated.exit_code == 0, evaluated.output
    raced = list(csv.DictReader((tmp_path / "ev" / "races.csv").open()))
    assert len(raced) == 1 and raced[0]["instance"].split("/")[1] in optima and raced[0]["status"] == "optimal"
    assert "Warning" not in trained.output + evaluated.output


def test_train_without_a_suite_is_a_clear_error(tmp_path):
    runs = tmp_path / "runs.csv"
    runs.write_text("instance,solver,status\nx,highs,optimal\n")
    result = CliRunner().invoke(app, ["portfolio", "train", str(runs)])
    assert result.exit_code != 0 and "no suite column" in str(result.exception)


def test_a_solver_that_can_prove_goes_first_when_the_selector_picks_one_that_never_proves():
    from omnisolve.portfolio.choice import prefer_proof

    assert prefer_proof(["lkh", "tsp-ils", "cpsat"], ["cpsat", "lkh"], ["cpsat"]) == ["cpsat", "lkh", "tsp-ils"]
    assert prefer_proof(["highs", "cpsat"], ["cpsat", "highs"], ["cpsat", "highs"]) == ["highs", "cpsat"]
    assert prefer_proof(["tsp-ils", "lkh"], ["lkh", "tsp-ils"], ["cpsat"]) == ["tsp-ils", "lkh"]


def test_shipped_selectors_send_knapsacks_too_large_for_dp_elsewhere():
    """Trained with knapsacks where dynamic programming cannot finish (benchmarks/data/
    knapsack_large) and the feature that measures its work (`dp_cells`: items x capacity, or
    the core's where reduced-cost fixing leaves a smaller one), the shipped selectors keep
    knapsack-dp first only where it proves the optimum in time. On the held-apart set the
    1,200-item (inverse, almost) strongly correlated knapsacks (n x C 5e9-6e9, a core nearly as
    large) go to HiGHS or CP-SAT at every limit, the 1,200-item uncorrelated and weakly
    correlated ones, whose core is 1e7-2e8 cells, to knapsack-dp at 10 s, and the 150-item ones
    to knapsack-dp."""
    from omnisolve.algorithms.knapsack_dp import PREFER_CELLS
    from omnisolve.bench.suites import load_suite

    held = {i.name: read(i.path) for i in load_suite("knapsack_heldapart").instances}
    kinds = ("strongly", "inverse_strongly", "almost_strongly", "subset_sum")
    large = [held[f"{kind}_h1200"] for kind in kinds]
    assert all(features(k)["dp_cells"] > 5 * PREFER_CELLS for k in large)
    for limit in (1, 5, 10):
        firsts = [choose(k, time_limit=limit).ranked[0] for k in large]
        assert set(firsts) <= {"highs", "cpsat"}, (limit, firsts)
    for name in ("uncorrelated_h1200", "weakly_h1200"):
        assert features(held[name])["dp_cells"] < PREFER_CELLS
        assert choose(held[name], time_limit=10).ranked[0] == "knapsack-dp"
    assert choose(held["weakly_h150"], time_limit=10).ranked[0] == "knapsack-dp"


def test_shipped_selector_keeps_proofs_within_reach_for_small_tsps():
    """rat99: LKH finds the optimum first but cannot prove it; tsp-dfj proves it in about a
    second, so auto puts the prover first at every limit, and on two cores races it beside LKH.
    pr1002, where no prover finishes (training now has TSPs up to 724 nodes), gets a heuristic."""
    rat99 = read(BENCHDATA / "tsp" / "rat99.tsp")
    for limit in (None, 1, 5, 10, 60):
        assert choose(rat99, time_limit=limit).ranked[0] == "tsp-dfj", limit
    assert choose(rat99, time_limit=10).contenders == ["tsp-dfj", "lkh"]
    pr1002 = read(BENCHDATA / "tsp" / "pr1002.tsp")
    for limit in (1, 10):
        assert choose(pr1002, time_limit=limit).ranked[0] in ("lkh", "tsp-ils"), limit
