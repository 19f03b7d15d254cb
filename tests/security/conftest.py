"""The desk API's fixtures (a TestClient on the test database, a desk of users) for the
security tests, which call the API as an attacker would."""

from __future__ import annotations

from tests.api.conftest import cheap_password_hashing, client, desk

__all__ = ["cheap_password_hashing", "client", "desk"]
