"""Desk users and teams: creating them, checking a password (see `ticketing.passwords`)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ticketing import audit
from ticketing.errors import Conflict, InvalidInput
from ticketing.models import Category, Role, Team, TeamRoute, User
from ticketing.passwords import check_strength, hash_password, verify_password

USERNAME = re.compile(r"^[a-zA-Z0-9_.-]{2,64}$")


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
    actor: User | str | None = None,
    address: str | None = None,
) -> User:
    """Add a desk user; the password must be strong enough and is stored only as an argon2
    hash. With an `actor` (the command line, an admin), the audit trail records who did it."""
    if not USERNAME.match(username):
        raise InvalidInput(
            "username must be 2 to 64 letters, digits, dots, dashes or underscores",
            field="username",
        )
    check_strength(password, [username, display_name or ""])
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
    if actor is not None:
        audit.record(
            session,
            "user.create",
            actor=actor,
            target_type="user",
            target_id=user.id,
            address=address,
            after={"username": user.username, **_snapshot(user)},
        )
    return user


def _snapshot(user: User) -> dict[str, Any]:
    """What the audit trail keeps of a user before and after a change (never the hash)."""
    return {
        "role": user.role.value,
        "team_id": user.team_id,
        "display_name": user.display_name,
        "is_active": user.is_active,
    }


def _record_change(
    session: Session,
    action: str,
    user: User,
    before: dict[str, Any],
    *,
    actor: User | str,
    address: str | None,
) -> None:
    after = _snapshot(user)
    changed = [key for key in after if after[key] != before.get(key)]
    audit.record(
        session,
        action,
        actor=actor,
        target_type="user",
        target_id=user.id,
        address=address,
        before={key: before[key] for key in changed},
        after={key: after[key] for key in changed},
    )


def _revoke_tokens(user: User) -> None:
    """Every token issued to `user` so far stops working at their next request."""
    user.token_version += 1


def _refuse_losing_the_last_admin(session: Session, user: User, field: str) -> None:
    if user.role is not Role.ADMIN or not user.is_active:
        return
    others = session.scalar(
        select(func.count(User.id)).where(
            User.role == Role.ADMIN, User.is_active.is_(True), User.id != user.id
        )
    )
    if not others:
        raise Conflict(f"{user.username} is the last active admin", field=field)


@dataclass(frozen=True)
class UserChanges:
    """An admin's edit of a user: each field None keeps it; `set_team` says `team` counts (so
    a team of None takes the user out of every team)."""

    role: Role | None = None
    display_name: str | None = None
    team: Team | None = None
    set_team: bool = False


def update_user(
    session: Session, user: User, changes: UserChanges, *, actor: User | str, address: str | None
) -> User:
    """Change a user's role, team or display name; a new role revokes their tokens."""
    before = _snapshot(user)
    if changes.role is not None and changes.role is not user.role:
        if changes.role is not Role.ADMIN:
            _refuse_losing_the_last_admin(session, user, "role")
        user.role = changes.role
        _revoke_tokens(user)
    if changes.display_name is not None:
        name = changes.display_name.strip()
        if not name or len(name) > 120:
            raise InvalidInput("display name must be 1 to 120 characters", field="display_name")
        user.display_name = name
    if changes.set_team:
        user.team = changes.team
    session.flush()
    _record_change(session, "user.update", user, before, actor=actor, address=address)
    return user


def set_active(
    session: Session, user: User, active: bool, *, actor: User | str, address: str | None
) -> User:
    """Deactivate a user (their tokens stop working at once) or let them back in (which also
    lifts a sign-in lockout)."""
    before = _snapshot(user)
    if active == user.is_active:
        return user
    if not active:
        _refuse_losing_the_last_admin(session, user, "is_active")
        _revoke_tokens(user)
    else:
        user.failed_logins = 0
        user.locked_until = None
    user.is_active = active
    session.flush()
    action = "user.reactivate" if active else "user.deactivate"
    _record_change(session, action, user, before, actor=actor, address=address)
    return user


def reset_password(
    session: Session, user: User, password: str, *, actor: User | str, address: str | None
) -> User:
    """Give a user a new password (as strong as a new user's): their tokens stop working and a
    sign-in lockout is lifted. The trail records the reset, never the password."""
    check_strength(password, [user.username, user.display_name])
    user.password_hash = hash_password(password)
    user.failed_logins = 0
    user.locked_until = None
    _revoke_tokens(user)
    session.flush()
    audit.record(
        session,
        "user.password_reset",
        actor=actor,
        target_type="user",
        target_id=user.id,
        address=address,
    )
    return user


def find_user(session: Session, username: str) -> User | None:
    """The user with this username; None for a name no user can have (PostgreSQL would refuse
    one holding NUL, so it is not looked up)."""
    return get_user(session, username) if USERNAME.match(username) else None


def authenticate(session: Session, username: str, password: str) -> User | None:
    """The active user with this username and password, or None. Changes nothing: the web's
    sign-in (`ticketing.signin`) adds limits, lockout and the audit trail."""
    user = find_user(session, username)
    matches = verify_password(user.password_hash if user else None, password)
    return user if user is not None and user.is_active and matches else None
