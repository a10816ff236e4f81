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
KIND_RECAP = "rekap"  # Laporan Hasil Evaluasi KIM (the district, one period; no KIM)
LETTER_KIND_LABELS = {
    KIND_EVALUATION: "Surat Hasil Evaluasi KIM",
    KIND_RECAP: "Laporan Hasil Evaluasi KIM",
}

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


# ------------------------------------------------------------------------------------ batches

BATCH_QUEUED = "queued"  # written, its process not started yet
BATCH_RUNNING = "running"  # a process is issuing (or was, and died: resumable)
BATCH_DONE = "done"  # every item issued, skipped or failed; the ZIP and combined PDF made
BATCH_FAILED = "failed"  # stopped on something no item can get past (no signatory): resumable
BATCH_STATUSES = (BATCH_QUEUED, BATCH_RUNNING, BATCH_DONE, BATCH_FAILED)
BATCH_STATUS_LABELS = {
    BATCH_QUEUED: "Menunggu",
    BATCH_RUNNING: "Berjalan",
    BATCH_DONE: "Selesai",
    BATCH_FAILED: "Terhenti",
}

ITEM_PENDING = "pending"
ITEM_RUNNING = "running"  # handed to a worker; back to pending when a killed batch resumes
ITEM_ISSUED = "issued"
ITEM_SKIPPED = "skipped"  # the KIM already had a letter in force for the period
ITEM_FAILED = "failed"
ITEM_STATUSES = (ITEM_PENDING, ITEM_RUNNING, ITEM_ISSUED, ITEM_SKIPPED, ITEM_FAILED)
ITEM_STATUS_LABELS = {
    ITEM_PENDING: "Menunggu",
    ITEM_RUNNING: "Diproses",
    ITEM_ISSUED: "Terbit",
    ITEM_SKIPPED: "Dilewati",
    ITEM_FAILED: "Gagal",
}


class LetterBatch(Base):
    """One batch of evaluation letters: the filter it was started with, its progress and where
    its ZIP and combined PDF are. Run by its own process (`flask letters run-batch ID`), which
    renders on every core; a batch left running by a killed process is resumed by running it
    again (tracker/services/letters/batch.py)."""

    __tablename__ = "letter_batch"

    id: Mapped[int] = mapped_column(primary_key=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("period.id", ondelete="RESTRICT"), index=True)
    period_code: Mapped[str] = mapped_column(String(10))
    kecamatan_code: Mapped[str | None] = mapped_column(String(13))
    kecamatan_name: Mapped[str] = mapped_column(String(120), default="")
    tier: Mapped[str] = mapped_column(String(12), default="")
    # the region the batch's KIMs lie in (region scope of its page)
    region_code: Mapped[str] = mapped_column(String(13), index=True)
    status: Mapped[str] = mapped_column(String(10), default=BATCH_QUEUED, index=True)
    total: Mapped[int] = mapped_column(Integer, default=0)
    issued: Mapped[int] = mapped_column(Integer, default=0)
    skipped: Mapped[int] = mapped_column(Integer, default=0)
    failed: Mapped[int] = mapped_column(Integer, default=0)
    workers: Mapped[int] = mapped_column(Integer, default=0)
    message: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    started_at: Mapped[datetime | None] = mapped_column(DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    # the process running it: a batch is resumed only when that process is gone
    runner_host: Mapped[str] = mapped_column(String(100), default="")
    runner_pid: Mapped[int | None] = mapped_column(Integer)
    heartbeat_at: Mapped[datetime | None] = mapped_column(DateTime)
    # the results, relative to the letter archive
    zip_path: Mapped[str] = mapped_column(String(200), default="")
    combined_path: Mapped[str] = mapped_column(String(200), default="")

    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])

    @property
    def done(self) -> int:
        return self.issued + self.skipped + self.failed

    @property
    def finished(self) -> bool:
        return self.status == BATCH_DONE


class LetterBatchItem(Base):
    """One KIM of a batch: what became of it. An item turns "issued" in the unit of work that
    issues its letter, so a killed batch never lost a letter nor issues one twice."""

    __tablename__ = "letter_batch_item"
    __table_args__ = (UniqueConstraint("batch_id", "kim_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(
        ForeignKey("letter_batch.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    kim_id: Mapped[int] = mapped_column(ForeignKey("kim.id", ondelete="RESTRICT"), index=True)
    kim_name: Mapped[str] = mapped_column(String(150), default="")
    desa_name: Mapped[str] = mapped_column(String(120), default="")
    kecamatan_name: Mapped[str] = mapped_column(String(120), default="")
    status: Mapped[str] = mapped_column(String(10), default=ITEM_PENDING, index=True)
    letter_id: Mapped[int | None] = mapped_column(ForeignKey("letter.id", ondelete="RESTRICT"))
    message: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    letter: Mapped[Letter | None] = relationship()
