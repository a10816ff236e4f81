"""`flask kim import FILE [--dry-run] [--skip-invalid]` and `flask kim export FILE`.

Both act as the system (every region). The import prints a summary and every problem as
"baris N, kolom X: pesan"; it exits 1 when the file or a row was refused and nothing was written.
"""

from __future__ import annotations

from pathlib import Path

import click

from tracker.cli import fail, kim_cli
from tracker.cli_commands.importing import DRY_RUN, FILE, SKIP_INVALID, refuse_file, report
from tracker.io.tabular import TableError
from tracker.services import kim_export, kim_import


@kim_cli.command("import")
@FILE
@DRY_RUN
@SKIP_INVALID
def import_command(file: Path, dry_run: bool, skip_invalid: bool) -> None:
    """Impor registri KIM dari CSV atau XLSX."""
    result = kim_import.import_kims(
        file.read_bytes(), file.name, None, dry_run=dry_run, skip_invalid=skip_invalid
    )
    if result.file_error:
        refuse_file(result.file_error)
    report(
        result.problems,
        result.summary(),
        refused=result.refused,
        dry_run=dry_run,
        invalid=len(result.invalid_rows),
    )


@kim_cli.command("export")
@click.argument("file", type=click.Path(dir_okay=False, writable=True, path_type=Path))
def export_command(file: Path) -> None:
    """Ekspor seluruh registri KIM ke FILE (.csv atau .xlsx menurut ekstensinya)."""
    try:
        count = kim_export.export_file(file)
    except TableError as error:
        fail(f"Gagal: {error}")
    click.echo(f"{count} KIM diekspor ke {file}.")
