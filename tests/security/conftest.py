"""The security tests drive the web chat as the bot tests do: their fixtures, shared."""

from tests.bot.conftest import anyio_backend, closed_port_url, fake_rasa

__all__ = ["anyio_backend", "closed_port_url", "fake_rasa"]
