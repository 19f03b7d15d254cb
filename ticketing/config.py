"""One settings object for the whole application, read from the environment (prefix KEFU_)."""

from __future__ import annotations

import secrets
from functools import lru_cache
from pathlib import Path
from typing import Literal

import limits
from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent
VAR_DIR = ROOT / "var"


class Settings(BaseSettings):
    """Configuration; every field can be set as KEFU_<NAME> or in a local `.env` file."""

    model_config = SettingsConfigDict(env_prefix="KEFU_", env_file=".env", extra="ignore")

    environment: Literal["development", "production", "test"] = "development"
    # SQLite (WAL) embedded by default; PostgreSQL with postgresql+psycopg://user@host/db
    database_url: str = f"sqlite:///{VAR_DIR / 'kefu.db'}"
    # Signs access tokens. No default works in production: see `secret()`.
    secret_key: str | None = None
    access_token_minutes: int = Field(default=12 * 60, ge=1)
    max_body_bytes: int = Field(default=256 * 1024, ge=1024)
    web_host: str = "127.0.0.1"
    web_port: int = 8000
    rasa_url: str = "http://127.0.0.1:5005"
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
    # The web chat's WebSocket takes connections from pages on these origins only (a JSON list,
    # e.g. '["https://shop.example.com"]'); empty: only the app's own origin (its /shop page).
    webchat_origins: list[str] = Field(default_factory=list)
    # How fast one web chat session may send, and how many new chats one address may start
    # (`limits` notation: "5 per 10 seconds; 30 per minute"). Past a limit a message waits.
    chat_message_limit: str = "5 per 10 seconds; 30 per minute"
    chat_new_session_limit: str = "20 per minute"
    # Rate-limit counters in Redis (shared by every gateway process) instead of in memory.
    redis_url: str | None = None
    # Chat messages older than this many days are anonymised by the worker; None keeps them.
    retention_days: int | None = Field(default=None, ge=1, le=36500)

    @field_validator("chat_message_limit", "chat_new_session_limit")
    @classmethod
    def _rate_limits(cls, value: str) -> str:
        try:
            limits.parse_many(value)
        except ValueError as exc:
            raise ValueError(f"not a rate limit such as '5 per 10 seconds': {value!r}") from exc
        return value

    @field_validator("webchat_origins")
    @classmethod
    def _origins(cls, value: list[str]) -> list[str]:
        cleaned = [origin.strip().rstrip("/").lower() for origin in value if origin.strip()]
        for origin in cleaned:
            if not origin.startswith(("http://", "https://")) or "/" in origin.split("//", 1)[1]:
                raise ValueError(f"an origin is scheme://host[:port], not {origin!r}")
        return cleaned

    def secret(self) -> str:
        """The signing key; in development a random one under var/ so restarts keep sessions."""
        if self.secret_key:
            return self.secret_key
        if self.environment == "production":
            raise RuntimeError("KEFU_SECRET_KEY must be set in production")
        path = VAR_DIR / "secret_key"
        if not path.exists():
            VAR_DIR.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_urlsafe(48))
            path.chmod(0o600)
        return path.read_text().strip()


@lru_cache
def get_settings() -> Settings:
    return Settings()
