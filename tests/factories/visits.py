"""Visits: photos made with Pillow (a drawing, no people), visits and follow-ups as rows."""

from __future__ import annotations

from datetime import date
from io import BytesIO
from typing import Any

from PIL import Image, ImageDraw

from tracker.extensions import db
from tracker.models import FollowUp, Kim, MonitoringVisit, User, VisitFinding
from tracker.models.visits import FOLLOW_UP_DONE, FOLLOW_UP_OPEN

_visit_counter = 0

# EXIF tags of a phone photo: the GPS block (IFD 0x8825) and what is in it, the camera's make
GPS_IFD = 0x8825
GPS_LATITUDE = 2
MAKE = 0x010F


def photo_bytes(
    fmt: str = "JPEG",
    size: tuple[int, int] = (640, 480),
    colour: tuple[int, int, int] = (70, 130, 180),
    gps: bool = False,
    orientation: int | None = None,
) -> bytes:
    """A small drawing (sky, a hill, a house) encoded as `fmt`; with `gps`, EXIF holding a GPS
    position and a camera make as a phone writes them; with `orientation`, that EXIF tag."""
    image = Image.new("RGB", size, colour)
    draw = ImageDraw.Draw(image)
    w, h = size
    draw.ellipse((-w // 4, h // 2, w + w // 4, h * 2), fill=(60, 140, 60))
    draw.rectangle((w // 3, h // 3, w // 2, h // 2 + h // 8), fill=(200, 90, 60))
    out = BytesIO()
    exif = Image.Exif()
    if gps:
        exif[MAKE] = "PonselUji"
        exif.get_ifd(GPS_IFD).update(
            {1: "S", GPS_LATITUDE: (8.0, 7.0, 30.5), 3: "E", 4: (113.0, 13.0, 27.2)}
        )
    if orientation is not None:
        exif[0x0112] = orientation
    options: dict[str, Any] = {"exif": exif.tobytes()} if (gps or orientation) else {}
    image.save(out, fmt, **options)
    return out.getvalue()


def make_visit(
    author: User,
    kecamatan: str,
    kims: list[Kim],
    started_on: date = date(2025, 2, 10),
) -> MonitoringVisit:
    """A visit row with an empty finding per KIM (for pages that only read visits)."""
    global _visit_counter
    _visit_counter += 1
    visit = MonitoringVisit(
        kecamatan_code=kecamatan,
        started_on=started_on,
        ended_on=started_on,
        idempotency_key=f"kunci-uji-{_visit_counter:08d}-abcdef",
        created_by_id=author.id,
    )
    visit.findings = [VisitFinding(kim_id=k.id, problems=[]) for k in kims]
    db.session.add(visit)
    db.session.commit()
    return visit


def make_follow_up(
    kim: Kim,
    owner: User,
    due_on: date,
    status: str = FOLLOW_UP_OPEN,
    closed_on: date | None = None,
    recommendation: str = "Unggah berita kegiatan desa setiap minggu",
    **fields: Any,
) -> FollowUp:
    row = FollowUp(
        kim_id=kim.id,
        owner_id=owner.id,
        due_on=due_on,
        status=status,
        closed_on=closed_on if closed_on or status != FOLLOW_UP_DONE else due_on,
        recommendation=recommendation,
        evidence=fields.pop("evidence", "Sudah dikerjakan" if status != FOLLOW_UP_OPEN else None),
        **fields,
    )
    db.session.add(row)
    db.session.commit()
    return row
