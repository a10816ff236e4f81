"""Periods as the activity imports see them: the open period a per-period file writes into (and
the base of the kinds that write into one), and the periods a dated row falls in."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from tracker.extensions import db
from tracker.io.tabular import Table
from tracker.models import Period
from tracker.models.period import PERIOD_CLOSED
from tracker.models.user import User
from tracker.services.common.import_pipeline import ImportFileError, ImportResult, ImportRun
from tracker.services.registry.kim_rows import KimLookup
from tracker.services.rules.periods import PeriodError, get_open_period


def open_period_or_file_error(period_code: str) -> Period:
    """The open period a per-period import writes into; closed or unknown refuses the file."""
    try:
        return get_open_period(period_code)
    except PeriodError as exc:
        raise ImportFileError(str(exc), field="period") from exc


class PeriodImport(ImportRun):
    """A kind whose rows name KIMs and whose values belong to the one open period chosen at
    upload (option `period`): a closed or unknown period refuses the file before it is read."""

    def __init__(self, actor: User | None, options: Mapping[str, Any]) -> None:
        super().__init__(actor, options)
        self.period = open_period_or_file_error(str(options.get("period") or ""))

    def start(self, table: Table, result: ImportResult) -> None:
        super().start(table, result)
        result.period_code = self.period.code
        self.lookup = KimLookup.load(self.actor, table)

    @classmethod
    def summary(cls, result: ImportResult) -> str:
        return _(
            "%(created)s baru, %(updated)s diubah, %(unchanged)s tidak berubah, "
            "%(invalid)s baris tidak valid.",
            created=result.created,
            updated=result.updated,
            unchanged=result.unchanged,
            invalid=result.invalid,
        )


@dataclass(frozen=True)
class DatePlace:
    """Where a date falls: the periods holding it, and the first closed one among them."""

    codes: tuple[str, ...]
    closed: str | None


class PeriodCalendar:
    """Every period (a handful), and the answer for each date asked, remembered: a year of posts
    has at most 366 distinct dates."""

    def __init__(self, periods: list[tuple[str, date, date, str]]) -> None:
        self._periods = sorted(periods, key=lambda p: (p[1], p[2]))
        self._known: dict[date, DatePlace] = {}

    @classmethod
    def load(cls) -> PeriodCalendar:
        rows = db.session.execute(
            select(Period.code, Period.start_date, Period.end_date, Period.state)
        )
        return cls([tuple(r) for r in rows])  # type: ignore[misc]

    def place(self, day: date) -> DatePlace:
        known = self._known.get(day)
        if known is None:
            holding = [p for p in self._periods if p[1] <= day <= p[2]]
            closed = next((p[0] for p in holding if p[3] == PERIOD_CLOSED), None)
            known = self._known[day] = DatePlace(tuple(p[0] for p in holding), closed)
        return known


def closed_message(day: date, code: str) -> str:
    return _(
        "tanggal %(day)s ada di periode %(code)s yang sudah ditutup; datanya tidak dapat "
        "diubah lagi",
        day=day.strftime("%d/%m/%Y"),
        code=code,
    )


def no_period_message(day: date) -> str:
    return _(
        "tanggal %(day)s tidak masuk periode mana pun; unggahan ini disimpan tetapi belum "
        "dinilai sampai periodenya ditambahkan",
        day=day.strftime("%d/%m/%Y"),
    )
