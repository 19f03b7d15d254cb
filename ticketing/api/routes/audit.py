"""The audit trail, for supervisors and admins: sign-ins, account and settings changes, exports."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query

from ticketing import audit
from ticketing.api import errors
from ticketing.api.deps import CurrentSupervisor, SessionDep
from ticketing.api.schemas import AuditEntriesPublic, AuditEntryPublic

router = APIRouter(prefix="/api", tags=["audit"], responses=errors.documented(401, 403, 503))

_ID = Query(ge=1, le=2**63 - 1)


@router.get("/audit")
def list_audit_entries(
    session: SessionDep,
    _supervisor: CurrentSupervisor,
    action: Annotated[str | None, Query(max_length=64)] = None,
    actor_user_id: Annotated[int | None, _ID] = None,
    target_type: Annotated[str | None, Query(max_length=32)] = None,
    target_id: Annotated[str | None, Query(max_length=64)] = None,
    since: datetime | None = None,
    until: datetime | None = None,
    before_id: Annotated[int | None, _ID] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> AuditEntriesPublic:
    """The newest audit entries matching the filters, newest first."""
    filters = audit.AuditFilters(
        action=action,
        actor_user_id=actor_user_id,
        target_type=target_type,
        target_id=target_id,
        since=since,
        until=until,
    )
    rows = audit.list_entries(session, filters, limit=limit, before_id=before_id)
    return AuditEntriesPublic(
        data=[AuditEntryPublic.model_validate(r) for r in rows], count=len(rows)
    )
