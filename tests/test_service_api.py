"""The REST API on SQLite and PostgreSQL: auth, submission and validation, listing, ownership,
cancellation, events, downloads, figures, health and the checked-in OpenAPI schema."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from service_fixtures import DATA, api, db_url, parse_sse, postgres_server, sqlite_api, sqlite_url  # noqa: F401

ROOT = Path(__file__).resolve().parents[1]


def finish(api, job_id: str, result: dict | None = None, status: str = "succeeded") -> None:
    """Play a worker: claim the job and record an outcome (no solver needed)."""
    store = api.client.app.state.store
    assert store.claim("test-worker")["id"] == job_id
    store.heartbeat(job_id, "test-worker", [("incumbent", {"t": 0.1, "objective": 60.0, "bound": 50.0})])
    detail = {"values": [1.0, 2.0], "log": "solver log"}
    store.finish(
        job_id,
        "test-worker",
        status,
        result=result,
        detail=detail if result else None,
        error=None if status == "succeeded" else "boom",
    )


MODEL = {
    "omnisolve_format": "model",
    "version": 1,
    "name": "tiny",
    "variables": [{"name": "x", "ub": 4}, {"name": "y", "ub": 10, "type": "integer"}],
    "objective": {"sense": "max", "linear": {"x": 1, "y": 1}},
    "constraints": [{"name": "c", "ub": 10, "coefficients": {"x": 3, "y": 2}}],
}
RESULT = {
    "status": "optimal",
    "objective": 55.0,
    "bound": 55.0,
    "gap": 0.0,
    "solution": [[0, 1]],
    "runtime": 0.5,
    "solver": "cpsat",
    "solver_version": "9",
    "trace": [[0.1, 60.0, 50.0], [0.5, 55.0, 55.0]],
    "message": "",
    "certificate": {"verdict": "pass", "objective": 55.0},
    "problem_name": "ft06",
}


def test_health_needs_no_token(api):
    assert api.client.get("/health").json() == {"status": "ok", "database": "ok", "version": "0.1.0"}


def test_health_is_503_json_while_the_database_is_unreachable(postgres_server):
    """The database refuses connections (PostgreSQL told to, its sessions ended): /health says
    so with 503 and a JSON body, and recovers when the database does."""
    import time

    import psycopg

    from service_fixtures import _new_postgres_db, api_for

    url = _new_postgres_db(postgres_server)
    name = url.rsplit("/", 1)[1]
    admin = psycopg.connect(postgres_server.replace("postgresql+psycopg", "postgresql") + "/postgres", autocommit=True)
    with admin, api_for(url) as api:
        assert api.client.get("/health").status_code == 200
        admin.execute(f"ALTER DATABASE {name} WITH ALLOW_CONNECTIONS false")
        admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,))
        down = api.client.get("/health")
        assert down.status_code == 503
        assert down.json()["status"] == "degraded" and down.json()["database"].startswith("error: ")
        admin.execute(f"ALTER DATABASE {name} WITH ALLOW_CONNECTIONS true")
        deadline = time.monotonic() + 10
        while (up := api.client.get("/health")).status_code != 200 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert up.json() == {"status": "ok", "database": "ok", "version": up.json()["version"]}


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong"}, {"Authorization": "Basic abc"}])
def test_missing_or_bad_token_is_401_json(api, headers):
    for method, path in [("get", "/jobs"), ("post", "/jobs"), ("get", "/jobs/" + "0" * 32)]:
        response = getattr(api.client, method)(path, headers=headers)
        assert response.status_code == 401
        assert "Bearer" in response.json()["detail"]


def test_revoked_token_is_refused(api):
    store = api.client.app.state.store
    assert api.client.get("/jobs", headers=api.bob).status_code == 200
    assert store.revoke_tokens(user_name="bob") == 1
    assert api.client.get("/jobs", headers=api.bob).status_code == 401


def test_submit_upload_then_get_and_list(api):
    job = api.submit("ft06.txt", time_limit=5, name="six by six")
    assert job["status"] == "queued" and job["problem_kind"] == "jobshop" and job["filename"] == "ft06.txt"
    assert job["time_limit"] == 5 and job["name"] == "six by six" and job["attempts"] == 0 and job["result"] is None
    assert api.client.get(f"/jobs/{job['id']}", headers=api.alice).json() == job
    listing = api.client.get("/jobs", headers=api.alice).json()
    assert listing["total"] == 1 and listing["items"] == [job]


def test_submit_json_content_and_json_model(api):
    text = (DATA / "strongly_100.kp").read_text()
    job = api.client.post(
        "/jobs", headers=api.alice, json={"content": text, "filename": "k.kp", "time_limit": 3}
    ).json()
    assert job["problem_kind"] == "knapsack" and job["filename"] == "k.kp"
    response = api.client.post("/jobs", headers=api.alice, json={"model": MODEL, "solver": "highs", "name": "m"})
    assert response.status_code == 201, response.text
    assert response.json()["filename"] == "model.json" and response.json()["problem_kind"] == "milp"
    broken = {**MODEL, "constraints": [{"name": "c", "ub": 10, "coefficients": {"nosuch": 1}}]}
    response = api.client.post("/jobs", headers=api.alice, json={"model": broken})
    assert response.status_code == 422 and "nosuch" in response.json()["detail"], response.text


def test_list_pagination_and_status_filter(api):
    ids = [api.submit("ft06.txt")["id"] for _ in range(3)]
    page = api.client.get("/jobs?limit=2&offset=0", headers=api.alice).json()
    assert page["total"] == 3 and page["limit"] == 2 and len(page["items"]) == 2
    rest = api.client.get("/jobs?limit=2&offset=2", headers=api.alice).json()
    assert [j["id"] for j in page["items"] + rest["items"]] == ids[::-1]  # newest first
    api.client.delete(f"/jobs/{ids[0]}", headers=api.alice)
    cancelled = api.client.get("/jobs?status=cancelled", headers=api.alice).json()
    assert [j["id"] for j in cancelled["items"]] == [ids[0]]
    assert api.client.get("/jobs?status=bogus", headers=api.alice).status_code == 422
    assert api.client.get("/jobs?limit=0", headers=api.alice).status_code == 422


def test_other_users_jobs_are_404_everywhere(api):
    job_id = api.submit("ft06.txt")["id"]
    assert api.client.get("/jobs", headers=api.bob).json()["total"] == 0
    for method, path in [
        ("get", ""),
        ("delete", ""),
        ("get", "/events"),
        ("get", "/solution"),
        ("get", "/figures/progress"),
    ]:
        response = getattr(api.client, method)(f"/jobs/{job_id}{path}", headers=api.bob)
        assert response.status_code == 404, (method, path)
        assert job_id in response.json()["detail"]
    assert api.client.get(f"/jobs/{job_id}", headers=api.alice).json()["status"] == "queued"


def test_bad_file_is_422_naming_file_and_line(api):
    response = api.client.post("/jobs", headers=api.alice, files={"file": ("shop.txt", b"2 2\n0 3 1 2\n0 x\n")})
    assert response.status_code == 422
    assert response.json()["detail"].startswith("shop.txt:3:")
    assert api.client.get("/jobs", headers=api.alice).json()["total"] == 0  # nothing was queued


def test_a_nan_in_an_mps_upload_is_422_naming_its_line(api):
    mps = (
        b"NAME t\nROWS\n N obj\n L c1\nCOLUMNS\n x obj 1 c1 1\n y obj 2 c1 nan\n"
        b"RHS\n RHS c1 4\nBOUNDS\n UP BND x 3\nENDATA\n"
    )
    response = api.client.post("/jobs", headers=api.alice, files={"file": ("t.mps", mps)})
    assert response.status_code == 422
    assert response.json()["detail"].startswith("t.mps:7:") and "nan" in response.json()["detail"].lower()
    assert api.client.get("/jobs", headers=api.alice).json()["total"] == 0


def test_a_named_race_is_accepted_and_an_unknown_racer_is_422(api):
    ok = api.client.post(
        "/jobs",
        headers=api.alice,
        files={"file": ("afiro.mps", (DATA / "afiro.mps").read_bytes())},
        data={"solver": "race:highs,scip"},
    )
    assert ok.status_code == 201 and ok.json()["solver"] == "race:highs,scip"
    bad = api.client.post(
        "/jobs",
        headers=api.alice,
        files={"file": ("afiro.mps", (DATA / "afiro.mps").read_bytes())},
        data={"solver": "race:highs,nosuch"},
    )
    assert bad.status_code == 422 and "nosuch" in bad.json()["detail"]


def test_python_upload_is_refused(api):
    response = api.client.post(
        "/jobs", headers=api.alice, files={"file": ("model.py", b"import os\nos.system('true')\n")}
    )
    assert response.status_code == 422
    assert "never run" in response.json()["detail"] and "model.py" in response.json()["detail"]


def test_unknown_and_refusing_solvers_are_422(api):
    response = api.client.post(
        "/jobs",
        headers=api.alice,
        files={"file": ("ft06.txt", (DATA / "ft06.txt").read_bytes())},
        data={"solver": "nosuch"},
    )
    assert response.status_code == 422 and "unknown solver 'nosuch'" in response.json()["detail"]
    response = api.client.post(
        "/jobs",
        headers=api.alice,
        files={"file": ("berlin52.tsp", (DATA / "berlin52.tsp").read_bytes())},
        data={"solver": "knapsack-dp"},
    )
    assert response.status_code == 422 and response.json()["detail"].startswith(
        "solver knapsack-dp cannot solve berlin52.tsp"
    )
    response = api.client.post(
        "/jobs", headers=api.alice, json={"content": "x", "filename": "a.kp", "solver": "refuse"}
    )
    assert response.status_code == 422


@pytest.mark.parametrize(
    "body, field",
    [
        ({"content": "x", "time_limit": 0}, "time_limit"),
        ({"content": "x", "threads": 0}, "threads"),
        ({"content": "x", "gap": 1.5}, "gap"),
        ({"content": "x", "memory_mb": 1}, "memory_mb"),
        ({"content": "x", "colour": "red"}, "colour"),
        ({"content": "x", "model": {}}, None),
        ({}, None),
    ],
)
def test_invalid_options_are_422_naming_the_field(api, body, field):
    response = api.client.post("/jobs", headers=api.alice, json=body)
    assert response.status_code == 422
    errors = response.json()["detail"]
    assert errors[0]["loc"][0] == "body" and (field is None or errors[0]["loc"][-1] == field), errors


def test_form_option_validation_and_missing_file(api):
    response = api.client.post("/jobs", headers=api.alice, files={"file": ("ft06.txt", b"x")}, data={"threads": "many"})
    assert response.status_code == 422 and response.json()["detail"][0]["loc"] == ["body", "threads"]
    response = api.client.post("/jobs", headers=api.alice, data={"solver": "auto"}, files={"other": ("ft06.txt", b"x")})
    assert response.status_code == 422 and response.json()["detail"][0]["loc"] == ["body", "file"]


def test_malformed_json_and_wrong_content_type(api):
    response = api.client.post("/jobs", headers={**api.alice, "Content-Type": "application/json"}, content=b"{not json")
    assert response.status_code == 422
    response = api.client.post("/jobs", headers={**api.alice, "Content-Type": "text/plain"}, content=b"hello")
    assert response.status_code == 415 and "multipart/form-data" in response.json()["detail"]


def test_oversize_upload_is_413_json(sqlite_url):
    from service_fixtures import api_for

    with api_for(sqlite_url, max_upload_bytes=10_000) as small:
        content = (DATA / "berlin52.tsp").read_bytes() * 20
        response = small.client.post("/jobs", headers=small.alice, files={"file": ("big.tsp", content)})
        assert response.status_code == 413 and "10000 bytes" in response.json()["detail"]

        def chunks():  # no Content-Length: the limit must hold while the body streams in
            for _ in range(100):
                yield b" " * 1000

        response = small.client.post(
            "/jobs", headers={**small.alice, "Content-Type": "application/json"}, content=chunks()
        )
        assert response.status_code == 413
        assert small.submit("ft06.txt")["status"] == "queued"


def test_cancel_queued_then_409_and_events_replay(api):
    job_id = api.submit("ft06.txt")["id"]
    cancelled = api.client.delete(f"/jobs/{job_id}", headers=api.alice).json()
    assert (
        cancelled["status"] == "cancelled"
        and cancelled["finished_at"]
        and cancelled["error"] == "cancelled by the user"
    )
    again = api.client.delete(f"/jobs/{job_id}", headers=api.alice)
    assert again.status_code == 409 and "already cancelled" in again.json()["detail"]
    assert api.client.get("/jobs/" + "f" * 32, headers=api.alice).status_code == 404
    assert api.client.get("/jobs/not-an-id", headers=api.alice).status_code == 422
    stream = api.client.get(f"/jobs/{job_id}/events", headers=api.alice)
    assert stream.headers["content-type"].startswith("text/event-stream")
    assert parse_sse(stream.text) == [
        ("status", {"status": "queued"}),
        ("status", {"status": "cancelled"}),
        ("end", {"status": "cancelled"}),
    ]


def test_running_job_cancel_is_requested(api):
    job_id = api.submit("ft06.txt")["id"]
    store = api.client.app.state.store
    store.claim("w")
    job = api.client.delete(f"/jobs/{job_id}", headers=api.alice).json()
    assert job["status"] == "running" and job["cancel_requested"] is True
    assert store.heartbeat(job_id, "w") is True  # what the worker sees on its next beat


def test_finished_job_result_solution_download_and_events(api):
    job_id = api.submit("ft06.txt")["id"]
    assert api.client.get(f"/jobs/{job_id}/solution", headers=api.alice).status_code == 404
    finish(api, job_id, RESULT)
    job = api.client.get(f"/jobs/{job_id}", headers=api.alice).json()
    assert job["status"] == "succeeded" and job["attempts"] == 1 and job["result"]["objective"] == 55.0
    assert "values" not in job["result"] and "log" not in job["result"]
    assert job["result"]["certificate"]["verdict"] == "pass"
    download = api.client.get(f"/jobs/{job_id}/solution", headers=api.alice)
    assert download.headers["content-disposition"].startswith('attachment; filename="ft06-')
    assert download.json()["values"] == [1.0, 2.0] and download.json()["log"] == "solver log"
    events = parse_sse(api.client.get(f"/jobs/{job_id}/events", headers=api.alice).text)
    assert [e[0] for e in events] == ["status", "status", "incumbent", "status", "end"]
    assert events[2][1] == {"t": 0.1, "objective": 60.0, "bound": 50.0}
    resumed = api.client.get(f"/jobs/{job_id}/events", headers={**api.alice, "Last-Event-ID": "1000000"})
    assert parse_sse(resumed.text) == [("end", {"status": "succeeded"})]
    assert api.client.delete(f"/jobs/{job_id}", headers=api.alice).status_code == 409


def test_figures_are_drawn_from_the_job_in_a_child(api):
    """The API reads the job's problem again in a confined child (as an upload's check) and
    draws it: the progress chart from the stored incumbents, then from the result's trace; a
    solution its problem rejects has no picture; a model's values come from the result's detail."""

    def figure(job_id: str, kind: str):
        return api.client.get(f"/jobs/{job_id}/figures/{kind}", headers=api.alice)

    def series(response) -> dict:
        assert response.status_code == 200, response.text
        return {trace["name"]: trace["y"] for trace in response.json()["data"]}

    job_id = api.submit("ft06.txt")["id"]
    assert figure(job_id, "progress").status_code == 404 and figure(job_id, "solution").status_code == 404
    finish(api, job_id, RESULT)
    assert series(figure(job_id, "progress")) == {"incumbent": [60.0, 55.0], "bound": [50.0, 55.0]}
    assert "minimize" in json.dumps(figure(job_id, "progress").json()["layout"])
    assert figure(job_id, "solution").status_code == 404  # [[0, 1]] is no schedule of ft06
    assert figure(job_id, "other").status_code == 422

    model_job = api.client.post("/jobs", headers=api.alice, json={"model": MODEL, "solver": "highs"}).json()["id"]
    finish(api, model_job, {**RESULT, "solution": None, "problem_name": "tiny"})
    table = figure(model_job, "solution").json()["data"][0]
    assert table["type"] == "table" and table["cells"]["values"] == [["x", "y"], ["1", "2"]]
    assert "maximize" in json.dumps(figure(model_job, "progress").json()["layout"])


def test_failed_job_reports_the_error(api):
    job_id = api.submit("ft06.txt")["id"]
    finish(api, job_id, None, status="failed")
    job = api.client.get(f"/jobs/{job_id}", headers=api.alice).json()
    assert job["status"] == "failed" and job["error"] == "boom" and job["result"] is None


def test_openapi_file_is_current(sqlite_api):
    from omnisolve.service.openapi_file import REGENERATE, openapi_text

    checked_in = (ROOT / "docs" / "openapi.json").read_text()
    assert checked_in == openapi_text(), f"docs/openapi.json is out of date; regenerate it with `{REGENERATE}`"
    paths = json.loads(checked_in)["paths"]
    assert {"/jobs", "/jobs/{job_id}", "/jobs/{job_id}/events", "/health"} <= set(paths)
    assert set(paths["/jobs"]["post"]["requestBody"]["content"]) == {"application/json", "multipart/form-data"}


def test_unexpected_errors_are_500_json_and_the_service_lives_on(api, monkeypatch):
    from fastapi.testclient import TestClient

    store = api.client.app.state.store
    monkeypatch.setattr(store, "list_jobs", lambda *a, **k: 1 / 0)
    client = TestClient(api.client.app, raise_server_exceptions=False)
    response = client.get("/jobs", headers=api.alice)
    assert response.status_code == 500 and response.json() == {"detail": "internal error: ZeroDivisionError"}
    monkeypatch.undo()
    assert client.get("/jobs", headers=api.alice).status_code == 200


def test_migrations_match_the_table_definitions(api):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from omnisolve.service.tables import metadata

    with api.client.app.state.store.engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), metadata) == []
