"""The web UI: its routes on a bare app (pages load without a token, plotly.js comes from the
installed package, nothing outside the static folder is served, no route in the API schema),
then end to end in headless Chromium against a real `omnisolve serve`: paste the token, upload
ft06 and berlin52, and read the certified optimum and the drawn solution off the job page.

The browser is the system /usr/bin/chromium (never `playwright install`); without it the
browser tests skip, unless OMNISOLVE_REQUIRE_BROWSER=1 makes that a failure. Screenshots go to
OMNISOLVE_ARTIFACTS (default test-artifacts/); with OMNISOLVE_UPDATE_DOCS=1 the job pages also
replace the README's pictures in docs/img/.
"""

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import plotly
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

import omnisolve as om
from conftest import BENCHDATA
from omnisolve.service import ui
from omnisolve.solvers import registry

REPO = Path(__file__).resolve().parents[1]
DATA = Path(om.__file__).parent / "data"
CHROMIUM = Path("/usr/bin/chromium")
BROWSER_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIME_LIMIT = "10"
SOLVE_TIMEOUT_MS = 40_000


# ---- the router on a bare app -------------------------------------------------------------------
@pytest.fixture(scope="module")
def client() -> TestClient:
    app = FastAPI()
    app.include_router(ui.router)
    return TestClient(app)


def test_pages_load_without_a_token(client: TestClient) -> None:
    home = client.get("/", follow_redirects=False)
    assert home.status_code in (302, 307) and home.headers["location"] == "/ui"
    index = client.get("/ui")
    assert index.status_code == 200 and 'id="submit-form"' in index.text
    job = client.get("/ui/jobs/any-id")
    assert job.status_code == 200 and 'id="solution"' in job.text and "/static/plotly.min.js" in job.text
    scripts = [(name, "javascript") for name in ("app.js", "submit.js", "job.js")]
    for name, kind in [*scripts, ("style.css", "css")]:
        response = client.get(f"/static/{name}")
        assert response.status_code == 200 and kind in response.headers["content-type"], name


def test_plotly_comes_from_the_installed_package(client: TestClient) -> None:
    response = client.get("/static/plotly.min.js")
    assert response.status_code == 200
    assert "javascript" in response.headers["content-type"]
    bundled = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    assert response.content == bundled.read_bytes()


@pytest.mark.parametrize("path", ["/static/nothing.js", "/static/.hidden", "/static/..%2Fui.py", "/static/../ui.py"])
def test_nothing_outside_the_static_folder_is_served(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert "router" not in response.text


def test_solver_list_names_every_backend(client: TestClient) -> None:
    solvers = client.get("/ui/solvers").json()
    assert [s["name"] for s in solvers] == registry.names()
    assert all(isinstance(s["available"], bool) and s["description"] for s in solvers)
    assert {"jobshop-lns", "lkh"} <= {s["name"] for s in solvers if s["available"]}


def test_ui_routes_stay_out_of_the_api_schema(client: TestClient) -> None:
    assert client.get("/openapi.json").json()["paths"] == {}


# ---- end to end in the browser -------------------------------------------------------------------
@pytest.fixture(scope="module")
def artifacts() -> Path:
    folder = Path(os.environ.get("OMNISOLVE_ARTIFACTS", REPO / "test-artifacts"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    """(base URL, API token) of a real `omnisolve serve` with two workers on a fresh SQLite DB."""
    from service_fixtures import running_service

    db = f"sqlite:///{tmp_path_factory.mktemp('ui-e2e') / 'jobs.db'}"
    created = subprocess.run(
        [sys.executable, "-m", "omnisolve.cli", "token", "create", "e2e", "--db", db],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert created.returncode == 0, created.stderr
    token = created.stdout.strip()
    with running_service(db, workers=2) as base:
        yield base, token


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is not installed (apt-get install chromium); the browser tests need it"
        if os.environ.get("OMNISOLVE_REQUIRE_BROWSER") == "1":
            pytest.fail(reason + " and OMNISOLVE_REQUIRE_BROWSER=1")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=BROWSER_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, service: tuple[str, str]):
    """A page on /ui with the token pasted into the header field; JS errors fail the test."""
    base, token = service
    context = browser.new_context(viewport={"width": 1200, "height": 900}, base_url=base)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto("/ui")
    page.fill("#token", token)
    page.press("#token", "Enter")
    yield page
    context.close()
    assert not errors, errors


def upload(page, path: Path, time_limit: str = TIME_LIMIT) -> None:
    """Submit `path` with the default solver (auto) and land on its job page."""
    page.set_input_files("#file", str(path))
    page.fill("#time_limit", time_limit)
    page.click("#submit")
    page.wait_for_url("**/ui/jobs/*")


def solve_in_ui(page, path: Path) -> None:
    """Upload `path` and wait on its job page for success and the solution picture."""
    upload(page, path)
    page.wait_for_selector("#status.succeeded", timeout=SOLVE_TIMEOUT_MS)
    page.wait_for_function("() => (document.querySelector('#solution').data || []).length > 0")


def plotted(page, selector: str) -> list[dict]:
    """The traces plotly.js drew into `selector`: type, name and points."""
    return page.evaluate(
        """sel => Array.from(document.querySelector(sel).data,
            t => ({type: t.type, name: t.name, x: Array.from(t.x || []), y: Array.from(t.y || [])}))""",
        selector,
    )


def keep_screenshot(page, artifacts: Path, name: str) -> None:
    page.wait_for_timeout(300)  # let plotly finish its transitions
    shot = artifacts / f"{name}.png"
    page.screenshot(path=str(shot), full_page=True)
    if os.environ.get("OMNISOLVE_UPDATE_DOCS") == "1":
        shutil.copyfile(shot, REPO / "docs" / "img" / f"{name}.png")


def test_ft06_job_page_shows_the_optimal_schedule(page, artifacts: Path) -> None:
    solve_in_ui(page, DATA / "ft06.txt")
    assert page.inner_text("#objective") == "55"
    assert page.inner_text("#verdict") == "pass"
    assert page.inner_text("#optimality") == "proven"  # by a witness run, or the one-machine bound
    assert "confirmed" in page.get_attribute("#optimality", "title") or "bound" in page.get_attribute(
        "#optimality", "title"
    )
    assert page.is_hidden("#refutation-row")
    assert page.is_disabled("#cancel") and page.is_enabled("#download")
    bars = [t for t in plotted(page, "#solution") if t["type"] == "bar"]
    assert len(bars) == 6  # one colour per job
    assert sum(len(b["x"]) for b in bars) == 36  # one bar per operation
    assert page.locator("#solution .bars .point").count() == 36  # and all of them drawn
    page.wait_for_function("() => (document.querySelector('#progress').data || []).length > 0")
    keep_screenshot(page, artifacts, "ui-ft06")


def test_berlin52_job_page_shows_the_optimal_tour(page, artifacts: Path) -> None:
    solve_in_ui(page, DATA / "berlin52.tsp")
    assert page.inner_text("#objective") == "7542"
    assert page.inner_text("#verdict") == "pass"
    assert page.inner_text("#optimality") == "proven"  # CP-SAT's claim, confirmed by tsp-dfj
    (tour,) = [t for t in plotted(page, "#solution") if t["name"] == "tour"]
    assert len(tour["x"]) == 53 and (tour["x"][0], tour["y"][0]) == (tour["x"][-1], tour["y"][-1])
    keep_screenshot(page, artifacts, "ui-berlin52")


def test_without_the_cross_check_an_optimum_stays_a_claim(page) -> None:
    page.select_option("#cross_check", "off")
    solve_in_ui(page, DATA / "berlin52.tsp")
    assert page.inner_text("#objective") == "7542"
    assert page.inner_text("#optimality") == "claimed"  # CP-SAT's word only, and the page says so


def test_a_running_job_draws_live_incumbents_and_can_be_cancelled(page) -> None:
    hard = BENCHDATA / "jobshop" / "abz7.txt"
    if not hard.exists():
        pytest.skip(f"benchmark instance {hard} not present")
    upload(page, hard, time_limit="60")
    page.wait_for_selector("#status.running", timeout=SOLVE_TIMEOUT_MS)
    page.wait_for_selector("#progress .scatterlayer .trace .point")  # drawn, not only stored
    assert page.inner_text("#objective") != "–"  # the latest incumbent, from the event stream
    page.click("#cancel")
    page.wait_for_selector("#status.cancelled", timeout=SOLVE_TIMEOUT_MS)
    assert page.is_disabled("#cancel")


def test_job_list_links_the_finished_jobs(page, service: tuple[str, str], artifacts: Path) -> None:
    """The test submits its own two jobs (through the API) and finds them finished in the list."""
    import httpx

    base, token = service
    auth = {"Authorization": f"Bearer {token}"}
    ids = [
        httpx.post(
            f"{base}/jobs",
            headers=auth,
            files={"file": (name, (DATA / name).read_bytes())},
            data={"time_limit": TIME_LIMIT},
            timeout=30,
        ).json()["id"]
        for name in ("ft06.txt", "berlin52.tsp")
    ]
    deadline = time.monotonic() + SOLVE_TIMEOUT_MS / 1000
    while any(httpx.get(f"{base}/jobs/{i}", headers=auth).json()["status"] != "succeeded" for i in ids):
        assert time.monotonic() < deadline, "the jobs did not finish"
        time.sleep(0.3)
    page.reload()
    page.wait_for_selector("#jobs tr", timeout=5_000)
    rows = page.locator("#jobs tr")
    texts = [rows.nth(k).inner_text() for k in range(rows.count())]
    assert any("ft06" in t and "succeeded" in t and "55" in t for t in texts), texts
    assert any("berlin52" in t and "succeeded" in t and "7542" in t for t in texts), texts
    page.screenshot(path=str(artifacts / "ui-jobs.png"), full_page=True)


def test_bad_input_shows_the_servers_message(page) -> None:
    page.fill("#content", "this is not a TSP file")
    page.fill("#filename", "broken.tsp")
    page.click("#submit")
    message = page.locator("#submit-error")
    message.wait_for(state="visible")
    page.wait_for_function("() => document.querySelector('#submit-error').textContent.length > 0")
    assert "broken.tsp" in message.inner_text()
    assert page.url.endswith("/ui")


def test_without_a_token_the_page_says_what_is_missing(page) -> None:
    page.fill("#token", "")
    page.press("#token", "Enter")
    page.reload()
    page.wait_for_selector("#notice:not([hidden])")
    assert "API token" in page.inner_text("#notice")
