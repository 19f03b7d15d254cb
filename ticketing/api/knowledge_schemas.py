"""Request and response bodies of the knowledge-base API: articles and unanswered questions.

The bodies cap sizes loosely; the service checks the real limits and names the field."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from ticketing.api.schemas import Input, PlainText
from ticketing.knowledge.articles import ArticleFields
from ticketing.knowledge.unanswered import GroupView
from ticketing.models import KnowledgeArticle

Text = Annotated[str, Field(max_length=20_000), PlainText]
Examples = Annotated[list[Annotated[str, Field(max_length=2_000)]], Field(max_length=200)]
Status = Literal["draft", "published"]


class ArticleCreate(Input):
    title: Text
    answer_zh: Text = ""
    answer_en: Text = ""
    examples_zh: Examples = Field(default_factory=list)
    examples_en: Examples = Field(default_factory=list)
    category: Text = ""
    status: Status = "draft"
    faq_key: Annotated[str, Field(max_length=200), PlainText] | None = None

    def fields(self) -> ArticleFields:
        return ArticleFields(
            title=self.title,
            answer_zh=self.answer_zh,
            answer_en=self.answer_en,
            examples_zh=tuple(self.examples_zh),
            examples_en=tuple(self.examples_en),
            category=self.category,
            status=self.status,
            faq_key=self.faq_key,
        )


class ArticleUpdate(Input):
    """Only the fields sent change; `version` is the one you loaded (409 when stale)."""

    version: Annotated[int, Field(ge=1)]
    title: Text | None = None
    answer_zh: Text | None = None
    answer_en: Text | None = None
    examples_zh: Examples | None = None
    examples_en: Examples | None = None
    category: Text | None = None
    status: Status | None = None
    faq_key: Annotated[str, Field(max_length=200), PlainText] | None = None

    def changes(self) -> dict[str, Any]:
        sent = self.model_dump(exclude_unset=True, exclude={"version"})
        for name in ("examples_zh", "examples_en"):
            if name in sent:
                sent[name] = tuple(sent[name] or ())
        for name in ("title", "answer_zh", "answer_en", "category", "status"):
            if name in sent and sent[name] is None:
                sent[name] = "" if name != "status" else "draft"
        return sent


class ArticlePublic(BaseModel):
    id: int
    title: str
    answer_zh: str
    answer_en: str
    examples_zh: list[str]
    examples_en: list[str]
    category: str
    status: Status
    faq_key: str | None
    version: int
    updated_at: datetime
    updated_by: str | None
    score: float | None = None

    @classmethod
    def of(cls, row: KnowledgeArticle, score: float | None = None) -> ArticlePublic:
        return cls(
            id=row.id,
            title=row.title,
            answer_zh=row.answer_zh,
            answer_en=row.answer_en,
            examples_zh=list(row.examples_zh),
            examples_en=list(row.examples_en),
            category=row.category,
            status=row.status.value,
            faq_key=row.faq_key,
            version=row.version,
            updated_at=row.updated_at,
            updated_by=row.updated_by.username if row.updated_by else None,
            score=score,
        )


class ArticlesPublic(BaseModel):
    items: list[ArticlePublic]


class UnansweredGroupPublic(BaseModel):
    id: int
    question: str
    language: str
    count: int
    examples: list[str]
    last_seen: datetime

    @classmethod
    def of(cls, view: GroupView) -> UnansweredGroupPublic:
        group = view.group
        return cls(
            id=group.id,
            question=group.question,
            language=group.language,
            count=group.count,
            examples=view.examples,
            last_seen=group.last_seen,
        )


class UnansweredGroupsPublic(BaseModel):
    groups: list[UnansweredGroupPublic]
