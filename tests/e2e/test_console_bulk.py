"""Bulk work in the real browser: an agent closes five tickets at once (in Chinese); a
supervisor tags a whole page and finds the tag on a ticket, and the keyboard shortcuts (in
English)."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests.e2e.conftest import LiveApp, Shot
from tests.e2e.test_console_handoff import LAPTOP, SHANGHAI, sign_in
from tests.factories import make_ticket
from ticketing.db import transaction
from ticketing.models import Status, Team, Ticket


def team_tickets(app: LiveApp, count: int) -> list[str]:
    with transaction(app.factory) as session:
        team = session.get(Team, app.desk.team.id)
        tickets = [make_ticket(session, team=team, subject=f"鞋码不对 {i}") for i in range(count)]
        return [ticket.number for ticket in tickets]


def test_agent_closes_five_tickets_in_one_step(live_app: LiveApp, browser: Any, shot: Shot) -> None:
    chosen = team_tickets(live_app, 5)
    kept = team_tickets(live_app, 1)[0]
    context = browser.new_context(locale="zh-CN", timezone_id=SHANGHAI, viewport=LAPTOP)
    console = context.new_page()
    sign_in(console, live_app.url, "lina")
    console.goto(f"{live_app.url}/console#/queue/team")

    for number in chosen:
        console.locator(f"tr[data-number='{number}'] [data-testid=row-select]").check()
    expect(console.locator("[data-testid=bulk-count]")).to_have_text("已选 5 张")
    shot(console, "bulk-selected")
    console.locator("[data-testid=bulk-status]").select_option("closed")

    expect(console.locator("[data-testid=toast]").last).to_have_text("已处理 5 张工单")
    expect(console.locator("[data-testid=queue-row]")).to_have_count(1)
    expect(console.locator("[data-testid=bulk-bar]")).to_be_hidden()
    with transaction(live_app.factory) as session:
        statuses = {t.number: t.status for t in session.query(Ticket)}
    assert {statuses[n] for n in chosen} == {Status.CLOSED}
    assert statuses[kept] is Status.NEW
    context.close()


def test_supervisor_tags_a_page_and_uses_the_shortcuts(
    live_app: LiveApp, browser: Any, shot: Shot
) -> None:
    numbers = team_tickets(live_app, 3)
    context = browser.new_context(locale="en-GB", timezone_id=SHANGHAI, viewport=LAPTOP)
    console = context.new_page()
    sign_in(console, live_app.url, "zhou")
    if console.locator("[data-testid=lang-toggle]").inner_text() == "English":
        console.click("[data-testid=lang-toggle]")
    console.goto(f"{live_app.url}/console#/queue/team")
    expect(console.locator("[data-testid=queue-row]")).to_have_count(3)

    console.locator("[data-testid=select-all]").check()
    expect(console.locator("[data-testid=bulk-count]")).to_have_text("3 selected")
    console.fill("[data-testid=bulk-tag]", "Recall 2026")
    console.press("[data-testid=bulk-tag]", "Enter")
    expect(console.locator("[data-testid=toast]", has_text="3 tickets updated")).to_be_visible()

    # Done, the bar goes (and the tag field with the focus); then j moves down the queue and
    # Enter opens the ticket: its tag is there.
    expect(console.locator("[data-testid=bulk-bar]")).to_be_hidden()
    console.locator("body").press("j")
    expect(console.locator("[data-testid=queue-row]").first).to_be_focused()
    console.keyboard.press("Enter")
    expect(console.locator("[data-testid=ticket-view]")).to_be_visible()
    expect(console.locator("[data-testid=tag]")).to_have_text(["recall 2026×"])
    shown = console.locator("[data-testid=ticket-number]").inner_text()
    assert shown in numbers

    # n writes a note; ? lists the shortcuts.
    console.locator("body").press("n")
    expect(console.locator("[data-testid=composer-text]")).to_be_focused()
    expect(console.locator("#composer")).to_have_attribute("data-mode", "note")
    console.keyboard.press("Escape")
    console.keyboard.press("?")
    expect(console.locator("[data-testid=shortcut-list]")).to_contain_text("Mark resolved")
    shot(console, "shortcuts")
    context.close()
