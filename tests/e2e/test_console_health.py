"""The console tells agents when the assistant is offline, in their language, and stops saying
so when it is back."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests.e2e.conftest import LiveApp, Shot
from tests.e2e.test_console_handoff import LAPTOP, SHANGHAI, sign_in

WITHIN = 25_000  # ms: the console asks every 15 s


def test_the_offline_banner_follows_the_assistant(
    live_app: LiveApp, browser: Any, shot: Shot
) -> None:
    assert live_app.rasa is not None
    context = browser.new_context(locale="zh-CN", timezone_id=SHANGHAI, viewport=LAPTOP)
    page = context.new_page()
    sign_in(page, live_app.url, "lina")
    banner = page.get_by_test_id("assistant-offline")
    expect(banner).to_be_hidden()

    live_app.rasa.actions_up = False  # the stand-in then fails Rasa's and the actions' checks
    expect(banner).to_be_visible(timeout=WITHIN)
    expect(banner).to_have_text("智能助手已离线：客户的消息会直接转给您")
    page.get_by_test_id("lang-toggle").click()
    expect(banner).to_have_text("The assistant is offline: chats come straight to you")
    shot(page, "offline")

    live_app.rasa.actions_up = True
    expect(banner).to_be_hidden(timeout=WITHIN)
    context.close()
