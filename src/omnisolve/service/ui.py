"""Web UI: three static HTML pages (submit + job list, one job, a problem described in words),
their scripts and styles, the bundled plotly.js, and the solver list the submit form offers.

Pages load without a token; their scripts send the token the user stores in the page header
with every /jobs call. None of these routes belong to the API schema.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse, RedirectResponse

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


@router.get("/ui")
def submit_page() -> FileResponse:
    return FileResponse(STATIC / "index.html")


@router.get("/ui/jobs/{job_id}")
def job_page(job_id: str) -> FileResponse:
    return FileResponse(STATIC / "job.html")


@router.get("/ui/nl")
def words_page() -> FileResponse:
    return FileResponse(STATIC / "nl.html")


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
