"""`flask assess run|export` and `flask leaderboard`: output, files and exit codes."""

from __future__ import annotations

import csv
from datetime import date

import pytest
from openpyxl import load_workbook

from tests import factories
from tracker.services.rules import frameworks


@pytest.fixture
def period(regions):  # type: ignore[no-untyped-def]
    frameworks.ensure_default()
    return factories.make_period("2025-T1")


def test_run_assesses_and_reports_counts(runner, period):
    factories.kim(website="https://a.example")
    factories.kim()
    result = runner.invoke(args=["assess", "run", "--period", "2025-t1"])
    assert result.exit_code == 0, result.output
    assert "Penilaian 2025-T1 (kerangka v1) selesai: 2 KIM dinilai" in result.output
    assert "Rintisan 2" in result.output


def test_run_refusals_exit_non_zero(runner, period):
    unknown = runner.invoke(args=["assess", "run", "--period", "2031-T1"])
    assert unknown.exit_code == 1
    assert "tidak ditemukan" in unknown.output
    factories.make_period("2024-T4", state="closed")
    closed = runner.invoke(args=["assess", "run", "--period", "2024-T4"])
    assert closed.exit_code == 1
    assert "sudah ditutup" in closed.output
    assert runner.invoke(args=["assess", "run"]).exit_code == 2


def _assessed(runner) -> None:  # type: ignore[no-untyped-def]
    factories.kim(name='=HYPERLINK("http://evil.example")', kimid_number="+62-001")
    factories.kim(name="KIM Sumberejo", desa_code="35.08.09.2002", website="https://s.example")
    assert runner.invoke(args=["assess", "run", "--period", "2025-T1"]).exit_code == 0


def test_export_csv_has_every_column_and_escapes_formulas(runner, period, tmp_path):
    _assessed(runner)
    target = tmp_path / "hasil.csv"
    result = runner.invoke(args=["assess", "export", "--period", "2025-T1", str(target)])
    assert result.exit_code == 0, result.output
    assert "2 penilaian 2025-T1 ditulis" in result.output
    rows = list(csv.reader(target.read_text(encoding="utf-8-sig").splitlines()))
    assert rows[0] == [
        "Nomor KIM.id",
        "KIM",
        "Desa",
        "Kecamatan",
        "Skor",
        "Skor K Kelembagaan",
        "Skor W Aktivitas website",
        "Skor M Media sosial",
        "Skor P Pembinaan",
        "Skor D Kemandirian & dampak",
        "Jenjang mentah",
        "Jenjang",
        "Alasan",
        "Tertahan oleh",
        "Jenjang tujuan",
        "Kurang poin",
        "Dapat dicapai dalam satu periode",
        "Langkah 1",
        "Materi pembinaan 1",
        "Langkah 2",
        "Materi pembinaan 2",
        "Langkah 3",
        "Materi pembinaan 3",
    ]
    by_desa = {r[2]: r for r in rows[1:]}
    evil = by_desa["Kutorenon"]
    assert evil[0] == "'+62-001"
    assert evil[1] == '\'=HYPERLINK("http://evil.example")'
    assert evil[3] == "Sukodono"
    assert (evil[10], evil[11]) == ("Rintisan", "Rintisan")
    assert evil[12] == "Skor 5,00 berada pada rentang Rintisan."
    # nothing holds it back (no gate, no condition): its roadmap's first steps and their topics
    assert evil[13:17] == ["", "Berkembang", "35,00", "ya"]
    assert evil[17] == "M1 Kanal medsos aktif: data belum ada → ≥ 1 kanal (+3,75 poin)"
    assert evil[18] == "Pengelolaan media sosial KIM"
    assert evil[20] == "Perencanaan kalender konten mingguan"
    fine = by_desa["Sumberejo"]
    assert float(fine[4]) == 5.0  # P = 50 is all there is: 10 % of the total
    assert float(fine[8]) == 50.0


def test_export_xlsx(runner, period, tmp_path):
    _assessed(runner)
    target = tmp_path / "hasil.xlsx"
    assert (
        runner.invoke(args=["assess", "export", "--period", "2025-T1", str(target)]).exit_code == 0
    )
    sheet = load_workbook(target).worksheets[0]
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0][0] == "Nomor KIM.id"
    names = sorted(row[1] for row in values[1:])
    assert names == ['\'=HYPERLINK("http://evil.example")', "KIM Sumberejo"]
    assert [row[4] for row in values[1:]] == [5, 5]  # numbers, not text


def test_export_refusals(runner, period, tmp_path):
    not_yet = runner.invoke(
        args=["assess", "export", "--period", "2025-T1", str(tmp_path / "a.csv")]
    )
    assert not_yet.exit_code == 1
    assert "belum dinilai" in not_yet.output
    _assessed(runner)
    wrong = runner.invoke(args=["assess", "export", "--period", "2025-T1", str(tmp_path / "a.txt")])
    assert wrong.exit_code == 1
    assert "tidak didukung" in wrong.output
    assert not (tmp_path / "a.txt").exists()
    missing = runner.invoke(
        args=["assess", "export", "--period", "2030-T1", str(tmp_path / "a.csv")]
    )
    assert missing.exit_code == 1


def test_leaderboard_command(runner, regions):
    day = date(2025, 3, 1)
    for name, desa, n in (
        ("KIM Satu", regions.desa_a1, 3),
        ("KIM Dua", regions.desa_b1, 5),
        ("KIM Tiga", regions.desa_a2, 1),
    ):
        factories.make_posts(factories.kim(name=name, desa_code=desa), *[("berita", day)] * n)
    result = runner.invoke(args=["leaderboard", "--until", "2025-03-31", "--limit", "2"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    ranked = [line.split()[1:3] for line in lines[2:]]
    assert ranked == [["KIM", "Dua"], ["KIM", "Satu"]]
    kec = runner.invoke(
        args=["leaderboard", "--until", "31/03/2025", "--kecamatan", "Kec. Sukodono"]
    )
    assert kec.exit_code == 0
    assert "KIM Dua" not in kec.output
    assert "KIM Satu" in kec.output and "KIM Tiga" in kec.output
    early = runner.invoke(args=["leaderboard", "--until", "2025-02-01"])
    assert "Belum ada unggahan" in early.output
    assert runner.invoke(args=["leaderboard", "--kecamatan", "Atlantis"]).exit_code == 1
    assert runner.invoke(args=["leaderboard", "--until", "kemarin"]).exit_code == 2
    assert runner.invoke(args=["leaderboard", "--limit", "0"]).exit_code == 2


def test_export_into_a_missing_folder_is_a_message_not_a_traceback(runner, period, tmp_path):
    factories.kim()
    assert runner.invoke(args=["assess", "run", "--period", "2025-T1"]).exit_code == 0
    target = tmp_path / "tidak-ada" / "hasil.csv"
    result = runner.invoke(args=["assess", "export", "--period", "2025-T1", str(target)])
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit)
    assert "tidak dapat ditulis" in result.output
