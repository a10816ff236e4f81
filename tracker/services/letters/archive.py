"""The archive of issued letters: one PDF file per letter, written once, never changed.

Files live under LETTER_ARCHIVE (default: instance/letters), by year and sequence number
(`2025/000007.pdf`). A number is never reused once its letter is committed, so a path is never
overwritten then; a file left by a unit of work that did not commit (the process died between the
write and the commit) is an orphan nobody refers to, and the next letter taking that number
replaces it.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from flask import current_app


def root() -> Path:
    configured = current_app.config.get("LETTER_ARCHIVE")
    return Path(configured) if configured else Path(current_app.instance_path) / "letters"


def relative_path(year: int, sequence: int) -> str:
    return f"{year}/{sequence:06d}.pdf"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def write(relative: str, data: bytes) -> Path:
    """Write the file atomically (a temporary file renamed into place) and flush it to disk."""
    path = root() / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".part")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def read(relative: str) -> bytes:
    return (root() / relative).read_bytes()


def discard(relative: str) -> None:
    """Remove a file whose letter was not committed (never one of an issued letter)."""
    (root() / relative).unlink(missing_ok=True)
