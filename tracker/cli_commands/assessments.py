"""`flask assess run|export` and `flask leaderboard`: the same services as the period pages."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from tracker.cli import EXTRA_COMMANDS, assess_cli, fail
from tracker.io.values import CellError, parse_date
from tracker.services import assessment, assessment_reports, leaderboard
from tracker.services.assessment import AssessmentError
from tracker.services.assessment_reports import AssessmentNotFoundError
from tracker.services.clock import office_today


@assess_cli.command("run")
@click.option("--period", "code", required=True, metavar="KODE", help="Mis. 2025-T1.")
def run_command(code: str) -> None:
    """Nilai semua KIM aktif untuk satu periode dengan kerangka yang aktif."""
    try:
        run = assessment.assess_period(code, None)
    except AssessmentError as exc:
        fail(f"Penilaian tidak dijalankan: {exc}")
    tiers = ", ".join(f"{tier} {n}" for tier, n in run.tier_counts.items())
    click.echo(
        f"Penilaian {run.period_code} (kerangka v{run.framework_version}) selesai: "
        f"{run.kims_assessed} KIM dinilai dalam {run.duration_seconds:.2f} detik. {tiers}."
    )


@assess_cli.command("export")
@click.option("--period", "code", required=True, metavar="KODE", help="Mis. 2025-T1.")
@click.argument("file", type=click.Path(dir_okay=False))
def export_command(code: str, file: str) -> None:
    """Ekspor hasil penilaian satu periode ke FILE (.csv atau .xlsx, menurut ekstensinya)."""
    fmt = Path(file).suffix.lower().lstrip(".")
    try:
        exported = assessment_reports.export_assessments(None, code, fmt)
    except AssessmentNotFoundError:
        fail(f"Periode {code.strip()} tidak ditemukan.")
    except AssessmentError as exc:
        fail(f"Ekspor tidak dibuat: {exc}")
    try:
        Path(file).write_bytes(exported.payload)
    except OSError as exc:
        fail(f"Ekspor tidak dibuat: berkas {file} tidak dapat ditulis ({exc.strerror or exc}).")
    click.echo(f"{exported.rows} penilaian {code.strip()} ditulis ke {file}.")


def _until(raw: str | None) -> date:
    if not raw:
        return office_today()
    try:
        return parse_date(raw)
    except CellError as exc:
        raise click.BadParameter(str(exc), param_hint="--until") from exc


@click.command("leaderboard")
@click.option("--until", "until", metavar="TANGGAL", help="Sampai tanggal ini (bawaan: hari ini).")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(min=1))
@click.option("--kecamatan", metavar="NAMA", help="Hanya KIM di kecamatan ini.")
def leaderboard_command(until: str | None, limit: int, kecamatan: str | None) -> None:
    """Top Konten: KIM dengan unggahan website terbanyak (berita+galeri+pengumuman+agenda)."""
    day = _until(until)
    try:
        code = leaderboard.find_kecamatan(kecamatan) if kecamatan else None
    except leaderboard.LeaderboardError as exc:
        fail(str(exc))
    page = leaderboard.leaderboard(None, until=day, kecamatan_code=code, per_page=limit)
    click.echo(f"Top Konten sampai {day.isoformat()}" + (f", Kec. {kecamatan}" if code else ""))
    if not page.items:
        click.echo("Belum ada unggahan.")
        return
    click.echo(
        f"{'#':>4}  {'KIM':<32} {'Desa':<20} {'Berita':>7} {'Galeri':>7} {'Pengum.':>7} "
        f"{'Agenda':>7} {'Total':>7}"
    )
    for row in page.items:
        click.echo(
            f"{row.rank:>4}  {row.name[:32]:<32} {row.desa[:20]:<20} {row.berita:>7} "
            f"{row.galeri:>7} {row.pengumuman:>7} {row.agenda:>7} {row.total:>7}"
        )


EXTRA_COMMANDS.append(leaderboard_command)
