"""The checked-in OpenAPI schema (docs/openapi.json): generate it, or compare it with the app's."""

from __future__ import annotations

import json
from pathlib import Path

REGENERATE = "omnisolve serve --openapi docs/openapi.json"


def openapi_text() -> str:
    """The app's schema as stable, diff-friendly JSON text."""
    from omnisolve.service.app import create_app
    from omnisolve.service.config import Settings

    return json.dumps(create_app(Settings()).openapi(), indent=2, sort_keys=True) + "\n"


def write_openapi(path: Path) -> None:
    Path(path).write_text(openapi_text())
