"""Desk users and teams: creating them, hashing passwords (argon2), checking a login."""

from __future__ import annotations

import re

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from ticketing.errors import Conflict, InvalidInput
from ticketing.models import Category, Role, Team, TeamRoute, User

_hasher = PasswordHasher()
USERNAME = re.compile(r"^[a-zA-Z0-9_.-]{2,64}$")
PASSWORD_MIN = 8
# A hash to verify against when the user does not exist, so a login takes as long either way.
_DUMMY_HASH = _hasher.hash("kefu-dummy-password")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def get_team(session: Session, name: str) -> Team | None:
    return session.scalars(select(Team).where(Team.name == name)).first()


def create_team(session: Session, name: str, description: str = "") -> Team:
    name = name.strip()
    if not name or len(name) > 80:
        raise InvalidInput("team name must be 1 to 80 characters", field="name")
    if get_team(session, name) is not None:
        raise Conflict(f"team {name} exists already", field="name")
    team = Team(name=name, description=description)
    session.add(team)
    session.flush()
    return team


def route_category(session: Session, category: Category, team: Team | None) -> None:
    """New tickets of `category` go to `team` from now on (None: to no team)."""
    route = session.get(TeamRoute, category)
    if team is None:
        if route is not None:
            session.delete(route)
    elif route is None:
        session.add(TeamRoute(category=category, team_id=team.id))
    else:
        route.team_id = team.id
    session.flush()


def routes(session: Session) -> dict[Category, Team]:
    """The team of each routed category."""
    rows = session.scalars(select(TeamRoute).join(TeamRoute.team))
    return {route.category: route.team for route in rows}


def list_teams(session: Session) -> list[Team]:
    """Every team, by name."""
    return list(session.scalars(select(Team).order_by(Team.name)))


def list_users(session: Session) -> list[User]:
    """Every desk user, active or not, by username."""
    return list(session.scalars(select(User).order_by(User.username)))


def get_user(session: Session, username: str) -> User | None:
    return session.scalars(select(User).where(User.username == username)).first()


def create_user(
    session: Session,
    username: str,
    password: str,
    *,
    role: Role = Role.AGENT,
    display_name: str | None = None,
    team: Team | None = None,
) -> User:
    """Add a desk user; the password is stored only as an argon2 hash."""
    if not USERNAME.match(username):
        raise InvalidInput(
            "username must be 2 to 64 letters, digits, dots, dashes or underscores",
            field="username",
        )
    if len(password) < PASSWORD_MIN:
        raise InvalidInput(
            f"password must have at least {PASSWORD_MIN} characters", field="password"
        )
    if get_user(session, username) is not None:
        raise Conflict(f"user {username} exists already", field="username")
    user = User(
        username=username,
        display_name=(display_name or username).strip()[:120],
        role=role,
        password_hash=hash_password(password),
        team=team,
        is_active=True,
    )
    session.add(user)
    session.flush()
    return user


def authenticate(session: Session, username: str, password: str) -> User | None:
    """The active user with this username and password, or None."""
    # A name no user can have is not looked up (PostgreSQL would refuse one holding NUL).
    user = get_user(session, username) if USERNAME.match(username) else None
    if user is None:
        verify_password(_DUMMY_HASH, password)
        return None
    if not user.is_active or not verify_password(user.password_hash, password):
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user
