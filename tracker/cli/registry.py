"""Registry commands: `flask region import` (the Kemendagri code list, a file or the one shipped
offline) and `flask kim import|export` (the KIM registry).

They act as the system (every region). An import prints a summary and every problem as
"baris N, kolom X: pesan"; it exits 1 when the file or a row was refused and nothing was written.
"""

from __future__ import annotations

import time
from pathlib import Path

import click
from flask.cli import AppGroup

from tracker.cli.common import DRY_RUN, FILE, SKIP_INVALID, exit_on_refusal, fail, import_file
from tracker.services.registry import kim_export, regions
from tracker.services.registry.kim_import import KimImport

_MAX_LISTED = 200  # a broken national file could list 90k problems; the first ones suffice


region_cli = AppGroup("region", help="Pohon wilayah (kode Kemendagri).")


@region_cli.command("import")
@click.argument("file", required=False, type=click.Path(dir_okay=False))
@click.option(
    "--bundled", is_flag=True, help="Pakai daftar nasional yang dikirim bersama aplikasi."
)
@click.option("--only", "only", metavar="KODE", help="Hanya subpohon kode ini (mis. 35.08).")
def region_import_command(file: str | None, bundled: bool, only: str | None) -> None:
    """Impor wilayah dari CSV (kolom kode, nama, jenis); tingkat dibaca dari kedalaman kode.

    Contoh: flask region import --bundled --only 35.08
    """
    if bool(file) == bundled:
        raise click.UsageError("Sebutkan satu berkas FILE atau --bundled (tidak keduanya).")
    started = time.perf_counter()
    report = (
        regions.import_bundled(None, only) if bundled else regions.import_file(file, None, only)
    )
    if report.error:
        fail(f"Impor wilayah ditolak: {report.error} Tidak ada yang disimpan.")
    if report.problems:
        for problem in report.problems[:_MAX_LISTED]:
            line = str(problem)  # "baris N, kolom X: pesan", as every import prints a problem
            click.echo(line[:1].upper() + line[1:], err=True)
        more = len(report.problems) - _MAX_LISTED
        if more > 0:
            click.echo(f"... dan {more} masalah lain.", err=True)
        fail(
            f"Impor wilayah ditolak: {len(report.problems)} baris bermasalah. "
            "Tidak ada yang disimpan."
        )
    where = f" (hanya {report.only})" if report.only else ""
    click.echo(
        f"Impor wilayah {report.filename}{where} selesai: {report.summary} "
        f"({time.perf_counter() - started:.1f} detik)."
    )


kim_cli = AppGroup("kim", help="Registri KIM: impor dan ekspor.")


@kim_cli.command("import")
@FILE
@DRY_RUN
@SKIP_INVALID
def kim_import_command(file: Path, dry_run: bool, skip_invalid: bool) -> None:
    """Impor registri KIM dari CSV atau XLSX."""
    import_file(KimImport, file, dry_run=dry_run, skip_invalid=skip_invalid)


@kim_cli.command("export")
@click.argument("file", type=click.Path(dir_okay=False, writable=True, path_type=Path))
def kim_export_command(file: Path) -> None:
    """Ekspor seluruh registri KIM ke FILE (.csv atau .xlsx menurut ekstensinya)."""
    with exit_on_refusal():
        count = kim_export.export_file(file)
    click.echo(f"{count} KIM diekspor ke {file}.")


COMMANDS = (
    region_cli,
    kim_cli,
)
