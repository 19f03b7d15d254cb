"""Canned replies (快捷回复): who may use and manage which, placeholders, and filling them in.

A reply belongs to a team (shared: supervisors and admins manage it, the team's agents use it) or
to one desk user (their own). Its text may name placeholders in braces, filled from the ticket
when the reply is inserted: {customer_name}, {ticket_number}, {order_number}, {agent_name} and
{promised_time} (the ticket's next SLA deadline, in its calendar's time zone). `{{` and `}}`
write a brace.
"""

from __future__ import annotations

import string
from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, false, or_, select
from sqlalchemy.orm import Session

from ticketing.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from ticketing.models import CannedReply, Team, Ticket, User
from ticketing.services.access import is_supervisor
from ticketing.services.queries import escape_like
from ticketing.services.validation import text_field

TITLE_MAX = 80
BODY_MAX = 4_000
PLACEHOLDERS = ("customer_name", "ticket_number", "order_number", "agent_name", "promised_time")
DEFAULT_ZONE = "Asia/Shanghai"
# What a placeholder becomes when the ticket has nothing for it, per language.
_MISSING = {
    "zh": {"customer_name": "您", "order_number": "（无订单号）", "promised_time": "尽快"},
    "en": {
        "customer_name": "there",
        "order_number": "(no order number)",
        "promised_time": "as soon as we can",
    },
}


@dataclass(frozen=True)
class CannedText:
    title: str
    body_zh: str
    body_en: str


def _placeholders(text: str, field_name: str) -> None:
    try:
        fields = [(n, s, c) for _, n, s, c in string.Formatter().parse(text) if n is not None]
    except ValueError as exc:
        raise InvalidInput(
            f"{field_name}: a lone brace; write {{{{ or }}}} for a brace", field=field_name
        ) from exc
    for name, spec, conversion in fields:
        # No format specs or conversions: {customer_name:>99999} would be a memory bomb.
        if name not in PLACEHOLDERS or spec or conversion:
            known = ", ".join("{" + p + "}" for p in PLACEHOLDERS)
            raise InvalidInput(
                f"{field_name}: unknown placeholder {{{name}}}; use {known}", field=field_name
            )


def validated(title: str, body_zh: str, body_en: str) -> CannedText:
    """The reply's text checked: a title, text in at least one language, known placeholders."""
    text = CannedText(
        title=text_field(title, "title", max_len=TITLE_MAX),
        body_zh=text_field(body_zh, "body_zh", max_len=BODY_MAX, required=False),
        body_en=text_field(body_en, "body_en", max_len=BODY_MAX, required=False),
    )
    if not text.body_zh and not text.body_en:
        raise InvalidInput("write the reply in Chinese, English or both", field="body_zh")
    _placeholders(text.body_zh, "body_zh")
    _placeholders(text.body_en, "body_en")
    return text


def usable_by(user: User) -> ColumnElement[bool]:
    """The replies `user` may insert: their own, and their team's (every team's for
    supervisors and admins, who manage them)."""
    own = CannedReply.owner_id == user.id
    if is_supervisor(user):
        return or_(own, CannedReply.team_id.is_not(None))
    team = CannedReply.team_id == user.team_id if user.team_id is not None else false()
    return or_(own, team)


def may_manage(user: User, reply: CannedReply) -> bool:
    return reply.owner_id == user.id or (reply.team_id is not None and is_supervisor(user))


def list_replies(
    session: Session, user: User, *, q: str = "", team_id: int | None = None
) -> Sequence[CannedReply]:
    """Replies `user` may use, titles first matching `q`; `team_id` narrows team replies to one
    team (the ticket's) and keeps the user's own."""
    stmt = select(CannedReply).where(usable_by(user))
    if team_id is not None:
        stmt = stmt.where(or_(CannedReply.owner_id == user.id, CannedReply.team_id == team_id))
    for word in q.split():
        pattern = f"%{escape_like(word)}%"
        stmt = stmt.where(
            or_(
                CannedReply.title.ilike(pattern, escape="\\"),
                CannedReply.body_zh.ilike(pattern, escape="\\"),
                CannedReply.body_en.ilike(pattern, escape="\\"),
            )
        )
    return session.scalars(stmt.order_by(CannedReply.title, CannedReply.id).limit(200)).all()


def get_reply(session: Session, user: User, reply_id: int) -> CannedReply:
    reply = session.get(CannedReply, reply_id)
    if reply is None or not (reply.owner_id == user.id or _team_visible(user, reply)):
        raise NotFound(f"no canned reply {reply_id}")
    return reply


def _team_visible(user: User, reply: CannedReply) -> bool:
    if reply.team_id is None:
        return False
    return is_supervisor(user) or reply.team_id == user.team_id


def create_reply(
    session: Session, user: User, text: CannedText, *, team: Team | None = None
) -> CannedReply:
    """A personal reply, or with `team` a team's shared one (supervisors and admins only)."""
    if team is not None and not is_supervisor(user):
        raise PermissionDenied("only supervisors and admins manage a team's replies")
    reply = CannedReply(
        title=text.title,
        body_zh=text.body_zh,
        body_en=text.body_en,
        team_id=team.id if team else None,
        owner_id=None if team else user.id,
        updated_by_id=user.id,
    )
    session.add(reply)
    session.flush()
    return reply


def update_reply(
    session: Session, user: User, reply: CannedReply, text: CannedText, *, version: int
) -> CannedReply:
    """Change a reply's text; `version` is the one the editor saw (409 when it moved on)."""
    if not may_manage(user, reply):
        raise PermissionDenied("only supervisors and admins manage a team's replies")
    if version != reply.version:
        raise Conflict("someone else changed this reply; reload it", field="version")
    reply.title, reply.body_zh, reply.body_en = text.title, text.body_zh, text.body_en
    reply.updated_by_id = user.id
    session.flush()
    return reply


def delete_reply(session: Session, user: User, reply: CannedReply) -> None:
    if not may_manage(user, reply):
        raise PermissionDenied("only supervisors and admins manage a team's replies")
    session.delete(reply)
    session.flush()


def _promised(ticket: Ticket, language: str) -> str | None:
    due = ticket.next_deadline_at or ticket.resolution_due_at
    if due is None:
        return None
    calendar = ticket.sla_policy.calendar if ticket.sla_policy else None
    local = due.astimezone(ZoneInfo(calendar.timezone if calendar else DEFAULT_ZONE))
    if language == "zh":
        return f"{local.month}月{local.day}日 {local:%H:%M}"
    return f"{local.day} {local:%b %H:%M}"


def fill(reply: CannedReply, ticket: Ticket, agent: User) -> str:
    """The reply's text in the ticket's language (the other one when that is empty), with the
    placeholders filled from `ticket` and `agent`."""
    language = "en" if ticket.language.startswith("en") else "zh"
    body = reply.body_en if language == "en" else reply.body_zh
    if not body:
        body = reply.body_zh or reply.body_en
    missing = _MISSING[language]
    values = {
        "customer_name": ticket.customer.name if ticket.customer else None,
        "ticket_number": ticket.number,
        "order_number": ticket.order_number,
        "agent_name": agent.display_name,
        "promised_time": _promised(ticket, language),
    }
    return body.format(**{k: v or missing.get(k, "") for k, v in values.items()})
