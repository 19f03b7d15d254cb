"""Chats for the console's tests: a web chat the bot answered, handed off to team A."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from tests.api.helpers import Desk, stored
from ticketing import services
from ticketing.models import Channel, Conversation, Ticket, User

SESSION = "c0ffee0123456789c0ffee0123456789"


def chat(
    session_factory: sessionmaker[Session], desk: Desk, *texts: str, session_id: str = SESSION
) -> Ticket:
    """A web chat with the bot answering each text, then handed off to team A."""

    def build(session: Session) -> Ticket:
        for text in texts:
            record = services.record_inbound_message(session, Channel.WEB, session_id, text)
            services.record_bot_reply(
                session, record.conversation, "机器人回答", buttons=[{"title": "转人工"}]
            )
        conversation = session.get_one(Conversation, f"web:{session_id}")
        ticket = services.hand_off_conversation(
            session, conversation, services.Actor.bot(), reason="request"
        )
        ticket.team_id = desk.team_a.id
        return ticket

    return stored(session_factory, build)


def claimed_by(session_factory: sessionmaker[Session], ticket: Ticket, user: User) -> None:
    stored(
        session_factory,
        lambda s: services.claim_ticket(s, s.get_one(Ticket, ticket.id), s.get_one(User, user.id)),
    )
