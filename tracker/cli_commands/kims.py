"""`flask kim import FILE [--dry-run] [--skip-invalid]` and `flask kim export FILE`.

Both act as the system (every region). The import prints a summary and every problem as
"baris N, kolom X: pesan"; it exits 1 when the file or a row was refused and nothing was written.
"""

from __future__ import annotations

from pathlib import Path

import click

from tracker.cli import fail, kim_cli
from tracker.io.tabular import TableError
from tracker.services import kim_export, kim_import


@kim_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Periksa saja; tidak ada yang disimpan.")
@click.option(
    "--skip-invalid", is_flag=True, help="Simpan baris yang valid, lewati baris yang tidak valid."
)
def import_command(file: Path, dry_run: bool, skip_invalid: bool) -> None:
    """Impor registri KIM dari CSV atau XLSX."""
    result = kim_import.import_kims(
        file.read_bytes(), file.name, None, dry_run=dry_run, skip_invalid=skip_invalid
    )
    if result.file_error:
        fail(f"Gagal: {result.file_error} Tidak ada yang disimpan.")
    for problem in result.problems:
        click.echo(str(problem), err=True)
    click.echo(result.summary())
    if result.refused:
        fail(
            "Impor dibatalkan: ada baris yang tidak valid, tidak ada yang disimpan. "
            "Perbaiki berkasnya, atau gunakan --skip-invalid untuk menyimpan baris yang valid saja."
        )
    if dry_run:
        click.echo("Uji coba (--dry-run): tidak ada yang disimpan.")
    elif result.problems:
        click.echo(f"Disimpan; {len(result.invalid_rows)} baris tidak valid dilewati.")
    else:
        click.echo("Disimpan.")


@kim_cli.command("export")
@click.argument("file", type=click.Path(dir_okay=False, writable=True, path_type=Path))
def export_command(file: Path) -> None:
    """Ekspor seluruh registri KIM ke FILE (.csv atau .xlsx menurut ekstensinya)."""
    try:
        count = kim_export.export_file(file)
    except TableError as error:
        fail(f"Gagal: {error}")
    click.echo(f"{count} KIM diekspor ke {file}.")
