"""What the commands share: how they fail and, for the spreadsheet imports, their FILE argument,
options and report.

A service's refusal (any ServiceError) is printed to stderr with its message and exits 1, through
`exit_on_refusal`. Every problem of an import is printed to stderr as "baris N, kolom X: pesan",
then the summary; the exit code is 1 when the file or a row was refused and nothing was written.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import NoReturn

import click

from tracker.io.tabular import Problem
from tracker.services.common.errors import ServiceError


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


def refuse_file(error: object) -> NoReturn:
    """The file as a whole was refused (unreadable, a column missing, period closed…)."""
    fail(f"Gagal: {error} Tidak ada yang disimpan.")


def report(
    problems: Sequence[Problem], summary: str, *, refused: bool, dry_run: bool, invalid: int
) -> None:
    for problem in problems:
        click.echo(str(problem), err=True)
    click.echo(summary)
    if refused:
        fail(
            "Impor dibatalkan: ada baris yang tidak valid, tidak ada yang disimpan. "
            "Perbaiki berkasnya, atau gunakan --skip-invalid untuk menyimpan baris yang valid saja."
        )
    if dry_run:
        click.echo("Uji coba (--dry-run): tidak ada yang disimpan.")
    elif problems:
        click.echo(f"Disimpan; {invalid} baris tidak valid dilewati.")
    else:
        click.echo("Disimpan.")


def write_file(file: str | Path, payload: bytes, prefix: str = "Ekspor tidak dibuat:") -> None:
    """Write an export to `file`; a file that cannot be written is a refusal (exit 1)."""
    try:
        Path(file).write_bytes(payload)
    except OSError as exc:
        fail(f"{prefix} berkas {file} tidak dapat ditulis ({exc.strerror or exc}).")
