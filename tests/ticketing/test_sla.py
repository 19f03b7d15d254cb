"""Business time: arithmetic properties, worked deadlines, and calendar configuration.

The ticket clocks built on it are in test_sla_clock.py."""

from __future__ import annotations

import logging
import time as stopwatch
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ticketing import sla

SHANGHAI_ZONE = ZoneInfo("Asia/Shanghai")
BERLIN_ZONE = ZoneInfo("Europe/Berlin")
NEW_YORK_ZONE = ZoneInfo("America/New_York")

H = timedelta(hours=1)
MINUTE = timedelta(minutes=1)
MICROSECOND = timedelta(microseconds=1)

CHINA_HOLIDAYS = [
    *(f"2025-10-0{day}" for day in range(1, 9)),
    "2026-01-01",
    *(f"2026-02-{day}" for day in range(16, 23)),  # Spring Festival
    *(f"2026-10-0{day}" for day in range(1, 8)),  # National Day week
]
SHANGHAI_WEEKDAY_HOURS = [["09:00", "12:00"], ["13:30", "18:00"]]
SHANGHAI = sla.Calendar.from_config(
    "Asia/Shanghai",
    {**{str(day): SHANGHAI_WEEKDAY_HOURS for day in range(5)}, "5": [["10:00", "16:00"]]},
    CHINA_HOLIDAYS,
)
SHANGHAI_WEEKDAYS = sla.Calendar.from_config(
    "Asia/Shanghai", {str(day): SHANGHAI_WEEKDAY_HOURS for day in range(5)}, CHINA_HOLIDAYS
)
# Weekdays plus the make-up working days (调休) around the National Day weeks, one with its own
# hours and one running to midnight.
SHANGHAI_MAKE_UP_DAYS = sla.Calendar.from_config(
    "Asia/Shanghai",
    {str(day): SHANGHAI_WEEKDAY_HOURS for day in range(5)},
    CHINA_HOLIDAYS,
    overrides={
        "2025-09-28": SHANGHAI_WEEKDAY_HOURS,
        "2025-10-11": [["10:00", "16:00"]],
        "2026-09-20": SHANGHAI_WEEKDAY_HOURS,
        "2026-10-10": [["08:00", "24:00"]],
    },
)
# Besides office hours, an overnight weekend on-call shift that spans the 02:00/03:00 DST change
# and a period that ends at midnight.
BERLIN = sla.Calendar.from_config(
    "Europe/Berlin",
    {
        **{str(day): [["08:00", "12:00"], ["13:00", "17:00"]] for day in range(5)},
        "5": [["22:00", "00:00"]],
        "6": [["00:00", "04:00"]],
    },
    ["2026-01-01", "2026-12-24", "2026-12-25", "2026-12-26"],
)
NEW_YORK = sla.Calendar.from_config(
    "America/New_York",
    {str(day): [["09:00", "17:00"]] for day in range(5)},
    ["2026-07-03", "2026-11-26"],
)
NEW_YORK_24X7 = sla.Calendar.twenty_four_seven("America/New_York")

CALENDARS: list[sla.Calendar | None] = [
    SHANGHAI,
    SHANGHAI_MAKE_UP_DAYS,
    BERLIN,
    NEW_YORK,
    NEW_YORK_24X7,
    None,
]

# Days where mistakes hide: DST changes in Europe and the US, holidays and their edges.
SPECIAL_DAYS = [
    date(2025, 3, 9),
    date(2025, 3, 30),
    date(2025, 10, 26),
    date(2025, 11, 2),
    date(2026, 3, 8),
    date(2026, 3, 29),
    date(2026, 9, 20),
    date(2026, 9, 30),
    date(2026, 10, 10),
    date(2026, 10, 25),
    date(2026, 11, 1),
    date(2026, 12, 24),
]
BOUNDARY_TIMES = [
    time(0),
    time(1, 30),
    time(2),
    time(2, 30),
    time(3),
    time(4),
    time(8),
    time(9),
    time(12),
    time(13),
    time(13, 30),
    time(16),
    time(17),
    time(18),
    time(22),
    time(23, 59, 59, 999999),
]
PROPERTY = settings(max_examples=200, deadline=None)


def zone_of(calendar: sla.Calendar | None) -> ZoneInfo:
    return calendar.zone if calendar is not None else ZoneInfo("UTC")


@st.composite
def instants(draw: st.DrawFn, zone: ZoneInfo) -> datetime:
    """Aware instants in 2025-2027, often on DST days and period boundaries, in `zone` or UTC."""
    day = draw(
        st.one_of(
            st.dates(date(2025, 1, 1), date(2027, 6, 30)),
            st.builds(
                lambda d, shift: d + timedelta(days=shift),
                st.sampled_from(SPECIAL_DAYS),
                st.integers(-2, 2),
            ),
        )
    )
    wall = draw(st.one_of(st.sampled_from(BOUNDARY_TIMES), st.times()))
    local = datetime.combine(day, wall, tzinfo=zone).replace(fold=draw(st.sampled_from([0, 1])))
    return draw(st.sampled_from([local, local.astimezone(UTC)]))


durations = st.one_of(
    st.sampled_from([timedelta(0), MICROSECOND, 30 * MINUTE, H, 4 * H, 7.5 * H, 37.5 * H]),
    st.timedeltas(timedelta(0), timedelta(days=10)),
)
calendars = st.sampled_from(CALENDARS)


def is_utc(value: datetime) -> bool:
    return value.tzinfo is UTC


# --- business-time arithmetic: properties --------------------------------------------------------


@PROPERTY
@given(data=st.data(), calendar=calendars, duration=durations)
def test_business_time_between_start_and_due_is_the_duration_added(
    data: st.DataObject, calendar: sla.Calendar | None, duration: timedelta
) -> None:
    begin = data.draw(instants(zone_of(calendar)))
    due = sla.add_business_time(calendar, begin, duration)
    assert is_utc(due)
    assert due >= begin
    assert sla.business_time_between(calendar, begin, due) == duration


@PROPERTY
@given(data=st.data(), calendar=calendars, shorter=durations, longer=durations)
def test_a_longer_target_is_never_due_earlier(
    data: st.DataObject, calendar: sla.Calendar | None, shorter: timedelta, longer: timedelta
) -> None:
    shorter, longer = sorted([shorter, longer])
    begin = data.draw(instants(zone_of(calendar)))
    assert sla.add_business_time(calendar, begin, shorter) <= sla.add_business_time(
        calendar, begin, longer
    )


@PROPERTY
@given(data=st.data(), calendar=calendars, first=durations, second=durations)
def test_adding_in_two_steps_is_adding_the_sum(
    data: st.DataObject, calendar: sla.Calendar | None, first: timedelta, second: timedelta
) -> None:
    begin = data.draw(instants(zone_of(calendar)))
    in_two_steps = sla.add_business_time(
        calendar, sla.add_business_time(calendar, begin, first), second
    )
    assert in_two_steps == sla.add_business_time(calendar, begin, first + second)


@PROPERTY
@given(data=st.data(), calendar=calendars, duration=durations.filter(bool))
def test_due_time_is_the_earliest_instant_inside_or_at_the_end_of_an_open_period(
    data: st.DataObject, calendar: sla.Calendar | None, duration: timedelta
) -> None:
    begin = data.draw(instants(zone_of(calendar)))
    due = sla.add_business_time(calendar, begin, duration)
    just_before = due - MICROSECOND
    if calendar is not None:
        assert calendar.is_open(just_before)
    assert sla.business_time_between(calendar, begin, just_before) == duration - MICROSECOND


@PROPERTY
@given(data=st.data(), calendar=calendars)
def test_business_time_never_exceeds_elapsed_time_and_adds_up_over_splits(
    data: st.DataObject, calendar: sla.Calendar | None
) -> None:
    zone = zone_of(calendar)
    first, middle, last = sorted(data.draw(instants(zone)) for _ in range(3))

    def between(a: datetime, b: datetime) -> timedelta:
        return sla.business_time_between(calendar, a, b)

    # Aware datetimes sharing a tzinfo subtract as wall times, so compare elapsed time in UTC.
    assert timedelta(0) <= between(first, last) <= last.astimezone(UTC) - first.astimezone(UTC)
    assert between(first, last) == between(first, middle) + between(middle, last)
    assert between(last, first) == timedelta(0)


@settings(max_examples=60, deadline=None)
@given(
    calendar=calendars,
    begin=st.datetimes(datetime(2025, 1, 1), datetime(2027, 6, 30), timezones=st.just(UTC)),
    quarters=st.integers(0, 3 * 24 * 4),
)
def test_business_time_agrees_with_counting_open_quarter_hours(
    calendar: sla.Calendar | None, begin: datetime, quarters: int
) -> None:
    # Every period boundary in these calendars falls on a UTC quarter hour, so a quarter hour is
    # either wholly open or wholly closed: counting them is an independent oracle.
    quarter = 15 * MINUTE
    begin = begin.replace(minute=begin.minute // 15 * 15, second=0, microsecond=0)
    slots = [begin + i * quarter for i in range(quarters)]
    is_open = calendar.is_open if calendar is not None else (lambda _at: True)
    expected = quarter * sum(1 for slot in slots if is_open(slot))
    assert sla.business_time_between(calendar, begin, begin + quarters * quarter) == expected


# --- business-time arithmetic: worked examples ---------------------------------------------------


def test_friday_afternoon_ticket_with_four_hour_target_is_due_monday_noon() -> None:
    # Friday 17:00-18:00 is one hour; Monday 09:00-12:00 the other three. Landing exactly on the
    # end of the morning period, the deadline is 12:00, not the 13:30 reopening.
    friday = datetime(2026, 11, 20, 17, tzinfo=SHANGHAI_ZONE)
    due = sla.add_business_time(SHANGHAI_WEEKDAYS, friday, 4 * H)
    assert due == datetime(2026, 11, 23, 12, tzinfo=SHANGHAI_ZONE)
    assert due == datetime(2026, 11, 23, 4, tzinfo=UTC)
    assert is_utc(due)


def test_saturday_hours_count_when_the_calendar_opens_on_saturday() -> None:
    friday = datetime(2026, 11, 20, 17, tzinfo=SHANGHAI_ZONE)
    due = sla.add_business_time(SHANGHAI, friday, 4 * H)
    assert due == datetime(2026, 11, 21, 13, tzinfo=SHANGHAI_ZONE)


def test_counting_starts_at_the_next_opening_and_skips_lunch() -> None:
    monday = date(2026, 11, 23)
    assert sla.add_business_time(
        SHANGHAI, datetime.combine(monday, time(7), SHANGHAI_ZONE), H
    ) == datetime.combine(monday, time(10), SHANGHAI_ZONE)
    assert sla.add_business_time(
        SHANGHAI, datetime.combine(monday, time(11, 30), SHANGHAI_ZONE), H
    ) == datetime.combine(monday, time(14), SHANGHAI_ZONE)
    assert sla.add_business_time(
        SHANGHAI, datetime.combine(monday, time(12), SHANGHAI_ZONE), MINUTE
    ) == datetime.combine(monday, time(13, 31), SHANGHAI_ZONE)


def test_zero_duration_is_due_at_the_start_even_outside_hours() -> None:
    sunday_night = datetime(2026, 11, 22, 23, tzinfo=SHANGHAI_ZONE)
    due = sla.add_business_time(SHANGHAI, sunday_night, timedelta(0))
    assert due == sunday_night
    assert is_utc(due)


def test_five_business_days_across_the_national_day_week() -> None:
    # Wed 09-30 17:00-18:00 (1h), holidays 10-01..10-07, Thu 7.5h, Fri 7.5h, Sat 6h, Mon 7.5h,
    # Tue 7.5h: 37h; the last half hour is Wed 10-14 09:00-09:30.
    eve = datetime(2026, 9, 30, 17, tzinfo=SHANGHAI_ZONE)
    due = sla.add_business_time(SHANGHAI, eve, 5 * 7.5 * H)
    assert due == datetime(2026, 10, 14, 9, 30, tzinfo=SHANGHAI_ZONE)
    first_day_back = datetime(2026, 10, 8, 9, tzinfo=SHANGHAI_ZONE)
    assert sla.business_time_between(SHANGHAI, eve, first_day_back) == H


def test_a_year_of_business_time_is_computed_day_by_day_not_minute_by_minute() -> None:
    begin = datetime(2026, 1, 1, tzinfo=UTC)
    started = stopwatch.perf_counter()
    due = sla.add_business_time(SHANGHAI, begin, 2000 * H)
    assert sla.business_time_between(SHANGHAI, begin, due) == 2000 * H
    assert stopwatch.perf_counter() - started < 0.5


def test_target_crossing_new_york_dst_changes_counts_real_hours() -> None:
    # Friday 16:00-17:00 plus Monday 09:00-10:00, whatever the offset did over the weekend.
    before_spring_forward = datetime(2026, 3, 6, 16, tzinfo=NEW_YORK_ZONE)  # EST, UTC-5
    due = sla.add_business_time(NEW_YORK, before_spring_forward, 2 * H)
    assert due == datetime(2026, 3, 9, 10, tzinfo=NEW_YORK_ZONE)
    assert due == datetime(2026, 3, 9, 14, tzinfo=UTC)  # EDT, UTC-4
    before_fall_back = datetime(2026, 10, 30, 16, tzinfo=NEW_YORK_ZONE)  # EDT
    due = sla.add_business_time(NEW_YORK, before_fall_back, 2 * H)
    assert due == datetime(2026, 11, 2, 15, tzinfo=UTC)  # 10:00 EST


def test_twenty_four_seven_and_no_calendar_count_elapsed_time_across_dst() -> None:
    saturday_noon = datetime(2026, 3, 7, 12, tzinfo=NEW_YORK_ZONE)
    for calendar in (NEW_YORK_24X7, None):
        due = sla.add_business_time(calendar, saturday_noon, 24 * H)
        assert due == datetime(2026, 3, 8, 13, tzinfo=NEW_YORK_ZONE)  # a 23-hour Sunday
        assert sla.business_time_between(calendar, saturday_noon, due) == 24 * H


@pytest.mark.parametrize(
    ("night", "real_hours"),
    [(date(2026, 3, 29), 3), (date(2026, 10, 25), 5), (date(2026, 6, 7), 4)],
)
def test_period_spanning_a_berlin_dst_change_counts_real_elapsed_time(
    night: date, real_hours: int
) -> None:
    opens = datetime.combine(night, time(0), BERLIN_ZONE)
    closes = datetime.combine(night, time(4), BERLIN_ZONE)
    assert sla.business_time_between(BERLIN, opens, closes) == real_hours * H
    assert sla.add_business_time(BERLIN, opens, real_hours * H) == closes


def test_period_ending_at_midnight_runs_to_the_end_of_the_day() -> None:
    saturday = datetime(2026, 6, 6, 23, tzinfo=BERLIN_ZONE)
    midnight = datetime(2026, 6, 7, tzinfo=BERLIN_ZONE)
    assert sla.add_business_time(BERLIN, saturday, H) == midnight
    assert sla.add_business_time(BERLIN, saturday, 90 * MINUTE) == midnight + 30 * MINUTE
    assert BERLIN.is_open(midnight - MICROSECOND)


def test_wall_times_skipped_by_spring_forward_count_from_the_jump() -> None:
    weekend = (datetime(2026, 3, 7, tzinfo=UTC), datetime(2026, 3, 9, tzinfo=UTC))
    partly_skipped = sla.Calendar.from_config("America/New_York", {"6": [["02:30", "04:00"]]})
    assert sla.business_time_between(partly_skipped, *weekend) == H  # 03:00-04:00 EDT
    wholly_skipped = sla.Calendar.from_config("America/New_York", {"6": [["02:15", "02:45"]]})
    assert sla.business_time_between(wholly_skipped, *weekend) == timedelta(0)
    the_jump = datetime(2026, 3, 8, 7, tzinfo=UTC)
    assert sla.add_business_time(partly_skipped, weekend[0], MINUTE) == the_jump + MINUTE


def test_wall_times_repeated_by_fall_back_count_both_occurrences() -> None:
    calendar = sla.Calendar.from_config("America/New_York", {"6": [["01:00", "02:00"]]})
    weekend = (datetime(2026, 10, 31, tzinfo=UTC), datetime(2026, 11, 2, tzinfo=UTC))
    assert sla.business_time_between(calendar, *weekend) == 2 * H


def test_midnight_skipped_by_a_dst_change_leaves_no_hole_in_a_round_the_clock_calendar() -> None:
    # Chile springs forward at midnight: 2026-09-06 00:00 does not exist.
    calendar = sla.Calendar.from_config(
        "America/Santiago", {str(day): [["00:00", "00:00"]] for day in range(7)}
    )
    begin, end = datetime(2026, 9, 4, tzinfo=UTC), datetime(2026, 9, 9, tzinfo=UTC)
    assert sla.business_time_between(calendar, begin, end) == end - begin


def test_holidays_are_closed_all_day() -> None:
    assert not SHANGHAI.is_open(datetime(2026, 10, 1, 10, tzinfo=SHANGHAI_ZONE))
    assert not SHANGHAI.is_open(datetime(2026, 10, 3, 11, tzinfo=SHANGHAI_ZONE))  # a Saturday
    assert SHANGHAI.is_open(datetime(2026, 10, 8, 10, tzinfo=SHANGHAI_ZONE))


def test_periods_are_open_at_their_start_and_closed_at_their_end() -> None:
    monday = date(2026, 11, 23)

    def open_at(hour: int, minute: int = 0) -> bool:
        return SHANGHAI.is_open(datetime.combine(monday, time(hour, minute), SHANGHAI_ZONE))

    assert [open_at(8, 59), open_at(9), open_at(12), open_at(13, 29), open_at(13, 30)] == [
        False,
        True,
        False,
        False,
        True,
    ]
    assert [open_at(17, 59), open_at(18)] == [True, False]
    assert NEW_YORK_24X7.is_open(datetime(2026, 3, 8, 7, tzinfo=UTC))


def test_a_calendar_with_no_open_day_counts_calendar_time_and_warns_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    closed = sla.Calendar.from_config("Europe/Berlin", {"0": []}, ["2026-01-06"])
    begin = datetime(2026, 1, 5, 9, tzinfo=UTC)
    with caplog.at_level(logging.WARNING, logger="ticketing.sla.calendar"):
        assert sla.add_business_time(closed, begin, H) == begin + H
        assert sla.subtract_business_time(closed, begin + H, H) == begin
        assert sla.business_time_between(closed, begin, begin + 30 * 24 * H) == 30 * 24 * H
        assert closed.is_open(begin + 20 * 24 * H)
        state = sla.start(TARGETS, closed, begin)
    assert state.first_response_due_at == begin + 4 * H
    warned = [r for r in caplog.records if "no opening periods" in r.getMessage()]
    assert len(warned) == 1 and "Europe/Berlin" in warned[0].getMessage()


NAIVE = datetime(2026, 1, 5, 9)
AWARE = datetime(2026, 1, 5, 9, tzinfo=UTC)
TARGETS = sla.Targets(first_response=4 * H, next_response=8 * H, resolution=16 * H)

NAIVE_CALLS: dict[str, Callable[[], object]] = {
    "add start": lambda: sla.add_business_time(SHANGHAI, NAIVE, H),
    "add start, no calendar": lambda: sla.add_business_time(None, NAIVE, H),
    "between start": lambda: sla.business_time_between(SHANGHAI, NAIVE, AWARE),
    "between end": lambda: sla.business_time_between(None, AWARE, NAIVE),
    "is_open": lambda: SHANGHAI.is_open(NAIVE),
    "start": lambda: sla.start(TARGETS, SHANGHAI, NAIVE),
    "agent_replied": lambda: sla.agent_replied(sla.SlaState(), NAIVE),
    "customer_wrote": lambda: sla.customer_wrote(sla.SlaState(), TARGETS, None, NAIVE),
    "pause": lambda: sla.pause(sla.SlaState(), NAIVE),
    "resume": lambda: sla.resume(sla.SlaState(paused_at=AWARE), SHANGHAI, NAIVE),
    "resolved": lambda: sla.resolved(sla.SlaState(), NAIVE),
    "is_breached due": lambda: sla.is_breached(NAIVE, None, AWARE),
    "is_breached now": lambda: sla.is_breached(AWARE, None, NAIVE),
    "state": lambda: sla.SlaState(resolution_due_at=NAIVE),
}


@pytest.mark.parametrize("call", NAIVE_CALLS.values(), ids=NAIVE_CALLS.keys())
def test_naive_datetimes_are_rejected(call: Callable[[], object]) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        call()


def test_negative_durations_are_rejected() -> None:
    with pytest.raises(ValueError, match="negative"):
        sla.add_business_time(SHANGHAI, AWARE, -H)
    with pytest.raises(ValueError, match="negative"):
        sla.Targets(first_response=-H, next_response=None, resolution=H)


# --- calendar configuration ----------------------------------------------------------------------


def test_config_round_trips_through_json_form() -> None:
    for calendar in (SHANGHAI, BERLIN, NEW_YORK, NEW_YORK_24X7):
        config = calendar.to_config()
        assert sla.Calendar.from_config(**config) == calendar  # type: ignore[arg-type]
    assert SHANGHAI.to_config()["periods"] == {
        **{str(day): SHANGHAI_WEEKDAY_HOURS for day in range(5)},
        "5": [["10:00", "16:00"]],
    }
    assert BERLIN.to_config()["periods"]["5"] == [["22:00", "00:00"]]  # type: ignore[index]


def test_config_accepts_24_00_as_the_end_of_the_day_and_sorts_periods() -> None:
    calendar = sla.Calendar.from_config(
        "UTC", {"4": [["13:00", "24:00"], ["09:00", "12:00"]]}, ["2026-10-02", "2026-10-01"]
    )
    assert calendar.periods[4] == ((time(9), time(12)), (time(13), time(0)))
    assert calendar.holidays == frozenset({date(2026, 10, 1), date(2026, 10, 2)})


def test_calendars_are_values() -> None:
    again = sla.Calendar.from_config(**SHANGHAI.to_config())  # type: ignore[arg-type]
    assert again == SHANGHAI
    assert hash(again) == hash(SHANGHAI)
    assert again != SHANGHAI_WEEKDAYS


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"periods": {"0": [["09:00", "12:00"], ["11:00", "18:00"]]}}, "overlap"),
        ({"periods": {"0": [["18:00", "09:00"]]}}, "ends before it starts"),
        ({"periods": {"0": [["09:00", "09:00"]]}}, "ends before it starts"),
        ({"periods": {"0": [["24:00", "09:00"]]}}, "can only end a period"),
        ({"periods": {"0": [["9:00", "18:00"]]}}, "look like"),
        ({"periods": {"0": [["09:00", "25:00"]]}}, "not a time of day"),
        ({"periods": {"0": [["09:00"]]}}, r"\[start, end\] pair"),
        ({"periods": {"0": ["09:00-18:00"]}}, r"\[start, end\] pair"),
        ({"periods": {"0": [[9, 18]]}}, "must be a string"),
        ({"periods": {"7": [["09:00", "18:00"]]}}, "weekday keys"),
        ({"periods": {"Mon": [["09:00", "18:00"]]}}, "weekday keys"),
        ({"timezone": "Asia/Beijing"}, "unknown time zone"),
        ({"timezone": "../etc/passwd"}, "unknown time zone"),
        ({"timezone": ""}, "IANA name"),
        ({"holidays": ["2026-13-01"]}, "not a date"),
        ({"holidays": ["20261001"]}, "ISO date"),
        ({"holidays": "2026-10-01"}, "list of ISO dates"),
    ],
)
def test_invalid_config_is_rejected_with_a_clear_message(
    config: dict[str, Any], message: str
) -> None:
    arguments: dict[str, Any] = {"timezone": "Asia/Shanghai", "periods": {}, **config}
    with pytest.raises(ValueError, match=message):
        sla.Calendar.from_config(**arguments)
