"""Coaching (pembinaan): the topic catalogue, sessions with their invited KIMs, attendance per
KIM with the participants' names, and the files handed out (DESIGN.md §3).

Attendance is what P1 counts (sessions attended in the 12 months to a period's end): one row per
KIM that came to a session, whatever the number of its people. Participants are people without
accounts, named as the attendance list names them; a guest from no KIM has no `kim_id`.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from tracker.models.base import Base, utcnow
from tracker.text import fold


class Topic(Base):
    """A training module (materi pembinaan) and the indicators it improves."""

    __tablename__ = "topic"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(150))
    # casefolded name: two topics cannot differ only in case or spacing
    name_key: Mapped[str] = mapped_column(String(150), unique=True)
    description: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    indicators: Mapped[list[TopicIndicator]] = relationship(
        back_populates="topic",
        cascade="all, delete-orphan",
        order_by="TopicIndicator.indicator_code",
    )

    @validates("name")
    def _keep_name_key(self, key: str, value: str) -> str:
        value = " ".join((value or "").split())
        self.name_key = fold(value)
        return value

    @property
    def codes(self) -> list[str]:
        return [link.indicator_code for link in self.indicators]


class TopicIndicator(Base):
    """A topic improves this indicator (a code of the framework, e.g. W1)."""

    __tablename__ = "topic_indicator"

    topic_id: Mapped[int] = mapped_column(
        ForeignKey("topic.id", ondelete="CASCADE"), primary_key=True
    )
    indicator_code: Mapped[str] = mapped_column(String(10), primary_key=True, index=True)

    topic: Mapped[Topic] = relationship(back_populates="indicators")


session_topic = Table(
    "coaching_session_topic",
    Base.metadata,
    Column(
        "session_id",
        ForeignKey("coaching_session.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("topic_id", ForeignKey("topic.id", ondelete="RESTRICT"), primary_key=True, index=True),
)


class CoachingSession(Base):
    """One pembinaan: a training, workshop or bimbingan teknis on one or more days."""

    __tablename__ = "coaching_session"
    __table_args__ = (Index("ix_coaching_session_title_key_start_date", "title_key", "start_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    # casefolded title: an attendance file names its session by title and date
    title_key: Mapped[str] = mapped_column(String(200))
    start_date: Mapped[date] = mapped_column(Date, index=True)
    end_date: Mapped[date] = mapped_column(Date)
    location: Mapped[str | None] = mapped_column(String(200))
    organiser: Mapped[str | None] = mapped_column(String(200))
    speakers: Mapped[str | None] = mapped_column(Text)  # one per line
    jp: Mapped[int | None] = mapped_column(Integer)  # jam pelajaran
    notes: Mapped[str | None] = mapped_column(Text)
    # The region the session is held for (the organiser's, e.g. the kabupaten): who may see it
    # besides the users whose scope holds an invited KIM.
    region_code: Mapped[str] = mapped_column(
        ForeignKey("region.code", ondelete="RESTRICT"), index=True
    )
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    topics: Mapped[list[Topic]] = relationship(secondary=session_topic, order_by="Topic.name_key")

    __mapper_args__ = {"version_id_col": version}

    @validates("title")
    def _keep_title_key(self, key: str, value: str) -> str:
        value = " ".join((value or "").split())
        self.title_key = fold(value)
        return value

    @property
    def speaker_list(self) -> list[str]:
        return [line.strip() for line in (self.speakers or "").splitlines() if line.strip()]


class CoachingInvitation(Base):
    """A KIM invited to a session (the daftar hadir has one row per invited KIM)."""

    __tablename__ = "coaching_invitation"

    session_id: Mapped[int] = mapped_column(
        ForeignKey("coaching_session.id", ondelete="CASCADE"), primary_key=True
    )
    kim_id: Mapped[int] = mapped_column(
        ForeignKey("kim.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class CoachingAttendance(Base):
    """A KIM came to a session, with how many of its people (at least the names listed)."""

    __tablename__ = "coaching_attendance"
    __table_args__ = (UniqueConstraint("session_id", "kim_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("coaching_session.id", ondelete="CASCADE"), index=True
    )
    kim_id: Mapped[int] = mapped_column(ForeignKey("kim.id", ondelete="CASCADE"), index=True)
    participant_count: Mapped[int] = mapped_column(Integer, default=1)
    recorded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    recorded_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class CoachingParticipant(Base):
    """A person at a session, named as the attendance list names them (no account needed): a
    KIM's member (`kim_id`), or a guest from no KIM (`kim_id` NULL, `affiliation` says from
    where)."""

    __tablename__ = "coaching_participant"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("coaching_session.id", ondelete="CASCADE"), index=True
    )
    kim_id: Mapped[int | None] = mapped_column(ForeignKey("kim.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    position: Mapped[str | None] = mapped_column(String(120))  # jabatan
    affiliation: Mapped[str | None] = mapped_column(String(150))  # a guest's institution


class CoachingMaterial(Base):
    """A file handed out at a session, stored once under the instance folder by its SHA-256 (two
    sessions sharing a file share its bytes)."""

    __tablename__ = "coaching_material"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("coaching_session.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    filename: Mapped[str] = mapped_column(String(255))  # as uploaded, for the download
    content_type: Mapped[str] = mapped_column(String(100))  # from the content, not the name
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    stored_path: Mapped[str] = mapped_column(String(255))  # relative to the materials folder
    uploaded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    uploaded_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
