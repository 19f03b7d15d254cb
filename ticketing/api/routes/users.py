"""Teams and desk users, for pickers in the console."""

from __future__ import annotations

from fastapi import APIRouter

from ticketing import accounts
from ticketing.api import errors
from ticketing.api.deps import CurrentSupervisor, CurrentUser, SessionDep
from ticketing.api.schemas import TeamPublic, TeamsPublic, UserPublic, UsersPublic

router = APIRouter(prefix="/api", tags=["users"], responses=errors.documented(401, 403, 503))


@router.get("/teams")
def list_teams(session: SessionDep, _user: CurrentUser) -> TeamsPublic:
    """Every team (any desk user: triage needs the list)."""
    teams = accounts.list_teams(session)
    return TeamsPublic(data=[TeamPublic.model_validate(t) for t in teams], count=len(teams))


@router.get("/users")
def list_users(session: SessionDep, _supervisor: CurrentSupervisor) -> UsersPublic:
    """Every desk user (supervisors and admins)."""
    users = accounts.list_users(session)
    return UsersPublic(data=[UserPublic.model_validate(u) for u in users], count=len(users))
