"""Monitoring visits (pemantauan) and their follow-ups (tindak lanjut).

A visit is one field trip of a team to one kecamatan: dates, team, notes, optional GPS, a finding
per KIM seen (uploads counted, weekly consistency judged, problems, standout or needs improvement,
a recommendation) and photos. A follow-up is one recommendation for one KIM with an owner, a due
date and a status; the share of follow-ups due by a period's end that were done by then is
indicator P2 (tracker.services.assessment.follow_up_rate).

A visit carries the idempotency key its form was opened with: a form sent twice (a double tap, a
draft re-sent from the phone after the connection came back) finds the visit the first sending
made instead of making a second one (tracker.services.visits.idempotency).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.models.base import Base, utcnow
from tracker.models.kim import Kim
from tracker.models.region import Region
from tracker.models.user import User

# The fixed list of problems a finding may name (DESIGN.md §1: SDM, infrastructure…), with the
# labels the form shows (Indonesian msgids; translated where shown).
PROBLEMS = ("sdm", "perangkat", "jaringan", "dana", "konten")
PROBLEM_LABELS = {
    "sdm": "SDM (pengelola)",
    "perangkat": "Perangkat",
    "jaringan": "Jaringan internet",
    "dana": "Dana",
    "konten": "Konten",
}

# How the team judged a KIM on the visit: a standout to name, or one that needs improvement.
RATING_STANDOUT = "menonjol"
RATING_IMPROVE = "perlu_perbaikan"
RATINGS = (RATING_STANDOUT, RATING_IMPROVE)
RATING_LABELS = {RATING_STANDOUT: "Menonjol", RATING_IMPROVE: "Perlu perbaikan"}

FOLLOW_UP_OPEN = "open"
FOLLOW_UP_DONE = "done"
FOLLOW_UP_DROPPED = "dropped"
FOLLOW_UP_STATUSES = (FOLLOW_UP_OPEN, FOLLOW_UP_DONE, FOLLOW_UP_DROPPED)
FOLLOW_UP_STATUS_LABELS = {
    FOLLOW_UP_OPEN: "Terbuka",
    FOLLOW_UP_DONE: "Selesai",
    FOLLOW_UP_DROPPED: "Dibatalkan",
}

visit_team = Table(
    "monitoring_visit_member",
    Base.metadata,
    Column(
        "visit_id",
        ForeignKey("monitoring_visit.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column(
        "user_id",
        ForeignKey("user_account.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    ),
)


class MonitoringVisit(Base):
    """One visit of a team to one kecamatan, on one or more consecutive days."""

    __tablename__ = "monitoring_visit"

    id: Mapped[int] = mapped_column(primary_key=True)
    kecamatan_code: Mapped[str] = mapped_column(
        ForeignKey("region.code", ondelete="RESTRICT"), index=True
    )
    started_on: Mapped[date] = mapped_column(Date, index=True)
    ended_on: Mapped[date] = mapped_column(Date)
    # members without an account (a camat's staff, a KIM mentor), one per line
    team_names: Mapped[str | None] = mapped_column(Text)
    notes: Mapped[str | None] = mapped_column(Text)
    # where the phone said the team was, when it was asked (degrees, metres)
    gps_lat: Mapped[float | None] = mapped_column(Float)
    gps_lon: Mapped[float | None] = mapped_column(Float)
    gps_accuracy: Mapped[float | None] = mapped_column(Float)
    # generated when the form is first opened; a re-sent form finds the visit it already made
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    kecamatan: Mapped[Region] = relationship()
    created_by: Mapped[User | None] = relationship()
    team: Mapped[list[User]] = relationship(secondary=visit_team, order_by=User.full_name)
    findings: Mapped[list[VisitFinding]] = relationship(
        back_populates="visit", cascade="all, delete-orphan", order_by="VisitFinding.id"
    )
    photos: Mapped[list[VisitPhoto]] = relationship(
        back_populates="visit", order_by="VisitPhoto.id"
    )


class VisitFinding(Base):
    """What the team saw of one KIM on a visit."""

    __tablename__ = "visit_finding"
    __table_args__ = (UniqueConstraint("visit_id", "kim_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("monitoring_visit.id", ondelete="CASCADE"))
    kim_id: Mapped[int] = mapped_column(ForeignKey("kim.id", ondelete="CASCADE"), index=True)
    uploads_seen: Mapped[int | None] = mapped_column(Integer)  # uploads counted on the site
    consistency_pct: Mapped[float | None] = mapped_column(Float)  # weekly consistency seen, %
    problems: Mapped[list[str]] = mapped_column(JSON, default=list)  # codes of PROBLEMS
    problem_notes: Mapped[str | None] = mapped_column(Text)
    rating: Mapped[str | None] = mapped_column(String(20))  # RATINGS, or none
    recommendation: Mapped[str | None] = mapped_column(Text)

    visit: Mapped[MonitoringVisit] = relationship(back_populates="findings")
    kim: Mapped[Kim] = relationship()


class VisitPhoto(Base):
    """A photo, stored re-encoded (no EXIF) under the photo folder by the SHA-256 of its stored
    bytes, with a thumbnail beside it. It belongs to a visit (of a KIM, or of the visit as a
    whole) or is the evidence a follow-up was closed with (no visit, a KIM). Who may see it
    follows from its KIM's desa, else its visit's kecamatan."""

    __tablename__ = "visit_photo"

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int | None] = mapped_column(
        ForeignKey("monitoring_visit.id", ondelete="CASCADE"), index=True
    )
    kim_id: Mapped[int | None] = mapped_column(ForeignKey("kim.id", ondelete="CASCADE"), index=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    path: Mapped[str] = mapped_column(String(200))  # relative to the photo folder
    thumb_path: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(20))  # image/jpeg, image/png, image/webp
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    size: Mapped[int] = mapped_column(Integer)  # bytes stored
    original_name: Mapped[str | None] = mapped_column(String(200))
    uploaded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    uploaded_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    visit: Mapped[MonitoringVisit | None] = relationship(back_populates="photos")
    kim: Mapped[Kim | None] = relationship()


class FollowUp(Base):
    """One recommendation for one KIM, followed up by its owner until done or dropped."""

    __tablename__ = "follow_up"
    __table_args__ = (
        # P2 of a period reads (kim, due date, status) of every follow-up due by its end
        Index("ix_follow_up_due_status_kim", "due_on", "status", "kim_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kim_id: Mapped[int] = mapped_column(ForeignKey("kim.id", ondelete="CASCADE"), index=True)
    visit_id: Mapped[int | None] = mapped_column(
        ForeignKey("monitoring_visit.id", ondelete="SET NULL"), index=True
    )
    recommendation: Mapped[str] = mapped_column(Text)
    owner_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="RESTRICT"), index=True
    )
    due_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), default=FOLLOW_UP_OPEN, index=True)
    # done: what shows it was done; dropped: why it no longer applies
    evidence: Mapped[str | None] = mapped_column(Text)
    evidence_photo_id: Mapped[int | None] = mapped_column(
        ForeignKey("visit_photo.id", ondelete="SET NULL")
    )
    closed_on: Mapped[date | None] = mapped_column(Date)  # the day it was done (or dropped)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime)  # when that was recorded
    closed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    kim: Mapped[Kim] = relationship()
    visit: Mapped[MonitoringVisit | None] = relationship()
    owner: Mapped[User] = relationship(foreign_keys=[owner_id])
    closed_by: Mapped[User | None] = relationship(foreign_keys=[closed_by_id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    evidence_photo: Mapped[VisitPhoto | None] = relationship()

    # a close and a reopen sent at once: the second finds the version moved and is refused
    __mapper_args__ = {"version_id_col": version}
