"""The reports by name, as the API and the dashboard ask for them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from ticketing.reports.base import Report, ReportFilters, Table
from ticketing.reports.complaints import (
    backlog,
    complaints_by_category,
    complaints_by_channel,
    complaints_by_severity,
    reopen_rate,
)
from ticketing.reports.corrections import triage_corrections
from ticketing.reports.satisfaction import (
    bot,
    callbacks_open,
    churn_risk,
    follow_ups,
    satisfaction,
)
from ticketing.reports.sla import (
    breaches,
    response_times,
    sla_compliance,
    sla_tickets,
    sla_trend,
)
from ticketing.reports.sla_people import (
    sla_agent_trend,
    sla_by_agent,
    sla_by_team,
    sla_team_trend,
)
from ticketing.reports.ticket_times import ticket_times, ticket_times_export

REPORTS: dict[str, Report] = {
    "sla": sla_compliance,
    "sla_trend": sla_trend,
    "breaches": breaches,
    "response_times": response_times,
    "sla_tickets": sla_tickets,
    "sla_by_team": sla_by_team,
    "sla_by_agent": sla_by_agent,
    "sla_team_trend": sla_team_trend,
    "sla_agent_trend": sla_agent_trend,
    "ticket_times": ticket_times,
    "backlog": backlog,
    "complaints_by_category": complaints_by_category,
    "complaints_by_severity": complaints_by_severity,
    "complaints_by_channel": complaints_by_channel,
    "reopen_rate": reopen_rate,
    "triage_corrections": triage_corrections,
    "satisfaction": satisfaction,
    "follow_ups": follow_ups,
    "bot": bot,
    "churn_risk": churn_risk,
    "callbacks_open": callbacks_open,
}

# The CSV export of these reads more rows than the dashboard shows.
EXPORTS: dict[str, Report] = {"ticket_times": ticket_times_export}


def run(session: Session, name: str, filters: ReportFilters, now: datetime) -> Table:
    return REPORTS[name](session, filters, now)


def export(session: Session, name: str, filters: ReportFilters, now: datetime) -> Table:
    """A report for a CSV file: all its rows where the dashboard shows only the first ones."""
    return EXPORTS.get(name, REPORTS[name])(session, filters, now)
