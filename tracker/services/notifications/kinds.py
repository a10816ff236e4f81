"""How a notification reads: worded when read (in the reader's language, or the recipient's for
an e-mail) from the kind and the parameters stored with it."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import format_date, ngettext
from flask_babel import gettext as _

from tracker.models.notifications import (
    KIND_DIGEST,
    KIND_FOLLOW_UP,
    KIND_NO_UPLOAD,
    KIND_NOT_VISITED,
    KIND_TIER_DROP,
)

NAMES_SHOWN = 10  # KIM names listed in a grouped reminder before "and N more"


def _day(value: Any) -> str:
    try:
        return format_date(date.fromisoformat(str(value)), "d MMMM y")
    except ValueError:
        return str(value)


def _names(params: dict[str, Any]) -> str:
    names = list(params.get("kims", []))
    more = int(params.get("count", len(names))) - len(names)
    text = ", ".join(names)
    if more > 0:
        text += " " + _("dan %(n)d lainnya", n=more)
    return text


def text(kind: str, params: dict[str, Any]) -> str:
    """The notification's one line (the bell's list and the e-mail's subject and body)."""
    if kind == KIND_FOLLOW_UP:
        if params.get("overdue"):
            return _(
                "Tindak lanjut untuk %(kim)s terlambat: jatuh tempo %(due)s.",
                kim=params.get("kim", ""),
                due=_day(params.get("due")),
            )
        return _(
            "Tindak lanjut untuk %(kim)s jatuh tempo %(due)s.",
            kim=params.get("kim", ""),
            due=_day(params.get("due")),
        )
    if kind == KIND_NOT_VISITED:
        return ngettext(
            "%(num)d KIM belum dikunjungi 180 hari: %(names)s.",
            "%(num)d KIM belum dikunjungi 180 hari: %(names)s.",
            int(params.get("count", 0)),
            names=_names(params),
        )
    if kind == KIND_NO_UPLOAD:
        return ngettext(
            "%(num)d KIM tanpa unggahan 30 hari: %(names)s.",
            "%(num)d KIM tanpa unggahan 30 hari: %(names)s.",
            int(params.get("count", 0)),
            names=_names(params),
        )
    if kind == KIND_TIER_DROP:
        return _(
            "Jenjang %(kim)s turun dari %(before)s ke %(after)s pada periode %(period)s.",
            kim=params.get("kim", ""),
            before=params.get("before", ""),
            after=params.get("after", ""),
            period=params.get("period", ""),
        )
    if kind == KIND_DIGEST:
        return _(
            "Ringkasan minggu %(week)s: %(overdue)d tindak lanjut terlambat, %(not_visited)d KIM "
            "belum dikunjungi 180 hari, %(no_upload)d KIM tanpa unggahan 30 hari, %(posts)d "
            "unggahan dalam 7 hari terakhir.",
            week=_day(params.get("week")),
            overdue=int(params.get("overdue", 0)),
            not_visited=int(params.get("not_visited", 0)),
            no_upload=int(params.get("no_upload", 0)),
            posts=int(params.get("posts", 0)),
        )
    return kind
