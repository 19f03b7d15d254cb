"""knowledge base: articles, unanswered-question groups, and the ten FAQ answers as articles

Revision ID: 0120
Revises: 0110
Create Date: 2026-12-03 23:20:00

The FAQ articles are inserted here (a data migration) rather than by `ticketing init` or the
demo load, so every database has them, an upgraded production one too: the bot answers its FAQ
from them and would otherwise fall back to the domain's copy until someone ran a command.
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

import ticketing.models
from ticketing.knowledge.faq_seed import FAQ_ARTICLES

revision: str = "0120"
down_revision: str | None = "0110"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    articles = op.create_table(
        "knowledge_articles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("answer_zh", sa.Text(), nullable=False),
        sa.Column("answer_en", sa.Text(), nullable=False),
        sa.Column("examples_zh", sa.JSON(), nullable=False),
        sa.Column("examples_en", sa.JSON(), nullable=False),
        sa.Column("category", sa.String(length=50), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "draft",
                "published",
                name="article_status",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("faq_key", sa.String(length=64), nullable=True),
        sa.Column("updated_at", ticketing.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["users.id"],
            name=op.f("fk_knowledge_articles_updated_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_knowledge_articles")),
        sa.UniqueConstraint("faq_key", name=op.f("uq_knowledge_articles_faq_key")),
    )
    with op.batch_alter_table("knowledge_articles", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_knowledge_articles_status"), ["status"], unique=False)
    op.create_table(
        "unanswered_groups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("question", sa.String(length=300), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "open",
                "handled",
                "dismissed",
                name="unanswered_status",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("first_seen", ticketing.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_seen", ticketing.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["knowledge_articles.id"],
            name=op.f("fk_unanswered_groups_article_id_knowledge_articles"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unanswered_groups")),
    )
    with op.batch_alter_table("unanswered_groups", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_unanswered_groups_status"), ["status"], unique=False)
    op.create_table(
        "unanswered_questions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.String(length=300), nullable=False),
        sa.Column("asked_at", ticketing.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["unanswered_groups.id"],
            name=op.f("fk_unanswered_questions_group_id_unanswered_groups"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unanswered_questions")),
    )
    with op.batch_alter_table("unanswered_questions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_unanswered_questions_group_id"), ["group_id"], unique=False
        )
    now = datetime.now(UTC)
    op.bulk_insert(
        articles,
        [
            {
                "title": a.title,
                "answer_zh": a.answer_zh,
                "answer_en": a.answer_en,
                "examples_zh": list(a.examples_zh),
                "examples_en": list(a.examples_en),
                "category": a.category,
                "status": "published",
                "faq_key": a.faq_key,
                "version": 1,
                "updated_at": now,
            }
            for a in FAQ_ARTICLES
        ],
    )


def downgrade() -> None:
    with op.batch_alter_table("unanswered_questions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_unanswered_questions_group_id"))
    op.drop_table("unanswered_questions")
    with op.batch_alter_table("unanswered_groups", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_unanswered_groups_status"))
    op.drop_table("unanswered_groups")
    with op.batch_alter_table("knowledge_articles", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_knowledge_articles_status"))
    op.drop_table("knowledge_articles")
