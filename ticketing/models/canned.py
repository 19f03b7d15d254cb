"""Canned replies (快捷回复): answers an agent inserts with `/`, shared by a team or personal,
each in Chinese and English with placeholders filled from the ticket."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ticketing.clock import utcnow
from ticketing.models.base import Base, UTCDateTime


class CannedReply(Base):
    __tablename__ = "canned_replies"
    __table_args__ = (
        # Exactly one owner: a team's shared set, or one person's own.
        CheckConstraint(
            "(team_id IS NULL) <> (owner_id IS NULL)", name="canned_reply_team_or_owner"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(80))
    body_zh: Mapped[str] = mapped_column(Text, default="")
    body_en: Mapped[str] = mapped_column(Text, default="")
    team_id: Mapped[int | None] = mapped_column(
        ForeignKey("teams.id", ondelete="CASCADE"), index=True
    )
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # Two supervisors editing one reply: the second gets a 409, not a lost edit.
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012

    def __repr__(self) -> str:
        return f"CannedReply(id={self.id!r}, title={self.title!r})"
