"""One settings object for the whole application, read from the environment (prefix KEFU_)."""

from __future__ import annotations

import os
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

import limits
from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent
VAR_DIR = ROOT / "var"
# HS256 wants a key at least as long as its hash (RFC 7518 §3.2): 256 bits.
SECRET_MIN_BYTES = 32


class Settings(BaseSettings):
    """Configuration; every field can be set as KEFU_<NAME> or in a local `.env` file."""

    model_config = SettingsConfigDict(env_prefix="KEFU_", env_file=".env", extra="ignore")

    environment: Literal["development", "production", "test"] = "development"
    # SQLite (WAL) embedded by default; PostgreSQL with postgresql+psycopg://user@host/db
    database_url: str = f"sqlite:///{VAR_DIR / 'kefu.db'}"
    # Signs access tokens. No default works in production: see `secret()`.
    secret_key: str | None = None
    # One working shift. Every request checks the token's version against the user's row, so a
    # sign-out or a password, role or active change ends a token at once whatever its age.
    access_token_minutes: int = Field(default=8 * 60, ge=1)
    # Redis (e.g. redis://127.0.0.1:6379/0): shared state for rate limits and the Rasa servers'
    # lock store; without it each process keeps its own (in-process memory and locks).
    redis_url: str | None = None
    # Sign-in attempts allowed per client address and per username (the `limits` notation:
    # "30/minute", "100/hour"); over either, 429 with Retry-After before any password is hashed.
    login_limit_per_address: str = "30/minute"
    login_limit_per_user: str = "10/minute"
    # This many wrong passwords in a row lock an account's sign-in for `login_lockout_minutes`.
    login_lockout_failures: int = Field(default=5, ge=1, le=1000)
    login_lockout_minutes: int = Field(default=15, ge=1, le=24 * 60)
    # Password hashes checked at once (argon2 takes a quarter second of a core): half the cores,
    # so a flood of sign-ins leaves the rest to the desk.
    login_hash_concurrency: int = Field(default=max(1, (os.cpu_count() or 2) // 2), ge=1, le=64)
    # The desk's busiest lists (tickets, console queues) read in a plain deferred transaction on
    # SQLite, taking no write lock; False takes the write lock as writes do (for comparison in
    # tests/bench/bench_login_flood.py).
    deferred_reads: bool = True
    max_body_bytes: int = Field(default=256 * 1024, ge=1024)
    web_host: str = "127.0.0.1"
    web_port: int = 8000
    # The sites (scheme://host[:port]) whose pages may open the web chat's socket, comma
    # separated; the web app's own pages always may. Empty: any site (development only).
    allowed_origins: Annotated[list[str], NoDecode] = []
    rasa_url: str = "http://127.0.0.1:5005"
    # Several Rasa servers (comma-separated URLs) share the turns, each conversation sticking to
    # one (bot/gateway/rasa_pool.py); they need `redis_url` for their conversation locks.
    rasa_urls: str | None = None
    rasa_token: str | None = None
    default_timezone: str = "Asia/Shanghai"
    # Telegram (bot/gateway/channels/telegram/): off without a token. Long polling needs no public
    # URL but exactly one process; webhook mode needs the secret Telegram echoes in the
    # X-Telegram-Bot-Api-Secret-Token header, and registers `telegram_webhook_url` if given.
    telegram_token: str | None = None
    telegram_mode: Literal["polling", "webhook"] = "polling"
    telegram_webhook_secret: str | None = Field(
        default=None, min_length=16, max_length=256, pattern=r"^[A-Za-z0-9_-]+$"
    )
    telegram_webhook_url: str | None = None  # public https URL ending in /telegram/webhook
    telegram_base_url: str = "https://api.telegram.org/bot"  # tests point it at a fake
    # /docs and /openapi.json: on unless in production, where they would show anyone the API.
    api_docs: bool | None = None
    # How fast one chat (a web chat session, a Telegram chat) may send, and how many new web
    # chats one address may start (`limits` notation: "5 per 10 seconds; 30 per minute"). Past
    # a limit a web chat message waits; a Telegram one is kept but not sent to the bot.
    chat_message_limit: str = "5 per 10 seconds; 30 per minute"
    chat_new_session_limit: str = "20 per minute"
    # Chat messages older than this many days are anonymised by the worker; None keeps them.
    retention_days: int | None = Field(default=None, ge=1, le=36500)
    # Telegram's update ids (received_updates, the replay check) are deleted by the worker after
    # this many days: Telegram redelivers an update for 24 hours at most, so 2 is the floor.
    received_update_retention_days: int = Field(default=7, ge=2, le=3650)

    def docs_enabled(self) -> bool:
        return self.api_docs if self.api_docs is not None else self.environment != "production"

    def rasa_server_urls(self) -> list[str]:
        """The Rasa servers the gateway uses: `rasa_urls` if set, else `rasa_url`."""
        urls = [url.strip() for url in (self.rasa_urls or "").split(",") if url.strip()]
        return urls or [self.rasa_url]

    @field_validator("allowed_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            return [o.strip() for o in value.split(",") if o.strip()]
        return value

    @field_validator("allowed_origins")
    @classmethod
    def _origins(cls, value: list[str]) -> list[str]:
        # Compared with the browser's Origin header as written; `ticketing check` says which
        # entries are no origin at all (a path, no scheme), in plain words.
        return [origin.strip().rstrip("/").lower() for origin in value if origin.strip()]

    @field_validator("login_limit_per_address", "login_limit_per_user")
    @classmethod
    def _rate(cls, value: str) -> str:
        limits.parse(value)  # ValueError names the notation it wants
        return value

    @field_validator("chat_message_limit", "chat_new_session_limit")
    @classmethod
    def _rate_limits(cls, value: str) -> str:
        try:
            limits.parse_many(value)
        except ValueError as exc:
            raise ValueError(f"not a rate limit such as '5 per 10 seconds': {value!r}") from exc
        return value

    def secret(self) -> str:
        """The signing key; in development a random one under var/ so restarts keep sessions.
        Production needs KEFU_SECRET_KEY of at least 32 bytes (e.g. `openssl rand -hex 32`)."""
        if self.environment == "production" and (
            not self.secret_key or len(self.secret_key.encode()) < SECRET_MIN_BYTES
        ):
            raise RuntimeError(
                f"KEFU_SECRET_KEY must be set to at least {SECRET_MIN_BYTES} bytes in production "
                "(e.g. the output of `openssl rand -hex 32`)"
            )
        if self.secret_key:
            return self.secret_key
        path = VAR_DIR / "secret_key"
        if not path.exists():
            VAR_DIR.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_urlsafe(48))
            path.chmod(0o600)
        return path.read_text().strip()


@lru_cache
def get_settings() -> Settings:
    return Settings()
