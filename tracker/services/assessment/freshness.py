"""Whether a period's stored results still match its data: "data berubah sejak penilaian terakhir".

The staleness rule (DESIGN.md §4 and issue 13, point 4). Within the viewer's scope, an open
period's result for a KIM is stale when

- its inputs changed after the run read them: the KIM's input revision for the period
  (`InputRevision`, bumped by every write to posts, period totals, measurements and the registry
  fields behind K1/K2: see `tracker.services.common.input_changes`) differs from the revision its
  assessment stored; or
- the KIM was deactivated since the run (a re-run drops its result: inactive KIMs are not
  assessed); or
- the KIM is active and has no result: registered (or reactivated) after the run, or outside the
  scope of the run that assessed the others. These are listed as "belum dinilai".

N, the number shown, counts each such KIM once. A closed period is frozen (never assessed again,
never reopened), so it is never called stale. A period not assessed at all says so instead.
A re-run of the previous period (the stability rule's input) and a new active framework version are
not counted here: the latter has its own notice on the period page.

Set-based: one grouped query per period over the KIMs in scope, joined to their assessment and
revision rows, whatever the number of KIMs; the KIM pages add one query for the KIM itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, func, or_, select

from tracker.extensions import db
from tracker.models import Assessment, InputRevision, Kim, Period
from tracker.models.kim import STATUS_ACTIVE
from tracker.models.period import PERIOD_OPEN
from tracker.models.user import User
from tracker.services.assessment.runner import framework_for_period, resolve_period
from tracker.services.common.pagination import Page, paginate
from tracker.services.common.permissions import VIEW, require
from tracker.services.common.scope import actor_scope_filter
from tracker.services.registry import places
from tracker.services.registry.places import located

SAMPLE_SHOWN = 10  # KIMs "belum dinilai" listed on the period page before "lihat semua"


@dataclass(frozen=True)
class UnassessedKim:
    kim_id: int
    name: str
    desa: str
    kecamatan: str


@dataclass
class Freshness:
    """A period's results against its data, within one viewer's scope."""

    period_code: str
    closed: bool
    assessed: bool  # the period has results under the framework that stands for it
    changed: int = 0  # assessed KIMs whose inputs changed since, or no longer active
    unassessed: int = 0  # active KIMs without a result
    left_out: int = 0  # inactive KIMs without a result: not assessed, by rule
    sample: list[UnassessedKim] = field(default_factory=list)  # the first unassessed, by name

    @property
    def stale(self) -> int:
        """N in "data berubah sejak penilaian terakhir (N KIM)"; 0 for a closed period."""
        if self.closed or not self.assessed:
            return 0
        return self.changed + self.unassessed

    @property
    def sample_cut(self) -> bool:
        return self.unassessed > len(self.sample)


def _joined(stmt: Select[Any], period_id: int, framework_id: int) -> Select[Any]:
    """KIMs with their result for the period (if any) and their input revision (if any)."""
    return stmt.outerjoin(
        Assessment,
        and_(
            Assessment.kim_id == Kim.id,
            Assessment.period_id == period_id,
            Assessment.framework_id == framework_id,
        ),
    ).outerjoin(
        InputRevision,
        and_(InputRevision.kim_id == Kim.id, InputRevision.period_id == period_id),
    )


def changed_clause() -> ColumnElement[bool]:
    """A stored result whose inputs changed since, or whose KIM is no longer active (to be used
    on a statement joined by `_joined`)."""
    return and_(
        Assessment.id.is_not(None),
        or_(
            func.coalesce(InputRevision.revision, 0) != Assessment.inputs_revision,
            Kim.status != STATUS_ACTIVE,
        ),
    )


def _unassessed_clause() -> ColumnElement[bool]:
    return and_(Assessment.id.is_(None), Kim.status == STATUS_ACTIVE)


def _count(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def revision_join(stmt: Select[Any], period_id: int) -> Select[Any]:
    """An assessment statement (already joined to its KIM) joined to the KIM's input revision,
    for `changed_clause` in a list of results."""
    return stmt.outerjoin(
        InputRevision,
        and_(InputRevision.kim_id == Kim.id, InputRevision.period_id == period_id),
    )


def period_freshness(user: User | None, period: Period, framework_id: int | None) -> Freshness:
    """The period's results against its data within the viewer's scope (no user: every KIM);
    `framework_id` is the framework whose results stand for the period (None: not assessed)."""
    found = Freshness(period.code, period.is_closed, framework_id is not None)
    if framework_id is None:
        return found
    scope = actor_scope_filter(Kim.desa_code, user)
    changed, unassessed, left_out = db.session.execute(
        _joined(
            select(
                _count(changed_clause()),
                _count(_unassessed_clause()),
                _count(and_(Assessment.id.is_(None), Kim.status != STATUS_ACTIVE)),
            ).select_from(Kim),
            period.id,
            framework_id,
        ).where(scope)
    ).one()
    found.changed, found.unassessed, found.left_out = int(changed), int(unassessed), int(left_out)
    if found.unassessed and not found.closed:
        found.sample = _unassessed(user, period.id, framework_id, SAMPLE_SHOWN)
    return found


def _unassessed_select(user: User | None, period_id: int, framework_id: int) -> Select[Any]:
    return located(
        _joined(
            select(
                Kim.id, Kim.name, places.Desa.display_name, places.Kecamatan.display_name
            ).select_from(Kim),
            period_id,
            framework_id,
        ),
        kecamatan_optional=True,
    ).where(_unassessed_clause(), actor_scope_filter(Kim.desa_code, user))


def _unassessed(
    user: User | None, period_id: int, framework_id: int, limit: int
) -> list[UnassessedKim]:
    stmt = _unassessed_select(user, period_id, framework_id).order_by(Kim.name_key, Kim.id)
    return [
        UnassessedKim(kim_id, name, desa, kecamatan or "")
        for kim_id, name, desa, kecamatan in db.session.execute(stmt.limit(limit))
    ]


@dataclass
class UnassessedPage:
    period: Period
    kims: Page[UnassessedKim]


def unassessed_page(user: User, code: str, page: int, per_page: int) -> UnassessedPage:
    """Every active KIM of the period without a result, by name ("lihat semua")."""
    require(user, VIEW)
    period = resolve_period(code)
    fw = framework_for_period(period.id)
    if fw is None:
        stmt = _unassessed_select(user, period.id, -1)  # not assessed: every active KIM
    else:
        stmt = _unassessed_select(user, period.id, fw.id)
    rows = paginate(stmt.order_by(Kim.name_key, Kim.id), page, per_page, scalars=False)
    return UnassessedPage(period, rows.map(lambda r: UnassessedKim(r[0], r[1], r[2], r[3] or "")))


@dataclass(frozen=True)
class KimFreshness:
    """One KIM's result of one period against its data, and the period's N (same scope)."""

    period: Freshness
    kim_changed: bool  # the KIM's stored result is stale
    kim_unassessed: bool  # the KIM is active, the period assessed, and it has no result

    @property
    def stale(self) -> bool:
        return self.period.stale > 0 and (self.kim_changed or self.kim_unassessed)


def kim_freshness(
    user: User | None, period: Period, framework_id: int | None, kim_id: int
) -> KimFreshness:
    """Whether this KIM's result of the period is stale (the caller has checked the KIM is in
    the viewer's scope), with the period's figures."""
    summary = period_freshness(user, period, framework_id)
    if framework_id is None or summary.stale == 0:
        return KimFreshness(summary, False, False)
    changed, unassessed = db.session.execute(
        _joined(
            select(_count(changed_clause()), _count(_unassessed_clause())).select_from(Kim),
            period.id,
            framework_id,
        ).where(Kim.id == kim_id)
    ).one()
    return KimFreshness(summary, bool(changed), bool(unassessed))


def kim_open_periods(user: User | None, kim_id: int) -> list[KimFreshness]:
    """For a KIM's registry page: every open, assessed period in which its result is stale."""
    periods = db.session.scalars(
        select(Period)
        .where(Period.state == PERIOD_OPEN)
        .order_by(Period.start_date, Period.end_date)
    ).all()
    found = []
    for period in periods:
        fw = framework_for_period(period.id)
        if fw is None:
            continue
        state = kim_freshness(user, period, fw.id, kim_id)
        if state.stale:
            found.append(state)
    return found
