"""What a channel gives the gateway (`Inbound`) and what it must do for it (`ChannelAdapter`).

A channel (web chat, Telegram) turns its own updates into `Inbound` and calls
`Gateway.receive`; the gateway stores, routes, and puts every answer on the outbox. The outbox
deliverer then calls the channel's `deliver` with an `Outbound` after the commit, retrying with
backoff when it raises. Conversation ids are channel-qualified (`web:<session>`,
`telegram:<chat_id>`) and are also the Rasa sender id.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypedDict, runtime_checkable

from ticketing.models import Channel, OutboxKind
from ticketing.services import conversation_id_for


class Button(TypedDict):
    title: str
    payload: str  # what goes to Rasa when pressed, e.g. "/affirm" or '/inform{"x": "y"}'


@dataclass(frozen=True)
class Inbound:
    """One customer message as a channel received it."""

    channel: Channel
    external_id: str  # the web session id, the Telegram chat id
    text: str | None = None  # what the customer wrote, or the title of the button pressed
    payload: str | None = None  # a button's payload: sent to Rasa instead of the text
    display_name: str | None = None
    language_hint: str | None = None  # "zh" or "en" when the channel knows (browser, Telegram)

    @property
    def conversation_id(self) -> str:
        return conversation_id_for(self.channel, self.external_id)


@dataclass(frozen=True)
class Outbound:
    """One outbox row for a channel: a message to the customer or a conversation event.

    `kind` is `OutboxKind.TEXT` (payload: text, sender "bot" | "agent", message_id,
    author_name, buttons, image) or `OutboxKind.EVENT` (payload: event "queued" |
    "agent_joined" | "handed_back", agent_name). Rasa rows never reach a channel.
    """

    outbox_id: int
    conversation_id: str
    channel: Channel
    kind: OutboxKind
    payload: Mapping[str, Any]
    attempt: int  # 1 on the first try

    @property
    def external_id(self) -> str:
        return self.conversation_id.split(":", 1)[1]

    @property
    def text(self) -> str:
        return str(self.payload.get("text") or "")

    @property
    def sender(self) -> str:
        return str(self.payload.get("sender") or "bot")

    @property
    def author_name(self) -> str | None:
        name = self.payload.get("author_name")
        return str(name) if name else None

    @property
    def buttons(self) -> Sequence[Button]:
        raw = self.payload.get("buttons") or []
        return [Button(title=str(b["title"]), payload=str(b["payload"])) for b in raw]

    @property
    def image(self) -> str | None:
        image = self.payload.get("image")
        return str(image) if image else None

    @property
    def event(self) -> str | None:
        event = self.payload.get("event")
        return str(event) if event else None


class DeliveryFailed(Exception):
    """The channel could not take the message now; the outbox retries with backoff."""


class DeliveryRefused(DeliveryFailed):
    """The channel will never take this message (e.g. the user blocked the bot): no retry."""


@runtime_checkable
class ChannelAdapter(Protocol):
    """A customer channel as the gateway and the outbox see it."""

    @property
    def channel(self) -> Channel: ...

    async def deliver(self, item: Outbound) -> None:
        """Send one outbound item to the customer. Return only once the channel has taken it;
        raise (any exception; `DeliveryRefused` for a permanent refusal) so the outbox retries.
        Must finish well within the outbox lease (it is cancelled after `send_timeout`)."""
        ...

    async def typing(self, external_id: str) -> None:
        """Show that the bot is thinking. Best effort: errors are logged and ignored."""
        ...
