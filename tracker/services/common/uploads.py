"""Uploaded files kept between an import's preview and its confirmation.

The web flow is upload → preview → confirm: the bytes the user saw previewed must be the bytes that
are imported, without sending the file twice and without holding it in the (cookie) session. So the
upload is stored under `instance/uploads/<token>` with a small JSON sidecar naming its owner, its
kind and the options chosen; only the same user can load it back, and only for the same kind.
The import reads the stored file as a stream (it is never held in memory whole). Stored uploads
expire after a few hours and are purged whenever a new one is stored.

Every upload goes through `store`, which refuses a file above the upload size limit
(IMPORT_MAX_UPLOAD_MB) while copying it, whatever the form in front of it checked.
"""

from __future__ import annotations

import json
import re
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from flask import current_app
from flask_babel import gettext as _

from tracker.models.user import User
from tracker.services.common.errors import Invalid, NotFound

MAX_AGE_SECONDS = 6 * 3600
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
_COPY_CHUNK = 1024 * 1024


class UploadMissingError(NotFound):
    """No such upload for this user and kind: never stored, expired, or already imported (the
    token is not named: it is the only key to someone's file)."""

    def __init__(self) -> None:
        super().__init__(
            _("Berkas unggahan tidak ditemukan: sudah diimpor atau kedaluwarsa. Unggah ulang.")
        )


class UploadTooLargeError(Invalid):
    """The file is larger than every upload form accepts."""


@dataclass
class StoredUpload:
    token: str
    kind: str
    filename: str
    path: Path  # the stored bytes
    options: dict[str, Any] = field(default_factory=dict)
    kept: bool = False

    def keep(self) -> None:
        """After a claim: put the upload back under its token (a refused import, for the retry)."""
        self.kept = True


def folder() -> Path:
    """Where uploads wait for their confirmation (UPLOAD_FOLDER, else instance/uploads)."""
    return _directory()


def _directory(base: Path | None = None) -> Path:
    """`base`, else the UPLOAD_FOLDER setting, else instance/uploads."""
    configured = current_app.config.get("UPLOAD_FOLDER")
    path = base or (Path(configured) if configured else Path(current_app.instance_path) / "uploads")
    path.mkdir(parents=True, exist_ok=True)
    return path


def _paths(directory: Path, token: str) -> tuple[Path, Path]:
    return directory / f"{token}.bin", directory / f"{token}.json"


def max_bytes() -> int:
    """The largest file any upload form accepts."""
    return int(current_app.config.get("IMPORT_MAX_UPLOAD_MB", 10)) * 1024 * 1024


def too_large_message(limit: int | None = None) -> str:
    return _(
        "Berkas terlalu besar (maksimal %(mb)s MB).", mb=(limit or max_bytes()) // (1024 * 1024)
    )


def purge_expired(base: Path | None = None, max_age: int = MAX_AGE_SECONDS) -> int:
    """Delete uploads older than `max_age` seconds; returns how many were removed."""
    directory = _directory(base)
    limit = time.time() - max_age
    removed = 0
    for meta in [*directory.glob("*.json"), *directory.glob("*.taken")]:
        try:
            if meta.stat().st_mtime < limit:
                token = meta.stem
                for path in (*_paths(directory, token), meta):
                    path.unlink(missing_ok=True)
                removed += 1
        except FileNotFoundError:  # another worker purged it first
            continue
    return removed


def _copy(source: bytes | BinaryIO, target: Path, limit: int) -> None:
    """Write the upload to disk a chunk at a time; UploadTooLargeError beyond `limit` bytes."""
    if isinstance(source, bytes):
        if len(source) > limit:
            raise UploadTooLargeError(too_large_message(limit), field="file")
        target.write_bytes(source)
        return
    written = 0
    with target.open("wb") as out:
        while chunk := source.read(_COPY_CHUNK):
            written += len(chunk)
            if written > limit:
                raise UploadTooLargeError(too_large_message(limit), field="file")
            out.write(chunk)


def store(
    user: User,
    kind: str,
    filename: str,
    source: bytes | BinaryIO,
    options: dict[str, Any] | None = None,
    base: Path | None = None,
) -> str:
    """Keep the file for `user` and return the token the confirmation form carries."""
    directory = _directory(base)
    purge_expired(directory)
    token = secrets.token_urlsafe(24)
    blob, meta = _paths(directory, token)
    try:
        _copy(source, blob, max_bytes())
    except BaseException:
        blob.unlink(missing_ok=True)
        raise
    meta.write_text(
        json.dumps(
            {
                "user_id": user.id,
                "kind": kind,
                "filename": Path(filename or "").name,
                "options": options or {},
                "stored_at": time.time(),
            }
        ),
        encoding="utf-8",
    )
    return token


def _read_meta(user: User, token: str, kind: str, meta: Path) -> dict[str, Any]:
    try:
        info = json.loads(meta.read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError) as exc:
        raise UploadMissingError() from exc
    if info.get("user_id") != user.id or info.get("kind") != kind:
        raise UploadMissingError()
    if time.time() - float(info.get("stored_at", 0)) > MAX_AGE_SECONDS:
        raise UploadMissingError()
    return dict(info)


def load(user: User, token: str, kind: str, base: Path | None = None) -> StoredUpload:
    """The upload behind `token`, only for its owner and its kind; else UploadMissingError."""
    if not token or not _TOKEN.match(token):
        raise UploadMissingError()
    blob, meta = _paths(_directory(base), token)
    info = _read_meta(user, token, kind, meta)
    if not blob.is_file():
        raise UploadMissingError()
    return StoredUpload(
        token=token,
        kind=kind,
        filename=info.get("filename", ""),
        path=blob,
        options=dict(info.get("options") or {}),
    )


@contextmanager
def claim(user: User, token: str, kind: str, base: Path | None = None) -> Iterator[StoredUpload]:
    """The upload for the confirmation that imports it, exactly once.

    The sidecar is renamed away first (atomic on one filesystem), so of two confirmations sent at
    once (a double click, two tabs) exactly one gets the file; the other gets UploadMissingError.
    When the block ends the upload is deleted, unless the block called `upload.keep()` or raised:
    then it is put back under the same token.
    """
    upload = load(user, token, kind, base)
    blob, meta = _paths(_directory(base), token)
    taken = meta.with_suffix(".taken")
    try:
        meta.rename(taken)
    except FileNotFoundError as exc:
        raise UploadMissingError() from exc
    try:
        yield upload
    except BaseException:
        taken.rename(meta)
        raise
    if upload.kept:
        taken.rename(meta)
    else:
        taken.unlink(missing_ok=True)
        blob.unlink(missing_ok=True)


def discard(token: str, base: Path | None = None) -> None:
    """Forget an upload (a file the preview refused as a whole: there is nothing to confirm)."""
    if not token or not _TOKEN.match(token):
        return
    for path in _paths(_directory(base), token):
        path.unlink(missing_ok=True)
