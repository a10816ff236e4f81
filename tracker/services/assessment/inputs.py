"""Indicator values for every KIM of a period, gathered in a handful of set-based queries.

Each source is one query for the whole period (posts, last upload, period totals, measurements,
registry, coaching attendance), grouped per KIM in the database; Python only merges the small
per-KIM rows. The order of precedence, lowest first: registry / computed from posts / period
totals ("counts") / coaching, then a verified manual measurement, which overrides whatever was
computed.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, Result, Select, and_, case, distinct, exists, func, select

from tracker.extensions import db
from tracker.models import (
    CoachingAttendance,
    CoachingSession,
    ContentCount,
    ContentPost,
    Kim,
    Measurement,
    Period,
)
from tracker.models.activity import MEASUREMENT_VERIFIED, POST_HARVESTED
from tracker.models.kim import STATUS_ACTIVE
from tracker.scoring.engine import IndicatorValue
from tracker.scoring.periods import months_in, twelve_months_to, window_count
from tracker.services.assessment.follow_up_rate import follow_up_rates
from tracker.services.assessment.sql import days_to, week_index
from tracker.services.common.scope import scope_filter
from tracker.services.registry import gates

SOURCE_COMPUTED = "computed"
SOURCE_COUNTS = "counts"
SOURCE_REGISTRY = "registry"
SOURCE_MANUAL = "manual"
SOURCE_DEFAULT = "default"
SOURCE_ATTENDANCE = "attendance"  # P1: counted from the coaching attendance recorded
SOURCE_FOLLOW_UPS = "follow_ups"  # P2: counted from the follow-ups of monitoring visits
# W1–W4 computed from posts of which some were read from the KIM's website by the harvest
SOURCE_HARVESTED = "harvested"

Values = dict[str, IndicatorValue]

# Values are immutable, so the common ones are shared instead of built again for every KIM.
NO_DATA = IndicatorValue(None, None)
_REGISTRY = {1: IndicatorValue(1.0, SOURCE_REGISTRY), 0: IndicatorValue(0.0, SOURCE_REGISTRY)}
_NO_WEBSITE_DATA: Values = {code: NO_DATA for code in ("W1", "W2", "W3", "W4")}
_P2_NONE_DUE = IndicatorValue(100.0, SOURCE_DEFAULT)


class _PostFigures(NamedTuple):
    berita: int
    types: int
    weeks: int
    harvested: int = 0  # of the period's posts, how many the harvest read from the website


def _rows(stmt: Select[Any]) -> Result[Any]:
    """Run a column query on the session's connection: the same transaction, without the ORM's
    per-row result handling, which costs more than the query itself at 10,000+ rows."""
    return db.session.connection().execute(stmt)


def _kim_filter(scope_codes: Iterable[str] | None) -> ColumnElement[bool]:
    active = Kim.status == STATUS_ACTIVE
    if scope_codes is None:
        return active
    return and_(active, scope_filter(Kim.desa_code, scope_codes))


class _KimFacts(NamedTuple):
    k1: int
    k2: int
    last_upload_days: int | None  # days from the last upload on or before the period end
    has_posts: bool  # the KIM has any post record at all, of any date


def _kim_facts(period: Period, kim_filter: ColumnElement[bool]) -> dict[int, _KimFacts]:
    """One row per active KIM: K1 (SK number and date), K2 (KIM.id number or website) from the
    registry, the days since its last upload on or before the period end (earlier periods count
    too) and whether it has any post record at all. The last upload is a correlated MAX, and the
    post record a correlated EXISTS asked only when there is no last upload, that the
    (kim_id, posted_on) index answers with one seek per KIM, instead of grouping every post ever
    made."""
    last_upload = (
        select(func.max(ContentPost.posted_on))
        .where(ContentPost.kim_id == Kim.id, ContentPost.posted_on <= period.end_date)
        .correlate(Kim)
        .scalar_subquery()
    )
    days = days_to(period.end_date, last_upload)
    posted_later = exists().where(ContentPost.kim_id == Kim.id).correlate(Kim)
    rows = _rows(
        select(
            Kim.id,
            case((gates.k1_clause(), 1), else_=0),
            case((gates.k2_clause(), 1), else_=0),
            days,
            case((days.is_not(None), 1), (posted_later, 1), else_=0),
        ).where(kim_filter)
    )
    return {
        kim_id: _KimFacts(k1, k2, None if days is None else int(days), bool(posted))
        for kim_id, k1, k2, days, posted in rows
    }


def _post_kim_filter(scope_codes: Iterable[str] | None) -> ColumnElement[bool] | None:
    """Posts are filtered on their KIM only when a scope narrows the run; a whole-district run
    reads every post of the period and drops inactive KIMs while merging (cheaper than a join)."""
    if scope_codes is None:
        return None
    return ContentPost.kim_id.in_(select(Kim.id).where(_kim_filter(scope_codes)))


def _posts_in_period(period: Period, scope_codes: Iterable[str] | None) -> dict[int, _PostFigures]:
    """Berita, content types and weekly windows per KIM, counted by the database (the
    (kim_id, posted_on, type) index covers the whole query)."""
    in_period = ContentPost.posted_on.between(period.start_date, period.end_date)
    stmt = (
        select(
            ContentPost.kim_id,
            func.sum(case((ContentPost.type == "berita", 1), else_=0)),
            func.count(distinct(ContentPost.type)),
            func.count(distinct(week_index(ContentPost.posted_on, period.start_date))),
            func.sum(case((ContentPost.source == POST_HARVESTED, 1), else_=0)),
        )
        .where(in_period)
        .group_by(ContentPost.kim_id)
    )
    narrow = _post_kim_filter(scope_codes)
    if narrow is not None:
        stmt = stmt.where(narrow)
    return {
        kim_id: _PostFigures(int(berita or 0), int(types), int(weeks), int(harvested or 0))
        for kim_id, berita, types, weeks, harvested in _rows(stmt)
    }


def _counts(period: Period) -> dict[int, tuple[int, int, int, int]]:
    rows = _rows(
        select(
            ContentCount.kim_id,
            ContentCount.berita,
            ContentCount.galeri,
            ContentCount.pengumuman,
            ContentCount.agenda,
        ).where(ContentCount.period_id == period.id)
    ).all()
    return {kim_id: (b or 0, g or 0, p or 0, a or 0) for kim_id, b, g, p, a in rows}


def _measurements(period: Period) -> dict[int, dict[str, float]]:
    """The period's verified manual values per KIM; submitted and rejected ones never count."""
    rows = _rows(
        select(
            Measurement.kim_id, func.upper(func.trim(Measurement.indicator_code)), Measurement.value
        ).where(Measurement.period_id == period.id, Measurement.status == MEASUREMENT_VERIFIED)
    )
    found: dict[int, dict[str, float]] = {}
    for kim_id, code, value in rows:
        if kim_id in found:
            found[kim_id][code] = value
        else:
            found[kim_id] = {code: value}
    return found


def sessions_attended(period: Period) -> dict[int, int]:
    """Per KIM, the coaching sessions it attended in the 12 months to the period end (a session
    counts on its first day): one grouped query for the whole period."""
    first_day = twelve_months_to(period.end_date)
    rows = _rows(
        select(CoachingAttendance.kim_id, func.count(distinct(CoachingAttendance.session_id)))
        .join(CoachingSession, CoachingSession.id == CoachingAttendance.session_id)
        .where(CoachingSession.start_date.between(first_day, period.end_date))
        .group_by(CoachingAttendance.kim_id)
    )
    return {kim_id: int(count) for kim_id, count in rows}


def coaching_values(kim_ids: Iterable[int], period: Period) -> dict[int, Values]:
    """P1 (sessions attended in the 12 months to the period end, counted from the attendance
    recorded: one grouped query) and P2 (% of due follow-ups done, `follow_up_rate`: one grouped
    query for the period). A KIM with no follow-up due gets P2 = 100 by rule rather than measured
    (source "default", which the engine does not list as a data gap). The mappings returned may
    be shared between KIMs: read them, never change them."""
    attended = sessions_attended(period)
    rates = follow_up_rates(period)
    shared: dict[tuple[int, float | None], Values] = {}
    values: dict[int, Values] = {}
    for kim_id in kim_ids:
        key = (attended.get(kim_id, 0), rates.get(kim_id))
        found = shared.get(key)
        if found is None:
            count, rate = key
            found = shared[key] = {
                "P1": IndicatorValue(float(count), SOURCE_ATTENDANCE),
                "P2": _P2_NONE_DUE if rate is None else IndicatorValue(rate, SOURCE_FOLLOW_UPS),
            }
        values[kim_id] = found
    return values


def _website_values(
    months: int,
    windows: int,
    posts: _PostFigures | None,
    facts: _KimFacts,
    counts: tuple[int, int, int, int] | None,
) -> Values:
    """W1–W4 for one KIM from its already-aggregated figures (no query here), in a new mapping
    that becomes the KIM's values (DESIGN.md §4):

    - posts in the period: W1–W4 computed from them;
    - none, but period totals: W1 and W3 from the totals; W2 and W4 "data belum ada" (the totals
      carry no dates, and an older upload is not the last one when the totals count uploads);
    - neither, but the KIM has post records (before or after the period): W1–W3 measured as 0,
      W4 from its last upload before the period end ("data belum ada" when it has none);
    - no post record at all and no totals: W1–W4 "data belum ada".
    """
    last_upload_days = facts.last_upload_days
    if posts is None and counts is not None:
        berita = counts[0]
        return {
            "W1": IndicatorValue(berita / months, SOURCE_COUNTS),
            "W2": NO_DATA,
            "W3": IndicatorValue(float(sum(1 for n in counts if n > 0)), SOURCE_COUNTS),
            "W4": NO_DATA,
        }
    if posts is None and not facts.has_posts:
        # Nothing was ever uploaded or counted for this KIM: the data is missing, not zero.
        return dict(_NO_WEBSITE_DATA)
    figures = posts or _PostFigures(0, 0, 0)
    # posts the harvest read are named as such (sources.SOURCE_LABELS: "unggahan (dipanen)")
    source = SOURCE_HARVESTED if figures.harvested else SOURCE_COMPUTED
    return {
        "W1": IndicatorValue(figures.berita / months, source),
        "W2": IndicatorValue(100.0 * figures.weeks / windows, source),
        "W3": IndicatorValue(float(figures.types), source),
        "W4": NO_DATA
        if last_upload_days is None
        else IndicatorValue(float(last_upload_days), source),
    }


def collect_inputs(
    period: Period, scope_codes: Iterable[str] | None = None, *, manual: bool = True
) -> dict[int, dict[str, IndicatorValue]]:
    """Indicator values of every active KIM (within `scope_codes` when given) for `period`.

    Keys are KIM ids; each KIM maps indicator codes to values. Manual-only indicators (K3, M1, M2,
    D1) appear only when a verified measurement exists; the engine treats an absent code as data
    not yet available. With `manual=False` no measurement is read: what the registry, posts,
    totals and coaching say on their own (shown beside the entry fields).
    """
    facts = _kim_facts(period, _kim_filter(scope_codes))
    posts = _posts_in_period(period, scope_codes)
    counts = _counts(period)
    measured = _measurements(period) if manual else {}
    coaching = coaching_values(facts.keys(), period)
    months = months_in(period.start_date, period.end_date)
    windows = window_count(period.start_date, period.end_date)
    values: dict[int, Values] = {}
    for kim_id, kim_facts in facts.items():
        kim_values = _website_values(
            months, windows, posts.get(kim_id), kim_facts, counts.get(kim_id)
        )
        kim_values["K1"] = _REGISTRY[kim_facts.k1]
        kim_values["K2"] = _REGISTRY[kim_facts.k2]
        kim_values.update(coaching[kim_id])
        manual = measured.get(kim_id)
        if manual is not None:  # overrides whatever was computed
            for code, value in manual.items():
                kim_values[code] = IndicatorValue(value, SOURCE_MANUAL)
        values[kim_id] = kim_values
    return values
