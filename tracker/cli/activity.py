"""`flask activity import FILE`, `flask activity counts FILE --period CODE` and
`flask measure import FILE --period CODE` (each with --dry-run and --skip-invalid).

They act as the system (every region). Every problem is printed as "baris N, kolom X: pesan"; the
exit code is 1 when the file or a row was refused and nothing was written.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from flask.cli import AppGroup

from tracker.cli.common import DRY_RUN, FILE, SKIP_INVALID, refuse_file, report
from tracker.services.activity.content_import import (
    ImportFileError,
    ImportResult,
    import_counts,
    import_posts,
)
from tracker.services.activity.measurements import import_measurements

activity_cli = AppGroup("activity", help="Data aktivitas website KIM.")
measure_cli = AppGroup("measure", help="Nilai indikator manual.")

PERIOD = click.option("--period", "period_code", required=True, help="Kode periode, mis. 2025-T1.")


def _summary(result: ImportResult) -> str:
    verb = "akan" if result.dry_run or result.refused else "telah"
    if result.kind == "unggahan":
        return (
            f"{result.rows} baris: {result.created} unggahan baru {verb} disimpan, "
            f"{result.skipped} sudah ada (dilewati), {result.invalid} baris tidak valid."
        )
    return (
        f"{result.rows} baris (periode {result.period_code}): {result.created} baru, "
        f"{result.updated} diubah, {result.unchanged} tidak berubah, "
        f"{result.invalid} baris tidak valid."
    )


def _import(
    run: Callable[..., ImportResult], file: Path, *args: Any, dry_run: bool, skip_invalid: bool
) -> None:
    """`run(bytes, name, *args, actor=None, …)` as the system, then the report."""
    try:
        result = run(
            file.read_bytes(), file.name, *args, None, dry_run=dry_run, skip_invalid=skip_invalid
        )
    except ImportFileError as error:
        refuse_file(error)
    report(
        result.problems,
        _summary(result),
        refused=result.refused,
        dry_run=result.dry_run,
        invalid=result.invalid,
    )


@activity_cli.command("import")
@FILE
@DRY_RUN
@SKIP_INVALID
def import_command(file: Path, dry_run: bool, skip_invalid: bool) -> None:
    """Impor unggahan konten website KIM (KIM, jenis, tanggal, judul, tautan)."""
    _import(import_posts, file, dry_run=dry_run, skip_invalid=skip_invalid)


@activity_cli.command("counts")
@FILE
@PERIOD
@DRY_RUN
@SKIP_INVALID
def counts_command(file: Path, period_code: str, dry_run: bool, skip_invalid: bool) -> None:
    """Impor jumlah Berita, Galeri, Pengumuman dan Agenda per KIM untuk satu periode."""
    _import(import_counts, file, period_code, dry_run=dry_run, skip_invalid=skip_invalid)


@measure_cli.command("import")
@FILE
@PERIOD
@DRY_RUN
@SKIP_INVALID
def measure_import_command(file: Path, period_code: str, dry_run: bool, skip_invalid: bool) -> None:
    """Impor nilai indikator manual (KIM, Indikator, Nilai, Catatan) untuk satu periode."""
    _import(import_measurements, file, period_code, dry_run=dry_run, skip_invalid=skip_invalid)


COMMANDS = (activity_cli, measure_cli)
