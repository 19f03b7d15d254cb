"""The ticket clocks: what replies, customer messages, pauses and resolutions do to deadlines."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.ticketing.test_sla import (
    AWARE,
    MINUTE,
    NEW_YORK,
    NEW_YORK_ZONE,
    PROPERTY,
    SHANGHAI,
    SHANGHAI_WEEKDAYS,
    SHANGHAI_ZONE,
    TARGETS,
    H,
    calendars,
    instants,
    is_utc,
    zone_of,
)
from ticketing import sla


def shanghai(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=SHANGHAI_ZONE)


def test_a_new_ticket_starts_first_response_and_resolution_clocks() -> None:
    state = sla.start(TARGETS, SHANGHAI_WEEKDAYS, shanghai(11, 19, 16))  # Thursday
    assert state == sla.SlaState(
        first_response_due_at=shanghai(11, 20, 11),
        resolution_due_at=shanghai(11, 23, 17),
    )
    assert state.next_deadline_at == shanghai(11, 20, 11)
    assert all(is_utc(due) for due in state.due_times)


def test_a_clock_without_a_target_does_not_run() -> None:
    targets = sla.Targets(first_response=None, next_response=None, resolution=8 * H)
    state = sla.start(targets, None, shanghai(11, 19, 16))
    assert state == sla.SlaState(resolution_due_at=shanghai(11, 20, 0))
    assert sla.customer_wrote(state, targets, None, shanghai(11, 19, 17)) == state


def test_an_agent_reply_meets_the_response_clocks_and_leaves_resolution_running() -> None:
    state = sla.start(TARGETS, SHANGHAI_WEEKDAYS, shanghai(11, 19, 16))
    state = dataclasses.replace(state, next_response_due_at=shanghai(11, 20, 10))
    replied = sla.agent_replied(state, shanghai(11, 19, 17))
    assert replied.first_response_due_at is None
    assert replied.next_response_due_at is None
    assert replied.next_deadline_at == replied.resolution_due_at == shanghai(11, 23, 17)


def test_a_customer_message_before_the_first_response_changes_nothing() -> None:
    state = sla.start(TARGETS, SHANGHAI_WEEKDAYS, shanghai(11, 19, 16))
    assert sla.customer_wrote(state, TARGETS, SHANGHAI_WEEKDAYS, shanghai(11, 19, 17)) == state


def test_a_customer_message_after_a_reply_starts_the_next_response_clock_once() -> None:
    state = sla.agent_replied(
        sla.start(TARGETS, SHANGHAI_WEEKDAYS, shanghai(11, 19, 16)), shanghai(11, 19, 16, 30)
    )
    wrote = sla.customer_wrote(state, TARGETS, SHANGHAI_WEEKDAYS, shanghai(11, 19, 17))
    assert wrote.next_response_due_at == shanghai(11, 20, 17, 30)  # 1h Thu, 3h + 4h Fri
    assert wrote.next_deadline_at == wrote.next_response_due_at
    again = sla.customer_wrote(wrote, TARGETS, SHANGHAI_WEEKDAYS, shanghai(11, 20, 9))
    assert again == wrote


def test_zammads_way_runs_next_response_from_creation_and_before_the_first_reply() -> None:
    targets = dataclasses.replace(TARGETS, next_response_before_first_reply=True)
    created = shanghai(11, 19, 16)  # Thursday 16:00: 2 h left today
    state = sla.start(targets, SHANGHAI_WEEKDAYS, created)
    assert state.next_response_due_at == shanghai(11, 20, 16, 30)  # 8 h: 2 h Thu, 3 h + 3 h Fri
    assert state.next_response_started_at == created.astimezone(UTC)
    # A second message before any reply keeps the running clock.
    assert sla.customer_wrote(state, targets, SHANGHAI_WEEKDAYS, shanghai(11, 19, 17)) == state
    replied = sla.agent_replied(state, shanghai(11, 19, 17))
    assert (replied.first_response_due_at, replied.next_response_due_at) == (None, None)
    assert replied.next_response_started_at is None


def test_without_a_next_response_target_no_next_response_clock_starts() -> None:
    targets = sla.Targets(first_response=H, next_response=None, resolution=8 * H)
    state = sla.agent_replied(sla.start(targets, None, AWARE), AWARE + MINUTE)
    assert sla.customer_wrote(state, targets, None, AWARE + H) == state


def test_a_customer_answer_ends_the_pending_pause_then_starts_the_next_response_clock() -> None:
    replied = sla.agent_replied(sla.start(TARGETS, None, AWARE), AWARE + H)
    pending = sla.pause(replied, AWARE + 2 * H)
    answered = sla.customer_wrote(pending, TARGETS, None, AWARE + 5 * H)
    assert answered.paused_at is None
    assert answered.resolution_due_at == AWARE + 16 * H + 3 * H
    assert answered.next_response_due_at == AWARE + 5 * H + 8 * H


def test_pausing_is_idempotent_and_hides_the_next_deadline() -> None:
    state = sla.start(TARGETS, None, AWARE)
    paused = sla.pause(state, AWARE + H)
    assert paused.next_deadline_at is None
    assert sla.pause(paused, AWARE + 2 * H) == paused
    assert paused.paused_at == AWARE + H


def test_resuming_a_running_clock_changes_nothing() -> None:
    state = sla.start(TARGETS, SHANGHAI, AWARE)
    assert sla.resume(state, SHANGHAI, AWARE + 3 * H) == state


def test_pause_over_weekend_moves_deadline_by_business_time_only() -> None:
    # Created Thu 16:00: first response due Fri 11:00 (already breached when paused), resolution
    # Mon 17:00. Paused Fri 17:00 to Mon 10:00 is 2 business hours (Fri 17-18, Mon 09-10).
    state = sla.start(TARGETS, SHANGHAI_WEEKDAYS, shanghai(11, 19, 16))
    paused = sla.pause(state, shanghai(11, 20, 17))
    resumed = sla.resume(paused, SHANGHAI_WEEKDAYS, shanghai(11, 23, 10))
    assert resumed.paused_at is None
    assert resumed.resolution_due_at == shanghai(11, 24, 10)
    assert resumed.first_response_due_at == shanghai(11, 20, 14, 30)
    assert (
        sla.business_time_between(SHANGHAI_WEEKDAYS, shanghai(11, 20, 14, 30), shanghai(11, 23, 10))
        == 4.5 * H
        == sla.business_time_between(SHANGHAI_WEEKDAYS, shanghai(11, 20, 11), shanghai(11, 20, 17))
    )


def test_pause_with_no_business_time_inside_does_not_move_deadlines() -> None:
    state = sla.start(TARGETS, SHANGHAI_WEEKDAYS, shanghai(11, 19, 16))
    paused = sla.pause(state, shanghai(11, 20, 19))  # Friday evening
    resumed = sla.resume(paused, SHANGHAI_WEEKDAYS, shanghai(11, 23, 8))  # Monday before nine
    assert resumed == state


def test_resolving_clears_response_clocks_and_reopening_resumes_resolution() -> None:
    state = sla.start(TARGETS, NEW_YORK, datetime(2026, 3, 2, 9, tzinfo=NEW_YORK_ZONE))
    assert state.resolution_due_at == datetime(2026, 3, 3, 17, tzinfo=NEW_YORK_ZONE)
    done = sla.resolved(state, datetime(2026, 3, 2, 15, tzinfo=NEW_YORK_ZONE))
    assert done == sla.SlaState(
        resolution_due_at=state.resolution_due_at,
        paused_at=datetime(2026, 3, 2, 15, tzinfo=NEW_YORK_ZONE),
    )
    assert done.next_deadline_at is None
    # Reopened Wednesday 10:00: 2h Monday + 8h Tuesday + 1h Wednesday were paused.
    reopened = sla.resume(done, NEW_YORK, datetime(2026, 3, 4, 10, tzinfo=NEW_YORK_ZONE))
    assert reopened.resolution_due_at == datetime(2026, 3, 5, 12, tzinfo=NEW_YORK_ZONE)
    assert reopened.next_deadline_at == reopened.resolution_due_at
    # A reopened ticket: the resolution deadline was decided at the resolution.
    again = sla.reopened(done, NEW_YORK, datetime(2026, 3, 4, 10, tzinfo=NEW_YORK_ZONE))
    assert again == sla.SlaState()


def test_resolving_a_pending_ticket_keeps_the_original_pause() -> None:
    state = sla.start(TARGETS, None, AWARE)
    pending = sla.pause(state, AWARE + H)
    done = sla.resolved(pending, AWARE + 5 * H)
    assert done.paused_at == AWARE + H
    assert done.first_response_due_at is None
    assert sla.resume(done, None, AWARE + 9 * H).resolution_due_at == AWARE + 24 * H


@PROPERTY
@given(
    data=st.data(),
    calendar=calendars,
    first_response=st.timedeltas(MINUTE, timedelta(days=2)),
    resolution=st.timedeltas(MINUTE, timedelta(days=10)),
    until_pause=st.timedeltas(timedelta(0), timedelta(days=10)),
    pause_length=st.timedeltas(timedelta(0), timedelta(days=10)),
)
def test_a_pause_moves_each_deadline_by_exactly_the_business_time_it_spanned(
    data: st.DataObject,
    calendar: sla.Calendar | None,
    first_response: timedelta,
    resolution: timedelta,
    until_pause: timedelta,
    pause_length: timedelta,
) -> None:
    created = data.draw(instants(zone_of(calendar)))
    paused_at = created.astimezone(UTC) + until_pause
    resumed_at = paused_at + pause_length
    targets = sla.Targets(first_response, None, resolution)
    state = sla.start(targets, calendar, created)
    resumed = sla.resume(sla.pause(state, paused_at), calendar, resumed_at)

    def between(a: datetime, b: datetime) -> timedelta:
        return sla.business_time_between(calendar, a, b)

    paused_for = between(paused_at, resumed_at)
    for before, after in zip(state.due_times, resumed.due_times, strict=True):
        assert after == sla.add_business_time(calendar, before, paused_for)
        assert is_utc(after)
        if before > paused_at:  # still running: the same business time is left
            assert between(resumed_at, after) == between(paused_at, before)
        else:  # already breached: still breached by the same business time
            assert between(after, resumed_at) == between(before, paused_at)


@pytest.mark.parametrize(
    ("due", "done", "now", "breached"),
    [
        (None, None, AWARE, False),
        (AWARE, None, AWARE - MINUTE, False),
        (AWARE, None, AWARE, False),
        (AWARE, None, AWARE + MINUTE, True),
        (AWARE, AWARE, AWARE + H, False),
        (AWARE, AWARE + MINUTE, AWARE + H, True),
        (AWARE, AWARE - H, AWARE + H, False),
        (AWARE.astimezone(SHANGHAI_ZONE), None, AWARE + MINUTE, True),
    ],
    ids=[
        "nothing due",
        "not yet due",
        "due this instant",
        "overdue",
        "met exactly on time",
        "met late",
        "met early",
        "any time zone",
    ],
)
def test_breached_means_due_passed_without_being_met_by_then(
    due: datetime | None, done: datetime | None, now: datetime, breached: bool
) -> None:
    assert sla.is_breached(due, done, now) is breached


def test_state_is_kept_in_utc() -> None:
    state = sla.SlaState(first_response_due_at=shanghai(11, 20, 11), paused_at=shanghai(11, 20, 12))
    assert state.first_response_due_at is not None and is_utc(state.first_response_due_at)
    assert state.paused_at is not None and is_utc(state.paused_at)
    assert state.first_response_due_at == shanghai(11, 20, 11)
