"""What an uploaded file really is, read from its bytes, never from its name or the browser's
content type: a renamed executable stays an executable.

- PDF: starts with "%PDF-".
- DOCX / PPTX (Office Open XML): a ZIP archive whose central directory lists
  "[Content_Types].xml" and "word/document.xml" (DOCX) or "ppt/presentation.xml" (PPTX); only
  the directory is read, nothing is unpacked.
- Images: JPEG, PNG or WebP that Pillow opens and verifies (the header and structure, without
  decoding every pixel); Pillow's decompression-bomb guard applies.

Pure: bytes in, a kind (or None) out.
"""

from __future__ import annotations

import io
import warnings
import zipfile
from dataclasses import dataclass


@dataclass(frozen=True)
class FileKind:
    key: str
    label: str  # as people name it: "PDF", "gambar PNG"
    content_type: str
    extensions: tuple[str, ...]  # the names a file of this kind may carry, first the usual one


PDF = FileKind("pdf", "PDF", "application/pdf", ("pdf",))
DOCX = FileKind(
    "docx",
    "DOCX",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ("docx",),
)
PPTX = FileKind(
    "pptx",
    "PPTX",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ("pptx",),
)
JPEG = FileKind("jpeg", "gambar JPEG", "image/jpeg", ("jpg", "jpeg"))
PNG = FileKind("png", "gambar PNG", "image/png", ("png",))
WEBP = FileKind("webp", "gambar WebP", "image/webp", ("webp",))

DOCUMENT_KINDS = (PDF, PPTX, DOCX, JPEG, PNG, WEBP)
_IMAGES = {"JPEG": JPEG, "PNG": PNG, "WEBP": WEBP}
_OOXML_PARTS = (("word/document.xml", DOCX), ("ppt/presentation.xml", PPTX))


def _ooxml(data: bytes) -> FileKind | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        return None
    if "[Content_Types].xml" not in names:
        return None
    return next((kind for part, kind in _OOXML_PARTS if part in names), None)


def _image(data: bytes) -> FileKind | None:
    from PIL import Image, UnidentifiedImageError  # imported where an image is checked

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                kind = _IMAGES.get(image.format or "")
                if kind is None:
                    return None
                image.verify()
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        return None
    except Exception:  # a damaged image raises whatever its decoder raises
        return None
    return kind


def sniff_document(data: bytes) -> FileKind | None:
    """The kind of a session material (PDF, PPTX, DOCX, JPEG, PNG, WebP), or None for anything
    else, whatever its name says."""
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"PK\x03\x04"):
        return _ooxml(data)
    return _image(data)


def extension_of(filename: str) -> str:
    """'Materi Berita.PDF' → 'pdf'; '' when the name has none."""
    name = filename.rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
    return name.rsplit(".", 1)[1].lower() if "." in name.strip(".") else ""
