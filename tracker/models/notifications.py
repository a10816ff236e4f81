"""In-app notifications (the bell) and what each user has muted.

A notification is keyed by (recipient, kind, subject, date): the reminder job may run twice, be
retried or be started by hand, and the same reminder is still stored once (INSERT … ON CONFLICT DO
NOTHING). Its text is not stored: `params` are, and the text is worded when read, in the reader's
language (tracker/services/notifications/kinds.py). `email_state` follows the e-mail copy:
pending → sending → sent (or failed, tried again; or refused, not); no value when none is to be
sent."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, DateTime, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tracker.models.base import Base, utcnow

KIND_FOLLOW_UP = "follow_up"  # a follow-up due within 7 days, or overdue: to its owner
KIND_NOT_VISITED = "not_visited"  # KIMs not visited for 180 days: the petugas of the kecamatan
KIND_NO_UPLOAD = "no_upload"  # KIMs without an upload for 30 days: the petugas of the kecamatan
KIND_TIER_DROP = "tier_drop"  # a KIM's final tier fell: the Kabid
KIND_DIGEST = "digest"  # Monday 07:00: the week in figures, for the Kabid
KINDS = (KIND_FOLLOW_UP, KIND_NOT_VISITED, KIND_NO_UPLOAD, KIND_TIER_DROP, KIND_DIGEST)
KIND_LABELS = {
    KIND_FOLLOW_UP: "Tindak lanjut jatuh tempo atau terlambat",
    KIND_NOT_VISITED: "KIM belum dikunjungi 180 hari",
    KIND_NO_UPLOAD: "KIM tanpa unggahan 30 hari",
    KIND_TIER_DROP: "Jenjang KIM turun",
    KIND_DIGEST: "Ringkasan mingguan",
}

EMAIL_PENDING = "pending"
EMAIL_SENDING = "sending"
EMAIL_SENT = "sent"
EMAIL_FAILED = "failed"  # the server could not be reached, or refused for now: tried again
EMAIL_REFUSED = "refused"  # the server refused the address itself: not tried again


class Notification(Base):
    __tablename__ = "notification"
    __table_args__ = (
        UniqueConstraint("user_id", "kind", "subject", "on_date"),
        Index("ix_notification_user_read", "user_id", "read_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    subject: Mapped[str] = mapped_column(String(60))  # e.g. follow_up:12:due, kim:7:2025-T1
    on_date: Mapped[date] = mapped_column(Date)  # the day (or week) the reminder is about
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(DateTime)
    email_state: Mapped[str | None] = mapped_column(String(10), index=True)
    email_error: Mapped[str | None] = mapped_column(Text)


class NotificationMute(Base):
    """A kind of notification a user does not want (neither in the bell nor by e-mail)."""

    __tablename__ = "notification_mute"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
