"""Coaching effect: did the KIMs that attended a session (or any session of a topic) move more
than comparable KIMs that did not? The method is `tracker.scoring.effect` and docs/coaching.md:

- the periods: for a session starting on day d, the *after* period is the first assessed period
  ending on or after d (the quarter the session fell in), the *before* period the one of the same
  kind just before it, which must be assessed too; each under the framework that stands for it;
- the KIMs: those in the reader's scope assessed in both periods. Attendees: the KIMs that came
  (for a topic: to a session of the topic in that quarter, counted at their first such quarter).
  Non-attendees: the others (for a topic: who came to no session of the topic up to the after
  period's end), matched by starting tier and kecamatan;
- what changes: the score S, S without the coaching dimension P (attending raises P1 by itself,
  up to 5 points of S under framework v1), and the tier.

A few queries per pair of periods (a topic's sessions span a few quarters at most).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import exists, select

from tracker.charts.effect import ChartGroup, effect_chart
from tracker.charts.svg import number
from tracker.extensions import db
from tracker.io.tabular import FORMATS
from tracker.models import (
    Assessment,
    CoachingAttendance,
    CoachingSession,
    Kim,
    Period,
    Topic,
)
from tracker.models.coaching import session_topic
from tracker.models.user import User
from tracker.scoring.effect import (
    MATCH_KECAMATAN,
    MATCH_TIER,
    MIN_GROUP,
    MIN_LOCAL_MATCHES,
    Comparison,
    Observation,
    compare,
    score_without,
)
from tracker.scoring.framework import Framework, load_framework
from tracker.services.assessment.runner import framework_for_period, previous_period
from tracker.services.coaching.access import get_session, visible_clause
from tracker.services.coaching.errors import TopicNotFoundError
from tracker.services.common.clock import office_today
from tracker.services.common.errors import Invalid
from tracker.services.common.exports import ExportFile, export_file
from tracker.services.common.permissions import VIEW, require
from tracker.services.common.scope import actor_scope_filter
from tracker.services.registry import places
from tracker.services.registry.places import located

SUBJECT_SESSION = "session"
SUBJECT_TOPIC = "topic"
GROUP_ATTENDED = "peserta"
GROUP_COMPARED = "pembanding"
COACHING_INDICATOR = "P1"  # its dimension is what attending raises by itself


@dataclass(frozen=True)
class _Assessed:
    tier: str
    score: float
    dimension_scores: dict[str, float]


@dataclass(frozen=True)
class EffectRow:
    group: str  # GROUP_ATTENDED | GROUP_COMPARED
    kim_id: int
    name: str
    kecamatan: str
    before: str  # period codes
    after: str
    tier_before: str
    tier_after: str
    score_before: float
    score_after: float
    change: float
    rest_change: float | None
    matched_by: str = ""  # attendees: MATCH_KECAMATAN | MATCH_TIER | MATCH_NONE


@dataclass
class EffectReport:
    subject: str  # SUBJECT_SESSION | SUBJECT_TOPIC
    subject_id: int
    title: str
    day: date | None  # a session's first day
    sessions: int  # sessions taken into account
    pairs: list[tuple[str, str]] = field(default_factory=list)  # (before, after) period codes
    comparison: Comparison | None = None
    rows: list[EffectRow] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # sessions left out, and why
    frameworks_differ: bool = False
    chart_svg: str = ""
    min_group: int = MIN_GROUP
    min_local: int = MIN_LOCAL_MATCHES
    without_dimension: str = ""  # the coaching dimension left out of "tanpa P"

    @property
    def attendees(self) -> list[EffectRow]:
        return [r for r in self.rows if r.group == GROUP_ATTENDED]


# ----------------------------------------------------------------------------------- periods


def _assessed_periods() -> list[Period]:
    return list(
        db.session.scalars(
            select(Period)
            .where(exists().where(Assessment.period_id == Period.id))
            .order_by(Period.end_date, Period.start_date.desc())
        )
    )


def _pair(day: date, assessed: Sequence[Period]) -> tuple[Period, Period] | str:
    """(before, after) for a session starting on `day`, or why there is none."""
    after = next((p for p in assessed if p.end_date >= day), None)
    if after is None:
        return _("belum ada periode yang dinilai sesudah sesi ini")
    before = previous_period(after)
    if before is None or before.id not in {p.id for p in assessed}:
        return _(
            "periode sebelum %(code)s belum dinilai, jadi tidak ada titik awal", code=after.code
        )
    return before, after


def _results(
    user: User | None, period: Period, kim_ids: Iterable[int] | None = None
) -> tuple[Framework | None, dict[int, _Assessed]]:
    fw_row = framework_for_period(period.id)
    if fw_row is None:
        return None, {}
    stmt = (
        select(Assessment.kim_id, Assessment.tier, Assessment.score, Assessment.dimension_scores)
        .join(Kim, Kim.id == Assessment.kim_id)
        .where(
            Assessment.period_id == period.id,
            Assessment.framework_id == fw_row.id,
            actor_scope_filter(Kim.desa_code, user),
        )
    )
    found = {
        kim_id: _Assessed(tier, float(score), dict(dims or {}))
        for kim_id, tier, score, dims in db.session.execute(stmt)
    }
    return load_framework(fw_row.definition), found


def _attendees(session_ids: Sequence[int]) -> set[int]:
    if not session_ids:
        return set()
    return set(
        db.session.scalars(
            select(CoachingAttendance.kim_id).where(
                CoachingAttendance.session_id.in_(list(session_ids))
            )
        )
    )


def _places(kim_ids: Iterable[int]) -> dict[int, tuple[str, str, str]]:
    """{kim id: (name, kecamatan code, kecamatan name)}."""
    ids = sorted(set(kim_ids))
    found: dict[int, tuple[str, str, str]] = {}
    for start in range(0, len(ids), 500):
        rows = db.session.execute(
            located(
                select(Kim.id, Kim.name, places.Kecamatan.code, places.Kecamatan.display_name),
                kecamatan_optional=True,
            ).where(Kim.id.in_(ids[start : start + 500]))
        )
        found.update({kim_id: (name, code or "", kec or "") for kim_id, name, code, kec in rows})
    return found


def _without_dimension(fw: Framework) -> str | None:
    indicator = fw.indicators.get(COACHING_INDICATOR)
    return indicator.dimension if indicator is not None else None


def _observation(
    kim_id: int,
    kecamatan: str,
    before: tuple[Framework, _Assessed],
    after: tuple[Framework, _Assessed],
) -> Observation | None:
    (fw_b, b), (fw_a, a) = before, after
    if b.tier not in fw_b.tier_names or a.tier not in fw_a.tier_names:
        return None
    left_b, left_a = _without_dimension(fw_b), _without_dimension(fw_a)
    return Observation(
        kim_id=kim_id,
        kecamatan=kecamatan,
        tier_before=fw_b.tier_index(b.tier),
        tier_after=fw_a.tier_index(a.tier),
        score_before=b.score,
        score_after=a.score,
        rest_before=score_without(fw_b, b.dimension_scores, left_b) if left_b else None,
        rest_after=score_without(fw_a, a.dimension_scores, left_a) if left_a else None,
    )


# ----------------------------------------------------------------------------------- report


@dataclass
class Cohort:
    before: Period
    after: Period
    sessions: list[int] = field(default_factory=list)


def _report(
    user: User | None,
    report: EffectReport,
    sessions: Sequence[tuple[int, str, date]],
    exposed_before: dict[int, date] | None = None,
) -> EffectReport:
    """Fill `report` from its sessions (id, title, first day), oldest first. For a topic,
    `exposed_before` holds each KIM's first session day of the topic (KIMs that attended any)."""
    assessed = _assessed_periods()
    cohorts: dict[tuple[int, int], Cohort] = {}
    for session_id, title, day in sessions:
        if day > office_today():
            report.skipped.append(_("%(title)s: belum berlangsung", title=title))
            continue
        found = _pair(day, assessed)
        if isinstance(found, str):
            report.skipped.append(f"{title}: {found}")
            continue
        before, after = found
        cohorts.setdefault((before.id, after.id), Cohort(before, after)).sessions.append(session_id)
    counted: set[int] = set()  # a topic's attendee counts in its first quarter only
    parts: list[tuple[list[Observation], list[Observation]]] = []
    labels: list[tuple[Cohort, dict[int, tuple[str, str, str]], dict[int, tuple[str, str]]]] = []
    versions: set[int] = set()
    for cohort in sorted(cohorts.values(), key=lambda c: c.after.end_date):
        fw_b, results_b = _results(user, cohort.before)
        fw_a, results_a = _results(user, cohort.after)
        if fw_b is None or fw_a is None:
            continue
        for period in (cohort.before, cohort.after):
            row = framework_for_period(period.id)
            if row is not None:
                versions.add(row.version)
        both = sorted(set(results_b) & set(results_a))
        places = _places(both)
        came = _attendees(cohort.sessions) - counted
        attendees, pool = [], []
        for kim_id in both:
            obs = _observation(
                kim_id,
                places.get(kim_id, ("", "", ""))[1],
                (fw_b, results_b[kim_id]),
                (fw_a, results_a[kim_id]),
            )
            if obs is None:
                continue
            if kim_id in came:
                attendees.append(obs)
            elif exposed_before is None or not (
                kim_id in exposed_before and exposed_before[kim_id] <= cohort.after.end_date
            ):
                pool.append(obs)
        counted |= {o.kim_id for o in attendees}
        parts.append((attendees, pool))
        tiers = {k: (results_b[k].tier, results_a[k].tier) for k in both}
        labels.append((cohort, places, tiers))
        report.pairs.append((cohort.before.code, cohort.after.code))
        report.without_dimension = _without_dimension(fw_a) or ""
    report.frameworks_differ = len(versions) > 1
    if parts:
        report.comparison = compare(parts)
        report.rows = _rows(report.comparison, parts, labels)
        report.chart_svg = _chart(report)
    return report


def _rows(
    comparison: Comparison,
    parts: Sequence[tuple[list[Observation], list[Observation]]],
    labels: Sequence[tuple[Cohort, dict[int, tuple[str, str, str]], dict[int, tuple[str, str]]]],
) -> list[EffectRow]:
    """Every attendee and every non-attendee the matching chose, attendees first."""
    chosen = {id(o) for o in comparison.comparators}
    how = {m.kim_id: m.by for m in comparison.matches}
    rows = []
    for (attendees, pool), (cohort, where, tiers) in zip(parts, labels, strict=True):
        for group, observations in ((GROUP_ATTENDED, attendees), (GROUP_COMPARED, pool)):
            for obs in observations:
                if group == GROUP_COMPARED and id(obs) not in chosen:
                    continue
                name, _code, kecamatan = where.get(obs.kim_id, ("", "", ""))
                rows.append(
                    EffectRow(
                        group=group,
                        kim_id=obs.kim_id,
                        name=name,
                        kecamatan=kecamatan,
                        before=cohort.before.code,
                        after=cohort.after.code,
                        tier_before=tiers[obs.kim_id][0],
                        tier_after=tiers[obs.kim_id][1],
                        score_before=obs.score_before,
                        score_after=obs.score_after,
                        change=obs.change,
                        rest_change=obs.rest_change,
                        matched_by=how.get(obs.kim_id, "") if group == GROUP_ATTENDED else "",
                    )
                )
    rows.sort(key=lambda r: (r.group != GROUP_ATTENDED, r.kecamatan, r.name.casefold(), r.after))
    return rows


def _signed(value: float | None) -> str:
    if value is None:
        return "—"
    return ("+" if value > 0 else "") + number(value)


def _chart(report: EffectReport) -> str:
    comparison = report.comparison
    assert comparison is not None
    groups = []
    for label, observations, summary in (
        (_("Peserta"), comparison.attendees, comparison.attended),
        (_("Pembanding"), comparison.comparators, comparison.compared),
    ):
        groups.append(
            ChartGroup(
                label=label,
                values=[o.change for o in observations],
                mean=summary.mean,
                sd=summary.sd,
                caption=_(
                    "n = %(n)s · rata-rata %(mean)s · sd %(sd)s",
                    n=summary.size,
                    mean=_signed(summary.mean),
                    sd=number(summary.sd) if summary.sd is not None else "—",
                ),
            )
        )
    a, c = comparison.attended, comparison.compared
    description = _(
        "Perubahan skor per KIM. Peserta: %(na)s KIM, rata-rata %(ma)s poin. Pembanding: "
        "%(nc)s KIM, rata-rata %(mc)s poin.",
        na=a.size,
        ma=_signed(a.mean),
        nc=c.size,
        mc=_signed(c.mean),
    )
    return effect_chart(
        groups,
        title=_("Perubahan skor: %(title)s", title=report.title),
        y_label=_("Perubahan skor (poin)"),
        description=description,
    )


def session_effect(user: User | None, session_id: int) -> EffectReport:
    session = get_session(user, session_id, VIEW)
    report = EffectReport(SUBJECT_SESSION, session.id, session.title, session.start_date, 1)
    return _report(user, report, [(session.id, session.title, session.start_date)])


def topic_effect(user: User | None, topic_id: int) -> EffectReport:
    """Every session of the topic the user may see, pooled (each KIM at its first one)."""
    require(user, VIEW)
    topic = db.session.get(Topic, topic_id)
    if topic is None:
        raise TopicNotFoundError(_("Materi pembinaan tidak ditemukan."))
    rows = db.session.execute(
        select(CoachingSession.id, CoachingSession.title, CoachingSession.start_date)
        .join(session_topic, session_topic.c.session_id == CoachingSession.id)
        .where(session_topic.c.topic_id == topic.id, visible_clause(user))
        .order_by(CoachingSession.start_date, CoachingSession.id)
    ).all()
    first_day: dict[int, date] = {}
    attended = db.session.execute(
        select(CoachingAttendance.kim_id, CoachingSession.start_date)
        .join(CoachingSession, CoachingSession.id == CoachingAttendance.session_id)
        .join(session_topic, session_topic.c.session_id == CoachingSession.id)
        .where(session_topic.c.topic_id == topic.id)
    )
    for kim_id, day in attended:
        if kim_id not in first_day or day < first_day[kim_id]:
            first_day[kim_id] = day
    report = EffectReport(SUBJECT_TOPIC, topic.id, topic.name, None, len(rows))
    return _report(user, report, [(r.id, r.title, r.start_date) for r in rows], first_day)


# ----------------------------------------------------------------------------------- export

EXPORT_HEADERS = (
    "Kelompok",
    "KIM",
    "Kecamatan",
    "Periode awal",
    "Periode akhir",
    "Jenjang awal",
    "Jenjang akhir",
    "Skor awal",
    "Skor akhir",
    "Perubahan skor",
    "Perubahan skor tanpa P",
    "Pembanding dipilih",
)
_MATCH_TEXT = {MATCH_KECAMATAN: "sekecamatan, sejenjang", MATCH_TIER: "sejenjang"}


def export_effect(user: User | None, subject: str, subject_id: int, fmt: str) -> ExportFile:
    """Every KIM of the report, one row each (attendees first), as CSV or XLSX."""
    if fmt not in FORMATS:
        raise Invalid(_("Format .%(fmt)s tidak didukung; gunakan .csv atau .xlsx.", fmt=fmt or "?"))
    report = (
        session_effect(user, subject_id)
        if subject == SUBJECT_SESSION
        else topic_effect(user, subject_id)
    )
    rows: list[list[Any]] = [
        [
            row.group,
            row.name,
            row.kecamatan,
            row.before,
            row.after,
            row.tier_before,
            row.tier_after,
            row.score_before,
            row.score_after,
            row.change,
            row.rest_change,
            (_MATCH_TEXT.get(row.matched_by, "tidak ada") if row.group == GROUP_ATTENDED else ""),
        ]
        for row in report.rows
    ]
    name = "sesi" if subject == SUBJECT_SESSION else "materi"
    return export_file(f"dampak-{name}-{subject_id}", EXPORT_HEADERS, rows, fmt)
