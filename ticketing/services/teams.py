"""Teams and category routes as admins set them up (the command line's `team add` and
`team route`), audited."""

from __future__ import annotations

from sqlalchemy.orm import Session

from ticketing import accounts
from ticketing.errors import InvalidInput, NotFound
from ticketing.models import BusinessCalendar, Category, Team
from ticketing.services.settings_audit import Editor

DESCRIPTION_MAX = 500


def add_team(session: Session, editor: Editor, name: str, description: str = "") -> Team:
    if len(description) > DESCRIPTION_MAX:
        raise InvalidInput(
            f"description is longer than {DESCRIPTION_MAX} characters", field="description"
        )
    team = accounts.create_team(session, name, description.strip())
    editor.record(
        session,
        "team.create",
        "team",
        team.id,
        after={"name": team.name, "description": team.description},
    )
    return team


def set_calendar(session: Session, editor: Editor, team_id: int, calendar_id: int | None) -> Team:
    """The team's business calendar: its time zone is its supervisors' (the weekly digest comes
    Monday 09:00 there). None: Asia/Shanghai."""
    team = session.get(Team, team_id)
    if team is None:
        raise NotFound(f"no team {team_id}")
    if calendar_id is not None and session.get(BusinessCalendar, calendar_id) is None:
        raise InvalidInput(f"no calendar {calendar_id}", field="calendar_id")
    if team.calendar_id != calendar_id:
        editor.record(
            session,
            "team.update",
            "team",
            team.id,
            before={"calendar_id": team.calendar_id},
            after={"calendar_id": calendar_id},
        )
        team.calendar_id = calendar_id
        session.flush()
    return team


def route(session: Session, editor: Editor, category: Category, team_id: int | None) -> Team | None:
    """New tickets of `category` go to team `team_id` (None: to no team)."""
    team = session.get(Team, team_id) if team_id is not None else None
    if team_id is not None and team is None:
        raise InvalidInput(f"no team {team_id}", field="team_id")
    old = accounts.routes(session).get(category)
    accounts.route_category(session, category, team)
    if (old.id if old else None) != team_id:
        editor.record(
            session,
            "route.update",
            "route",
            category.value,
            before={"team_id": old.id if old else None},
            after={"team_id": team_id},
        )
    return team
