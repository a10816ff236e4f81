"""`flask activity import FILE`, `flask activity counts FILE --period CODE` and
`flask measure import FILE --period CODE` (each with --dry-run and --skip-invalid).

They act as the system (every region). Every problem is printed as "baris N, kolom X: pesan"; the
exit code is 1 when the file or a row was refused and nothing was written. The file is read as a
stream: a million rows need no more memory than a thousand (IMPORT_MAX_ROWS caps the rows read;
an operator raises it in the environment for a larger file).
"""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from tracker.cli.common import DRY_RUN, FILE, SKIP_INVALID, import_file
from tracker.io.activity_columns import KIND_COUNTS, KIND_MEASURES, KIND_POSTS
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


COMMANDS = (activity_cli, measure_cli)
