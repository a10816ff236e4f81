"""Manual indicator values in from a spreadsheet: one row per KIM and indicator (KIM, Indikator,
Nilai, Catatan) for one open period, each value in its indicator's unit (`measurements.rules`).

The same KIM and indicator twice in a file is an error on the second row; a value and note equal
to what is stored are left untouched (with their recorder). Values are entered as on the grid
(`entry_status`): an admin's, a kabid's or the command line's count at once, a petugas's are
submitted for verification, and a row changing a verified value is an error for a petugas. Only
what counts marks the period's results stale (`input_changes`).
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
from tracker.services.activity.entry_status import (
    apply_entry,
    as_entered,
    entry_fields,
    may_change,
    verifies_on_entry,
)
from tracker.services.activity.import_periods import PeriodImport
from tracker.services.activity.measurements import NOTE_MAX, Rule, rules
from tracker.services.common import audit_writer, input_changes
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

    def finish(self) -> None:
        """Refuse a petugas's row that changes a verified value, then compare with what is
        stored: a value a verifier enters again over a submitted one is an update (it now
        counts)."""
        kim_ids = sorted({kim_id for kim_id, _code in self.wanted})
        stored = {
            (m.kim_id, m.indicator_code): m
            for m in period_rows(Measurement, self.period.id, kim_ids)
        }
        self.verifier = verifies_on_entry(self.actor)
        self.new: list[dict[str, Any]] = []
        self.changed: list[tuple[Measurement, float, str]] = []
        for key, (value, note) in list(self.wanted.items()):
            current = stored.get(key)
            if not may_change(self.actor, current) and (value, note) != as_entered(current):
                self.problems.add(
                    self.first_row[key],
                    self.table.label("value"),
                    _(
                        "nilai %(code)s untuk KIM ini sudah diverifikasi; hanya admin atau kabid "
                        "yang dapat mengubahnya",
                        code=key[1],
                    ),
                )
                del self.wanted[key]
                continue
            kim_id, code = key
            self.result.tally(self.lookup.kecamatan(kim_id), self.period.code)
            if current is None:
                self.new.append(
                    {"kim_id": kim_id, "indicator_code": code, "value": value, "note": note}
                )
            elif (value, note) != as_entered(current) or (self.verifier and not current.verified):
                self.changed.append((current, value, note))
            else:
                self.result.unchanged += 1
        self.result.created, self.result.updated = len(self.new), len(self.changed)

    def write(self) -> None:
        entered = entry_fields(self.actor, utcnow())
        period = self.period
        insert_rows(
            Measurement,
            [
                {**item, "note": item["note"] or None, "period_id": period.id, **entered}
                for item in self.new
            ],
        )
        # only what counts marks results stale: a submitted value changes nothing until verified
        moved = (
            [item["kim_id"] for item in self.new]
            + [c.kim_id for c, value, _note in self.changed if c.value != value or not c.verified]
            if self.verifier
            else []
        )
        input_changes.period_changed(period.id, moved)
        result = self.result
        result.changed_periods = [period.code] if moved else []
        for current, value, note in self.changed:
            apply_entry(current, value, note, entered)
        audit_writer.record(
            "measurement.import",
            "measurement",
            None,
            self.actor,
            params={"file": result.filename, "period": period.code, **result.counts()},
            message=None if self.verifier else "measurement.import.submitted",
            region=audit_writer.region_of_kims(kim_id for kim_id, _code in self.wanted),
        )
