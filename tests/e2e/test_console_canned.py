"""Canned replies in the real browser: `/` in the reply box offers the team's replies filled
for this customer (Chinese), and a supervisor writes one on the canned replies page and uses it
on an English ticket."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests.e2e.conftest import LiveApp, Shot
from tests.e2e.test_console_handoff import LAPTOP, SHANGHAI, sign_in
from tests.factories import make_customer, make_ticket
from ticketing import services
from ticketing.db import transaction
from ticketing.models import Team, User
from ticketing.services import canned


def customer_ticket(app: LiveApp, name: str, language: str, assignee: User | None) -> str:
    with transaction(app.factory) as session:
        customer = make_customer(session)
        customer.name = name
        team = session.get(Team, app.desk.team.id)
        ticket = make_ticket(session, team=team, customer=customer, order_number="A2026-0110")
        ticket.language = language
        if assignee is not None:
            agent = session.get(User, assignee.id)
            assert agent is not None
            services.claim_ticket(session, ticket, agent)
        return ticket.number


def test_slash_inserts_the_teams_reply_with_the_customers_name(
    live_app: LiveApp, browser: Any, shot: Shot
) -> None:
    with transaction(live_app.factory) as session:
        supervisor = session.get(User, live_app.desk.supervisor.id)
        team = session.get(Team, live_app.desk.team.id)
        assert supervisor is not None and team is not None
        text = canned.validated(
            "问候", "{customer_name}您好，我是{agent_name}，订单 {order_number} 已收到。", ""
        )
        canned.create_reply(session, supervisor, text, team=team)
        canned.create_reply(
            session, supervisor, canned.validated("退款", "退款三天到账", ""), team=team
        )
    number = customer_ticket(live_app, "张女士", "zh", live_app.desk.agent)
    context = browser.new_context(locale="zh-CN", timezone_id=SHANGHAI, viewport=LAPTOP)
    console = context.new_page()
    sign_in(console, live_app.url, "lina")
    console.goto(f"{live_app.url}/console#/ticket/{number}")
    expect(console.locator("[data-testid=ticket-number]")).to_have_text(number)

    composer = console.locator("[data-testid=composer-text]")
    composer.click()
    composer.type("/问")
    expect(console.locator("[data-testid=canned-option]")).to_have_count(1)
    shot(console, "canned-list")
    composer.press("Enter")

    expect(composer).to_have_value("张女士您好，我是李娜，订单 A2026-0110 已收到。")
    expect(console.locator("[data-testid=canned-list]")).to_be_hidden()
    context.close()


def test_supervisor_writes_a_reply_and_uses_it_in_english(
    live_app: LiveApp, browser: Any, shot: Shot
) -> None:
    number = customer_ticket(live_app, "Ms Zhang", "en", None)
    context = browser.new_context(locale="en-GB", timezone_id=SHANGHAI, viewport=LAPTOP)
    console = context.new_page()
    sign_in(console, live_app.url, "zhou")
    if console.locator("[data-testid=lang-toggle]").inner_text() == "English":
        console.click("[data-testid=lang-toggle]")
    console.click("[data-testid=nav-canned]")
    console.fill("[data-testid=canned-title]", "Apology")
    console.fill("[data-testid=canned-zh]", "{customer_name}，非常抱歉给您带来不便。")
    console.fill(
        "[data-testid=canned-en]", "Dear {customer_name}, we are sorry about {ticket_number}."
    )
    console.locator("[data-testid=canned-scope]").select_option(label="售后一组 (whole team)")
    console.click("[data-testid=canned-save]")
    expect(console.locator("[data-testid=canned-row]")).to_have_count(1)
    shot(console, "canned-page")

    console.goto(f"{live_app.url}/console#/ticket/{number}")
    composer = console.locator("[data-testid=composer-text]")
    composer.click()
    composer.type("/apo")
    expect(console.locator("[data-testid=canned-option]")).to_have_count(1)
    console.locator("[data-testid=canned-option]").click()

    expect(composer).to_have_value(f"Dear Ms Zhang, we are sorry about {number}.")
    context.close()
