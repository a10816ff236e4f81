"""The home dashboard: the user's district (or kecamatan) at a glance, every figure in a fixed
number of set-based queries whatever the number of KIMs, and each figure the count of a list the
page links to (the list's filters select the same rows).

Which assessments stand for a period follows `assessment.runner`: the active framework's when it
assessed the period, else the newest version that did. Tier names come from the latest assessed
period's framework.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, func, select, true
from sqlalchemy.orm import aliased

from tracker.extensions import db
from tracker.models import (
    Assessment,
    CoachingSession,
    ContentTotal,
    FollowUp,
    Kim,
    Letter,
    MonitoringVisit,
    Period,
    VisitFinding,
)
from tracker.models import Framework as FrameworkRow
from tracker.models.assessment import TIERS
from tracker.models.kim import STATUS_ACTIVE
from tracker.models.letters import LETTER_ISSUED
from tracker.models.period import PERIOD_CLOSED
from tracker.models.user import User
from tracker.models.visits import FOLLOW_UP_OPEN
from tracker.scoring.framework import load_framework
from tracker.services.activity.verification import waiting_totals
from tracker.services.assessment.reports import KecamatanRow, Mover, kecamatan_tiers, movers_between
from tracker.services.coaching.access import visible_clause
from tracker.services.common.clock import office_today
from tracker.services.common.permissions import ENTER_ACTIVITY, VIEW, has_permission, require
from tracker.services.common.scope import user_scope_filter
from tracker.services.reports.leaderboard import LeaderboardRow, top
from tracker.services.rules import frameworks
from tracker.services.rules.periods import open_periods

QUIET_DAYS = 30  # "no upload in the last 30 days"
UNVISITED_DAYS = 180  # "not visited in 180 days"
MOVERS_SHOWN = 5
SESSIONS_SHOWN = 5
TOP_SHOWN = 10


@dataclass(frozen=True)
class AssessedPeriod:
    id: int
    code: str
    closed: bool
    framework_id: int
    counts: dict[str, int]  # tier -> KIMs in the user's scope

    @property
    def assessed(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True)
class Transitions:
    before: AssessedPeriod
    after: AssessedPeriod
    cells: dict[tuple[str, str], int]  # (tier before, tier after) -> KIMs
    up: list[Mover]
    down: list[Mover]

    def count(self, was: str, now: str) -> int:
        return self.cells.get((was, now), 0)


@dataclass(frozen=True)
class UpcomingSession:
    id: int
    title: str
    start_date: date
    location: str


@dataclass
class Summary:
    kims_total: int = 0
    kims_active: int = 0
    period: Period | None = None  # the latest assessed period
    tier_counts: dict[str, int] = field(default_factory=dict)
    open_period: Period | None = None  # the newest period data may still be entered for
    submitted: int = 0  # values in the user's scope waiting for verification in it
    rejected: int = 0  # values in the user's scope sent back with a reason in it
    # the dashboard
    today: date | None = None
    tier_names: tuple[str, ...] = TIERS
    periods: list[AssessedPeriod] = field(default_factory=list)  # oldest first
    latest: AssessedPeriod | None = None
    previous: AssessedPeriod | None = None  # the assessed period before the latest
    kecamatan: list[KecamatanRow] = field(default_factory=list)  # in the latest period
    transitions: Transitions | None = None
    quiet: int = 0  # active KIMs without an upload in QUIET_DAYS
    unvisited: int = 0  # active KIMs not visited in UNVISITED_DAYS
    overdue: int = 0  # open follow-ups past their due date
    upcoming_count: int = 0
    upcoming: list[UpcomingSession] = field(default_factory=list)
    letters_period: AssessedPeriod | None = None  # the last closed assessed period
    letters_missing: int = 0  # its assessed KIMs without an issued letter
    top: list[LeaderboardRow] = field(default_factory=list)

    def change(self, tier: str) -> int | None:
        """The latest period's count of `tier` less the previous period's (None: no previous)."""
        if self.latest is None or self.previous is None:
            return None
        return self.latest.counts.get(tier, 0) - self.previous.counts.get(tier, 0)


def _assessed_periods(in_scope: ColumnElement[bool] | None) -> tuple[list[AssessedPeriod], Any]:
    """Every assessed period with its tier counts in scope, oldest first, and the framework of
    the latest. One query grouped by period, framework and tier, counted in the order of the
    index `ix_assessment_period_tier` without sorting the district's rows. `in_scope` None:
    every KIM is in the user's scope, so no row is checked against it."""
    used = {row.id: row for row in db.session.scalars(select(FrameworkRow))}
    names = {t["name"] for fw in used.values() for t in fw.definition.get("tiers", [])}
    stmt = select(
        Assessment.period_id, Assessment.framework_id, Assessment.tier, func.count()
    ).group_by(Assessment.period_id, Assessment.framework_id, Assessment.tier)
    if in_scope is not None:
        stmt = stmt.join(Kim, Kim.id == Assessment.kim_id).where(in_scope)
    counted = [
        (period_id, fw_id, tier, int(n))
        for period_id, fw_id, tier, n in db.session.execute(stmt)
        if tier in names  # a tier some framework names (as the charts and tables list them)
    ]
    if not counted:
        return [], None
    periods_by_id = {
        p.id: p
        for p in db.session.execute(
            select(Period.id, Period.code, Period.state, Period.start_date, Period.end_date).where(
                Period.id.in_({row[0] for row in counted})
            )
        )
    }
    active = frameworks.get_active()
    by_period: dict[int, dict[int, dict[str, int]]] = {}
    for period_id, fw_id, tier, n in counted:
        by_period.setdefault(period_id, {}).setdefault(fw_id, {})[tier] = n
    periods: list[AssessedPeriod] = []
    for pid in sorted(
        by_period, key=lambda i: (periods_by_id[i].end_date, periods_by_id[i].start_date)
    ):
        fw_ids = by_period[pid]
        if active is not None and active.id in fw_ids:
            chosen = active.id
        else:
            chosen = max(fw_ids, key=lambda i: used[i].version)
        found = periods_by_id[pid]
        periods.append(
            AssessedPeriod(pid, found.code, found.state == PERIOD_CLOSED, chosen, fw_ids[chosen])
        )
    return periods, used[periods[-1].framework_id]


def transitions(
    before: AssessedPeriod,
    after: AssessedPeriod,
    names: tuple[str, ...],
    in_scope: ColumnElement[bool],
    *,
    whole: bool = False,
) -> Transitions:
    """Each KIM's tier in `before` against its tier in `after` (KIMs assessed in both): the
    matrix in one query, the biggest movers each way in one more. `whole`: every KIM is in the
    user's scope (the matrix then reads no KIM row)."""
    prior = aliased(Assessment, name="prior")

    def paired(stmt: Any) -> Any:
        stmt = stmt.select_from(Assessment).join(
            prior,
            and_(
                prior.kim_id == Assessment.kim_id,
                prior.period_id == before.id,
                prior.framework_id == before.framework_id,
            ),
        )
        if not whole:
            stmt = stmt.join(Kim, Kim.id == Assessment.kim_id).where(in_scope)
        return stmt.where(
            Assessment.period_id == after.id, Assessment.framework_id == after.framework_id
        )

    cells = {
        (was, now): n
        for was, now, n in db.session.execute(
            paired(select(prior.tier, Assessment.tier, func.count())).group_by(
                prior.tier, Assessment.tier
            )
        )
    }
    ups, downs, _up_count, _down_count = movers_between(
        after.id,
        after.framework_id,
        before.id,
        before.framework_id,
        in_scope,
        names,
        MOVERS_SHOWN,
        counted=False,  # the matrix's cells count them
    )
    return Transitions(before, after, cells, ups, downs)


def _follow_up_signals(in_scope: ColumnElement[bool], today: date, active: int) -> tuple[int, int]:
    """(active KIMs without an upload in QUIET_DAYS, active KIMs not visited in UNVISITED_DAYS)
    in one query, given the number of active KIMs in scope: that number less those that posted
    (their latest post date, from the index on it) and less those visited (the visits started
    since, from the index on the date, and their findings). The work grows with the KIMs that
    posted or were visited lately, not with every KIM checked for both."""
    quiet_since = today - timedelta(days=QUIET_DAYS)
    visited_since = today - timedelta(days=UNVISITED_DAYS)
    active_in_scope = and_(Kim.status == STATUS_ACTIVE, in_scope)
    posted = (
        select(func.count())
        .select_from(ContentTotal)
        .join(Kim, Kim.id == ContentTotal.kim_id)
        .where(ContentTotal.last_posted_on > quiet_since, active_in_scope)
        .scalar_subquery()
    )
    visited = (
        select(func.count(func.distinct(VisitFinding.kim_id)))
        .select_from(MonitoringVisit)
        .join(VisitFinding, VisitFinding.visit_id == MonitoringVisit.id)
        .join(Kim, Kim.id == VisitFinding.kim_id)
        .where(MonitoringVisit.started_on > visited_since, active_in_scope)
        .scalar_subquery()
    )
    posted_n, visited_n = db.session.execute(select(posted, visited)).one()
    return active - int(posted_n or 0), active - int(visited_n or 0)


def _overdue(in_scope: ColumnElement[bool], today: date) -> int:
    return int(
        db.session.scalar(
            select(func.count())
            .select_from(FollowUp)
            .join(Kim, Kim.id == FollowUp.kim_id)
            .where(FollowUp.status == FOLLOW_UP_OPEN, FollowUp.due_on < today, in_scope)
        )
        or 0
    )


def _upcoming(user: User, today: date) -> tuple[int, list[UpcomingSession]]:
    visible = and_(visible_clause(user), CoachingSession.start_date >= today)
    count = db.session.scalar(select(func.count()).select_from(CoachingSession).where(visible))
    rows = db.session.execute(
        select(
            CoachingSession.id,
            CoachingSession.title,
            CoachingSession.start_date,
            CoachingSession.location,
        )
        .where(visible)
        .order_by(CoachingSession.start_date, CoachingSession.id)
        .limit(SESSIONS_SHOWN)
    )
    return int(count or 0), [UpcomingSession(i, t, d, loc or "") for i, t, d, loc in rows]


def letters_missing(
    period: AssessedPeriod, in_scope: ColumnElement[bool], *, whole: bool = False
) -> int:
    """The period's assessed KIMs in scope with no issued letter for it (`whole`: every KIM is
    in the user's scope, no KIM row is read)."""
    issued = exists().where(
        Letter.kim_id == Assessment.kim_id,
        Letter.period_id == period.id,
        Letter.status == LETTER_ISSUED,
    )
    stmt = select(func.count()).select_from(Assessment)
    if not whole:
        stmt = stmt.join(Kim, Kim.id == Assessment.kim_id).where(in_scope)
    return int(
        db.session.scalar(
            stmt.where(
                Assessment.period_id == period.id,
                Assessment.framework_id == period.framework_id,
                ~issued,
            )
        )
        or 0
    )


def summary(user: User, before_code: str = "", after_code: str = "") -> Summary:
    """Everything the home page shows for the user's scope. `before_code`/`after_code` choose
    the two periods of the transition matrix (default: the two latest assessed ones; a code that
    names no assessed period falls back to the default)."""
    require(user, VIEW)
    in_scope = user_scope_filter(Kim.desa_code, user)
    today = office_today()
    rows = db.session.execute(
        select(Kim.status, func.count()).where(in_scope).group_by(Kim.status)
    ).all()
    counts = {status: n for status, n in rows}
    result = Summary(
        kims_total=sum(counts.values()), kims_active=counts.get(STATUS_ACTIVE, 0), today=today
    )
    # When no KIM lies outside the user's scope (an admin, kabid or viewer of the kabupaten)
    # the scope selects every row: the figures over all assessments then check no row against
    # it. Exact: as many KIMs in scope as KIMs at all means the same KIMs.
    whole = result.kims_total == db.session.scalar(select(func.count()).select_from(Kim))
    if whole:
        in_scope = true()
    periods, latest_fw = _assessed_periods(None if whole else in_scope)
    if periods:
        result.periods = periods
        result.latest = periods[-1]
        result.previous = periods[-2] if len(periods) > 1 else None
        result.period = db.session.get(Period, result.latest.id)
        result.tier_names = load_framework(latest_fw.definition).tier_names
        result.tier_counts = dict(result.latest.counts)
        result.kecamatan, _up, _down = kecamatan_tiers(
            result.latest.id, result.latest.framework_id, in_scope, result.tier_names
        )
        by_code = {p.code: p for p in periods}
        after = by_code.get(after_code, result.latest)
        before = by_code.get(before_code)
        if before is None or before is after:
            at = periods.index(after)
            before = periods[at - 1] if at > 0 else None
        if before is not None:
            result.transitions = transitions(
                before, after, result.tier_names, in_scope, whole=whole
            )
        closed = [p for p in periods if p.closed]
        if closed:
            result.letters_period = closed[-1]
            result.letters_missing = letters_missing(closed[-1], in_scope, whole=whole)
    result.quiet, result.unvisited = _follow_up_signals(in_scope, today, result.kims_active)
    result.overdue = _overdue(in_scope, today)
    result.upcoming_count, result.upcoming = _upcoming(user, today)
    result.top = top(user, today, TOP_SHOWN)
    opened = open_periods()
    if opened:
        result.open_period = opened[0]
        if has_permission(user.role, ENTER_ACTIVITY):
            result.submitted, result.rejected = waiting_totals(user, opened[0].id)
    return result
