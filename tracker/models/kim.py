"""The KIM registry."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from tracker.models.base import Base, utcnow
from tracker.models.region import Region
from tracker.text import fold

STATUS_ACTIVE = "aktif"
STATUS_INACTIVE = "nonaktif"
STATUSES = (STATUS_ACTIVE, STATUS_INACTIVE)
STATUS_LABELS = {STATUS_ACTIVE: "Aktif", STATUS_INACTIVE: "Nonaktif"}


class Kim(Base):
    __tablename__ = "kim"
    __table_args__ = (UniqueConstraint("desa_code", "name_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(150))
    # casefolded, whitespace-collapsed name: the uniqueness and import-matching key within a desa
    name_key: Mapped[str] = mapped_column(String(150), index=True)
    desa_code: Mapped[str] = mapped_column(
        ForeignKey("region.code", ondelete="RESTRICT"), index=True
    )
    kimid_number: Mapped[str | None] = mapped_column(String(40), unique=True)  # Nomor KIM.id
    website: Mapped[str | None] = mapped_column(String(255))
    sk_number: Mapped[str | None] = mapped_column(String(120))
    sk_date: Mapped[date | None] = mapped_column(Date)
    chair: Mapped[str | None] = mapped_column(String(120))
    phone: Mapped[str | None] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(120))
    members: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(12), default=STATUS_ACTIVE, index=True)
    notes: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    desa: Mapped[Region] = relationship(back_populates="kims")
    channels: Mapped[list[KimChannel]] = relationship(
        back_populates="kim", cascade="all, delete-orphan", order_by="KimChannel.id"
    )

    # SQLAlchemy bumps `version` on every UPDATE and raises StaleDataError when the row moved on.
    __mapper_args__ = {"version_id_col": version}

    @validates("name")
    def _keep_name_key(self, key: str, value: str) -> str:
        """The key follows the name, so uniqueness can never drift from what is shown."""
        value = " ".join((value or "").split())
        self.name_key = fold(value)
        return value

    @property
    def is_active(self) -> bool:
        return self.status == STATUS_ACTIVE

    def __repr__(self) -> str:
        return f"<Kim {self.id} {self.name}>"


CHANNEL_PLATFORMS = ("facebook", "instagram", "youtube", "tiktok", "x", "whatsapp", "lainnya")


class KimChannel(Base):
    """A social-media channel of a KIM (platform + URL)."""

    __tablename__ = "kim_channel"

    id: Mapped[int] = mapped_column(primary_key=True)
    kim_id: Mapped[int] = mapped_column(ForeignKey("kim.id", ondelete="CASCADE"), index=True)
    platform: Mapped[str] = mapped_column(String(20))
    url: Mapped[str] = mapped_column(String(255))

    kim: Mapped[Kim] = relationship(back_populates="channels")
