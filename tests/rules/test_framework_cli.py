"""`flask framework init|list|show|activate|compare`."""

from __future__ import annotations

from flask.testing import FlaskCliRunner

from tests import factories
from tracker.services.assessment.runner import assess_period
from tracker.services.rules import frameworks


def test_init_is_idempotent(runner: FlaskCliRunner) -> None:
    first = runner.invoke(args=["framework", "init"])
    assert first.exit_code == 0
    assert "Kerangka bawaan v1 dipasang dan diaktifkan" in first.output
    second = runner.invoke(args=["framework", "init"])
    assert second.exit_code == 0
    assert "Kerangka sudah ada (v1 aktif); tidak ada yang diubah." in second.output
    assert len(frameworks.list_versions(None)) == 1


def test_list_before_and_after_init(runner: FlaskCliRunner) -> None:
    assert "Belum ada kerangka" in runner.invoke(args=["framework", "list"]).output
    frameworks.ensure_default()
    frameworks.create_draft(1, None)
    output = runner.invoke(args=["framework", "list"]).output
    lines = output.splitlines()
    assert lines[1].startswith("v2") and "Draf" in lines[1]
    assert lines[2].startswith("v1") and "Aktif" in lines[2]


def test_show_active_and_given_version(runner: FlaskCliRunner) -> None:
    frameworks.ensure_default()
    output = runner.invoke(args=["framework", "show"]).output
    assert "Kerangka Penilaian KIM v1 (v1, Aktif)" in output
    assert "W1  Berita per bulan [berita/bulan; bobot 35]: 0→0, ≥1→30, ≥4→60, ≥8→80, ≥12→100" in (
        output
    )
    assert "Jenjang: Rintisan < 40 ≤ Berkembang < 60 ≤ Maju < 80 ≤ Mandiri" in output
    assert "Syarat: Mandiri memerlukan D Kemandirian & dampak ≥ 50" in output
    missing = runner.invoke(args=["framework", "show", "4"])
    assert missing.exit_code == 1
    assert "Kerangka v4 tidak ditemukan." in missing.output


def test_show_without_framework(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["framework", "show"])
    assert result.exit_code == 1
    assert "Belum ada kerangka aktif" in result.output


def test_activate(runner: FlaskCliRunner) -> None:
    frameworks.ensure_default()
    frameworks.create_draft(1, None)
    result = runner.invoke(args=["framework", "activate", "2"])
    assert result.exit_code == 0
    assert "Kerangka v2 sekarang aktif." in result.output
    assert frameworks.get(1).state == "retired"
    again = runner.invoke(args=["framework", "activate", "2"])
    assert again.exit_code == 1
    assert "sudah aktif" in again.output
    assert runner.invoke(args=["framework", "activate", "9"]).exit_code == 1


def test_compare(runner: FlaskCliRunner, regions) -> None:
    frameworks.ensure_default()
    period = factories.make_period("2025-T1")
    kim = factories.kim(name="KIM Sumber Makmur", kimid_number="3508-01")
    for code, value in {"K3": 4, "D1": 4, "W2": 100, "W3": 4}.items():
        factories.make_measurement(kim, period, code, value)
    assess_period(period, None)
    frameworks.create_draft(1, None)
    frameworks.edit_draft(2, {"tier_2_min": "65"}, None)
    result = runner.invoke(args=["framework", "compare", "2", "--period", "2025-t1"])
    assert result.exit_code == 0, result.output
    assert "Periode 2025-T1: v1 → v2: 1 dari 1 KIM berganti jenjang (0 naik, 1 turun)." in (
        result.output
    )
    assert "KIM Sumber Makmur (Kutorenon, Sukodono): Maju 60 → Berkembang 60" in result.output
    bad = runner.invoke(args=["framework", "compare", "2", "--period", "2024-T9"])
    assert bad.exit_code == 1
