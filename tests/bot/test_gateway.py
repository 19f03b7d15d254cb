"""The gateway against a small real HTTP server standing in for Rasa."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from actions.language import ActionSetLanguage
from bot.gateway.channels.base import Inbound
from bot.gateway.conversation import APOLOGY, Gateway
from bot.gateway.rasa_client import RESUME_EVENTS
from tests.bot.conftest import RASA_TOKEN, FakeRasa, RecordingChannel, make_gateway
from tests.factories import make_policy, make_user
from ticketing import services
from ticketing.clock import utcnow
from ticketing.db import transaction
from ticketing.errors import InvalidInput
from ticketing.language import detect_language
from ticketing.models import (
    Channel,
    Conversation,
    ConversationState,
    EventKind,
    Message,
    MessageKind,
    OutboxKind,
    OutboxMessage,
    OutboxStatus,
    Ticket,
    TicketEvent,
    User,
)

pytestmark = pytest.mark.anyio

SESSION = "s3ss10n-0000000000000001"
CONVERSATION = f"web:{SESSION}"

GatewayMaker = Callable[..., Gateway]


@pytest.fixture
async def gateways(
    session_factory: sessionmaker[Session], channel: RecordingChannel
) -> AsyncIterator[GatewayMaker]:
    made: list[Gateway] = []

    def make(url: str, **kwargs: Any) -> Gateway:
        # The wall clock: rows the "action server" writes in these tests are stamped with it.
        gateway = make_gateway(session_factory, url, channel, utcnow, **kwargs)
        made.append(gateway)
        return gateway

    yield make
    for gateway in made:
        await gateway.rasa.aclose()


@pytest.fixture
def gateway(gateways: GatewayMaker, fake_rasa: FakeRasa) -> Gateway:
    """The gateway in front of the stand-in Rasa, with the default settings."""
    return gateways(fake_rasa.url)


@pytest.fixture
def gateway_without_rasa(gateways: GatewayMaker, closed_port_url: str) -> Gateway:
    """A gateway whose Rasa does not answer (nothing listens on its port)."""
    return gateways(closed_port_url)


def says(text: str, **kwargs: Any) -> Inbound:
    return Inbound(channel=Channel.WEB, external_id=SESSION, text=text, **kwargs)


def conversation(factory: sessionmaker[Session]) -> Conversation:
    with factory() as session:
        row = session.get(Conversation, CONVERSATION)
        assert row is not None
        return row


def kinds(factory: sessionmaker[Session]) -> list[MessageKind]:
    with factory() as session:
        return list(
            session.scalars(
                select(Message.kind)
                .where(Message.conversation_id == CONVERSATION)
                .order_by(Message.id)
            )
        )


def hand_off(factory: sessionmaker[Session]) -> None:
    with transaction(factory) as session:
        row = session.get(Conversation, CONVERSATION)
        assert row is not None
        services.hand_off_conversation(session, row, services.Actor.bot(), reason="request")


def agent_joins(factory: sessionmaker[Session]) -> User:
    with transaction(factory) as session:
        agent = make_user(session)
        agent.display_name = "王芳"
        row = session.get(Conversation, CONVERSATION)
        assert row is not None
        services.join_conversation(session, row, agent)
        return agent


async def test_bot_reply_is_kept_and_delivered(
    gateway: Gateway,
    fake_rasa: FakeRasa,
    channel: RecordingChannel,
    session_factory: sessionmaker[Session],
) -> None:

    await gateway.receive(says("你好，我想问一下退货"))

    assert channel.texts() == ["bot heard: 你好，我想问一下退货"]
    assert channel.typing_for == [SESSION]
    (call,) = fake_rasa.webhook_calls()
    assert call.body["sender"] == CONVERSATION
    assert call.body["metadata"]["channel"] == "web"
    assert call.body["metadata"]["language"] == "zh"
    assert isinstance(call.body["metadata"]["customer_id"], int)
    assert kinds(session_factory) == [MessageKind.CUSTOMER, MessageKind.BOT]
    with session_factory() as session:
        statuses = session.scalars(select(OutboxMessage.status)).all()
    assert statuses == [OutboxStatus.SENT]


@pytest.mark.parametrize("state", [ConversationState.QUEUED, ConversationState.AGENT])
async def test_bot_is_silent_during_handoff_even_for_a_greeting(
    state: ConversationState,
    gateway: Gateway,
    fake_rasa: FakeRasa,
    channel: RecordingChannel,
    session_factory: sessionmaker[Session],
) -> None:
    with transaction(session_factory) as session:
        make_policy(session)
    await gateway.receive(says("我要投诉"))
    hand_off(session_factory)
    if state is ConversationState.AGENT:
        with transaction(session_factory) as session:
            ticket = session.scalars(select(Ticket)).one()
            services.reply_to_customer(
                session, ticket, services.Actor.of(make_user(session)), "您好"
            )
        await gateway.outbox.run_once()
    texts_before = channel.texts()

    await gateway.receive(says("你好"))

    assert len(fake_rasa.webhook_calls()) == 1  # only the first message reached the bot
    assert channel.texts() == texts_before
    assert conversation(session_factory).state is state
    # The message is kept, on the handed-off ticket, where the console reads it.
    with session_factory() as session:
        ticket = session.scalars(select(Ticket)).one()
        last = session.scalars(select(Message).order_by(Message.id.desc())).first()
        assert last is not None
        assert (last.kind, last.body, last.ticket_id) == (MessageKind.CUSTOMER, "你好", ticket.id)
        assert ticket.handed_off
        # The SLA clocks run for the agent: first response, or next response after a reply.
        assert ticket.next_deadline_at is not None
        if state is ConversationState.AGENT:
            assert ticket.next_response_due_at is not None
        events = session.scalars(
            select(TicketEvent.kind).where(TicketEvent.ticket_id == ticket.id)
        ).all()
        assert EventKind.MESSAGE in events


async def test_rasa_down_apologises_in_chinese_and_queues_for_an_agent(
    gateway_without_rasa: Gateway,
    channel: RecordingChannel,
    session_factory: sessionmaker[Session],
) -> None:

    await gateway_without_rasa.receive(says("我的订单A2024-1181还没到"))

    assert channel.texts() == [APOLOGY["zh"]]
    assert channel.events() == ["queued"]
    assert conversation(session_factory).state is ConversationState.QUEUED
    with session_factory() as session:
        ticket = session.scalars(select(Ticket)).one()
        assert ticket.handed_off
        assert ticket.conversation_id == CONVERSATION
        assert "A2024-1181" in ticket.subject
        bodies = session.scalars(
            select(Message.body).where(Message.kind == MessageKind.CUSTOMER)
        ).all()
        assert bodies == ["我的订单A2024-1181还没到"]

    # Further messages wait for the agent: no second apology.
    await gateway_without_rasa.receive(says("在吗？"))
    assert channel.texts() == [APOLOGY["zh"]]
    assert kinds(session_factory) == [MessageKind.CUSTOMER, MessageKind.BOT, MessageKind.CUSTOMER]


async def test_rasa_timeout_apologises_in_english(
    gateways: GatewayMaker,
    fake_rasa: FakeRasa,
    channel: RecordingChannel,
    session_factory: sessionmaker[Session],
) -> None:
    fake_rasa.delay = 1.5
    gateway = gateways(fake_rasa.url, timeout=0.3)

    await gateway.receive(says("Where is my order? It has been two weeks"))

    assert channel.texts() == [APOLOGY["en"]]
    assert conversation(session_factory).state is ConversationState.QUEUED
    assert kinds(session_factory) == [MessageKind.CUSTOMER, MessageKind.BOT]


@pytest.mark.parametrize("failure", ["server_error", "no_reply"])
async def test_a_failing_or_silent_bot_also_hands_off(
    failure: str,
    gateway: Gateway,
    fake_rasa: FakeRasa,
    channel: RecordingChannel,
    session_factory: sessionmaker[Session],
) -> None:
    # Rasa answers 500 when it fails, and [] when an action failed or its tracker is paused.
    if failure == "server_error":
        fake_rasa.status = 500
    else:
        fake_rasa.replier = lambda *_: []

    await gateway.receive(says("hello, I need help with a refund"))

    assert channel.texts() == [APOLOGY["en"]]
    assert conversation(session_factory).state is ConversationState.QUEUED


@pytest.mark.parametrize("health", ["refused", "failing"])
async def test_action_server_down_apologises_and_queues_although_rasa_answers(
    health: str,
    gateways: GatewayMaker,
    fake_rasa: FakeRasa,
    closed_port_url: str,
    channel: RecordingChannel,
    session_factory: sessionmaker[Session],
) -> None:
    # Without its action server Rasa still answers, skipping every custom action.
    fake_rasa.actions_up = False
    url = f"{closed_port_url}/health" if health == "refused" else f"{fake_rasa.url}/health"
    gateway = gateways(fake_rasa.url, action_health_url=url)

    await gateway.receive(says("我要投诉，鞋子质量太差"))

    assert channel.texts() == [APOLOGY["zh"]]
    assert conversation(session_factory).state is ConversationState.QUEUED


async def test_the_action_server_health_is_checked_at_most_every_few_seconds(
    gateways: GatewayMaker, fake_rasa: FakeRasa, channel: RecordingChannel
) -> None:
    gateway = gateways(fake_rasa.url, action_health_url=f"{fake_rasa.url}/health")

    for text in ("你好", "在吗", "谢谢"):
        await gateway.receive(Inbound(Channel.WEB, SESSION, text=text))

    assert [c.path for c in fake_rasa.calls].count("/health") == 1
    assert channel.texts() == ["bot heard: 你好", "bot heard: 在吗", "bot heard: 谢谢"]


async def test_hand_off_by_a_rasa_action_is_seen_after_its_reply(
    gateway: Gateway,
    fake_rasa: FakeRasa,
    channel: RecordingChannel,
    session_factory: sessionmaker[Session],
) -> None:
    def action_hands_off(sender: str, message: str, _meta: dict[str, Any]) -> list[dict[str, Any]]:
        if message == "转人工":
            # What the action server's handoff action does: hand off in the store.
            hand_off(session_factory)
            return [{"text": "好的，正在为您转接人工客服，预计等待 5 分钟。"}]
        return [{"text": "您好！"}]

    fake_rasa.replier = action_hands_off

    await gateway.receive(says("转人工"))
    await gateway.receive(says("你好"))

    assert len(fake_rasa.webhook_calls()) == 1
    assert channel.texts() == ["好的，正在为您转接人工客服，预计等待 5 分钟。"]
    assert channel.events() == ["queued"]


async def test_agent_reply_reaches_the_customer_with_the_agents_name(
    gateway: Gateway,
    channel: RecordingChannel,
    session_factory: sessionmaker[Session],
) -> None:
    await gateway.receive(says("我要投诉"))
    hand_off(session_factory)
    with transaction(session_factory) as session:
        agent = make_user(session)
        agent.display_name = "王芳"
        ticket = session.scalars(select(Ticket)).one()
        services.reply_to_customer(session, ticket, services.Actor.of(agent), "您好，我是王芳")

    assert await gateway.outbox.run_once() == 3  # queued, agent_joined, the reply

    (joined,) = [d for d in channel.delivered if d.kind == OutboxKind.EVENT and d.event != "queued"]
    assert (joined.event, joined.payload["agent_name"]) == ("agent_joined", "王芳")
    reply = channel.delivered[-1]
    assert (reply.text, reply.sender, reply.author_name) == ("您好，我是王芳", "agent", "王芳")
    assert conversation(session_factory).state is ConversationState.AGENT


async def test_hand_back_resumes_rasa_with_action_listen_then_the_bot_answers(
    gateway: Gateway,
    fake_rasa: FakeRasa,
    channel: RecordingChannel,
    session_factory: sessionmaker[Session],
) -> None:
    await gateway.receive(says("我要投诉"))
    hand_off(session_factory)
    agent = agent_joins(session_factory)
    with transaction(session_factory) as session:
        row = session.get(Conversation, CONVERSATION)
        assert row is not None
        services.hand_back_conversation(session, row, services.Actor.of(agent))
    # Until Rasa has been resumed the bot must not get messages.
    assert conversation(session_factory).state is ConversationState.AGENT

    await gateway.outbox.run_once()

    resume = [c for c in fake_rasa.calls if c.path.endswith("/tracker/events")]
    assert len(resume) == 1
    assert resume[0].path == f"/conversations/{CONVERSATION}/tracker/events"
    assert resume[0].query == {"token": [RASA_TOKEN]}
    assert resume[0].body == RESUME_EVENTS
    assert resume[0].body == [{"event": "resume"}, {"event": "action", "name": "action_listen"}]
    assert conversation(session_factory).state is ConversationState.BOT
    assert channel.events()[-1] == "handed_back"

    await gateway.receive(says("谢谢"))
    assert fake_rasa.webhook_calls()[-1].body["message"] == "谢谢"
    assert channel.texts()[-1] == "bot heard: 谢谢"


async def test_hand_back_waits_while_rasa_is_down(
    gateway_without_rasa: Gateway,
    channel: RecordingChannel,
    session_factory: sessionmaker[Session],
) -> None:
    await gateway_without_rasa.receive(says("我要投诉"))  # Rasa is down: queued
    agent = agent_joins(session_factory)
    with transaction(session_factory) as session:
        row = session.get(Conversation, CONVERSATION)
        assert row is not None
        services.hand_back_conversation(session, row, services.Actor.of(agent))

    await gateway_without_rasa.outbox.run_once()

    assert conversation(session_factory).state is ConversationState.AGENT
    with session_factory() as session:
        resume = session.scalars(
            select(OutboxMessage).where(OutboxMessage.kind == OutboxKind.RASA_RESUME)
        ).one()
        assert (resume.status, resume.attempts) == (OutboxStatus.PENDING, 1)
        assert resume.last_error is not None and "unreachable" in resume.last_error


async def test_follow_up_trigger_intent_asks_the_survey(
    gateway: Gateway,
    fake_rasa: FakeRasa,
    channel: RecordingChannel,
    session_factory: sessionmaker[Session],
) -> None:
    await gateway.receive(says("谢谢"))
    with transaction(session_factory) as session:
        # What the SLA worker writes (ticketing/followups.py).
        session.add(
            OutboxMessage(
                conversation_id=CONVERSATION,
                channel=Channel.WEB,
                kind="trigger_intent",
                payload={
                    "intent": "EXTERNAL_follow_up",
                    "entities": {"ticket_number": "T-000001", "follow_up_id": 1},
                },
                next_attempt_at=utcnow(),
                created_at=utcnow(),
            )
        )

    await gateway.outbox.run_once()

    (call,) = [c for c in fake_rasa.calls if c.path.endswith("/trigger_intent")]
    assert call.path == f"/conversations/{CONVERSATION}/trigger_intent"
    assert call.query == {"token": [RASA_TOKEN]}
    assert call.body == {
        "name": "EXTERNAL_follow_up",
        "entities": {"ticket_number": "T-000001", "follow_up_id": 1},
    }
    assert channel.texts()[-1] == "请为本次服务打分 (1-5)"
    assert kinds(session_factory)[-1] is MessageKind.BOT
    with session_factory() as session:
        assert set(session.scalars(select(OutboxMessage.status))) == {OutboxStatus.SENT}


async def test_follow_up_is_not_triggered_while_an_agent_has_the_conversation(
    gateway: Gateway,
    fake_rasa: FakeRasa,
    session_factory: sessionmaker[Session],
) -> None:
    await gateway.receive(says("我要投诉"))
    hand_off(session_factory)
    with transaction(session_factory) as session:
        row = session.get(Conversation, CONVERSATION)
        assert row is not None
        trigger = services.enqueue_outbound(
            session,
            row,
            OutboxKind.TRIGGER_INTENT,
            {"intent": "EXTERNAL_follow_up", "entities": {}},
            at=utcnow(),
        )
        trigger_id = trigger.id

    await gateway.outbox.run_once()
    await gateway.outbox.run_once()

    assert not [c for c in fake_rasa.calls if c.path.endswith("/trigger_intent")]
    with session_factory() as session:
        skipped = session.get(OutboxMessage, trigger_id)
        assert skipped is not None and skipped.status is OutboxStatus.FAILED


async def test_a_button_sends_its_payload_and_keeps_its_title(
    gateway: Gateway,
    fake_rasa: FakeRasa,
    session_factory: sessionmaker[Session],
) -> None:
    fake_rasa.replier = lambda sender, message, _m: [
        {"text": "请选择问题类型", "buttons": [{"title": "物流", "payload": "/inform"}]}
    ]
    await gateway.receive(says("我要投诉"))

    await gateway.receive(says("物流", payload='/inform{"complaint_category":"delivery"}'))

    assert (
        fake_rasa.webhook_calls()[-1].body["message"] == '/inform{"complaint_category":"delivery"}'
    )
    with session_factory() as session:
        bot, customer = session.scalars(
            select(Message).where(Message.id > 1).order_by(Message.id).limit(2)
        ).all()
        assert bot.data == {"buttons": [{"title": "物流", "payload": "/inform"}]}
        assert (customer.body, customer.data) == (
            "物流",
            {"payload": '/inform{"complaint_category":"delivery"}'},
        )


async def test_an_empty_message_is_refused_and_nothing_is_stored(
    gateway: Gateway, fake_rasa: FakeRasa, session_factory: sessionmaker[Session]
) -> None:
    with pytest.raises(InvalidInput):
        await gateway.receive(says("   "))
    assert fake_rasa.calls == []
    with session_factory() as session:
        assert session.scalars(select(Message)).all() == []


async def test_language_follows_the_customer(
    gateway: Gateway, fake_rasa: FakeRasa, session_factory: sessionmaker[Session]
) -> None:
    await gateway.receive(says("hi there", language_hint="zh"))
    await gateway.receive(says("123"))  # nothing to tell by: the language stays
    await gateway.receive(says("我的order 还没到"))

    languages = [c.body["metadata"]["language"] for c in fake_rasa.webhook_calls()]
    assert languages == ["en", "en", "zh"]
    assert conversation(session_factory).language == "zh"


async def test_an_order_number_alone_keeps_the_language_for_the_gateway_and_the_bot(
    gateway: Gateway, fake_rasa: FakeRasa, session_factory: sessionmaker[Session]
) -> None:
    await gateway.receive(says("我的快递还没到"))
    await gateway.receive(says("A2024-1181"))

    languages = [c.body["metadata"]["language"] for c in fake_rasa.webhook_calls()]
    assert languages == ["zh", "zh"]
    assert conversation(session_factory).language == "zh"
    # The bot's own reading of the same message (action_set_language) keeps Chinese too.
    tracker = Tracker(
        sender_id=CONVERSATION,
        slots={"language": "zh"},
        latest_message={"text": "A2024-1181", "intent": {"name": "inform"}},
        events=[],
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )
    events = await ActionSetLanguage().run(CollectingDispatcher(), tracker, {})
    assert events == [SlotSet("language", "zh")]


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("你好", "zh"),
        ("我的order 还没到", "zh"),
        ("My order still hasn't arrived 到", "en"),
        ("ok 好的", "zh"),
        ("Where is my parcel?", "en"),
        ("退货", "zh"),
        ("A2024-1181", None),
        ("订单 A2024-1181", "zh"),
        ("12345", None),
        ("👍", None),
        ("", None),
        ("請問退貨要多久", "zh"),
        ("my parcel to 上海 is late", "en"),
        ("Ｍｙ ｏｒｄｅｒ", "en"),
    ],
)
def test_detect_language(text: str, language: str | None) -> None:
    assert detect_language(text) == language
