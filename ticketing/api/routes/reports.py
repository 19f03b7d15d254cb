"""Supervisor reports: JSON and CSV for every table, and the dashboard page that draws them."""

from __future__ import annotations

import dataclasses
import html
from datetime import datetime
from pathlib import Path
from string import Template
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi import APIRouter, Depends, Query
from fastapi.responses import FileResponse, HTMLResponse, Response
from pydantic import BaseModel

from ticketing import audit, reports
from ticketing.api import errors
from ticketing.api.deps import ClientAddress, CurrentSupervisor, SessionDep
from ticketing.api.pages import CSP, static_file
from ticketing.api.schemas import Id
from ticketing.clock import utcnow
from ticketing.errors import InvalidInput, NotFound
from ticketing.models import Category, Channel, Priority, Severity, Tier
from ticketing.services import tags

router = APIRouter(tags=["reports"], responses=errors.documented(401, 403, 404, 503))

WEB = Path(__file__).resolve().parent.parent.parent / "web" / "reports"
# The files the dashboard may load, and where they are: nothing else under WEB is served.
STATIC = {
    "app.js": WEB / "app.js",
    "style.css": WEB / "style.css",
    "chart.js": WEB / "node_modules" / "chart.js" / "dist" / "chart.umd.min.js",
}


class ReportPublic(BaseModel):
    name: str
    start: datetime
    end: datetime
    columns: list[str]
    rows: list[list[Any]]


class ReportsPublic(BaseModel):
    data: list[str]


def report_filters(
    start: Annotated[datetime | None, Query(description="period start (ISO, with offset)")] = None,
    end: Annotated[datetime | None, Query(description="period end, exclusive")] = None,
    days: Annotated[int, Query(ge=1, le=366, description="whole local days up to today")] = 30,
    team_id: Id | None = None,
    agent_id: Id | None = None,
    category: Category | None = None,
    severity: Severity | None = None,
    priority: Priority | None = None,
    channel: Channel | None = None,
    tier: Tier | None = None,
    tag: Annotated[str | None, Query(max_length=200, description="tickets with this tag")] = None,
    tz: Annotated[str, Query(max_length=64)] = "Asia/Shanghai",
) -> reports.ReportFilters:
    """The period (start/end, or the last `days` days) and the slices, checked."""
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput(f"unknown time zone {tz}", field="tz") from None
    for name, value in (("start", start), ("end", end)):
        if value is not None and value.tzinfo is None:
            raise InvalidInput(f"{name} needs a UTC offset, e.g. +08:00", field=name)
    try:
        tag = tags.normalize_tag(tag) if tag is not None else None
    except InvalidInput as refused:
        raise InvalidInput(refused.message, field="tag") from None
    default_start, default_end = reports.period(days, utcnow(), tz)
    start, end = start or default_start, end or default_end
    if end < start:
        # end == start is an empty period: a valid question with an empty answer.
        raise InvalidInput("end must not be before start", field="end")
    return reports.ReportFilters(
        start=start,
        end=end,
        team_id=team_id,
        agent_id=agent_id,
        category=category,
        severity=severity,
        priority=priority,
        channel=channel,
        tier=tier,
        tag=tag,
        timezone=tz,
    )


FiltersDep = Annotated[reports.ReportFilters, Depends(report_filters)]


def _filters_record(filters: reports.ReportFilters, rows: int) -> dict[str, Any]:
    """The export's period, slices and size, as the audit trail keeps them."""
    kept: dict[str, Any] = {"rows": rows}
    for key, value in dataclasses.asdict(filters).items():
        if value is not None:
            kept[key] = (
                value.isoformat() if isinstance(value, datetime) else getattr(value, "value", value)
            )
    return kept


def _table(
    session: SessionDep, name: str, filters: reports.ReportFilters, *, export: bool = False
) -> reports.Table:
    if name not in reports.REPORTS:
        raise NotFound(f"no report {name}")
    return (reports.export if export else reports.run)(session, name, filters, utcnow())


@router.get("/api/reports")
def list_reports(_supervisor: CurrentSupervisor) -> ReportsPublic:
    """The names of the reports."""
    return ReportsPublic(data=list(reports.REPORTS))


# Declared before /{name}, which would otherwise take "sla.csv" for a report's name.
@router.get("/api/reports/{name}.csv", response_class=Response)
def report_csv(
    session: SessionDep,
    supervisor: CurrentSupervisor,
    address: ClientAddress,
    name: str,
    filters: FiltersDep,
) -> Response:
    """One report as CSV (UTF-8 with a byte-order mark, for Excel); each export is in the
    audit trail."""
    table = _table(session, name, filters, export=True)
    audit.record(
        session,
        "report.export",
        actor=supervisor,
        target_type="report",
        target_id=name,
        address=address,
        after=_filters_record(filters, len(table.rows)),
    )
    filename = f"kefu-{name}-{filters.start:%Y%m%d}-{filters.end:%Y%m%d}.csv"
    return Response(
        reports.to_csv(table),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.get("/api/reports/{name}")
def report_json(
    session: SessionDep, _supervisor: CurrentSupervisor, name: str, filters: FiltersDep
) -> ReportPublic:
    """One report: its columns and rows for the period and slices asked for."""
    table = _table(session, name, filters)
    return ReportPublic(
        name=table.name,
        start=filters.start,
        end=filters.end,
        columns=table.columns,
        rows=table.rows,
    )


_PAGE = Template((WEB / "index.html").read_text(encoding="utf-8"))


def _options(values: list[str]) -> str:
    return "".join(f'<option value="{html.escape(v)}">{html.escape(v)}</option>' for v in values)


@router.get("/reports", response_class=HTMLResponse, include_in_schema=False)
def dashboard() -> HTMLResponse:
    """The supervisor dashboard; its script signs in and reads the API with a bearer token."""
    page = _PAGE.substitute(
        categories=_options([c.value for c in Category]),
        severities=_options([s.value for s in Severity]),
        priorities=_options([p.value for p in Priority]),
        channels=_options([c.value for c in Channel]),
        tiers=_options([t.value for t in Tier]),
    )
    return HTMLResponse(page, headers={"Content-Security-Policy": CSP})


@router.get("/reports/static/{filename}", include_in_schema=False)
def dashboard_file(filename: str) -> FileResponse:
    return static_file(STATIC, filename, {"Cache-Control": "no-cache"})
