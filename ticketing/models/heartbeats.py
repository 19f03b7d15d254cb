"""The worker's heartbeat: one row per worker process, written after every pass."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from ticketing.models.base import Base, UTCDateTime


class WorkerHeartbeat(Base):
    """When a worker last finished a pass. A row, not memory: the web process reads it for
    readiness, and a worker that died shows as a heartbeat that stopped."""

    __tablename__ = "worker_heartbeats"

    worker: Mapped[str] = mapped_column(String(128), primary_key=True)  # host:pid
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    beat_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
