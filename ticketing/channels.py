"""The chat channels customers reach Kefu on: one registration line per channel.

A chat channel declares here how its customers are known (their identity kind), whether the
follow-up worker may start a conversation on it, and the `module:attribute` of its plug-in on the
bot side (its adapter, routes and background work), which only the web app imports. The service
layer, the worker and the action server read this registry and never import the bot.

A conversation on a chat channel is `<channel>:<external id>` (`web:3f2a...`,
`telegram:123456789`); that id is also Rasa's sender id. The web chat's external id is a key
derived one way from the browser's session id (ticketing/pseudonyms.py), never the id itself.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from ticketing.models import Channel, IdentityKind


@dataclass(frozen=True)
class ChatChannel:
    """What the desk knows of one chat channel."""

    channel: Channel
    identity: IdentityKind  # how its customers are known
    follow_ups: bool  # the follow-up worker may reach customers on it
    plugin: str  # "module:attribute" of its bot-side plug-in (loaded by the web app only)


_REGISTERED: dict[Channel, ChatChannel] = {}


def register(spec: ChatChannel) -> ChatChannel:
    """Add a chat channel. Registering the same spec again does nothing; a different spec for a
    channel already registered is a mistake."""
    known = _REGISTERED.get(spec.channel)
    if known is not None and known != spec:
        raise ValueError(f"{spec.channel.value} is already registered as {known}")
    _REGISTERED[spec.channel] = spec
    return spec


def unregister(channel: Channel) -> None:
    """Remove a chat channel (tests that registered one of their own)."""
    _REGISTERED.pop(channel, None)


@contextmanager
def registered(spec: ChatChannel) -> Iterator[ChatChannel]:
    """A chat channel registered for the duration of a `with` block (tests)."""
    register(spec)
    try:
        yield spec
    finally:
        unregister(spec.channel)


def lookup(channel: Channel) -> ChatChannel | None:
    """The chat channel's registration; None for a channel that is not a chat (phone, email)."""
    return _REGISTERED.get(channel)


def chat_channels() -> tuple[ChatChannel, ...]:
    """Every registered chat channel, in the order registered."""
    return tuple(_REGISTERED.values())


def identity_of(channel: Channel) -> IdentityKind:
    """How customers on a registered chat channel are known; KeyError for any other channel."""
    return _REGISTERED[channel].identity


def follow_up_channels() -> tuple[Channel, ...]:
    """The chat channels on which the bot can start a conversation with the customer."""
    return tuple(spec.channel for spec in _REGISTERED.values() if spec.follow_ups)


register(
    ChatChannel(
        Channel.WEB,
        IdentityKind.WEB,
        follow_ups=True,
        plugin="bot.gateway.channels.webchat:WebChatPlugin",
    )
)
register(
    ChatChannel(
        Channel.TELEGRAM,
        IdentityKind.TELEGRAM,
        follow_ups=True,
        plugin="bot.gateway.channels.telegram.lifecycle:TelegramPlugin",
    )
)
