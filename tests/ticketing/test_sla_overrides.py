"""Working-day overrides (调休) in business time, with China's official 2026 dates.

2026 (State Council notice): National Day and Mid-Autumn are off 10-01..10-07, with Sunday 09-20
and Saturday 10-10 worked in exchange; Spring Festival is off 02-15..02-23 with Saturdays 02-14
and 02-28 worked.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from ticketing import sla
from ticketing.sla.calendar import CalendarError

SHANGHAI = ZoneInfo("Asia/Shanghai")
H = timedelta(hours=1)
OFFICE_HOURS = [["09:00", "18:00"]]
WEEKDAYS_9_TO_6 = {str(day): OFFICE_HOURS for day in range(5)}
GOLDEN_WEEK = [f"2026-10-0{day}" for day in range(1, 8)]
SPRING_FESTIVAL = [f"2026-02-{day}" for day in range(15, 24)]
MAKE_UP_DAYS = {"2026-09-20": OFFICE_HOURS, "2026-10-10": OFFICE_HOURS}

CHINA_2026 = sla.Calendar.from_config(
    "Asia/Shanghai",
    WEEKDAYS_9_TO_6,
    [*GOLDEN_WEEK, *SPRING_FESTIVAL],
    overrides={**MAKE_UP_DAYS, "2026-02-14": OFFICE_HOURS, "2026-02-28": [["10:00", "16:00"]]},
)
WITHOUT_MAKE_UP_DAYS = sla.Calendar.from_config(
    "Asia/Shanghai", WEEKDAYS_9_TO_6, [*GOLDEN_WEEK, *SPRING_FESTIVAL]
)


def shanghai(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=SHANGHAI)


def test_friday_ticket_before_a_make_up_saturday_is_due_on_that_saturday() -> None:
    friday = shanghai(10, 9, 16)  # two business hours left on Friday 10-09
    due = sla.add_business_time(CHINA_2026, friday, 4 * H)
    assert due == shanghai(10, 10, 11)
    assert due.astimezone(SHANGHAI).weekday() == 5
    # Without the override the same ticket would wait for Monday.
    assert sla.add_business_time(WITHOUT_MAKE_UP_DAYS, friday, 4 * H) == shanghai(10, 12, 11)


def test_a_target_due_across_golden_week_is_due_after_it() -> None:
    eve = shanghai(9, 30, 16)  # Wednesday: 2 h, then 10-01..10-07 off
    due = sla.add_business_time(CHINA_2026, eve, 4 * H)
    assert due == shanghai(10, 8, 11)
    assert sla.business_time_between(CHINA_2026, eve, due) == 4 * H
    # Three days (27 h) from then: Thu 10-08, Fri 10-09, the make-up Saturday 10-10.
    assert sla.add_business_time(CHINA_2026, shanghai(10, 8, 9), 27 * H) == shanghai(10, 10, 18)


def test_a_make_up_sunday_counts_before_the_holiday() -> None:
    # Saturday 09-19 evening: Sunday 09-20 is worked, so 3 h are due Sunday at noon.
    assert sla.add_business_time(CHINA_2026, shanghai(9, 19, 20), 3 * H) == shanghai(9, 20, 12)
    assert CHINA_2026.is_open(shanghai(9, 20, 10))
    assert not CHINA_2026.is_open(shanghai(9, 27, 10))  # an ordinary Sunday


def test_an_override_has_its_own_hours() -> None:
    # Saturday 02-28 is worked 10:00-16:00 here.
    assert not CHINA_2026.is_open(shanghai(2, 28, 9, 30))
    assert CHINA_2026.is_open(shanghai(2, 28, 15, 59))
    assert not CHINA_2026.is_open(shanghai(2, 28, 16))
    friday = shanghai(2, 27, 17)
    assert sla.add_business_time(CHINA_2026, friday, 2 * H) == shanghai(2, 28, 11)
    assert sla.business_time_between(CHINA_2026, shanghai(2, 28, 0), shanghai(3, 1, 0)) == 6 * H


def test_subtracting_business_time_walks_back_over_the_override() -> None:
    due = shanghai(10, 10, 11)
    assert sla.subtract_business_time(CHINA_2026, due, 4 * H) == shanghai(10, 9, 16)


def test_overrides_round_trip_through_the_json_form() -> None:
    config = CHINA_2026.to_config()
    assert config["overrides"] == {
        "2026-02-14": OFFICE_HOURS,
        "2026-02-28": [["10:00", "16:00"]],
        "2026-09-20": OFFICE_HOURS,
        "2026-10-10": OFFICE_HOURS,
    }
    again = sla.Calendar.from_config(**config)  # type: ignore[arg-type]
    assert again == CHINA_2026
    assert again != WITHOUT_MAKE_UP_DAYS
    assert again.overrides[date(2026, 2, 28)] == ((time(10), time(16)),)


@pytest.mark.parametrize(
    ("config", "field", "message"),
    [
        (
            {"holidays": ["2026-10-10"], "overrides": {"2026-10-10": OFFICE_HOURS}},
            "overrides.2026-10-10",
            "both a holiday and a working-day override",
        ),
        ({"overrides": {"2026-10-10": []}}, "overrides.2026-10-10", "at least one period"),
        (
            {"overrides": {"2026-10-10": [["09:00", "12:00"], ["11:00", "18:00"]]}},
            "overrides.2026-10-10",
            "overlap",
        ),
        ({"overrides": {"2026-10-10": [["09:00", "25:00"]]}}, "overrides.2026-10-10", "not a time"),
        ({"overrides": {"10/10/2026": OFFICE_HOURS}}, "overrides", "ISO date"),
        ({"overrides": ["2026-10-10"]}, "overrides", "keyed by ISO date"),
        ({"periods": {"2": [["09:00", "12:00"], ["11:00", "18:00"]]}}, "periods.2", "overlap"),
        ({"periods": {"0": [["09:00", "25:00"]]}}, "periods.0", "not a time of day"),
        ({"timezone": "Asia/Beijing"}, "timezone", "unknown time zone"),
        ({"holidays": ["2026-02-30"]}, "holidays", "not a date"),
    ],
)
def test_a_bad_calendar_names_the_field_at_fault(
    config: dict[str, Any], field: str, message: str
) -> None:
    arguments: dict[str, Any] = {"timezone": "Asia/Shanghai", "periods": WEEKDAYS_9_TO_6, **config}
    with pytest.raises(CalendarError, match=message) as caught:
        sla.Calendar.from_config(**arguments)
    assert caught.value.field == field
