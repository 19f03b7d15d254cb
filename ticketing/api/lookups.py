"""Turn the ids in a request into rows, or refuse the request naming the field (422)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from ticketing.errors import InvalidInput
from ticketing.models import Customer, Team, User


def team(session: Session, team_id: int | None, field: str = "team_id") -> Team | None:
    if team_id is None:
        return None
    row = session.get(Team, team_id)
    if row is None:
        raise InvalidInput(f"there is no team {team_id}", field=field)
    return row


def customer(
    session: Session, customer_id: int | None, field: str = "customer_id"
) -> Customer | None:
    if customer_id is None:
        return None
    row = session.get(Customer, customer_id)
    if row is None:
        raise InvalidInput(f"there is no customer {customer_id}", field=field)
    return row


def user(session: Session, user_id: int | None, field: str) -> User | None:
    if user_id is None:
        return None
    row = session.get(User, user_id)
    if row is None:
        raise InvalidInput(f"there is no user {user_id}", field=field)
    return row
