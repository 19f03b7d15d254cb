"""A small fake of the Telegram Bot API on a real localhost port, for python-telegram-bot's
`base_url`: it serves the methods PTB calls (getMe, getUpdates with long polling, sendMessage,
sendPhoto, sendChatAction, answerCallbackQuery, setWebhook, deleteWebhook), records every request,
and can fail a method on purpose."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

TOKEN = "123456789:TEST-fake-token_for-the-kefu-tests"
BOT_USER = {
    "id": 123456789,
    "is_bot": True,
    "first_name": "Kefu",
    "username": "kefu_test_bot",
    "can_join_groups": False,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}
# Parameters PTB sends JSON-encoded; the rest are plain strings.
JSON_PARAMETERS = {"reply_markup", "entities", "caption_entities", "allowed_updates"}


@dataclass
class ApiCall:
    method: str
    params: dict[str, Any]
    status: int  # what the fake answered


@dataclass
class Failure:
    status: int
    times: int
    description: str
    parameters: dict[str, Any] | None = None


@dataclass
class FakeTelegram:
    """The Bot API for one bot (`TOKEN`); `base_url` goes to `Settings.telegram_base_url`."""

    token: str = TOKEN
    calls: list[ApiCall] = field(default_factory=list)
    _updates: list[dict[str, Any]] = field(default_factory=list)
    _failures: dict[str, Failure] = field(default_factory=dict)
    _next_update_id: int = 1000
    _next_message_id: int = 1
    _changed: threading.Condition = field(default_factory=threading.Condition)
    _server: ThreadingHTTPServer | None = None
    _stopping: bool = False

    @property
    def base_url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_port}/bot"

    # --- what customers do ---------------------------------------------------------------------

    def user(self, chat_id: int, language_code: str | None, first_name: str) -> dict[str, Any]:
        user: dict[str, Any] = {"id": chat_id, "is_bot": False, "first_name": first_name}
        if language_code:
            user["language_code"] = language_code
        return user

    def message_update(
        self,
        chat_id: int,
        text: str,
        *,
        language_code: str | None = "zh-hans",
        first_name: str = "小明",
        chat_type: str = "private",
    ) -> dict[str, Any]:
        """An update with a message the customer wrote (not queued: see `send`)."""
        message: dict[str, Any] = {
            "message_id": self._message_id(),
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": chat_type, "first_name": first_name},
            "from": self.user(chat_id, language_code, first_name),
            "text": text,
        }
        if text.startswith("/"):
            command = text.split()[0]
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        return {"update_id": self._update_id(), "message": message}

    def send(self, chat_id: int, text: str, **kwargs: Any) -> dict[str, Any]:
        """The customer writes `text` (a command if it starts with "/"): queued for getUpdates."""
        return self.queue(self.message_update(chat_id, text, **kwargs))

    def press(
        self, chat_id: int, title: str, *, language_code: str | None = "zh-hans"
    ) -> dict[str, Any]:
        """The customer presses the button titled `title` on the last message showing it."""
        for call in reversed(self.sent(chat_id)):
            keyboard = (call.params.get("reply_markup") or {}).get("inline_keyboard") or []
            for row in keyboard:
                for button in row:
                    if button["text"] == title:
                        return self.queue(
                            {
                                "update_id": self._update_id(),
                                "callback_query": {
                                    "id": f"cq{self._update_id()}",
                                    "from": self.user(chat_id, language_code, "小明"),
                                    "chat_instance": f"ci{chat_id}",
                                    "data": button["callback_data"],
                                    "message": self._sent_message(call),
                                },
                            }
                        )
        raise AssertionError(f"no button {title!r} was sent to chat {chat_id}")

    def queue(self, update: dict[str, Any]) -> dict[str, Any]:
        with self._changed:
            self._updates.append(update)
            self._changed.notify_all()
        return update

    # --- what the bot did ----------------------------------------------------------------------

    def requests(self, method: str) -> list[ApiCall]:
        return [c for c in self.calls if c.method == method]

    def sent(self, chat_id: int | None = None) -> list[ApiCall]:
        """Messages and photos Telegram accepted, in order."""
        return [
            c
            for c in self.calls
            if c.method in ("sendMessage", "sendPhoto")
            and c.status == 200
            and (chat_id is None or int(c.params["chat_id"]) == chat_id)
        ]

    def texts(self, chat_id: int | None = None) -> list[str]:
        return [str(c.params.get("text", "")) for c in self.sent(chat_id)]

    def wait(self, method: str, count: int = 1, timeout: float = 10.0) -> list[ApiCall]:
        """Block until `count` successful `method` requests were made (or fail)."""

        def done() -> bool:
            return len([c for c in self.requests(method) if c.status == 200]) >= count

        with self._changed:
            if not self._changed.wait_for(done, timeout):
                seen = [(c.method, c.status) for c in self.calls]
                raise AssertionError(f"waited {timeout}s for {count} {method}; saw {seen}")
        return [c for c in self.requests(method) if c.status == 200]

    def fail(
        self,
        method: str,
        status: int = 502,
        *,
        times: int = 1,
        description: str = "Bad Gateway",
        parameters: dict[str, Any] | None = None,
    ) -> None:
        """Answer the next `times` calls of `method` with an error."""
        self._failures[method] = Failure(status, times, description, parameters)

    # --- the server ----------------------------------------------------------------------------

    def start(self) -> None:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as PTB's httpx client expects

            def do_POST(self) -> None:
                prefix = f"/bot{fake.token}/"
                if not self.path.startswith(prefix):
                    self._read()
                    self._send(404, {"ok": False, "error_code": 404, "description": "Not Found"})
                    return
                method = self.path[len(prefix) :]
                params = self._read()
                status, body = fake._answer(method, params)
                with fake._changed:
                    fake.calls.append(ApiCall(method, params, status))
                    fake._changed.notify_all()
                self._send(status, body)

            def _read(self) -> dict[str, Any]:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length).decode() if length else ""
                if self.headers.get("Content-Type", "").startswith("application/json"):
                    data: dict[str, Any] = json.loads(raw or "{}")
                    return data
                return {
                    key: json.loads(value) if key in JSON_PARAMETERS else value
                    for key, value in parse_qsl(raw, keep_blank_values=True)
                }

            def _send(self, status: int, data: Any) -> None:
                raw = json.dumps(data, ensure_ascii=False).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(raw)))
                    self.end_headers()
                    self.wfile.write(raw)
                except (BrokenPipeError, ConnectionResetError):
                    # PTB gave up on a long poll (it is stopping): nobody is listening.
                    self.close_connection = True

            def log_message(self, format: str, *args: Any) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        self._server = server
        threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()

    def stop(self) -> None:
        with self._changed:
            self._stopping = True
            self._changed.notify_all()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def _answer(self, method: str, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        failure = self._failures.get(method)
        if failure is not None and failure.times > 0:
            failure.times -= 1
            body: dict[str, Any] = {
                "ok": False,
                "error_code": failure.status,
                "description": failure.description,
            }
            if failure.parameters:
                body["parameters"] = failure.parameters
            return failure.status, body
        if method == "getUpdates":
            return 200, {"ok": True, "result": self._get_updates(params)}
        if method == "getMe":
            return 200, {"ok": True, "result": BOT_USER}
        if method in ("sendMessage", "sendPhoto"):
            return 200, {"ok": True, "result": self._message(method, params)}
        if method in (
            "sendChatAction",
            "answerCallbackQuery",
            "setWebhook",
            "deleteWebhook",
            "editMessageReplyMarkup",
        ):
            return 200, {"ok": True, "result": True}
        return 404, {"ok": False, "error_code": 404, "description": "Not Found: method"}

    def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        timeout = float(params.get("timeout") or 0)

        def pending() -> list[dict[str, Any]]:
            return [u for u in self._updates if u["update_id"] >= offset]

        with self._changed:
            # As Telegram does: an offset confirms (and forgets) every update before it.
            self._updates = pending()
            self._changed.wait_for(lambda: bool(pending()) or self._stopping, timeout)
            return pending()

    def _message(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = int(params["chat_id"])
        message: dict[str, Any] = {
            "message_id": self._message_id(),
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private", "first_name": "小明"},
            "from": BOT_USER,
        }
        if method == "sendPhoto":
            message["photo"] = [
                {"file_id": "photo1", "file_unique_id": "u1", "width": 1, "height": 1}
            ]
        else:
            message["text"] = params.get("text", "")
        if params.get("reply_markup"):
            message["reply_markup"] = params["reply_markup"]
        return message

    def _sent_message(self, call: ApiCall) -> dict[str, Any]:
        return self._message(call.method, call.params)

    def _update_id(self) -> int:
        self._next_update_id += 1
        return self._next_update_id

    def _message_id(self) -> int:
        self._next_message_id += 1
        return self._next_message_id
