"""`flask measure import`: values in each indicator's unit, validation, upsert, closed periods."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests import factories
from tests.factories import import_measurements
from tracker.extensions import db
from tracker.models import AuditEntry, Measurement
from tracker.services.activity.measurements import rules
from tracker.services.common.import_pipeline import ImportFileError

HEADER = ["Nomor KIM.id", "Nama KIM", "Desa", "Kecamatan", "Indikator", "Nilai", "Catatan"]


def csv_bytes(rows, header=HEADER):
    lines = [",".join(header)] + [",".join(f'"{c}"' for c in r) for r in rows]
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def values() -> dict[tuple[int, str], float]:
    return {(m.kim_id, m.indicator_code): m.value for m in db.session.scalars(select(Measurement))}


@pytest.fixture
def kims(regions):
    factories.make_period("2025-T1")
    return (
        factories.kim(regions.desa_a1, "KIM Tukum", kimid_number="K-1"),
        factories.kim(regions.desa_a2, "KIM Sumber", kimid_number="K-2"),
    )


def test_values_in_each_unit(app, kims):
    a, b = kims
    rows = [
        ["K-1", "", "", "", "K1", "ya", "SK 188/12/2024"],
        ["K-1", "", "", "", "k2", "0", ""],
        ["K-1", "", "", "", "K3 Kelengkapan", "3", "AD/ART, struktur, sekretariat"],
        ["K-1", "", "", "", "M1", "2", "FB, IG"],
        ["K-1", "", "", "", "M2", "92,3", ""],
        ["K-1", "", "", "", "W2", "92.3", "hitung manual"],
        ["K-1", "", "", "", "W4", "12", ""],
        ["K-2", "", "", "", "K1", "TRUE", ""],
        ["K-2", "", "", "", "K2", "tidak", ""],
        ["K-2", "", "", "", "D1", "4", ""],
        ["", "kim sumber", "Sumberejo", "Sukodono", "P2", "100", ""],
    ]
    result = import_measurements(csv_bytes(rows), "nilai.csv", "2025-T1", None)
    assert result.problems == [] and result.created == 11
    stored = values()
    assert stored[(a.id, "K1")] == 1.0 and stored[(a.id, "K2")] == 0.0
    assert stored[(a.id, "K3")] == 3 and stored[(a.id, "M1")] == 2
    assert stored[(a.id, "M2")] == pytest.approx(92.3)
    assert stored[(a.id, "W2")] == pytest.approx(92.3)
    assert stored[(b.id, "K1")] == 1.0 and stored[(b.id, "K2")] == 0.0
    assert stored[(b.id, "P2")] == 100
    m = db.session.scalar(select(Measurement).where(Measurement.indicator_code == "K3"))
    assert m.verified and m.note == "AD/ART, struktur, sekretariat"

    again = import_measurements(csv_bytes(rows), "nilai.csv", "2025-T1", None)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 11)

    rows[2][5] = "4"
    third = import_measurements(csv_bytes(rows), "nilai.csv", "2025-T1", None)
    assert (third.created, third.updated) == (0, 1)
    assert values()[(a.id, "K3")] == 4


@pytest.mark.parametrize(
    ("code", "value", "fragment"),
    [
        ("K1", "mungkin", "bukan ya/tidak"),
        ("K3", "5", "0–4"),
        ("K3", "2,5", "bilangan bulat"),
        ("D1", "-1", "0–4"),
        ("M1", "1.5", "bilangan bulat"),
        ("M2", "-0,5", "≥ 0"),
        ("W2", "100,1", "0–100"),
        ("P2", "abc", "bukan angka"),
        ("W4", "-3", "≥ 0"),
        ("Z9", "1", "tidak dikenal"),
        ("K3", "", "nilai kosong"),
    ],
)
def test_bad_values_are_row_errors(app, kims, code, value, fragment):
    rows = [["K-2", "", "", "", "K3", "2", ""], ["K-1", "", "", "", code, value, ""]]
    result = import_measurements(csv_bytes(rows), "nilai.csv", "2025-T1", None)
    assert result.refused and values() == {}
    assert [p.row for p in result.problems] == [3]
    assert fragment in result.problems[0].message


def test_duplicate_indicator_for_a_kim_refused(app, kims):
    rows = [["K-1", "", "", "", "K3", "2", ""], ["K-1", "", "", "", "k3", "3", ""]]
    result = import_measurements(csv_bytes(rows), "nilai.csv", "2025-T1", None)
    assert [(p.row, p.column) for p in result.problems] == [(3, "Indikator")]


def test_closed_period_refused(app, kims):
    factories.make_period("2024-T4", state="closed")
    with pytest.raises(ImportFileError, match="ditutup"):
        import_measurements(
            csv_bytes([["K-1", "", "", "", "K3", "2", ""]]), "n.csv", "2024-T4", None
        )
    assert values() == {}


def test_petugas_outside_scope_is_a_row_error(app, kims, regions):
    outside = factories.kim(regions.desa_b1, "KIM Condro", kimid_number="K-9")
    petugas = factories.user("petugas", scope=[regions.kec_a], username="pa")
    rows = [["K-1", "", "", "", "K3", "2", ""], ["K-9", "", "", "", "K3", "2", ""]]
    result = import_measurements(csv_bytes(rows), "n.csv", "2025-T1", petugas, skip_invalid=True)
    assert result.written and [p.row for p in result.problems] == [3]
    assert set(values()) == {(kims[0].id, "K3")}
    assert (outside.id, "K3") not in values()
    m = db.session.scalar(select(Measurement))
    assert m.recorded_by_id == petugas.id


def test_rules_follow_the_framework_units(app):
    known = rules()
    assert known["K1"].hint == "ya/tidak"
    assert known["K3"].hint == "0–4 butir"
    assert known["W2"].hint == "0–100 %"
    assert known["M2"].kind == "decimal" and known["M1"].kind == "whole"


def test_cli_measure_import(runner, kims, tmp_path):
    good = tmp_path / "nilai.csv"
    good.write_bytes(
        csv_bytes([["K-1", "", "", "", "K1", "1", ""], ["K-2", "", "", "", "M2", "4,5", ""]])
    )
    bad = tmp_path / "salah.csv"
    bad.write_bytes(
        csv_bytes([["K-1", "", "", "", "K1", "1", ""], ["K-2", "", "", "", "K3", "9", ""]])
    )

    refused = runner.invoke(args=["measure", "import", str(bad), "--period", "2025-T1"])
    assert refused.exit_code == 1
    assert "baris 3, kolom Nilai" in refused.output
    assert values() == {}

    ok = runner.invoke(args=["measure", "import", str(good), "--period", "2025-T1"])
    assert ok.exit_code == 0, ok.output
    assert len(values()) == 2
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "measurement.import"))
    assert entry.params["created"] == 2 and entry.user_id is None
