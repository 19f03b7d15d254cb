"""The weekly digests: a supervisor's own, listed for the console and downloaded as an HTML
file in their language. Written by the worker (ticketing/digests.py), never by a request."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response
from pydantic import BaseModel

from ticketing import audit, digest_html, digests
from ticketing.api import errors
from ticketing.api.deps import ClientAddress, CurrentSupervisor, SessionDep
from ticketing.errors import NotFound
from ticketing.models import WeeklyDigest

router = APIRouter(tags=["digests"], responses=errors.documented(401, 403, 404, 503))


class DigestPublic(BaseModel):
    id: int
    week_start: date
    timezone: str
    period_start: datetime
    period_end: datetime
    generated_at: datetime
    # {report name: {"columns": [...], "rows": [...]}}: sla, sla_by_team, satisfaction,
    # churn_risk, bot, as the reports gave them when the digest was written
    figures: dict[str, Any]


class DigestsPublic(BaseModel):
    data: list[DigestPublic]


@router.get("/api/digests")
def list_digests(session: SessionDep, supervisor: CurrentSupervisor) -> DigestsPublic:
    """Your weekly digests, newest first (the last twelve)."""
    return DigestsPublic(
        data=[
            DigestPublic.model_validate(d, from_attributes=True)
            for d in digests.for_user(session, supervisor)
        ]
    )


@router.get("/api/digests/{digest_id}.html", response_class=Response)
def download_digest(
    session: SessionDep,
    supervisor: CurrentSupervisor,
    address: ClientAddress,
    digest_id: Annotated[int, Path(ge=1, lt=2**31)],
    lang: Annotated[Literal["zh", "en"], Query(description="the file's language")] = "zh",
) -> Response:
    """One of your digests as a self-contained HTML file; each download is in the audit trail
    (it names churn-risk customers)."""
    digest = session.get(WeeklyDigest, digest_id)
    if digest is None or digest.user_id != supervisor.id:
        raise NotFound(f"no digest {digest_id}")
    audit.record(
        session,
        "digest.download",
        actor=supervisor,
        target_type="digest",
        target_id=str(digest.id),
        address=address,
        after={"week_start": digest.week_start.isoformat(), "lang": lang},
    )
    filename = f"kefu-digest-{digest.week_start:%Y%m%d}-{lang}.html"
    return Response(
        digest_html.render(digest, lang),
        media_type="text/html; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
