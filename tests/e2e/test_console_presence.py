"""Presence and auto-assignment in the real browser: an agent comes online and a queued chat
of their team reaches "my tickets" by itself; the supervisor sees who is on (in English)."""

from __future__ import annotations

from typing import Any

import httpx
from playwright.sync_api import expect

from tests.e2e.conftest import LiveApp, Shot
from tests.e2e.test_console_desk import chat_handed_off
from tests.e2e.test_console_handoff import LAPTOP, SHANGHAI, sign_in
from tests.factories import PASSWORD
from ticketing.db import transaction
from ticketing.models import Team, Ticket, format_ticket_number, parse_ticket_number


def supervisor_headers(url: str) -> dict[str, str]:
    token = httpx.post(
        f"{url}/api/auth/token", data={"username": "zhou", "password": PASSWORD}
    ).json()["access_token"]
    return {"Authorization": f"Bearer {token}"}


def test_an_agent_coming_online_receives_a_queued_chat(
    live_app: LiveApp, browser: Any, shot: Shot
) -> None:
    number = chat_handed_off(live_app.factory, "auto0123456789abcdef", "鞋子尺码发错了")
    with transaction(live_app.factory) as session:
        ticket = session.get(Ticket, parse_ticket_number(number))
        assert ticket is not None
        ticket.team = session.get(Team, live_app.desk.team.id)
    switched = httpx.put(
        f"{live_app.url}/api/teams/{live_app.desk.team.id}/auto-assign",
        json={"enabled": True},
        headers=supervisor_headers(live_app.url),
    )
    assert switched.json()["assigned"] == 0  # nobody is online yet

    context = browser.new_context(locale="zh-CN", timezone_id=SHANGHAI, viewport=LAPTOP)
    console = context.new_page()
    sign_in(console, live_app.url, "lina")
    console.goto(f"{live_app.url}/console#/queue/mine")

    expect(console.locator("[data-testid=presence]")).to_have_value("online")
    row = console.locator("[data-testid=queue-row]")
    expect(row).to_have_count(1, timeout=20000)
    expect(row.first).to_have_attribute("data-number", format_ticket_number(ticket.id))
    shot(console, "auto-assigned")

    supervisor = context.new_page()
    sign_in(supervisor, live_app.url, "zhou")
    if supervisor.locator("[data-testid=lang-toggle]").inner_text() == "English":
        supervisor.click("[data-testid=lang-toggle]")
    lina = supervisor.locator("[data-testid=presence-row]", has_text="李娜")
    expect(lina).to_have_attribute("data-status", "online")
    expect(lina).to_contain_text("Online")
    context.close()
