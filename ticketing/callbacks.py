"""Call-back tasks in the agents' console: the list to work through, and recording a call."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session, selectinload

from ticketing import services
from ticketing.errors import Conflict, NotFound
from ticketing.models import (
    CallbackOutcome,
    CallbackStatus,
    CallbackTask,
    Customer,
    CustomerIdentity,
    FollowUp,
    FollowUpStatus,
    IdentityKind,
    User,
)


@dataclass
class CallbackView:
    """A task with what the agent needs on the phone (the number is read, never copied)."""

    task: CallbackTask
    phone: str | None


def visible_to(user: User) -> ColumnElement[bool]:
    """The call-back tasks `user` may see: their team's and unrouted ones; all for
    supervisors and admins."""
    if services.is_supervisor(user):
        return CallbackTask.id.is_not(None)
    return or_(CallbackTask.team_id.is_(None), CallbackTask.team_id == user.team_id)


def list_callbacks(
    session: Session,
    user: User,
    *,
    status: CallbackStatus = CallbackStatus.OPEN,
    due_before: datetime | None = None,
    limit: int = 100,
) -> list[CallbackView]:
    """The call-backs `user` may make (their team's and unrouted ones), oldest due first."""
    stmt = (
        select(CallbackTask)
        .where(CallbackTask.status == status, visible_to(user))
        .options(selectinload(CallbackTask.customer).selectinload(Customer.identities))
        .order_by(CallbackTask.due_at, CallbackTask.id)
        .limit(limit)
    )
    if due_before is not None:
        stmt = stmt.where(CallbackTask.due_at <= due_before)
    return [CallbackView(task, _phone(task)) for task in session.scalars(stmt)]


def _phone(task: CallbackTask) -> str | None:
    if task.customer is None:
        return None
    phones = [i.value for i in task.customer.identities if i.kind is IdentityKind.PHONE]
    return phones[0] if phones else None


def get_callback(session: Session, user: User, task_id: int) -> CallbackTask:
    task = session.scalars(
        select(CallbackTask).where(CallbackTask.id == task_id, visible_to(user))
    ).first()
    if task is None:
        raise NotFound(f"no call-back task {task_id}")
    return task


def record_outcome(
    session: Session,
    task: CallbackTask,
    agent: User,
    outcome: CallbackOutcome,
    *,
    note: str = "",
    csat: int | None = None,
    nps: int | None = None,
    at: datetime,
) -> CallbackTask:
    """The agent made the call: close the task and its follow-up, and keep any scores given
    (a low one reopens the ticket, as from the bot's survey)."""
    if task.status is CallbackStatus.DONE:
        raise Conflict(f"call-back {task.id} was already recorded")
    if (csat is not None or nps is not None) and outcome is not CallbackOutcome.REACHED:
        raise Conflict("scores can only come from a customer who was reached", field="outcome")
    task.status = CallbackStatus.DONE
    task.outcome = outcome
    task.outcome_note = note.strip()[:2000]
    task.completed_at = at
    task.completed_by_id = agent.id
    follow_up = None
    if task.follow_up_id is not None:
        follow_up = session.get_one(FollowUp, task.follow_up_id)
        if follow_up.status is FollowUpStatus.CALLBACK:
            follow_up.status = FollowUpStatus.DONE
            follow_up.completed_at = at
    if task.ticket is not None and (csat is not None or nps is not None):
        services.record_survey(session, task.ticket, csat, nps, note, at=at, follow_up=follow_up)
    return task


def phone_of(session: Session, customer_id: int) -> str | None:
    return session.scalar(
        select(CustomerIdentity.value).where(
            CustomerIdentity.customer_id == customer_id,
            CustomerIdentity.kind == IdentityKind.PHONE,
        )
    )
