"""The dashboard's tag filter in the real browser: the picker suggests the tags in use, and the
chosen one narrows every report the page asks for."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Response, expect

from tests.e2e.conftest import LiveApp, Shot
from tests.e2e.test_console_handoff import LAPTOP, SHANGHAI
from tests.factories import PASSWORD, make_ticket
from ticketing import services
from ticketing.db import transaction
from ticketing.models import Category, Team
from ticketing.services import tags


def test_the_dashboard_filters_reports_by_a_suggested_tag(
    live_app: LiveApp, browser: Any, shot: Shot
) -> None:
    with transaction(live_app.factory) as session:
        team = session.get_one(Team, live_app.desk.team.id)
        refund = make_ticket(session, team=team, category=Category.PRICE)
        make_ticket(session, team=team, category=Category.DELIVERY)
        tags.change_tags(session, refund, services.Actor.system(), add=["退款"])
    context = browser.new_context(locale="zh-CN", timezone_id=SHANGHAI, viewport=LAPTOP)
    page = context.new_page()
    page.goto(f"{live_app.url}/reports")
    page.fill("input[name=username]", "zhou")
    page.fill("input[name=password]", PASSWORD)
    page.click("#login-form button[type=submit]")
    expect(page.locator("#tag-options option[value='退款']")).to_have_count(1)

    def complaints(response: Response) -> bool:
        return "/api/reports/complaints_by_category?" in response.url and "tag=" in response.url

    page.fill("input[name=tag]", "退款")
    with page.expect_response(complaints) as answer:
        page.locator("#filters button[type=submit]").click()

    assert answer.value.status == 200
    assert answer.value.json()["rows"] == [["price", 1, 100.0]]
    expect(page.locator("#status")).to_have_text("")  # every report redrawn
    shot(page, "tag-filtered")
    context.close()
