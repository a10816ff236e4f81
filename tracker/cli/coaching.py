"""Coaching commands: `flask topic list|init|effect` and `flask session
list|import|export|effect`, the same services as the /pembinaan pages (the operator sees every
region)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click
from flask.cli import AppGroup

from tracker.cli.common import (
    DRY_RUN,
    FILE,
    SKIP_INVALID,
    exit_on_refusal,
    import_file,
    write_file,
)
from tracker.io.values import CellError, parse_date
from tracker.services.coaching import attendance, effect, sessions, topics
from tracker.services.coaching.attendance_import import AttendanceImport
from tracker.services.coaching.effect import EffectReport
from tracker.services.letters.attendance_print import print_attendance

topic_cli = AppGroup("topic", help="Katalog materi pembinaan.")
session_cli = AppGroup("session", help="Sesi pembinaan dan daftar hadirnya.")


def _day(raw: str | None, option: str) -> date | None:
    if not raw:
        return None
    try:
        return parse_date(raw)
    except CellError as exc:
        raise click.BadParameter(str(exc), param_hint=option) from exc


@topic_cli.command("list")
def topic_list() -> None:
    """Daftar materi pembinaan dengan indikatornya."""
    rows = topics.list_topics(None)
    if not rows:
        click.echo("Katalog materi masih kosong (flask topic init memasang katalog bawaan).")
    for row in rows:
        click.echo(f"{row.id:>4}  {row.name:<40} {', '.join(row.codes):<12} {row.sessions} sesi")


@topic_cli.command("init")
def topic_init() -> None:
    """Pasang katalog materi bawaan bila katalog masih kosong."""
    added = topics.ensure_default_topics(None)
    click.echo(
        f"{added} materi bawaan dipasang." if added else "Katalog sudah berisi; tidak diubah."
    )


def _print_effect(report: EffectReport, output: str | None) -> None:
    click.echo(f"Dampak pembinaan: {report.title}")
    for reason in report.skipped:
        click.echo(f"  dilewati: {reason}")
    comparison = report.comparison
    if comparison is None:
        click.echo("Belum ada yang dapat dibandingkan (perlu penilaian sebelum dan sesudahnya).")
    else:
        click.echo("  periode: " + ", ".join(f"{b} → {a}" for b, a in report.pairs))
        for label, group in (("Peserta", comparison.attended), ("Pembanding", comparison.compared)):
            mean = "—" if group.mean is None else f"{group.mean:+.2f}"
            sd = "—" if group.sd is None else f"{group.sd:.2f}"
            click.echo(
                f"  {label:<11} n={group.size:<4} rata-rata {mean:>7}  simpangan baku {sd:>6}  "
                f"naik {group.up}, tetap {group.same}, turun {group.down}"
            )
        verdicts = {
            "too_small": f"kelompok terlalu kecil untuk menyimpulkan (< {report.min_group} KIM)",
            "unclear": "belum terlihat perbedaan yang jelas",
            "higher": "peserta naik lebih banyak daripada pembanding",
            "lower": "peserta naik lebih sedikit daripada pembanding",
        }
        click.echo(f"  kesimpulan: {verdicts[comparison.verdict]}")
    if output:
        fmt = Path(output).suffix.lower().lstrip(".")
        with exit_on_refusal("Ekspor tidak dibuat:"):
            exported = effect.export_effect(None, report.subject, report.subject_id, fmt)
        write_file(output, exported.payload)
        click.echo(f"{exported.rows} KIM ditulis ke {output}.")


@topic_cli.command("effect")
@click.argument("topic_id", type=int)
@click.option("--output", metavar="FILE", help="Tulis semua KIM yang dibandingkan (.csv/.xlsx).")
def topic_effect(topic_id: int, output: str | None) -> None:
    """Dampak semua sesi satu materi: peserta dibandingkan KIM sejenjang yang tidak hadir."""
    with exit_on_refusal():
        report = effect.topic_effect(None, topic_id)
    _print_effect(report, output)


@session_cli.command("list")
@click.option("--from", "date_from", metavar="TANGGAL", help="Sejak tanggal ini.")
@click.option("--to", "date_to", metavar="TANGGAL", help="Sampai tanggal ini.")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(min=1, max=10000))
def session_list(date_from: str | None, date_to: str | None, limit: int) -> None:
    """Sesi pembinaan, terbaru lebih dulu, dengan jumlah KIM diundang dan hadir."""
    flt = sessions.SessionFilter(date_from=_day(date_from, "--from"), date_to=_day(date_to, "--to"))
    page = sessions.sessions_page(None, flt, 1, limit)
    if not page.page.items:
        click.echo("Belum ada sesi pembinaan.")
    for row in page.page.items:
        click.echo(
            f"{row.id:>5}  {row.start_date.isoformat()}  {row.title[:48]:<48} "
            f"{row.attended:>4}/{row.invited:<4} KIM hadir"
        )


@session_cli.command("import")
@FILE
@DRY_RUN
@SKIP_INVALID
def session_import(file: Path, dry_run: bool, skip_invalid: bool) -> None:
    """Impor daftar hadir (CSV/XLSX, satu baris per peserta): sesi dicocokkan dari nama
    kegiatan dan tanggal, atau dibuat."""
    import_file(AttendanceImport, file, dry_run=dry_run, skip_invalid=skip_invalid)


@session_cli.command("export")
@click.argument("session_id", type=int)
@click.argument("file", type=click.Path(dir_okay=False))
def session_export(session_id: int, file: str) -> None:
    """Daftar hadir satu sesi ke FILE (.xlsx atau .csv; .pdf: untuk dicetak dengan kop surat)."""
    fmt = Path(file).suffix.lower().lstrip(".")
    with exit_on_refusal("Ekspor tidak dibuat:"):
        if fmt == "pdf":
            exported = print_attendance(None, session_id)
        else:
            exported = attendance.export_attendance(None, session_id, fmt)
    write_file(file, exported.payload)
    click.echo(f"Daftar hadir ({exported.rows} baris) ditulis ke {file}.")


@session_cli.command("effect")
@click.argument("session_id", type=int)
@click.option("--output", metavar="FILE", help="Tulis semua KIM yang dibandingkan (.csv/.xlsx).")
def session_effect(session_id: int, output: str | None) -> None:
    """Dampak satu sesi: peserta dibandingkan KIM sejenjang yang tidak hadir."""
    with exit_on_refusal():
        report = effect.session_effect(None, session_id)
    _print_effect(report, output)


COMMANDS = (topic_cli, session_cli)
