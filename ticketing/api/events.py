"""The events the console's live stream pushes: one schema each, as the browser receives them.

Unknown fields are refused, so the stream, its tests and the console's script agree on every
event's shape (as Zulip's `zerver/lib/event_types.py`). No REST route answers with one of these
shapes: `/api/notifications` gives ticket ids and read times, not ticket numbers.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, PlainSerializer

from ticketing.models import CallbackReason, EventKind, NotificationKind, Status


def _iso(at: datetime) -> str:
    return at.isoformat()


# Sent as Python writes it ("+00:00"), as the stream always has, not pydantic's "Z".
IsoTime = Annotated[datetime, PlainSerializer(_iso, return_type=str)]


class StreamEvent(BaseModel):
    """One server-sent event: `name` is its `event:` line, the fields its `data:` JSON."""

    model_config = ConfigDict(extra="forbid")
    name: ClassVar[str]

    def wire(self) -> tuple[str, dict[str, Any]]:
        """The event's name and its data, as they go on the wire."""
        return self.name, self.model_dump(mode="json")


class EventTicket(StreamEvent):
    """A history row on a ticket the user may see: reload that ticket."""

    name: ClassVar[str] = "ticket"
    id: int
    ticket: str
    kind: EventKind
    message_kind: str | None
    status: Status
    assignee_id: int | None
    handed_off: bool


class EventNotification(StreamEvent):
    """A notification for the signed-in user."""

    name: ClassVar[str] = "notification"
    id: int
    kind: NotificationKind
    ticket: str | None
    data: dict[str, Any]
    created_at: IsoTime


class EventCallback(StreamEvent):
    """A call-back task the user may make."""

    name: ClassVar[str] = "callback"
    id: int
    reason: CallbackReason
    due: IsoTime


class EventReady(StreamEvent):
    """The stream is (still) up; `cursor` is where to resume from."""

    name: ClassVar[str] = "ready"
    cursor: str


class EventEnd(StreamEvent):
    """The stream stops for good: the user signed out or was deactivated."""

    name: ClassVar[str] = "end"
    reason: Literal["signed_out"]


# By the name on an event's `event:` line.
SCHEMAS: dict[str, type[StreamEvent]] = {
    schema.name: schema
    for schema in (EventTicket, EventNotification, EventCallback, EventReady, EventEnd)
}
