"""A new chat channel is one registration plus one plug-in: here a test channel on `Channel.EMAIL`
(the database's enum CHECK constraints only allow existing channel values), whose customer
messages reach the gateway and the store, and whose replies reach its adapter via the outbox."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager

import pytest
from fastapi import APIRouter, FastAPI
from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from actions.base import looks_like_chat_sender
from bot.gateway.channels.base import ChannelContext, Inbound
from bot.gateway.conversation import Gateway
from bot.gateway.outbox import OutboxDeliverer
from bot.gateway.rasa_client import RasaClient
from tests.api.helpers import SETTINGS
from tests.bot.conftest import FakeRasa, RecordingChannel
from tests.bot.helpers import TestClient, agent_replies
from ticketing import channels, services
from ticketing.models import (
    Channel,
    Conversation,
    CustomerIdentity,
    IdentityKind,
    Message,
    MessageKind,
)

ADDRESS = "li.lei@example.com"
CONVERSATION = f"email:{ADDRESS}"


class Mail(BaseModel):
    sender: str
    text: str


class MailPlugin:
    """The whole bot side of the test channel: an adapter that records, and one route in."""

    def __init__(self, context: ChannelContext) -> None:
        self._adapter = RecordingChannel(Channel.EMAIL)

    @property
    def adapter(self) -> RecordingChannel:
        return self._adapter

    def install(self, app: FastAPI, gateway: Gateway) -> None:
        app.state.mail = self._adapter
        router = APIRouter()

        @router.post("/test-mail", status_code=204)
        async def receive_mail(mail: Mail) -> None:
            await gateway.receive(Inbound(Channel.EMAIL, mail.sender, text=mail.text))

        app.include_router(router)

    @asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        yield


@pytest.fixture
def mail_channel() -> Iterator[channels.ChatChannel]:
    spec = channels.ChatChannel(
        Channel.EMAIL,
        IdentityKind.EMAIL,
        follow_ups=True,
        plugin=f"{__name__}:MailPlugin",
    )
    with channels.registered(spec):
        yield spec


def test_a_registered_channel_is_known_to_the_desk_the_worker_and_the_actions(
    mail_channel: channels.ChatChannel,
) -> None:
    assert channels.lookup(Channel.EMAIL) == mail_channel
    assert Channel.EMAIL in channels.follow_up_channels()
    assert services.conversation_id_for(Channel.EMAIL, ADDRESS) == CONVERSATION
    assert looks_like_chat_sender(CONVERSATION)


def test_an_unregistered_channel_is_not_a_chat() -> None:
    assert channels.lookup(Channel.EMAIL) is None
    assert not looks_like_chat_sender(CONVERSATION)


def test_a_message_on_the_new_channel_reaches_the_gateway_the_store_and_back(
    mail_channel: channels.ChatChannel,
    session_factory: sessionmaker[Session],
    fake_rasa: FakeRasa,
) -> None:
    from bot.gateway.app import create_app

    app = create_app(SETTINGS, session_factory, rasa=RasaClient(fake_rasa.url), background=False)
    with TestClient(app) as client:
        response = client.post("/test-mail", json={"sender": ADDRESS, "text": "我的订单还没到"})
        assert response.status_code == 204
        mail: RecordingChannel = app.state.mail

        # The bot's answer went out through the outbox to the channel's adapter.
        assert [c.body["sender"] for c in fake_rasa.webhook_calls()] == [CONVERSATION]
        assert mail.texts() == ["bot heard: 我的订单还没到"]

        # So does an agent's reply, written by the desk and delivered by the outbox.
        agent_replies(session_factory, CONVERSATION, "您好")
        outbox: OutboxDeliverer = app.state.outbox
        assert client.portal is not None
        client.portal.call(outbox.run_once)
        assert mail.texts()[-1] == "您好"

    with session_factory() as session:
        conversation = session.get(Conversation, CONVERSATION)
        assert conversation is not None
        assert conversation.channel is Channel.EMAIL
        identity = session.scalars(
            select(CustomerIdentity).where(CustomerIdentity.value == ADDRESS)
        ).one()
        assert (identity.kind, identity.customer_id) == (
            IdentityKind.EMAIL,
            conversation.customer_id,
        )
        kinds_and_bodies = session.execute(
            select(Message.kind, Message.body)
            .where(Message.conversation_id == CONVERSATION)
            .order_by(Message.id)
        ).all()
    assert kinds_and_bodies[:2] == [
        (MessageKind.CUSTOMER, "我的订单还没到"),
        (MessageKind.BOT, "bot heard: 我的订单还没到"),
    ]
