"""Business calendars and business time: pure functions over timezone-aware datetimes."""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from types import MappingProxyType
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MIDNIGHT = time(0)
_ONE_DAY = timedelta(days=1)
_MICROSECOND = timedelta(microseconds=1)
_TIME_TEXT = re.compile(r"(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{6}))?)?")
_DATE_TEXT = re.compile(r"\d{4}-\d{2}-\d{2}")

Period = tuple[time, time]
log = logging.getLogger(__name__)


class CalendarError(ValueError):
    """A calendar that cannot be: `field` names the part at fault ("timezone", "periods.0",
    "holidays", "overrides.2026-10-10"), so an API can say which field to fix."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


def as_utc(value: datetime, name: str) -> datetime:
    if not isinstance(value, datetime):
        raise TypeError(f"{name} must be a datetime, got {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got naive {value.isoformat()}")
    return value.astimezone(UTC)


def _since_midnight(moment: time, *, end: bool = False) -> timedelta:
    if end and moment == MIDNIGHT:
        return _ONE_DAY
    return timedelta(
        hours=moment.hour,
        minutes=moment.minute,
        seconds=moment.second,
        microseconds=moment.microsecond,
    )


def _format_time(moment: time) -> str:
    if moment.second == 0 and moment.microsecond == 0:
        return moment.isoformat(timespec="minutes")
    return moment.isoformat()


def _format_period(period: Period) -> str:
    return f"{_format_time(period[0])}-{_format_time(period[1])}"


def _parse_time(text: object, *, end: bool) -> time:
    if not isinstance(text, str):
        raise ValueError(f"a time must be a string like '09:00', got {text!r}")
    if text == "24:00":
        if end:
            return MIDNIGHT
        raise ValueError(
            "24:00 can only end a period; a period starting at midnight starts at 00:00"
        )
    match = _TIME_TEXT.fullmatch(text)
    if match is None:
        raise ValueError(f"a time must look like '09:00' or '09:00:00', got {text!r}")
    hour, minute, second, micro = (int(part) if part else 0 for part in match.groups())
    try:
        return time(hour, minute, second, micro)
    except ValueError:
        raise ValueError(f"{text!r} is not a time of day") from None


def _parse_date(text: object, what: str = "a holiday") -> date:
    if not isinstance(text, str) or _DATE_TEXT.fullmatch(text) is None:
        raise ValueError(f"{what} must be an ISO date like '2026-10-01', got {text!r}")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a date") from None


def _load_zone(name: object) -> ZoneInfo:
    if not isinstance(name, str) or not name:
        raise CalendarError(
            f"the time zone must be an IANA name like 'Asia/Shanghai', got {name!r}", "timezone"
        )
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise CalendarError(f"unknown time zone {name!r}", "timezone") from None


def _normalize_day(label: str, day_periods: Sequence[tuple[time, time]]) -> tuple[Period, ...]:
    """One day's periods checked and sorted; `label` names the day in messages."""
    checked: list[Period] = []
    for period in day_periods:
        if len(period) != 2 or not all(isinstance(t, time) and t.tzinfo is None for t in period):
            raise ValueError(f"a {label} period must be two naive times, got {period!r}")
        begin, end = period
        if _since_midnight(begin) >= _since_midnight(end, end=True):
            raise ValueError(
                f"{label} period {_format_period((begin, end))} ends before it starts; "
                "a period cannot cross midnight: split it at 00:00"
            )
        checked.append((begin, end))
    checked.sort(key=lambda p: _since_midnight(p[0]))
    for before, after in pairwise(checked):
        if _since_midnight(after[0]) < _since_midnight(before[1], end=True):
            raise ValueError(
                f"{label} periods {_format_period(before)} and {_format_period(after)} overlap"
            )
    return tuple(checked)


def _normalize_periods(
    periods: Mapping[int, Sequence[tuple[time, time]]],
) -> Mapping[int, tuple[Period, ...]]:
    if not isinstance(periods, Mapping):
        raise CalendarError(
            f"periods must map weekdays 0-6 to (start, end) pairs, got {periods!r}", "periods"
        )
    normalized: dict[int, tuple[Period, ...]] = {}
    for weekday, day_periods in periods.items():
        if isinstance(weekday, bool) or not isinstance(weekday, int) or not 0 <= weekday <= 6:
            raise CalendarError(
                f"weekday must be 0 (Monday) to 6 (Sunday), got {weekday!r}", "periods"
            )
        try:
            checked = _normalize_day(WEEKDAYS[weekday], day_periods)
        except ValueError as exc:
            raise CalendarError(str(exc), f"periods.{weekday}") from None
        if checked:
            normalized[weekday] = checked
    return MappingProxyType(dict(sorted(normalized.items())))


def _normalize_overrides(
    overrides: Mapping[date, Sequence[tuple[time, time]]], holidays: frozenset[date]
) -> Mapping[date, tuple[Period, ...]]:
    if not isinstance(overrides, Mapping):
        raise CalendarError(
            f"overrides must map dates to (start, end) pairs, got {overrides!r}", "overrides"
        )
    normalized: dict[date, tuple[Period, ...]] = {}
    for day, day_periods in overrides.items():
        if not isinstance(day, date) or isinstance(day, datetime):
            raise CalendarError(f"override days must be dates, got {day!r}", "overrides")
        where = f"overrides.{day.isoformat()}"
        if day in holidays:
            raise CalendarError(
                f"{day.isoformat()} is both a holiday and a working-day override; "
                "remove it from one of them",
                where,
            )
        try:
            checked = _normalize_day(f"{day.isoformat()} override", day_periods)
        except ValueError as exc:
            raise CalendarError(str(exc), where) from None
        if not checked:
            raise CalendarError(
                f"the working-day override on {day.isoformat()} needs at least one period "
                "(a day without any is a holiday)",
                where,
            )
        normalized[day] = checked
    return MappingProxyType(dict(sorted(normalized.items())))


def _parse_day(day_periods: object, label: str) -> list[Period]:
    """One day's [[start, end], ...] in JSON form, parsed (checked later)."""
    if isinstance(day_periods, str | bytes) or not isinstance(day_periods, Sequence):
        raise ValueError(f"{label} must list [start, end] pairs, got {day_periods!r}")
    day: list[Period] = []
    for pair in day_periods:
        if isinstance(pair, str | bytes) or not isinstance(pair, Sequence) or len(pair) != 2:
            raise ValueError(f"a period must be a [start, end] pair, got {pair!r}")
        day.append((_parse_time(pair[0], end=False), _parse_time(pair[1], end=True)))
    return day


def _parse_overrides(overrides: Mapping[str, Sequence[Sequence[str]]]) -> dict[date, list[Period]]:
    if not isinstance(overrides, Mapping):
        raise CalendarError(
            f"overrides must be an object keyed by ISO date, got {overrides!r}", "overrides"
        )
    parsed: dict[date, list[Period]] = {}
    for key, day_periods in overrides.items():
        try:
            day = _parse_date(key, "an override day")
        except ValueError as exc:
            raise CalendarError(str(exc), "overrides") from None
        try:
            parsed[day] = _parse_day(day_periods, f"override {key}")
        except ValueError as exc:
            raise CalendarError(str(exc), f"overrides.{key}") from None
    return parsed


@dataclass(frozen=True)
class Calendar:
    """A business calendar: opening periods per weekday in a time zone, minus holidays, plus
    working-day overrides (调休: a date worked with its own hours, such as the Saturday worked
    before a holiday week).

    `periods` maps a weekday (0 = Monday) to (start, end) local wall times; an end of 00:00 is
    the midnight that ends the day. An override's periods replace its weekday's on that date, and
    a date cannot be both a holiday and an override. A wall time that a DST change repeats counts
    from its first occurrence, and one that a DST change skips counts from the jump, so a period
    is exactly the real time during which the wall clock shows a time inside it.
    """

    timezone: str
    # Excluded from the hash: normalized into an (unhashable) read-only mapping.
    periods: Mapping[int, Sequence[tuple[time, time]]] = field(hash=False)
    holidays: frozenset[date] = frozenset()
    always_open: bool = False
    overrides: Mapping[date, Sequence[tuple[time, time]]] = field(
        default_factory=lambda: MappingProxyType({}), hash=False
    )
    _zone: ZoneInfo = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_zone", _load_zone(self.timezone))
        object.__setattr__(self, "periods", _normalize_periods(self.periods))
        if isinstance(self.holidays, str):
            raise CalendarError("holidays must be a collection of dates", "holidays")
        holidays = frozenset(self.holidays)
        for holiday in holidays:
            # A datetime is a date too, but would silently compare unequal to every local date.
            if not isinstance(holiday, date) or isinstance(holiday, datetime):
                raise CalendarError(f"holidays must be dates, got {holiday!r}", "holidays")
        object.__setattr__(self, "holidays", holidays)
        object.__setattr__(self, "overrides", _normalize_overrides(self.overrides, holidays))
        if not isinstance(self.always_open, bool):
            raise CalendarError(
                f"always_open must be a bool, got {self.always_open!r}", "always_open"
            )

    @classmethod
    def twenty_four_seven(cls, timezone: str = "UTC") -> Calendar:
        """Always open: business time is elapsed time."""
        return cls(timezone, {}, always_open=True)

    @classmethod
    def from_config(
        cls,
        timezone: str,
        periods: Mapping[str, Sequence[Sequence[str]]],
        holidays: Iterable[str] = (),
        always_open: bool = False,
        overrides: Mapping[str, Sequence[Sequence[str]]] | None = None,
    ) -> Calendar:
        """A calendar from its JSON form: {"0": [["09:00", "18:00"]]}, ["2026-10-01"],
        overrides {"2026-10-10": [["09:00", "18:00"]]}; a CalendarError names the bad field."""
        if not isinstance(periods, Mapping):
            raise CalendarError(
                f"periods must be an object keyed by weekday, got {periods!r}", "periods"
            )
        parsed: dict[int, list[Period]] = {}
        for key, day_periods in periods.items():
            text = str(key)
            if not (len(text) == 1 and text in "0123456"):
                raise CalendarError(
                    f"weekday keys must be '0' (Monday) to '6' (Sunday), got {key!r}", "periods"
                )
            if int(text) in parsed:
                raise CalendarError(f"weekday {text} is given twice", "periods")
            try:
                parsed[int(text)] = _parse_day(day_periods, f"weekday {text}")
            except ValueError as exc:
                raise CalendarError(str(exc), f"periods.{text}") from None
        if isinstance(holidays, str):
            raise CalendarError("holidays must be a list of ISO dates, not one string", "holidays")
        try:
            days_off = frozenset(_parse_date(h) for h in holidays)
        except ValueError as exc:
            raise CalendarError(str(exc), "holidays") from None
        return cls(
            timezone,
            parsed,
            days_off,
            always_open,
            _parse_overrides(overrides if overrides is not None else {}),
        )

    def to_config(self) -> dict[str, object]:
        """The JSON form read by from_config (keyword names match its parameters)."""

        def day_form(day: Sequence[tuple[time, time]]) -> list[list[str]]:
            return [[_format_time(b), _format_time(e)] for b, e in day]

        return {
            "timezone": self.timezone,
            "periods": {str(weekday): day_form(day) for weekday, day in self.periods.items()},
            "holidays": sorted(h.isoformat() for h in self.holidays),
            "always_open": self.always_open,
            "overrides": {day.isoformat(): day_form(p) for day, p in self.overrides.items()},
        }

    @property
    def zone(self) -> ZoneInfo:
        return self._zone

    def is_open(self, at: datetime) -> bool:
        """Whether `at` is business time; periods are half-open, so closed at their end."""
        instant = as_utc(at, "at")
        if _counts_elapsed(self):
            return True
        local_day = instant.astimezone(self._zone).date()
        return any(
            begin <= instant < end
            for day in (local_day - _ONE_DAY, local_day)
            for begin, end in self._open_intervals(day)
        )

    def _open_intervals(self, day: date) -> list[tuple[datetime, datetime]]:
        """The UTC instants of `day`'s opening periods (its override's, if it has one), empty
        ones (inside a DST gap) dropped."""
        if day in self.holidays:
            return []
        day_periods = self.overrides.get(day)
        if day_periods is None:
            day_periods = self.periods.get(day.weekday(), ())
        intervals = []
        for begin, end in day_periods:
            opens = _wall_to_utc(day, begin, self._zone)
            closes = _wall_to_utc(day + _ONE_DAY if end == MIDNIGHT else day, end, self._zone)
            if closes > opens:
                intervals.append((opens, closes))
        return intervals

    def _intervals_from(
        self, instant: datetime, until: datetime | None = None
    ) -> Iterator[tuple[datetime, datetime]]:
        """Opening intervals in order, from those of the day before `instant`'s local date
        (forever, or through the day after `until`'s): with a DST change at midnight, one local
        day's periods can reach into the next local date."""
        day = instant.astimezone(self._zone).date() - _ONE_DAY
        last = None if until is None else until.astimezone(self._zone).date() + _ONE_DAY
        while last is None or day <= last:
            yield from self._open_intervals(day)
            day += _ONE_DAY


def _wall_to_utc(day: date, wall: time, zone: ZoneInfo) -> datetime:
    """The first instant at which the wall clock in `zone` shows `wall` on `day` or later."""
    local = datetime.combine(day, wall, tzinfo=zone)  # fold=0: the earlier of a repeated time
    instant = local.astimezone(UTC)
    shown = instant.astimezone(zone)
    if shown.date() == day and shown.time() == wall:
        return instant
    # The wall time was skipped by a jump forward: the jump itself is the first instant the
    # clock shows a later time. Search for it between the two offsets' readings.
    early = local.replace(fold=1).astimezone(UTC)
    low, high = min(early, instant), max(early, instant)
    after = high.astimezone(zone).utcoffset()
    steps_low, steps_high = 0, (high - low) // _MICROSECOND
    while steps_low < steps_high:
        middle = (steps_low + steps_high) // 2
        if (low + middle * _MICROSECOND).astimezone(zone).utcoffset() == after:
            steps_high = middle
        else:
            steps_low = middle + 1
    return low + steps_high * _MICROSECOND


def _counts_elapsed(calendar: Calendar | None) -> bool:
    """Whether business time is elapsed time here: no calendar, a 24x7 one, or one with no open
    day at all, which falls back to calendar time (with a warning) rather than never counting."""
    if calendar is None or calendar.always_open:
        return True
    if any(calendar.periods.values()):
        return False
    _warn_never_open(calendar)
    return True


@functools.cache
def _warn_never_open(calendar: Calendar) -> None:
    # Once per calendar and process: the worker would otherwise say it at every checkpoint.
    log.warning(
        "business calendar in %s has no opening periods: counting calendar time instead",
        calendar.timezone,
    )


def _check_duration(duration: timedelta) -> None:
    if not isinstance(duration, timedelta):
        raise TypeError(f"duration must be a timedelta, got {type(duration).__name__}")
    if duration < timedelta(0):
        raise ValueError(f"duration must not be negative, got {duration}")


def add_business_time(calendar: Calendar | None, start: datetime, duration: timedelta) -> datetime:
    """The instant when `duration` of business time has elapsed after `start`.

    A calendar of None counts elapsed time, like a 24x7 calendar or one never open (which warns
    once). Counting starts at the next
    opening when `start` is outside business hours, and the result is the earliest such instant:
    one landing on a period's end stays there. A zero duration returns `start` itself (in UTC),
    even outside business hours, so that
    `business_time_between(c, s, add_business_time(c, s, d)) == d` holds for every d.
    """
    begin = as_utc(start, "start")
    _check_duration(duration)
    if calendar is None or _counts_elapsed(calendar):
        return begin + duration
    if not duration:
        return begin
    remaining = duration
    for opens, closes in calendar._intervals_from(begin):
        if closes <= begin:
            continue
        counted_from = max(opens, begin)
        available = closes - counted_from
        if remaining <= available:
            return counted_from + remaining
        remaining -= available
    raise AssertionError("unreachable: the calendar yields intervals forever")


def business_time_between(calendar: Calendar | None, start: datetime, end: datetime) -> timedelta:
    """Business time elapsed from start to end (zero if end <= start)."""
    begin, finish = as_utc(start, "start"), as_utc(end, "end")
    if finish <= begin:
        return timedelta(0)
    if calendar is None or _counts_elapsed(calendar):
        return finish - begin
    total = timedelta(0)
    for opens, closes in calendar._intervals_from(begin, finish):
        overlap = min(closes, finish) - max(opens, begin)
        if overlap > timedelta(0):
            total += overlap
    return total


def subtract_business_time(
    calendar: Calendar | None, end: datetime, duration: timedelta
) -> datetime:
    """The earliest instant from which only `duration` of business time is left until `end`.

    The inverse of `add_business_time`: from an instant inside a closed stretch before the
    answer, the same business time remains, so the earliest one (a period's close) is taken.
    """
    finish = end.astimezone(UTC)
    if duration < timedelta(0):
        raise ValueError(f"duration must not be negative, got {duration}")
    if calendar is None or _counts_elapsed(calendar):
        return finish - duration
    if not duration:
        return finish
    remaining = duration
    day = finish.astimezone(calendar.zone).date() + _ONE_DAY
    while True:
        for opens, closes in reversed(calendar._open_intervals(day)):
            if opens >= finish:
                continue
            counted_to = min(closes, finish)
            if not remaining:
                return counted_to
            available = counted_to - opens
            if remaining < available:
                return counted_to - remaining
            remaining -= available
        day -= _ONE_DAY
