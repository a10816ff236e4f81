"""Assessing a whole period: inputs for every KIM in a few queries, the pure engine per KIM, and
the results stored in one transaction with one bulk delete and one bulk insert.

The same function serves the period page's button, `flask assess run`, the demo seeder and the
benchmark. `actor=None` is the server operator (CLI, seeder, jobs): every active KIM in the
database; a user runs it for the KIMs in their region scope only, and only with MANAGE_PERIODS.

Which framework's assessments count for a period (stability, movers, pages, exports): the active
framework's when it has assessed that period, otherwise the newest version that has. So the first
run under a new framework version builds on the tiers the previous version assigned.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, case, delete, select

from tracker.extensions import db
from tracker.models import Assessment, Kim, Period
from tracker.models import Framework as FrameworkRow
from tracker.models.base import utcnow
from tracker.models.user import User
from tracker.scoring.engine import PreviousTier
from tracker.scoring.framework import Framework, load_framework
from tracker.scoring.periods import PeriodCodeError, parse_period_code, previous_code
from tracker.services.assessment.inputs import collect_inputs
from tracker.services.assessment.store import assessment_rows, insert_rows
from tracker.services.common import audit_writer, input_changes
from tracker.services.common.bulk import collector_paused
from tracker.services.common.errors import Invalid
from tracker.services.common.permissions import MANAGE_PERIODS, require
from tracker.services.common.scope import scope_filter
from tracker.services.common.unit_of_work import transaction
from tracker.services.rules import frameworks
from tracker.services.rules.periods import get_period

__all__ = [
    "AssessmentError",
    "AssessmentRun",
    "LatestAssessment",
    "assess_period",
    "collect_inputs",
    "framework_for_period",
    "latest_for_kim",
    "previous_period",
    "previous_tiers",
    "resolve_period",
]


class AssessmentError(Invalid):
    """The run cannot happen as asked; the message is Indonesian and shown as is."""


@dataclass(frozen=True)
class AssessmentRun:
    period_code: str
    framework_version: int
    kims_assessed: int
    tier_counts: dict[str, int]  # every tier of the framework, in order, zeros included
    duration_seconds: float


@dataclass(frozen=True)
class LatestAssessment:
    """A KIM's most recent stored assessment, for its registry page."""

    kim_id: int
    period_code: str
    period_end: date
    score: float
    raw_tier: str
    tier: str
    framework_version: int


def resolve_period(period: Period | str) -> Period:
    """The period itself, or the one a code names (PeriodNotFoundError when none)."""
    return period if isinstance(period, Period) else get_period(period)


def previous_period(period: Period) -> Period | None:
    """The period of the same kind just before (2025-T1 → 2024-T4), when it exists."""
    try:
        code = previous_code(parse_period_code(period.code))
    except PeriodCodeError:  # pragma: no cover - stored codes are always valid
        return None
    return db.session.scalar(select(Period).where(Period.code == code))


def framework_for_period(period_id: int, preferred_id: int | None = None) -> FrameworkRow | None:
    """The framework whose assessments stand for a period (see the module docstring)."""
    preferred_id = preferred_id if preferred_id is not None else _active_id()
    used = db.session.scalars(
        select(FrameworkRow)
        .where(
            FrameworkRow.id.in_(
                select(Assessment.framework_id).where(Assessment.period_id == period_id)
            )
        )
        .order_by(FrameworkRow.version.desc())
    ).all()
    for row in used:
        if row.id == preferred_id:
            return row
    return used[0] if used else None


def _active_id() -> int | None:
    active = frameworks.get_active()
    return active.id if active is not None else None


def _kims_in(scope_codes: list[str] | None) -> ColumnElement[bool] | None:
    if scope_codes is None:
        return None
    return Assessment.kim_id.in_(select(Kim.id).where(scope_filter(Kim.desa_code, scope_codes)))


def previous_tiers(
    period: Period, framework_id: int | None = None, scope_codes: list[str] | None = None
) -> dict[int, PreviousTier]:
    """The previous period's stored tiers, per KIM, for the stability rule.

    Taken from the previous period of the same kind, under `framework_id` (default: the active
    framework) when it assessed that period, else under the newest framework that did. A KIM
    without a previous assessment is absent (the engine then assigns the raw tier).
    """
    before = previous_period(period)
    if before is None:
        return {}
    source = framework_for_period(before.id, framework_id)
    if source is None:
        return {}
    stmt = select(Assessment.kim_id, Assessment.tier, Assessment.raw_tier, Assessment.score).where(
        Assessment.period_id == before.id, Assessment.framework_id == source.id
    )
    narrow = _kims_in(scope_codes)
    if narrow is not None:
        stmt = stmt.where(narrow)
    return {
        kim_id: PreviousTier(tier, raw_tier, float(score))
        for kim_id, tier, raw_tier, score in db.session.connection().execute(stmt)
    }


def _active_framework() -> tuple[FrameworkRow, Framework]:
    row = frameworks.get_active()
    if row is None:
        raise AssessmentError(
            _("Belum ada kerangka penilaian yang aktif; aktifkan satu versi terlebih dahulu.")
        )
    return row, load_framework(row.definition)


def assess_period(period: Period | str, actor: User | None) -> AssessmentRun:
    """Assess every active KIM (in the actor's scope) for `period` under the active framework,
    replacing that framework's stored assessments of the period. One transaction, one audit
    entry. Refuses a closed period: its assessments are frozen."""
    started = time.perf_counter()
    require(actor, MANAGE_PERIODS)
    period = resolve_period(period)
    if period.is_closed:
        raise AssessmentError(
            _(
                "Periode %(code)s sudah ditutup: penilaiannya dibekukan dan tidak dihitung ulang.",
                code=period.code,
            )
        )
    fw_row, fw = _active_framework()
    scope = None if actor is None else list(actor.scope_codes)

    with collector_paused():
        # the input revisions first, then the inputs: a change committed after this read is
        # flagged stale, never taken as seen (tracker.services.common.input_changes)
        revisions = input_changes.revisions(period.id)
        inputs = collect_inputs(period, scope)
        previous = previous_tiers(period, fw_row.id, scope)
        rows, counts = assessment_rows(
            fw, inputs, previous, period.id, fw_row.id, utcnow(), revisions
        )
        del inputs, previous, revisions

    replace = delete(Assessment).where(
        Assessment.period_id == period.id, Assessment.framework_id == fw_row.id
    )
    narrow = _kims_in(scope)
    if narrow is not None:
        replace = replace.where(narrow)
    tier_counts = {name: counts.get(name, 0) for name in fw.tier_names}
    with transaction():
        db.session.execute(replace.execution_options(synchronize_session=False))
        insert_rows(rows)
        audit_writer.record(
            "assessment.run",
            "period",
            period.id,
            actor,
            params={
                "period": period.code,
                "version": fw_row.version,
                "kims": len(rows),
                "tiers": tier_counts,
            },
            region=audit_writer.enclosing_region(scope or ()),  # the operator: every region
        )
    return AssessmentRun(
        period_code=period.code,
        framework_version=fw_row.version,
        kims_assessed=len(rows),
        tier_counts=tier_counts,
        duration_seconds=time.perf_counter() - started,
    )


def latest_for_kim(kim_id: int) -> LatestAssessment | None:
    """The KIM's assessment of the latest assessed period (the active framework's when both the
    active and an older one assessed it). The caller has already checked the KIM is in scope."""
    active_id = _active_id()
    preferred = case((Assessment.framework_id == active_id, 0), else_=1)
    row = db.session.execute(
        select(
            Period.code,
            Period.end_date,
            Assessment.score,
            Assessment.raw_tier,
            Assessment.tier,
            FrameworkRow.version,
        )
        .join(Period, Period.id == Assessment.period_id)
        .join(FrameworkRow, FrameworkRow.id == Assessment.framework_id)
        .where(Assessment.kim_id == kim_id)
        .order_by(
            Period.end_date.desc(),
            Period.start_date.desc(),
            preferred,
            FrameworkRow.version.desc(),
        )
        .limit(1)
    ).first()
    if row is None:
        return None
    code, end, score, raw_tier, tier, version = row
    return LatestAssessment(kim_id, code, end, float(score), raw_tier, tier, version)
