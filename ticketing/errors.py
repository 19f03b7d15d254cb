"""Errors the service layer raises; the desk API maps each to one HTTP status."""

from __future__ import annotations


class TicketingError(Exception):
    """Base class: a request the domain refuses, with a message fit to show a user."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotFound(TicketingError):
    """The thing does not exist, or the actor may not know it exists (maps to 404)."""


class Conflict(TicketingError):
    """The change conflicts with the current state, e.g. a claim lost to another agent (409)."""


class InvalidInput(TicketingError):
    """A value is not acceptable; `field` names it (422)."""


class PermissionDenied(TicketingError):
    """The actor's role does not allow the action on something it may see (403)."""


class AlreadyReceived(TicketingError):
    """A channel delivered the same update twice: it was stored the first time (nothing to do)."""
