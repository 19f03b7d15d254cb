"""China's official holidays and make-up working days (调休), from the `chinese-calendar` library.

`chinese-calendar` (PyPI, MIT) carries the State Council's yearly notices as data: the days off
*and* the weekend days worked in exchange, one year at a time, 2004 up to the newest notice, and
it refuses a year whose notice it does not have. `holidays` (the other candidate) computes China's
holidays by rule for any year, marks no make-up working day as such (only in a holiday's name) and
adds days that are not off for everyone (Women's Day, Army Day), so it cannot tell a shop which
Saturday to open.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

import chinese_calendar

from ticketing.sla.calendar import Calendar, CalendarError, Period

SOURCE = f"chinese-calendar {chinese_calendar.__version__}"
_HOLIDAY_NAMES = {h.value: h.chinese for h in chinese_calendar.Holiday}


@dataclass(frozen=True)
class OfficialDay:
    day: date
    name: str  # English, as the library names the holiday
    name_zh: str


@dataclass(frozen=True)
class OfficialYear:
    year: int
    holidays: tuple[OfficialDay, ...]
    workdays: tuple[OfficialDay, ...]  # make-up working days, on a weekend


def covered_years() -> range:
    """The years whose official notice the installed library carries."""
    years = {day.year for day in chinese_calendar.holidays}
    return range(min(years), max(years) + 1)


class UnknownYear(CalendarError):
    def __init__(self, year: int) -> None:
        years = covered_years()
        super().__init__(
            f"{SOURCE} has China's official holidays for {years.start}-{years.stop - 1}, "
            f"not for {year}: the State Council publishes a year's dates in the November "
            "before, and a newer chinese-calendar carries them",
            "year",
        )


def _days(table: dict[date, str], year: int) -> tuple[OfficialDay, ...]:
    return tuple(
        OfficialDay(day, name, _HOLIDAY_NAMES.get(name, name))
        for day, name in sorted(table.items())
        if day.year == year
    )


def official_year(year: int) -> OfficialYear:
    """The days off and make-up working days of `year`; UnknownYear when the library has none."""
    if year not in covered_years():
        raise UnknownYear(year)
    return OfficialYear(
        year, _days(chinese_calendar.holidays, year), _days(chinese_calendar.workdays, year)
    )


def usual_workday(calendar: Calendar) -> tuple[Period, ...]:
    """The opening hours a make-up day gets: those most Mondays-to-Fridays of `calendar` have."""
    weekdays = [tuple(calendar.periods[d]) for d in range(5) if calendar.periods.get(d)]
    if not weekdays:
        raise CalendarError(
            "the calendar has no opening hours on Monday to Friday for make-up days to copy",
            "periods",
        )
    return Counter(weekdays).most_common(1)[0][0]


def with_official_year(calendar: Calendar, year: int) -> Calendar:
    """`calendar` with `year`'s official days off as holidays and its make-up days as overrides
    with the usual weekday hours. The shop's own holidays and overrides stay, except where the
    official notice says the opposite of them."""
    official = official_year(year)
    days_off = {d.day for d in official.holidays}
    worked = {d.day for d in official.workdays}
    hours = usual_workday(calendar)
    overrides = {day: p for day, p in calendar.overrides.items() if day not in days_off}
    for day in worked:
        overrides.setdefault(day, hours)
    return Calendar(
        calendar.timezone,
        calendar.periods,
        (calendar.holidays - worked) | days_off,
        calendar.always_open,
        overrides,
    )
