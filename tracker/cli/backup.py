"""`flask backup create DIR` and `flask backup restore DIR [--force]`: the database and the
folders of files (imports waiting for confirmation, visit photos, coaching materials, archived
letters), with a manifest of checksums (tracker/services/common/backup.py)."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from tracker.cli.common import exit_on_refusal
from tracker.services.coaching import materials
from tracker.services.common import backup, uploads
from tracker.services.letters import archive
from tracker.services.visits import photos

backup_cli = AppGroup("backup", help="Cadangan basis data dan berkas.")


def folders() -> dict[str, Path]:
    """The folders the app keeps files in, as the settings name them (config.py)."""
    return {
        "uploads": uploads.folder(),
        "photos": photos.folder(),
        "materials": materials.folder(),
        "letters": archive.root(),
    }


@backup_cli.command("create")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
def create_command(directory: Path) -> None:
    """Buat cadangan ke DIRECTORY (baru atau kosong)."""
    with exit_on_refusal():
        summary = backup.create(directory, folders())
    click.echo(
        f"Cadangan dibuat di {summary.directory}: basis data {summary.database}, "
        f"{summary.files} berkas, {summary.size / 1e6:.1f} MB; checksum di manifest.json."
    )


@backup_cli.command("restore")
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Timpa basis data dan folder yang sudah berisi.")
def restore_command(directory: Path, force: bool) -> None:
    """Pulihkan cadangan DIRECTORY ke basis data kosong (checksum diperiksa lebih dulu)."""
    with exit_on_refusal():
        summary = backup.restore(directory, folders(), force=force)
    click.echo(
        f"Cadangan {summary.directory} dipulihkan: basis data {summary.database}, "
        f"{summary.files} berkas."
    )


COMMANDS = (backup_cli,)
