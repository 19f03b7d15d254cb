"""How often people corrected the category the bot filed, per category: where triage guesses
badly."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from ticketing.models import Category
from ticketing.reports.base import ReportFilters, Table, created_in
from ticketing.services.corrections import filed_by_bot


def triage_corrections(session: Session, filters: ReportFilters, now: datetime) -> Table:
    """Per category the bot filed in the period: tickets, how many a person re-categorised,
    their share, and the category they were most often moved to."""
    rows = filed_by_bot(session, created_in(filters))
    filed = Counter(row.filed_as for row in rows)
    corrected = Counter(row.filed_as for row in rows if row.corrected)
    moved_to: dict[Category, Counter[Category]] = {}
    for row in rows:
        if row.corrected_to is not None:
            moved_to.setdefault(row.filed_as, Counter())[row.corrected_to] += 1
    table_rows: list[list[Any]] = []
    for category in sorted(filed, key=lambda c: (-corrected[c], -filed[c], c.value)):
        to = moved_to.get(category)
        table_rows.append(
            [
                category.value,
                filed[category],
                corrected[category],
                round(100.0 * corrected[category] / filed[category], 1),
                to.most_common(1)[0][0].value if to else None,
            ]
        )
    return Table(
        "triage_corrections",
        ["category", "filed_by_bot", "corrected", "pct_corrected", "most_often_to"],
        table_rows,
    )
