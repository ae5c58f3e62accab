"""The natural-language front end (omnisolve.nl, `omnisolve nl`, POST /nl, `omnisolve bench nl`)
against a real OpenAI-compatible HTTP server on 127.0.0.1 that replays scripted answers
(tests/nl_replay.py): no language model anywhere, nothing from the network.

The word problem is NL4Opt's duck-transport problem from ../shared/benchdata/nl, whose answer
(1160) the dataset gives: boat trips b <= 12, canoe trips c, 10 b + 8 c >= 300 ducks, canoes at
least 60 % of the trips, minimize 20 b + 40 c minutes, b and c integer -> b = 12, c = 23."""

from __future__ import annotations

import copy
import csv
import json
import logging
import os
from pathlib import Path

import pytest

import omnisolve as om
from conftest import BENCHDATA, grace, run_cli
from nl_replay import ReplayServer, fenced
from omnisolve.errors import InputError
from omnisolve.io.json_model import parse_json
from omnisolve.nl import EndpointError, FormulationError
from omnisolve.nl.evaluation import load_items, score
from omnisolve.result import Status
from service_fixtures import api_for, free_port, sqlite_url  # noqa: F401  (fixture)
from test_service_ui_e2e import browser  # noqa: F401  (fixture: system Chromium, else the test skips)

NL_DATA = BENCHDATA / "nl"
ROOT = Path(__file__).resolve().parents[1]
KEY = "sk-test-DO-NOT-LEAK-0123456789"


def _ducks() -> dict:
    with (NL_DATA / "nl4opt_answers.jsonl").open() as fh:
        return next(item for item in map(json.loads, fh) if item["id"] == "nl4opt-LPWP_prob_152")


DUCKS = _ducks()
QUESTION, ANSWER = DUCKS["question"], DUCKS["answer"]
FORMULATION = {
    "sets": {},
    "parameters": {"boat_ducks": 10, "canoe_ducks": 8, "boat_minutes": 20, "canoe_minutes": 40, "max_boat_trips": 12},
    "variables": {"b": "boat trips, integer >= 0", "c": "canoe trips, integer >= 0"},
    "objective": "minimize 20 b + 40 c",
    "constraints": ["10 b + 8 c >= 300", "b <= 12", "c >= 0.6 (b + c)"],
}
MODEL = {
    "omnisolve_format": "model",
    "version": 1,
    "variables": [{"name": "b", "ub": 12, "type": "integer"}, {"name": "c", "type": "integer"}],
    "objective": {"sense": "min", "linear": {"b": 20, "c": 40}},
    "constraints": [
        {"name": "ducks", "lb": 300, "coefficients": {"b": 10, "c": 8}},
        {"name": "canoe_share", "lb": 0, "coefficients": {"b": -0.6, "c": 0.4}},
    ],
}


def variant(change) -> dict:
    """MODEL changed by `change(model)`."""
    model = copy.deepcopy(MODEL)
    change(model)
    return model


UNDECLARED = variant(lambda m: m["constraints"][0]["coefficients"].update(z=1))
INFEASIBLE = variant(lambda m: m["variables"][1].update(ub=5))  # 10 * 12 + 8 * 5 < 300 ducks
UNBOUNDED = variant(lambda m: m["objective"].update(sense="max"))  # a wrong sense
CONTINUOUS = variant(lambda m: [v.pop("type") for v in m["variables"]])  # fractional trips: c = 22.5 -> 1140
BAD_JSON = json.dumps(MODEL)[:-40] + ", }"


def replay(*models: dict | str) -> ReplayServer:
    """The formulation, then the given models in turn (the last one again when asked more); a
    dict is sent in a ```json fenced block, a string as it is."""
    return ReplayServer([fenced(FORMULATION), *(fenced(m) if isinstance(m, dict) else m for m in models)])


def solve(server: ReplayServer, **options) -> om.Formulation:
    return om.formulate(QUESTION, base_url=server.base_url, model="replay", **options)


def reader_message(text: str) -> str:
    """What omnisolve's own JSON reader says about `text` (the message that must go back)."""
    with pytest.raises(InputError) as caught:
        parse_json(text.encode(), "model.json")
    return str(caught.value)


# ---- the loop ------------------------------------------------------------------------------------
def test_a_correct_first_answer_is_solved_and_certified_end_to_end():
    with replay(MODEL) as server:
        found = solve(server)
    result = found.result
    assert result.status == Status.OPTIMAL and result.objective == pytest.approx(ANSWER)
    assert result.certificate.passed and result.certificate.objective == pytest.approx(ANSWER)
    assert found.answer == {"b": 12.0, "c": 23.0}
    assert found.formulation == FORMULATION and found.model == MODEL and found.repairs == 0
    assert result.extra["nl"]["model"] == MODEL and result.extra["nl"]["candidates"][0]["objective"] == ANSWER
    first, second = server.requests
    assert QUESTION in first["body"]["messages"][1]["content"] and first["body"]["model"] == "replay"
    assert '"omnisolve_format": "model"' in second["body"]["messages"][-1]["content"]  # the format is taught
    assert first["body"]["temperature"] == 0
    assert om.solve_text is not None and om.Formulation is found.__class__


@pytest.mark.parametrize(
    "broken, expected",
    [
        (fenced(BAD_JSON), lambda: reader_message(BAD_JSON)),
        (UNDECLARED, lambda: "model.json: constraints[0].coefficients: unknown variable 'z'"),
        (INFEASIBLE, lambda: "omnisolve proved your model infeasible."),
        (UNBOUNDED, lambda: "omnisolve proved your model unbounded"),
        ("Let me think about the model first.", lambda: "no JSON found"),
    ],
    ids=["bad-json", "undeclared-variable", "infeasible", "unbounded", "no-json"],
)
def test_a_broken_first_answer_is_repaired_from_the_exact_message(broken, expected):
    with replay(broken, MODEL) as server:
        found = solve(server)
    assert found.result.status == Status.OPTIMAL and found.result.objective == pytest.approx(ANSWER)
    assert found.repairs == 1 and len(server.requests) == 3
    sent_back = server.sent[2]
    assert expected() in sent_back and sent_back == found.feedback[0]
    if broken is INFEASIBLE:  # the infeasible subset, by the model's own names
        assert "ducks (>= 300)" in sent_back and "c <= 5" in sent_back


def test_a_streamed_answer_is_put_together_piece_by_piece_and_repaired_the_same():
    pieces: list[str] = []
    with replay(UNDECLARED, MODEL) as server:
        found = solve(server, stream=True, on_text=pieces.append)
    assert found.result.status == Status.OPTIMAL and found.result.objective == pytest.approx(ANSWER)
    assert found.model == MODEL and found.repairs == 1 and found.result.certificate.passed
    assert all(r["body"]["stream"] is True for r in server.requests) and len(server.requests) == 3
    assert "".join(pieces) == fenced(FORMULATION) + fenced(UNDECLARED) + fenced(MODEL)  # every piece, in order
    assert max(map(len, pieces)) <= 16 < len(pieces)  # as it arrived, not whole
    assert found.result.extra["nl"]["tokens"] == 3 * 150  # from the usage chunk of each stream


def test_a_broken_formulation_is_repaired_too():
    with ReplayServer([fenced({"variables": {}}), fenced(FORMULATION), fenced(MODEL)]) as server:
        found = solve(server)
    assert found.result.objective == pytest.approx(ANSWER)
    assert "missing keys 'sets', 'parameters', 'objective', 'constraints'" in server.sent[1]


def test_when_the_repairs_run_out_the_error_says_why(capsys):
    with replay(UNDECLARED) as server:
        with pytest.raises(FormulationError, match="after 2 repair rounds: .*unknown variable 'z'"):
            solve(server, repairs=2)
        assert len(server.requests) == 4  # formulation, model, two repairs
        code, out, err = run_cli(capsys, "nl", QUESTION, "--base-url", server.base_url, "--repairs", "0")
    assert code == 1 and len(err.strip().splitlines()) == 1 and "unknown variable 'z'" in err


def test_a_model_that_stays_infeasible_is_the_answer(capsys):
    """The language model stands by its model (sends it back unchanged): omnisolve reports it
    infeasible with its explanation instead of spending the other rounds."""
    with replay(INFEASIBLE) as server:
        found = solve(server, repairs=3)
        assert len(server.requests) == 3
        code, out, err = run_cli(capsys, "nl", QUESTION, "--base-url", server.base_url)
    assert found.result.status == Status.INFEASIBLE and found.repairs == 1
    assert found.result.extra["explanation"]["status"] == "infeasible"
    assert code == 5 and "infeasible" in err and "ducks (>= 300)" in out


def candidates(*models: list) -> ReplayServer:
    """A replay server for several candidates: candidate k gets the formulation, then the
    models of `models[k]` in turn (the last one again when asked more)."""
    started: list[int] = []

    def script(messages):
        if len(messages) == 2:  # system and problem: a new candidate
            started.append(len(started))
            return fenced(FORMULATION)
        answers = models[started[-1]]
        return fenced(answers[min(len(messages) // 2 - 2, len(answers) - 1)])

    return ReplayServer(script)


def test_samples_choose_the_majority_and_report_the_disagreement():
    # candidate 2 forgets integrality; 1 and 3 need one repair each
    with candidates([UNDECLARED, MODEL], [CONTINUOUS], [BAD_JSON, MODEL]) as server:
        found = solve(server, samples=3)
    assert found.result.objective == pytest.approx(ANSWER)
    summary = found.summary
    assert [c["objective"] for c in summary["candidates"]] == pytest.approx([ANSWER, 1140, ANSWER])
    assert [c["repairs"] for c in summary["candidates"]] == [1, 0, 1]
    assert summary["chosen"] == 0 and summary["agreeing"] == 2 and summary["samples"] == 3
    assert {r["body"]["temperature"] for r in server.requests} == {0.7}


def test_a_tie_goes_to_the_candidate_with_fewer_repairs():
    with candidates([UNDECLARED, MODEL], [CONTINUOUS]) as server:
        found = solve(server, samples=2)
    assert found.chosen == 1 and found.result.objective == pytest.approx(1140) and found.summary["agreeing"] == 1


def test_between_equal_answers_the_model_most_candidates_share_is_chosen():
    # all three certify 1160; 2 has a redundant row. 2 and 3 needed no repair: by repairs alone 2
    # would be chosen, but 3 has the shape 1 shares too
    redundant = variant(lambda m: m["constraints"].append({"name": "spare", "ub": 1000, "coefficients": {"b": 1}}))
    with candidates([UNDECLARED, MODEL], [redundant], [MODEL]) as server:
        found = solve(server, samples=3)
    shapes = [c["structure"] for c in found.candidates]
    assert shapes == ["min, 2 variables (2 integer), 2 constraints", "min, 2 variables (2 integer), 3 constraints"] + [
        shapes[0]
    ]
    assert found.summary["agreeing"] == 3 and found.chosen == 2 and found.model == MODEL


# ---- the endpoint ----------------------------------------------------------------------------------
def test_the_api_key_is_sent_but_never_shown_logged_or_kept(monkeypatch, capsys, caplog, tmp_path):
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    caplog.set_level(logging.DEBUG)
    with replay(UNDECLARED, MODEL) as server:
        found = solve(server)
        output = tmp_path / "result.json"
        code, out, err = run_cli(capsys, "nl", QUESTION, "--base-url", server.base_url, "-o", str(output))
    assert code == 0
    assert {r["headers"]["authorization"] for r in server.requests} == {f"Bearer {KEY}"}
    refused = {"error": {"message": "Incorrect API key provided: $KEY", "type": "invalid_request_error"}}
    shown = [repr(found), found.result.to_json(), json.dumps(found.summary), output.read_text(), out, err]
    for status in (500, 401):  # endpoints quote the key they refuse
        with ReplayServer(fail=(status, refused)) as server:
            with pytest.raises(EndpointError) as caught:
                solve(server, max_retries=0)
            code, out, err = run_cli(capsys, "nl", QUESTION, "--base-url", server.base_url)
        assert code == 4 and f"HTTP {status}" in str(caught.value) and f"HTTP {status}" in err
        assert status == 401 or "***" in err  # the 500's message quoted the key: blanked out
        shown += [str(caught.value), out, err]
    shown.append(caplog.text)
    assert caplog.text and not [text for text in shown if KEY in text]


def test_an_unreachable_endpoint_is_one_line(capsys):
    url = f"http://127.0.0.1:{free_port()}/v1"  # nothing listens there
    with pytest.raises(EndpointError, match=f"language model 'replay' at {url}: cannot connect"):
        om.formulate(QUESTION, base_url=url, model="replay", max_retries=0)
    code, out, err = run_cli(capsys, "nl", QUESTION, "--base-url", url)
    assert code == 4 and len(err.strip().splitlines()) == 1 and "cannot connect" in err and not out


def test_a_missing_problem_file_or_a_bad_option_is_bad_input(capsys):
    assert run_cli(capsys, "nl", "problem.txt")[0] == 2
    assert run_cli(capsys, "nl", QUESTION, "--samples", "0")[0] == 2


# ---- the CLI and the service -------------------------------------------------------------------------
def test_cli_prints_formulation_model_answer_and_certificate(capsys, tmp_path):
    problem = tmp_path / "ducks.txt"
    problem.write_text(QUESTION)
    output = tmp_path / "result.json"
    with replay(UNDECLARED, MODEL) as server:
        code, out, err = run_cli(
            capsys, "nl", str(problem), "--base-url", server.base_url, "--model", "replay", "-o", str(output)
        )
    assert code == 0, err
    for expected in ("formulation", "canoe_share", "repair 1", "unknown variable 'z'", "1160", "optimal (proven)"):
        assert expected in out
    assert "certificate  pass" in out
    saved = json.loads(output.read_text())
    assert saved["objective"] == ANSWER and saved["extra"]["nl"]["model"] == MODEL
    assert QUESTION in server.requests[0]["body"]["messages"][1]["content"]


def test_cli_stream_echoes_the_answers_to_stderr_and_reports_on_stdout(capsys):
    with replay(MODEL) as server:
        code, out, err = run_cli(capsys, "nl", QUESTION, "--base-url", server.base_url, "-m", "replay", "--stream")
    assert code == 0, err
    assert '"omnisolve_format": "model"' in err and "canoe_share" in err  # the model as it was written
    assert "1160" in out and "certificate  pass" in out
    assert all(r["body"]["stream"] is True for r in server.requests)


def test_service_answers_with_formulation_model_answer_and_certificate(sqlite_url):  # noqa: F811
    with (
        replay(UNDECLARED, MODEL) as server,
        api_for(sqlite_url, nl_base_url=server.base_url, nl_model="replay") as api,
    ):
        response = api.client.post("/nl", json={"text": QUESTION, "samples": 1}, headers=api.alice)
        assert response.status_code == 200, response.text
        found = response.json()
        assert found["formulation"] == FORMULATION and found["model"] == MODEL
        assert found["answer"] == {"b": 12, "c": 23} and found["result"]["objective"] == ANSWER
        assert found["result"]["certificate"]["verdict"] == "pass" and "values" not in found["result"]
        assert len(found["repairs"]) == 1 and "unknown variable 'z'" in found["repairs"][0]
        assert server.requests[0]["body"]["model"] == "replay"
        assert api.client.post("/nl", json={"text": QUESTION}).status_code == 401
        pointed = {"text": QUESTION, "base_url": "http://evil.example/v1"}  # a request cannot choose the endpoint
        assert api.client.post("/nl", json=pointed, headers=api.alice).status_code == 422
    down = f"http://127.0.0.1:{free_port()}/v1"
    with api_for(sqlite_url, nl_base_url=down) as api:
        response = api.client.post("/nl", json={"text": QUESTION}, headers=api.alice)
        assert response.status_code == 502 and down not in response.json()["detail"]
    with api_for(sqlite_url) as api:
        response = api.client.post("/nl", json={"text": QUESTION}, headers=api.alice)
        assert response.status_code == 503 and "no language model" in response.json()["detail"]
        page = api.client.get("/ui/nl")
        assert page.status_code == 200 and all(f'id="{k}"' in page.text for k in ("formulation", "model", "answer"))
        assert api.client.get("/static/nl.js").status_code == 200


# ---- the benchmark -------------------------------------------------------------------------------------
def test_score_follows_the_datasets_rules(capsys):
    assert score(1160.0, 1160) == (True, True) and score(1161.0, 1160) == (False, False)
    assert score(0.0104, 0.01) == (False, True)  # equal once both are rounded to 2 decimals
    assert score("infeasible", None) == (True, True) and score(None, None) == (False, False)
    assert score("infeasible", 3.0) == (False, False)
    assert [item.dataset for item in load_items(NL_DATA, ["industryor", "nl4opt"], limit=1)] == ["industryor", "nl4opt"]
    code, out, err = run_cli(capsys, "bench", "nl", "--dataset", "nl4opt,nope", "--data", str(BENCHDATA))
    assert code == 2 and "unknown dataset nope" in err


def test_bench_nl_runs_every_dataset_against_a_replay_server(capsys, tmp_path):
    """The first two items of every answer set: the replay's model for the first gives the
    dataset's answer, for the second something else, so each dataset scores 50 %."""
    items = load_items(NL_DATA, limit=2)
    assert {item.dataset for item in items} == {
        "nl4opt",
        "mamo_easy",
        "mamo_complex",
        "industryor",
        "optibench",
        "optmath_bench",
    }
    wanted = {
        item.question: item.answer + (0 if k % 2 == 0 else max(1, abs(item.answer))) for k, item in enumerate(items)
    }

    def script(messages):
        if len(messages) == 2:
            return fenced(FORMULATION)
        value = next(v for q, v in wanted.items() if q in messages[1]["content"])
        x = [{"name": "x", "lb": None}]
        return fenced(
            {
                "omnisolve_format": "model",
                "version": 1,
                "variables": x,
                "objective": {"linear": {"x": 1}},
                "constraints": [{"name": "at_least", "lb": value, "coefficients": {"x": 1}}],
            }
        )

    with ReplayServer(script) as server:
        code, out, err = run_cli(
            capsys,
            "bench",
            "nl",
            "--limit",
            "2",
            "--base-url",
            server.base_url,
            "--model",
            "replay",
            "--out",
            str(tmp_path),
            "--data",
            str(BENCHDATA),
        )
    assert code == 0, err
    with (tmp_path / "runs.csv").open() as fh:
        runs = list(csv.DictReader(fh))
    assert len(runs) == 12 and [r["correct"] for r in runs] == ["True", "False"] * 6
    summary = (tmp_path / "summary.md").read_text()
    assert "| all | 12 | 100.0 | 50.0 |" in summary and "| industryor | 2 | 100.0 | 50.0 |" in summary
    assert "all" in out and "50.0" in out


def test_the_describe_page_shows_formulation_model_answer_and_certificate(browser, tmp_path):
    """In headless Chromium against a real `omnisolve serve` whose language model is the replay
    server: describe the problem, read the four panels side by side."""
    from omnisolve.service.auth import create_token
    from service_fixtures import running_service
    from test_service_ui_e2e import keep_screenshot

    db = f"sqlite:///{tmp_path / 'nl.db'}"
    token = create_token(db, "words")
    with replay(UNDECLARED, MODEL) as server, running_service(db, workers=0, nl_base_url=server.base_url) as base:
        page = browser.new_context(viewport={"width": 1400, "height": 1000}, base_url=base).new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto("/ui")
        page.fill("#token", token)
        page.press("#token", "Enter")  # stored for every page
        page.click("text=Describe your problem in words")
        page.wait_for_url("**/ui/nl")  # loaded: its script has read the token and holds the form
        page.fill("#text", QUESTION)
        page.click("#solve")
        page.wait_for_function(  # two model rounds, two solves; or the error the page shows
            "() => !document.getElementById('outcome').hidden || document.getElementById('nl-error').textContent",
            timeout=grace(60) * 1000,
        )
        assert not page.inner_text("#nl-error"), page.inner_text("#nl-error")
        assert page.inner_text("#objective") == "1160" and page.inner_text("#verdict") == "pass"
        assert page.inner_text("#optimality") == "proven" and page.inner_text("#status") == "optimal"
        assert "canoe_share" in page.inner_text("#model") and "boat_ducks" in page.inner_text("#formulation")
        assert "23" in page.inner_text("#answer") and "unknown variable 'z'" in page.inner_text("#repairs")
        keep_screenshot(page, Path(os.environ.get("OMNISOLVE_ARTIFACTS", ROOT / "test-artifacts")), "ui-nl")
    assert not errors, errors
