"""Request and response bodies of the agent's day: tags, bulk actions, canned replies,
presence and auto-assignment, and who else has a ticket open."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field

from ticketing.api.schemas import Id, Input, PlainText, Public, TagText
from ticketing.models import Priority, Status
from ticketing.services.bulk import BulkAction
from ticketing.services.presence import Presence


class TicketTagsChange(Input):
    add: list[TagText] = Field(default=[], max_length=20)
    remove: list[TagText] = Field(default=[], max_length=20)


class TagsPublic(BaseModel):
    tags: list[str]


class TagSuggestion(BaseModel):
    tag: str
    uses: int


class TagSuggestionsPublic(BaseModel):
    data: list[TagSuggestion]


class BulkRequest(Input):
    """One action on several tickets: `assign` takes `assignee_id` (null unassigns), `status` a
    `status`, `priority` a `priority`, `add_tag` and `remove_tag` a `tag`."""

    numbers: list[Annotated[str, Field(min_length=1, max_length=32)]] = Field(
        min_length=1, max_length=100, examples=[["T-000123", "T-000124"]]
    )
    action: BulkAction
    assignee_id: Id | None = None
    status: Status | None = None
    priority: Priority | None = None
    tag: TagText | None = None


class BulkOutcomePublic(BaseModel):
    number: str
    ok: bool
    error: str | None = Field(description="why this ticket was refused (nothing was changed)")
    status_code: int = Field(description="what the one-ticket action would have answered")


class BulkResultPublic(BaseModel):
    data: list[BulkOutcomePublic]
    done: int
    refused: int


class CannedReplyCreate(Input):
    title: Annotated[str, Field(min_length=1, max_length=80), PlainText]
    body_zh: Annotated[str, Field(max_length=4000), PlainText] = ""
    body_en: Annotated[str, Field(max_length=4000), PlainText] = ""
    team_id: Id | None = Field(
        default=None, description="a team's shared reply (supervisors); none: your own"
    )


class CannedReplyUpdate(Input):
    title: Annotated[str, Field(min_length=1, max_length=80), PlainText]
    body_zh: Annotated[str, Field(max_length=4000), PlainText] = ""
    body_en: Annotated[str, Field(max_length=4000), PlainText] = ""
    version: int = Field(ge=1, le=2**31 - 1, description="the version you edited (409 if old)")


class CannedReplyPublic(Public):
    id: int
    title: str
    body_zh: str
    body_en: str
    team_id: int | None
    owner_id: int | None
    version: int
    updated_at: datetime


class CannedRepliesPublic(BaseModel):
    data: list[CannedReplyPublic]
    placeholders: list[str]


class FilledReply(BaseModel):
    id: int
    title: str
    text: str = Field(description="in the ticket's language, placeholders filled")


class FilledRepliesPublic(BaseModel):
    data: list[FilledReply]


class PresenceChange(Input):
    status: Presence


class CapacityChange(Input):
    max_chats: int | None = Field(default=None, ge=1, le=200)
    max_tickets: int | None = Field(default=None, ge=1, le=200)


class AutoAssignChange(Input):
    enabled: bool


class PresencePublic(BaseModel):
    user_id: int
    display_name: str
    team_id: int | None
    status: Presence
    last_seen_at: datetime | None
    max_chats: int
    max_tickets: int


class DeskPresencePublic(BaseModel):
    data: list[PresencePublic]


class AutoAssignPublic(BaseModel):
    team_id: int
    auto_assign: bool
    assigned: int = Field(description="items assigned right away")


class ViewingChange(Input):
    typing: bool = False


class ViewerPublic(BaseModel):
    user_id: int
    display_name: str
    typing: bool


class ViewersPublic(BaseModel):
    data: list[ViewerPublic]
