"""Digital-activity data: content posts, per-period content counts and manual measurements."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.models.base import Base, utcnow
from tracker.models.kim import Kim
from tracker.models.period import Period
from tracker.models.user import User

CONTENT_TYPES = ("berita", "galeri", "pengumuman", "agenda")

# Where a post came from: a file (or the demo seed, or a hand entry) or the KIM's own website,
# read by the activity harvest (tracker/services/activity/harvest.py).
POST_IMPORTED = "import"
POST_HARVESTED = "harvest"
POST_SOURCES = (POST_IMPORTED, POST_HARVESTED)


class ContentPost(Base):
    """One upload on a KIM's website (KIM.id), the raw material of indicators W1–W4."""

    __tablename__ = "content_post"
    __table_args__ = (
        # (kim_id, posted_on, type) covers the assessment's per-period counts and its per-KIM
        # "last upload" seek without reading the table (see tracker/services/assessment_inputs)
        Index("ix_content_post_kim_date_type", "kim_id", "posted_on", "type"),
        Index("ix_content_post_kim_url", "kim_id", "url"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kim_id: Mapped[int] = mapped_column(ForeignKey("kim.id", ondelete="CASCADE"))
    type: Mapped[str] = mapped_column(String(12))
    posted_on: Mapped[date] = mapped_column(Date, index=True)
    title: Mapped[str] = mapped_column(String(300), default="")
    url: Mapped[str | None] = mapped_column(String(500))
    # POST_IMPORTED or POST_HARVESTED; the server default covers the bulk inserts that name no
    # source (the import's COPY, the demo seed)
    source: Mapped[str] = mapped_column(
        String(10), default=POST_IMPORTED, server_default=POST_IMPORTED
    )
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    kim: Mapped[Kim] = relationship()


class ContentTotal(Base):
    """Every KIM's posts counted once (per type, and its latest post date), kept in the same unit
    of work as the posts by `services/activity/content_totals.recount`: Top Konten and the
    dashboard read 10,000 rows instead of re-counting a million posts per request."""

    __tablename__ = "content_total"

    kim_id: Mapped[int] = mapped_column(ForeignKey("kim.id", ondelete="CASCADE"), primary_key=True)
    berita: Mapped[int] = mapped_column(Integer, default=0)
    galeri: Mapped[int] = mapped_column(Integer, default=0)
    pengumuman: Mapped[int] = mapped_column(Integer, default=0)
    agenda: Mapped[int] = mapped_column(Integer, default=0)
    last_posted_on: Mapped[date | None] = mapped_column(Date, index=True)

    @classmethod
    def total(cls) -> Any:
        """All posts of the KIM, as Top Konten ranks them: the expression of the index
        `ix_content_total_rank`, spelled the same everywhere so the database can walk it."""
        return cls.berita + cls.galeri + cls.pengumuman + cls.agenda


# the dashboard's Top Konten ten: walked from the largest total down, a handful of rows read
Index("ix_content_total_rank", ContentTotal.total(), ContentTotal.berita)


class ContentCount(Base):
    """Per-period totals per content type (the "Top Konten" figures) when posts are not listed."""

    __tablename__ = "content_count"
    __table_args__ = (UniqueConstraint("kim_id", "period_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kim_id: Mapped[int] = mapped_column(ForeignKey("kim.id", ondelete="CASCADE"), index=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("period.id", ondelete="CASCADE"), index=True)
    berita: Mapped[int] = mapped_column(Integer, default=0)
    galeri: Mapped[int] = mapped_column(Integer, default=0)
    pengumuman: Mapped[int] = mapped_column(Integer, default=0)
    agenda: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    kim: Mapped[Kim] = relationship()
    period: Mapped[Period] = relationship()


# The review state of a manual value (DESIGN.md §4): only a verified value counts.
MEASUREMENT_SUBMITTED = "submitted"  # diajukan: entered by a petugas, waiting for a kabid/admin
MEASUREMENT_VERIFIED = "verified"  # counts in the assessment
MEASUREMENT_REJECTED = "rejected"  # never counts; the petugas sees the reason and may resubmit
MEASUREMENT_STATUSES = (MEASUREMENT_SUBMITTED, MEASUREMENT_VERIFIED, MEASUREMENT_REJECTED)


class Measurement(Base):
    """A manually recorded indicator value for one KIM and period, with its evidence.

    For a computed indicator a verified measurement overrides the computed value; a submitted or
    rejected one overrides nothing. `recorded_by`/`recorded_at` say who entered the value and when
    (they change only when the value or its note does); `reviewed_by`/`reviewed_at` say who
    verified or rejected it and when (the enterer, when an admin or kabid enters it).
    """

    __tablename__ = "measurement"
    __table_args__ = (
        UniqueConstraint("kim_id", "period_id", "indicator_code"),
        # the values of a period waiting for review (the dashboard's count) without the others
        Index("ix_measurement_period_status", "period_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kim_id: Mapped[int] = mapped_column(ForeignKey("kim.id", ondelete="CASCADE"), index=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("period.id", ondelete="CASCADE"), index=True)
    indicator_code: Mapped[str] = mapped_column(String(10))
    value: Mapped[float] = mapped_column(Float)
    note: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10))
    recorded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    recorded_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    reviewed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime)
    reject_reason: Mapped[str | None] = mapped_column(Text)

    kim: Mapped[Kim] = relationship()
    period: Mapped[Period] = relationship()
    recorded_by: Mapped[User | None] = relationship(foreign_keys=[recorded_by_id])
    reviewed_by: Mapped[User | None] = relationship(foreign_keys=[reviewed_by_id])

    @property
    def verified(self) -> bool:
        """Whether the value counts in the assessment."""
        return self.status == MEASUREMENT_VERIFIED
