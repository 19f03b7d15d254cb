"""Collision warnings in the real browser: two agents open one chat ticket and each sees the
other (one typing); the second to reply is asked first, naming who replied."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Dialog, expect

from tests.e2e.conftest import LiveApp, Shot
from tests.e2e.test_console_handoff import LAPTOP, SHANGHAI, sign_in
from tests.factories import make_ticket
from ticketing import services
from ticketing.db import transaction
from ticketing.models import Team, User


def test_two_agents_see_each_other_and_the_second_reply_asks(
    live_app: LiveApp, browser: Any, shot: Shot
) -> None:
    with transaction(live_app.factory) as session:
        ticket = make_ticket(session, team=session.get(Team, live_app.desk.team.id))
        lina_user = session.get(User, live_app.desk.agent.id)
        assert lina_user is not None
        services.claim_ticket(session, ticket, lina_user)
        number = ticket.number
    lina_context = browser.new_context(locale="zh-CN", timezone_id=SHANGHAI, viewport=LAPTOP)
    zhou_context = browser.new_context(locale="en-GB", timezone_id=SHANGHAI, viewport=LAPTOP)
    lina, zhou = lina_context.new_page(), zhou_context.new_page()
    sign_in(lina, live_app.url, "lina")
    sign_in(zhou, live_app.url, "zhou")
    if zhou.locator("[data-testid=lang-toggle]").inner_text() == "English":
        zhou.click("[data-testid=lang-toggle]")
    lina.goto(f"{live_app.url}/console#/ticket/{number}")
    zhou.goto(f"{live_app.url}/console#/ticket/{number}")
    expect(lina.locator("[data-testid=ticket-number]")).to_have_text(number)
    expect(zhou.locator("[data-testid=ticket-number]")).to_have_text(number)

    lina.locator("[data-testid=mode-note]").click()
    lina.locator("[data-testid=composer-text]").type("先看一下订单")
    expect(zhou.locator("[data-testid=viewers]")).to_have_text("李娜 typing…", timeout=25000)
    expect(lina.locator("[data-testid=viewers]")).to_have_text("周主管 也在查看", timeout=25000)
    shot(zhou, "colleague-typing")

    zhou.locator("[data-testid=composer-text]").fill("Hello, I am on it.")
    zhou.click("[data-testid=composer-send]")
    expect(zhou.locator("[data-testid=toast]").last).to_have_text("Reply sent")

    lina.locator("[data-testid=mode-reply]").click()
    lina.locator("[data-testid=composer-text]").fill("您好，我来处理")
    asked: list[str] = []

    def answer(dialog: Dialog) -> None:
        asked.append(dialog.message)
        dialog.dismiss()

    lina.once("dialog", answer)
    lina.click("[data-testid=composer-send]")
    expect(lina.locator("[data-testid=toast]").last).to_contain_text("周主管 replied")
    assert len(asked) == 1 and asked[0].startswith("周主管 replied ")
    assert asked[0].endswith("仍然发送你的回复吗？")
    expect(lina.locator("[data-testid=composer-text]")).to_have_value("您好，我来处理")
    lina_context.close()
    zhou_context.close()
