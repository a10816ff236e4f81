"""The labels the visit and follow-up templates show for stored codes (Indonesian msgids, shown
through `_()`)."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from tracker.models.visits import FOLLOW_UP_STATUS_LABELS, PROBLEM_LABELS, RATING_LABELS

# The labels of tracker.models.visits, named here so extraction puts them in the catalogue (the
# models layer knows no Babel).
_EXTRACTED = (
    _l("SDM (pengelola)"),
    _l("Perangkat"),
    _l("Jaringan internet"),
    _l("Dana"),
    _l("Konten"),
    _l("Menonjol"),
    _l("Perlu perbaikan"),
    _l("Terbuka"),
    _l("Selesai"),
    _l("Dibatalkan"),
)


def template_labels() -> dict[str, Any]:
    return {
        "PROBLEM_LABELS": PROBLEM_LABELS,
        "RATING_LABELS": RATING_LABELS,
        "FOLLOW_UP_STATUS_LABELS": FOLLOW_UP_STATUS_LABELS,
    }
