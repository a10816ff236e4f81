"""Rules commands: `flask period add|close|reopen|list` and
`flask framework init|list|show|activate|compare`.

They act as the system (no scope); every change is audit-logged without a user.
"""

from __future__ import annotations

import click
from flask.cli import AppGroup
from flask_babel import format_date

from tracker.cli.common import exit_on_refusal, fail
from tracker.models import Period
from tracker.models.framework import FRAMEWORK_STATE_LABELS
from tracker.models.period import PERIOD_STATE_LABELS
from tracker.scoring.describe import condition_text, rule_text, tier_text
from tracker.scoring.framework import load_framework
from tracker.scoring.periods import KIND_LABELS
from tracker.services.assessment import whatif
from tracker.services.rules import frameworks, periods
from tracker.services.rules.frameworks import FrameworkRulesInvalid

period_cli = AppGroup("period", help="Periode penilaian.")


def _span(period: Period) -> str:
    return (
        f"{format_date(period.start_date, 'd MMMM y')} – {format_date(period.end_date, 'd MMMM y')}"
    )


@period_cli.command("add")
@click.argument("code")
def period_add_command(code: str) -> None:
    """Tambah periode: 2025-T1 (triwulan), 2025-S1 (semester) atau 2025 (tahun)."""
    with exit_on_refusal():
        period = periods.add_period(code, None)
    click.echo(f"Periode {period.code} ({_span(period)}) ditambahkan.")


@period_cli.command("close")
@click.argument("code")
def period_close_command(code: str) -> None:
    """Tutup periode: penilaiannya dibekukan, datanya tidak dapat diubah lagi."""
    with exit_on_refusal():
        period = periods.close_period(code, None)
    click.echo(f"Periode {period.code} ditutup.")


@period_cli.command("reopen")
@click.argument("code")
@click.option("--reason", required=True, help="Alasan membuka kembali (dicatat di log audit).")
def period_reopen_command(code: str, reason: str) -> None:
    """Buka kembali periode yang sudah ditutup, dengan alasan yang dicatat."""
    try:
        period = periods.reopen_period(code, reason, None)
    except periods.PeriodNotFoundError:
        fail(f"Gagal: periode {code.strip()} tidak ditemukan.")
    except periods.PeriodError as error:
        fail(f"Gagal: {error}")
    click.echo(f"Periode {period.code} dibuka kembali.")


@period_cli.command("list")
def period_list_command() -> None:
    """Daftar periode, terbaru dulu."""
    rows = periods.list_periods(None)
    if not rows:
        click.echo("Belum ada periode.")
        return
    for row in rows:
        p = row.period
        click.echo(
            f"{p.code:<8} {KIND_LABELS.get(p.kind, p.kind):<9} {_span(p):<36} "
            f"{PERIOD_STATE_LABELS.get(p.state, p.state):<8} {row.assessed} KIM dinilai"
        )


framework_cli = AppGroup("framework", help="Kerangka penilaian.")


@framework_cli.command("init")
def init() -> None:
    """Pasang kerangka bawaan v1 sebagai kerangka aktif bila belum ada kerangka."""
    row = frameworks.ensure_default()
    if row is None:
        active = frameworks.get_active()
        which = f"v{active.version} aktif" if active is not None else "tidak ada yang aktif"
        click.echo(f"Kerangka sudah ada ({which}); tidak ada yang diubah.")
        return
    click.echo(f"Kerangka bawaan v{row.version} dipasang dan diaktifkan: {row.name}.")


@framework_cli.command("list")
def list_versions() -> None:
    """Daftar versi kerangka dan statusnya."""
    rows = frameworks.list_versions(None)
    if not rows:
        click.echo("Belum ada kerangka. Jalankan `flask framework init`.")
        return
    click.echo(f"{'VERSI':<6} {'STATUS':<14} {'PENILAIAN':>9}  NAMA")
    for item in rows:
        fw = item.framework
        state = FRAMEWORK_STATE_LABELS.get(fw.state, fw.state)
        click.echo(f"v{fw.version:<5} {state:<14} {item.assessments:>9}  {fw.name}")


@framework_cli.command("show")
@click.argument("version", type=int, required=False)
def show(version: int | None) -> None:
    """Tampilkan aturan satu versi (bawaan: versi aktif)."""
    with exit_on_refusal():
        row = frameworks.get(version) if version is not None else frameworks.get_active()
    if row is None:
        fail("Belum ada kerangka aktif. Jalankan `flask framework init`.")
    fw = load_framework(row.definition)
    state = FRAMEWORK_STATE_LABELS.get(row.state, row.state)
    click.echo(f"{fw.name} (v{row.version}, {state})")
    if fw.description:
        click.echo(fw.description)
    for dim in fw.dimensions:
        click.echo(f"\n{dim.code} {dim.name} — bobot {_num(dim.weight)}")
        for code in dim.indicators:
            ind = fw.indicators[code]
            weight = "syarat dasar" if ind.is_gate else f"bobot {_num(ind.weight)}"
            click.echo(f"  {code:<3} {ind.name} [{ind.unit}; {weight}]: {rule_text(ind)}")
    click.echo(f"\nJenjang: {tier_text(fw)}")
    for cond in fw.conditions:
        click.echo(f"Syarat: {condition_text(fw, cond)}")
    click.echo(
        f"Stabilitas: naik paling banyak {fw.stability.max_promotion} jenjang per periode; "
        f"turun langsung bila skor ≥ {_num(fw.stability.demotion_margin)} poin di bawah batas "
        "bawah jenjang."
    )


@framework_cli.command("activate")
@click.argument("version", type=int)
def activate(version: int) -> None:
    """Aktifkan satu versi; versi aktif sebelumnya tidak dipakai lagi."""
    with exit_on_refusal():
        try:
            row = frameworks.activate(version, None)
        except FrameworkRulesInvalid as exc:  # one problem a line
            fail("Kerangka tidak valid:\n- " + "\n- ".join(exc.problems))
    click.echo(f"Kerangka v{row.version} sekarang aktif.")


@framework_cli.command("compare")
@click.argument("version", type=int)
@click.option("--period", "period_code", default=None, help="Kode periode (bawaan: terakhir).")
def compare(version: int, period_code: str | None) -> None:
    """Berapa KIM berganti jenjang bila versi ini dipakai untuk periode yang sudah dinilai."""
    with exit_on_refusal():
        result = whatif.compare(version, period_code, None, per_page=100_000)
    click.echo(
        f"Periode {result.period_code}: v{result.current_version} → v{result.draft_version}: "
        f"{result.changed_count} dari {result.compared} KIM berganti jenjang "
        f"({result.up} naik, {result.down} turun)."
    )
    for r in result.changed.items:
        click.echo(
            f"  {r.name} ({r.desa}, {r.kecamatan}): {r.tier_now} {_num(r.score_now)} → "
            f"{r.tier_draft} {_num(r.score_draft)}"
        )


def _num(value: object) -> str:
    text = f"{float(value):.2f}".rstrip("0").rstrip(".")  # type: ignore[arg-type]
    return text.replace(".", ",")


COMMANDS = (
    period_cli,
    framework_cli,
)
