"""Searching the knowledge base while replying, in the real browser: the agent opens the
"Knowledge" search under the reply box of an English ticket, finds the published article by a
question worded differently, and a click puts its English answer in the box (as text); drafts
are not offered."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests.e2e.conftest import LiveApp, Shot
from tests.e2e.test_console_canned import customer_ticket
from tests.e2e.test_console_handoff import SHANGHAI, sign_in
from tests.e2e.test_settings_page import SMALL_LAPTOP, fits
from tests.knowledge.helpers import fresh_knowledge
from ticketing.audit import CLI
from ticketing.db import transaction
from ticketing.knowledge.articles import ArticleFields, create_article
from ticketing.services.settings_audit import Editor

ANSWER_EN = "<b>Refunds</b> reach your card within 3 working days."


def article(title: str, zh: str, en: str, examples: tuple[str, ...], status: str) -> ArticleFields:
    return ArticleFields(
        title=title,
        answer_zh=zh,
        answer_en=en,
        examples_zh=(),
        examples_en=examples,
        category="",
        status=status,
        faq_key=None,
    )


def test_an_agent_inserts_an_articles_answer_in_the_tickets_language(
    live_app: LiveApp, browser: Any, shot: Shot
) -> None:
    fresh_knowledge(live_app.factory)
    with transaction(live_app.factory) as session:
        editor = Editor(CLI)
        create_article(
            session,
            editor,
            article(
                "退款到账时间",
                "退款 3 个工作日内到账。",
                ANSWER_EN,
                ("how long does a refund take", "when will I get my money back"),
                "published",
            ),
        )
        create_article(
            session,
            editor,
            article("草稿：退款新规", "草稿", "draft refund rules", ("refund rules",), "draft"),
        )
    number = customer_ticket(live_app, "Ms Smith", "en", live_app.desk.agent)
    context = browser.new_context(locale="zh-CN", timezone_id=SHANGHAI, viewport=SMALL_LAPTOP)
    console = context.new_page()
    sign_in(console, live_app.url, "lina")
    console.goto(f"{live_app.url}/console#/ticket/{number}")
    expect(console.locator("[data-testid=ticket-number]")).to_have_text(number)

    console.click("[data-testid=kb-open]")
    console.fill("[data-testid=kb-q]", "refund money back days")
    results = console.locator("[data-testid=kb-result]")
    expect(results).to_have_count(1)
    expect(results.first).to_contain_text("退款到账时间")
    fits(console)
    shot(console, "knowledge-search")
    results.first.locator("button").click()
    expect(console.locator("[data-testid=kb-panel]")).to_be_hidden()
    expect(console.locator("[data-testid=composer-text]")).to_have_value(ANSWER_EN)
    expect(console.locator("b")).to_have_count(0)
    context.close()
