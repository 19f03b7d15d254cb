"""Who is in the store: desk teams and their category routes, desk users, customers and the
identities that recognise a customer on a channel."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint, false, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ticketing.clock import utcnow
from ticketing.models.base import Base, UTCDateTime, enum_type
from ticketing.models.enums import Category, IdentityKind, Lifecycle, Role, Tier


class Team(Base):
    __tablename__ = "teams"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    description: Mapped[str] = mapped_column(String(400), default="")
    # New and escalated tickets and queued chats go to an online agent with room by themselves.
    auto_assign: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # The team's business calendar: its time zone is the supervisors' (the weekly digest comes
    # Monday 09:00 there); None is Asia/Shanghai.
    calendar_id: Mapped[int | None] = mapped_column(
        ForeignKey("business_calendars.id", ondelete="SET NULL")
    )

    members: Mapped[list[User]] = relationship(back_populates="team")

    def __repr__(self) -> str:
        return f"Team(id={self.id!r}, name={self.name!r})"


class TeamRoute(Base):
    """Which team a new ticket of a category goes to (one team per category; a category with no
    route leaves the team empty until someone triages it)."""

    __tablename__ = "team_routes"

    category: Mapped[Category] = mapped_column(enum_type(Category, "category"), primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)

    team: Mapped[Team] = relationship()

    def __repr__(self) -> str:
        return f"TeamRoute(category={self.category!r}, team_id={self.team_id!r})"


class User(Base):
    """A person working the desk: an agent, a supervisor or an admin."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    role: Mapped[Role] = mapped_column(enum_type(Role, "role"))
    password_hash: Mapped[str] = mapped_column(String(255))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Carried in every access token; raising it (password, role or active state changed, or a
    # sign-out) makes every token issued before invalid at the next request.
    token_version: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    # Wrong passwords since the last good sign-in; enough of them lock sign-in until
    # `locked_until` (rows, not memory: a restart or a second web process keeps the lock).
    failed_logins: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)

    team: Mapped[Team | None] = relationship(back_populates="members")

    def __repr__(self) -> str:
        return f"User(id={self.id!r}, username={self.username!r}, role={self.role!r})"


class Customer(Base):
    __tablename__ = "customers"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    tier: Mapped[Tier] = mapped_column(enum_type(Tier, "tier"), default=Tier.REGULAR)
    lifecycle: Mapped[Lifecycle] = mapped_column(
        enum_type(Lifecycle, "lifecycle"), default=Lifecycle.NEW
    )
    language: Mapped[str] = mapped_column(String(8), default="zh")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # 流失预警, refreshed in SQL by the worker (ticketing/churn.py); reasons are comma-separated.
    churn_risk: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    churn_reasons: Mapped[str] = mapped_column(String(80), default="", server_default="")
    churn_flagged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The next periodic care visit (key accounts, gold): a due time the worker reads, by index.
    next_care_visit_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    # A key account's own account manager: their tickets go to them first when they are online.
    account_manager_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    # Erased on request (ticketing/personal_data.py): the record stays, anonymised, for reports.
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    identities: Mapped[list[CustomerIdentity]] = relationship(
        back_populates="customer", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"Customer(id={self.id!r}, tier={self.tier!r})"


class CustomerIdentity(Base):
    """One way to recognise a customer on a channel: a web session, a Telegram id, a phone..."""

    __tablename__ = "customer_identities"
    __table_args__ = (UniqueConstraint("kind", "value", name="uq_customer_identities_kind_value"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    kind: Mapped[IdentityKind] = mapped_column(enum_type(IdentityKind, "identity_kind"))
    value: Mapped[str] = mapped_column(String(255))

    customer: Mapped[Customer] = relationship(back_populates="identities")

    def __repr__(self) -> str:
        # The value may be a phone number: personal data stays out of reprs and logs.
        return f"CustomerIdentity(id={self.id!r}, kind={self.kind!r})"
