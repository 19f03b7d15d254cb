"""The knowledge base (知识库): articles the bot answers from and agents search, and the
questions the bot could not answer, grouped by similarity for supervisors to turn into articles."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ticketing.clock import utcnow
from ticketing.models.base import Base, UTCDateTime, enum_type
from ticketing.models.people import User


class ArticleStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"


class GroupStatus(enum.StrEnum):
    OPEN = "open"
    HANDLED = "handled"  # an article was made from it
    DISMISSED = "dismissed"


class KnowledgeArticle(Base):
    __tablename__ = "knowledge_articles"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    answer_zh: Mapped[str] = mapped_column(Text, default="")
    answer_en: Mapped[str] = mapped_column(Text, default="")
    examples_zh: Mapped[list[str]] = mapped_column(JSON, default=list)
    examples_en: Mapped[list[str]] = mapped_column(JSON, default=list)
    category: Mapped[str] = mapped_column(String(50), default="")
    status: Mapped[ArticleStatus] = mapped_column(
        enum_type(ArticleStatus, "article_status"), default=ArticleStatus.DRAFT, index=True
    )
    # The trained FAQ answer this article is the wording of (utter_faq/<faq_key>), if any.
    faq_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # Two supervisors editing one article: the second gets a 409, not a lost edit.
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    updated_by: Mapped[User | None] = relationship(lazy="joined")

    __mapper_args__: Any = {"version_id_col": version}  # noqa: RUF012

    def __repr__(self) -> str:
        return f"KnowledgeArticle(id={self.id!r}, title={self.title!r}, status={self.status!r})"


class UnansweredGroup(Base):
    """Questions the bot found no answer for, alike enough to be one missing article."""

    __tablename__ = "unanswered_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    question: Mapped[str] = mapped_column(String(300))  # the first one asked: representative
    language: Mapped[str] = mapped_column(String(8))
    count: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[GroupStatus] = mapped_column(
        enum_type(GroupStatus, "unanswered_status"), default=GroupStatus.OPEN, index=True
    )
    first_seen: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    article_id: Mapped[int | None] = mapped_column(
        ForeignKey("knowledge_articles.id", ondelete="SET NULL")
    )

    questions: Mapped[list[UnansweredQuestion]] = relationship(
        back_populates="group", cascade="all, delete-orphan", order_by="UnansweredQuestion.id"
    )

    def __repr__(self) -> str:
        return f"UnansweredGroup(id={self.id!r}, count={self.count!r}, status={self.status!r})"


class UnansweredQuestion(Base):
    __tablename__ = "unanswered_questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(
        ForeignKey("unanswered_groups.id", ondelete="CASCADE"), index=True
    )
    text: Mapped[str] = mapped_column(String(300))
    asked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    group: Mapped[UnansweredGroup] = relationship(back_populates="questions")

    def __repr__(self) -> str:
        return f"UnansweredQuestion(id={self.id!r}, group_id={self.group_id!r})"
