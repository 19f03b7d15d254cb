"""SLA met per team and agent (with the trend), and the per-ticket export, on the hand-worked
data set of test_reports."""

from __future__ import annotations

from collections import Counter

from sqlalchemy.orm import Session, sessionmaker

from tests.factories import make_user
from tests.ticketing.test_reports import END, NOW, START, Data, data, report  # noqa: F401
from ticketing import reports
from ticketing.models import Ticket
from ticketing.reports import rollup
from ticketing.reports.ticket_times import ticket_rows


def test_sla_per_team_adds_up_to_the_totals(
    session_factory: sessionmaker[Session],
    data: Data,  # noqa: F811
) -> None:
    teams = report(session_factory, "sla_by_team")
    by_team = {(r["team_id"], r["metric"]): (r["met"], r["breached"], r["pct_met"]) for r in teams}
    # Team A: t1 and t6 answered in time, t2 late; team B: t3 in time, t4 late.
    assert by_team[(data.team_a, "first_response")] == (2, 1, 66.7)
    assert by_team[(data.team_b, "first_response")] == (1, 1, 50.0)
    assert by_team[(data.team_b, "resolution")] == (1, 1, 50.0)
    totals: Counter[tuple[str, str]] = Counter()
    for r in teams:
        totals[(str(r["metric"]), "met")] += int(r["met"])  # type: ignore[call-overload]
        totals[(str(r["metric"]), "breached")] += int(r["breached"])  # type: ignore[call-overload]
    for r in report(session_factory, "sla"):
        assert (totals[(str(r["metric"]), "met")], totals[(str(r["metric"]), "breached")]) == (
            r["met"],
            r["breached"],
        )


def test_sla_per_agent_and_the_unassigned(
    session_factory: sessionmaker[Session],
    data: Data,  # noqa: F811
) -> None:
    rows = {(r["agent_id"], r["metric"]): r for r in report(session_factory, "sla_by_agent")}
    mine = rows[(data.agent, "first_response")]
    assert (mine["met"], mine["breached"], mine["pct_met"]) == (1, 1, 50.0)  # t1 in time, t2 not
    assert mine["agent"]
    nobody = rows[(None, "first_response")]
    assert (nobody["agent"], nobody["met"], nobody["breached"]) == (None, 2, 1)


def test_sla_trend_per_team_and_agent(
    session_factory: sessionmaker[Session],
    data: Data,  # noqa: F811
) -> None:
    teams = {
        (r["day"], r["team_id"], r["metric"]): (r["met"], r["breached"])
        for r in report(session_factory, "sla_team_trend")
    }
    assert teams[("2026-11-01", data.team_a, "first_response")] == (1, 1)  # t1, t2
    assert teams[("2026-11-02", data.team_b, "first_response")] == (1, 1)  # t3, t4
    agents = {
        (r["day"], r["agent_id"], r["metric"]): r["pct_met"]
        for r in report(session_factory, "sla_agent_trend")
    }
    assert agents[("2026-11-01", data.agent, "resolution")] == 50.0


def test_per_ticket_export(session_factory: sessionmaker[Session], data: Data) -> None:  # noqa: F811
    rows = {r["ticket"]: r for r in report(session_factory, "ticket_times")}
    t = data.tickets
    assert set(rows) == {f"T-{t[n]:06d}" for n in ("t1", "t2", "t3", "t4", "t6")}
    t1 = rows[f"T-{t['t1']:06d}"]
    assert (t1["first_response"], t1["first_response_business_minutes"]) == ("met", 30.0)
    assert t1["first_response_elapsed_minutes"] == 30.0
    assert (t1["resolution"], t1["resolution_business_minutes"], t1["csat"], t1["nps"]) == (
        "met",
        600.0,
        5,
        10,
    )
    t2 = rows[f"T-{t['t2']:06d}"]
    assert (t2["first_response"], t2["first_response_elapsed_minutes"]) == ("missed", 90.0)
    assert (t2["resolution"], t2["csat"]) == ("missed", None)
    t4 = rows[f"T-{t['t4']:06d}"]  # never answered: missed, no time yet; surveyed 1 and 0
    assert (t4["first_response"], t4["first_response_at"], t4["csat"], t4["nps"]) == (
        "missed",
        None,
        1,
        0,
    )


def test_the_export_reads_past_the_dashboards_rows(
    session_factory: sessionmaker[Session],
    data: Data,  # noqa: F811
) -> None:
    filters = reports.ReportFilters(START, END)
    with session_factory() as session:
        shown = ticket_rows(session, filters, 2)
        full = reports.export(session, "ticket_times", filters, NOW)
    assert len(shown.rows) == 2 and len(full.rows) == 5
    assert full.rows[:2] == shown.rows


def test_a_verdict_stays_with_whoever_held_the_ticket(
    session_factory: sessionmaker[Session],
    data: Data,  # noqa: F811
) -> None:
    """t2's late first response was decided while the agent held it: passing the ticket on
    afterwards leaves the miss with the agent, in the roll-up and from the verdicts alike."""
    with session_factory.begin() as s:
        other = make_user(s).id
        s.get_one(Ticket, data.tickets["t2"]).assignee_id = other
    before = report(session_factory, "sla_by_agent")
    rollup.refresh(session_factory)
    assert report(session_factory, "sla_by_agent") == before
    rows = {(r["agent_id"], r["metric"]): (r["met"], r["breached"]) for r in before}
    assert rows[(data.agent, "first_response")] == (1, 1)
    assert not any(agent == other for agent, _ in rows)
    mine = report(session_factory, "sla_by_agent", agent_id=data.agent)
    assert {r["agent_id"] for r in mine} == {data.agent}
    assert report(session_factory, "sla_agent_trend", agent_id=other) == []
