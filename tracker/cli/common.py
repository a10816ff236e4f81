"""What the commands share: how they fail and, for the spreadsheet imports, their FILE argument,
options and report.

A service's refusal (any ServiceError) is printed to stderr with its message and exits 1, through
`exit_on_refusal`. Every problem of an import is printed to stderr as "baris N, kolom X: pesan",
then the summary; the exit code is 1 when the file or a row was refused and nothing was written.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn

import click

from tracker.io.tabular import Problem
from tracker.services.common.errors import ServiceError
from tracker.services.common.import_pipeline import ImportRun, run_import


def fail(message: str, code: int = 1) -> NoReturn:
    """Print an Indonesian error to stderr and exit non-zero."""
    click.echo(message, err=True)
    sys.exit(code)


@contextmanager
def exit_on_refusal(prefix: str = "Gagal:", suffix: str = "") -> Iterator[None]:
    """Run a command's service calls; a ServiceError is printed ("Gagal: <its message>", or the
    command's own `prefix`, then `suffix`) and the command exits 1: the one way every command
    reports a refusal, whatever its kind."""
    try:
        yield
    except ServiceError as error:
        fail(" ".join(part for part in (prefix, error.message, suffix) if part))


FILE = click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
DRY_RUN = click.option("--dry-run", is_flag=True, help="Periksa saja; tidak ada yang disimpan.")
SKIP_INVALID = click.option(
    "--skip-invalid", is_flag=True, help="Simpan baris yang valid, lewati baris yang tidak valid."
)


def _listed(problems: Sequence[Problem], unlisted: int, prefix: str = "") -> None:
    for problem in problems:
        click.echo(prefix + str(problem), err=True)
    if unlisted > 0:
        click.echo(f"... dan {unlisted} lainnya.", err=True)


def import_file(
    kind: type[ImportRun],
    file: Path,
    options: Mapping[str, Any] | None = None,
    *,
    dry_run: bool,
    skip_invalid: bool,
) -> None:
    """Run a spreadsheet import as the system (every region), reading FILE as a stream, and
    report: the problems, the warnings, one summary line, what was saved."""
    # the file as a whole refused (unreadable, a column missing, period closed…), or a
    # concurrent change: nothing was written
    with exit_on_refusal(suffix="Tidak ada yang disimpan."):
        result = run_import(
            kind, file, file.name, None, options, dry_run=dry_run, skip_invalid=skip_invalid
        )
    _listed(result.problems, result.unlisted_problems)
    _listed(result.warnings, result.unlisted_warnings, "Peringatan: ")
    period = f" (periode {result.period_code})" if result.period_code else ""
    click.echo(f"{result.rows} baris{period}: {kind.summary(result)}")
    if result.refused:
        fail(
            "Impor dibatalkan: ada baris yang tidak valid, tidak ada yang disimpan. "
            "Perbaiki berkasnya, atau gunakan --skip-invalid untuk menyimpan baris yang valid saja."
        )
    if dry_run:
        click.echo("Uji coba (--dry-run): tidak ada yang disimpan.")
    elif result.invalid:
        click.echo(f"Disimpan; {result.invalid} baris tidak valid dilewati.")
    else:
        click.echo("Disimpan.")


def write_file(file: str | Path, payload: bytes, prefix: str = "Ekspor tidak dibuat:") -> None:
    """Write an export to `file`; a file that cannot be written is a refusal (exit 1)."""
    try:
        Path(file).write_bytes(payload)
    except OSError as exc:
        fail(f"{prefix} berkas {file} tidak dapat ditulis ({exc.strerror or exc}).")
