"""Agents' category corrections: found in the history, exported masked, counted per category."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy.orm import Session

from tests.factories import make_customer, make_ticket, make_user
from ticketing import reports, services, triage_corrections, triage_train
from ticketing.models import Category, Channel, Role, Severity, Ticket
from ticketing.reports.base import ReportFilters
from ticketing.services.corrections import corrections, filed_by_bot
from ticketing.triage_train import LabelledComplaint

NOW = datetime(2026, 11, 10, 2, 0, tzinfo=UTC)


def filed(session: Session, description: str, category: Category) -> Ticket:
    customer = make_customer(session)
    customer.name = "王小明"
    return services.create_ticket(
        session,
        subject=description[:20],
        description=description,
        channel=Channel.WEB,
        actor=services.Actor.bot(),
        customer=customer,
        category=category,
        at=NOW - timedelta(hours=2),
    )


def recategorise(session: Session, ticket: Ticket, category: Category) -> None:
    supervisor = make_user(session, Role.SUPERVISOR)
    services.triage_ticket(session, ticket, services.Actor.of(supervisor), category=category)


def stories(session: Session) -> dict[str, Ticket]:
    tickets = {
        "moved": filed(
            session,
            "我叫王小明，电话13812345678，订单A2025-0606的鞋穿两天就坏了",
            Category.DELIVERY,
        ),
        "kept": filed(session, "快递一周没到", Category.DELIVERY),
        "back": filed(session, "优惠券用不了", Category.PRICE),
        "twice": filed(
            session, "my shoos broke aftr 2 days, call me on +44 7700 900123", Category.OTHER
        ),
        # opened by a person: not triage's, so no correction even when changed
        "desk": make_ticket(session, category=Category.SERVICE),
    }
    recategorise(session, tickets["moved"], Category.PRODUCT_QUALITY)
    recategorise(session, tickets["back"], Category.POLICY)
    recategorise(session, tickets["back"], Category.PRICE)
    recategorise(session, tickets["twice"], Category.SERVICE)
    recategorise(session, tickets["twice"], Category.PRODUCT_QUALITY)
    recategorise(session, tickets["desk"], Category.POLICY)
    session.flush()
    return tickets


def test_a_correction_is_a_bot_filed_ticket_left_in_another_category(session: Session) -> None:
    tickets = stories(session)

    found = {row.ticket.id: row for row in corrections(session)}

    assert set(found) == {tickets["moved"].id, tickets["twice"].id}
    assert found[tickets["moved"].id].filed_as is Category.DELIVERY
    assert found[tickets["moved"].id].corrected_to is Category.PRODUCT_QUALITY
    assert found[tickets["twice"].id].corrected_to is Category.PRODUCT_QUALITY  # the last one
    assert len(filed_by_bot(session)) == 4


def test_the_report_shows_how_often_each_category_was_corrected(session: Session) -> None:
    stories(session)
    filters = ReportFilters(start=NOW - timedelta(days=1), end=NOW + timedelta(days=1))

    table = reports.run(session, "triage_corrections", filters, NOW)

    assert table.columns == [
        "category",
        "filed_by_bot",
        "corrected",
        "pct_corrected",
        "most_often_to",
    ]
    assert table.rows == [
        ["delivery", 2, 1, 50.0, "product_quality"],
        ["other", 1, 1, 100.0, "product_quality"],
        ["price", 1, 0, 0.0, None],
    ]


def test_personal_data_is_masked() -> None:
    masked = triage_corrections.mask_personal_data(
        "我叫王小明，电话138-1234-5678，订单a20250606，邮箱wang@qq.com，找李女士也行", ["王小明"]
    )
    assert masked == "我叫某某,电话13800000000,订单A2000-0000,邮箱user@example.com,找某女士也行"
    english = triage_corrections.mask_personal_data(
        "Hi, this is Tom Baker. Order A2025-0606, call +44 7700 900123 or 0755-12345678"
    )
    assert english == "Hi, this is Name. Order A2000-0000, call 13800000000 or 13800000000"


def test_export_adds_each_correction_once_masked(session: Session, tmp_path: Path) -> None:
    stories(session)
    path = tmp_path / "corrections.jsonl"

    preview = triage_corrections.export_corrections(session, path, dry_run=True)
    assert len(preview.new) == 2 and not path.exists()
    first = triage_corrections.export_corrections(session, path)
    again = triage_corrections.export_corrections(session, path)

    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert (len(first.new), len(again.new), again.already) == (2, 0, 2)
    assert {r["category"] for r in records} == {"product_quality"}
    texts = " ".join(r["text"] for r in records)
    for secret in ("王小明", "13812345678", "A2025-0606", "7700", "900123"):
        assert secret not in texts
    assert {r["lang"] for r in records} == {"zh-Hans", "en"}
    assert all(r["severity"] == "general" and r["source"] == "correction" for r in records)


def test_compare_reports_accuracy_without_and_with_the_corrections() -> None:
    base = triage_train.load_data()[::10]
    extra = [
        LabelledComplaint(
            "鞋子穿两天就坏了", Category.PRODUCT_QUALITY, Severity.GENERAL, "zh-Hans"
        ),
        LabelledComplaint(
            "my shoos broke aftr 2 days", Category.PRODUCT_QUALITY, Severity.GENERAL, "en"
        ),
        LabelledComplaint(
            "boots fell apart in a week", Category.PRODUCT_QUALITY, Severity.GENERAL, "en"
        ),
    ]

    lines = triage_corrections.compare(base, extra, k=2)

    text = "\n".join(lines)
    assert "held-out set, without corrections:" in text
    assert "held-out set, with corrections:" in text
    assert "on the corrections: without them" in text
