"""What a desk user's role lets them do beyond an agent: the one "supervisor or admin" rule."""

from __future__ import annotations

from ticketing.models import Role, User


def is_supervisor(user: User) -> bool:
    """Whether `user` oversees the desk: supervisors and admins see every team and may act on
    any ticket."""
    return user.role in (Role.SUPERVISOR, Role.ADMIN)
