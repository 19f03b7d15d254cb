"""The console beyond the happy path: customer text that looks like HTML stays text, a stale
claim says who won, and a supervisor works escalations, notifications (arriving live), the
customer panel and call-backs, in English."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from playwright.sync_api import Page, expect
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.e2e.conftest import LiveApp, Shot
from tests.e2e.test_console_handoff import LAPTOP, SHANGHAI, sign_in
from tests.factories import PASSWORD
from ticketing import notifications, services
from ticketing.clock import utcnow
from ticketing.db import transaction
from ticketing.models import (
    CallbackReason,
    CallbackStatus,
    CallbackTask,
    Category,
    Channel,
    Conversation,
    IdentityKind,
    Lifecycle,
    NotificationKind,
    Status,
    SurveyResponse,
    Team,
    Ticket,
    Tier,
    User,
)

XSS = '<script>window.__xss = 1</script><img src=x onerror="window.__xss = 2">'


def chat_handed_off(factory: sessionmaker[Session], external_id: str, *texts: str) -> str:
    """A web chat whose customer wrote `texts`, handed to the desk; its ticket number."""
    with transaction(factory) as session:
        for text in texts:
            record = services.record_inbound_message(
                session, Channel.WEB, external_id, text, display_name="张女士", language="zh"
            )
        conversation = session.get(Conversation, record.conversation.id)
        assert conversation is not None
        ticket = services.hand_off_conversation(
            session, conversation, services.Actor.bot(), reason="request"
        )
        return ticket.number


def test_customer_text_that_looks_like_html_shows_as_text(
    live_app: LiveApp, browser: Any, shot: Shot
) -> None:
    number = chat_handed_off(live_app.factory, "xss0123456789abcdef", "鞋码不对", XSS)
    context = browser.new_context(locale="zh-CN", timezone_id=SHANGHAI, viewport=LAPTOP)
    console = context.new_page()
    sign_in(console, live_app.url, "lina")
    console.click("[data-testid=nav-unassigned]")

    subject = console.locator("[data-testid=queue-row] td.subject a").first
    expect(subject).to_have_text(f"在线咨询: {XSS}")
    subject.click()
    expect(console.locator("[data-testid=ticket-number]")).to_have_text(number)
    body = console.locator("[data-kind=customer] [data-testid=message-body]").last
    expect(body).to_have_text(XSS)
    expect(console.locator("[data-testid=ticket-subject]")).to_have_text(f"在线咨询: {XSS}")
    assert console.locator("main script, main img").count() == 0
    assert console.evaluate("window.__xss") is None
    shot(console, "script-as-text")
    context.close()


def test_a_stale_claim_says_who_has_the_ticket(live_app: LiveApp, browser: Any, shot: Shot) -> None:
    number = chat_handed_off(live_app.factory, "race0123456789abcdef", "退款什么时候到账？")
    context = browser.new_context(locale="zh-CN", timezone_id=SHANGHAI, viewport=LAPTOP)
    console = context.new_page()
    # This console hears nothing live, so it still offers the claim after someone else won.
    console.route("**/api/console/stream", lambda route: route.abort())
    console.goto(f"{live_app.url}/console#/ticket/{number}")
    console.fill("input[name=username]", "wangwei")
    console.fill("input[name=password]", PASSWORD)
    console.click("#login-form button[type=submit]")
    expect(console.locator("[data-testid=claim]")).to_be_visible()

    with transaction(live_app.factory) as session:
        ticket = services.get_ticket(session, number)
        services.claim_ticket(session, ticket, session.get_one(User, live_app.desk.agent.id))
    console.click("[data-testid=claim]")

    expect(console.locator("[data-testid=ticket-message]")).to_have_text(f"{number} 已被 李娜 认领")
    expect(console.locator("[data-testid=claim]")).to_have_count(0)
    expect(console.locator("#t-badges")).to_contain_text("处理人: 李娜")
    expect(console.locator("[data-testid=composer-text]")).to_be_disabled()
    shot(console, "claimed-by-someone-else")
    context.close()


def seed_supervisor_work(live_app: LiveApp) -> tuple[str, str, int]:
    """A key-account customer at churn risk with an escalated, breached ticket, an earlier
    low score, a call-back to make, and a breach notification for the supervisor."""
    now = utcnow()
    with transaction(live_app.factory) as session:
        team = session.merge(live_app.desk.team)
        customer = services.create_customer(
            session,
            "Mr. Chen",
            tier=Tier.KEY_ACCOUNT,
            lifecycle=Lifecycle.MATURE,
            language="en",
            identities={IdentityKind.PHONE: "+86 138 0013 8000"},
            at=now - timedelta(days=400),
        )
        customer.churn_risk = True
        customer.churn_reasons = "complaints,key_account_breach"
        customer.churn_flagged_at = now - timedelta(days=1)
        earlier = services.create_ticket(
            session,
            subject="Boots leak at the seam",
            channel=Channel.EMAIL,
            actor=services.Actor.customer(),
            customer=customer,
            team=team,
            at=now - timedelta(days=20),
        )
        services.change_status(
            session, earlier, Status.RESOLVED, services.Actor.system(), at=now - timedelta(days=19)
        )
        session.add(
            SurveyResponse(
                ticket_id=earlier.id,
                customer_id=customer.id,
                csat=2,
                nps=3,
                comment="<b>still broken</b>",
                created_at=now - timedelta(days=18),
            )
        )
        escalated = services.create_ticket(
            session,
            subject="Second pair leaking too",
            channel=Channel.PHONE,
            actor=services.Actor.customer(),
            customer=customer,
            team=team,
            at=now - timedelta(hours=3),
        )
        escalated.escalated_at = now - timedelta(hours=2)
        notifications.notify(
            session,
            [live_app.desk.supervisor.id],
            NotificationKind.SLA_BREACH,
            at=now - timedelta(hours=2),
            ticket_id=escalated.id,
            dedupe_key=f"sla:{escalated.id}:first_response:breach:1",
            ticket_number=escalated.number,
            metric="first_response",
            due_at=escalated.first_response_due_at.isoformat()
            if escalated.first_response_due_at
            else None,
        )
        task = CallbackTask(
            dedupe_key=f"follow_up:{earlier.id}:1",
            reason=CallbackReason.NO_ANSWER,
            customer_id=customer.id,
            ticket_id=earlier.id,
            team_id=team.id,
            language="en",
            summary="Boots leak at the seam; replaced on day 2.",
            script="Ask whether the replacement pair is dry, then for a 1-5 score.",
            due_at=now - timedelta(hours=1),
        )
        session.add(task)
        session.flush()
        return escalated.number, earlier.number, task.id


def test_supervisor_works_escalations_notifications_and_call_backs_in_english(
    live_app: LiveApp, browser: Any, shot: Shot
) -> None:
    escalated, earlier, task_id = seed_supervisor_work(live_app)
    context = browser.new_context(locale="en-GB", timezone_id=SHANGHAI, viewport=LAPTOP)
    console: Page = context.new_page()
    sign_in(console, live_app.url, "zhou")
    expect(console.locator("#whoami")).to_have_text("周主管 · Supervisor")

    console.click("#nav-escalations")
    expect(console.locator("#queue-title")).to_have_text("Escalations")
    row = console.locator("[data-testid=queue-row]")
    expect(row).to_have_count(1)
    expect(row).to_have_class("breached")
    expect(row).to_contain_text("Breached")
    expect(row).to_contain_text("Key account")
    shot(console, "1-escalations")

    row.locator("td.subject a").click()
    expect(console.locator("[data-testid=sla-first_response]")).to_contain_text("Breached")
    churn = console.locator("[data-testid=churn-risk]")
    expect(churn).to_contain_text("2+ complaints in 30 days")
    expect(churn).to_contain_text("SLA breach on a key account")
    surveys = console.locator("[data-testid=surveys]")
    expect(surveys).to_contain_text("CSAT 2/5")
    expect(surveys).to_contain_text("<b>still broken</b>")
    expect(console.locator("[data-testid=past-tickets]")).to_contain_text(earlier)
    shot(console, "2-ticket-with-customer-panel")
    console.set_viewport_size({"width": 1024, "height": 768})  # a small laptop
    shot(console, "2b-ticket-at-1024px")
    console.set_viewport_size(LAPTOP)

    console.click("[data-testid=nav-notifications]")
    item = console.locator("[data-testid=notification]")
    expect(item).to_contain_text(f"SLA breach: {escalated} First response was due at")
    item.get_by_role("button", name="Mark read").click()
    expect(console.locator("[data-count=notifications_unread]")).to_be_hidden()

    # A new notification arrives while the page is open: a toast and the count, no reload.
    with transaction(live_app.factory) as session:
        ticket = services.get_ticket(session, earlier)
        notifications.notify(
            session,
            [live_app.desk.supervisor.id],
            NotificationKind.LOW_SCORE,
            at=utcnow(),
            ticket_id=ticket.id,
            dedupe_key="low_score:e2e",
            ticket_number=earlier,
            csat=1,
            nps=2,
        )
    expect(console.locator("[data-testid=toast]").last).to_have_text(
        f"Low score: {earlier} (CSAT 1, NPS 2)", timeout=10_000
    )
    expect(console.locator("[data-count=notifications_unread]")).to_have_text("1")
    expect(item).to_have_count(2)
    shot(console, "3-notifications")

    console.click("[data-testid=nav-callbacks]")
    card = console.locator("[data-testid=callback]")
    expect(card).to_contain_text("+86 138 0013 8000")
    expect(card).to_contain_text("Ask whether the replacement pair is dry")
    shot(console, "4-call-backs")
    form = card.locator("[data-testid=callback-form]")
    form.locator("select[name=outcome]").select_option("reached")
    form.locator("select[name=csat]").select_option("5")
    form.locator("select[name=nps]").select_option("9")
    form.locator("input[name=note]").fill("Dry now, happy")
    form.get_by_role("button", name="Record outcome").click()
    expect(console.locator("#callback-empty")).to_be_visible()

    console.click("[data-testid=lang-toggle]")
    expect(console.locator("#nav-escalations")).to_contain_text("升级队列")
    expect(console.locator("[data-testid=lang-toggle]")).to_have_text("English")

    with live_app.factory() as session:
        task = session.get_one(CallbackTask, task_id)
        assert task.status is CallbackStatus.DONE
        scores = session.scalars(select(SurveyResponse.csat).order_by(SurveyResponse.id)).all()
        assert scores == [2, 5]
        assert session.scalars(select(Ticket.status).where(Ticket.id == task.ticket_id)).one()
    context.close()


def test_the_ticket_shows_how_sure_triage_was_and_the_runner_up(
    live_app: LiveApp, browser: Any, shot: Shot
) -> None:
    with transaction(live_app.factory) as session:
        number = services.create_ticket(
            session,
            subject="鞋穿两天就坏了，客服也不回",
            description="鞋穿两天就坏了，客服也不回",
            channel=Channel.WEB,
            actor=services.Actor.bot(),
            category=Category.PRODUCT_QUALITY,
            team=session.get_one(Team, live_app.desk.team.id),
            triage_confidence=0.43,
            triage_runner_up=Category.SERVICE,
            secondary_categories=(Category.SERVICE,),
        ).number
    context = browser.new_context(locale="zh-CN", timezone_id=SHANGHAI, viewport=LAPTOP)
    console = context.new_page()
    console.goto(f"{live_app.url}/console#/ticket/{number}")
    console.fill("input[name=username]", "zhou")
    console.fill("input[name=password]", PASSWORD)
    console.click("#login-form button[type=submit]")

    facts = console.locator("#t-facts")
    expect(facts).to_contain_text("分类置信度43%")
    expect(facts).to_contain_text("次选分类服务态度")
    expect(facts).to_contain_text("其他问题服务态度")
    shot(console, "triage-confidence")
    context.close()
