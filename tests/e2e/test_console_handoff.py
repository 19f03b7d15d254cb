"""The whole handoff in two browsers, with the real assistant (Rasa and action servers): a
customer complains in the widget on the demo shop in Chinese and asks for a human; the bot's
hand-off action files the complaint and queues the chat; an agent sees it arrive in the console
without reloading, claims it, replies, hands the chat back to the bot and resolves; the customer
sees the reply and the agent's name, and the bot answers again after the hand-back."""

from __future__ import annotations

import re
from typing import Any

import httpx
from playwright.sync_api import Page, ViewportSize, expect

from tests.e2e.conftest import LiveApp, Shot
from tests.factories import PASSWORD
from ticketing.models import (
    Category,
    Conversation,
    ConversationState,
    Status,
    Ticket,
    parse_ticket_number,
)

LAPTOP: ViewportSize = {"width": 1366, "height": 768}
SHANGHAI = "Asia/Shanghai"
COMPLAINT = "你好，我上周买的云跑3代跑鞋鞋底开胶了，订单号 A2024-1181"
# The assistant's replies (bot/assistant/domain/): the complaint summary, the hand-off, a thank-you.
SUMMARY = re.compile(r"请确认投诉内容.*A2024-1181", re.DOTALL)
HANDED_OFF = re.compile(r"已为您转接人工客服（工单号 (T-\d+)）")
WELCOME = "不客气，很高兴能帮到您！"


def sign_in(page: Page, url: str, username: str) -> None:
    page.goto(f"{url}/console")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("#login-form button[type=submit]")
    expect(page.locator("#app")).to_be_visible()
    expect(page.locator("#live")).to_have_attribute("data-state", "on")


def unassigned_count(url: str, username: str) -> int:
    """How many chats wait in the unassigned queue, as the desk API counts them."""
    token = httpx.post(
        f"{url}/api/auth/token", data={"username": username, "password": PASSWORD}
    ).json()["access_token"]
    counts = httpx.get(
        f"{url}/api/console/queues", headers={"Authorization": f"Bearer {token}"}
    ).json()
    return int(counts.get("unassigned") or 0)


def say(shop: Page, text: str) -> None:
    shop.fill("#kefu-input", text)
    shop.click("#kefu-send")


def test_customer_asks_for_a_human_and_an_agent_claims_replies_hands_back_and_resolves(
    live_app_with_rasa: LiveApp, browser: Any, shot: Shot
) -> None:
    live_app = live_app_with_rasa
    agent = browser.new_context(locale="zh-CN", timezone_id=SHANGHAI, viewport=LAPTOP)
    customer = browser.new_context(
        locale="zh-CN", timezone_id=SHANGHAI, viewport={"width": 1280, "height": 800}
    )
    console = agent.new_page()
    sign_in(console, live_app.url, "lina")
    console.click("[data-testid=nav-unassigned]")
    expect(console.locator("#queue-title")).to_have_text("未分配")
    # The store is the assistant tests' too: other handed-off chats may be waiting already.
    waiting = unassigned_count(live_app.url, "lina")
    unassigned = console.locator("[data-count=unassigned]")
    # Set on the page now: still there later only if the console never reloaded.
    console.evaluate("window.__sameDocument = true")

    shop = customer.new_page()
    shop.goto(f"{live_app.url}/shop")
    shop.click("#kefu-launcher")
    expect(shop.locator("#kefu-widget")).to_have_attribute("data-connected", "true")
    bot_bubbles = shop.locator("[data-sender=bot] .kefu-bubble")
    say(shop, COMPLAINT)
    expect(bot_bubbles.last).to_have_text(SUMMARY, timeout=20_000)
    say(shop, "转人工")
    expect(bot_bubbles.last).to_have_text(HANDED_OFF, timeout=20_000)
    expect(shop.locator("#kefu-status")).to_have_attribute("data-state", "queued")
    handed_off = HANDED_OFF.search(bot_bubbles.last.inner_text())
    assert handed_off is not None
    number = handed_off.group(1)
    shot(shop, "1-customer-queued")

    row = console.locator("[data-testid=queue-row]", has_text=number)
    expect(row).to_be_visible(timeout=10_000)
    expect(row).to_contain_text("鞋底开胶")
    assert console.evaluate("window.__sameDocument") is True
    expect(unassigned).to_have_text(str(waiting + 1))
    shot(console, "2-unassigned-queue-live")

    row.click()
    transcript = console.locator("[data-testid=transcript]")
    expect(transcript.locator("[data-kind=customer]").first).to_contain_text("鞋底开胶了")
    expect(transcript.locator("[data-kind=bot] .body").first).to_have_text(SUMMARY)
    expect(console.locator("[data-testid=conversation-state]")).to_contain_text("等待人工")
    expect(console.locator("[data-testid=composer-text]")).to_be_disabled()
    shot(console, "3-ticket-before-claim")

    console.click("[data-testid=claim]")
    expect(console.locator("[data-testid=conversation-state]")).to_contain_text("人工接待：李娜")
    expect(shop.locator("#kefu-status")).to_contain_text("李娜")
    console.fill(
        "[data-testid=composer-text]", "您好，我是客服李娜。非常抱歉，我们马上为您换一双新的。"
    )
    console.click("[data-testid=composer-send]")
    expect(transcript.locator("[data-kind=agent] .body").last).to_have_text(
        "您好，我是客服李娜。非常抱歉，我们马上为您换一双新的。"
    )

    agent_turn = shop.locator("[data-sender=agent]").last
    expect(agent_turn.locator(".kefu-bubble")).to_have_text(
        "您好，我是客服李娜。非常抱歉，我们马上为您换一双新的。"
    )
    expect(agent_turn.locator(".kefu-author")).to_have_text("李娜")
    expect(shop.locator("#kefu-status")).to_have_text("人工客服 李娜 为您服务")
    shot(shop, "4-customer-sees-agent-reply")

    console.click("[data-testid=mode-note]")
    console.fill("[data-testid=composer-text]", "已安排换货，顺丰单号待仓库回传")
    console.click("[data-testid=composer-send]")
    expect(transcript.locator("[data-kind=note]")).to_contain_text("内部备注")
    say(shop, "好的，谢谢！")
    expect(transcript.locator("[data-kind=customer] .body").last).to_have_text("好的，谢谢！")
    shot(console, "5-ticket-after-reply")

    # Back to the bot: the widget says so and the bot answers the next message again.
    console.click("[data-testid=hand-back]")
    expect(shop.locator("#kefu-status")).to_have_attribute("data-state", "bot")
    say(shop, "好的，太感谢了")
    expect(bot_bubbles.last).to_have_text(WELCOME, timeout=20_000)
    expect(console.locator("[data-testid=conversation-state]")).to_contain_text("机器人接待中")
    expect(transcript.locator("[data-kind=bot] .body").last).to_have_text(WELCOME)
    expect(console.locator("[data-testid=hand-back]")).to_have_count(0)

    console.click("[data-testid=status-resolved]")
    expect(console.locator("#t-badges")).to_contain_text("已解决")
    expect(console.locator("[data-testid=reopen]")).to_be_visible()
    shot(console, "6-resolved")

    with live_app.factory() as session:
        ticket = session.get_one(Ticket, parse_ticket_number(number))
        conversation = session.get(Conversation, ticket.conversation_id)
        assert ticket.status is Status.RESOLVED
        assert ticket.order_number == "A2024-1181"
        assert ticket.category is Category.PRODUCT_QUALITY
        assert ticket.assignee_id == live_app.desk.agent.id
        assert conversation is not None and conversation.state is ConversationState.BOT
    # The internal note never reached the customer.
    expect(shop.locator("#kefu-messages")).not_to_contain_text("顺丰单号")
    agent.close()
    customer.close()
