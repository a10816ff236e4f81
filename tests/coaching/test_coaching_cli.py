"""`flask topic …` and `flask session …`: the same services as the pages, for the operator."""

from __future__ import annotations

from datetime import date

from openpyxl import load_workbook

from tests import factories
from tests.coaching.conftest import District


def test_topic_init_and_list(runner, regions) -> None:
    result = runner.invoke(args=["topic", "init"])
    assert result.exit_code == 0 and "10 materi bawaan dipasang." in result.output
    assert "Katalog sudah berisi" in runner.invoke(args=["topic", "init"]).output
    listed = runner.invoke(args=["topic", "list"]).output
    assert "Kalender editorial" in listed and "W2, W4" in listed


def test_session_list_export_and_effect(runner, district: District, tmp_path) -> None:
    session = factories.make_session(
        "Pelatihan Foto",
        date(2025, 2, 10),
        invited=[district.a1, district.b1],
        attended=[district.a1],
    )
    factories.make_session("Lama", date(2024, 6, 1), invited=[district.a1])
    listed = runner.invoke(args=["session", "list", "--from", "1 Januari 2025"])
    assert listed.exit_code == 0
    assert "Pelatihan Foto" in listed.output and "1/2" in listed.output
    assert "Lama" not in listed.output
    target = tmp_path / "hadir.xlsx"
    result = runner.invoke(args=["session", "export", str(session.id), str(target)])
    assert result.exit_code == 0, result.output
    rows = list(load_workbook(target).worksheets[0].iter_rows(values_only=True))
    assert len(rows) == 3 and rows[1][1] == "Pelatihan Foto"
    effect = runner.invoke(args=["session", "effect", str(session.id)])
    assert effect.exit_code == 0
    assert "belum ada periode yang dinilai sesudah sesi ini" in effect.output
    missing = runner.invoke(args=["session", "effect", "999"])
    assert missing.exit_code == 1 and "Sesi pembinaan tidak ditemukan." in missing.output
