"""A KIM's profile page: the registry record, where it lies, its audit history and its latest
assessment, gathered from the registry and assessment domains (and, as they arrive, its coaching
sessions, visits and letters). It sits in reports because it reads across domains."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from tracker.extensions import db
from tracker.models import AuditEntry, Kim
from tracker.models.user import User
from tracker.services.assessment import freshness, runner
from tracker.services.assessment.freshness import KimFreshness
from tracker.services.assessment.runner import LatestAssessment
from tracker.services.common.audit_render import ShownEntry, render
from tracker.services.common.permissions import VIEW, require
from tracker.services.registry.kims import get_kim


@dataclass
class KimDetail:
    kim: Kim
    desa_name: str
    kecamatan_name: str
    kabupaten_name: str
    history: list[ShownEntry]
    latest_assessment: LatestAssessment | None = None
    stale_periods: list[KimFreshness] = field(default_factory=list)  # open periods only


def kim_detail(user: User, kim_id: int, history_limit: int = 50) -> KimDetail:
    """The KIM, where it is, and its audit history (newest first, worded for the reader): every
    entry about the KIM, whatever its entity."""
    require(user, VIEW)
    kim = get_kim(user, kim_id)
    desa = kim.desa
    kecamatan = desa.parent
    kabupaten = kecamatan.parent if kecamatan is not None else None
    history = render(
        db.session.scalars(
            select(AuditEntry)
            .where(AuditEntry.kim_id == kim.id)
            .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
            .limit(history_limit)
        ).all()
    )
    return KimDetail(
        kim,
        desa.display_name,
        kecamatan.display_name if kecamatan is not None else "",
        kabupaten.display_name if kabupaten is not None else "",
        history,
        runner.latest_for_kim(kim.id),
        freshness.kim_open_periods(user, kim.id),
    )
