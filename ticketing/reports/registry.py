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

REPORTS: dict[str, Report] = {
    "sla": sla_compliance,
    "sla_trend": sla_trend,
    "breaches": breaches,
    "response_times": response_times,
    "sla_tickets": sla_tickets,
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


def run(session: Session, name: str, filters: ReportFilters, now: datetime) -> Table:
    return REPORTS[name](session, filters, now)
