"""Refusals on the calendars and SLA policies tabs, in the real browser at 1024 px: a 422 is
shown beside the very input it names (nested `loc` paths included), in the page's language,
the input marked aria-invalid and focused, and nothing typed is lost; a 409 (another admin saved
meanwhile) keeps what was typed and says so."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Locator, Page, expect
from sqlalchemy import select

from tests.e2e.conftest import LiveApp, Shot
from tests.e2e.test_console_handoff import SHANGHAI
from tests.e2e.test_settings_page import SMALL_LAPTOP, fits, open_settings, tab
from tests.factories import PASSWORD
from ticketing import accounts
from ticketing.db import transaction
from ticketing.models import BusinessCalendar, Priority, Role, SlaPolicy, Tier

WEEKDAY_HOURS = {str(day): [["09:00", "18:00"]] for day in range(5)}


def admin_page(live_app: LiveApp, browser: Any, locale: str) -> Page:
    with transaction(live_app.factory) as session:
        accounts.create_user(session, "boss", PASSWORD, role=Role.ADMIN)
    context = browser.new_context(locale=locale, timezone_id=SHANGHAI, viewport=SMALL_LAPTOP)
    page: Page = context.new_page()
    open_settings(page, live_app.url, "boss")
    return page


def beside(page: Page, field: str) -> Locator:
    """The refusal shown next to the input `field` (a selector): in the same label."""
    return page.locator(field).locator("xpath=ancestor::label[1]").locator(".field-error")


def refused(page: Page, field: str, *texts: str) -> None:
    """The input is marked invalid, holds the focus, and its refusal is beside it."""
    expect(page.locator(field)).to_have_attribute("aria-invalid", "true")
    expect(page.locator(field)).to_be_focused()
    error = beside(page, field)
    expect(error).to_be_visible()
    for text in texts:
        expect(error).to_contain_text(text)
    described = page.locator(field).get_attribute("aria-describedby")
    assert described and error.get_attribute("id") == described


def test_calendar_refusals_beside_their_inputs_in_chinese(
    live_app: LiveApp, browser: Any, shot: Shot
) -> None:
    page = admin_page(live_app, browser, "zh-CN")
    tab(page, "calendars")
    page.click("#calendar-new")
    form = page.locator("[data-testid=calendar-form]")
    message = page.locator("[data-testid=message]")
    form.locator("input[name=name]").fill("杭州旗舰店")
    wednesday = "09:00-12:00, 13:00-18:00, 19:00-25:00"
    page.fill("[data-testid=periods-2]", wednesday)
    page.fill("[data-testid=holidays]", "2026-10-01\n2026-10-10")
    page.fill("[data-testid=overrides]", "2026-10-10 09:00-18:00")

    # 25:00 in Wednesday's third period: refused beside Wednesday, in Chinese.
    page.click("[data-testid=calendar-save]")
    refused(page, "[data-testid=periods-2]", "25:00", "不是有效的时间")
    expect(message).not_to_contain_text("not a time of day")
    expect(page.locator("[data-testid=periods-2]")).to_have_value(wednesday)
    expect(form.locator("input[name=name]")).to_have_value("杭州旗舰店")
    expect(page.locator("[data-testid=holidays]")).to_have_value("2026-10-01\n2026-10-10")
    expect(page.locator("[data-testid=overrides]")).to_have_value("2026-10-10 09:00-18:00")
    fits(page)
    shot(page, "periods-refused")

    # Fixed; now the day that is both a holiday and a make-up day is refused beside overrides.
    page.fill("[data-testid=periods-2]", "09:00-12:00, 13:00-18:00, 19:00-21:00")
    page.click("[data-testid=calendar-save]")
    refused(page, "[data-testid=overrides]", "2026-10-10", "既是节假日")
    expect(page.locator("[data-testid=periods-2]")).not_to_have_attribute("aria-invalid", "true")
    expect(beside(page, "[data-testid=periods-2]")).to_be_hidden()
    expect(page.locator("[data-testid=holidays]")).to_have_value("2026-10-01\n2026-10-10")
    expect(page.locator("[data-testid=overrides]")).to_have_value("2026-10-10 09:00-18:00")
    expect(page.locator("[data-testid=periods-2]")).to_have_value(
        "09:00-12:00, 13:00-18:00, 19:00-21:00"
    )

    page.fill("[data-testid=holidays]", "2026-10-01")
    page.click("[data-testid=calendar-save]")
    expect(message).to_have_text("已保存")
    expect(page.locator("[data-testid=overrides]")).not_to_have_attribute("aria-invalid", "true")
    expect(beside(page, "[data-testid=overrides]")).to_be_hidden()
    page.context.close()

    with live_app.factory() as session:
        saved = session.scalars(
            select(BusinessCalendar).where(BusinessCalendar.name == "杭州旗舰店")
        ).one()
        assert saved.periods["2"] == [["09:00", "12:00"], ["13:00", "18:00"], ["19:00", "21:00"]]
        assert saved.holidays == ["2026-10-01"] and "2026-10-10" in saved.overrides


def test_overlapping_periods_refused_beside_the_day_in_english(
    live_app: LiveApp, browser: Any
) -> None:
    page = admin_page(live_app, browser, "en-US")
    tab(page, "calendars")
    page.click("#calendar-new")
    page.locator("[data-testid=calendar-form] input[name=name]").fill("Night shift")
    page.fill("[data-testid=periods-4]", "09:00-12:00, 11:30-14:00")
    page.click("[data-testid=calendar-save]")
    refused(page, "[data-testid=periods-4]", "overlap", "09:00-12:00", "11:30-14:00")
    expect(page.locator("[data-testid=periods-4]")).to_have_value("09:00-12:00, 11:30-14:00")
    expect(page.locator("[data-testid=message]")).to_have_class("message bad")
    page.context.close()


def test_a_zero_target_refused_beside_its_cell_in_english(
    live_app: LiveApp, browser: Any, shot: Shot
) -> None:
    page = admin_page(live_app, browser, "en-US")
    tab(page, "policies")
    page.click("#policy-new")
    policy = page.locator("[data-testid=policy-form]")
    policy.locator("input[name=name]").fill("Gold, high")
    policy.locator("select[name=priority]").select_option("high")
    policy.locator("select[name=tier]").select_option("gold")
    policy.locator("select[name=time_basis]").select_option("calendar")
    page.fill("#policy-form [name=first_response_minutes]", "30")
    page.fill("#policy-form [name=next_response_minutes]", "0")
    page.fill("#policy-form [name=resolution_minutes]", "240")
    page.click("[data-testid=policy-save]")
    refused(page, "#policy-form [name=next_response_minutes]", "more than 0")
    expect(page.locator("#policy-form [name=first_response_minutes]")).not_to_have_attribute(
        "aria-invalid", "true"
    )
    expect(policy.locator("input[name=name]")).to_have_value("Gold, high")
    expect(policy.locator("select[name=tier]")).to_have_value("gold")
    expect(page.locator("#policy-form [name=first_response_minutes]")).to_have_value("30")
    expect(page.locator("#policy-form [name=next_response_minutes]")).to_have_value("0")
    expect(page.locator("#policy-form [name=resolution_minutes]")).to_have_value("240")
    fits(page)
    shot(page, "target-refused")

    page.fill("#policy-form [name=next_response_minutes]", "60")
    page.click("[data-testid=policy-save]")
    expect(page.locator("[data-testid=message]")).to_have_text("Saved")
    expect(beside(page, "#policy-form [name=next_response_minutes]")).to_be_hidden()
    page.context.close()

    with live_app.factory() as session:
        saved = session.scalars(
            select(SlaPolicy).where(
                SlaPolicy.priority == Priority.HIGH, SlaPolicy.tier == Tier.GOLD
            )
        ).one()
        assert saved.next_response_minutes == 60


def test_a_zero_target_refused_in_chinese(live_app: LiveApp, browser: Any) -> None:
    page = admin_page(live_app, browser, "zh-CN")
    tab(page, "policies")
    page.locator("[data-testid=policy-row]").first.click()
    page.fill("#policy-form [name=resolution_minutes]", "0")
    page.click("[data-testid=policy-save]")
    refused(page, "#policy-form [name=resolution_minutes]", "必须大于 0")
    expect(page.locator("#policy-form [name=resolution_minutes]")).to_have_value("0")
    page.context.close()


def test_a_stale_save_keeps_what_was_typed(live_app: LiveApp, browser: Any) -> None:
    with transaction(live_app.factory) as session:
        session.add(BusinessCalendar(name="Shanghai", timezone=SHANGHAI, periods=WEEKDAY_HOURS))
    page = admin_page(live_app, browser, "en-US")
    message = page.locator("[data-testid=message]")

    # A calendar: another admin saves it meanwhile; the typed hours stay, a second save wins.
    tab(page, "calendars")
    expect(page.locator("[data-testid=calendar-form] input[name=name]")).to_have_value("Shanghai")
    with transaction(live_app.factory) as session:
        row = session.scalars(select(BusinessCalendar)).one()
        row.holidays = ["2026-10-01"]
    page.fill("[data-testid=periods-5]", "10:00-16:00")
    page.click("[data-testid=calendar-save]")
    expect(message).to_contain_text("Someone else")
    expect(message).to_contain_text("still in the form")
    expect(page.locator("[data-testid=periods-5]")).to_have_value("10:00-16:00")
    page.click("[data-testid=calendar-save]")
    expect(message).to_have_text("Saved")

    # A policy, likewise.
    tab(page, "policies")
    page.locator("[data-testid=policy-row]").first.click()
    with transaction(live_app.factory) as session:
        first = session.scalars(select(SlaPolicy).order_by(SlaPolicy.id)).all()
        chosen = page.locator("[data-testid=policy-row].chosen").get_attribute("data-id")
        [policy] = [p for p in first if str(p.id) == chosen]
        policy.name = "changed meanwhile"
    page.fill("#policy-form [name=resolution_minutes]", "999")
    page.click("[data-testid=policy-save]")
    expect(message).to_contain_text("Someone else")
    expect(page.locator("#policy-form [name=resolution_minutes]")).to_have_value("999")
    page.click("[data-testid=policy-save]")
    expect(message).to_have_text("Saved")
    page.context.close()

    with live_app.factory() as session:
        calendar = session.scalars(select(BusinessCalendar)).one()
        assert calendar.periods["5"] == [["10:00", "16:00"]]
        saved = session.get(SlaPolicy, chosen)
        assert saved is not None and saved.resolution_minutes == 999


def test_a_taken_calendar_name_refused_beside_the_name_in_chinese(
    live_app: LiveApp, browser: Any
) -> None:
    with transaction(live_app.factory) as session:
        session.add(BusinessCalendar(name="上海客服中心", timezone=SHANGHAI, periods={}))
    page = admin_page(live_app, browser, "zh-CN")
    tab(page, "calendars")
    page.click("#calendar-new")
    name = "[data-testid=calendar-form] input[name=name]"
    page.fill(name, "上海客服中心")
    page.fill("[data-testid=periods-0]", "09:00-18:00")
    page.click("[data-testid=calendar-save]")
    refused(page, name, "上海客服中心", "已有")
    expect(beside(page, name)).not_to_contain_text("exists already")
    expect(page.locator("[data-testid=periods-0]")).to_have_value("09:00-18:00")
    expect(page.locator("[data-testid=message]")).to_have_class("message bad")
    page.context.close()


def test_a_taken_team_name_refused_beside_the_name_in_english(
    live_app: LiveApp, browser: Any, shot: Shot
) -> None:
    with transaction(live_app.factory) as session:
        accounts.create_team(session, "Logistics")
    page = admin_page(live_app, browser, "en-US")
    tab(page, "teams")
    page.fill("[data-testid=team-name]", "Logistics")
    page.click("#team-form button[type=submit]")
    refused(page, "[data-testid=team-name]", "team Logistics exists already")
    fits(page)
    shot(page, "team-name-taken")
    expect(page.locator("[data-testid=team-name]")).to_have_value("Logistics")
    page.context.close()


def test_a_weak_reset_password_refused_beside_the_rows_password_in_chinese(
    live_app: LiveApp, browser: Any
) -> None:
    page = admin_page(live_app, browser, "zh-CN")
    tab(page, "users")
    lina = page.locator("[data-testid=user-row][data-username='lina']")
    lina.locator("[data-testid=user-reset]").click()
    password = "[data-testid=user-password-form]:visible [data-testid=user-new-password]"
    page.fill(password, "password1234")
    page.click("[data-testid=user-password-form]:visible [data-testid=user-password-save]")
    error = page.locator(
        "[data-testid=user-password-form]:visible .field-error[data-field=password]"
    )
    expect(error).to_contain_text("太容易被猜到")
    expect(error).not_to_contain_text("too easy to guess")
    field = page.locator(password)
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(field).to_be_focused()
    expect(field).to_have_value("password1234")
    assert field.get_attribute("aria-describedby") == error.get_attribute("id")

    # The only admin demoting themselves: beside that row's role, marked, focused, in Chinese.
    boss = page.locator("[data-testid=user-row][data-username='boss']")
    boss.locator("[data-testid=user-role]").select_option("agent")
    role = boss.locator("[data-testid=user-role]")
    expect(role).to_have_attribute("aria-invalid", "true")
    expect(role).to_be_focused()
    expect(role).to_have_value("admin")
    expect(boss.locator(".field-error[data-field=role]")).to_contain_text("最后一位")

    # Fixed: a strong password clears the mark.
    page.fill(password, "quiet-lantern-mosaic-1987")
    page.click("[data-testid=user-password-form]:visible [data-testid=user-password-save]")
    expect(page.locator("[data-testid=message]")).to_contain_text("已为 lina 设置新密码")
    expect(lina.locator("xpath=following-sibling::tr[1]//input")).not_to_have_attribute(
        "aria-invalid", "true"
    )
    page.context.close()
