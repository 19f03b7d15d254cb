"""Issue 13, item 13: a bounded schemathesis run over the desk API's own OpenAPI description.

Every operation gets a few generated requests (valid ones and ones that break the schema), sent
in-process to the app on a migrated SQLite database with a small desk in it, as an anonymous
caller, an agent, a supervisor and an admin (one test each, each on a fresh desk). A response
fails the run when it is a server error (5xx, or an exception out of the app) or carries a status
code the operation does not document. All findings are collected and shown together, so one run
lists everything that is wrong; each one fixed has its own test in test_fuzz_findings.py.

Bounded and repeatable: `EXAMPLES` cases per operation and caller (73 operations; the four
callers take about 40 s of CPU, two minutes at machine load 14 on 2 cores), derandomized (the
same cases on every run), no example database, no shrinking (a finding is reported as
generated). Nothing is skipped: a token is made for the user's current token version before
every request, so a sign-out
(`POST /api/auth/logout`) does not turn the rest of the run into 401s, and the desk keeps its
one admin (the last active admin cannot be deactivated or demoted).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import Case, GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.specs.openapi.checks import status_code_conformance
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from tests.api.helpers import SETTINGS, make_desk, stored, ticket_in
from tests.conftest import empty_database
from tests.factories import make_user
from ticketing.api.app import create_app
from ticketing.api.routes import console_stream
from ticketing.api.security import create_access_token
from ticketing.db import make_session_factory, reading
from ticketing.models import Role, User

EXAMPLES = 12
CALLERS = ("anonymous", "alice", "sue", "ada")  # nobody, agent, supervisor, admin

Headers = Callable[[], dict[str, str]]


@pytest.fixture
def api(
    sqlite_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[Any, sessionmaker[Session]]]:
    """The API's schema, loaded from the app itself, and the app's database (SQLite only: this
    run is about the HTTP surface, and the store's tests cover PostgreSQL)."""
    # The console's event stream ends after 15 s (then the browser reconnects): here after one
    # poll, or every stream case would wait out the request timeout.
    monkeypatch.setattr(console_stream, "STREAM_SECONDS", 0.05)
    monkeypatch.setattr(console_stream, "POLL_SECONDS", 0.01)
    factory = make_session_factory(sqlite_engine)
    desk = make_desk(factory)
    stored(factory, lambda session: make_user(session, Role.ADMIN, username="ada"))
    for team in (desk.team_a, desk.team_b, None):
        ticket_in(factory, team)
    app = create_app(SETTINGS, factory)
    yield schemathesis.openapi.from_asgi("/openapi.json", app), factory
    empty_database(sqlite_engine)


def signed_in(factory: sessionmaker[Session], caller: str) -> Headers:
    """Headers for `caller`, made afresh for each request from the user's token version."""

    def headers() -> dict[str, str]:
        if caller == "anonymous":
            return {}
        with reading(factory) as session:
            user = session.query(User).filter_by(username=caller).one()
            token = create_access_token(user.id, SETTINGS, version=user.token_version)
        return {"Authorization": f"Bearer {token}"}

    return headers


def findings(operation: Any, headers: Headers) -> list[str]:
    """What the generated cases for one operation found, at most one line per kind."""
    found: dict[str, str] = {}
    cases = st.one_of(
        operation.as_strategy(generation_mode=GenerationMode.POSITIVE),
        operation.as_strategy(generation_mode=GenerationMode.NEGATIVE),
    )

    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=cases)
    def run(case: Case[Any]) -> None:
        try:
            response = case.call(headers=headers(), timeout=10)
        except Exception as error:  # the in-process transport re-raises what the app raised
            key = f"{case.operation.label} -> raised {type(error).__name__}"
            found.setdefault(key, f"{key}: {error}\n    {case.as_curl_command()}")
            return
        try:
            case.validate_response(response, checks=[not_a_server_error, status_code_conformance])
        except (FailureGroup, Failure) as failure:
            key = f"{case.operation.label} -> {response.status_code}"
            first = str(failure).splitlines()[0]
            found.setdefault(key, f"{key}: {first}\n    {case.as_curl_command()}")

    run()
    return list(found.values())


@pytest.mark.parametrize("caller", CALLERS)
def test_no_server_error_and_no_undocumented_status(
    api: tuple[Any, sessionmaker[Session]], caller: str
) -> None:
    schema, factory = api
    headers = signed_in(factory, caller)
    found: list[str] = []
    for result in schema.get_all_operations():
        found += findings(result.ok(), headers)

    assert found == [], "\n".join(found)
