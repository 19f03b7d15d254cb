"""What Kefu says on Telegram besides the conversation, and how text and buttons fit Telegram.

The greeting (/start) and the short notices (only text is understood, a message not received, a
button expired) answer the update itself and are sent at once: they are no part of the
conversation, and a customer whose notice was lost just writes again.

Buttons are inline keyboards. Telegram's `callback_data` holds at most 64 bytes: a payload that
fits is sent as it is; a longer one (Rasa's `/inform{"complaint_category": ...}`) is sent as
`#` + a hash of it, and a press is resolved against the buttons of the conversation's recent bot
messages, which the store keeps anyway. Nothing new to store, nothing to expire, and a hash is
the same in every process.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.gateway.channels.base import Button
from ticketing.models import Message, MessageKind

MAX_TEXT = 4096  # Telegram's limit for one message, in UTF-16 code units
CALLBACK_DATA_MAX = 64  # bytes
HASHED = "#"
RECENT_BOT_MESSAGES = 50  # where a hashed button press is looked for

GREETING = {
    "zh": "您好！我是客服助手，可以帮您查询订单、处理退换货和投诉。请直接输入您的问题；"
    "需要人工客服时发送 /human 。",
    "en": "Hello! I'm the customer-service assistant: I can help with orders, returns and "
    "complaints. Just type your question; send /human to talk to a member of our team.",
}
# What /human stores as the customer's words (the payload goes to the bot).
HUMAN_REQUEST = {"zh": "转人工客服", "en": "I'd like to talk to a human"}
TEXT_ONLY = {
    "zh": "抱歉，目前只能处理文字消息，请用文字描述您的问题。",
    "en": "Sorry, I can only read text messages for now. Please describe your question in words.",
}
NOT_RECEIVED = {
    "zh": "抱歉，您的消息暂时无法接收，请稍后再发一次。",
    "en": "Sorry, we couldn't take your message just now. Please send it again in a moment.",
}
# A message the store refuses (services/validation.py: control characters, too long): the same
# text sent again would be refused again, so the customer is asked to change it.
NOT_ACCEPTED = {
    "zh": "抱歉，这条消息无法接收：请去掉其中的特殊字符（或缩短一些）后重新发送。",
    "en": "Sorry, we can't accept that message: please remove any special characters "
    "(or shorten it) and send it again.",
}
BUTTON_EXPIRED = {
    "zh": "这个按钮已失效，请直接输入。",
    "en": "This button has expired: please type.",
}
EVENTS = {
    "queued": {
        "zh": "⏳ 正在为您转接人工客服，请稍候，客服会在这里回复您。",
        "en": "⏳ You're in the queue for a member of our team; they'll reply here shortly.",
    },
    "agent_joined": {
        "zh": "👤 客服{name}已加入对话。",
        "en": "👤 {name} from our team has joined the conversation.",
    },
    "agent_joined_unnamed": {
        "zh": "👤 人工客服已加入对话。",
        "en": "👤 A member of our team has joined the conversation.",
    },
    "handed_back": {
        "zh": "🤖 人工服务已结束，智能助手继续为您服务。",
        "en": "🤖 You're back with the assistant. How else can I help?",
    },
}


def callback_data_for(payload: str) -> str:
    """What a button carries to Telegram and back: the payload itself when it fits in 64 bytes,
    else `#` and a hash of it (see the module doc)."""
    size = len(payload.encode())
    if 0 < size <= CALLBACK_DATA_MAX and not payload.startswith(HASHED):
        return payload
    digest = hashlib.sha256(payload.encode()).digest()[:24]
    return HASHED + base64.urlsafe_b64encode(digest).decode()


def keyboard_for(buttons: Sequence[Button]) -> InlineKeyboardMarkup | None:
    """One button a row: titles are whole phrases, in Chinese or English."""
    if not buttons:
        return None
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    b["title"] or b["payload"], callback_data=callback_data_for(b["payload"])
                )
            ]
            for b in buttons
        ]
    )


def find_payload(
    factory: sessionmaker[Session], conversation_id: str, callback_data: str
) -> str | None:
    """The payload behind a hashed button, from the conversation's recent bot messages."""
    with factory() as session:
        rows = session.scalars(
            select(Message.data)
            .where(Message.conversation_id == conversation_id, Message.kind == MessageKind.BOT)
            .order_by(Message.id.desc())
            .limit(RECENT_BOT_MESSAGES)
        )
        for data in rows:
            for button in (data or {}).get("buttons") or []:
                payload = str(button.get("payload", ""))
                if callback_data_for(payload) == callback_data:
                    return payload
    return None


# --- text ----------------------------------------------------------------------------------------


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Pieces of at most `limit` UTF-16 code units (how Telegram counts), cut at a line break
    when there is one in the second half of a piece."""
    parts: list[str] = []
    while utf16_len(text) > limit:
        size, cut = 0, 0
        for index, char in enumerate(text):
            size += 2 if ord(char) > 0xFFFF else 1
            if size > limit:
                cut = index
                break
        newline = text.rfind("\n", cut // 2, cut)
        if newline > 0:
            cut = newline + 1
        parts.append(text[:cut])
        text = text[cut:]
    if text or not parts:
        parts.append(text)
    return parts


def event_text(event: str | None, language: str, agent_name: str | None) -> str | None:
    """A conversation event as the customer reads it; None for one they need not see."""
    if event == "agent_joined" and not agent_name:
        event = "agent_joined_unnamed"
    texts = EVENTS.get(event or "")
    if texts is None:
        return None
    return texts.get(language, texts["zh"]).format(name=agent_name or "")
