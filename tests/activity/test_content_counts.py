"""Per-period content totals: upsert, idempotent re-import, validation, closed periods, CLI."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests import factories
from tests.factories import import_counts
from tracker.extensions import db
from tracker.io.tabular import table_bytes
from tracker.models import AuditEntry, ContentCount
from tracker.services.common.import_pipeline import ImportFileError

HEADER = [
    "Nomor KIM.id",
    "Nama KIM",
    "Desa",
    "Kecamatan",
    "Berita",
    "Galeri",
    "Pengumuman",
    "Agenda",
]


def csv_bytes(rows, header=HEADER, delimiter=";"):
    lines = [delimiter.join(header)] + [delimiter.join(str(c) for c in r) for r in rows]
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def stored() -> dict[int, tuple[int, int, int, int]]:
    return {
        c.kim_id: (c.berita, c.galeri, c.pengumuman, c.agenda)
        for c in db.session.scalars(select(ContentCount))
    }


@pytest.fixture
def setup(regions):
    period = factories.make_period("2025-T1")
    tukum = factories.kim(regions.desa_a1, "KIM Tukum Mandiri", kimid_number="KIM-001")
    kuto = factories.kim(regions.desa_a2, "KIM Kutorenon")
    return period, tukum, kuto


def test_counts_upsert_is_idempotent(app, setup):
    _period, tukum, kuto = setup
    rows = [
        ["KIM-001", "", "", "", 554, 201, 29, 149],
        ["", "kim kutorenon", "Sumberejo", "Kec. Sukodono", 400, 100, "", 96],
    ]
    first = import_counts(csv_bytes(rows), "top.csv", "2025-T1", None)
    assert first.problems == [] and (first.created, first.updated) == (2, 0)
    assert stored() == {tukum.id: (554, 201, 29, 149), kuto.id: (400, 100, 0, 96)}
    changed_at = db.session.scalar(
        select(ContentCount.updated_at).where(ContentCount.kim_id == tukum.id)
    )

    again = import_counts(csv_bytes(rows), "top.csv", "2025-t1", None)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert db.session.scalar(select(func.count()).select_from(ContentCount)) == 2
    assert (
        db.session.scalar(select(ContentCount.updated_at).where(ContentCount.kim_id == tukum.id))
        == changed_at
    )

    rows[0][4] = 560
    third = import_counts(csv_bytes(rows), "top.csv", "2025-T1", None)
    assert (third.created, third.updated, third.unchanged) == (0, 1, 1)
    assert stored()[tukum.id] == (560, 201, 29, 149)
    audits = db.session.scalars(
        select(AuditEntry.params).where(AuditEntry.action == "activity.import_counts")
    ).all()
    assert [a["updated"] for a in audits] == [0, 0, 1]


def test_counts_from_xlsx_with_english_headers(app, setup):
    _period, tukum, _kuto = setup
    data = table_bytes(
        ["kimid", "News", "Gallery", "Announcement", "Agenda"], [["KIM-001", 3, 2.0, 1, 0]], "xlsx"
    )
    assert import_counts(data, "top.xlsx", "2025-T1", None).created == 1
    assert stored() == {tukum.id: (3, 2, 1, 0)}


def test_bad_numbers_and_duplicate_kim_are_row_errors(app, setup):
    rows = [
        ["KIM-001", "", "", "", 5, -1, 0, 0],  # 2: negative
        ["", "KIM Kutorenon", "Sumberejo", "Sukodono", "2,5", 0, 0, 0],  # 3: not whole
        ["", "KIM Kutorenon", "Sumberejo", "Sukodono", 1, 0, "banyak", 0],  # 4
        ["KIM-001", "", "", "", 7, 0, 0, 0],  # 5: the KIM again
    ]
    result = import_counts(csv_bytes(rows), "top.csv", "2025-T1", None)
    assert result.refused and stored() == {}
    where = {(p.row, p.column) for p in result.problems}
    assert where == {
        (2, "Galeri"),
        (3, "Berita"),
        (4, "Nama KIM"),  # the KIM of row 3 again
        (4, "Pengumuman"),
        (5, "Nomor KIM.id"),  # the KIM of row 2 again
    }
    assert any("baris 2" in p.message for p in result.problems if p.row == 5)


def test_closed_or_unknown_period_refused(app, setup, regions):
    factories.make_period("2024-T4", state="closed")
    rows = [["KIM-001", "", "", "", 1, 1, 1, 1]]
    with pytest.raises(ImportFileError, match="sudah ditutup"):
        import_counts(csv_bytes(rows), "top.csv", "2024-T4", None)
    with pytest.raises(ImportFileError, match="belum ada"):
        import_counts(csv_bytes(rows), "top.csv", "2026-T1", None)
    assert stored() == {}


def test_missing_count_column_is_a_file_error(app, setup):
    with pytest.raises(ImportFileError, match="Agenda"):
        import_counts(
            csv_bytes([["KIM-001", 1, 1, 1]], header=["kimid", "Berita", "Galeri", "Pengumuman"]),
            "x.csv",
            "2025-T1",
            None,
        )


def test_cli_counts(runner, setup, tmp_path):
    good = tmp_path / "top.csv"
    good.write_bytes(csv_bytes([["KIM-001", "", "", "", 9, 0, 0, 1]]))
    bad = tmp_path / "salah.csv"
    bad.write_bytes(
        csv_bytes([["KIM-001", "", "", "", 9, 0, 0, 1], ["KIM-404", "", "", "", 1, 1, 1, 1]])
    )

    refused = runner.invoke(args=["activity", "counts", str(bad), "--period", "2025-T1"])
    assert refused.exit_code == 1 and "KIM-404" in refused.output
    assert stored() == {}

    assert runner.invoke(args=["activity", "counts", str(good)]).exit_code == 2  # --period missing
    no_period = runner.invoke(args=["activity", "counts", str(good), "--period", "2030-T1"])
    assert no_period.exit_code == 1 and "belum ada" in no_period.output

    ok = runner.invoke(args=["activity", "counts", str(good), "--period", "2025-T1"])
    assert ok.exit_code == 0, ok.output
    again = runner.invoke(args=["activity", "counts", str(good), "--period", "2025-T1"])
    assert again.exit_code == 0 and "1 tidak berubah" in again.output
    assert len(stored()) == 1
