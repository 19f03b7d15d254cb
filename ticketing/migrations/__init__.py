"""Alembic migrations of the ticket store."""
