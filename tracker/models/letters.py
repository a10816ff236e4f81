"""Evaluation letters: the office's letter settings, the yearly number sequence, the letters
issued (the register, agenda surat keluar) and the verification page's rate counter.

An issued letter is never edited or deleted: it keeps what it printed (`content`, the frozen
`tracker.pdf.letter.LetterData`), the archived PDF's path and SHA-256, and who issued it. A
correction revokes it (status, who, when, why) and issues a new letter under a new number that
names the old one (`replaces_id`). Numbers come from `LetterSequence`, one row per year, taken
only in the unit of work that archives the letter (tracker/services/letters/numbering.py).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.models.base import Base, utcnow
from tracker.models.user import User

LETTER_ISSUED = "issued"
LETTER_REVOKED = "revoked"
LETTER_STATUSES = (LETTER_ISSUED, LETTER_REVOKED)
LETTER_STATUS_LABELS = {LETTER_ISSUED: "Berlaku", LETTER_REVOKED: "Dicabut"}

KIND_EVALUATION = "evaluasi"  # Surat Hasil Evaluasi KIM (one KIM, one period)
LETTER_KIND_LABELS = {KIND_EVALUATION: "Surat Hasil Evaluasi KIM"}

OFFICE_SETTINGS_ID = 1


class OfficeSettings(Base):
    """The one row of the office's letter settings; absent until an admin first saves them (the
    services then offer defaults derived from the region tree)."""

    __tablename__ = "office_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    government: Mapped[str] = mapped_column(String(150))  # PEMERINTAH KABUPATEN LUMAJANG
    agency: Mapped[str] = mapped_column(String(150))  # DINAS KOMUNIKASI DAN INFORMATIKA
    address: Mapped[str] = mapped_column(String(250), default="")
    phone: Mapped[str] = mapped_column(String(60), default="")
    website: Mapped[str] = mapped_column(String(150), default="")
    email: Mapped[str] = mapped_column(String(150), default="")
    place: Mapped[str] = mapped_column(String(80), default="")  # the date line's place
    logo: Mapped[bytes | None] = mapped_column(LargeBinary)  # PNG, re-encoded at upload
    signatory_title: Mapped[str] = mapped_column(String(150), default="")
    signatory_name: Mapped[str] = mapped_column(String(150), default="")
    signatory_rank: Mapped[str] = mapped_column(String(80), default="")
    signatory_nip: Mapped[str] = mapped_column(String(18), default="")
    signatory_mode: Mapped[str] = mapped_column(String(3), default="")  # "", "an", "plt"
    signatory_principal: Mapped[str] = mapped_column(String(150), default="")  # with "an"
    tembusan: Mapped[list[str]] = mapped_column(JSON, default=list)
    number_template: Mapped[str] = mapped_column(String(120))
    classification_code: Mapped[str] = mapped_column(String(40), default="")
    unit_code: Mapped[str] = mapped_column(String(40), default="")
    public_base_url: Mapped[str] = mapped_column(String(200), default="")
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    __mapper_args__ = {"version_id_col": version}


class LetterSequence(Base):
    """The last number taken in a year. Incremented in the unit of work that issues a letter: the
    row stays locked until that unit commits (or rolls back, and the number was never taken)."""

    __tablename__ = "letter_sequence"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_number: Mapped[int] = mapped_column(Integer, default=0)


class Letter(Base):
    __tablename__ = "letter"
    __table_args__ = (
        UniqueConstraint("year", "sequence"),
        # one letter in force per KIM, period and kind: a second must revoke the first
        Index(
            "uq_letter_in_force",
            "kim_id",
            "period_id",
            "kind",
            unique=True,
            sqlite_where=text("status = 'issued'"),
            postgresql_where=text("status = 'issued'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), default=KIND_EVALUATION)
    number: Mapped[str] = mapped_column(String(120), unique=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    sequence: Mapped[int] = mapped_column(Integer)
    letter_date: Mapped[date] = mapped_column(Date, index=True)
    kim_id: Mapped[int | None] = mapped_column(
        ForeignKey("kim.id", ondelete="RESTRICT"), index=True
    )
    period_id: Mapped[int | None] = mapped_column(
        ForeignKey("period.id", ondelete="RESTRICT"), index=True
    )
    # where the letter belongs, for region scope (a KIM's desa) and the kecamatan filter
    region_code: Mapped[str] = mapped_column(String(13), index=True)
    kecamatan_code: Mapped[str | None] = mapped_column(String(13), index=True)
    # what the register lists and searches, as printed
    kim_name: Mapped[str] = mapped_column(String(150), default="")
    kim_name_key: Mapped[str] = mapped_column(String(150), default="", index=True)
    desa_name: Mapped[str] = mapped_column(String(120), default="")
    kecamatan_name: Mapped[str] = mapped_column(String(120), default="")
    period_code: Mapped[str] = mapped_column(String(10), default="")
    score: Mapped[float | None] = mapped_column(Float)
    tier: Mapped[str] = mapped_column(String(12), default="")
    signatory_name: Mapped[str] = mapped_column(String(150), default="")
    signatory_nip: Mapped[str] = mapped_column(String(18), default="")
    # everything the letter printed (tracker.pdf.letter.LetterData.to_json)
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    # the verification page's key: 192 random bits, URL-safe
    token: Mapped[str] = mapped_column(String(64), unique=True)
    pdf_path: Mapped[str] = mapped_column(String(200))  # relative to the letter archive
    pdf_sha256: Mapped[str] = mapped_column(String(64))
    pdf_size: Mapped[int] = mapped_column(Integer)
    signed: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(10), default=LETTER_ISSUED, index=True)
    issued_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    issued_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)
    revoked_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    revoke_reason: Mapped[str | None] = mapped_column(Text)
    replaces_id: Mapped[int | None] = mapped_column(
        ForeignKey("letter.id", ondelete="RESTRICT"), index=True
    )

    issued_by: Mapped[User | None] = relationship(foreign_keys=[issued_by_id])
    revoked_by: Mapped[User | None] = relationship(foreign_keys=[revoked_by_id])
    replaces: Mapped[Letter | None] = relationship(remote_side=[id])

    @property
    def in_force(self) -> bool:
        return self.status == LETTER_ISSUED


class VerificationHit(Base):
    """One request to the public verification page, by client address: the rate limit counts
    them over a window (in the database, so it holds across web workers)."""

    __tablename__ = "verification_hit"

    id: Mapped[int] = mapped_column(primary_key=True)
    remote_addr: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
