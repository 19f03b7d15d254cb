"""Questions the bot could not answer, grouped by similarity so supervisors see the missing
articles most asked for first, and turn one into a draft article in a click.

A new question joins the most similar open group of its language (cosine of their word sets,
words as retrieval sees them) when that similarity reaches GROUP_SIMILARITY; else it starts one.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ticketing.clock import utcnow
from ticketing.errors import Conflict, NotFound
from ticketing.knowledge.articles import ArticleFields, create_article
from ticketing.knowledge.tokens import has_chinese, tokens
from ticketing.models import GroupStatus, KnowledgeArticle, UnansweredGroup, UnansweredQuestion
from ticketing.services.settings_audit import Editor
from ticketing.services.validation import without_control_characters

# Phone and order numbers, e-mail addresses: not what a supervisor needs to see, and personal
# data these rows (not linked to a customer) could not be erased with.
_PERSONAL = re.compile(r"\+?\d[\d \-]{4,}\d|[\w.+-]+@[\w-]+\.[\w.]+")
MASK = "…"
GROUP_SIMILARITY = 0.5
QUESTION_MAX = 300
EXAMPLES_SHOWN = 5
OPEN_GROUPS_COMPARED = 500  # the most recent: an old one-off question need not be matched


def similarity(a: Sequence[str], b: Sequence[str]) -> float:
    """Cosine of two word sets: 1 the same words, 0 none shared."""
    left, right = set(a), set(b)
    if not left or not right:
        return 0.0
    return len(left & right) / math.sqrt(len(left) * len(right))


def record_unanswered(session: Session, question: str, language: str) -> UnansweredGroup | None:
    """Store `question` (numbers and e-mail addresses masked) in its group (found or new); None
    when it has no words to group by ("??", an emoji): nothing to write an article for."""
    text = _PERSONAL.sub(MASK, without_control_characters(question)).strip()[:QUESTION_MAX]
    words = tokens(text)
    if not words:
        return None
    language = "zh" if has_chinese(text) else ("en" if language.startswith("en") else language)
    groups = session.scalars(
        select(UnansweredGroup)
        .where(UnansweredGroup.status == GroupStatus.OPEN, UnansweredGroup.language == language)
        .options(selectinload(UnansweredGroup.questions))
        .order_by(UnansweredGroup.last_seen.desc())
        .limit(OPEN_GROUPS_COMPARED)
    ).all()
    best, best_similarity = None, 0.0
    for group in groups:
        value = max(similarity(words, tokens(q.text)) for q in group.questions[:EXAMPLES_SHOWN])
        if value > best_similarity:
            best, best_similarity = group, value
    now = utcnow()
    if best is None or best_similarity < GROUP_SIMILARITY:
        best = UnansweredGroup(question=text, language=language, count=0, first_seen=now)
        session.add(best)
    best.count += 1
    best.last_seen = now
    best.questions.append(UnansweredQuestion(text=text, asked_at=now))
    session.flush()
    return best


@dataclass(frozen=True)
class GroupView:
    group: UnansweredGroup
    examples: list[str]


def open_groups(session: Session, *, limit: int = 200) -> list[GroupView]:
    """Open groups, most asked first, each with up to five different questions of it."""
    groups = session.scalars(
        select(UnansweredGroup)
        .where(UnansweredGroup.status == GroupStatus.OPEN)
        .options(selectinload(UnansweredGroup.questions))
        .order_by(UnansweredGroup.count.desc(), UnansweredGroup.last_seen.desc())
        .limit(limit)
    ).all()
    return [GroupView(g, _examples(g)) for g in groups]


def _examples(group: UnansweredGroup) -> list[str]:
    seen: list[str] = []
    for question in group.questions:
        if question.text not in seen:
            seen.append(question.text)
        if len(seen) == EXAMPLES_SHOWN:
            break
    return seen


def _open_group(session: Session, group_id: int) -> UnansweredGroup:
    group = session.get(UnansweredGroup, group_id)
    if group is None:
        raise NotFound(f"no unanswered question group {group_id}")
    if group.status is not GroupStatus.OPEN:
        raise Conflict(f"group {group_id} is {group.status.value} already", field="id")
    return group


def draft_article(session: Session, editor: Editor, group_id: int) -> KnowledgeArticle:
    """A draft article from the group: its question as the title, its questions as examples in
    their language, no answer (a person writes it; publishing needs one). The group is handled."""
    group = _open_group(session, group_id)
    examples = tuple(dict.fromkeys(q.text for q in group.questions))[:20]
    row = create_article(
        session,
        editor,
        ArticleFields(
            title=group.question[:200],
            examples_zh=examples if group.language == "zh" else (),
            examples_en=examples if group.language != "zh" else (),
        ),
        answer_required=False,
    )
    group.status, group.article_id = GroupStatus.HANDLED, row.id
    editor.record(
        session,
        "knowledge.unanswered.article",
        "unanswered_group",
        group.id,
        after={"status": group.status.value, "article_id": row.id},
    )
    return row


def dismiss(session: Session, editor: Editor, group_id: int) -> None:
    group = _open_group(session, group_id)
    group.status = GroupStatus.DISMISSED
    editor.record(
        session,
        "knowledge.unanswered.dismiss",
        "unanswered_group",
        group.id,
        before={"status": GroupStatus.OPEN.value},
        after={"status": group.status.value},
    )
