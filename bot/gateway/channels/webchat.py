"""The web chat channel: the embeddable widget's WebSocket (`/ws/chat`) and its static files.

Protocol (JSON text frames). The browser keeps a random session id in localStorage. That id is
the customer's only credential, so it never reaches the store, the desk or the logs: the
conversation is `web:<key>`, the customer's web identity `<key>`, where the key is derived from
the session id one way (ticketing/pseudonyms.py). Only pages on an allowed origin may connect
(settings.allowed_origins, and always the app's own origin), others are refused before the
handshake. A session that writes faster than its limit, or the first message of a new session
from an address that has started too many, waits (bot/gateway/chat_limits.py): the browser gets
a `wait` frame in the customer's language and the message goes through once the wait is over.

    browser -> server
      {"type": "hello", "session_id": "...", "language": "zh"|"en"|null, "name": null}  (first)
      {"type": "message", "text": "..."}
      {"type": "button", "title": "Yes", "payload": "/affirm"}
    server -> browser
      {"type": "history", "messages": [<message>...], "state": <state>}  (answer to hello)
      {"type": "message", "message": <message>}   (the customer's own, then bot and agent ones)
      {"type": "state", "state": "bot"|"queued"|"agent", "agent_name": ..., "notice": ...}
      {"type": "typing", "on": true|false}
      {"type": "error", "code": "invalid"|"too_long"|"unavailable"}
      {"type": "wait", "retry_after": <seconds>, "text": "..."}  (the message is held, not lost)
    <message> = {"id", "sender": "customer"|"bot"|"agent", "text", "buttons", "image",
                 "author_name", "created_at"}

Every message carries its store id; the widget ignores an id it has shown, so a frame that
arrives twice (outbox and catch-up) shows once. Outbound rows are pushed to the sockets this
process holds; a customer with no socket reads them from history on the next visit. With several
gateway processes a socket may live in another one than the deliverer: each process therefore
also catches its sockets up from the store every `sync_interval` seconds.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import json
import logging
import math
import re
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, FastAPI, WebSocket
from fastapi.responses import FileResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload, sessionmaker
from starlette.websockets import WebSocketDisconnect, WebSocketState

from bot.gateway.channels.base import Button, ChannelContext, Inbound, Outbound
from bot.gateway.chat_limits import ChatLimits, wait_notice
from ticketing import services
from ticketing.clock import utcnow
from ticketing.errors import InvalidInput
from ticketing.models import Channel, Conversation, ConversationState, Message, OutboxKind
from ticketing.pseudonyms import web_session_key

if TYPE_CHECKING:
    from bot.gateway.conversation import Gateway, StoredInbound

log = logging.getLogger(__name__)

WEB_DIR = Path(__file__).resolve().parent.parent / "web"
SESSION_ID = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
MAX_TEXT = 2000
MAX_FRAME = 8 * 1024
HELLO_TIMEOUT = 10.0
SYNC_WINDOW = timedelta(minutes=2)
EVENT_STATES = {
    "queued": ConversationState.QUEUED,
    "agent_joined": ConversationState.AGENT,
    "handed_back": ConversationState.BOT,
}

Frame = dict[str, Any]


def chat_message(
    *,
    message_id: int | None,
    sender: str,
    text: str,
    buttons: Sequence[Button] = (),
    image: str | None = None,
    author_name: str | None = None,
    created_at: datetime | None = None,
) -> Frame:
    """A `<message>` of the protocol: how every message, stored or just sent, reaches the widget."""
    return {
        "id": message_id,
        "sender": sender,
        "text": text,
        "buttons": list(buttons),
        "image": image,
        "author_name": author_name,
        "created_at": created_at.isoformat() if created_at else None,
    }


def message_frame(message: Message) -> Frame:
    data = message.data or {}
    return chat_message(
        message_id=message.id,
        sender=message.kind.value,
        text=message.body,
        buttons=data.get("buttons", []),
        image=data.get("image"),
        author_name=message.author.display_name if message.author else None,
        created_at=message.created_at,
    )


def state_frame(state: ConversationState, agent_name: str | None, notice: str | None) -> Frame:
    shown = agent_name if state is ConversationState.AGENT else None
    return {"type": "state", "state": state.value, "agent_name": shown, "notice": notice}


@dataclass(eq=False)
class Connection:
    """One open widget socket."""

    websocket: WebSocket
    external_id: str  # the key derived from the session id, never the session id itself
    conversation_id: str
    language: str | None = None
    address: str = ""
    new: bool = False  # no conversation in the store yet: its first message starts one
    sent: OrderedDict[int, None] = field(default_factory=OrderedDict)
    state: tuple[str, str | None] | None = None
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def send(self, frame: Frame) -> None:
        async with self.lock:
            if self.websocket.application_state is WebSocketState.CONNECTED:
                await self.websocket.send_text(json.dumps(frame, ensure_ascii=False))

    async def send_message(self, message: Frame) -> None:
        if message.get("id") in self.sent:
            return
        if message.get("id") is not None:
            self.sent[message["id"]] = None
            while len(self.sent) > 1000:
                self.sent.popitem(last=False)
        await self.send({"type": "message", "message": message})

    async def send_state(self, state: str, agent_name: str | None, notice: str | None) -> None:
        self.state = (state, agent_name)
        await self.send(state_frame(ConversationState(state), agent_name, notice))


class WebChat:
    """The web chat channel adapter (`Channel.WEB`) and the sockets this process holds."""

    channel = Channel.WEB

    def __init__(
        self,
        session_factory: sessionmaker[Session],
        *,
        secret: str,
        limits: ChatLimits,
        origins: Sequence[str] = (),
        sync_interval: float = 2.0,
        clock: Callable[[], datetime] = utcnow,
        allowed_origins: Sequence[str] = (),
    ) -> None:
        self.factory = session_factory
        self.secret = secret
        self.limits = limits
        self.origins = frozenset(origins)
        self.sync_interval = sync_interval
        self.clock = clock
        self._sockets: dict[str, set[Connection]] = {}
        self._turns: set[asyncio.Task[StoredInbound]] = set()

    def connections(self, external_id: str) -> list[Connection]:
        return list(self._sockets.get(external_id, ()))

    # --- the ChannelAdapter side ---------------------------------------------------------------

    async def deliver(self, item: Outbound) -> None:
        """Push to the customer's open sockets here; with none, history shows it later."""
        connections = self.connections(item.external_id)
        if item.kind is OutboxKind.EVENT:
            state = EVENT_STATES.get(item.event or "")
            if state is None:
                return
            for connection in connections:
                await _quietly(connection.send_state(state.value, _agent(item), item.event))
            return
        frame = chat_message(
            message_id=item.payload.get("message_id"),
            sender=item.sender,
            text=item.text,
            buttons=item.buttons,
            image=item.image,
            author_name=item.author_name,
        )
        for connection in connections:
            await _quietly(connection.send_message(frame))

    async def typing(self, external_id: str) -> None:
        for connection in self.connections(external_id):
            await _quietly(connection.send({"type": "typing", "on": True}))

    # --- the socket ----------------------------------------------------------------------------

    async def serve(self, websocket: WebSocket, gateway: Gateway) -> None:
        """Run one widget connection until the browser goes away."""
        if not self.origin_allowed(websocket):
            # Before the handshake: the browser sees a refused connection (HTTP 403).
            await websocket.close(code=1008)
            return
        await websocket.accept()
        hello = await self._hello(websocket)
        if hello is None:
            if websocket.application_state is WebSocketState.CONNECTED:
                await websocket.close(code=1008)
            return
        session_id, language, name = hello
        key = web_session_key(self.secret, session_id)
        connection = Connection(
            websocket,
            key,
            services.conversation_id_for(Channel.WEB, key),
            language=language,
            address=websocket.client.host if websocket.client else "",
        )
        self._sockets.setdefault(key, set()).add(connection)
        try:
            await self._send_history(connection)
            while True:
                frame = await _receive_frame(websocket)
                if frame is None:
                    return
                await self._handle(connection, frame, gateway, language, name)
        except WebSocketDisconnect:
            return
        finally:
            peers = self._sockets.get(key)
            if peers is not None:
                peers.discard(connection)
                if not peers:
                    del self._sockets[key]

    def origin_allowed(self, websocket: WebSocket) -> bool:
        """The page that opened the socket is on an allowed origin: one configured
        (KEFU_ALLOWED_ORIGINS), or the app's own (the Host the socket came to: its /shop page).
        No Origin: refused (every browser sends one)."""
        origin = (websocket.headers.get("origin") or "").strip().rstrip("/").lower()
        if not origin:
            return False
        if origin in self.origins:
            return True
        host = (websocket.headers.get("host") or "").strip().lower()
        scheme = "https" if websocket.url.scheme == "wss" else "http"
        return bool(host) and origin == f"{scheme}://{host}"

    async def _hello(self, websocket: WebSocket) -> tuple[str, str | None, str | None] | None:
        try:
            frame = await asyncio.wait_for(_receive_frame(websocket), HELLO_TIMEOUT)
        except (TimeoutError, WebSocketDisconnect):
            return None
        if not frame or frame.get("type") != "hello":
            return None
        session_id = frame.get("session_id")
        if not isinstance(session_id, str) or not SESSION_ID.match(session_id):
            return None
        language = frame.get("language")
        name = frame.get("name")
        return (
            session_id,
            language if language in ("zh", "en") else None,
            name[:120] if isinstance(name, str) and name.strip() else None,
        )

    async def _handle(
        self,
        connection: Connection,
        frame: Frame,
        gateway: Gateway,
        language: str | None,
        name: str | None,
    ) -> None:
        kind = frame.get("type")
        text = frame.get("text") if kind == "message" else frame.get("title")
        payload = frame.get("payload") if kind == "button" else None
        if kind not in ("message", "button") or not isinstance(text, str):
            await connection.send({"type": "error", "code": "invalid"})
            return
        if payload is not None and (not isinstance(payload, str) or len(payload) > 500):
            await connection.send({"type": "error", "code": "invalid"})
            return
        if len(text) > MAX_TEXT:
            await connection.send({"type": "error", "code": "too_long"})
            return
        await self._within_limits(connection)
        inbound = Inbound(
            channel=Channel.WEB,
            external_id=connection.external_id,
            text=text,
            payload=payload,
            display_name=name,
            language_hint=language,
        )
        echoed = False

        async def echo(stored: StoredInbound) -> None:
            nonlocal echoed
            echoed = True
            frame = chat_message(
                message_id=stored.message_id,
                sender="customer",
                text=stored.body,
                created_at=stored.created_at,
            )
            for peer in self.connections(connection.external_id):
                await _quietly(peer.send_message(frame))

        # The turn runs to its end even if the browser goes away meanwhile (a reload while the
        # bot is thinking): the reply is stored and shows in the history.
        turn = asyncio.create_task(gateway.receive(inbound, on_stored=echo))
        self._turns.add(turn)
        turn.add_done_callback(self._turns.discard)
        try:
            await asyncio.shield(turn)
        except InvalidInput:
            await connection.send({"type": "error", "code": "invalid"})
        except Exception:
            log.exception("web chat: a message could not be stored")
            await connection.send({"type": "error", "code": "unavailable"})
        finally:
            if echoed:
                connection.new = False
                for peer in self.connections(connection.external_id):
                    await _quietly(peer.send({"type": "typing", "on": False}))

    async def _within_limits(self, connection: Connection) -> None:
        """Wait while the session writes too fast, or, for the first message of a new chat,
        while its address has started too many (the customer is told, in their language)."""

        async def tell(seconds: float) -> None:
            text = wait_notice(connection.language, seconds)
            await connection.send({"type": "wait", "retry_after": math.ceil(seconds), "text": text})

        if connection.new:
            await self.limits.wait(self.limits.new_sessions, connection.address, tell)
        await self.limits.wait(self.limits.messages, connection.external_id, tell)

    async def _send_history(self, connection: Connection) -> None:
        messages, state, agent_name, language = await asyncio.to_thread(
            self._history, connection.conversation_id
        )
        connection.new = language is None
        connection.language = connection.language or language
        for message in messages:
            connection.sent[message["id"]] = None
        connection.state = (state.value, agent_name)
        await connection.send(
            {
                "type": "history",
                "messages": messages,
                "state": state_frame(state, agent_name, None),
            }
        )

    def _history(
        self, conversation_id: str
    ) -> tuple[list[Frame], ConversationState, str | None, str | None]:
        """The conversation's messages, state, agent's name and language (None: no
        conversation yet)."""
        with self.factory() as session:
            conversation = session.get(Conversation, conversation_id)
            if conversation is None:
                return [], ConversationState.BOT, None, None
            messages = services.conversation_messages(session, conversation_id)
            agent = conversation.agent.display_name if conversation.agent else None
            frames = [message_frame(m) for m in messages]
            return frames, conversation.state, agent, conversation.language

    # --- catching up sockets whose messages another process delivered ------------------------

    async def sync_once(self) -> None:
        """Send each open socket what the store has and it has not seen (recent messages, and
        the conversation's state)."""
        conversation_ids = {
            c.conversation_id for peers in list(self._sockets.values()) for c in peers
        }
        if not conversation_ids:
            return
        messages, states = await asyncio.to_thread(self._recent, conversation_ids)
        for peers in list(self._sockets.values()):
            for connection in list(peers):
                for message in messages.get(connection.conversation_id, []):
                    await _quietly(connection.send_message(message))
                state = states.get(connection.conversation_id)
                if state is not None and connection.state != state:
                    await _quietly(connection.send_state(state[0], state[1], None))

    def _recent(
        self, conversation_ids: Iterable[str]
    ) -> tuple[dict[str, list[Frame]], dict[str, tuple[str, str | None]]]:
        since = self.clock() - SYNC_WINDOW
        ids = sorted(conversation_ids)
        with self.factory() as session:
            rows = session.scalars(
                select(Message)
                .where(
                    Message.conversation_id.in_(ids),
                    Message.kind.in_(services.CUSTOMER_VISIBLE),
                    Message.created_at >= since,
                )
                .options(selectinload(Message.author))
                .order_by(Message.id)
            ).all()
            messages: dict[str, list[Frame]] = {}
            for row in rows:
                messages.setdefault(row.conversation_id or "", []).append(message_frame(row))
            conversations = session.scalars(
                select(Conversation)
                .where(Conversation.id.in_(ids))
                .options(selectinload(Conversation.agent))
            ).all()
            states = {
                c.id: (c.state.value, c.agent.display_name if c.agent else None)
                for c in conversations
            }
            return messages, states

    async def finish_turns(self) -> None:
        """Wait for the turns still being answered (at shutdown)."""
        if self._turns:
            await asyncio.gather(*self._turns, return_exceptions=True)

    async def run_sync(self) -> None:
        """Catch sockets up until cancelled."""
        while True:
            await asyncio.sleep(self.sync_interval)
            try:
                await self.sync_once()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("web chat: catching sockets up failed")

    # --- HTTP: the widget and the demo shop ----------------------------------------------------

    def router(self) -> APIRouter:
        router = APIRouter(tags=["web chat"])

        @router.websocket("/ws/chat")
        async def chat_socket(websocket: WebSocket) -> None:
            await self.serve(websocket, websocket.app.state.gateway)

        @router.get("/widget.js", include_in_schema=False)
        def widget_js() -> Response:
            return _static("widget.js", "text/javascript; charset=utf-8")

        @router.get("/widget.css", include_in_schema=False)
        def widget_css() -> Response:
            return _static("widget.css", "text/css; charset=utf-8")

        @router.get("/shop", include_in_schema=False)
        def shop() -> Response:
            page = _static("shop.html", "text/html; charset=utf-8")
            page.headers["Content-Security-Policy"] = SHOP_CSP
            return page

        return router


class WebChatPlugin:
    """The web chat in the composed app: its sockets and static files, and the catch-up loop."""

    def __init__(self, context: ChannelContext) -> None:
        settings = context.settings
        self.webchat = WebChat(
            context.session_factory,
            secret=settings.secret(),
            limits=ChatLimits.from_settings(settings),
            origins=settings.allowed_origins,
            clock=context.clock,
        )
        self.background = context.background

    @property
    def adapter(self) -> WebChat:
        return self.webchat

    def install(self, app: FastAPI, gateway: Gateway) -> None:
        """`/ws/chat`, `/widget.js`, `/widget.css` and `/shop`; `app.state.webchat`."""
        app.state.webchat = self.webchat
        app.include_router(self.webchat.router())

    @asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """Catch sockets up from the store; at shutdown, finish the turns under way."""
        sync = (
            asyncio.create_task(self.webchat.run_sync(), name="webchat-sync")
            if self.background
            else None
        )
        try:
            yield
        finally:
            await self.webchat.finish_turns()
            if sync is not None:
                sync.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await sync


def _static(name: str, media_type: str) -> Response:
    # nosniff and the rest come with every response (ticketing/api/headers.py).
    return FileResponse(
        WEB_DIR / name, media_type=media_type, headers={"Cache-Control": "no-cache"}
    )


def _shop_csp() -> str:
    """The demo shop's policy: its inline script by hash, its inline styles, the widget and its
    socket from here, and the https images the bot may send; no framing."""
    page = (WEB_DIR / "shop.html").read_text(encoding="utf-8")
    scripts = re.findall(r"<script>(.*?)</script>", page, re.DOTALL)
    hashes = " ".join(
        f"'sha256-{base64.b64encode(hashlib.sha256(s.encode()).digest()).decode()}'"
        for s in scripts
    )
    return (
        f"default-src 'none'; script-src 'self' {hashes}; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data: https:; connect-src 'self'; frame-ancestors 'none'; "
        "base-uri 'none'; form-action 'none'"
    )


SHOP_CSP = _shop_csp()


def _agent(item: Outbound) -> str | None:
    name = item.payload.get("agent_name")
    return str(name) if name else None


async def _receive_frame(websocket: WebSocket) -> Frame | None:
    """The next JSON object from the browser; None when it has gone. Non-JSON is an empty
    object (answered with an error), and an oversized frame closes the socket."""
    message = await websocket.receive()
    if message["type"] == "websocket.disconnect":
        raise WebSocketDisconnect(message.get("code", 1000))
    text = message.get("text")
    if text is None:
        return {}
    if len(text) > MAX_FRAME:
        await websocket.close(code=1009)
        return None
    try:
        frame = json.loads(text)
    except ValueError:
        return {}
    return frame if isinstance(frame, dict) else {}


async def _quietly(send: Awaitable[object]) -> None:
    """A send to one socket that has just gone must not stop the others."""
    with contextlib.suppress(Exception):
        await send
