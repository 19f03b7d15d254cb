"""Auto-assignment settings in the real browser: a supervisor turns a team's auto-assignment on
and sets an agent's capacity (Chinese), a capacity of 0 shows the API's refusal next to its
field and changes nothing, and the view reads in English."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests.e2e.conftest import LiveApp, Shot
from tests.e2e.test_console_handoff import LAPTOP, SHANGHAI, sign_in
from ticketing.models import AgentPresence, Team


def test_a_supervisor_switches_auto_assignment_and_sets_capacity(
    live_app: LiveApp, browser: Any, shot: Shot
) -> None:
    team_id, lina_id = live_app.desk.team.id, live_app.desk.agent.id
    context = browser.new_context(locale="zh-CN", timezone_id=SHANGHAI, viewport=LAPTOP)
    page = context.new_page()
    sign_in(page, live_app.url, "zhou")
    page.click("[data-testid=nav-assignment]")
    expect(page.locator("[data-testid=assignment-view] h1")).to_have_text("自动分派")

    switch = page.locator(f"[data-testid=auto-assign-{team_id}]")
    expect(switch).not_to_be_checked()
    switch.check()
    expect(page.locator("[data-testid=toast]").last).to_contain_text("已开启自动分派")

    lina = page.locator(f"[data-testid=capacity-row][data-user='{lina_id}']")
    lina.locator("[data-testid=capacity-max_chats]").fill("0")
    lina.locator("[data-testid=capacity-save]").click()
    refusal = lina.locator("[data-testid=capacity-max_chats-error]")
    expect(refusal).to_contain_text("greater than or equal to 1")
    expect(lina.locator("[data-testid=capacity-max_tickets-error]")).to_have_text("")
    shot(page, "capacity-refused")

    lina.locator("[data-testid=capacity-max_chats]").fill("2")
    lina.locator("[data-testid=capacity-max_tickets]").fill("8")
    lina.locator("[data-testid=capacity-save]").click()
    expect(page.locator("[data-testid=toast]").last).to_contain_text("已保存")
    expect(refusal).to_have_text("")

    with live_app.factory() as session:
        team = session.get(Team, team_id)
        capacity = session.get(AgentPresence, lina_id)
        assert team is not None and team.auto_assign
        assert capacity is not None and (capacity.max_chats, capacity.max_tickets) == (2, 8)

    page.click("[data-testid=lang-toggle]")
    expect(page.locator("[data-testid=assignment-view] h1")).to_have_text("Auto-assignment")
    expect(page.locator("[data-testid=assign-team] th").nth(2)).to_have_text("Live chats")
    expect(lina.locator("[data-testid=capacity-max_chats]")).to_have_value("2")
    expect(switch).to_be_checked()
    context.close()
