"""Customers and the channel identities they are known by."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ticketing.errors import Conflict
from ticketing.models import (
    Customer,
    CustomerIdentity,
    IdentityKind,
    Lifecycle,
    Tier,
)
from ticketing.services.validation import at_or_now, text_field


def find_customer(session: Session, kind: IdentityKind, value: str) -> Customer | None:
    """The customer known by this channel identity, if any."""
    return session.scalars(
        select(Customer)
        .join(CustomerIdentity)
        .where(CustomerIdentity.kind == kind, CustomerIdentity.value == value.strip())
    ).first()


def create_customer(
    session: Session,
    name: str,
    *,
    tier: Tier = Tier.REGULAR,
    lifecycle: Lifecycle = Lifecycle.NEW,
    language: str = "zh",
    identities: Mapping[IdentityKind, str] | None = None,
    at: datetime | None = None,
) -> Customer:
    customer = Customer(
        name=text_field(name, "name", max_len=120),
        tier=tier,
        lifecycle=lifecycle,
        language=language,
        created_at=at_or_now(at),
    )
    for kind, value in (identities or {}).items():
        if find_customer(session, kind, value) is not None:
            raise Conflict(f"another customer already has this {kind.value} identity", field=kind)
        customer.identities.append(CustomerIdentity(kind=kind, value=value.strip()))
    session.add(customer)
    session.flush()
    return customer


def get_or_create_customer(
    session: Session, kind: IdentityKind, value: str, *, name: str = "", language: str = "zh"
) -> Customer:
    """The customer behind a channel identity, created on first contact."""
    customer = find_customer(session, kind, value)
    if customer is None:
        customer = create_customer(
            session,
            name or f"{kind.value} customer",
            lifecycle=Lifecycle.POTENTIAL,
            language=language,
            identities={kind: value},
        )
    return customer
