"""The settings page in the real browser at 1024 px: an admin sets up a team and its route, a
calendar with China's 2026 holidays and make-up days, and an SLA policy; a bad time is refused
beside its field; a supervisor cannot change anything; English works too."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import Page, ViewportSize, expect
from sqlalchemy import select

from tests.e2e.conftest import LiveApp, Shot
from tests.e2e.test_console_handoff import SHANGHAI
from tests.factories import PASSWORD
from ticketing import accounts
from ticketing.db import transaction
from ticketing.models import BusinessCalendar, Category, Role, SlaPolicy, TeamRoute

SMALL_LAPTOP: ViewportSize = {"width": 1024, "height": 768}


def open_settings(page: Page, url: str, username: str) -> None:
    page.goto(f"{url}/console/settings")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("#login-form button[type=submit]")
    expect(page.locator("#app")).to_be_visible()
    expect(page.locator("#tab-teams[data-ready]")).to_be_visible()


def tab(page: Page, name: str) -> None:
    page.click(f"[data-testid=tab-{name}]")
    expect(page.locator(f"#tab-{name}[data-ready]")).to_be_visible()


def fits(page: Page) -> None:
    """Nothing wider than the window: no sideways scrolling on a 1024 px laptop."""
    assert page.evaluate("document.documentElement.scrollWidth") <= SMALL_LAPTOP["width"]


def test_an_admin_sets_up_the_desk_on_the_settings_page(
    live_app: LiveApp, browser: Any, shot: Shot
) -> None:
    with transaction(live_app.factory) as session:
        accounts.create_user(session, "boss", PASSWORD, role=Role.ADMIN)
        for policy in session.scalars(select(SlaPolicy)):
            session.delete(policy)
    context = browser.new_context(locale="zh-CN", timezone_id=SHANGHAI, viewport=SMALL_LAPTOP)
    page = context.new_page()
    open_settings(page, live_app.url, "boss")
    message = page.locator("[data-testid=message]")

    # A team, and new delivery tickets routed to it.
    page.fill("[data-testid=team-name]", "物流组")
    page.click("#team-form button[type=submit]")
    expect(page.locator("[data-testid=teams]")).to_contain_text("物流组")
    page.select_option("[data-testid=route-delivery]", label="物流组")
    expect(message).to_have_text("已保存")
    fits(page)
    shot(page, "teams")

    # A calendar: a time that is not one is refused naming the field, then fixed.
    tab(page, "calendars")
    form = page.locator("[data-testid=calendar-form]")
    form.locator("input[name=name]").fill("上海客服中心")
    page.fill("[data-testid=periods-0]", "09:00-12:00, 13:00-25:00")
    page.click("[data-testid=calendar-save]")
    expect(message).to_have_text("请修改标出的字段")
    expect(form.locator("label:has([data-testid=periods-0]) .field-error")).to_have_text(
        "25:00 不是有效的时间（00:00 至 24:00）"
    )
    expect(page.locator("[data-testid=periods-0]")).to_have_attribute("aria-invalid", "true")
    page.fill("[data-testid=periods-0]", "09:00-12:00, 13:00-18:00")
    page.click("[data-testid=calendar-save]")
    expect(message).to_have_text("已保存")
    expect(page.locator("[data-testid=official-years]")).to_contain_text("chinese-calendar")
    page.fill("[data-testid=official-year]", "2026")
    page.click("[data-testid=official-import]")
    expect(message).to_contain_text("2026")
    expect(page.locator("[data-testid=overrides]")).to_have_value(
        re.compile(r"(^|\n)2026-10-10 09:00-18:00(\n|$)")
    )
    expect(page.locator("[data-testid=holidays]")).to_have_value(re.compile(r"2026-10-07"))
    fits(page)
    shot(page, "calendar")

    # An SLA policy in business time of that calendar; a target of 0 is refused.
    tab(page, "policies")
    policy = page.locator("[data-testid=policy-form]")
    policy.locator("input[name=name]").fill("普通工单")
    policy.locator("input[name=first_response_minutes]").fill("0")
    policy.locator("input[name=resolution_minutes]").fill("480")
    page.click("[data-testid=policy-save]")
    expect(message).to_have_text("请修改标出的字段")
    first = policy.locator("label:has(input[name=first_response_minutes]) .field-error")
    expect(first).to_have_text("必须大于 0")
    policy.locator("input[name=first_response_minutes]").fill("60")
    page.click("[data-testid=policy-save]")
    expect(message).to_have_text("已保存")
    expect(page.locator("[data-testid=policy-row]")).to_have_count(1)
    fits(page)

    # The same page in English.
    page.click("[data-testid=lang-toggle]")
    expect(page.locator("[data-testid=policy-row]").first).to_contain_text("Business hours")
    expect(page.locator("h1:visible")).to_have_text("SLA policies")
    shot(page, "policies-en")
    context.close()

    with live_app.factory() as session:
        route = session.get(TeamRoute, Category.DELIVERY)
        assert route is not None and route.team.name == "物流组"
        calendar = session.scalars(
            select(BusinessCalendar).where(BusinessCalendar.name == "上海客服中心")
        ).one()
        assert calendar.periods["0"] == [["09:00", "12:00"], ["13:00", "18:00"]]
        assert "2026-10-10" in calendar.overrides and "2026-10-01" in calendar.holidays
        [saved] = session.scalars(select(SlaPolicy)).all()
        assert (saved.first_response_minutes, saved.resolution_minutes) == (60, 480)
        assert saved.calendar_id == calendar.id


def test_a_supervisor_sees_the_page_but_changes_nothing(live_app: LiveApp, browser: Any) -> None:
    context = browser.new_context(locale="en-US", timezone_id=SHANGHAI, viewport=SMALL_LAPTOP)
    page = context.new_page()
    open_settings(page, live_app.url, "zhou")
    expect(page.locator("#forbidden")).to_be_visible()
    page.fill("[data-testid=team-name]", "sneaky")
    page.click("#team-form button[type=submit]")
    expect(page.locator("[data-testid=message]")).to_contain_text("admins only")
    context.close()
