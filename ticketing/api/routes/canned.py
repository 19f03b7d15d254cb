"""Canned replies (快捷回复): manage your own and (supervisors) a team's, and fill one in for a
ticket, in its customer's language."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response, status

from ticketing import services
from ticketing.api import errors, lookups
from ticketing.api.deps import CurrentUser, SessionDep
from ticketing.api.work_schemas import (
    CannedRepliesPublic,
    CannedReplyCreate,
    CannedReplyPublic,
    CannedReplyUpdate,
    FilledRepliesPublic,
    FilledReply,
)
from ticketing.services import canned

router = APIRouter(
    prefix="/api",
    tags=["canned replies"],
    responses=errors.documented(401, 403, 404, 409, 413, 503),
)

ReplyId = Annotated[int, Path(ge=1, le=2**31 - 1)]
Search = Annotated[str, Query(max_length=100)]


@router.get("/canned-replies")
def list_canned_replies(
    session: SessionDep, user: CurrentUser, q: Search = ""
) -> CannedRepliesPublic:
    """Your own replies and your team's (every team's for supervisors), by title."""
    rows = canned.list_replies(session, user, q=q)
    return CannedRepliesPublic(
        data=[CannedReplyPublic.model_validate(r) for r in rows],
        placeholders=list(canned.PLACEHOLDERS),
    )


@router.post(
    "/canned-replies",
    status_code=status.HTTP_201_CREATED,
    responses={403: {"description": "an agent asked for a team's reply"}},
)
def create_canned_reply(
    session: SessionDep, user: CurrentUser, body: CannedReplyCreate
) -> CannedReplyPublic:
    """A reply of your own, or with `team_id` a team's shared one (supervisors and admins)."""
    text = canned.validated(body.title, body.body_zh, body.body_en)
    team = lookups.team(session, body.team_id)
    return CannedReplyPublic.model_validate(canned.create_reply(session, user, text, team=team))


@router.put(
    "/canned-replies/{reply_id}",
    responses={403: {"description": "not yours to manage"}, 409: {"description": "edited since"}},
)
def update_canned_reply(
    session: SessionDep, user: CurrentUser, reply_id: ReplyId, body: CannedReplyUpdate
) -> CannedReplyPublic:
    """Change a reply's title and text; send the `version` you edited."""
    reply = canned.get_reply(session, user, reply_id)
    text = canned.validated(body.title, body.body_zh, body.body_en)
    updated = canned.update_reply(session, user, reply, text, version=body.version)
    return CannedReplyPublic.model_validate(updated)


@router.delete(
    "/canned-replies/{reply_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses={403: {"description": "not yours to manage"}},
)
def delete_canned_reply(session: SessionDep, user: CurrentUser, reply_id: ReplyId) -> Response:
    canned.delete_reply(session, user, canned.get_reply(session, user, reply_id))
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/tickets/{number}/canned-replies")
def fill_canned_replies(
    session: SessionDep,
    user: CurrentUser,
    number: Annotated[str, Path(max_length=32)],
    q: Search = "",
) -> FilledRepliesPublic:
    """The replies you may use on this ticket (yours and its team's), each in the customer's
    language with the placeholders filled: what `/` in the reply box offers."""
    ticket = services.access_ticket(session, user, number)
    rows = canned.list_replies(session, user, q=q, team_id=ticket.team_id or user.team_id or -1)
    return FilledRepliesPublic(
        data=[FilledReply(id=r.id, title=r.title, text=canned.fill(r, ticket, user)) for r in rows]
    )
