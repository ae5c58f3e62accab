"""Schemathesis fuzzes every operation of the API from its OpenAPI schema, in process, with a
valid token, over each store (SQLite and PostgreSQL): no input may cause a server error."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any, Iterator

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from omnisolve.service.app import create_app
from omnisolve.service.auth import create_token
from omnisolve.service.config import Settings
from service_fixtures import _new_postgres_db, postgres_server  # noqa: F401


class _StoreUnderTest:
    """An ASGI app passing each request to the app of the store under test: the schema is read
    once (it does not depend on the store) and the same generated cases run against each."""

    def __init__(self) -> None:
        self.app: Any = create_app(Settings(db_url=self.sqlite_url()))

    @staticmethod
    def sqlite_url() -> str:
        return f"sqlite:///{Path(tempfile.mkdtemp(prefix='omnisolve-fuzz-')) / 'fuzz.db'}"

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        await self.app(scope, receive, send)


UNDER_TEST = _StoreUnderTest()
schema = schemathesis.openapi.from_asgi("/openapi.json", UNDER_TEST)


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def headers(request: pytest.FixtureRequest) -> Iterator[dict[str, str]]:
    """Open the store's app once per store; schemathesis's clients then reach it through
    UNDER_TEST. Yields the fuzzer's auth headers."""
    url = (
        UNDER_TEST.sqlite_url()
        if request.param == "sqlite"
        else _new_postgres_db(request.getfixturevalue("postgres_server"))
    )
    app = create_app(Settings(db_url=url, max_upload_bytes=200_000))
    with TestClient(app):
        UNDER_TEST.app = app
        yield {"Authorization": f"Bearer {create_token(url, 'fuzzer')}"}


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_input_causes_a_server_error(case, headers):
    response = case.call(headers=headers)
    if case.path == "/nl" and response.status_code == 503:  # no language model configured here: said, documented
        assert "no language model" in response.json()["detail"]
        return
    case.validate_response(response, checks=[not_a_server_error])
