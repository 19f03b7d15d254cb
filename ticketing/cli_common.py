"""What the command line's modules share: one-line errors and the database a command runs on."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer
from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from ticketing.config import Settings
from ticketing.db import make_engine
from ticketing.errors import TicketingError


def fail(message: str) -> typer.Exit:
    """Print one line to stderr; the caller raises the result to exit with status 1."""
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(1)


def shown_url(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


@contextmanager
def database(settings: Settings) -> Iterator[Engine]:
    """An engine on the configured database; a refusal of the domain or an unreachable or
    unmigrated database ends the command with one line, not a traceback."""
    engine = make_engine(settings.database_url)
    try:
        yield engine
    except TicketingError as exc:
        raise fail(exc.message) from None
    except SQLAlchemyError as exc:
        # The first line names the cause (no such table, connection refused); parameters are
        # hidden by the engine, so no customer data is printed.
        cause = getattr(exc, "orig", None) or exc
        reason = (str(cause).strip().splitlines() or [type(cause).__name__])[0]
        raise fail(
            f"database {shown_url(settings.database_url)}: {reason} "
            "(is it running, and migrated with `python -m ticketing db upgrade`?)"
        ) from None
    finally:
        engine.dispose()
