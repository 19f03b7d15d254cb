"""A complaint conversation in each language through Rasa's REST channel
(`POST /webhooks/rest/webhook`), with the real Rasa and action servers: the ticket is in the store
with the category, severity, order number and conversation id the conversation gave."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.servers import RasaServer
from ticketing import services
from ticketing.db import make_engine, make_session_factory
from ticketing.models import (
    Category,
    Channel,
    Conversation,
    ConversationState,
    CustomerIdentity,
    IdentityKind,
    Severity,
    Ticket,
)

pytestmark = pytest.mark.rasa

HAN = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="session")
def store(store_url: str) -> Iterator[sessionmaker[Session]]:
    """The action server's store (tests/servers.py: an SLA policy for every priority)."""
    engine = make_engine(store_url)
    yield make_session_factory(engine)
    engine.dispose()


def web_customer(store: sessionmaker[Session], language: str) -> tuple[str, dict[str, Any]]:
    """A web chat conversation as the gateway creates it: its sender id and message metadata."""
    session_id = uuid.uuid4().hex
    with store.begin() as session:
        conversation = services.get_or_create_conversation(
            session, Channel.WEB, session_id, language=language
        )
        metadata = {
            "channel": "web",
            "customer_id": conversation.customer_id,
            "language": language,
        }
        return conversation.id, metadata


def texts(replies: list[dict[str, Any]]) -> str:
    said = "\n".join(str(reply.get("text") or "") for reply in replies)
    assert said.strip(), f"the bot said nothing: {replies}"
    return said


def ticket_of(store: sessionmaker[Session], sender: str) -> Ticket:
    with store() as session:
        return session.scalars(select(Ticket).where(Ticket.conversation_id == sender)).one()


def test_chinese_complaint_from_a_web_customer(
    rasa_server: RasaServer, store: sessionmaker[Session]
) -> None:
    sender, metadata = web_customer(store, "zh")

    summary = rasa_server.say(sender, "订单A2024-1181的鞋底开胶了，才穿了一个星期", metadata)
    assert "A2024-1181" in texts(summary)
    assert any(reply.get("buttons") for reply in summary)  # submit / change / cancel
    filed = texts(rasa_server.say(sender, "/affirm", metadata))

    ticket = ticket_of(store, sender)
    assert ticket.category is Category.PRODUCT_QUALITY
    assert ticket.severity is Severity.GENERAL
    assert ticket.order_number == "A2024-1181"
    assert ticket.channel is Channel.WEB
    assert ticket.customer_id == metadata["customer_id"]
    assert ticket.number in filed
    assert HAN.search(filed)


def test_english_complaint_from_a_client_the_channel_does_not_identify(
    rasa_server: RasaServer, store: sessionmaker[Session]
) -> None:
    sender = f"rest-{uuid.uuid4().hex}"

    ask_phone = texts(
        rasa_server.say(
            sender,
            "My order A2024-1190 arrived and the heel snapped off the first time I wore them",
        )
    )
    assert "phone" in ask_phone.lower()
    summary = texts(rasa_server.say(sender, "+44 20 7946 0958"))
    assert "A2024-1190" in summary
    filed = texts(rasa_server.say(sender, "/affirm"))

    ticket = ticket_of(store, sender)
    assert ticket.category is Category.PRODUCT_QUALITY
    assert ticket.severity is Severity.GENERAL
    assert ticket.order_number == "A2024-1190"
    assert ticket.channel is Channel.API
    assert ticket.language == "en"
    assert ticket.number in filed
    assert not HAN.search(filed)
    with store() as session:
        identity = session.scalars(
            select(CustomerIdentity).where(CustomerIdentity.customer_id == ticket.customer_id)
        ).one()
        assert (identity.kind, identity.value) == (IdentityKind.PHONE, "+442079460958")


def test_a_major_complaint_is_filed_and_handed_to_a_person(
    rasa_server: RasaServer, store: sessionmaker[Session]
) -> None:
    sender, metadata = web_customer(store, "zh")

    rasa_server.say(sender, "订单A2024-2210的鞋跟断了，我摔伤了脚踝，不处理我就打12315", metadata)
    replies = texts(rasa_server.say(sender, "/affirm", metadata))

    ticket = ticket_of(store, sender)
    assert ticket.severity is Severity.MAJOR
    assert ticket.order_number == "A2024-2210"
    assert ticket.handed_off
    assert ticket.number in replies
    assert "30 分钟" in replies  # the SLA's first-response target
    with store() as session:
        conversation = session.get(Conversation, sender)
        assert conversation is not None
        assert conversation.state is ConversationState.QUEUED
    # The bot keeps quiet until the conversation is handed back.
    assert rasa_server.say(sender, "在吗？", metadata) == []
    assert rasa_server.tracker(sender)["paused"] is True


# --- correcting the summary (issue 16): the ticket carries the corrected answer -----------------


def buttons(replies: list[dict[str, Any]]) -> list[str]:
    return [str(button["payload"]) for reply in replies for button in reply.get("buttons") or ()]


def test_no_at_the_summary_asks_what_to_change_and_a_named_type_is_filed(
    rasa_server: RasaServer, store: sessionmaker[Session]
) -> None:
    sender, metadata = web_customer(store, "zh")
    rasa_server.say(sender, "订单A2024-1181的鞋底开胶了，才穿了一个星期", metadata)

    question = rasa_server.say(sender, "不对", metadata)
    assert "修改" in texts(question)
    assert "/cancel" in buttons(question)
    assert any("complaint_category" in payload for payload in buttons(question))
    summary = texts(rasa_server.say(sender, "是价格的问题", metadata))
    assert "价格" in summary
    assert "A2024-1181" in summary
    rasa_server.say(sender, "/affirm", metadata)

    ticket = ticket_of(store, sender)
    assert ticket.category is Category.PRICE
    assert ticket.order_number == "A2024-1181"


def test_the_description_changed_with_its_button_is_filed(
    rasa_server: RasaServer, store: sessionmaker[Session]
) -> None:
    sender, metadata = web_customer(store, "zh")
    rasa_server.say(sender, "订单A2024-1181的鞋底开胶了，才穿了一个星期", metadata)

    rasa_server.say(sender, "不是", metadata)
    asked = texts(
        rasa_server.say(sender, '/inform{"complaint_field":"complaint_description"}', metadata)
    )
    assert "描述" in asked
    summary = texts(rasa_server.say(sender, "鞋跟第一次穿就断了，鞋底没问题", metadata))
    assert "鞋跟第一次穿就断了" in summary
    rasa_server.say(sender, "/affirm", metadata)

    ticket = ticket_of(store, sender)
    assert ticket.description == "鞋跟第一次穿就断了，鞋底没问题"
    assert ticket.order_number == "A2024-1181"


def test_english_corrections_of_the_order_and_phone_numbers_are_filed(
    rasa_server: RasaServer, store: sessionmaker[Session]
) -> None:
    sender = f"rest-{uuid.uuid4().hex}"
    rasa_server.say(
        sender, "My order A2024-1190 arrived and the heel snapped off the first time I wore them"
    )
    rasa_server.say(sender, "+44 20 7946 0958")

    question = rasa_server.say(sender, "no, that's not right")
    assert "change" in texts(question).lower()
    assert any("contact_phone" in payload for payload in buttons(question))
    assert "A2025-0110" in texts(rasa_server.say(sender, "the order number is A2025-0110"))
    assert "0959" in texts(rasa_server.say(sender, "no, my number is +44 20 7946 0959"))
    filed = texts(rasa_server.say(sender, "/affirm"))

    ticket = ticket_of(store, sender)
    assert ticket.number in filed
    assert ticket.order_number == "A2025-0110"
    assert ticket.category is Category.PRODUCT_QUALITY
    with store() as session:
        identity = session.scalars(
            select(CustomerIdentity).where(CustomerIdentity.customer_id == ticket.customer_id)
        ).one()
        assert identity.value == "+442079460959"


def test_no_then_cancel_files_nothing(
    rasa_server: RasaServer, store: sessionmaker[Session]
) -> None:
    sender, metadata = web_customer(store, "en")
    rasa_server.say(
        sender, "the sole of my new trainers came off after a week, order A2024-1181", metadata
    )

    assert "change" in texts(rasa_server.say(sender, "no", metadata)).lower()
    cancelled = texts(rasa_server.say(sender, "cancel", metadata))

    assert "nothing was filed" in cancelled
    with store() as session:
        assert session.scalars(select(Ticket).where(Ticket.conversation_id == sender)).all() == []


def test_the_action_server_logged_no_exception(rasa_server: RasaServer) -> None:
    log = rasa_server.actions.log_tail()
    assert "Traceback" not in log
    assert "Exception" not in log
