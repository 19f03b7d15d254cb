"""The settings page's users and team calendars in the real browser at 1024 px: an admin changes
an agent's role and team, gives them a new password (a weak one is refused beside the field), then
deactivates them (their token stops working at once) and lets them back in, from the keyboard;
the last admin cannot demote themselves; refusals show beside their field, what was typed kept;
names are shown as text; a team gets its business calendar; zh and en."""

from __future__ import annotations

import re
from typing import Any

import httpx
from playwright.sync_api import Locator, Page, expect
from sqlalchemy import select

from tests.e2e.conftest import LiveApp, Shot
from tests.e2e.test_console_handoff import SHANGHAI
from tests.e2e.test_settings_page import SMALL_LAPTOP, fits, open_settings, tab
from tests.factories import PASSWORD
from ticketing import accounts
from ticketing.db import transaction
from ticketing.models import BusinessCalendar, Role, Team, User

NEW_PASSWORD = "quiet-lantern-mosaic-1987"


def sign_in(url: str, username: str, password: str) -> httpx.Response:
    return httpx.post(f"{url}/api/auth/token", data={"username": username, "password": password})


def me(url: str, token: str) -> int:
    """The status of the API's answer to a request with `token`."""
    return httpx.get(f"{url}/api/auth/me", headers={"Authorization": f"Bearer {token}"}).status_code


def user_row(page: Page, username: str) -> Locator:
    return page.locator(f"[data-testid=user-row][data-username='{username}']")


def test_an_admin_manages_an_agent_on_the_settings_page(
    live_app: LiveApp, browser: Any, shot: Shot
) -> None:
    url = live_app.url
    with transaction(live_app.factory) as session:
        accounts.create_user(session, "boss", PASSWORD, role=Role.ADMIN)
        accounts.create_team(session, "物流组")
        accounts.create_user(
            session, "xss", PASSWORD, display_name='<img src=x onerror="alert(1)">'
        )
        session.add(BusinessCalendar(name="上海客服中心", timezone=SHANGHAI, periods={}))
    context = browser.new_context(locale="zh-CN", timezone_id=SHANGHAI, viewport=SMALL_LAPTOP)
    page = context.new_page()
    open_settings(page, url, "boss")
    message = page.locator("[data-testid=message]")
    tab(page, "users")
    lina = user_row(page, "lina")
    password_form = page.locator("[data-testid=user-password-form]:visible")
    expect(user_row(page, "xss")).to_contain_text('<img src=x onerror="alert(1)">')
    expect(page.locator("[data-testid=users] img")).to_have_count(0)  # text, never HTML

    # Adding a user whose name is taken: the 409 beside the username, the form as typed.
    add = page.locator("[data-testid=user-form]")
    add.locator("input[name=username]").fill("lina")
    add.locator("input[name=password]").fill(NEW_PASSWORD)
    page.click("[data-testid=user-save]")
    expect(add.locator(".field-error[data-field=username]")).to_contain_text("用户名 lina 已被使用")
    expect(add.locator("input[name=username]")).to_have_attribute("aria-invalid", "true")
    expect(add.locator("input[name=username]")).to_be_focused()
    expect(add.locator("input[name=password]")).to_have_value(NEW_PASSWORD)
    add.locator("input[name=username]").fill("")
    add.locator("input[name=password]").fill("")

    # Role and team: each saved as it is picked.
    lina.locator("[data-testid=user-role]").select_option(label="主管")
    expect(message).to_have_text("已保存 lina 的修改")
    lina.locator("[data-testid=user-team]").select_option(label="物流组")
    expect(message).to_have_text("已保存 lina 的修改")

    # The only admin cannot demote themselves: the API's reason beside the role, role kept.
    boss = user_row(page, "boss")
    boss.locator("[data-testid=user-role]").select_option("agent")
    expect(boss.locator(".field-error[data-field=role]")).to_contain_text("最后一位在用的管理员")
    expect(boss.locator("[data-testid=user-role]")).to_have_value("admin")

    # A new password: a weak one is refused beside the field and stays typed; a strong one works.
    lina.locator("[data-testid=user-reset]").click()
    expect(password_form).to_contain_text("lina 的新密码")
    expect(password_form.locator("[data-testid=user-password-save]")).to_have_text("设置密码")
    password_form.locator("[data-testid=user-new-password]").fill("password1234")
    password_form.locator("[data-testid=user-password-save]").click()
    expect(password_form.locator(".field-error[data-field=password]")).to_contain_text(
        "太容易被猜到"
    )
    expect(password_form.locator("[data-testid=user-new-password]")).to_have_value("password1234")
    fits(page)
    shot(page, "weak-password")
    password_form.locator("[data-testid=user-new-password]").fill(NEW_PASSWORD)
    password_form.locator("[data-testid=user-password-save]").click()
    expect(message).to_contain_text("已为 lina 设置新密码")
    expect(page.locator("[data-testid=user-password-form]:visible")).to_have_count(0)
    assert sign_in(url, "lina", PASSWORD).status_code == 401
    signed_in = sign_in(url, "lina", NEW_PASSWORD)
    assert signed_in.status_code == 200, signed_in.text
    token = signed_in.json()["access_token"]
    assert me(url, token) == 200

    # Deactivated from the keyboard, after a confirmation: the token she holds stops at once.
    lina.locator("[data-testid=user-toggle]").focus()
    page.keyboard.press("Enter")
    expect(lina).to_contain_text("停用 lina？")
    expect(lina.locator("[data-testid=user-confirm]")).to_be_focused()
    fits(page)
    shot(page, "confirm")
    page.keyboard.press("Escape")  # changed her mind: nothing happens
    expect(lina.locator("[data-testid=user-toggle]")).to_be_focused()
    expect(lina.locator("[data-testid=user-state]")).to_have_text("在用")
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")
    expect(lina.locator("[data-testid=user-state]")).to_have_text("已停用")
    expect(message).to_contain_text("已停用 lina")
    assert me(url, token) == 401
    assert sign_in(url, "lina", NEW_PASSWORD).status_code == 401
    fits(page)
    shot(page, "deactivated")

    # The same tab in English: she is reactivated and can sign in again.
    page.click("[data-testid=lang-toggle]")
    expect(page.locator("h1:visible")).to_have_text("Users")
    expect(lina.locator("[data-testid=user-role] option:checked")).to_have_text("Supervisor")
    expect(lina.locator("[data-testid=user-reset]")).to_have_text("Reset password")
    lina.locator("[data-testid=user-reset]").click()
    expect(password_form).to_contain_text("New password for lina")
    expect(password_form.locator("[data-testid=user-password-save]")).to_have_text("Set password")
    lina.locator("[data-testid=user-toggle]").click()
    expect(lina).to_contain_text("Reactivate lina?")
    lina.locator("[data-testid=user-confirm]").click()
    expect(lina.locator("[data-testid=user-state]")).to_have_text("Active")
    expect(message).to_have_text("Reactivated lina")
    assert sign_in(url, "lina", NEW_PASSWORD).status_code == 200
    shot(page, "users-en")

    # A team's business calendar, picked on the teams tab.
    tab(page, "teams")
    team = page.locator("[data-testid=team-row]", has_text="物流组")
    team.locator("[data-testid=team-calendar]").select_option(label="上海客服中心")
    expect(message).to_have_text("Saved")
    page.reload()
    expect(page.locator("#tab-teams[data-ready]")).to_be_visible()
    expect(team.locator("[data-testid=team-calendar] option:checked")).to_have_text(
        re.compile("上海客服中心")
    )
    fits(page)
    context.close()

    with live_app.factory() as session:
        agent = session.get(User, live_app.desk.agent.id)
        assert agent is not None
        assert (agent.role, agent.is_active) == (Role.SUPERVISOR, True)
        assert agent.team is not None and agent.team.name == "物流组"
        logistics = session.scalars(select(Team).where(Team.name == "物流组")).one()
        calendar = session.get(BusinessCalendar, logistics.calendar_id or 0)
        assert calendar is not None and calendar.name == "上海客服中心"
