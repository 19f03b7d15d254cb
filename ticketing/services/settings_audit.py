"""Who changes the desk's settings, and the audit row each change writes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from ticketing import audit
from ticketing.errors import Conflict
from ticketing.models import User


@dataclass(frozen=True)
class Editor:
    """The admin (or the command line, as a name) changing a setting, and from where."""

    actor: User | str
    address: str | None = None

    def record(
        self,
        session: Session,
        action: str,
        target_type: str,
        target_id: object,
        *,
        before: dict[str, Any] | None = None,
        after: dict[str, Any] | None = None,
    ) -> None:
        audit.record(
            session,
            action,
            actor=self.actor,
            target_type=target_type,
            target_id=target_id,
            address=self.address,
            before=before,
            after=after,
        )


def check_version(what: str, current: int, expected: int | None) -> None:
    """The version the editor loaded must still be the stored one: else someone saved a change
    in between and saving this one would silently undo theirs (409)."""
    if expected is not None and expected != current:
        raise Conflict(
            f"{what} was changed by someone else since you loaded it (version {expected}, now "
            f"{current}); reload it and make your change again",
            field="version",
        )
