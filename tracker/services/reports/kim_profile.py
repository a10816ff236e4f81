"""A KIM's profile page: the registry record, where it lies, its audit history, its latest
assessment and one timeline of what happened to it (assessments, coaching sessions; visits and
follow-ups plug in the same way), gathered from the registry, assessment and coaching domains.
It sits in reports because it reads across domains."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from tracker.extensions import db
from tracker.models import Assessment, AuditEntry, Kim, Period
from tracker.models import Framework as FrameworkRow
from tracker.models.user import User
from tracker.scoring.framework import load_framework
from tracker.services.assessment import freshness, runner
from tracker.services.assessment.freshness import KimFreshness
from tracker.services.assessment.reports import HistoryRow, kim_history
from tracker.services.assessment.runner import LatestAssessment
from tracker.services.coaching.sessions import kim_sessions
from tracker.services.common.audit_render import ShownEntry, render
from tracker.services.common.permissions import VIEW, require
from tracker.services.registry.kims import get_kim
from tracker.services.visits.timeline import kim_timeline_items


@dataclass(frozen=True)
class TimelineEvent:
    """One thing on a KIM's timeline. `kind` names the template that shows it
    (templates/kims/timeline/_<kind>.html, which reads `event.item`); `item` is the source's own
    record. Newest first; on one day, in the order of TIMELINE_SOURCES."""

    day: date
    kind: str
    item: object


@dataclass(frozen=True)
class AssessedPeriod:
    """An assessment on the timeline: the period's result and the tier before it."""

    row: HistoryRow
    previous_tier: str | None


def _assessment_events(user: User, kim_id: int) -> Iterable[TimelineEvent]:
    previous: str | None = None
    for row in kim_history(kim_id):
        if row.period_end is not None:
            yield TimelineEvent(row.period_end, "assessment", AssessedPeriod(row, previous))
        previous = row.tier


def _session_events(user: User, kim_id: int) -> Iterable[TimelineEvent]:
    for session in kim_sessions(kim_id):
        yield TimelineEvent(session.start_date, "session", session)


def _monitoring_events(user: User, kim_id: int) -> Iterable[TimelineEvent]:
    """Visits with a finding about the KIM (and their photos' thumbnails) and its follow-ups,
    made, done or dropped: items the visits domain has already worded."""
    for item in kim_timeline_items(user, kim_id):
        yield TimelineEvent(item.date, "monitoring", item)


# Each source gives the events of one domain for a KIM already found in the user's scope, in a
# fixed number of queries; each kind has its template under templates/kims/timeline/.
TimelineSource = Callable[[User, int], Iterable[TimelineEvent]]
TIMELINE_SOURCES: tuple[TimelineSource, ...] = (
    _assessment_events,
    _session_events,
    _monitoring_events,
)


def timeline(user: User, kim_id: int) -> list[TimelineEvent]:
    """Every source's events, newest first (the caller has checked the KIM is in scope)."""
    events = [
        (event, order)
        for order, source in enumerate(TIMELINE_SOURCES)
        for event in source(user, kim_id)
    ]
    events.sort(key=lambda pair: (-pair[0].day.toordinal(), pair[1]))
    return [event for event, _order in events]


@dataclass(frozen=True)
class DimensionNeed:
    code: str
    name: str
    score: float | None
    required: float | None  # the next tier's condition on this dimension, if it sets one


@dataclass(frozen=True)
class TierPath:
    """A KIM's tier in every assessed period, and its latest dimension scores against what the
    next tier asks (the minimum total score, and any condition on a dimension)."""

    tier_names: tuple[str, ...]
    history: list[HistoryRow]
    period_code: str  # of the latest assessment
    score: float
    tier: str
    dimensions: list[DimensionNeed]
    next_tier: str | None  # None: already the highest
    next_minimum: float | None


def tier_path(kim_id: int) -> TierPath | None:
    """From the KIM's history (one query) and its latest assessment under the framework that
    stands for that period (one query)."""
    history = kim_history(kim_id)
    if not history:
        return None
    last = history[-1]
    found = db.session.execute(
        select(Assessment.dimension_scores, FrameworkRow.definition)
        .join(Period, Period.id == Assessment.period_id)
        .join(FrameworkRow, FrameworkRow.id == Assessment.framework_id)
        .where(
            Assessment.kim_id == kim_id,
            Period.code == last.period_code,
            FrameworkRow.version == last.framework_version,
        )
    ).first()
    if found is None:  # pragma: no cover - the history row came from this very assessment
        return None
    dims, definition = found
    fw = load_framework(definition)
    names = fw.tier_names
    at = names.index(last.tier) if last.tier in names else -1
    next_tier = names[at + 1] if at + 1 < len(names) else None
    conditions = (
        {c.target: float(c.minimum) for c in fw.conditions_for(next_tier)} if next_tier else {}
    )
    minimum = next((float(t.minimum) for t in fw.tiers if t.name == next_tier), None)
    return TierPath(
        tier_names=names,
        history=history,
        period_code=last.period_code,
        score=last.score,
        tier=last.tier,
        dimensions=[
            DimensionNeed(
                d.code,
                d.name,
                (dims or {}).get(d.code),
                conditions.get(d.code),
            )
            for d in fw.dimensions
        ],
        next_tier=next_tier,
        next_minimum=minimum,
    )


@dataclass
class KimDetail:
    kim: Kim
    desa_name: str
    kecamatan_name: str
    kabupaten_name: str
    history: list[ShownEntry]
    latest_assessment: LatestAssessment | None = None
    stale_periods: list[KimFreshness] = field(default_factory=list)  # open periods only
    timeline: list[TimelineEvent] = field(default_factory=list)
    tier_path: TierPath | None = None


def kim_detail(user: User, kim_id: int, history_limit: int = 50) -> KimDetail:
    """The KIM, where it is, its timeline and its audit history (newest first, worded for the
    reader): every entry about the KIM, whatever its entity."""
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
        timeline(user, kim.id),
        tier_path(kim.id),
    )
