"""Admin settings: teams and the routes of new tickets to them (as `team add`/`team route`)."""

from __future__ import annotations

from fastapi import APIRouter, status

from ticketing import accounts
from ticketing.api import errors
from ticketing.api.deps import ClientAddress, CurrentAdmin, SessionDep
from ticketing.api.schemas import Id, TeamPublic, TeamsPublic
from ticketing.api.settings_schemas import (
    RoutePublic,
    RoutesPublic,
    RouteUpdate,
    TeamCalendarUpdate,
    TeamCreate,
)
from ticketing.models import Category
from ticketing.services import teams
from ticketing.services.settings_audit import Editor

router = APIRouter(
    prefix="/api/admin",
    tags=["admin settings"],
    responses=errors.documented(401, 403, 404, 409, 413, 503),
)


@router.get("/teams")
def list_teams(session: SessionDep, _admin: CurrentAdmin) -> TeamsPublic:
    """Every team, by name."""
    rows = accounts.list_teams(session)
    return TeamsPublic(data=[TeamPublic.model_validate(t) for t in rows], count=len(rows))


@router.post("/teams", status_code=status.HTTP_201_CREATED)
def add_team(
    body: TeamCreate, session: SessionDep, admin: CurrentAdmin, address: ClientAddress
) -> TeamPublic:
    """Add a team (409 when the name is taken)."""
    team = teams.add_team(session, Editor(admin, address), body.name, body.description)
    return TeamPublic.model_validate(team)


@router.put("/teams/{team_id}/calendar")
def set_team_calendar(
    team_id: Id,
    body: TeamCalendarUpdate,
    session: SessionDep,
    admin: CurrentAdmin,
    address: ClientAddress,
) -> TeamPublic:
    """Give a team its business calendar (null: none, Asia/Shanghai time)."""
    team = teams.set_calendar(session, Editor(admin, address), team_id, body.calendar_id)
    return TeamPublic.model_validate(team)


@router.get("/routes")
def list_routes(session: SessionDep, _admin: CurrentAdmin) -> RoutesPublic:
    """Every ticket category and the team its new tickets go to (null: none)."""
    routed = accounts.routes(session)
    return RoutesPublic(
        data=[
            RoutePublic(category=c, team_id=routed[c].id if c in routed else None) for c in Category
        ]
    )


@router.put("/routes/{category}")
def set_route(
    category: Category,
    body: RouteUpdate,
    session: SessionDep,
    admin: CurrentAdmin,
    address: ClientAddress,
) -> RoutePublic:
    """Send new tickets of a category to a team, or to none."""
    team = teams.route(session, Editor(admin, address), category, body.team_id)
    return RoutePublic(category=category, team_id=team.id if team else None)
