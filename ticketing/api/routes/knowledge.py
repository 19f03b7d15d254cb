"""The knowledge base: articles the bot answers from (supervisors and admins write them, agents
read the published ones while replying), and the questions the bot could not answer."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from ticketing.api import errors
from ticketing.api.deps import ClientAddress, CurrentSupervisor, CurrentUser, SessionDep
from ticketing.api.knowledge_schemas import (
    ArticleCreate,
    ArticlePublic,
    ArticlesPublic,
    ArticleUpdate,
    UnansweredGroupPublic,
    UnansweredGroupsPublic,
)
from ticketing.api.schemas import Id, SearchText
from ticketing.knowledge import articles, unanswered
from ticketing.models import ArticleStatus
from ticketing.services.settings_audit import Editor

router = APIRouter(
    prefix="/api/knowledge",
    tags=["knowledge base"],
    responses=errors.documented(401, 403, 404, 409, 413, 503),
)

Category = Annotated[str, Query(max_length=50)]


@router.get("")
def list_articles(
    session: SessionDep,
    user: CurrentUser,
    q: Annotated[SearchText, Query()] = "",
    status: ArticleStatus | None = None,
    category: Category = "",
) -> ArticlesPublic:
    """Articles (agents: published ones). With `q`, ranked by the retrieval the bot uses, each
    with its `score`."""
    found = articles.list_articles(session, user, q=q, status=status, category=category or None)
    return ArticlesPublic(items=[ArticlePublic.of(f.article, f.score) for f in found])


@router.post("", status_code=status.HTTP_201_CREATED)
def create_article(
    body: ArticleCreate, session: SessionDep, supervisor: CurrentSupervisor, address: ClientAddress
) -> ArticlePublic:
    """A new article (supervisors and admins); it needs a title and an answer in Chinese,
    English or both. Text is kept as written: HTML is shown as text everywhere."""
    row = articles.create_article(session, Editor(supervisor, address), body.fields())
    return ArticlePublic.of(row)


@router.get("/unanswered")
def list_unanswered(session: SessionDep, _supervisor: CurrentSupervisor) -> UnansweredGroupsPublic:
    """Open groups of questions the bot could not answer, most asked first."""
    return UnansweredGroupsPublic(
        groups=[UnansweredGroupPublic.of(v) for v in unanswered.open_groups(session)]
    )


@router.post(
    "/unanswered/{group_id}/article",
    status_code=status.HTTP_201_CREATED,
    responses={409: {"description": "the group was handled or dismissed already"}},
)
def article_from_unanswered(
    group_id: Id, session: SessionDep, supervisor: CurrentSupervisor, address: ClientAddress
) -> ArticlePublic:
    """A draft article from the group (its questions as the title and examples, no answer yet);
    the group is marked handled."""
    return ArticlePublic.of(
        unanswered.draft_article(session, Editor(supervisor, address), group_id)
    )


@router.post(
    "/unanswered/{group_id}/dismiss",
    status_code=status.HTTP_204_NO_CONTENT,
    responses={409: {"description": "the group was handled or dismissed already"}},
)
def dismiss_unanswered(
    group_id: Id, session: SessionDep, supervisor: CurrentSupervisor, address: ClientAddress
) -> Response:
    unanswered.dismiss(session, Editor(supervisor, address), group_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/{article_id}")
def get_article(article_id: Id, session: SessionDep, user: CurrentUser) -> ArticlePublic:
    """One article (agents: published ones only)."""
    return ArticlePublic.of(articles.get_article(session, user, article_id))


@router.patch("/{article_id}", responses={409: {"description": "changed since you loaded it"}})
def update_article(
    article_id: Id,
    body: ArticleUpdate,
    session: SessionDep,
    supervisor: CurrentSupervisor,
    address: ClientAddress,
) -> ArticlePublic:
    """Change the fields sent; send the `version` you loaded: if someone saved in between, 409
    and nothing is lost."""
    row = articles.get_article(session, supervisor, article_id)
    updated = articles.update_article(
        session, Editor(supervisor, address), row, body.changes(), version=body.version
    )
    return ArticlePublic.of(updated)


@router.delete("/{article_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_article(
    article_id: Id, session: SessionDep, supervisor: CurrentSupervisor, address: ClientAddress
) -> Response:
    row = articles.get_article(session, supervisor, article_id)
    articles.delete_article(session, Editor(supervisor, address), row)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
