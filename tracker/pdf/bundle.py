"""A batch's results, made from files already archived (never by rendering again): a ZIP of the
letters and one combined PDF for printing, their pages concatenated with pypdf.

Both are written to a temporary file beside the target and renamed into place, so a reader never
sees half a file. The combined PDF is for the printer: it carries the letters' pages, not their
electronic signatures (each archived letter keeps its own).
"""

from __future__ import annotations

import os
import tempfile
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import BinaryIO


def _atomic(target: Path, write: Callable[[BinaryIO], None]) -> None:
    handle, temporary = tempfile.mkstemp(dir=target.parent, suffix=".part")
    try:
        with os.fdopen(handle, "wb") as out:
            write(out)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_zip(target: Path, entries: Sequence[tuple[str, Path]]) -> None:
    """A ZIP holding each file under its name (stored: PDFs barely compress)."""

    def write(out: BinaryIO) -> None:
        with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as archive:
            for name, path in entries:
                archive.write(path, arcname=name)

    _atomic(target, write)


def write_combined(target: Path, files: Sequence[Path]) -> None:
    """One PDF with every page of `files`, in order."""
    from pypdf import PdfWriter

    def write(out: BinaryIO) -> None:
        writer = PdfWriter()
        for path in files:
            writer.append(str(path))
        writer.write(out)
        writer.close()

    _atomic(target, write)
