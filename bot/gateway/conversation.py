"""The conversation gateway: every customer message is stored first, then routed to the bot or
left for the agents; every answer goes out through the outbox.

`Gateway.receive(inbound)` is the whole contract for a channel, and its only way in. In one
transaction it finds or creates the customer and the conversation and keeps the message (on the
conversation's open ticket too, so its SLA clocks run). While the conversation is the bot's, the
message goes to Rasa's REST channel (sender = the conversation id) and each reply is kept and
put on the outbox; the conversation is read again afterwards, because a Rasa action may have
handed it off in the store meanwhile. While it is handed off (`queued` or `agent`) the bot is
never asked: the stored message is what the agent console reads. When Rasa or its action server
is down, slow or silent, the customer gets a short apology in their language and the
conversation is queued for an agent.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.gateway.channels.base import ChannelAdapter, Inbound
from bot.gateway.outbox import Claimed, OutboxDeliverer, store_bot_replies
from bot.gateway.rasa_client import Assistant, BotReply, RasaUnavailable
from ticketing import services
from ticketing.clock import utcnow
from ticketing.errors import InvalidInput
from ticketing.language import detect_language, known_language
from ticketing.models import Channel, Conversation, ConversationState

log = logging.getLogger(__name__)

APOLOGY = {
    "zh": "抱歉，智能助手暂时无法回复。您的消息已保存，我们正在为您转接人工客服，请稍候。",
    "en": (
        "Sorry, our assistant can't answer right now. Your message is saved and we're "
        "passing you to a member of our team, who will reply here shortly."
    ),
}


@dataclass(frozen=True)
class StoredInbound:
    """A customer message as kept in the store, and what routing it needs."""

    conversation_id: str
    channel: Channel
    external_id: str
    message_id: int
    body: str
    created_at: datetime
    state: ConversationState
    language: str
    customer_id: int | None
    to_bot: str  # what Rasa gets: the button payload, or the text


class Gateway:
    """Owns every customer channel's conversations: store, then route (see the module doc)."""

    def __init__(
        self,
        session_factory: sessionmaker[Session],
        rasa: Assistant,
        adapters: Mapping[Channel, ChannelAdapter],
        *,
        outbox: OutboxDeliverer | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.factory = session_factory
        self.rasa = rasa
        self.adapters = dict(adapters)
        self.clock = clock
        self.outbox = outbox or OutboxDeliverer(session_factory, self.adapters, rasa, clock=clock)
        # The outbox's threads: on SQLite one writer thread for both, so writes queue in order.
        self.run_blocking = self.outbox.run_blocking

    async def receive(
        self,
        inbound: Inbound,
        *,
        on_stored: Callable[[StoredInbound], Awaitable[None]] | None = None,
        to_bot: bool = True,
    ) -> StoredInbound:
        """Store one customer message, then route it: the one way in for a channel.

        Raises `InvalidInput` for a message the store refuses (empty, too long, a bad external
        id), `AlreadyReceived` for an update the channel delivered before (not routed again),
        and whatever stopped it being stored; either way nothing is kept. `on_stored` runs
        once it is kept, before routing (the web chat shows the customer their own message).
        A routing failure is logged, not raised: the message is kept, and the outbox loop or an
        agent picks it up from there. With `to_bot` False (a chat over its message limit) the
        message is kept and not routed at all; while the bot has the conversation it is marked
        `over_limit` in its data (handed off, it reaches the agents as any other).
        """
        stored = await self._store(inbound, over_limit=not to_bot)
        if on_stored is not None:
            await on_stored(stored)
        if not to_bot:
            log.info("conversation %s: over its message limit, not routed", stored.conversation_id)
            return stored
        try:
            await self._route(stored)
        except Exception:
            log.exception("%s: routing %s failed", stored.channel.value, stored.conversation_id)
        return stored

    async def _store(self, inbound: Inbound, *, over_limit: bool = False) -> StoredInbound:
        """The storing half of `receive`: one transaction, committed when this returns."""
        try:
            return await self.run_blocking(self._write, inbound, over_limit)
        except IntegrityError:
            # Two first messages of a new customer at once (two browser tabs): one created the
            # customer and the conversation, the other now finds them. Or one update delivered
            # twice at once: the retry finds it received (AlreadyReceived).
            return await self.run_blocking(self._write, inbound, over_limit)

    def _write(self, inbound: Inbound, over_limit: bool = False) -> StoredInbound:
        text = (inbound.text or "").strip() or (inbound.payload or "").strip()
        if not text:
            raise InvalidInput("the message is empty", field="text")
        language = detect_language(inbound.text) or known_language(inbound.language_hint)
        with self.factory.begin() as session:
            record = services.record_inbound_message(
                session,
                inbound.channel,
                inbound.external_id,
                text,
                display_name=inbound.display_name,
                language=language,
                data=_message_data(inbound),
                update_id=inbound.update_id,
                at=self.clock(),
            )
            conversation = record.conversation
            if over_limit and conversation.state is ConversationState.BOT:
                record.message.data = {**(record.message.data or {}), "over_limit": True}
            return StoredInbound(
                conversation_id=conversation.id,
                channel=conversation.channel,
                external_id=inbound.external_id.strip(),
                message_id=record.message.id,
                body=record.message.body,
                created_at=record.message.created_at,
                state=conversation.state,
                language=conversation.language,
                customer_id=conversation.customer_id,
                to_bot=(inbound.payload or "").strip() or text,
            )

    async def _route(self, stored: StoredInbound) -> None:
        """The routing half of `receive`: to the bot while it has the conversation."""
        if stored.state is not ConversationState.BOT:
            # The agent console reads the stored message; the bot must not answer it.
            log.info(
                "conversation %s is %s: not sent to the bot",
                stored.conversation_id,
                stored.state.value,
            )
            return
        await self._typing(stored)
        metadata = {
            "channel": stored.channel.value,
            "conversation_id": stored.conversation_id,
            "customer_id": stored.customer_id,
            "language": stored.language,
            "message_id": stored.message_id,
        }
        try:
            replies, actions_up = await asyncio.gather(
                self.rasa.send_message(stored.conversation_id, stored.to_bot, metadata),
                self.rasa.actions_healthy(),
            )
            if not actions_up:
                # Rasa still answers without its action server, but nothing that needs an
                # action (a ticket, a status, the language) can work: a human takes over.
                raise RasaUnavailable("the action server is down")
            if not any(not reply.is_empty for reply in replies):
                # A paused tracker or a failed action answers with nothing: silence is worse
                # than an apology and a human.
                raise RasaUnavailable("the bot sent no reply")
        except RasaUnavailable as exc:
            log.warning(
                "conversation %s: bot unavailable (%s); queued for an agent",
                stored.conversation_id,
                exc,
            )
            claimed = await self.run_blocking(self._fall_back, stored)
        else:
            claimed = await self.run_blocking(self._keep_replies, stored, replies)
        await self.outbox.deliver_claimed(claimed)

    def _keep_replies(self, stored: StoredInbound, replies: list[BotReply]) -> list[Claimed]:
        with self.factory.begin() as session:
            ids = store_bot_replies(session, stored.conversation_id, replies, self.clock())
            return self.outbox.claim_in(session, ids)

    def _fall_back(self, stored: StoredInbound) -> list[Claimed]:
        at = self.clock()
        with self.factory.begin() as session:
            conversation = session.get(Conversation, stored.conversation_id, with_for_update=True)
            if conversation is None:
                return []
            if conversation.state is ConversationState.BOT:
                language = detect_language(stored.body) or conversation.language
                services.record_bot_reply(
                    session, conversation, APOLOGY.get(language, APOLOGY["zh"]), at=at
                )
                services.hand_off_conversation(
                    session, conversation, services.Actor.system(), reason="bot_unavailable", at=at
                )
            return self.outbox.claim_in(
                session, store_bot_replies(session, conversation.id, [], at)
            )

    async def _typing(self, stored: StoredInbound) -> None:
        adapter = self.adapters.get(stored.channel)
        if adapter is None:
            return
        try:
            await adapter.typing(stored.external_id)
        except Exception:  # best effort: a typing indicator is not worth failing a turn
            log.debug("typing indicator failed on %s", stored.channel.value, exc_info=True)


def _message_data(inbound: Inbound) -> dict[str, Any] | None:
    """What a customer message keeps besides its words: a button's payload."""
    return {"payload": inbound.payload} if inbound.payload else None
