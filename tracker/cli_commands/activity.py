"""`flask activity import FILE`, `flask activity counts FILE --period CODE` and
`flask measure import FILE --period CODE` (each with --dry-run and --skip-invalid).

They act as the system (every region). Every problem is printed as "baris N, kolom X: pesan"; the
exit code is 1 when the file or a row was refused and nothing was written.
"""

from __future__ import annotations

from pathlib import Path

import click

from tracker.cli import activity_cli, fail, measure_cli
from tracker.services.activity_import import (
    ImportFileError,
    ImportResult,
    import_counts,
    import_posts,
)
from tracker.services.measurements import import_measurements

FILE = click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
DRY_RUN = click.option("--dry-run", is_flag=True, help="Periksa saja; tidak ada yang disimpan.")
SKIP_INVALID = click.option(
    "--skip-invalid", is_flag=True, help="Simpan baris yang valid, lewati baris yang tidak valid."
)
PERIOD = click.option("--period", "period_code", required=True, help="Kode periode, mis. 2025-T1.")


def _report(result: ImportResult) -> None:
    for problem in result.problems:
        click.echo(str(problem), err=True)
    verb = "akan" if result.dry_run or result.refused else "telah"
    if result.kind == "unggahan":
        click.echo(
            f"{result.rows} baris: {result.created} unggahan baru {verb} disimpan, "
            f"{result.skipped} sudah ada (dilewati), {result.invalid} baris tidak valid."
        )
    else:
        click.echo(
            f"{result.rows} baris (periode {result.period_code}): {result.created} baru, "
            f"{result.updated} diubah, {result.unchanged} tidak berubah, "
            f"{result.invalid} baris tidak valid."
        )
    if result.refused:
        fail(
            "Impor dibatalkan: ada baris yang tidak valid, tidak ada yang disimpan. "
            "Perbaiki berkasnya, atau gunakan --skip-invalid untuk menyimpan baris yang valid saja."
        )
    if result.dry_run:
        click.echo("Uji coba (--dry-run): tidak ada yang disimpan.")
    elif result.problems:
        click.echo(f"Disimpan; {result.invalid} baris tidak valid dilewati.")
    else:
        click.echo("Disimpan.")


@activity_cli.command("import")
@FILE
@DRY_RUN
@SKIP_INVALID
def import_command(file: Path, dry_run: bool, skip_invalid: bool) -> None:
    """Impor unggahan konten website KIM (KIM, jenis, tanggal, judul, tautan)."""
    try:
        result = import_posts(
            file.read_bytes(), file.name, None, dry_run=dry_run, skip_invalid=skip_invalid
        )
    except ImportFileError as error:
        fail(f"Gagal: {error} Tidak ada yang disimpan.")
    _report(result)


@activity_cli.command("counts")
@FILE
@PERIOD
@DRY_RUN
@SKIP_INVALID
def counts_command(file: Path, period_code: str, dry_run: bool, skip_invalid: bool) -> None:
    """Impor jumlah Berita, Galeri, Pengumuman dan Agenda per KIM untuk satu periode."""
    try:
        result = import_counts(
            file.read_bytes(),
            file.name,
            period_code,
            None,
            dry_run=dry_run,
            skip_invalid=skip_invalid,
        )
    except ImportFileError as error:
        fail(f"Gagal: {error} Tidak ada yang disimpan.")
    _report(result)


@measure_cli.command("import")
@FILE
@PERIOD
@DRY_RUN
@SKIP_INVALID
def measure_import_command(file: Path, period_code: str, dry_run: bool, skip_invalid: bool) -> None:
    """Impor nilai indikator manual (KIM, Indikator, Nilai, Catatan) untuk satu periode."""
    try:
        result = import_measurements(
            file.read_bytes(),
            file.name,
            period_code,
            None,
            dry_run=dry_run,
            skip_invalid=skip_invalid,
        )
    except ImportFileError as error:
        fail(f"Gagal: {error} Tidak ada yang disimpan.")
    _report(result)
