"""Versioned assessment frameworks (kerangka penilaian).

The definition is stored whole as JSON: it is data the pure scoring layer reads
(`tracker.scoring.framework`), and a version in use never changes, so there is nothing to join on.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tracker.models.base import Base, utcnow

FRAMEWORK_DRAFT = "draft"
FRAMEWORK_ACTIVE = "active"
FRAMEWORK_RETIRED = "retired"
FRAMEWORK_STATES = (FRAMEWORK_DRAFT, FRAMEWORK_ACTIVE, FRAMEWORK_RETIRED)
FRAMEWORK_STATE_LABELS = {
    FRAMEWORK_DRAFT: "Draf",
    FRAMEWORK_ACTIVE: "Aktif",
    FRAMEWORK_RETIRED: "Tidak dipakai",
}


class Framework(Base):
    __tablename__ = "framework"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(Integer, unique=True)
    name: Mapped[str] = mapped_column(String(150))
    description: Mapped[str | None] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(10), default=FRAMEWORK_DRAFT, index=True)
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    activated_at: Mapped[datetime | None] = mapped_column(DateTime)
