"""Per-period content totals in from a spreadsheet (the "Top Konten" figures): one row per KIM with
its numbers of Berita, Galeri, Pengumuman and Agenda for one open period (an empty cell is 0).

A KIM named twice in the file is an error on the second row: which figures to believe is not ours
to guess. Totals equal to what is stored are left untouched; new or changed totals mark the
period's results of their KIMs stale (`input_changes`).
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from tracker.io.activity_columns import COUNT_COLUMNS, COUNT_FIELDS, KIND_COUNTS, REQUIRED
from tracker.io.tabular import Row, Table
from tracker.io.values import CellError, parse_int
from tracker.models import ContentCount
from tracker.services.activity.import_periods import PeriodImport
from tracker.services.common import audit_writer, input_changes
from tracker.services.common.import_pipeline import ImportResult
from tracker.services.common.import_rows import earlier_row, insert_rows, period_rows
from tracker.services.common.permissions import ENTER_ACTIVITY


class CountImport(PeriodImport):
    """Set each KIM's totals per content type for the period chosen (option `period`)."""

    kind = KIND_COUNTS
    columns = COUNT_COLUMNS
    required = REQUIRED[KIND_COUNTS]
    permission = ENTER_ACTIVITY

    def start(self, table: Table, result: ImportResult) -> None:
        super().start(table, result)
        self.wanted: dict[int, dict[str, int]] = {}
        self.first_row: dict[int, int] = {}

    def check(self, row: Row) -> None:
        problems = self.problems
        before = problems.problem_count
        kim_id = self.lookup.resolve(row, problems)
        if kim_id is not None and (first := earlier_row(self.first_row, kim_id, row.number)):
            problems.add(
                row.number,
                self.lookup.column_of(row),
                _("KIM ini sudah ada di baris %(row)s", row=first),
            )
        figures: dict[str, int] = {}
        for key in COUNT_FIELDS:
            raw = row.raw(key)
            try:
                figures[key] = 0 if raw is None else parse_int(raw, minimum=0)
            except CellError as exc:
                problems.add(row.number, self.table.label(key), str(exc))
        if problems.problem_count > before or kim_id is None:
            return
        self.wanted[kim_id] = figures
        self.result.tally(self.lookup.kecamatan(kim_id), self.period.code)

    def finish(self) -> None:
        existing = {
            c.kim_id: c for c in period_rows(ContentCount, self.period.id, sorted(self.wanted))
        }
        self.new: list[dict[str, Any]] = []
        self.changed: list[tuple[ContentCount, dict[str, int]]] = []
        for kim_id, figures in self.wanted.items():
            current = existing.get(kim_id)
            if current is None:
                self.new.append({"kim_id": kim_id, "period_id": self.period.id, **figures})
            elif any(getattr(current, k) != v for k, v in figures.items()):
                self.changed.append((current, figures))
            else:
                self.result.unchanged += 1
        self.result.created, self.result.updated = len(self.new), len(self.changed)

    def write(self) -> None:
        insert_rows(ContentCount, self.new)
        for current, figures in self.changed:
            for key, value in figures.items():
                setattr(current, key, value)
        period, result = self.period, self.result
        moved = [row["kim_id"] for row in self.new] + [c.kim_id for c, _f in self.changed]
        input_changes.period_changed(period.id, moved)
        result.changed_periods = [period.code] if moved else []
        audit_writer.record(
            "activity.import_counts",
            "content_count",
            None,
            self.actor,
            params={"file": result.filename, "period": period.code, **result.counts()},
            region=audit_writer.region_of_kims(self.wanted),
        )
