"""Append-only audit log: who changed what, when, and where.

An entry is stored as data, never as finished sentences: a message key with its parameters and the
changed fields with their old and new values. It is worded when read (in the reader's language,
with region and user names looked up then), so the same entry reads in Indonesian or English and
a renamed desa reads under its present name. `tracker.services.common.audit_vocabulary` holds
the wording.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.models.base import Base, utcnow
from tracker.models.user import User


class AuditEntry(Base):
    __tablename__ = "audit_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    # e.g. "kim.update", "user.create", "kim.import"
    action: Mapped[str] = mapped_column(String(40), index=True)
    # the table the entity lives in ("kim", "user", "period"…) and its primary key, as text
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str | None] = mapped_column(String(40), index=True)
    # The KIM the entry is about, when it is about one (its history on the KIM page).
    kim_id: Mapped[int | None] = mapped_column(
        ForeignKey("kim.id", ondelete="SET NULL"), index=True
    )
    # The region the entry concerns (a KIM's desa, a kecamatan's grid, the region an import
    # spans); NULL when it concerns no region (frameworks, periods, accounts). Who may read the
    # entry follows from it. Not a foreign key: the log outlives what it describes.
    region_code: Mapped[str | None] = mapped_column(String(13), index=True)
    # the key of the summary's template in audit_vocabulary.MESSAGES, and its parameters
    message: Mapped[str | None] = mapped_column(String(60))
    params: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # {"field": [old, new], ...}; old is null for a value set by a create
    changes: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # The finished Indonesian sentence entries carried before migration 0004, shown only
    # when no message key could be recovered from it.
    legacy_summary: Mapped[str] = mapped_column(Text, default="")

    user: Mapped[User | None] = relationship()
