"""The Alembic migrations build exactly the schema the models describe."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect

from ticketing.models import Base


def test_migrated_schema_matches_models(engine: Engine) -> None:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    assert differences == [], "models changed without a migration: " + repr(differences)


def test_next_deadline_is_indexed(engine: Engine) -> None:
    indexes = inspect(engine).get_indexes("tickets")
    assert any(ix["column_names"] == ["next_deadline_at"] for ix in indexes)
