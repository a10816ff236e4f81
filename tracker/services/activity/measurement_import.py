"""Manual indicator values in from a spreadsheet: one row per KIM and indicator (KIM, Indikator,
Nilai, Catatan) for one open period, each value in its indicator's unit (`measurements.rules`).

The same KIM and indicator twice in a file is an error on the second row; a value and note equal
to what is stored are left untouched (with their recorder). Every value imported is verified: it
overrides a computed value in the assessment, as one typed into the grid does.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import gettext as _

from tracker.io.activity_columns import KIND_MEASURES, MEASURE_COLUMNS, REQUIRED
from tracker.io.tabular import Row, Table
from tracker.io.values import CellError
from tracker.models import Measurement
from tracker.models.base import utcnow
from tracker.services.activity.import_periods import PeriodImport
from tracker.services.activity.measurements import NOTE_MAX, Rule, rules
from tracker.services.common import audit_writer
from tracker.services.common.import_pipeline import ImportResult
from tracker.services.common.import_rows import earlier_row, insert_rows, period_rows
from tracker.services.common.permissions import ENTER_ACTIVITY


def _indicator_code(raw: str, known: Mapping[str, Rule]) -> str:
    """'k3', 'K3 Kelengkapan kelembagaan' → 'K3'."""
    code = (raw.split() or [""])[0].strip(".:").upper()
    if not code:
        raise CellError(_("kode indikator kosong"))
    if code not in known:
        raise CellError(
            _(
                "indikator '%(raw)s' tidak dikenal; gunakan salah satu: %(codes)s",
                raw=raw,
                codes=", ".join(known),
            )
        )
    return code


class MeasurementImport(PeriodImport):
    """Set manual indicator values for the period chosen (option `period`)."""

    kind = KIND_MEASURES
    columns = MEASURE_COLUMNS
    required = REQUIRED[KIND_MEASURES]
    permission = ENTER_ACTIVITY

    def start(self, table: Table, result: ImportResult) -> None:
        super().start(table, result)
        self.known = rules()
        self.wanted: dict[tuple[int, str], tuple[float, str]] = {}
        self.first_row: dict[tuple[int, str], int] = {}

    def check(self, row: Row) -> None:
        problems, label = self.problems, self.table.label
        before = problems.problem_count
        kim_id = self.lookup.resolve(row, problems)
        code = value = None
        try:
            code = _indicator_code(row.text("indicator"), self.known)
        except CellError as exc:
            problems.add(row.number, label("indicator"), str(exc))
        if (
            kim_id is not None
            and code is not None
            and (first := earlier_row(self.first_row, (kim_id, code), row.number)) is not None
        ):
            problems.add(
                row.number,
                label("indicator"),
                _("nilai %(code)s untuk KIM ini sudah ada di baris %(row)s", code=code, row=first),
            )
        raw = row.raw("value")
        if raw is None:
            problems.add(row.number, label("value"), _("nilai kosong"))
        elif code is not None:
            try:
                value = self.known[code].parse(raw.strip() if isinstance(raw, str) else raw)
            except CellError as exc:
                problems.add(row.number, label("value"), str(exc))
        note = row.text("note")
        if len(note) > NOTE_MAX:
            problems.add(
                row.number,
                label("note"),
                _("catatan terlalu panjang (maks. %(max)s karakter)", max=NOTE_MAX),
            )
        if problems.problem_count > before or kim_id is None or code is None or value is None:
            return
        self.wanted[(kim_id, code)] = (value, note)
        self.result.tally(self.lookup.kecamatan(kim_id), self.period.code)

    def finish(self) -> None:
        kim_ids = sorted({kim_id for kim_id, _code in self.wanted})
        stored = {
            (m.kim_id, m.indicator_code): m
            for m in period_rows(Measurement, self.period.id, kim_ids)
        }
        self.new: list[dict[str, Any]] = []
        self.changed: list[tuple[Measurement, float, str]] = []
        for (kim_id, code), (value, note) in self.wanted.items():
            current = stored.get((kim_id, code))
            if current is None:
                self.new.append(
                    {"kim_id": kim_id, "indicator_code": code, "value": value, "note": note}
                )
            elif current.value != value or (current.note or "") != note or not current.verified:
                self.changed.append((current, value, note))
            else:
                self.result.unchanged += 1
        self.result.created, self.result.updated = len(self.new), len(self.changed)

    def write(self) -> None:
        now = utcnow()
        actor_id = self.actor.id if self.actor is not None else None
        insert_rows(
            Measurement,
            [
                {
                    **item,
                    "note": item["note"] or None,
                    "period_id": self.period.id,
                    "verified": True,
                    "recorded_by_id": actor_id,
                    "recorded_at": now,
                }
                for item in self.new
            ],
        )
        for current, value, note in self.changed:
            current.value, current.note, current.verified = value, note or None, True
            current.recorded_by_id, current.recorded_at = actor_id, now
        result, code = self.result, self.period.code
        audit_writer.record(
            "measurement.import",
            "measurement",
            code,
            self.actor,
            summary=(
                f"Impor nilai indikator {code} dari {result.filename}: {result.created} baru, "
                f"{result.updated} diubah, {result.unchanged} tetap, "
                f"{result.invalid} baris tidak valid"
            ),
            changes={"file": result.filename, "period": code, **result.counts()},
        )
