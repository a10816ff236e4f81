"""E-mail copies of notifications, when the office has SMTP configured (MAIL_SERVER).

Sending is at most once per notification: the batch is marked "sending" and committed before the
connection is opened (only the rows still waiting: of two senders that read the same rows, the one
that marks them first sends them), then each message is marked "sent" or "failed" (with the
server's answer). A failed one is tried again by the next run (not one whose address the server
refused); one left "sending" by a process killed mid-batch is not (it may have gone out: better
one reminder missed than one sent twice). Mail goes out in the recipient's language, from
MAIL_DEFAULT_SENDER.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select, update

from tracker.extensions import db
from tracker.models import Notification, User
from tracker.models.notifications import (
    EMAIL_FAILED,
    EMAIL_PENDING,
    EMAIL_REFUSED,
    EMAIL_SENDING,
    EMAIL_SENT,
)
from tracker.services.common.unit_of_work import transaction
from tracker.services.notifications import kinds

BATCH = 500  # messages per connection and run
WAITING = (EMAIL_PENDING, EMAIL_FAILED)  # the e-mail states a run sends
INBOX_PATH = "/notifikasi"  # the bell's list page (tracker/web/notifications)


@dataclass(frozen=True)
class MailSettings:
    server: str
    port: int
    sender: str
    username: str = ""
    password: str = ""
    starttls: bool = False
    ssl: bool = False
    timeout: float = 30.0
    base_url: str = ""

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> MailSettings | None:
        """None when no MAIL_SERVER is set: notifications stay in the bell."""
        server = str(config.get("MAIL_SERVER") or "").strip()
        if not server:
            return None
        return cls(
            server=server,
            port=int(config.get("MAIL_PORT") or 25),
            sender=str(config.get("MAIL_DEFAULT_SENDER") or f"jenjang@{server}"),
            username=str(config.get("MAIL_USERNAME") or ""),
            password=str(config.get("MAIL_PASSWORD") or ""),
            starttls=bool(config.get("MAIL_USE_TLS")),
            ssl=bool(config.get("MAIL_USE_SSL")),
            timeout=float(config.get("MAIL_TIMEOUT") or 30),
            base_url=str(config.get("PUBLIC_BASE_URL") or "").rstrip("/"),
        )


def _connect(settings: MailSettings) -> smtplib.SMTP:
    if settings.ssl:
        smtp: smtplib.SMTP = smtplib.SMTP_SSL(
            settings.server,
            settings.port,
            timeout=settings.timeout,
            context=ssl.create_default_context(),
        )
    else:
        smtp = smtplib.SMTP(settings.server, settings.port, timeout=settings.timeout)
        if settings.starttls:
            smtp.starttls(context=ssl.create_default_context())
    if settings.username:
        smtp.login(settings.username, settings.password)
    return smtp


def _message(settings: MailSettings, to: str, locale: str, kind: str, params: dict) -> EmailMessage:
    with force_locale(locale or "id"):
        line = kinds.text(kind, params)
        subject = _("[Jenjang] %(text)s", text=line)
        body = line
        if settings.base_url:
            body += "\n\n" + _(
                "Lihat semua notifikasi: %(url)s", url=settings.base_url + INBOX_PATH
            )
        body += "\n\n" + _(
            "Pesan ini dikirim otomatis. Jenis pengingat ini dapat dimatikan di halaman Akun saya."
        )
    message = EmailMessage()
    message["From"] = settings.sender
    message["To"] = to
    message["Subject"] = subject[:200]
    message["Message-ID"] = make_msgid(domain=settings.server)
    message.set_content(body)
    return message


def _set_state(
    ids: list[int], state: str, error: str | None = None, *, only_from: tuple[str, ...] = ()
) -> list[int]:
    """Set the e-mail state of these notifications (`only_from`: of those still in one of these
    states); the ids changed."""
    if not ids:
        return []
    stmt = update(Notification).where(Notification.id.in_(ids))
    if only_from:
        stmt = stmt.where(Notification.email_state.in_(only_from))
    with transaction():
        changed = db.session.execute(
            stmt.values(email_state=state, email_error=error).returning(Notification.id)
        )
        return sorted(changed.scalars())


def send_pending(settings: MailSettings | None) -> dict[str, int]:
    """Send the e-mail copies waiting (and those that failed before); the counts sent and failed.
    A server that cannot be reached fails the whole batch (they are tried again next run) and
    raises, so the job records the failure."""
    if settings is None:
        return {"sent": 0, "failed": 0}
    rows = db.session.execute(
        select(Notification.id, Notification.kind, Notification.params, User.email, User.locale)
        .join(User, User.id == Notification.user_id)
        .where(
            Notification.email_state.in_(WAITING),
            User.email.is_not(None),
            User.is_active_account.is_(True),
        )
        .order_by(Notification.id)
        .limit(BATCH)
    ).all()
    if not rows:
        return {"sent": 0, "failed": 0}
    # claimed: only those still waiting (another sender may have read the same rows a moment
    # ago and claimed them first: it sends them, this one does not)
    claimed = set(_set_state([row[0] for row in rows], EMAIL_SENDING, only_from=WAITING))
    rows = [row for row in rows if row[0] in claimed]
    ids = [row[0] for row in rows]
    if not rows:
        return {"sent": 0, "failed": 0}
    try:
        smtp = _connect(settings)
    except (OSError, smtplib.SMTPException) as exc:
        _set_state(ids, EMAIL_FAILED, str(exc)[:500])
        raise
    sent: list[int] = []
    failed: dict[tuple[str, str], list[int]] = {}
    with smtp:
        for notification_id, kind, params, email, locale in rows:
            try:
                smtp.send_message(_message(settings, email, locale, kind, params or {}))
            except smtplib.SMTPRecipientsRefused as exc:  # the address itself: never again
                failed.setdefault((EMAIL_REFUSED, str(exc)[:500]), []).append(notification_id)
            except (OSError, smtplib.SMTPException) as exc:
                failed.setdefault((EMAIL_FAILED, str(exc)[:500]), []).append(notification_id)
            else:
                sent.append(notification_id)
    _set_state(sent, EMAIL_SENT)
    for (state, error), failed_ids in failed.items():
        _set_state(failed_ids, state, error)
    return {"sent": len(sent), "failed": sum(len(v) for v in failed.values())}
