"""Session materials: the files handed out at a session (PDF, PPTX, DOCX, images).

A file is checked by its content (`tracker.io.file_types`), not its name: anything else, a name
that claims another kind, or more than MATERIAL_MAX_BYTES (20 MB unless set) is refused with a
message that says why. The bytes are stored once under the instance folder by their SHA-256
(`materi/ab/abcdef…`), so the same file given to two sessions is kept once; a row per session
keeps its title, name, size, type and hash. A file is served only to users who may see the
session (`access`), always as an attachment. Uploading and removing take the right to plan the
session; both are audited.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from tracker.extensions import db
from tracker.io.file_types import DOCUMENT_KINDS, extension_of, sniff_document
from tracker.models import CoachingMaterial
from tracker.models.user import User
from tracker.services.coaching.access import get_session, managed_session
from tracker.services.common import audit_writer
from tracker.services.common.errors import Invalid, NotFound
from tracker.services.common.permissions import VIEW
from tracker.services.common.unit_of_work import depth, transaction

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
TITLE_MAX = 200
NAME_MAX = 255


class MaterialRefusedError(Invalid):
    """The file was refused (kind, name or size); nothing was stored."""

    def __init__(self, message: str) -> None:
        super().__init__(message, "file")


class MaterialNotFoundError(NotFound):
    pass


@dataclass(frozen=True)
class MaterialRow:
    id: int
    title: str
    filename: str
    kind: str  # "PDF", "gambar PNG"…
    size: int
    uploaded_at: datetime


@dataclass(frozen=True)
class MaterialFile:
    path: Path
    filename: str
    content_type: str


def max_bytes() -> int:
    return int(current_app.config.get("MATERIAL_MAX_BYTES") or DEFAULT_MAX_BYTES)


def folder() -> Path:
    """MATERIALS_FOLDER, else instance/materi."""
    configured = current_app.config.get("MATERIALS_FOLDER")
    return Path(configured) if configured else Path(current_app.instance_path) / "materi"


def _relative(sha: str) -> str:
    return f"{sha[:2]}/{sha}"


def _store(data: bytes, sha: str) -> str:
    """Write the bytes under their hash (once: an existing file is the same bytes)."""
    relative = _relative(sha)
    target = folder() / relative
    if target.exists():
        return relative
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, target)  # atomic: a reader never sees half a file
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
    return relative


def _allowed_text() -> str:
    return "PDF, PPTX, DOCX, JPEG, PNG, WebP"


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}".replace(".", ",")


def check_file(filename: str, data: bytes) -> tuple[str, str]:
    """(kind label, content type) of an acceptable material; MaterialRefusedError otherwise."""
    name = Path(filename or "").name
    if not data:
        raise MaterialRefusedError(_("Berkas %(name)s kosong.", name=name or "?"))
    limit = max_bytes()
    if len(data) > limit:
        raise MaterialRefusedError(
            _(
                "Berkas %(name)s berukuran %(size)s MB; paling besar %(limit)s MB.",
                name=name,
                size=_megabytes(len(data)),
                limit=_megabytes(limit),
            )
        )
    kind = sniff_document(data)
    if kind is None:
        raise MaterialRefusedError(
            _(
                "Berkas %(name)s bukan %(allowed)s yang sah (isinya diperiksa, bukan namanya); "
                "tidak disimpan.",
                name=name,
                allowed=_allowed_text(),
            )
        )
    extension = extension_of(name)
    if extension not in kind.extensions:
        raise MaterialRefusedError(
            _(
                "Berkas %(name)s berisi %(kind)s, tetapi namanya berakhiran .%(ext)s; ganti "
                "namanya menjadi .%(right)s lalu unggah lagi.",
                name=name,
                kind=kind.label,
                ext=extension or "?",
                right=kind.extensions[0],
            )
        )
    return kind.label, kind.content_type


def upload_material(
    actor: User | None, session_id: int, filename: str, data: bytes, title: str = ""
) -> CoachingMaterial:
    """Check and keep a material for a session; the title defaults to the file's name."""
    name = Path((filename or "").replace("\\", "/")).name.strip()[:NAME_MAX]
    title = " ".join((title or "").split()) or name
    if len(title) > TITLE_MAX:
        raise Invalid(
            _("Judul bahan terlalu panjang (maksimal %(n)d karakter).", n=TITLE_MAX), "title"
        )
    with transaction():
        session = managed_session(actor, session_id)
        _label, content_type = check_file(name, data)
        sha = hashlib.sha256(data).hexdigest()
        material = CoachingMaterial(
            session_id=session.id,
            title=title,
            filename=name,
            content_type=content_type,
            size=len(data),
            sha256=sha,
            stored_path=_store(data, sha),
            uploaded_by_id=actor.id if actor is not None else None,
        )
        db.session.add(material)
        db.session.flush()
        audit_writer.record(
            "material.upload",
            "coaching_session",
            session.id,
            actor,
            params={"file": name, "title": session.title, "size": len(data), "sha256": sha},
            region=session.region_code,
        )
    return material


def session_materials(session_id: int) -> list[MaterialRow]:
    """A session's materials, oldest first (the caller has checked the session is visible)."""
    labels = {kind.content_type: kind.label for kind in DOCUMENT_KINDS}
    rows = db.session.scalars(
        select(CoachingMaterial)
        .where(CoachingMaterial.session_id == session_id)
        .order_by(CoachingMaterial.uploaded_at, CoachingMaterial.id)
    )
    return [
        MaterialRow(
            m.id,
            m.title,
            m.filename,
            labels.get(m.content_type, m.content_type),
            m.size,
            m.uploaded_at,
        )
        for m in rows
    ]


def _material(session_id: int, material_id: int) -> CoachingMaterial:
    material = db.session.scalar(
        select(CoachingMaterial).where(
            CoachingMaterial.id == material_id, CoachingMaterial.session_id == session_id
        )
    )
    if material is None:
        raise MaterialNotFoundError(_("Bahan sesi tidak ditemukan."))
    return material


def material_file(user: User | None, session_id: int, material_id: int) -> MaterialFile:
    """Where a material's bytes are, for a user who may see its session (else not found)."""
    session = get_session(user, session_id, VIEW)
    material = _material(session.id, material_id)
    path = folder() / material.stored_path
    if not path.is_file():
        raise MaterialNotFoundError(_("Berkas bahan ini tidak ada lagi di penyimpanan."))
    return MaterialFile(path, material.filename, material.content_type)


def delete_material(actor: User | None, session_id: int, material_id: int) -> str:
    """Remove a material from its session (its file goes when no session uses it any more);
    returns its name."""
    outermost = depth() == 0
    with transaction():
        session = managed_session(actor, session_id)
        material = _material(session.id, material_id)
        name, sha = material.filename, material.sha256
        audit_writer.record(
            "material.delete",
            "coaching_session",
            session.id,
            actor,
            params={"file": name, "title": session.title, "sha256": sha},
            region=session.region_code,
        )
        db.session.delete(material)
    if outermost:
        remove_unused([sha])
    return name


def hashes_of(session_id: int) -> list[str]:
    return list(
        db.session.scalars(
            select(CoachingMaterial.sha256).where(CoachingMaterial.session_id == session_id)
        )
    )


def remove_unused(shas: Iterable[str]) -> None:
    """Delete the stored files no material row names any more (after the rows' deletion was
    committed: a rolled-back deletion must still find its file)."""
    wanted = sorted(set(shas))
    if not wanted:
        return
    used = set(
        db.session.scalars(
            select(CoachingMaterial.sha256).where(CoachingMaterial.sha256.in_(wanted))
        )
    )
    for sha in wanted:
        if sha not in used:
            (folder() / _relative(sha)).unlink(missing_ok=True)
