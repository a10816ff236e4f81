"""The idempotency key of a visit form: one visit per form, however many times it is sent.

The server makes a key when the form is first opened and renders it as a hidden field; the
phone's draft (static/js/visit-draft.js) keeps it with the fields. A form sent twice (a double
tap without JavaScript, a draft re-sent when the connection came back after the first sending did
arrive) carries the same key and finds the visit the first sending made. Two sendings that arrive
at the same moment both pass the lookup; the unique index on the key lets one INSERT through and
`visits.record_visit` answers the other with the visit that won.
"""

from __future__ import annotations

import re
import secrets

from flask_babel import gettext as _
from sqlalchemy import select

from tracker.extensions import db
from tracker.models import MonitoringVisit
from tracker.services.common.errors import Invalid

_KEY = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


def new_key() -> str:
    """A fresh key for a form being opened (32 URL-safe characters, 192 random bits)."""
    return secrets.token_urlsafe(24)


def checked(key: str | None) -> str:
    """The key as sent, or Invalid when it is missing or malformed (a form from elsewhere)."""
    key = (key or "").strip()
    if not _KEY.match(key):
        raise Invalid(
            _("Formulir kunjungan ini tidak lengkap; buka ulang formulirnya lalu kirim lagi."),
            "idempotency_key",
        )
    return key


def visit_with_key(key: str) -> MonitoringVisit | None:
    """The visit a sending with this key already made, if any."""
    return db.session.scalar(select(MonitoringVisit).where(MonitoringVisit.idempotency_key == key))
