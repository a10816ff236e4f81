"""Visit photos: checked by content, stripped of metadata, stored by content hash, served in scope.

A file is a photo when Pillow reads it as JPEG, PNG or WebP, whatever its name says (a renamed
spreadsheet is refused), it is at most PHOTO_MAX_BYTES, and its pixel count is at most
PHOTO_MAX_PIXELS and Pillow's own Image.MAX_IMAGE_PIXELS (a small file that unpacks into gigabytes
of pixels, a decompression bomb, is refused before it is decoded). It is then re-encoded from its
pixels alone, turned upright first by its EXIF orientation: EXIF (the phone's GPS position, its
serial number), XMP and text chunks are not carried over; only the colour profile is. Its long side
is brought down to PHOTO_MAX_SIDE, and a JPEG thumbnail of PHOTO_THUMB_SIDE is made.

The stored bytes are named by their SHA-256 in sharded folders (`ab/cd/abcd….jpg`) under
PHOTO_FOLDER (else instance/photos): the same photo sent twice is stored once, and a file is
written under a temporary name and renamed into place, so a reader never sees half a photo. Files
are written before the database rows that name them; a unit of work that then fails leaves a file
no row names (harmless, and the same photo sent again reuses it).

Who may open a photo follows from its KIM's desa, else its visit's kecamatan, in the query itself:
a photo outside the user's scope is simply not found.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import warnings
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import TYPE_CHECKING

from flask import current_app
from flask_babel import format_decimal
from flask_babel import gettext as _
from sqlalchemy import ColumnElement, func, select

from tracker.extensions import db
from tracker.models import Kim, MonitoringVisit, VisitPhoto
from tracker.models.user import User
from tracker.services.common.errors import Invalid, NotFound
from tracker.services.common.permissions import VIEW, require
from tracker.services.common.scope import actor_scope_filter

if TYPE_CHECKING:
    from PIL import Image

# Pillow's format name → (the content type it is served with, the stored file's extension)
FORMATS = {
    "JPEG": ("image/jpeg", "jpg"),
    "PNG": ("image/png", "png"),
    "WEBP": ("image/webp", "webp"),
}
THUMB_TYPE = "image/jpeg"
_MODES = {"JPEG": ("RGB", "L"), "PNG": ("RGB", "RGBA", "L", "LA", "P"), "WEBP": ("RGB", "RGBA")}
_UNREADABLE = (OSError, ValueError, SyntaxError, EOFError)  # Pillow's own errors derive from them


class PhotoRefusedError(Invalid):
    """A file that is not a photo the product keeps; the message names the file and says why."""


@dataclass(frozen=True)
class CleanPhoto:
    """A photo ready to store: its re-encoded bytes and thumbnail, nothing else of the upload."""

    data: bytes
    thumbnail: bytes
    format: str  # JPEG, PNG or WEBP
    width: int
    height: int
    original_name: str

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    @property
    def content_type(self) -> str:
        return FORMATS[self.format][0]

    @property
    def extension(self) -> str:
        return FORMATS[self.format][1]


def _megabytes(size: int) -> str:
    return format_decimal(size / (1024 * 1024), format="#,##0.#")


def _name(filename: str) -> str:
    return Path(filename or "").name or _("tanpa nama")


def _open(data: bytes, name: str, max_pixels: int) -> Image.Image:
    """The decoded image, or PhotoRefusedError: not a JPEG/PNG/WebP, too many pixels, damaged."""
    not_a_photo = PhotoRefusedError(
        _(
            "Berkas %(name)s bukan foto JPEG, PNG atau WebP (isinya yang diperiksa, bukan nama "
            "berkasnya).",
            name=name,
        )
    )
    from PIL import Image, ImageFile  # Pillow is imported where photos are handled

    with warnings.catch_warnings():
        # Pillow only warns between MAX_IMAGE_PIXELS and twice that: refuse those too
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(BytesIO(data))
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise _too_many_pixels(name, None, max_pixels) from None
        except _UNREADABLE:
            raise not_a_photo from None
        if image.format not in FORMATS:
            raise not_a_photo
        pixels = image.width * image.height
        if pixels > max_pixels:
            raise _too_many_pixels(name, pixels, max_pixels)
        # WeasyPrint, once imported in the process (a worker that rendered a letter), sets
        # Pillow's global LOAD_TRUNCATED_IMAGES, which would pad a cut-off photo with grey
        # instead of refusing it: decode with it off, whatever the process did before.
        loads_truncated = ImageFile.LOAD_TRUNCATED_IMAGES
        ImageFile.LOAD_TRUNCATED_IMAGES = False
        try:
            image.load()
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise _too_many_pixels(name, None, max_pixels) from None
        except _UNREADABLE:
            raise PhotoRefusedError(
                _("Foto %(name)s rusak atau terpotong dan tidak dapat dibaca.", name=name)
            ) from None
        finally:
            ImageFile.LOAD_TRUNCATED_IMAGES = loads_truncated
    return image


def _too_many_pixels(name: str, pixels: int | None, limit: int) -> PhotoRefusedError:
    allowed = format_decimal(limit / 1_000_000, format="#,##0.#")
    if pixels is None:
        return PhotoRefusedError(
            _(
                "Foto %(name)s terlalu besar resolusinya; paling besar %(max)s megapiksel.",
                name=name,
                max=allowed,
            )
        )
    return PhotoRefusedError(
        _(
            "Foto %(name)s terlalu besar resolusinya (%(pixels)s megapiksel); paling besar "
            "%(max)s megapiksel.",
            name=name,
            pixels=format_decimal(pixels / 1_000_000, format="#,##0.#"),
            max=allowed,
        )
    )


def _encode(image: Image.Image, fmt: str, icc: bytes | None) -> bytes:
    out = BytesIO()
    options: dict[str, object] = {"icc_profile": icc} if icc else {}
    if fmt == "JPEG":
        image.save(out, "JPEG", quality=85, **options)
    elif fmt == "WEBP":
        image.save(out, "WEBP", quality=85, **options)
    else:
        image.save(out, "PNG", **options)
    return out.getvalue()


def _thumbnail(image: Image.Image, side: int) -> bytes:
    from PIL import Image

    thumb = image.copy()
    thumb.thumbnail((side, side), Image.Resampling.LANCZOS)
    if thumb.mode in ("RGBA", "LA", "P"):
        rgba = thumb.convert("RGBA")
        flat = Image.new("RGB", rgba.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba.getchannel("A"))
        thumb = flat
    elif thumb.mode != "RGB":
        thumb = thumb.convert("RGB")
    out = BytesIO()
    thumb.save(out, "JPEG", quality=80)
    return out.getvalue()


def clean(data: bytes, filename: str) -> CleanPhoto:
    """Check an upload and re-encode it without metadata; PhotoRefusedError says why not."""
    from PIL import Image, ImageOps

    config = current_app.config
    name = _name(filename)
    if not data:
        raise PhotoRefusedError(_("Berkas %(name)s kosong.", name=name))
    limit = int(config["PHOTO_MAX_BYTES"])
    if len(data) > limit:
        raise PhotoRefusedError(
            _(
                "Berkas %(name)s terlalu besar (%(size)s MB); setiap foto paling besar %(max)s MB.",
                name=name,
                size=_megabytes(len(data)),
                max=_megabytes(limit),
            )
        )
    max_pixels = min(int(config["PHOTO_MAX_PIXELS"]), Image.MAX_IMAGE_PIXELS or 2**62)
    image = _open(data, name, max_pixels)
    fmt = str(image.format)
    icc = image.info.get("icc_profile")
    upright = ImageOps.exif_transpose(image) or image
    if upright.mode not in _MODES[fmt]:
        has_alpha = "A" in upright.getbands() or "transparency" in upright.info
        upright = upright.convert("RGBA" if has_alpha and fmt != "JPEG" else "RGB")
    side = int(config["PHOTO_MAX_SIDE"])
    if max(upright.size) > side:
        upright = upright.copy()
        upright.thumbnail((side, side), Image.Resampling.LANCZOS)
    upright.info = {}  # nothing of the upload's metadata reaches the encoder
    stored = _encode(upright, fmt, icc if isinstance(icc, bytes) else None)
    return CleanPhoto(
        data=stored,
        thumbnail=_thumbnail(upright, int(config["PHOTO_THUMB_SIDE"])),
        format=fmt,
        width=upright.width,
        height=upright.height,
        original_name=name[:200],
    )


# --- storage ----------------------------------------------------------------------------------


def folder() -> Path:
    """Where photos are kept: PHOTO_FOLDER, else instance/photos."""
    configured = current_app.config.get("PHOTO_FOLDER")
    return Path(configured) if configured else Path(current_app.instance_path) / "photos"


def _relative_paths(sha256: str, extension: str) -> tuple[str, str]:
    shard = f"{sha256[:2]}/{sha256[2:4]}"
    return f"{shard}/{sha256}.{extension}", f"{shard}/{sha256}.thumb.jpg"


def _write_once(path: Path, data: bytes) -> None:
    """Write `data` at `path` unless a file is there already (same name, same content)."""
    if path.is_file():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)


def store(
    photo: CleanPhoto,
    *,
    user: User | None,
    visit: MonitoringVisit | None = None,
    kim_id: int | None = None,
) -> VisitPhoto:
    """Write the files (once per content) and add the row naming them to the session."""
    sha256 = photo.sha256
    path, thumb_path = _relative_paths(sha256, photo.extension)
    root = folder()
    _write_once(root / path, photo.data)
    _write_once(root / thumb_path, photo.thumbnail)
    row = VisitPhoto(
        visit=visit,
        kim_id=kim_id,
        sha256=sha256,
        path=path,
        thumb_path=thumb_path,
        content_type=photo.content_type,
        width=photo.width,
        height=photo.height,
        size=len(photo.data),
        original_name=photo.original_name,
        uploaded_by_id=user.id if user is not None else None,
    )
    db.session.add(row)
    return row


# --- serving ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ServedPhoto:
    path: Path
    content_type: str
    download_name: str


def region_of_photo() -> ColumnElement[str]:
    """The region a photo concerns, in SQL: its KIM's desa, else its visit's kecamatan."""
    return func.coalesce(Kim.desa_code, MonitoringVisit.kecamatan_code)


def open_photo(user: User | None, photo_id: int, thumbnail: bool = False) -> ServedPhoto:
    """The file of a photo the user may see; NotFound when there is none in his scope."""
    require(user, VIEW)
    row = db.session.execute(
        select(VisitPhoto.sha256, VisitPhoto.path, VisitPhoto.thumb_path, VisitPhoto.content_type)
        .outerjoin(Kim, Kim.id == VisitPhoto.kim_id)
        .outerjoin(MonitoringVisit, MonitoringVisit.id == VisitPhoto.visit_id)
        .where(VisitPhoto.id == photo_id, actor_scope_filter(region_of_photo(), user))
    ).first()
    if row is None:
        raise NotFound()
    root = folder().resolve()
    relative = row.thumb_path if thumbnail else row.path
    path = (root / relative).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        raise NotFound()
    content_type = THUMB_TYPE if thumbnail else row.content_type
    if content_type not in {t for t, _ext in FORMATS.values()}:
        raise NotFound()
    extension = "jpg" if thumbnail else path.suffix.lstrip(".")
    return ServedPhoto(path, content_type, f"foto-{photo_id}.{extension}")
