"""Activity: content posts, per-period totals and manual measurements, stored directly or
through their imports (`actor=None`: the command line)."""

from __future__ import annotations

from datetime import date
from typing import Any

from tracker.extensions import db
from tracker.models import ContentCount, ContentPost, Kim, Measurement, User
from tracker.models.activity import MEASUREMENT_VERIFIED
from tracker.services.activity import content_totals
from tracker.services.activity.count_import import CountImport
from tracker.services.activity.measurement_import import MeasurementImport
from tracker.services.activity.post_import import PostImport
from tracker.services.common.import_pipeline import ImportResult, run_import


def make_posts(kim: Kim, *posts: tuple[str, date]) -> None:
    """make_posts(k, ("berita", date(2025, 1, 3)), ("galeri", date(2025, 2, 1)), ...)."""
    for number, (kind, day) in enumerate(posts):
        db.session.add(
            ContentPost(
                kim_id=kim.id,
                type=kind,
                posted_on=day,
                title=f"{kind} {day.isoformat()} {number}",
                url=f"https://kim.example/{kim.id}/{kind}/{day.isoformat()}/{number}",
            )
        )
    db.session.flush()
    content_totals.recount([kim.id])
    db.session.commit()


def make_count(
    kim: Kim, period: Any, berita: int = 0, galeri: int = 0, pengumuman: int = 0, agenda: int = 0
) -> Any:
    c = ContentCount(
        kim_id=kim.id,
        period_id=period.id,
        berita=berita,
        galeri=galeri,
        pengumuman=pengumuman,
        agenda=agenda,
    )
    db.session.add(c)
    db.session.commit()
    return c


def make_measurement(
    kim: Kim,
    period: Any,
    code: str,
    value: float,
    status: str = MEASUREMENT_VERIFIED,
    note: str | None = "bukti uji",
    entered_by: User | None = None,
    reject_reason: str | None = None,
) -> Any:
    """A stored value: verified by default (as the command line imports it), or submitted /
    rejected as a petugas's value waiting for, or refused by, a kabid."""
    m = Measurement(
        kim_id=kim.id,
        period_id=period.id,
        indicator_code=code,
        value=value,
        status=status,
        note=note,
        recorded_by_id=entered_by.id if entered_by is not None else None,
        reject_reason=reject_reason,
    )
    db.session.add(m)
    db.session.commit()
    return m


def import_posts(data: bytes, filename: str, actor: User | None, **flags: Any) -> ImportResult:
    return run_import(PostImport, data, filename, actor, **flags)


def import_counts(
    data: bytes, filename: str, period_code: str, actor: User | None, **flags: Any
) -> ImportResult:
    return run_import(CountImport, data, filename, actor, {"period": period_code}, **flags)


def import_measurements(
    data: bytes, filename: str, period_code: str, actor: User | None, **flags: Any
) -> ImportResult:
    return run_import(MeasurementImport, data, filename, actor, {"period": period_code}, **flags)
