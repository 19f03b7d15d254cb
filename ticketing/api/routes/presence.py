"""Presence and auto-assignment: an agent says they are online, away or offline (the console
repeats it as a heartbeat); supervisors see who is on, set each agent's capacity and turn
auto-assignment on or off per team."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from ticketing.api import errors, lookups
from ticketing.api.deps import CurrentSupervisor, CurrentUser, SessionDep
from ticketing.api.work_schemas import (
    AutoAssignChange,
    AutoAssignPublic,
    CapacityChange,
    DeskPresencePublic,
    PresenceChange,
    PresencePublic,
)
from ticketing.clock import utcnow
from ticketing.errors import InvalidInput
from ticketing.services import assignment, presence

router = APIRouter(
    prefix="/api",
    tags=["presence"],
    responses=errors.documented(401, 403, 404, 413, 503),
)

Id = Annotated[int, Path(ge=1, le=2**31 - 1)]


def _public(view: presence.PresenceView) -> PresencePublic:
    return PresencePublic(
        user_id=view.user.id,
        display_name=view.user.display_name,
        team_id=view.user.team_id,
        status=view.status,
        last_seen_at=view.last_seen_at,
        max_chats=view.max_chats,
        max_tickets=view.max_tickets,
    )


@router.get("/presence")
def desk_presence(session: SessionDep, user: CurrentUser) -> DeskPresencePublic:
    """Who is online, away or offline: your team (agents) or the whole desk (supervisors)."""
    views = presence.desk_presence(session, user, utcnow())
    return DeskPresencePublic(data=[_public(v) for v in views])


@router.post("/presence")
def set_presence(session: SessionDep, user: CurrentUser, body: PresenceChange) -> PresencePublic:
    """Set your status; the console sends it again every minute while it is open. Coming
    online gives you queued items at once when your team auto-assigns."""
    now = utcnow()
    row = presence.set_presence(session, user, body.status, at=now)
    if body.status is presence.Presence.ONLINE:
        assignment.assign_queued(session, user.team_id, at=now)
    # Built from the caller's own row: the desk's list leaves admins out (and agents in no team).
    return _public(presence.view_of(user, row, now))


@router.put("/users/{user_id}/capacity")
def set_capacity(
    session: SessionDep, supervisor: CurrentSupervisor, user_id: Id, body: CapacityChange
) -> PresencePublic:
    """How many live chats and open tickets this agent takes at once (supervisors)."""
    agent = lookups.user(session, user_id, "user_id")
    assert agent is not None
    row = presence.set_capacity(
        session, agent, max_chats=body.max_chats, max_tickets=body.max_tickets
    )
    now = utcnow()
    assignment.assign_queued(session, agent.team_id, at=now)
    return PresencePublic(
        user_id=agent.id,
        display_name=agent.display_name,
        team_id=agent.team_id,
        status=presence.effective(row, now),
        last_seen_at=row.last_seen_at,
        max_chats=row.max_chats,
        max_tickets=row.max_tickets,
    )


@router.put("/teams/{team_id}/auto-assign")
def set_auto_assign(
    session: SessionDep, _supervisor: CurrentSupervisor, team_id: Id, body: AutoAssignChange
) -> AutoAssignPublic:
    """Turn auto-assignment on or off for a team (supervisors); on, its queue is handed out
    at once to whoever is online with room."""
    team = lookups.team(session, team_id)
    if team is None:
        raise InvalidInput(f"there is no team {team_id}", field="team_id")
    team.auto_assign = body.enabled
    session.flush()
    done = assignment.assign_queued(session, team.id) if body.enabled else []
    return AutoAssignPublic(team_id=team.id, auto_assign=team.auto_assign, assigned=len(done))
