"""Supervisor reports checked against figures worked out by hand on a small data set."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.orm import Session, sessionmaker

from tests.factories import make_policy, make_team, make_user
from ticketing import churn, reports, services
from ticketing.models import (
    Category,
    Channel,
    Conversation,
    Customer,
    Priority,
    Role,
    Severity,
    Ticket,
    Tier,
    User,
)
from ticketing.sla import escalations

# The period: 1-8 November 2026, Shanghai days; "now" is 10 November, 10:00.
START = datetime(2026, 10, 31, 16, 0, tzinfo=UTC)
END = datetime(2026, 11, 8, 16, 0, tzinfo=UTC)


def local(day: int, hour: int, minute: int = 0) -> datetime:
    """Shanghai wall time on a day of November 2026 (or October for day <= 0)."""
    return datetime(2026, 11, 1, hour, minute, tzinfo=UTC) + timedelta(days=day - 1, hours=-8)


NOW = local(10, 10)


@dataclass
class Data:
    team_a: int
    team_b: int
    agent: int
    tickets: dict[str, int]


def build(factory: sessionmaker[Session]) -> Data:  # noqa: C901 - one story, told in order
    """Five tickets in the period and two outside it, each step at its own instant, with the
    worker sweeping when it would have, so breaches are recorded as in real life."""
    ids: dict[str, int] = {}

    def sweep(at: datetime) -> None:
        escalations.sweep(factory, at)

    with factory.begin() as s:
        for priority in Priority:  # calendar time: 1 h first response, 30 min next, 24 h
            make_policy(s, priority, first_response=60, next_response=30, resolution=24 * 60)
        team_a, team_b = make_team(s, "售后"), make_team(s, "物流")
        agent = make_user(s, team=team_a)
        make_user(s, Role.SUPERVISOR, team=team_a)
        regular = services.create_customer(s, "王小明", at=local(-30, 9))
        key = services.create_customer(s, "大客户公司", tier=Tier.KEY_ACCOUNT, at=local(-30, 9))
        data = Data(team_a.id, team_b.id, agent.id, ids)

    def create(
        name: str,
        at: datetime,
        *,
        team: int,
        category: Category,
        channel: Channel,
        severity: Severity = Severity.GENERAL,
        customer_id: int | None = None,
        assign: bool = False,
        subject: str = "鞋底开胶了",
    ) -> None:
        with factory.begin() as s:
            ticket = services.create_ticket(
                s,
                subject=subject,
                channel=channel,
                actor=services.Actor.customer(),
                customer=s.get_one(Customer, customer_id or regular.id),
                category=category,
                severity=severity,
                at=at,
            )
            ticket.team_id = team
            if assign:
                ticket.assignee_id = data.agent
            s.flush()
            ids[name] = ticket.id

    def act(name: str, at: datetime, what: str, *scores: int) -> None:
        with factory.begin() as s:
            ticket = s.get_one(Ticket, ids[name])
            agent = services.Actor.of(s.get_one(User, data.agent))
            if what == "reply":
                services.reply_to_customer(s, ticket, agent, "您好，已经在处理", at=at)
            elif what == "customer":
                services.add_customer_message(s, ticket, "还没有好", at=at)
            elif what == "resolve":
                services.resolve_ticket(s, ticket, agent, at=at)
            elif what == "reopen":
                services.reopen_ticket(s, ticket, services.Actor.customer(), at=at)
            elif what == "survey":
                services.record_survey(s, ticket, scores[0], scores[1], at=at)

    create("t5", local(-12, 10), team=team_a.id, category=Category.OTHER, channel=Channel.WEB)
    act("t5", local(-12, 10, 5), "reply")
    act("t5", local(-12, 11), "resolve")

    create(
        "t1",
        local(1, 10),
        team=team_a.id,
        category=Category.PRODUCT_QUALITY,
        channel=Channel.WEB,
        assign=True,
        subject="=HYPERLINK(1) 鞋底开胶",
    )
    act("t1", local(1, 10, 30), "reply")
    create(
        "t2",
        local(1, 11),
        team=team_a.id,
        category=Category.SERVICE,
        channel=Channel.PHONE,
        severity=Severity.MAJOR,
        assign=True,
    )
    sweep(local(1, 12, 1))  # t2's first response is late
    act("t2", local(1, 12, 30), "reply")
    act("t1", local(1, 20), "resolve")
    create("t3", local(2, 9), team=team_b.id, category=Category.DELIVERY, channel=Channel.TELEGRAM)
    act("t3", local(2, 9, 10), "reply")
    act("t3", local(2, 9, 20), "customer")
    act("t3", local(2, 9, 40), "reply")
    create("t4", local(2, 10, 5), team=team_b.id, category=Category.DELIVERY, channel=Channel.WEB)
    act("t3", local(2, 11), "resolve")
    sweep(local(2, 11, 6))  # t2's resolution and t4's first response are late
    act("t2", local(2, 17), "resolve")
    act("t1", local(2, 20), "survey", 5, 10)
    create(
        "t6",
        local(3, 10),
        team=team_a.id,
        category=Category.PRICE,
        channel=Channel.WEB,
        customer_id=key.id,
    )
    act("t6", local(3, 10, 20), "reply")
    act("t3", local(3, 11), "survey", 4, 9)
    act("t4", local(3, 12), "survey", 1, 0)
    act("t6", local(3, 15), "resolve")
    act("t6", local(3, 16), "reopen")
    act("t6", local(3, 17), "resolve")
    act("t6", local(4, 18), "survey", 3, 7)
    create("t7", local(10, 8), team=team_a.id, category=Category.OTHER, channel=Channel.WEB)
    sweep(NOW)

    with factory.begin() as s:
        for i, (channel, handed) in enumerate(
            [
                (Channel.WEB, False),
                (Channel.WEB, True),
                (Channel.TELEGRAM, False),
                (Channel.TELEGRAM, False),
            ]
        ):
            at = local(2 + i, 9)
            s.add(
                Conversation(
                    id=f"{channel.value}:{i}",
                    channel=channel,
                    customer_id=regular.id,
                    handed_off_at=at if handed else None,
                    created_at=at,
                    last_message_at=at,
                )
            )
        s.add(
            Conversation(
                id="web:old", channel=Channel.WEB, created_at=local(-5, 9), last_message_at=NOW
            )
        )
        churn.refresh(s, NOW)
    return data


@pytest.fixture
def data(session_factory: sessionmaker[Session]) -> Data:
    return build(session_factory)


def report(
    session_factory: sessionmaker[Session], name: str, **slices: object
) -> list[dict[str, object]]:
    filters = reports.ReportFilters(START, END, **slices)  # type: ignore[arg-type]
    with session_factory() as session:
        return reports.run(session, name, filters, NOW).as_dicts()


def test_sla_compliance_per_metric(session_factory: sessionmaker[Session], data: Data) -> None:
    rows = {
        r["metric"]: (r["met"], r["breached"], r["pct_met"]) for r in report(session_factory, "sla")
    }
    assert rows == {
        "first_response": (3, 2, 60.0),  # t2 and t4 answered late
        "next_response": (1, 0, 100.0),  # only t3's customer wrote again
        "resolution": (3, 2, 60.0),  # t2 resolved after 30 h; t4 never
    }
    # One agent's tickets: t1 in time, t2 late.
    mine = {r["metric"]: r["pct_met"] for r in report(session_factory, "sla", agent_id=data.agent)}
    assert mine["first_response"] == 50.0


def test_sla_trend_by_local_day(session_factory: sessionmaker[Session], data: Data) -> None:
    rows = {
        (r["day"], r["metric"]): (r["met"], r["breached"])
        for r in report(session_factory, "sla_trend")
    }
    assert rows[("2026-11-01", "first_response")] == (1, 1)
    assert rows[("2026-11-02", "next_response")] == (1, 0)
    assert rows[("2026-11-03", "resolution")] == (1, 0)
    assert {day for day, _ in rows} == {"2026-11-01", "2026-11-02", "2026-11-03"}


def test_breach_list(session_factory: sessionmaker[Session], data: Data) -> None:
    rows = report(session_factory, "breaches")
    t = data.tickets
    assert [(r["ticket"], r["metric"], r["escalated"]) for r in rows] == [
        (f"T-{t['t4']:06d}", "first_response", True),  # unassigned: to the escalation queue
        (f"T-{t['t2']:06d}", "resolution", False),
        (f"T-{t['t2']:06d}", "first_response", False),
    ]


def test_response_time_median_and_p90(session_factory: sessionmaker[Session], data: Data) -> None:
    rows = {r["metric"]: r for r in report(session_factory, "response_times")}
    # First responses 10, 20, 30, 90 minutes; calendar-time policies, so business time is the
    # same. Resolutions 120, 300 (t6's first: the verdict is decided then), 600, 1800 minutes.
    assert rows["first_response"] == {
        "metric": "first_response",
        "count": 4,
        "avg_minutes": 37.5,
        "median_minutes": 20.0,
        "p90_minutes": 90.0,
        "business_avg_minutes": 37.5,
        "business_median_minutes": 20.0,
        "business_p90_minutes": 90.0,
    }
    assert (
        rows["resolution"]["median_minutes"],
        rows["resolution"]["p90_minutes"],
        rows["resolution"]["avg_minutes"],
        rows["resolution"]["business_median_minutes"],
    ) == (300.0, 1800.0, 705.0, 300.0)
    assert (rows["next_response"]["count"], rows["next_response"]["median_minutes"]) == (1, 20.0)


def test_backlog_by_age(session_factory: sessionmaker[Session], data: Data) -> None:
    rows = {r["age"]: r["tickets"] for r in report(session_factory, "backlog")}
    assert rows == {"< 4 h": 1, "4-24 h": 0, "1-3 d": 0, "3-7 d": 0, "> 7 d": 1}


def test_complaints_by_category_severity_channel(
    session_factory: sessionmaker[Session], data: Data
) -> None:
    def table(name: str, **slices: object) -> list[tuple[object, ...]]:
        return [tuple(r.values()) for r in report(session_factory, name, **slices)]

    assert table("complaints_by_category") == [
        ("delivery", 2, 40.0),
        ("price", 1, 20.0),
        ("product_quality", 1, 20.0),
        ("service", 1, 20.0),
    ]
    assert table("complaints_by_severity") == [("general", 4, 80.0), ("major", 1, 20.0)]
    assert table("complaints_by_channel") == [
        ("web", 3, 60.0),
        ("phone", 1, 20.0),
        ("telegram", 1, 20.0),
    ]
    assert table("complaints_by_category", team_id=data.team_b) == [("delivery", 2, 100.0)]
    assert table("complaints_by_category", tier=Tier.KEY_ACCOUNT) == [("price", 1, 100.0)]
    # Each breach raised the priority: t2 and t4 are urgent now.
    assert table("complaints_by_severity", priority=Priority.URGENT) == [
        ("general", 1, 50.0),
        ("major", 1, 50.0),
    ]


def test_reopen_rate(session_factory: sessionmaker[Session], data: Data) -> None:
    assert report(session_factory, "reopen_rate") == [
        {"resolved": 4, "reopened": 1, "pct_reopened": 25.0}
    ]


def test_csat_and_nps(session_factory: sessionmaker[Session], data: Data) -> None:
    # CSAT 5, 4, 3, 1; NPS 10, 9, 7, 0: two promoters, one passive, one detractor.
    assert report(session_factory, "satisfaction") == [
        {
            "responses": 4,
            "csat_answers": 4,
            "csat_avg": 3.25,
            "pct_satisfied": 50.0,
            "nps_answers": 4,
            "promoters": 2,
            "passives": 1,
            "detractors": 1,
            "nps": 25.0,
        }
    ]
    [key] = report(session_factory, "satisfaction", tier=Tier.KEY_ACCOUNT)
    assert (key["csat_avg"], key["pct_satisfied"], key["nps"]) == (3.0, 0.0, 0.0)


def test_follow_up_completion(session_factory: sessionmaker[Session], data: Data) -> None:
    # Due in the period: t1, t2 (its 7-day visit falls after it), t3 and t6's second round
    # (the first was cancelled by the reopen); t2's is still waiting.
    assert report(session_factory, "follow_ups") == [
        {
            "due": 4,
            "surveys_sent": 0,
            "answered": 3,
            "callbacks_open": 0,
            "callbacks_done": 0,
            "pending": 1,
            "pct_completed": 75.0,
        }
    ]


def test_bot_containment_and_handoff(session_factory: sessionmaker[Session], data: Data) -> None:
    assert report(session_factory, "bot") == [
        {
            "conversations": 4,
            "contained": 3,
            "handed_off": 1,
            "pct_contained": 75.0,
            "pct_handed_off": 25.0,
        }
    ]
    [web] = report(session_factory, "bot", channel=Channel.WEB)
    assert (web["conversations"], web["pct_handed_off"]) == (2, 50.0)


def test_churn_risk_customers(session_factory: sessionmaker[Session], data: Data) -> None:
    rows = report(session_factory, "churn_risk")
    assert [(r["name"], r["reasons"], r["tickets_in_period"]) for r in rows] == [
        ("王小明", "complaints,detractor", 4)
    ]


def test_csv_has_a_bom_keeps_chinese_and_defuses_formulas(
    session_factory: sessionmaker[Session], data: Data
) -> None:
    filters = reports.ReportFilters(START, END)
    with session_factory() as session:
        table = reports.run(session, "breaches", filters, NOW)
        table.rows.append(["x", "T-1", "=HYPERLINK(1) 鞋底开胶", "m", "d", "p", "售后", None, True])
        text = reports.to_csv(table)
    assert text.startswith(b"\xef\xbb\xbf")
    decoded = text.decode("utf-8-sig")
    assert decoded.splitlines()[0] == (
        "breached_at,ticket,subject,metric,due_at,priority,team,assignee,escalated"
    )
    assert "'=HYPERLINK(1) 鞋底开胶" in decoded
    assert "物流" in decoded


def test_period_is_whole_local_days() -> None:
    start, end = reports.period(7, NOW)
    assert (start, end) == (local(4, 0), local(11, 0))
    with pytest.raises(ValueError):
        reports.ReportFilters(END, START)
