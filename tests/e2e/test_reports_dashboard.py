"""The supervisor's Monday morning in a real browser: the dashboard's breach figure clicks
through to exactly the tickets it counted in the console, in both languages; the weekly digest
shows in the console and downloads as an HTML file."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from tests.e2e.conftest import LiveApp, Shot
from tests.e2e.test_console_handoff import LAPTOP, SHANGHAI, sign_in
from tests.factories import PASSWORD, make_ticket
from ticketing import digests, services
from ticketing.clock import utcnow
from ticketing.db import transaction
from ticketing.models import Priority, Ticket, User, format_ticket_number
from ticketing.sla import escalations


def breached_tickets(app: LiveApp) -> set[str]:
    """Three tickets of the desk's team from three hours ago: two never answered (the worker
    breaches their first response), one answered in time."""
    now = utcnow()
    numbers = {}
    with transaction(app.factory) as session:
        for name in ("late-1", "late-2", "in-time"):
            ticket = make_ticket(
                session,
                subject=f"鞋底开胶 {name}",
                team=app.desk.team,
                priority=Priority.NORMAL,
                at=now - timedelta(hours=3),
            )
            numbers[name] = format_ticket_number(ticket.id)
            if name == "in-time":
                agent = services.Actor.of(session.get_one(User, app.desk.agent.id))
                services.reply_to_customer(
                    session, ticket, agent, "您好", at=now - timedelta(hours=3, minutes=-5)
                )
    escalations.sweep(app.factory, now)
    return {numbers["late-1"], numbers["late-2"]}


def test_a_breach_figure_lands_on_its_tickets_in_the_console(
    live_app: LiveApp, browser: Any, shot: Shot
) -> None:
    expected = breached_tickets(live_app)
    context = browser.new_context(locale="zh-CN", timezone_id=SHANGHAI, viewport=LAPTOP)
    page = context.new_page()
    page.goto(f"{live_app.url}/reports")
    page.fill("input[name=username]", "zhou")
    page.fill("input[name=password]", PASSWORD)
    page.click("#login-form button[type=submit]")
    figure = page.get_by_test_id("figure-breached-first_response")
    expect(figure.locator(".value")).to_have_text("2")
    expect(page.get_by_test_id("figure-met-first_response").locator(".value")).to_have_text("33.3%")
    shot(page, "dashboard")

    figure.click()
    expect(page).to_have_url(re.compile(r"/console#/tickets\?.*breached=first_response"))
    rows = page.get_by_test_id("queue-row")
    expect(rows).to_have_count(2)
    assert {rows.nth(i).get_attribute("data-number") for i in range(2)} == expected
    chips = page.get_by_test_id("drill-chip")
    expect(chips.first).to_have_text("首次响应超时")
    expect(page.locator("#queue-title")).to_have_text("筛选的工单")
    shot(page, "drilled-zh")

    page.get_by_test_id("lang-toggle").click()
    expect(chips.first).to_have_text("First response breached")
    expect(page.locator("#queue-title")).to_have_text("Filtered tickets")
    expect(rows).to_have_count(2)
    shot(page, "drilled-en")
    context.close()


def test_the_weekly_digest_in_the_console(live_app: LiveApp, browser: Any, shot: Shot) -> None:
    breached_tickets(live_app)
    with transaction(live_app.factory) as session:
        for ticket in session.query(Ticket):
            ticket.created_at -= timedelta(days=7)  # last week's work
        session.get_one(User, live_app.desk.supervisor.id).created_at -= timedelta(days=30)
    assert digests.generate_due(live_app.factory, utcnow()) == 1
    context = browser.new_context(
        locale="en-GB", timezone_id=SHANGHAI, viewport=LAPTOP, accept_downloads=True
    )
    page = context.new_page()
    sign_in(page, live_app.url, "zhou")
    page.get_by_test_id("nav-digests").click()
    digest = page.get_by_test_id("digest")
    expect(digest).to_have_count(1)
    expect(digest.locator(".figure").first.locator(".value")).to_have_text("2")
    shot(page, "digest")
    with page.expect_download() as download:
        digest.get_by_test_id("digest-download").click()
    assert download.value.suggested_filename.endswith("-en.html")
    text = Path(download.value.path()).read_text(encoding="utf-8")
    assert "Weekly digest" in text and "售后一组" in text
    context.close()
