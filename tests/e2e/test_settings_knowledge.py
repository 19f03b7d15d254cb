"""The knowledge base on the settings page in the real browser at 1024 px: a supervisor writes
an article (a refusal shown next to its field, HTML kept as text), a stale save keeps the text,
an unanswered question becomes a draft in one click or is dismissed; an agent only reads."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect
from sqlalchemy import select

from tests.e2e.conftest import LiveApp, Shot
from tests.e2e.test_console_handoff import SHANGHAI, sign_in
from tests.e2e.test_settings_page import SMALL_LAPTOP, fits, open_settings, tab
from tests.knowledge.helpers import fresh_knowledge
from ticketing.db import transaction
from ticketing.knowledge.unanswered import record_unanswered
from ticketing.models import ArticleStatus, GroupStatus, KnowledgeArticle, UnansweredGroup

HTML = "<img src=x onerror=alert(1)>退货请在 7 天内申请"


def test_a_supervisor_keeps_the_knowledge_base(live_app: LiveApp, browser: Any, shot: Shot) -> None:
    fresh_knowledge(live_app.factory)
    with transaction(live_app.factory) as session:
        record_unanswered(session, "你们周末发货吗", "zh")
        record_unanswered(session, "what is the weather in beijing", "en")
    context = browser.new_context(locale="zh-CN", timezone_id=SHANGHAI, viewport=SMALL_LAPTOP)
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    open_settings(page, live_app.url, "zhou")
    tab(page, "knowledge")
    expect(page.locator("#forbidden")).to_be_hidden()
    message = page.locator("[data-testid=message]")
    form = page.locator("[data-testid=article-form]")

    # No answer in either language: refused, the reason next to the field.
    page.fill("[data-testid=article-title]", "退货期限")
    page.click("[data-testid=article-save]")
    expect(form.locator(".field-error[data-field=answer_zh]")).not_to_be_empty()
    page.fill("[data-testid=article-answer-zh]", HTML)
    page.fill("[data-testid=article-examples-zh]", "多久可以退货\n退货有时间限制吗")
    page.select_option("[data-testid=article-status]", "published")
    page.click("[data-testid=article-save]")
    expect(message).to_have_text("文章已保存")
    expect(form.locator(".field-error[data-field=answer_zh]")).to_be_hidden()
    row = page.locator("[data-testid=article-row]")
    expect(row).to_have_count(1)
    expect(page.locator("img")).to_have_count(0)
    fits(page)
    shot(page, "knowledge")

    # Someone else saves meanwhile: 409, and what this supervisor typed stays in the form.
    with transaction(live_app.factory) as session:
        article = session.scalars(select(KnowledgeArticle)).one()
        article.category = "售后"
        article.version += 1
    page.fill("[data-testid=article-answer-en]", "Returns within 7 days.")
    page.click("[data-testid=article-save]")
    expect(message).to_contain_text("其他人刚保存过")
    expect(page.locator("[data-testid=article-answer-en]")).to_have_value("Returns within 7 days.")
    page.click("[data-testid=article-save]")
    expect(message).to_have_text("文章已保存")

    # An unanswered question becomes a draft that opens in the editor; another is dismissed.
    groups = page.locator("[data-testid=unanswered-row]")
    expect(groups).to_have_count(2)
    groups.filter(has_text="周末发货").locator("[data-testid=unanswered-create]").click()
    expect(page.locator("[data-testid=article-title]")).to_have_value("你们周末发货吗")
    expect(page.locator("[data-testid=article-examples-zh]")).to_have_value(
        re.compile("你们周末发货吗")
    )
    groups.filter(has_text="weather").locator("[data-testid=unanswered-dismiss]").click()
    expect(message).to_have_text("已忽略")
    expect(groups).to_have_count(0)
    context.close()

    with live_app.factory() as session:
        saved = session.scalars(
            select(KnowledgeArticle).where(KnowledgeArticle.title == "退货期限")
        ).one()
        assert saved.answer_zh == HTML and saved.answer_en == "Returns within 7 days."
        assert saved.status == ArticleStatus.PUBLISHED
        assert not session.scalars(
            select(UnansweredGroup).where(UnansweredGroup.status == GroupStatus.OPEN)
        ).all()


def test_an_agent_reads_published_articles_only(live_app: LiveApp, browser: Any) -> None:
    fresh_knowledge(live_app.factory, faq=True)
    context = browser.new_context(locale="en-US", timezone_id=SHANGHAI, viewport=SMALL_LAPTOP)
    page = context.new_page()
    sign_in(page, live_app.url, "lina")
    page.click("[data-testid=nav-knowledge]")
    expect(page.locator("#tab-knowledge[data-ready]")).to_be_visible()
    expect(page.locator("[data-testid=tab-teams]")).to_be_hidden()
    expect(page.locator("#article-readonly")).to_be_visible()
    expect(page.locator("[data-testid=article-new]")).to_be_hidden()
    expect(page.locator("#unanswered-card")).to_be_hidden()
    page.fill("[data-testid=article-q]", "how long does delivery take")
    page.press("[data-testid=article-q]", "Enter")
    first = page.locator("[data-testid=article-row]").first
    first.click()
    expect(page.locator("[data-testid=article-title]")).to_be_disabled()
    expect(page.locator("[data-testid=article-save]")).to_be_hidden()
    context.close()
