"""Issue 13, finding 15 (PIPL, GDPR): an admin can export a customer's data and erase it on
request, through the API and the command line, each in the audit trail; erasure anonymises in
place so reports stay right; chat transcripts past the retention period are anonymised by the
worker."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from tests.api.helpers import SETTINGS, auth
from tests.bot.helpers import TestClient
from tests.factories import make_team, make_ticket, make_user
from ticketing import cli, migrate, services, worker
from ticketing.api.app import create_app
from ticketing.config import get_settings
from ticketing.db import make_engine, make_session_factory, transaction
from ticketing.models import (
    AuditEntry,
    CallbackReason,
    CallbackTask,
    Category,
    Channel,
    Customer,
    CustomerIdentity,
    IdentityKind,
    Message,
    Role,
    Severity,
    Status,
    SurveyResponse,
    Ticket,
    User,
)

PHONE = "13912345678"
NAME = "张小梅"
TELEGRAM_ID = "987654321"
ORDER = "A2024-1181"
BODY = f"我是{NAME}，电话{PHONE}，订单{ORDER}的鞋底开胶了"
COMMENT = f"客服很好，回电{PHONE}"
SECRETS = (PHONE, NAME, TELEGRAM_ID, ORDER, "鞋底开胶", "客服很好")
START = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai


@dataclass
class World:
    customer_id: int
    other_id: int
    ticket_id: int
    admin: User
    supervisor: User
    agent: User


def build_world(factory: sessionmaker[Session]) -> World:
    """A Telegram customer with a phone number, a complaint ticket with a chat, an agent's
    reply, a survey with a comment and a call-back task; and another customer."""
    with transaction(factory) as session:
        team = make_team(session)
        admin = make_user(session, Role.ADMIN)
        supervisor = make_user(session, Role.SUPERVISOR, team=team)
        agent = make_user(session, team=team)
        record = services.record_inbound_message(
            session, Channel.TELEGRAM, TELEGRAM_ID, BODY, display_name=NAME, at=START
        )
        customer = record.conversation.customer
        assert customer is not None
        # The same person also gave a phone number (the complaint form asks for one).
        customer.identities.append(CustomerIdentity(kind=IdentityKind.PHONE, value=PHONE))
        ticket = make_ticket(
            session,
            subject=BODY[:60],
            description=BODY,
            channel=Channel.TELEGRAM,
            customer=customer,
            team=team,
            category=Category.PRODUCT_QUALITY,
            severity=Severity.MAJOR,
            conversation_id=record.conversation.id,
            order_number=ORDER,
            at=START,
        )
        services.add_customer_message(session, ticket, BODY, at=START + timedelta(minutes=1))
        services.reply_to_customer(
            session, ticket, services.Actor.of(agent), f"{NAME}您好", at=START + timedelta(hours=1)
        )
        services.set_status(
            session, ticket, Status.RESOLVED, services.Actor.of(agent), START + timedelta(hours=2)
        )
        services.record_survey(session, ticket, 4, 9, COMMENT, at=START + timedelta(days=1))
        session.add(
            CallbackTask(
                dedupe_key=f"care:{customer.id}",
                reason=CallbackReason.CARE_VISIT,
                customer_id=customer.id,
                ticket_id=ticket.id,
                summary=f"回访{NAME} {PHONE}",
                due_at=START + timedelta(days=7),
            )
        )
        other = services.create_customer(
            session, "李四", identities={IdentityKind.PHONE: "13800000000"}
        )
        return World(customer.id, other.id, ticket.id, admin, supervisor, agent)


@pytest.fixture
def world(session_factory: sessionmaker[Session]) -> World:
    return build_world(session_factory)


@pytest.fixture
def client(session_factory: sessionmaker[Session]) -> Iterator[TestClient]:
    with TestClient(create_app(SETTINGS, session_factory)) as client:
        yield client


def store_text(session: Session) -> str:
    tables = (
        "customers",
        "customer_identities",
        "conversations",
        "tickets",
        "messages",
        "survey_responses",
        "callback_tasks",
        "follow_ups",
        "outbox",
        "audit_entries",
    )
    return "\n".join(
        repr(tuple(row)) for t in tables for row in session.execute(text(f"SELECT * FROM {t}"))
    )


REPORTS = ("complaints_by_category", "complaints_by_severity", "satisfaction", "response_times")
PERIOD = {"start": "2026-11-01", "end": "2026-11-30"}


def reports(client: TestClient, supervisor: User) -> dict[str, object]:
    return {
        name: client.get(f"/api/reports/{name}", params=PERIOD, headers=auth(supervisor)).json()
        for name in REPORTS
    }


def test_an_admin_exports_everything_about_a_customer(
    client: TestClient, world: World, session_factory: sessionmaker[Session]
) -> None:
    response = client.get(
        f"/api/admin/customers/{world.customer_id}/export", headers=auth(world.admin)
    )

    assert response.status_code == 200
    data = response.json()
    assert data["customer"]["name"] == NAME
    assert {(i["kind"], i["value"]) for i in data["identities"]} == {
        ("telegram", TELEGRAM_ID),
        ("phone", PHONE),
    }
    assert [c["id"] for c in data["conversations"]] == [f"telegram:{TELEGRAM_ID}"]
    assert [t["order_number"] for t in data["tickets"]] == [ORDER]
    bodies = [m["body"] for m in data["messages"]]
    assert bodies.count(BODY) == 2 and f"{NAME}您好" in bodies
    assert [(s["csat"], s["nps"], s["comment"]) for s in data["surveys"]] == [(4, 9, COMMENT)]
    assert [c["summary"] for c in data["callbacks"]] == [f"回访{NAME} {PHONE}"]
    assert "李四" not in response.text
    with session_factory() as session:
        entry = session.scalars(select(AuditEntry)).one()
    assert (entry.action, entry.actor_user_id, entry.target_id) == (
        "customer.export",
        world.admin.id,
        str(world.customer_id),
    )
    assert entry.address


def test_only_admins_reach_personal_data(client: TestClient, world: World) -> None:
    for path in ("export", "erase"):
        method = client.get if path == "export" else client.post
        url = f"/api/admin/customers/{world.customer_id}/{path}"
        assert method(url).status_code == 401
        assert method(url, headers=auth(world.agent)).status_code == 403
        assert method(url, headers=auth(world.supervisor)).status_code == 403
        assert (
            method("/api/admin/customers/999999/" + path, headers=auth(world.admin)).status_code
            == 404
        )
        assert (
            method("/api/admin/customers/0/" + path, headers=auth(world.admin)).status_code == 422
        )
    paths = client.get("/openapi.json").json()["paths"]
    export = paths["/api/admin/customers/{customer_id}/export"]["get"]
    erase = paths["/api/admin/customers/{customer_id}/erase"]["post"]
    for operation in (export, erase):
        assert {"200", "401", "403", "404", "422"} <= set(operation["responses"])


def test_erasure_anonymises_in_place_and_reports_stay_right(
    client: TestClient, world: World, session_factory: sessionmaker[Session]
) -> None:
    before = reports(client, world.supervisor)
    with session_factory() as session:
        ticket = session.get_one(Ticket, world.ticket_id)
        kept = (
            ticket.category,
            ticket.severity,
            ticket.status,
            ticket.created_at,
            ticket.resolved_at,
        )
        message_times = session.scalars(select(Message.created_at).order_by(Message.id)).all()

    response = client.post(
        f"/api/admin/customers/{world.customer_id}/erase", headers=auth(world.admin)
    )

    assert response.status_code == 200
    assert response.json()["messages"] == len(message_times)
    assert response.json()["surveys"] == 1
    with session_factory() as session:
        dump = store_text(session)
        for secret in SECRETS:
            assert secret not in dump, secret
        ticket = session.get_one(Ticket, world.ticket_id)
        assert (
            ticket.category,
            ticket.severity,
            ticket.status,
            ticket.created_at,
            ticket.resolved_at,
        ) == kept
        assert (
            session.scalars(select(Message.created_at).order_by(Message.id)).all() == message_times
        )
        survey = session.scalars(select(SurveyResponse)).one()
        assert (survey.csat, survey.nps) == (4, 9)
        customer = session.get_one(Customer, world.customer_id)
        assert customer.erased_at is not None
        other = session.get_one(Customer, world.other_id)
        assert other.name == "李四" and other.identities[0].value == "13800000000"
        entry = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "customer.erase")
        ).one()
    assert entry.actor_user_id == world.admin.id
    assert entry.after is not None and entry.after["messages"] == len(message_times)
    assert reports(client, world.supervisor) == before
    # The customer writing again on Telegram is a new customer: nothing links them back.
    with transaction(session_factory) as session:
        record = services.record_inbound_message(session, Channel.TELEGRAM, TELEGRAM_ID, "你好")
        assert record.conversation.customer_id != world.customer_id
        assert record.ticket is None


@pytest.fixture
def cli_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    url = f"sqlite:///{tmp_path / 'kefu.db'}"
    monkeypatch.setenv("KEFU_DATABASE_URL", url)
    get_settings.cache_clear()
    engine = make_engine(url)
    migrate.upgrade(engine)
    yield engine
    engine.dispose()
    get_settings.cache_clear()


def test_the_command_line_exports_and_erases_with_an_audit_trail(
    cli_database: Engine, tmp_path: Path
) -> None:
    factory = make_session_factory(cli_database)
    world = build_world(factory)
    runner = CliRunner()
    out = tmp_path / "export.json"

    exported = runner.invoke(
        cli.app, ["customer", "export", str(world.customer_id), "--output", str(out)]
    )
    printed = runner.invoke(cli.app, ["customer", "export", str(world.customer_id)])
    refused = runner.invoke(cli.app, ["customer", "erase", str(world.customer_id)], input="n\n")
    erased = runner.invoke(cli.app, ["customer", "erase", str(world.customer_id), "--yes"])
    missing = runner.invoke(cli.app, ["customer", "erase", "424242", "--yes"])

    assert exported.exit_code == 0, exported.output
    assert json.loads(out.read_text())["customer"]["name"] == NAME
    assert json.loads(printed.stdout)["identities"]
    assert refused.exit_code != 0
    assert erased.exit_code == 0, erased.output
    assert "erased" in erased.stdout
    assert missing.exit_code == 1
    with factory() as session:
        assert NAME not in store_text(session).replace(out.read_text(), "")
        actions = session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
        actors = set(session.scalars(select(AuditEntry.actor_name)))
    assert actions == ["customer.export", "customer.export", "customer.erase"]
    assert actors == {"cli"}


def test_the_worker_anonymises_chat_transcripts_past_the_retention_period(
    session_factory: sessionmaker[Session],
) -> None:
    now = datetime(2027, 12, 1, 2, 0, tzinfo=UTC)
    with transaction(session_factory) as session:
        for days, text_ in ((400, "去年的消息 13911112222"), (366, "也很旧"), (10, "最近的消息")):
            services.record_inbound_message(
                session, Channel.WEB, f"session-{days}", text_, at=now - timedelta(days=days)
            )
    options = worker.WorkerOptions(retention=timedelta(days=365))

    first = worker.tick(session_factory, now, options, refresh_churn=False)
    again = worker.tick(session_factory, now, options, refresh_churn=False)
    untouched = worker.tick(session_factory, now, worker.WorkerOptions(), refresh_churn=False)

    assert (first.erased, again.erased, untouched.erased) == (2, 0, 0)
    with session_factory() as session:
        rows = session.execute(select(Message.body, Message.created_at).order_by(Message.id)).all()
    assert [body for body, _ in rows] == ["[erased]", "[erased]", "最近的消息"]
    assert [at for _, at in rows] == [now - timedelta(days=d) for d in (400, 366, 10)]
