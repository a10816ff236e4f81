"""`flask region import`: load the Kemendagri code list (a file, or the one shipped offline)."""

from __future__ import annotations

import time

import click

from tracker.cli import fail, region_cli
from tracker.services import regions

_MAX_LISTED = 200  # a broken national file could list 90k problems; the first ones suffice


@region_cli.command("import")
@click.argument("file", required=False, type=click.Path(dir_okay=False))
@click.option(
    "--bundled", is_flag=True, help="Pakai daftar nasional yang dikirim bersama aplikasi."
)
@click.option("--only", "only", metavar="KODE", help="Hanya subpohon kode ini (mis. 35.08).")
def import_command(file: str | None, bundled: bool, only: str | None) -> None:
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
