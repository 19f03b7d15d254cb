"""The ticket store: SQLAlchemy 2 typed models for customers, tickets, history, messages and SLA.

One module per topic; importing the package maps every table on `Base.metadata` (Alembic and
`create_all` read it from here), and `from ticketing.models import X` reaches every name.
"""

from ticketing.models.audit import AuditEntry
from ticketing.models.base import Base, UTCDateTime
from ticketing.models.canned import CannedReply
from ticketing.models.conversations import Conversation, OutboxMessage, ReceivedUpdate
from ticketing.models.digests import WeeklyDigest
from ticketing.models.enums import (
    OPEN_STATUSES,
    PRIORITY_ORDER,
    ActorKind,
    CallbackOutcome,
    CallbackReason,
    CallbackStatus,
    Category,
    Channel,
    ConversationState,
    EventKind,
    FollowUpStatus,
    IdentityKind,
    Lifecycle,
    MessageKind,
    NotificationKind,
    OutboxKind,
    OutboxStatus,
    Priority,
    Role,
    Severity,
    SlaEventKind,
    SlaMetric,
    Status,
    Tier,
)
from ticketing.models.follow_ups import CallbackTask, FollowUp, SurveyResponse
from ticketing.models.heartbeats import WorkerHeartbeat
from ticketing.models.knowledge import (
    ArticleStatus,
    GroupStatus,
    KnowledgeArticle,
    UnansweredGroup,
    UnansweredQuestion,
)
from ticketing.models.people import Customer, CustomerIdentity, Team, TeamRoute, User
from ticketing.models.policies import BusinessCalendar, SlaPolicy, SlaRecompute
from ticketing.models.presence import AgentPresence
from ticketing.models.report_rollups import (
    FollowUpDay,
    ReportRollupMark,
    SlaAgentDay,
    SlaDayTime,
    SlaDayTotal,
    SurveyDay,
    TicketDay,
)
from ticketing.models.sla_events import Notification, SlaEvent, SlaVerdict
from ticketing.models.tickets import (
    TICKET_NUMBER,
    Message,
    Ticket,
    TicketEvent,
    TicketTag,
    format_ticket_number,
    parse_ticket_number,
)
from ticketing.models.viewers import TicketViewer

__all__ = [
    "OPEN_STATUSES",
    "PRIORITY_ORDER",
    "TICKET_NUMBER",
    "ActorKind",
    "AgentPresence",
    "ArticleStatus",
    "AuditEntry",
    "Base",
    "BusinessCalendar",
    "CallbackOutcome",
    "CallbackReason",
    "CallbackStatus",
    "CallbackTask",
    "CannedReply",
    "Category",
    "Channel",
    "Conversation",
    "ConversationState",
    "Customer",
    "CustomerIdentity",
    "EventKind",
    "FollowUp",
    "FollowUpDay",
    "FollowUpStatus",
    "GroupStatus",
    "IdentityKind",
    "KnowledgeArticle",
    "Lifecycle",
    "Message",
    "MessageKind",
    "Notification",
    "NotificationKind",
    "OutboxKind",
    "OutboxMessage",
    "OutboxStatus",
    "Priority",
    "ReceivedUpdate",
    "ReportRollupMark",
    "Role",
    "Severity",
    "SlaAgentDay",
    "SlaDayTime",
    "SlaDayTotal",
    "SlaEvent",
    "SlaEventKind",
    "SlaMetric",
    "SlaPolicy",
    "SlaRecompute",
    "SlaVerdict",
    "Status",
    "SurveyDay",
    "SurveyResponse",
    "Team",
    "TeamRoute",
    "Ticket",
    "TicketDay",
    "TicketEvent",
    "TicketTag",
    "TicketViewer",
    "Tier",
    "UTCDateTime",
    "UnansweredGroup",
    "UnansweredQuestion",
    "User",
    "WeeklyDigest",
    "WorkerHeartbeat",
    "format_ticket_number",
    "parse_ticket_number",
]
