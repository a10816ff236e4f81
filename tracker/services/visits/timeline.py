"""A KIM's visits and follow-ups as items of its timeline (DESIGN.md §3, issue 14 point 8).

The KIM page's timeline (tracker.services.reports.kim_profile) merges these with the KIM's
assessments and coaching sessions: every domain hands over plain items with a date, a kind, a
title and the id the page links it by, and the page sorts them. Here: one item per visit that
has a finding about the KIM (with the thumbnails of the photos taken of it), one per follow-up
when it was made, and one when it was done or dropped. Three queries, whatever the number of
visits.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import select

from tracker.extensions import db
from tracker.models import FollowUp, MonitoringVisit, Region, VisitFinding, VisitPhoto
from tracker.models.user import User
from tracker.models.visits import (
    FOLLOW_UP_DONE,
    FOLLOW_UP_DROPPED,
    PROBLEM_LABELS,
    RATING_LABELS,
)
from tracker.services.common.clock import OFFICE_TZ
from tracker.services.registry.kims import get_kim

KIND_VISIT = "visit"
KIND_FOLLOW_UP = "follow_up"  # made
KIND_FOLLOW_UP_DONE = "follow_up_done"
KIND_FOLLOW_UP_DROPPED = "follow_up_dropped"
# on one day, newest first: a follow-up closed, then made, then the visit it came from
_ORDER = {KIND_VISIT: 0, KIND_FOLLOW_UP: 1, KIND_FOLLOW_UP_DONE: 2, KIND_FOLLOW_UP_DROPPED: 2}


@dataclass(frozen=True)
class Thumbnail:
    photo_id: int  # the page links the photo and its thumbnail (visits.photo)
    alt: str


@dataclass(frozen=True)
class TimelineItem:
    """One dated thing on a KIM's timeline, already worded for the reader. The page links it by
    its visit (KIND_VISIT) or its follow-up (the other kinds)."""

    date: date
    kind: str
    title: str
    visit_id: int | None = None
    follow_up_id: int | None = None
    detail: str = ""
    thumbnails: tuple[Thumbnail, ...] = field(default_factory=tuple)


def _visit_detail(finding: VisitFinding) -> str:
    parts: list[str] = []
    if finding.rating:
        parts.append(_(RATING_LABELS[finding.rating]))
    if finding.problems:
        names = ", ".join(_(PROBLEM_LABELS[p]) for p in finding.problems if p in PROBLEM_LABELS)
        parts.append(_("masalah: %(names)s", names=names))
    if finding.recommendation:
        parts.append(_("rekomendasi: %(text)s", text=finding.recommendation))
    return "; ".join(parts)


def utc_to_office_date(moment: datetime) -> date:
    """The office's day of a stored (naive UTC) moment."""
    return moment.replace(tzinfo=UTC).astimezone(OFFICE_TZ).date()


def _shorten(text: str, limit: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def kim_timeline_items(user: User | None, kim_id: int) -> list[TimelineItem]:
    """The KIM's visits (with photo thumbnails) and follow-ups, newest first. NotFound when the
    KIM lies outside the user's scope (the same check as the KIM page's)."""
    get_kim(user, kim_id)
    items: list[TimelineItem] = []
    visits = db.session.execute(
        select(VisitFinding, MonitoringVisit.id, MonitoringVisit.started_on, Region.display_name)
        .join(MonitoringVisit, MonitoringVisit.id == VisitFinding.visit_id)
        .join(Region, Region.code == MonitoringVisit.kecamatan_code)
        .where(VisitFinding.kim_id == kim_id)
    ).all()
    thumbs: dict[int, list[Thumbnail]] = {}
    for photo_id, visit_id in db.session.execute(
        select(VisitPhoto.id, VisitPhoto.visit_id)
        .where(VisitPhoto.kim_id == kim_id, VisitPhoto.visit_id.is_not(None))
        .order_by(VisitPhoto.id)
    ):
        thumbs.setdefault(visit_id, []).append(
            Thumbnail(photo_id=photo_id, alt=_("Foto kunjungan"))
        )
    for finding, visit_id, started_on, kecamatan in visits:
        items.append(
            TimelineItem(
                date=started_on,
                kind=KIND_VISIT,
                title=_("Kunjungan pemantauan Kecamatan %(name)s", name=kecamatan),
                visit_id=visit_id,
                detail=_visit_detail(finding),
                thumbnails=tuple(thumbs.get(visit_id, ())),
            )
        )
    made = db.session.execute(
        select(FollowUp, MonitoringVisit.started_on)
        .outerjoin(MonitoringVisit, MonitoringVisit.id == FollowUp.visit_id)
        .where(FollowUp.kim_id == kim_id)
    ).all()
    for follow_up, visited_on in made:
        text = _shorten(follow_up.recommendation)
        items.append(
            TimelineItem(
                # made on the visit it came from (entered later or not), else when entered
                date=visited_on or utc_to_office_date(follow_up.created_at),
                kind=KIND_FOLLOW_UP,
                title=_("Tindak lanjut: %(text)s", text=text),
                follow_up_id=follow_up.id,
                detail=_("batas %(day)s", day=format_date(follow_up.due_on, "d MMMM y")),
            )
        )
        if follow_up.status in (FOLLOW_UP_DONE, FOLLOW_UP_DROPPED) and follow_up.closed_on:
            done = follow_up.status == FOLLOW_UP_DONE
            items.append(
                TimelineItem(
                    date=follow_up.closed_on,
                    kind=KIND_FOLLOW_UP_DONE if done else KIND_FOLLOW_UP_DROPPED,
                    title=(
                        _("Tindak lanjut selesai: %(text)s", text=text)
                        if done
                        else _("Tindak lanjut dibatalkan: %(text)s", text=text)
                    ),
                    follow_up_id=follow_up.id,
                    detail=_shorten(follow_up.evidence or ""),
                )
            )
    items.sort(key=lambda item: (item.date, _ORDER[item.kind]), reverse=True)
    return items
