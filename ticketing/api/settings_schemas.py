"""Request and response bodies of the admin settings API: teams, routes, calendars, policies."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field

from ticketing.api.schemas import Id, Input, PlainText, Public
from ticketing.errors import InvalidInput
from ticketing.models import Category, Priority, SlaPolicy, Tier
from ticketing.services import calendars, sla_policies

Name = Annotated[str, Field(min_length=1, max_length=120), PlainText]
# "09:00"; whether it is a time of day (not 25:00) the calendar checks, naming the field.
WallTime = Annotated[str, Field(min_length=1, max_length=15), PlainText]
Period = Annotated[list[WallTime], Field(min_length=2, max_length=2)]
DayPeriods = Annotated[list[Period], Field(max_length=24)]
IsoDate = Annotated[str, Field(max_length=10), PlainText]
Minutes = Annotated[int, Field(gt=0, le=sla_policies.TARGET_MAX)]
Version = Annotated[
    int | None,
    Field(ge=1, description="The version you loaded; a stale one gets 409 (or send If-Match)."),
]


# --- teams and routes ---------------------------------------------------------------------------


class TeamCreate(Input):
    name: Annotated[str, Field(min_length=1, max_length=80), PlainText]
    description: Annotated[str, Field(max_length=500), PlainText] = ""


class TeamCalendarUpdate(Input):
    calendar_id: Id | None = Field(
        description="The team's business calendar (its time zone is the supervisors'); null: "
        "Asia/Shanghai."
    )


class RoutePublic(BaseModel):
    category: Category
    team_id: int | None


class RoutesPublic(BaseModel):
    data: list[RoutePublic]


class RouteUpdate(Input):
    team_id: Id | None = Field(
        description="The team new tickets of the category go to; null: none."
    )


# --- calendars ----------------------------------------------------------------------------------


class CalendarFields(Input):
    name: Annotated[str, Field(min_length=1, max_length=calendars.NAME_MAX), PlainText]
    timezone: Annotated[str, Field(max_length=64, examples=["Asia/Shanghai"]), PlainText]
    always_open: bool = False
    periods: dict[str, DayPeriods] = Field(
        description='Opening periods per weekday, "0" Monday to "6" Sunday, several a day.',
        examples=[{"0": [["09:00", "12:00"], ["13:30", "18:00"]]}],
    )
    holidays: list[IsoDate] = Field(default_factory=list, max_length=calendars.DAYS_MAX)
    overrides: dict[IsoDate, DayPeriods] = Field(
        default_factory=dict,
        max_length=calendars.DAYS_MAX,
        description="Working-day overrides (调休): dates worked with their own periods.",
        examples=[{"2026-10-10": [["09:00", "18:00"]]}],
    )

    def fields(self) -> calendars.CalendarFields:
        return calendars.CalendarFields(
            name=self.name,
            timezone=self.timezone,
            periods=self.periods,
            holidays=self.holidays,
            overrides=self.overrides,
            always_open=self.always_open,
        )


class CalendarCreate(CalendarFields):
    pass


class CalendarUpdate(CalendarFields):
    version: Version = None


class CalendarPublic(Public):
    id: int
    name: str
    timezone: str
    always_open: bool
    periods: dict[str, list[list[str]]]
    holidays: list[str]
    overrides: dict[str, list[list[str]]]
    version: int


class CalendarsPublic(BaseModel):
    data: list[CalendarPublic]
    count: int


class OfficialYearImport(Input):
    year: int = Field(ge=1900, le=2200, description="The year whose notice to import.")
    version: Version = None


class OfficialYearsPublic(BaseModel):
    source: str = Field(description="The library and version the dates come from.")
    first_year: int
    last_year: int


# --- SLA policies -------------------------------------------------------------------------------


class PolicyFields(Input):
    name: Name
    priority: Priority
    tier: Tier
    first_response_minutes: Minutes | None = None
    next_response_minutes: Minutes | None = None
    resolution_minutes: Minutes | None = None
    time_basis: Literal["business", "calendar"] = Field(
        description="business: targets count in the calendar's opening hours; calendar: in "
        "elapsed time."
    )
    calendar_id: Id | None = Field(None, description="The calendar business time counts in.")
    warning_percent: int = Field(75, ge=0, le=100)

    def fields(self) -> sla_policies.PolicyFields:
        if self.time_basis == "business" and self.calendar_id is None:
            raise InvalidInput(
                "calendar_id is required when targets count in business time", field="calendar_id"
            )
        return sla_policies.PolicyFields(
            name=self.name,
            priority=self.priority,
            tier=self.tier,
            first_response_minutes=self.first_response_minutes,
            next_response_minutes=self.next_response_minutes,
            resolution_minutes=self.resolution_minutes,
            calendar_id=self.calendar_id if self.time_basis == "business" else None,
            warning_percent=self.warning_percent,
        )


class PolicyCreate(PolicyFields):
    pass


class PolicyUpdate(PolicyFields):
    version: Version = None


class PolicyPublic(Public):
    id: int
    name: str
    priority: Priority
    tier: Tier
    first_response_minutes: int | None
    next_response_minutes: int | None
    resolution_minutes: int | None
    time_basis: Literal["business", "calendar"]
    calendar_id: int | None
    warning_percent: int
    version: int

    @classmethod
    def of(cls, row: SlaPolicy) -> PolicyPublic:
        return cls.model_validate(
            {
                **sla_policies.snapshot(row),
                "id": row.id,
                "time_basis": "business" if row.calendar_id is not None else "calendar",
            }
        )


class PoliciesPublic(BaseModel):
    data: list[PolicyPublic]
    count: int
