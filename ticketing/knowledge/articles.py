"""Knowledge-base articles as supervisors write them: checks, changes (each audited, with the
version the editor loaded: 409 when stale) and what agents may read (published ones only).

Article text is stored as written: HTML stays text (every page and channel escapes it)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields, replace
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ticketing.errors import InvalidInput, NotFound
from ticketing.knowledge import retrieval
from ticketing.knowledge.faq_seed import FAQ_ARTICLES
from ticketing.models import ArticleStatus, KnowledgeArticle, User
from ticketing.services.access import is_supervisor
from ticketing.services.queries import escape_like
from ticketing.services.settings_audit import Editor, check_version
from ticketing.services.validation import check_text, text_field

TITLE_MAX = 200
ANSWER_MAX = 4_000
EXAMPLES_MAX = 20
EXAMPLE_MAX = 300
CATEGORY_MAX = 50
FAQ_KEY_MAX = 64


@dataclass(frozen=True)
class ArticleFields:
    """An article as a supervisor gives it (all of it on create; what changes on a patch)."""

    title: str = ""
    answer_zh: str = ""
    answer_en: str = ""
    examples_zh: tuple[str, ...] = ()
    examples_en: tuple[str, ...] = ()
    category: str = ""
    status: str = ArticleStatus.DRAFT.value
    faq_key: str | None = None


def _examples(values: Sequence[str], field_name: str) -> tuple[str, ...]:
    if len(values) > EXAMPLES_MAX:
        raise InvalidInput(
            f"{field_name}: at most {EXAMPLES_MAX} example questions", field=field_name
        )
    out: list[str] = []
    for value in values:
        text = text_field(value, field_name, max_len=EXAMPLE_MAX, required=False)
        if text and text not in out:
            out.append(text)
    return tuple(out)


def checked(given: ArticleFields, *, answer_required: bool = True) -> ArticleFields:
    """`given` trimmed and checked: a 422 names the first field that is wrong. A published
    article always needs an answer; a draft only when `answer_required` (a new article does,
    one drafted from an unanswered question does not)."""
    try:
        status = ArticleStatus(given.status)
    except ValueError:
        raise InvalidInput("status must be draft or published", field="status") from None
    article = ArticleFields(
        title=text_field(given.title, "title", max_len=TITLE_MAX),
        answer_zh=check_text(given.answer_zh.strip(), "answer_zh"),
        answer_en=check_text(given.answer_en.strip(), "answer_en"),
        examples_zh=_examples(given.examples_zh, "examples_zh"),
        examples_en=_examples(given.examples_en, "examples_en"),
        category=text_field(given.category, "category", max_len=CATEGORY_MAX, required=False),
        status=status.value,
        faq_key=(
            text_field(given.faq_key, "faq_key", max_len=FAQ_KEY_MAX, required=False) or None
            if given.faq_key is not None
            else None
        ),
    )
    for name in ("answer_zh", "answer_en"):
        if len(getattr(article, name)) > ANSWER_MAX:
            raise InvalidInput(f"{name} is longer than {ANSWER_MAX} characters", field=name)
    needed = answer_required or status is ArticleStatus.PUBLISHED
    if needed and not (article.answer_zh or article.answer_en):
        raise InvalidInput("write the answer in Chinese, English or both", field="answer_zh")
    return article


def snapshot(row: KnowledgeArticle) -> dict[str, Any]:
    return {
        "title": row.title,
        "answer_zh": row.answer_zh,
        "answer_en": row.answer_en,
        "examples_zh": list(row.examples_zh),
        "examples_en": list(row.examples_en),
        "category": row.category,
        "status": row.status.value,
        "faq_key": row.faq_key,
        "version": row.version,
    }


def _fields_of(row: KnowledgeArticle) -> ArticleFields:
    return ArticleFields(
        title=row.title,
        answer_zh=row.answer_zh,
        answer_en=row.answer_en,
        examples_zh=tuple(row.examples_zh),
        examples_en=tuple(row.examples_en),
        category=row.category,
        status=row.status.value,
        faq_key=row.faq_key,
    )


def _faq_key_free(session: Session, faq_key: str | None, row_id: int | None) -> None:
    if faq_key is None:
        return
    other = session.scalar(select(KnowledgeArticle.id).where(KnowledgeArticle.faq_key == faq_key))
    if other is not None and other != row_id:
        raise InvalidInput(f"article {other} has faq_key {faq_key} already", field="faq_key")


def _apply(row: KnowledgeArticle, article: ArticleFields, user: User | None) -> None:
    row.title, row.category, row.faq_key = article.title, article.category, article.faq_key
    row.answer_zh, row.answer_en = article.answer_zh, article.answer_en
    row.examples_zh, row.examples_en = list(article.examples_zh), list(article.examples_en)
    row.status = ArticleStatus(article.status)
    row.updated_by_id = user.id if user is not None else None


def create_article(
    session: Session, editor: Editor, given: ArticleFields, *, answer_required: bool = True
) -> KnowledgeArticle:
    article = checked(given, answer_required=answer_required)
    _faq_key_free(session, article.faq_key, None)
    row = KnowledgeArticle()
    _apply(row, article, editor.actor if isinstance(editor.actor, User) else None)
    session.add(row)
    session.flush()
    editor.record(session, "knowledge.create", "knowledge_article", row.id, after=snapshot(row))
    return row


def update_article(
    session: Session,
    editor: Editor,
    row: KnowledgeArticle,
    changes: dict[str, Any],
    *,
    version: int,
) -> KnowledgeArticle:
    """Change the fields in `changes` (names of ArticleFields); `version` is the one the editor
    loaded: 409 when someone saved in between, and nothing of theirs is lost."""
    check_version(f"article {row.title}", row.version, version)
    known = {f.name for f in fields(ArticleFields)}
    for name in changes:
        if name not in known:
            raise InvalidInput(f"{name} is not a field of an article", field=name)
    # A draft may stay without an answer while it is written; publishing needs one.
    article = checked(replace(_fields_of(row), **changes), answer_required=False)
    _faq_key_free(session, article.faq_key, row.id)
    before = snapshot(row)
    _apply(row, article, editor.actor if isinstance(editor.actor, User) else None)
    session.flush()
    if snapshot(row) != before:
        editor.record(
            session,
            "knowledge.update",
            "knowledge_article",
            row.id,
            before=before,
            after=snapshot(row),
        )
    return row


def delete_article(session: Session, editor: Editor, row: KnowledgeArticle) -> None:
    before = snapshot(row)
    session.delete(row)
    session.flush()
    editor.record(session, "knowledge.delete", "knowledge_article", row.id, before=before)


def get_article(session: Session, user: User, article_id: int) -> KnowledgeArticle:
    """The article, if `user` may read it (agents: published ones only); 404 otherwise."""
    row = session.get(KnowledgeArticle, article_id)
    if row is None or (row.status is not ArticleStatus.PUBLISHED and not is_supervisor(user)):
        raise NotFound(f"no article {article_id}")
    return row


@dataclass(frozen=True)
class Found:
    article: KnowledgeArticle
    score: float | None


def list_articles(
    session: Session,
    user: User,
    *,
    q: str = "",
    status: ArticleStatus | None = None,
    category: str | None = None,
) -> list[Found]:
    """Articles `user` may read (agents: published only). With `q`, ranked by the bot's own
    retrieval, each with its score, then the drafts (supervisors) whose text holds `q`."""
    if not is_supervisor(user):
        if status is ArticleStatus.DRAFT:
            return []
        status = ArticleStatus.PUBLISHED
    stmt = select(KnowledgeArticle)
    if status is not None:
        stmt = stmt.where(KnowledgeArticle.status == status)
    if category:
        stmt = stmt.where(KnowledgeArticle.category == category)
    if not q.strip():
        rows = session.scalars(stmt.order_by(KnowledgeArticle.category, KnowledgeArticle.title))
        return [Found(r, None) for r in rows]
    visible = {r.id: r for r in session.scalars(stmt)}
    found = [
        Found(visible[m.article_id], round(m.score, 3))
        for m in retrieval.search_both(session, q)
        if m.article_id in visible
    ]
    if status is not ArticleStatus.PUBLISHED:
        pattern = f"%{escape_like(q.strip())}%"
        drafts = session.scalars(
            stmt.where(
                KnowledgeArticle.status == ArticleStatus.DRAFT,
                or_(
                    KnowledgeArticle.title.ilike(pattern, escape="\\"),
                    KnowledgeArticle.answer_zh.ilike(pattern, escape="\\"),
                    KnowledgeArticle.answer_en.ilike(pattern, escape="\\"),
                ),
            ).order_by(KnowledgeArticle.title)
        )
        found += [Found(r, 0.0) for r in drafts]
    return found


def published_by_faq_key(session: Session, faq_key: str) -> KnowledgeArticle | None:
    return session.scalar(
        select(KnowledgeArticle).where(
            KnowledgeArticle.faq_key == faq_key,
            KnowledgeArticle.status == ArticleStatus.PUBLISHED,
        )
    )


def answer_in(article: KnowledgeArticle, language: str) -> str:
    """The article's answer in `language`, the other one when that is empty."""
    preferred = article.answer_en if language.startswith("en") else article.answer_zh
    return preferred or article.answer_zh or article.answer_en


def ensure_faq_articles(session: Session) -> int:
    """Store, published, each of the ten FAQ articles that no article holds the faq_key of;
    how many were added (0 when all are there, edited or not)."""
    present = set(
        session.scalars(
            select(KnowledgeArticle.faq_key).where(KnowledgeArticle.faq_key.isnot(None))
        )
    )
    added = 0
    for faq in FAQ_ARTICLES:
        if faq.faq_key in present:
            continue
        session.add(faq.article())
        added += 1
    session.flush()
    return added
