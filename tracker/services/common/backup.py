"""Backups of an office's data: the database and the folders of files, with a manifest of
SHA-256 checksums, and their restore into an empty database.

`create(directory, folders)` writes into an empty or new directory:

- `database.sqlite3` (SQLite, through SQLite's online backup API: consistent while the app runs)
  or `database.dump` (PostgreSQL, `pg_dump --format=custom`);
- `files/<name>/…`: a copy of each folder (`uploads`, `photos`, `materials`, `letters`; the
  command line names them from the settings);
- `manifest.json`: the format, when, the database's kind and file, and every file's SHA-256 and
  size, the database's included.

`restore(directory, folders, force)` first checks every checksum of the manifest (a missing,
changed or extra file refuses the backup, nothing touched), then refuses a database that holds
any row, or a folder that holds any file, unless `force`; then restores the database (SQLite's
backup API into the configured database, or `pg_restore --clean`) and copies the folders back.
A backup is restored into the same kind of database it was made from.

The command line (`flask backup create|restore`) is the only caller: an operator's tool, run with
the server's rights, no actor, no audit entry (the audit log is inside what is saved).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, inspect, select
from sqlalchemy.engine import make_url

from tracker.extensions import db
from tracker.services.common.errors import Invalid

FORMAT = 1
MANIFEST = "manifest.json"
SQLITE_FILE = "database.sqlite3"
PG_FILE = "database.dump"
FILES = "files"


class BackupRefused(Invalid):
    """The backup cannot be made or restored; the message says why. Nothing was changed."""


@dataclass(frozen=True)
class Summary:
    directory: Path
    database: str  # "sqlite" or "postgresql"
    files: int  # files of the folders
    size: int  # bytes, database included


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _kind() -> str:
    name = db.engine.dialect.name
    if name not in ("sqlite", "postgresql"):
        raise BackupRefused(f"Basis data {name} tidak didukung untuk cadangan.")
    return name


def _pg_url() -> str:
    """The database's address for pg_dump/pg_restore, without its password (which goes in the
    environment: a command line is visible to every user of the server)."""
    url = make_url(db.engine.url.render_as_string(hide_password=False))
    return url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)


def _run(command: list[str]) -> None:
    env = dict(os.environ)
    if db.engine.url.password:
        env["PGPASSWORD"] = str(db.engine.url.password)
    done = subprocess.run(command, capture_output=True, text=True, check=False, env=env)
    if done.returncode != 0:
        raise BackupRefused(f"{command[0]} gagal: {done.stderr.strip()[:500]}")


def _dump_database(target: Path, kind: str) -> str:
    if kind == "sqlite":
        db.session.commit()
        out = target / SQLITE_FILE
        source = db.engine.raw_connection()
        try:
            copy = sqlite3.connect(out)
            try:
                source.driver_connection.backup(copy)  # type: ignore[union-attr]
            finally:
                copy.close()
        finally:
            source.close()
        return SQLITE_FILE
    _run(
        [
            "pg_dump",
            "--format=custom",
            "--no-owner",
            "--no-acl",
            "-f",
            str(target / PG_FILE),
            _pg_url(),
        ]
    )
    return PG_FILE


def _files_of(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def create(directory: Path, folders: Mapping[str, Path]) -> Summary:
    if directory.exists() and any(directory.iterdir()):
        raise BackupRefused(f"Folder {directory} tidak kosong; pilih folder baru untuk cadangan.")
    directory.mkdir(parents=True, exist_ok=True)
    kind = _kind()
    database = _dump_database(directory, kind)
    count = 0
    for name, folder in folders.items():
        for path in _files_of(folder):
            target = directory / FILES / name / path.relative_to(folder)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)
            count += 1
    checksums = {}
    size = 0
    for path in sorted(p for p in directory.rglob("*") if p.is_file()):
        relative = path.relative_to(directory).as_posix()
        checksums[relative] = {"sha256": _sha256(path), "size": path.stat().st_size}
        size += path.stat().st_size
    manifest = {
        "format": FORMAT,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "database": {"kind": kind, "file": database},
        "folders": sorted(folders),
        "files": checksums,
    }
    (directory / MANIFEST).write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    return Summary(directory, kind, count, size)


def _read_manifest(directory: Path) -> dict:
    path = directory / MANIFEST
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BackupRefused(f"{path} tidak terbaca: bukan cadangan Jenjang ({exc}).") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupRefused(f"{path}: format cadangan tidak dikenal.")
    return manifest


def verify(directory: Path) -> dict:
    """The manifest, once every file it lists is present with its checksum and no other file is
    there; BackupRefused naming the first file that is not."""
    manifest = _read_manifest(directory)
    listed = manifest.get("files") or {}
    present = {
        p.relative_to(directory).as_posix()
        for p in directory.rglob("*")
        if p.is_file() and p.name != MANIFEST
    }
    for relative in sorted(present - set(listed)):
        raise BackupRefused(f"Berkas {relative} tidak tercantum di manifest: cadangan diubah.")
    for relative, entry in sorted(listed.items()):
        path = directory / relative
        if ".." in Path(relative).parts or Path(relative).is_absolute():
            raise BackupRefused(f"Manifest memuat jalur tidak sah: {relative}.")
        if not path.is_file():
            raise BackupRefused(f"Berkas {relative} hilang dari cadangan.")
        if _sha256(path) != entry.get("sha256"):
            raise BackupRefused(f"Checksum {relative} tidak cocok: cadangan rusak atau diubah.")
    return manifest


def database_is_empty() -> bool:
    tables = set(inspect(db.engine).get_table_names())
    for table in db.metadata.sorted_tables:
        if table.name in tables and db.session.scalar(select(func.count()).select_from(table)):
            return False
    return True


def restore(directory: Path, folders: Mapping[str, Path], force: bool = False) -> Summary:
    manifest = verify(directory)
    kind = _kind()
    stored = manifest["database"]
    if stored.get("kind") != kind:
        raise BackupRefused(
            f"Cadangan ini dari basis data {stored.get('kind')}, bukan {kind}: pulihkan ke jenis "
            "basis data yang sama."
        )
    if not force:
        if not database_is_empty():
            raise BackupRefused(
                "Basis data tujuan sudah berisi data; pemulihan dibatalkan. Pakai --force untuk "
                "menimpanya."
            )
        for name, folder in folders.items():
            if _files_of(folder):
                raise BackupRefused(
                    f"Folder {name} ({folder}) sudah berisi berkas; pemulihan dibatalkan. Pakai "
                    "--force untuk menimpanya."
                )
    db.session.remove()
    source_file = directory / stored["file"]
    if kind == "sqlite":
        target = db.engine.raw_connection()
        try:
            source = sqlite3.connect(f"file:{source_file}?mode=ro", uri=True)
            try:
                source.backup(target.driver_connection)  # type: ignore[arg-type]
            finally:
                source.close()
        finally:
            target.close()
    else:
        db.engine.dispose()
        _run(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-acl",
                "-d",
                _pg_url(),
                str(source_file),
            ]
        )
        db.engine.dispose()  # no pooled connection keeps the schema from before
    count = 0
    for name, folder in folders.items():
        saved = directory / FILES / name
        if force and folder.is_dir():
            shutil.rmtree(folder)
        for path in _files_of(saved):
            target_path = folder / path.relative_to(saved)
            target_path.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target_path)
            os.utime(target_path)
            count += 1
    size = sum(int(e.get("size", 0)) for e in manifest["files"].values())
    return Summary(directory, kind, count, size)
