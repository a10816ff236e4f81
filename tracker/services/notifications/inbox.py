"""A user's own notifications: the unread count of the bell, the list, marking read, and the
kinds muted (and the address e-mail copies go to). Each user sees and changes only their own."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import delete, func, select, update

from tracker.extensions import db
from tracker.models import Notification, NotificationMute, User
from tracker.models.base import utcnow
from tracker.models.notifications import KINDS
from tracker.services.common import audit_writer
from tracker.services.common.errors import Invalid, NotFound
from tracker.services.common.pagination import Page, paginate
from tracker.services.common.unit_of_work import transaction
from tracker.services.notifications import kinds

EMAIL_MAX_LENGTH = 254
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class ShownNotification:
    id: int
    kind: str
    text: str
    on_date: date
    created_at: datetime
    read: bool
    params: dict[str, Any]


def unread_count(user: User) -> int:
    return int(
        db.session.scalar(
            select(func.count())
            .select_from(Notification)
            .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        )
        or 0
    )


def page(user: User, number: int, per_page: int, kind: str = "") -> Page[ShownNotification]:
    """The user's notifications (of one kind when `kind` names one), unread first, newest first;
    worded in the reader's language."""
    stmt = select(Notification).where(Notification.user_id == user.id)
    if kind in KINDS:
        stmt = stmt.where(Notification.kind == kind)
    stmt = stmt.order_by(
        Notification.read_at.is_not(None),
        Notification.created_at.desc(),
        Notification.id.desc(),
    )
    found = paginate(stmt, number, per_page)
    return found.map(
        lambda n: ShownNotification(
            n.id,
            n.kind,
            kinds.text(n.kind, n.params or {}),
            n.on_date,
            n.created_at,
            n.read_at is not None,
            dict(n.params or {}),
        )
    )


def mark_read(user: User, notification_id: int | None = None, kind: str = "") -> int:
    """Mark one of the user's notifications read (another user's is not found), or all of them
    (of one kind when `kind` names one)."""
    stmt = update(Notification).where(
        Notification.user_id == user.id, Notification.read_at.is_(None)
    )
    if kind in KINDS:
        stmt = stmt.where(Notification.kind == kind)
    if notification_id is not None:
        owned = db.session.scalar(
            select(Notification.id).where(
                Notification.id == notification_id, Notification.user_id == user.id
            )
        )
        if owned is None:
            raise NotFound(_("Notifikasi tidak ditemukan."))
        stmt = stmt.where(Notification.id == notification_id)
    with transaction():
        result = db.session.execute(stmt.values(read_at=utcnow()))
    return int(result.rowcount or 0)


def muted(user: User) -> set[str]:
    return set(
        db.session.scalars(select(NotificationMute.kind).where(NotificationMute.user_id == user.id))
    )


def set_preferences(user: User, muted_kinds: Iterable[str], email: str | None) -> None:
    """The kinds the user mutes and the address for e-mail copies (empty: none), audited."""
    chosen = sorted(set(muted_kinds))
    unknown = [kind for kind in chosen if kind not in KINDS]
    if unknown:
        raise Invalid(_("Jenis notifikasi tidak dikenal."), field="muted")
    address = (email or "").strip() or None
    if address is not None and (len(address) > EMAIL_MAX_LENGTH or not _EMAIL.match(address)):
        raise Invalid(_("Alamat e-mail tidak valid."), field="email")
    before = sorted(muted(user))
    with transaction():
        db.session.execute(delete(NotificationMute).where(NotificationMute.user_id == user.id))
        db.session.add_all(NotificationMute(user_id=user.id, kind=kind) for kind in chosen)
        changes: dict[str, list[Any]] = {}
        if before != chosen:
            changes["muted"] = [before, chosen]
        if (user.email or None) != address:
            changes["email"] = [user.email, address]
            user.email = address
        if changes:
            audit_writer.record("notifications.preferences", "user", user.id, user, changes=changes)
