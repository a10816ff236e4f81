"""`flask activity import FILE`, `flask activity counts FILE --period CODE` and
`flask measure import FILE --period CODE` (each with --dry-run and --skip-invalid);
`flask activity harvest [--kim ID] [--all]`, the activity harvest by hand.

They act as the system (every region). Every problem is printed as "baris N, kolom X: pesan"; the
exit code is 1 when the file or a row was refused and nothing was written. The file is read as a
stream: a million rows need no more memory than a thousand (IMPORT_MAX_ROWS caps the rows read;
an operator raises it in the environment for a larger file).
"""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from tracker.cli.common import DRY_RUN, FILE, SKIP_INVALID, exit_on_refusal, import_file
from tracker.io.activity_columns import KIND_COUNTS, KIND_MEASURES, KIND_POSTS
from tracker.models.harvest import HARVEST_ERROR, HARVEST_ERROR_LABELS, HARVEST_STATUS_LABELS
from tracker.services.activity import harvest
from tracker.services.activity.upload_flow import KINDS

activity_cli = AppGroup("activity", help="Data aktivitas website KIM.")
measure_cli = AppGroup("measure", help="Nilai indikator manual.")

PERIOD = click.option("--period", "period_code", required=True, help="Kode periode, mis. 2025-T1.")


@activity_cli.command("import")
@FILE
@DRY_RUN
@SKIP_INVALID
def import_command(file: Path, dry_run: bool, skip_invalid: bool) -> None:
    """Impor unggahan konten website KIM (KIM, jenis, tanggal, judul, tautan)."""
    import_file(KINDS[KIND_POSTS], file, dry_run=dry_run, skip_invalid=skip_invalid)


@activity_cli.command("counts")
@FILE
@PERIOD
@DRY_RUN
@SKIP_INVALID
def counts_command(file: Path, period_code: str, dry_run: bool, skip_invalid: bool) -> None:
    """Impor jumlah Berita, Galeri, Pengumuman dan Agenda per KIM untuk satu periode."""
    options = {"period": period_code}
    import_file(KINDS[KIND_COUNTS], file, options, dry_run=dry_run, skip_invalid=skip_invalid)


@measure_cli.command("import")
@FILE
@PERIOD
@DRY_RUN
@SKIP_INVALID
def measure_import_command(file: Path, period_code: str, dry_run: bool, skip_invalid: bool) -> None:
    """Impor nilai indikator manual (KIM, Indikator, Nilai, Catatan) untuk satu periode."""
    options = {"period": period_code}
    import_file(KINDS[KIND_MEASURES], file, options, dry_run=dry_run, skip_invalid=skip_invalid)


@activity_cli.command("harvest")
@click.option("--kim", "kim_id", type=int, help="Hanya KIM ini (id), jatuh tempo atau tidak.")
@click.option(
    "--all", "every", is_flag=True, help="Semua KIM berwebsite, bukan hanya yang jatuh tempo."
)
def harvest_command(kim_id: int | None, every: bool) -> None:
    """Panen unggahan terbaru dari website KIM (umpan RSS/Atom, API WordPress, peta situs).

    Tanpa --kim: setiap KIM aktif berwebsite yang panen terakhirnya lebih tua dari
    HARVEST_INTERVAL_HOURS, seperti jadwal. Keluar dengan kode 1 bila ada KIM yang gagal.
    """
    if kim_id is not None:
        with exit_on_refusal():
            run = harvest.harvest_kim(None, kim_id)
        summary = harvest.HarvestSummary()
        summary.add(run)
    else:
        summary = harvest.harvest_all() if every else harvest.harvest_due_kims()
    names = harvest.kim_names([run.kim_id for run in summary.runs])
    for run in summary.runs:
        line = f"{names.get(run.kim_id, run.kim_id)}: {HARVEST_STATUS_LABELS[run.status]}"
        if run.status == HARVEST_ERROR:
            line += f" ({HARVEST_ERROR_LABELS.get(run.error_code or '', run.error_code)})"
        else:
            line += f", {run.found} ditemukan, {run.new} baru"
        click.echo(line)
    click.echo(
        f"{summary.kims} KIM dipanen: {summary.ok} berhasil, {summary.not_modified} tanpa "
        f"perubahan, {summary.failed} gagal; {summary.new} unggahan baru."
    )
    if summary.failed:
        raise SystemExit(1)


COMMANDS = (activity_cli, measure_cli)
