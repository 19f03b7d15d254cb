"""China's official 2026 holidays and make-up days, imported from chinese-calendar."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from ticketing import sla
from ticketing.sla import official

SHANGHAI = ZoneInfo("Asia/Shanghai")
OFFICE = sla.Calendar.from_config(
    "Asia/Shanghai",
    {str(day): [["09:00", "12:00"], ["13:00", "18:00"]] for day in range(5)},
    ["2026-06-01", "2026-10-01"],  # the shop's own day off, and one the notice has too
    overrides={"2026-10-05": [["10:00", "12:00"]], "2026-12-26": [["10:00", "15:00"]]},
)


def test_the_library_covers_2026_and_says_which_years_it_has() -> None:
    years = official.covered_years()
    assert 2026 in years
    assert years.start <= 2010
    year = official.official_year(2026)
    assert [d.day for d in year.workdays] == [
        date(2026, 1, 4),
        date(2026, 2, 14),
        date(2026, 2, 28),
        date(2026, 5, 9),
        date(2026, 9, 20),
        date(2026, 10, 10),
    ]
    assert all(d.day.weekday() >= 5 for d in year.workdays)
    national_day = [d for d in year.holidays if d.name == "National Day"]
    assert [d.day.day for d in national_day] == list(range(1, 8))
    assert national_day[0].name_zh == "国庆节"


def test_a_year_without_a_notice_is_refused_naming_the_years_there_are() -> None:
    last = official.covered_years().stop - 1
    with pytest.raises(official.UnknownYear, match=f"2004-{last}, not for {last + 1}") as caught:
        official.official_year(last + 1)
    assert caught.value.field == "year"
    with pytest.raises(official.UnknownYear):
        official.with_official_year(OFFICE, 1999)


def test_importing_2026_makes_the_calendar_count_golden_week_and_make_up_days() -> None:
    china = official.with_official_year(OFFICE, 2026)
    friday = datetime(2026, 10, 9, 16, tzinfo=SHANGHAI)
    assert sla.add_business_time(china, friday, 4 * timedelta(hours=1)) == datetime(
        2026, 10, 10, 11, tzinfo=SHANGHAI
    )
    eve = datetime(2026, 9, 30, 16, tzinfo=SHANGHAI)
    assert sla.add_business_time(china, eve, 4 * timedelta(hours=1)) == datetime(
        2026, 10, 8, 11, tzinfo=SHANGHAI
    )
    # Make-up days get the usual weekday hours, lunch break included.
    assert china.overrides[date(2026, 9, 20)] == ((time(9), time(12)), (time(13), time(18)))


def test_importing_keeps_the_shops_own_days_unless_the_notice_says_otherwise() -> None:
    china = official.with_official_year(OFFICE, 2026)
    assert date(2026, 6, 1) in china.holidays  # the shop's own
    assert date(2026, 12, 26) in china.overrides  # the shop's own
    assert date(2026, 10, 5) in china.holidays  # officially off: the shop's override goes
    assert date(2026, 10, 5) not in china.overrides
    assert official.with_official_year(china, 2026) == china  # importing twice changes nothing


def test_a_calendar_with_no_weekday_hours_cannot_take_make_up_days() -> None:
    weekend_only = sla.Calendar.from_config("Asia/Shanghai", {"5": [["10:00", "16:00"]]})
    with pytest.raises(sla.CalendarError, match="Monday to Friday") as caught:
        official.with_official_year(weekend_only, 2026)
    assert caught.value.field == "periods"
