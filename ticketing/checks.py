"""`python -m ticketing check`: is this configuration fit for production? Each check says what
is wrong in plain words and how to fix it; nothing is changed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from ticketing import migrate
from ticketing.config import Settings
from ticketing.db import make_engine

MIN_SECRET_BYTES = 32
MAKE_SECRET = "python3 -c 'import secrets; print(secrets.token_urlsafe(48))'"  # noqa: S105
LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1"}


@dataclass(frozen=True)
class Finding:
    ok: bool
    text: str


Check = Callable[[Settings], list[Finding]]


def environment(settings: Settings) -> list[Finding]:
    if settings.environment != "production":
        return [
            Finding(
                False,
                f"KEFU_ENVIRONMENT is {settings.environment}: set it to production, so that "
                "nothing falls back to a development default",
            )
        ]
    return [Finding(True, "KEFU_ENVIRONMENT is production")]


def secret_key(settings: Settings) -> list[Finding]:
    if not settings.secret_key:
        return [Finding(False, f"KEFU_SECRET_KEY is not set: make one with {MAKE_SECRET}")]
    size = len(settings.secret_key.encode())
    if size < MIN_SECRET_BYTES:
        return [
            Finding(
                False,
                f"KEFU_SECRET_KEY is {size} bytes long: it must be at least {MIN_SECRET_BYTES} "
                f"(anyone could guess a short one and sign in as anybody); make one with "
                f"{MAKE_SECRET}",
            )
        ]
    return [Finding(True, f"KEFU_SECRET_KEY is {size} bytes long")]


def database(settings: Settings) -> list[Finding]:
    try:
        url = make_url(settings.database_url)
    except ArgumentError:
        return [Finding(False, "KEFU_DATABASE_URL is not a database URL")]
    shown = url.render_as_string(hide_password=True)
    if url.get_backend_name() == "sqlite" and not Path(url.database or "").is_file():
        # Checked first: connecting would create an empty file.
        return [
            Finding(
                False,
                f"KEFU_DATABASE_URL {shown}: there is no database file there; create it with "
                "`python -m ticketing db upgrade`",
            )
        ]
    sqlite = url.get_backend_name() == "sqlite"
    timeout = {} if sqlite else {"connect_timeout": 5}
    engine = make_engine(settings.database_url, connect_args=timeout)
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
            revision = MigrationContext.configure(connection).get_current_revision()
    except SQLAlchemyError as exc:
        cause = getattr(exc, "orig", None) or exc
        reason = (str(cause).strip().splitlines() or [type(cause).__name__])[0]
        return [Finding(False, f"KEFU_DATABASE_URL {shown}: cannot connect ({reason})")]
    finally:
        engine.dispose()
    head = ScriptDirectory.from_config(migrate.alembic_config()).get_current_head()
    if revision != head:
        return [
            Finding(
                False,
                f"the database {shown} is at schema revision {revision or 'none'}, not the "
                f"newest ({head}): run `python -m ticketing db upgrade`",
            )
        ]
    return [Finding(True, f"the database {shown} answers and has the newest schema")]


def _origin_problem(origin: str) -> str | None:
    parts = urlsplit(origin)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        return "is not a web site's origin (like https://shop.example.com)"
    if parts.path or parts.query or parts.fragment:
        return "has a path: an origin is only scheme://host[:port]"
    if parts.scheme == "http" and parts.hostname not in LOCAL_HOSTS:
        return "is plain http: customers' chats would cross the internet unencrypted"
    return None


def allowed_origins(settings: Settings) -> list[Finding]:
    if not settings.allowed_origins:
        return [
            Finding(
                False,
                "KEFU_ALLOWED_ORIGINS is empty: the web chat opens only on this app's own pages, "
                "not on your shop's; list its sites, e.g. "
                "KEFU_ALLOWED_ORIGINS=https://shop.example.com",
            )
        ]
    found = [
        Finding(False, f"KEFU_ALLOWED_ORIGINS: {origin} {problem}")
        for origin in settings.allowed_origins
        if (problem := _origin_problem(origin)) is not None
    ]
    return found or [Finding(True, f"KEFU_ALLOWED_ORIGINS: {', '.join(settings.allowed_origins)}")]


def telegram(settings: Settings) -> list[Finding]:
    if not settings.telegram_token:
        return [Finding(True, "Telegram is off (no KEFU_TELEGRAM_TOKEN)")]
    if settings.telegram_mode != "webhook":
        return [Finding(True, "Telegram uses long polling: run exactly one web process")]
    found = []
    if not settings.telegram_webhook_secret:
        found.append(
            Finding(
                False,
                "KEFU_TELEGRAM_WEBHOOK_SECRET is not set: in webhook mode anyone could post "
                "fake Telegram updates; set 16 or more letters, digits, _ or -",
            )
        )
    url = settings.telegram_webhook_url
    if url and not (url.startswith("https://") and url.endswith("/telegram/webhook")):
        found.append(
            Finding(
                False,
                f"KEFU_TELEGRAM_WEBHOOK_URL {url}: Telegram only calls https URLs, and ours "
                "ends in /telegram/webhook",
            )
        )
    return found or [Finding(True, "Telegram webhook mode has its secret")]


CHECKS: tuple[Check, ...] = (environment, secret_key, database, allowed_origins, telegram)


def run_checks(settings: Settings) -> list[Finding]:
    return [finding for check in CHECKS for finding in check(settings)]
