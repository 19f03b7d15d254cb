"""The console's work lists: notifications, call-back tasks and the escalation queue.

The agents' console pages are not built yet; these JSON endpoints are what they will show.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from ticketing import callbacks, notifications
from ticketing.api import errors
from ticketing.api.deps import CurrentUser, SessionDep
from ticketing.api.schemas import Id, PlainText
from ticketing.clock import utcnow
from ticketing.errors import PermissionDenied
from ticketing.models import (
    CallbackOutcome,
    CallbackReason,
    CallbackStatus,
    NotificationKind,
    Priority,
    Role,
    format_ticket_number,
)
from ticketing.sla import escalations

router = APIRouter(
    prefix="/api", tags=["work lists"], responses=errors.documented(401, 403, 404, 409, 413, 503)
)


class NotificationPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: NotificationKind
    ticket_id: int | None
    customer_id: int | None
    data: dict[str, Any]
    created_at: datetime
    read_at: datetime | None


class NotificationsPublic(BaseModel):
    data: list[NotificationPublic]
    count: int


class NotificationsRead(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ids: list[Id] = Field(max_length=500)


class ReadCount(BaseModel):
    updated: int


class CallbackPublic(BaseModel):
    id: int
    reason: CallbackReason
    status: CallbackStatus
    customer_id: int | None
    customer_name: str | None
    phone: str | None
    ticket: str | None
    team_id: int | None
    language: str
    summary: str
    script: str
    due_at: datetime
    outcome: CallbackOutcome | None
    outcome_note: str
    completed_at: datetime | None


class CallbacksPublic(BaseModel):
    data: list[CallbackPublic]
    count: int


class CallbackOutcomeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    outcome: CallbackOutcome
    note: Annotated[str, PlainText] = Field(default="", max_length=2000)
    csat: int | None = Field(default=None, ge=1, le=5)
    nps: int | None = Field(default=None, ge=0, le=10)


class EscalatedTicket(BaseModel):
    number: str
    subject: str
    priority: Priority
    team_id: int | None
    escalated_at: datetime


class EscalationsPublic(BaseModel):
    data: list[EscalatedTicket]
    count: int


def _callback(view: callbacks.CallbackView) -> CallbackPublic:
    task = view.task
    return CallbackPublic(
        id=task.id,
        reason=task.reason,
        status=task.status,
        customer_id=task.customer_id,
        customer_name=task.customer.name if task.customer else None,
        phone=view.phone,
        ticket=format_ticket_number(task.ticket_id) if task.ticket_id is not None else None,
        team_id=task.team_id,
        language=task.language,
        summary=task.summary,
        script=task.script,
        due_at=task.due_at,
        outcome=task.outcome,
        outcome_note=task.outcome_note,
        completed_at=task.completed_at,
    )


@router.get("/notifications")
def list_notifications(
    session: SessionDep,
    user: CurrentUser,
    unread: bool = False,
    before_id: Id | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> NotificationsPublic:
    """The signed-in user's notifications, newest first (page on with `before_id`)."""
    rows = notifications.list_notifications(
        session, user, unread_only=unread, before_id=before_id, limit=limit
    )
    return NotificationsPublic(
        data=[NotificationPublic.model_validate(r) for r in rows], count=len(rows)
    )


@router.post("/notifications/read")
def read_notifications(
    session: SessionDep, user: CurrentUser, body: NotificationsRead
) -> ReadCount:
    """Mark some of your notifications read."""
    return ReadCount(updated=notifications.mark_read(session, user, body.ids, utcnow()))


@router.get("/callbacks")
def list_callbacks(
    session: SessionDep,
    user: CurrentUser,
    status: CallbackStatus = CallbackStatus.OPEN,
    limit: Annotated[int, Query(ge=1, le=200)] = 100,
) -> CallbacksPublic:
    """Call-backs to make: your team's and unrouted ones (all, for supervisors)."""
    views = callbacks.list_callbacks(session, user, status=status, limit=limit)
    return CallbacksPublic(data=[_callback(v) for v in views], count=len(views))


@router.post("/callbacks/{task_id}/outcome")
def record_callback_outcome(
    session: SessionDep, user: CurrentUser, task_id: Id, body: CallbackOutcomeIn
) -> CallbackPublic:
    """Record how the call went; scores given on the call count as the survey's."""
    task = callbacks.get_callback(session, user, task_id)
    callbacks.record_outcome(
        session,
        task,
        user,
        body.outcome,
        note=body.note,
        csat=body.csat,
        nps=body.nps,
        at=utcnow(),
    )
    session.flush()
    return _callback(
        callbacks.CallbackView(
            task, callbacks.phone_of(session, task.customer_id) if task.customer_id else None
        )
    )


@router.get("/escalations")
def list_escalations(
    session: SessionDep, user: CurrentUser, team_id: Id | None = None
) -> EscalationsPublic:
    """A team's escalation queue (default: your own team): breached tickets nobody holds."""
    if user.role is Role.AGENT:
        if team_id is not None and team_id != user.team_id:
            raise PermissionDenied("agents see their own team's queue")
        team_id = user.team_id
    tickets = escalations.escalation_queue(session, team_id)
    data = [
        EscalatedTicket(
            number=t.number,
            subject=t.subject,
            priority=t.priority,
            team_id=t.team_id,
            escalated_at=t.escalated_at,
        )
        for t in tickets
        if t.escalated_at is not None
    ]
    return EscalationsPublic(data=data, count=len(data))
