"""Web UI: three HTML pages (submit + job list, one job, a problem described in words), each
its own <main> put into the one layout (static/layout.html: head, the token header, app.js),
their scripts and styles, the bundled plotly.js, and the solver list the submit form offers.

Pages load without a token; their scripts send the token the user stores in the page header
with every /jobs call. None of these routes belong to the API schema.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse

router = APIRouter(include_in_schema=False)

STATIC = Path(__file__).with_name("static")
CACHE = {"Cache-Control": "public, max-age=86400"}


def plotly_js() -> Path:
    """plotly.min.js shipped inside the installed plotly package (no CDN, works offline)."""
    import plotly

    return Path(plotly.__file__).parent / "package_data" / "plotly.min.js"


@router.get("/")
def home() -> RedirectResponse:
    return RedirectResponse("/ui")


def page(main: str, title: str, script: str, head: str = "") -> HTMLResponse:
    """The layout with the page's <main> (a file of static/), title, own script and extra head."""
    text = (STATIC / "layout.html").read_text()
    for key, value in (
        ("title", title),
        ("head", head),
        ("body", (STATIC / main).read_text()),
        ("scripts", f'  <script src="/static/{script}"></script>\n'),
    ):
        text = text.replace("{{" + key + "}}", value)
    return HTMLResponse(text)


@router.get("/ui")
def submit_page() -> HTMLResponse:
    return page("index.html", "omnisolve", "submit.js")


@router.get("/ui/jobs/{job_id}")
def job_page(job_id: str) -> HTMLResponse:
    return page("job.html", "omnisolve job", "job.js", head='  <script src="/static/plotly.min.js"></script>\n')


@router.get("/ui/nl")
def words_page() -> HTMLResponse:
    return page("nl.html", "omnisolve · describe your problem", "nl.js")


@router.get("/ui/solvers")
def solvers() -> list[dict]:
    """Every registered backend with whether it is installed, for the submit form."""
    from omnisolve.errors import UnsupportedError
    from omnisolve.solvers import registry

    out = []
    for name in registry.names():
        try:
            backend = registry.get(name)
        except UnsupportedError as exc:
            out.append({"name": name, "available": False, "description": str(exc)})
            continue
        out.append({"name": name, "available": backend.available(), "description": backend.description})
    return out


@router.get("/static/plotly.min.js")
def plotly_bundle() -> FileResponse:
    return FileResponse(plotly_js(), media_type="text/javascript", headers=CACHE)


@router.get("/static/{filename}")
def static_file(filename: str) -> FileResponse:
    """A file of the static folder by plain name (a path parameter holds no "/", and hidden
    names are refused, so nothing outside the folder is reachable)."""
    path = STATIC / filename
    if filename.startswith(".") or not path.is_file():
        raise HTTPException(404, f"no static file {filename!r}")
    return FileResponse(path)
