"""Small helpers for API tests: a desk of teams and users, tokens, tickets made in the store."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy.orm import Session, sessionmaker

from tests.factories import make_team, make_ticket, make_user
from ticketing.api.security import create_access_token
from ticketing.config import Settings
from ticketing.db import transaction
from ticketing.models import Role, Team, Ticket, User

SETTINGS = Settings(
    environment="test",
    secret_key="api-test-signing-key-" + "k" * 40,
    database_url="sqlite://",
    _env_file=None,
)

T = TypeVar("T")


def stored(session_factory: sessionmaker[Session], build: Callable[[Session], T]) -> T:
    """Run `build` in a committed transaction, as if an earlier request had done it."""
    with transaction(session_factory) as session:
        return build(session)


def auth(user: User) -> dict[str, str]:
    """Headers that sign requests in as `user`."""
    return {"Authorization": f"Bearer {create_access_token(user.id, SETTINGS)}"}


@dataclass
class Desk:
    """Two teams: Alice and Ann work on team A, Bob on team B; Sue supervises."""

    team_a: Team
    team_b: Team
    alice: User
    ann: User
    bob: User
    sue: User


def make_desk(session_factory: sessionmaker[Session]) -> Desk:
    def build(session: Session) -> Desk:
        team_a = make_team(session, "售后一组")
        team_b = make_team(session, "售后二组")
        return Desk(
            team_a=team_a,
            team_b=team_b,
            alice=make_user(session, team=team_a, username="alice"),
            ann=make_user(session, team=team_a, username="ann"),
            bob=make_user(session, team=team_b, username="bob"),
            sue=make_user(session, Role.SUPERVISOR, username="sue"),
        )

    return stored(session_factory, build)


def ticket_in(
    session_factory: sessionmaker[Session], team: Team | None = None, **fields: Any
) -> Ticket:
    """A ticket opened by a customer (in `team`, when given), committed."""
    return stored(
        session_factory, lambda s: make_ticket(s, team=s.merge(team) if team else None, **fields)
    )


def numbers(response_json: dict[str, Any]) -> list[str]:
    return [ticket["number"] for ticket in response_json["data"]]
