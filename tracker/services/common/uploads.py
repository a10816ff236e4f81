"""Uploaded files kept between an import's preview and its confirmation.

The web flow is upload → preview → confirm: the bytes the user saw previewed must be the bytes that
are imported, without sending the file twice and without holding it in the (cookie) session. So the
upload is stored under `instance/uploads/<token>` with a small JSON sidecar naming its owner, its
kind and the options chosen; only the same user can load it back, and only for the same kind.
Stored uploads expire after a few hours and are purged whenever a new one is stored.

Any import (KIM registry, activity posts, counts, measurements) uses this one mechanism.
"""

from __future__ import annotations

import json
import re
import secrets
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import current_app

from tracker.models.user import User

MAX_AGE_SECONDS = 6 * 3600
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


class UploadMissingError(LookupError):
    """No such upload for this user and kind: never stored, expired, or already imported."""


@dataclass(frozen=True)
class StoredUpload:
    token: str
    kind: str
    filename: str
    data: bytes
    options: dict[str, Any] = field(default_factory=dict)


def _directory(base: Path | None = None) -> Path:
    """`base`, else the UPLOAD_FOLDER setting, else instance/uploads."""
    configured = current_app.config.get("UPLOAD_FOLDER")
    path = base or (Path(configured) if configured else Path(current_app.instance_path) / "uploads")
    path.mkdir(parents=True, exist_ok=True)
    return path


def _paths(directory: Path, token: str) -> tuple[Path, Path]:
    return directory / f"{token}.bin", directory / f"{token}.json"


def purge_expired(base: Path | None = None, max_age: int = MAX_AGE_SECONDS) -> int:
    """Delete uploads older than `max_age` seconds; returns how many were removed."""
    directory = _directory(base)
    limit = time.time() - max_age
    removed = 0
    for meta in directory.glob("*.json"):
        try:
            if meta.stat().st_mtime < limit:
                token = meta.stem
                for path in _paths(directory, token):
                    path.unlink(missing_ok=True)
                removed += 1
        except FileNotFoundError:  # another worker purged it first
            continue
    return removed


def store(
    user: User,
    kind: str,
    filename: str,
    data: bytes,
    options: dict[str, Any] | None = None,
    base: Path | None = None,
) -> str:
    """Keep the bytes for `user` and return the token the confirmation form carries."""
    directory = _directory(base)
    purge_expired(directory)
    token = secrets.token_urlsafe(24)
    blob, meta = _paths(directory, token)
    blob.write_bytes(data)
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


def load(user: User, token: str, kind: str, base: Path | None = None) -> StoredUpload:
    """The upload behind `token`, only for its owner and its kind; else UploadMissingError."""
    if not token or not _TOKEN.match(token):
        raise UploadMissingError(token)
    directory = _directory(base)
    blob, meta = _paths(directory, token)
    try:
        info = json.loads(meta.read_text(encoding="utf-8"))
        if info.get("user_id") != user.id or info.get("kind") != kind:
            raise UploadMissingError(token)
        if time.time() - float(info.get("stored_at", 0)) > MAX_AGE_SECONDS:
            raise UploadMissingError(token)
        data = blob.read_bytes()
    except (FileNotFoundError, ValueError) as exc:
        raise UploadMissingError(token) from exc
    return StoredUpload(
        token=token,
        kind=kind,
        filename=info.get("filename", ""),
        data=data,
        options=dict(info.get("options") or {}),
    )


def claim(user: User, token: str, kind: str, base: Path | None = None) -> StoredUpload:
    """Load and remove the upload in one step, for the confirmation that imports it.

    The sidecar is renamed away first (atomic on one filesystem), so of two confirmations sent at
    once (a double click, two tabs) exactly one gets the file; the other gets UploadMissingError.
    """
    upload = load(user, token, kind, base)
    directory = _directory(base)
    blob, meta = _paths(directory, token)
    taken = meta.with_suffix(".taken")
    try:
        meta.rename(taken)
    except FileNotFoundError as exc:
        raise UploadMissingError(token) from exc
    taken.unlink(missing_ok=True)
    blob.unlink(missing_ok=True)
    return upload


def discard(token: str, base: Path | None = None) -> None:
    """Forget an upload (after it was imported, so a repeated confirmation cannot run it twice)."""
    if not token or not _TOKEN.match(token):
        return
    for path in _paths(_directory(base), token):
        path.unlink(missing_ok=True)
