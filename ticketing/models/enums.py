"""The values a ticket-store column can take, and the groups of them the code reasons about."""

from __future__ import annotations

import enum


class Role(enum.StrEnum):
    AGENT = "agent"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"


class Tier(enum.StrEnum):
    REGULAR = "regular"
    SILVER = "silver"
    GOLD = "gold"
    KEY_ACCOUNT = "key_account"


class Lifecycle(enum.StrEnum):
    """Lifecycle stages of the source documents: potential, new, mature, declining, churned."""

    POTENTIAL = "potential"
    NEW = "new"
    MATURE = "mature"
    DECLINING = "declining"
    CHURNED = "churned"


class IdentityKind(enum.StrEnum):
    WEB = "web"
    TELEGRAM = "telegram"
    PHONE = "phone"
    EMAIL = "email"


class Category(enum.StrEnum):
    """The five complaint types of the source documents, plus delivery and other."""

    PRODUCT_QUALITY = "product_quality"
    SERVICE = "service"
    DELIVERY = "delivery"
    PRICE = "price"
    CONTRACT = "contract"
    POLICY = "policy"
    OTHER = "other"


class Severity(enum.StrEnum):
    GENERAL = "general"
    MAJOR = "major"


class Priority(enum.StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


PRIORITY_ORDER = [Priority.LOW, Priority.NORMAL, Priority.HIGH, Priority.URGENT]


class Status(enum.StrEnum):
    NEW = "new"
    OPEN = "open"
    PENDING = "pending"  # waiting on the customer: the SLA clock is paused
    RESOLVED = "resolved"
    CLOSED = "closed"


# Not yet resolved: a ticket in one of these still needs work (queues, backlog, open chats).
OPEN_STATUSES: tuple[Status, ...] = (Status.NEW, Status.OPEN, Status.PENDING)


class Channel(enum.StrEnum):
    WEB = "web"
    TELEGRAM = "telegram"
    PHONE = "phone"
    EMAIL = "email"
    API = "api"


class ActorKind(enum.StrEnum):
    CUSTOMER = "customer"
    AGENT = "agent"
    BOT = "bot"
    SYSTEM = "system"


class MessageKind(enum.StrEnum):
    CUSTOMER = "customer"
    AGENT = "agent"
    BOT = "bot"
    NOTE = "note"  # internal: never shown to the customer


class EventKind(enum.StrEnum):
    CREATED = "created"
    TRIAGED = "triaged"
    STATUS_CHANGED = "status_changed"
    ASSIGNED = "assigned"
    CLAIMED = "claimed"
    MESSAGE = "message"
    NOTE = "note"
    PRIORITY_CHANGED = "priority_changed"
    SLA = "sla"  # warnings, breaches, pauses and resumptions of the SLA clock


class ConversationState(enum.StrEnum):
    BOT = "bot"  # the assistant answers
    QUEUED = "queued"  # handed off, waiting for an agent: the bot stays silent
    AGENT = "agent"  # an agent has joined


class OutboxStatus(enum.StrEnum):
    PENDING = "pending"
    SENDING = "sending"  # claimed by one deliverer until `lease_until`
    SENT = "sent"
    FAILED = "failed"  # gave up after the last retry


class OutboxKind(enum.StrEnum):
    """What an outbox row asks for; bot/gateway/outbox.py delivers each kind (payloads below)."""

    # To the customer: {"text", "sender": "bot"|"agent", "message_id", "author_name", "buttons":
    # [{"title", "payload"}], "image"}
    TEXT = "text"
    # A change the customer's channel shows: {"event": "queued"}, {"event": "agent_joined",
    # "agent_name"}, {"event": "handed_back"}
    EVENT = "event"
    # Rasa's external intent (follow-up survey): {"intent", "entities"}; the bot's replies follow
    TRIGGER_INTENT = "trigger_intent"
    # Hand back to the bot: Rasa gets `resume` then `action_listen`, then the state goes to bot
    RASA_RESUME = "rasa_resume"


class SlaMetric(enum.StrEnum):
    FIRST_RESPONSE = "first_response"
    NEXT_RESPONSE = "next_response"
    RESOLUTION = "resolution"


class SlaEventKind(enum.StrEnum):
    WARNING = "warning"
    BREACH = "breach"


class NotificationKind(enum.StrEnum):
    SLA_WARNING = "sla_warning"
    SLA_BREACH = "sla_breach"
    LOW_SCORE = "low_score"
    CALLBACK = "callback"


class FollowUpStatus(enum.StrEnum):
    SCHEDULED = "scheduled"
    SURVEY_SENT = "survey_sent"  # the bot asked; waiting for the answer
    ANSWERED = "answered"  # the customer answered the survey
    CALLBACK = "callback"  # handed to an agent as a call-back task
    DONE = "done"  # the call-back was made
    CANCELLED = "cancelled"  # the ticket was reopened before the visit


class CallbackReason(enum.StrEnum):
    UNREACHABLE = "unreachable"  # no chat channel reaches the customer
    NO_ANSWER = "no_answer"  # the survey went unanswered
    CARE_VISIT = "care_visit"  # a periodic key-account care visit


class CallbackStatus(enum.StrEnum):
    OPEN = "open"
    DONE = "done"


class CallbackOutcome(enum.StrEnum):
    REACHED = "reached"
    NO_ANSWER = "no_answer"
    WRONG_NUMBER = "wrong_number"
    DECLINED = "declined"
