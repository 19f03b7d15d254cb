"""Supervisor reports: every figure aggregated in SQL, the same on SQLite and PostgreSQL.

Each report is a function `(session, filters, now) -> Table`; the API serves them as JSON and
CSV, and the dashboard draws them. SLA times are given twice: elapsed minutes, and the business
minutes the SLA clock counted in the policy's calendar; days are calendar days in the report's
time zone. `base` holds the filters, the table and the SQL helpers; `sla`,
`sla_people` (per team and agent), `ticket_times` (the per-ticket export), `complaints` and
`satisfaction` the reports by topic; `registry` names them; `export` writes CSV.
"""

from ticketing.reports.base import Report, ReportFilters, Table, period
from ticketing.reports.export import to_csv
from ticketing.reports.registry import REPORTS, export, run

__all__ = ["REPORTS", "Report", "ReportFilters", "Table", "export", "period", "run", "to_csv"]
