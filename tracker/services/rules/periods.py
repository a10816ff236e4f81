"""Assessment periods: created from their code, closed once their assessments are final.

A period's dates are never typed: they follow from the code (`2025-T1` is 1 January–31 March 2025),
so two offices can never disagree on what "triwulan 1" means. A closed period's assessments are
frozen, and no import or data-entry grid may write counts or measurements into it; only an admin
may reopen one, giving a reason that the audit log keeps.

A period holds for every KIM of the database, so adding, closing and reopening one need a
kabupaten-wide scope (or wider): a kabid scoped to one kecamatan may not decide it for the others.

`actor=None` is the server operator on the command line (no scope, no permission check).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import distinct, func, select
from sqlalchemy.exc import IntegrityError

from tracker.extensions import db
from tracker.models import Assessment, Kim, Period
from tracker.models.base import utcnow
from tracker.models.period import PERIOD_CLOSED, PERIOD_OPEN
from tracker.models.region import LEVEL_KABUPATEN, level_of
from tracker.models.user import User
from tracker.scoring.periods import PeriodCodeError, parse_period_code
from tracker.services.common import audit_writer
from tracker.services.common.errors import Invalid, NotFound
from tracker.services.common.permissions import (
    MANAGE_PERIODS,
    REOPEN_PERIODS,
    VIEW,
    PermissionDenied,
    has_permission,
    require,
)
from tracker.services.common.scope import user_scope_filter
from tracker.services.common.unit_of_work import transaction

REOPEN_REASON_MAX_LENGTH = 500


class PeriodError(Invalid):
    """The period cannot be created or changed as asked; the message is shown to the user."""


class PeriodClosedError(PeriodError):
    """A write aimed at a closed period."""


class PeriodNotFoundError(NotFound):
    """No period with this code. The one place that says so: every page and command that names a
    period lets this error through instead of translating it into its own."""


@dataclass(frozen=True)
class PeriodRow:
    period: Period
    assessed: int  # KIMs in the viewer's scope with an assessment for the period


def get_period(code: str) -> Period:
    """The period a code names; a code that cannot exist names no period either."""
    try:
        normalised: str | None = parse_period_code(code).code
    except PeriodCodeError:
        normalised = None
    period = (
        None
        if normalised is None
        else db.session.scalar(select(Period).where(Period.code == normalised))
    )
    if period is None:
        raise PeriodNotFoundError(_("Periode %(code)s tidak ditemukan.", code=code.strip()))
    return period


def require_open(period: Period) -> None:
    """Refuse a write into a closed period (counts, measurements, assessments)."""
    if period.state == PERIOD_CLOSED:
        raise PeriodClosedError(
            _(
                "Periode %(code)s sudah ditutup; datanya tidak dapat diubah lagi.",
                code=period.code,
            )
        )


def get_open_period(code: str) -> Period:
    """The period to write into: it must exist and be open."""
    try:
        parse_period_code(code)
    except PeriodCodeError as exc:  # a code that cannot exist: say so, don't suggest adding it
        raise PeriodError(str(exc)) from exc
    try:
        period = get_period(code)
    except PeriodNotFoundError as exc:
        raise PeriodError(
            _(
                "Periode %(code)s belum ada. Tambahkan dulu (flask period add %(code)s).",
                code=code.strip(),
            )
        ) from exc
    require_open(period)
    return period


def _district_wide(actor: User) -> bool:
    return any(level_of(code) <= LEVEL_KABUPATEN for code in actor.scope_codes)


def may_change_periods(actor: User | None, permission: str = MANAGE_PERIODS) -> bool:
    """Whether the actor may add, close (MANAGE_PERIODS) or reopen (REOPEN_PERIODS) a period:
    the role's permission and a scope of a whole kabupaten or wider. For pages to show the
    buttons; the services check it themselves."""
    if actor is None:
        return True
    return has_permission(actor.role, permission) and _district_wide(actor)


def _require_period_change(actor: User | None, permission: str = MANAGE_PERIODS) -> None:
    require(actor, permission)
    if not may_change_periods(actor, permission):
        raise PermissionDenied


def add_period(code: str, actor: User | None) -> Period:
    """Create the period named by `code`, open, with the dates the code implies."""
    _require_period_change(actor)
    with transaction():
        try:
            span = parse_period_code(code)
        except PeriodCodeError as exc:
            raise PeriodError(str(exc)) from exc
        exists = db.session.scalar(select(Period.id).where(Period.code == span.code))
        duplicate = PeriodError(_("Periode %(code)s sudah ada.", code=span.code))
        if exists is not None:
            raise duplicate
        period = Period(
            code=span.code,
            kind=span.kind,
            start_date=span.start,
            end_date=span.end,
            state=PERIOD_OPEN,
        )
        db.session.add(period)
        try:
            db.session.flush()
        except IntegrityError as exc:  # another request created it a moment ago
            raise duplicate from exc
        audit_writer.record(
            "period.create",
            "period",
            period.id,
            actor,
            params={"period": span.code},
            changes=audit_writer.created(
                {"code": span.code, "start_date": span.start, "end_date": span.end}
            ),
        )
    return period


def close_period(code: str, actor: User | None) -> Period:
    """Open → closed. Closing twice is an error, so the audit log shows one closing."""
    _require_period_change(actor)
    with transaction():
        period = get_period(code)  # PeriodNotFoundError: a 404 on the web
        if period.state == PERIOD_CLOSED:
            raise PeriodError(_("Periode %(code)s sudah ditutup.", code=period.code))
        period.state = PERIOD_CLOSED
        period.closed_at = utcnow()
        audit_writer.record(
            "period.close",
            "period",
            period.id,
            actor,
            params={"period": period.code},
            changes={"state": [PERIOD_OPEN, PERIOD_CLOSED]},
        )
    return period


def reopen_period(code: str, reason: str, actor: User | None) -> Period:
    """Closed → open, by an admin with a kabupaten-wide scope (or the operator), for a reason the
    audit log keeps: data may again be entered and the period assessed anew."""
    _require_period_change(actor, REOPEN_PERIODS)
    reason = " ".join((reason or "").split())
    if not reason:
        raise PeriodError(_("Tuliskan alasan membuka kembali periode ini."))
    if len(reason) > REOPEN_REASON_MAX_LENGTH:
        raise PeriodError(_("Alasan maksimal %(max)d karakter.", max=REOPEN_REASON_MAX_LENGTH))
    period = get_period(code)  # PeriodNotFoundError: a 404 on the web
    if period.state != PERIOD_CLOSED:
        raise PeriodError(_("Periode %(code)s tidak sedang ditutup.", code=period.code))
    with transaction():
        period.state = PERIOD_OPEN
        period.closed_at = None
        audit_writer.record(
            "period.reopen",
            "period",
            period.id,
            actor,
            params={"period": period.code, "reason": reason},
            changes={"state": [PERIOD_CLOSED, PERIOD_OPEN]},
        )
    return period


def list_periods(actor: User | None) -> list[PeriodRow]:
    """Every period, newest first, with how many KIMs in the actor's scope were assessed."""
    require(actor, VIEW)
    assessed = select(Assessment.period_id, func.count(distinct(Assessment.kim_id)).label("n"))
    if actor is not None:
        assessed = assessed.join(Kim, Kim.id == Assessment.kim_id).where(
            user_scope_filter(Kim.desa_code, actor)
        )
    counts = assessed.group_by(Assessment.period_id).subquery()
    rows = db.session.execute(
        select(Period, func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.period_id == Period.id)
        .order_by(Period.start_date.desc(), Period.end_date.desc())
    ).all()
    return [PeriodRow(period=p, assessed=int(n)) for p, n in rows]


def open_periods() -> list[Period]:
    """Open periods, newest first (the ones data may still be entered for)."""
    return list(
        db.session.scalars(
            select(Period)
            .where(Period.state == PERIOD_OPEN)
            .order_by(Period.start_date.desc(), Period.end_date)
        )
    )
