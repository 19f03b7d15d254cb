"""What a channel gives the gateway (`Inbound`), what it must do for it (`ChannelAdapter`), and
how the web app runs it (`ChannelPlugin`).

A channel (web chat, Telegram) turns its own updates into `Inbound` and calls
`Gateway.receive`; the gateway stores, routes, and puts every answer on the outbox. The outbox
deliverer then calls the channel's `deliver` with an `Outbound` after the commit, retrying with
backoff when it raises. Conversation ids are channel-qualified (`web:<session key>`,
`telegram:<chat_id>`) and are also the Rasa sender id.

A channel is registered once, in ticketing/channels.py, with the `module:attribute` of its
plug-in factory here in the bot: the web app builds every registered channel's plug-in from a
`ChannelContext` and takes its adapter, its routes and its background work from it.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol, TypedDict, runtime_checkable

from fastapi import FastAPI
from sqlalchemy.orm import Session, sessionmaker

from ticketing.config import Settings
from ticketing.models import Channel, OutboxKind
from ticketing.services import conversation_id_for

if TYPE_CHECKING:
    from bot.gateway.conversation import Gateway


class Button(TypedDict):
    title: str
    payload: str  # what goes to Rasa when pressed, e.g. "/affirm" or '/inform{"x": "y"}'


@dataclass(frozen=True)
class Inbound:
    """One customer message as a channel received it."""

    channel: Channel
    external_id: str  # the web session's key (never its id), the Telegram chat id
    text: str | None = None  # what the customer wrote, or the title of the button pressed
    payload: str | None = None  # a button's payload: sent to Rasa instead of the text
    display_name: str | None = None
    language_hint: str | None = None  # "zh" or "en" when the channel knows (browser, Telegram)
    # The channel's own id for the update (Telegram's update_id): delivered again, it is ignored.
    update_id: str | None = None

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


@dataclass(frozen=True)
class ChannelContext:
    """What the web app builds a channel's plug-in from."""

    settings: Settings
    session_factory: sessionmaker[Session]
    clock: Callable[[], datetime]
    background: bool  # False: no background loops (tests drive them by hand)


class ChannelPlugin(Protocol):
    """A registered chat channel's bot side, as the composed web app runs it (one per app)."""

    @property
    def adapter(self) -> ChannelAdapter | None:
        """The channel's adapter for the gateway and the outbox; None while the channel is off
        (Telegram without a token)."""
        ...

    def install(self, app: FastAPI, gateway: Gateway) -> None:
        """Add the channel's routes (and what it keeps on `app.state`) to the app."""
        ...

    def running(self) -> AbstractAsyncContextManager[None]:
        """The channel's background work while the app runs: entered after the gateway's own
        start and left before the gateway stops (the turns it took are finished first)."""
        ...


PluginFactory = Callable[[ChannelContext], ChannelPlugin]


def load_plugin(path: str) -> PluginFactory:
    """The plug-in factory a registration names as `module:attribute`."""
    module_name, _, attribute = path.partition(":")
    factory: PluginFactory = getattr(importlib.import_module(module_name), attribute)
    return factory
