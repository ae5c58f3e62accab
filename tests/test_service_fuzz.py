"""Schemathesis fuzzes every operation of the API from its OpenAPI schema, in process, with a
valid token: no input may cause a server error."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from omnisolve.service.app import create_app
from omnisolve.service.auth import create_token
from omnisolve.service.config import Settings

_DB = f"sqlite:///{Path(tempfile.mkdtemp(prefix='omnisolve-fuzz-')) / 'fuzz.db'}"
app = create_app(Settings(db_url=_DB, max_upload_bytes=200_000))
HEADERS = {"Authorization": f"Bearer {create_token(_DB, 'fuzzer')}"}
schema = schemathesis.openapi.from_asgi("/openapi.json", app)


@pytest.fixture(scope="module", autouse=True)
def lifespan():
    """Open the app's store once; schemathesis's own clients then share it."""
    with TestClient(app):
        yield


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_input_causes_a_server_error(case):
    case.call_and_validate(headers=HEADERS, checks=[not_a_server_error])
