"""Tags on tickets, the tags in use, bulk actions on a queue's selected tickets, and who else
has a ticket open (collision warnings)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from ticketing import services
from ticketing.api import errors, lookups
from ticketing.api.deps import CurrentUser, SessionDep
from ticketing.api.work_schemas import (
    BulkOutcomePublic,
    BulkRequest,
    BulkResultPublic,
    TagsPublic,
    TagSuggestion,
    TagSuggestionsPublic,
    TicketTagsChange,
    ViewerPublic,
    ViewersPublic,
    ViewingChange,
)
from ticketing.clock import utcnow
from ticketing.services import bulk, collisions, tags

router = APIRouter(
    prefix="/api",
    tags=["tickets"],
    responses=errors.documented(401, 403, 404, 413, 503),
)

TicketNumber = Annotated[str, Path(max_length=32, examples=["T-000123"])]


@router.post("/tickets/bulk", responses={422: {"description": "no action value, or bad tags"}})
def bulk_action(session: SessionDep, user: CurrentUser, body: BulkRequest) -> BulkResultPublic:
    """Apply one action to each selected ticket, as the one-ticket action would: a ticket you
    may not change is refused and reported (and left as it was), the others are done, each with
    its own history row."""
    change = bulk.BulkChange(
        action=body.action,
        assignee=lookups.user(session, body.assignee_id, "assignee_id"),
        status=body.status,
        priority=body.priority,
        tag=body.tag,
    )
    outcomes = bulk.apply_bulk(session, user, body.numbers, change)
    done = sum(o.ok for o in outcomes)
    return BulkResultPublic(
        data=[BulkOutcomePublic.model_validate(o, from_attributes=True) for o in outcomes],
        done=done,
        refused=len(outcomes) - done,
    )


@router.post("/tickets/{number}/tags")
def change_tags(
    session: SessionDep, user: CurrentUser, number: TicketNumber, body: TicketTagsChange
) -> TagsPublic:
    """Add and remove tags on a ticket you may see; answers with its tags."""
    ticket = services.access_ticket(session, user, number)
    result = tags.change_tags(
        session, ticket, services.Actor.of(user), add=body.add, remove=body.remove
    )
    return TagsPublic(tags=result)


@router.get("/tags")
def suggest_tags(
    session: SessionDep,
    user: CurrentUser,
    prefix: Annotated[str, Query(max_length=40)] = "",
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> TagSuggestionsPublic:
    """Tags in use on the tickets you may see, most used first (suggestions as you type)."""
    rows = tags.suggest_tags(session, user, prefix, limit=limit)
    return TagSuggestionsPublic(data=[TagSuggestion(tag=t, uses=n) for t, n in rows])


@router.post("/tickets/{number}/viewing")
def viewing(
    session: SessionDep, user: CurrentUser, number: TicketNumber, body: ViewingChange
) -> ViewersPublic:
    """Your console has this ticket open (and you are typing, when `typing`): sent every few
    seconds. Answers with the others who have it open, typists first."""
    ticket = services.access_ticket(session, user, number)
    now = utcnow()
    collisions.seen(session, ticket, user, typing=body.typing, at=now)
    return ViewersPublic(
        data=[
            ViewerPublic(user_id=v.user.id, display_name=v.user.display_name, typing=v.typing)
            for v in collisions.others(session, ticket, user, now)
        ]
    )


@router.delete("/tickets/{number}/viewing", status_code=204)
def stop_viewing(session: SessionDep, user: CurrentUser, number: TicketNumber) -> Response:
    """Your console closed the ticket."""
    collisions.left(session, services.access_ticket(session, user, number), user)
    return Response(status_code=204)
