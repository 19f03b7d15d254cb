"""Admin settings: business calendars (opening periods, holidays, working-day overrides) and
China's official holidays imported into one."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Response, status

from ticketing.api import errors
from ticketing.api.deps import ClientAddress, CurrentAdmin, SessionDep
from ticketing.api.schemas import Id
from ticketing.api.settings_schemas import (
    CalendarCreate,
    CalendarPublic,
    CalendarsPublic,
    CalendarUpdate,
    OfficialYearImport,
    OfficialYearsPublic,
)
from ticketing.errors import InvalidInput
from ticketing.models import BusinessCalendar
from ticketing.services import calendars
from ticketing.services.settings_audit import Editor
from ticketing.sla import official

router = APIRouter(
    prefix="/api/admin/calendars",
    tags=["admin settings"],
    responses=errors.documented(401, 403, 404, 409, 413, 503),
)

IfMatch = Annotated[
    str | None,
    Header(description="The ETag (version) you loaded; a stale one gets 409.", max_length=40),
]


def expected_version(body_version: int | None, if_match: str | None) -> int | None:
    """The version the editor loaded: the body's `version`, else the If-Match header's."""
    if body_version is not None or if_match is None:
        return body_version
    text = if_match.strip().removeprefix("W/").strip('"')
    if not text.isdigit():
        raise InvalidInput("If-Match must be the ETag the resource was read with", field="If-Match")
    return int(text)


def _public(row: BusinessCalendar, response: Response | None = None) -> CalendarPublic:
    if response is not None:
        response.headers["ETag"] = f'"{row.version}"'
    return CalendarPublic.model_validate(row)


@router.get("")
def list_calendars(session: SessionDep, _admin: CurrentAdmin) -> CalendarsPublic:
    """Every business calendar, by name."""
    rows = calendars.list_calendars(session)
    return CalendarsPublic(data=[_public(r) for r in rows], count=len(rows))


@router.get("/official-years")
def official_years(_admin: CurrentAdmin) -> OfficialYearsPublic:
    """Which years of China's official holidays and make-up days can be imported."""
    years = official.covered_years()
    return OfficialYearsPublic(
        source=official.SOURCE, first_year=years.start, last_year=years.stop - 1
    )


@router.post("", status_code=status.HTTP_201_CREATED)
def create_calendar(
    body: CalendarCreate,
    session: SessionDep,
    admin: CurrentAdmin,
    address: ClientAddress,
    response: Response,
) -> CalendarPublic:
    """Add a calendar; 422 naming the field for overlapping periods, a time like 25:00, an
    unknown time zone, or a date that is both a holiday and an override."""
    row = calendars.create_calendar(session, Editor(admin, address), body.fields())
    return _public(row, response)


@router.get("/{calendar_id}")
def get_calendar(
    calendar_id: Id, session: SessionDep, _admin: CurrentAdmin, response: Response
) -> CalendarPublic:
    """One calendar; its ETag is the version to send back with a change."""
    return _public(calendars.get_calendar(session, calendar_id), response)


@router.put("/{calendar_id}")
def update_calendar(
    calendar_id: Id,
    body: CalendarUpdate,
    session: SessionDep,
    admin: CurrentAdmin,
    address: ClientAddress,
    response: Response,
    if_match: IfMatch = None,
) -> CalendarPublic:
    """Replace a calendar's settings. Send the version you loaded (body or If-Match): if
    someone saved a change since, 409 and nothing is overwritten. The open tickets counted in
    the calendar get their deadlines recomputed by the worker."""
    row = calendars.update_calendar(
        session,
        Editor(admin, address),
        calendar_id,
        body.fields(),
        version=expected_version(body.version, if_match),
    )
    return _public(row, response)


@router.post("/{calendar_id}/official-holidays")
def import_official_holidays(
    calendar_id: Id,
    body: OfficialYearImport,
    session: SessionDep,
    admin: CurrentAdmin,
    address: ClientAddress,
    response: Response,
    if_match: IfMatch = None,
) -> CalendarPublic:
    """Add a year of China's official days off (holidays) and make-up working days
    (overrides, with the calendar's usual weekday hours); 422 for a year without data."""
    row = calendars.import_official_year(
        session,
        Editor(admin, address),
        calendar_id,
        body.year,
        version=expected_version(body.version, if_match),
    )
    return _public(row, response)


@router.delete("/{calendar_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_calendar(
    calendar_id: Id,
    session: SessionDep,
    admin: CurrentAdmin,
    address: ClientAddress,
    if_match: IfMatch = None,
) -> None:
    """Delete a calendar no SLA policy uses (409 otherwise)."""
    calendars.delete_calendar(
        session, Editor(admin, address), calendar_id, version=expected_version(None, if_match)
    )
