"""Fixtures for the security tests, borrowed from the desk API's and the gateway's: each test
here reproduces a finding of issue 13 and fails without its fix."""

from tests.api.conftest import cheap_password_hashing, client, desk
from tests.bot.conftest import anyio_backend, bot, closed_port_url, fake_rasa, fake_telegram

__all__ = [
    "anyio_backend",
    "bot",
    "cheap_password_hashing",
    "client",
    "closed_port_url",
    "desk",
    "fake_rasa",
    "fake_telegram",
]
