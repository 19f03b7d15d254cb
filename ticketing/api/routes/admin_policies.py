"""Admin settings: SLA policies, targets per priority and customer tier (supervisors may read)."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from ticketing.api import errors
from ticketing.api.deps import ClientAddress, CurrentAdmin, CurrentSupervisor, SessionDep
from ticketing.api.routes.admin_calendars import IfMatch, expected_version
from ticketing.api.schemas import Id
from ticketing.api.settings_schemas import (
    PoliciesPublic,
    PolicyCreate,
    PolicyPublic,
    PolicyUpdate,
)
from ticketing.models import SlaPolicy
from ticketing.services import sla_policies
from ticketing.services.settings_audit import Editor

router = APIRouter(
    prefix="/api/admin/sla-policies",
    tags=["admin settings"],
    responses=errors.documented(401, 403, 404, 409, 413, 503),
)


def _public(row: SlaPolicy, response: Response | None = None) -> PolicyPublic:
    if response is not None:
        response.headers["ETag"] = f'"{row.version}"'
    return PolicyPublic.of(row)


@router.get("")
def list_policies(session: SessionDep, _supervisor: CurrentSupervisor) -> PoliciesPublic:
    """Every SLA policy, by tier and priority (supervisors and admins)."""
    rows = sla_policies.list_policies(session)
    return PoliciesPublic(data=[_public(r) for r in rows], count=len(rows))


@router.post("", status_code=status.HTTP_201_CREATED)
def create_policy(
    body: PolicyCreate,
    session: SessionDep,
    admin: CurrentAdmin,
    address: ClientAddress,
    response: Response,
) -> PolicyPublic:
    """Add the policy of one priority and tier (409 when that pair has one). Each target is
    optional and more than 0 minutes; business time needs a calendar."""
    row = sla_policies.create_policy(session, Editor(admin, address), body.fields())
    return _public(row, response)


@router.get("/{policy_id}")
def get_policy(
    policy_id: Id, session: SessionDep, _supervisor: CurrentSupervisor, response: Response
) -> PolicyPublic:
    """One policy (supervisors and admins); its ETag is the version to send with a change."""
    return _public(sla_policies.get_policy(session, policy_id), response)


@router.put("/{policy_id}")
def update_policy(
    policy_id: Id,
    body: PolicyUpdate,
    session: SessionDep,
    admin: CurrentAdmin,
    address: ClientAddress,
    response: Response,
    if_match: IfMatch = None,
) -> PolicyPublic:
    """Replace a policy's targets. Send the version you loaded (body or If-Match): if another
    admin saved meanwhile, 409 and nothing is lost. Open tickets under the policy get their
    deadlines recomputed by the worker."""
    row = sla_policies.update_policy(
        session,
        Editor(admin, address),
        policy_id,
        body.fields(),
        version=expected_version(body.version, if_match),
    )
    return _public(row, response)


@router.delete("/{policy_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_policy(
    policy_id: Id,
    session: SessionDep,
    admin: CurrentAdmin,
    address: ClientAddress,
    if_match: IfMatch = None,
) -> None:
    """Delete a policy no ticket has had (409 otherwise)."""
    sla_policies.delete_policy(
        session, Editor(admin, address), policy_id, version=expected_version(None, if_match)
    )
