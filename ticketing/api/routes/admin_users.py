"""Desk users for admins: list, add, change role, team or name, deactivate and reactivate, reset
a password. Every change is in the audit trail with its before and after; a changed role, a
deactivation and a new password end the user's tokens at once."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, status

from ticketing import accounts
from ticketing.api import errors
from ticketing.api.deps import ClientAddress, CurrentAdmin, SessionDep
from ticketing.api.schemas import (
    AdminUserPublic,
    AdminUsersPublic,
    PasswordReset,
    UserCreate,
    UserUpdate,
)
from ticketing.errors import InvalidInput, NotFound
from ticketing.models import Team, User

router = APIRouter(
    prefix="/api/admin/users", tags=["admin"], responses=errors.documented(401, 403, 413, 503)
)

UserId = Annotated[int, Path(ge=1, le=2**31 - 1)]

_AUTH: dict[int | str, dict[str, Any]] = {
    401: {"description": "Not signed in."},
    403: {"description": "Admins only."},
}
_ONE = {**_AUTH, 404: {"description": "No such user."}}
_CHANGE = {
    **_ONE,
    409: {"description": "The change would leave the desk without an active admin."},
}


def _user(session: SessionDep, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"no user {user_id}")
    return user


def _team(session: SessionDep, team_id: int | None) -> Team | None:
    if team_id is None:
        return None
    team = session.get(Team, team_id)
    if team is None:
        raise InvalidInput(f"no team {team_id}", field="team_id")
    return team


@router.get("", responses=_AUTH)
def list_users(session: SessionDep, _admin: CurrentAdmin) -> AdminUsersPublic:
    """Every desk user, active or not, by username."""
    users = accounts.list_users(session)
    return AdminUsersPublic(
        data=[AdminUserPublic.model_validate(u) for u in users], count=len(users)
    )


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    responses={
        **_AUTH,
        409: {"description": "The username is taken."},
        422: {"description": "A field is invalid: the password too weak, an unknown team..."},
    },
)
def create_user(
    session: SessionDep, admin: CurrentAdmin, address: ClientAddress, body: UserCreate
) -> AdminUserPublic:
    """Add a desk user with a role and, optionally, a team. The password needs at least 12
    characters and must not be easy to guess."""
    user = accounts.create_user(
        session,
        body.username,
        body.password,
        role=body.role,
        display_name=body.display_name,
        team=_team(session, body.team_id),
        actor=admin,
        address=address,
    )
    return AdminUserPublic.model_validate(user)


@router.get("/{user_id}", responses=_ONE)
def read_user(session: SessionDep, _admin: CurrentAdmin, user_id: UserId) -> AdminUserPublic:
    """One desk user."""
    return AdminUserPublic.model_validate(_user(session, user_id))


@router.patch("/{user_id}", responses={**_CHANGE, 422: {"description": "A field is invalid."}})
def update_user(
    session: SessionDep,
    admin: CurrentAdmin,
    address: ClientAddress,
    user_id: UserId,
    body: UserUpdate,
) -> AdminUserPublic:
    """Change a user's role, team or display name. A new role signs them out everywhere."""
    user = _user(session, user_id)
    set_team = "team_id" in body.model_fields_set
    changes = accounts.UserChanges(
        role=body.role,
        display_name=body.display_name,
        team=_team(session, body.team_id) if set_team else None,
        set_team=set_team,
    )
    accounts.update_user(session, user, changes, actor=admin, address=address)
    return AdminUserPublic.model_validate(user)


@router.post("/{user_id}/deactivate", responses=_CHANGE)
def deactivate_user(
    session: SessionDep, admin: CurrentAdmin, address: ClientAddress, user_id: UserId
) -> AdminUserPublic:
    """Stop a user signing in; their tokens stop working at once. Their tickets stay."""
    user = accounts.set_active(
        session, _user(session, user_id), False, actor=admin, address=address
    )
    return AdminUserPublic.model_validate(user)


@router.post("/{user_id}/reactivate", responses=_ONE)
def reactivate_user(
    session: SessionDep, admin: CurrentAdmin, address: ClientAddress, user_id: UserId
) -> AdminUserPublic:
    """Let a deactivated user sign in again (this also lifts a sign-in lockout)."""
    user = accounts.set_active(session, _user(session, user_id), True, actor=admin, address=address)
    return AdminUserPublic.model_validate(user)


@router.post(
    "/{user_id}/password",
    status_code=status.HTTP_204_NO_CONTENT,
    responses={**_ONE, 422: {"description": "The password is too short or easy to guess."}},
)
def reset_password(
    session: SessionDep,
    admin: CurrentAdmin,
    address: ClientAddress,
    user_id: UserId,
    body: PasswordReset,
) -> None:
    """Set a new password: the user's tokens stop working and a sign-in lockout is lifted."""
    accounts.reset_password(
        session, _user(session, user_id), body.password, actor=admin, address=address
    )
