"""Jinja filters and globals: Indonesian dates and numbers, permission checks for templates."""

from __future__ import annotations

from datetime import date, datetime

from flask import Flask, request, url_for
from flask_babel import format_date, format_datetime, format_decimal, get_locale

from tracker.models.kim import STATUS_LABELS
from tracker.models.letters import LETTER_STATUS_LABELS
from tracker.models.user import ROLE_LABELS
from tracker.services.assessment.sources import SOURCE_MEANINGS, source_label
from tracker.services.common import permissions
from tracker.web.common.guards import can


def tanggal(value: date | datetime | None) -> str:
    """7 Maret 2025."""
    if value is None:
        return "—"
    if isinstance(value, datetime):
        value = value.date()
    return format_date(value, "d MMMM y")


def waktu(value: datetime | None) -> str:
    """7 Maret 2025 14.05 (Asia/Jakarta)."""
    if value is None:
        return "—"
    return format_datetime(value, "d MMMM y HH.mm")


def angka(value: float | int | None, digits: int = 2) -> str:
    """1.234,5 — Indonesian separators; None shows as a dash."""
    if value is None:
        return "—"
    if type(value) is int and 0 <= value < 1000:
        # no separator or sign to place (the product's locales write Latin digits): the digits
        # as they are, without Babel's pattern parsing (a page of counts calls this hundreds
        # of times)
        return str(value)
    if isinstance(value, int):
        return format_decimal(value, format="#,##0")
    return format_decimal(value, format="#,##0." + "#" * digits)


def skor(value: float | None) -> str:
    """Scores always with two decimals (84,70): the printed value is what the tier rule compares,
    so a table must not show 84,7 where the letter and the reason say 84,70."""
    if value is None:
        return "—"
    return format_decimal(value, format="#,##0.00")


def url_with(**changes: object) -> str:
    """The current URL with some query arguments replaced (for sort and pagination links)."""
    args = request.args.to_dict()
    for key, value in changes.items():
        if value is None:
            args.pop(key, None)
        else:
            args[key] = str(value)
    return url_for(request.endpoint or "main.index", **(request.view_args or {}), **args)


def register(app: Flask) -> None:
    app.jinja_env.filters.update(tanggal=tanggal, waktu=waktu, angka=angka, skor=skor)
    app.jinja_env.globals.update(
        can=can,
        get_locale=get_locale,
        P=permissions,
        url_with=url_with,
        ROLE_LABELS=ROLE_LABELS,
        STATUS_LABELS=STATUS_LABELS,
        source_word=source_label,
        source_meanings=SOURCE_MEANINGS,
        LETTER_STATUS_LABELS=LETTER_STATUS_LABELS,
    )
