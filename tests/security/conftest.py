"""Fixtures for the security tests, borrowed from the desk API's and the gateway's: each test
here reproduces a finding of issue 13 and fails without its fix."""

from tests.api.conftest import cheap_password_hashing, client, desk
from tests.bot.conftest import anyio_backend, bot, fake_rasa, fake_telegram

__all__ = [
    "anyio_backend",
    "bot",
    "cheap_password_hashing",
    "client",
    "desk",
    "fake_rasa",
    "fake_telegram",
]
