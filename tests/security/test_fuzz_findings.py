"""Issue 13, item 13: what the schemathesis run (test_openapi_fuzz.py) found, one test each, so
each stays fixed whatever cases a later run happens to generate."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from tests.api.helpers import Desk, auth, stored
from tests.factories import make_user
from ticketing.models import Role


def test_a_json_body_that_is_not_utf8_is_refused_with_422_naming_the_body(
    client: TestClient, desk: Desk
) -> None:
    response = client.post(
        "/api/presence",
        content=b'{"status": "\xff\xfe"}',
        headers={**auth(desk.alice), "Content-Type": "application/json"},
    )

    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["loc"] == ["body"]


def test_an_admin_can_set_their_own_presence(
    client: TestClient, session_factory: sessionmaker[Session]
) -> None:
    admin = stored(session_factory, lambda s: make_user(s, Role.ADMIN, username="ada"))

    response = client.post("/api/presence", json={"status": "away"}, headers=auth(admin))

    assert response.status_code == 200, response.text
    assert response.json()["status"] == "away" and response.json()["user_id"] == admin.id
