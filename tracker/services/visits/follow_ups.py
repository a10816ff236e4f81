"""Follow-ups (tindak lanjut): one recommendation for one KIM, with an owner, a due date and a
status (open → done or dropped, and back to open), and the board that lists them.

A follow-up is made from a visit's recommendation (`visits.record_visit`, or the form opened from
the visit's page) or by hand. Closing it as done takes the evidence that it was done (text, and a
photo if there is one) and the day it was done; dropping it takes the reason it no longer applies.

What P2 counts (tracker.services.assessment.follow_up_rate): of a KIM's follow-ups due by a
period's end, not dropped, the share done on or before that end. So every write here marks the
open periods whose P2 it may change (`input_changes.period_changed`): a follow-up counts in every
period ending on or after its due date, and its closing day decides from which period on it
counts as done.

Scope: a KIM outside the user's region is refused with 403 when a follow-up is added for it (the
issue's rule: a petugas adds follow-ups only in his kecamatan); an existing follow-up outside the
scope is simply not found.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select, and_, case, func, or_, select
from sqlalchemy.orm import aliased, joinedload
from sqlalchemy.orm.exc import StaleDataError

from tracker.extensions import db
from tracker.models import FollowUp, Kim, MonitoringVisit, Period, Region, User
from tracker.models.base import utcnow
from tracker.models.kim import STATUS_ACTIVE
from tracker.models.period import PERIOD_OPEN
from tracker.models.region import LEVEL_KECAMATAN
from tracker.models.user import ROLE_ADMIN, ROLE_KABID, ROLE_PETUGAS
from tracker.models.visits import (
    FOLLOW_UP_DONE,
    FOLLOW_UP_DROPPED,
    FOLLOW_UP_OPEN,
    FOLLOW_UP_STATUSES,
    VisitPhoto,
)
from tracker.services.common import audit_writer, input_changes
from tracker.services.common.clock import office_today
from tracker.services.common.errors import Invalid, InvalidFields, NotFound, Stale
from tracker.services.common.pagination import Page, paginate
from tracker.services.common.permissions import (
    RECORD_VISITS,
    VIEW,
    PermissionDenied,
    has_permission,
    require,
)
from tracker.services.common.scope import actor_scope_filter, code_in_scope
from tracker.services.common.sorting import SortKeys
from tracker.services.common.unit_of_work import transaction
from tracker.services.registry import places
from tracker.services.registry.places import located
from tracker.services.visits import photos
from tracker.text import fold

TEXT_MAX = 2000
EARLIEST = date(2000, 1, 1)
_RECORDING_ROLES = (ROLE_ADMIN, ROLE_KABID, ROLE_PETUGAS)


class FollowUpInvalidError(InvalidFields):
    """The input was refused; `errors` maps a form field to its Indonesian message."""


class FollowUpStaleError(Stale):
    def __init__(self) -> None:
        super().__init__(
            _(
                "Tindak lanjut ini sudah diubah orang lain sejak Anda membukanya. Tidak ada yang "
                "disimpan: lihat keadaannya sekarang, lalu ulangi bila masih perlu."
            )
        )


def out_of_scope() -> PermissionDenied:
    return PermissionDenied(
        _("KIM ini di luar wilayah kerja Anda: tindak lanjutnya dicatat oleh petugas wilayahnya.")
    )


# --- who and what may be chosen ---------------------------------------------------------------


def _overlaps(codes: list[str], others: list[str]) -> bool:
    return any(code_in_scope(a, others) or code_in_scope(b, codes) for a in codes for b in others)


def owner_choices(user: User | None) -> list[tuple[int, str]]:
    """(id, name) of the active accounts that may own a follow-up the user adds: those who record
    visits and share part of his region (two queries, whatever the number of accounts)."""
    accounts = db.session.scalars(
        select(User)
        .where(User.is_active_account.is_(True), User.role.in_(_RECORDING_ROLES))
        .options(joinedload(User.scopes))
        .order_by(User.full_name, User.username)
    ).unique()
    mine = list(user.scope_codes) if user is not None else None
    return [
        (account.id, account.full_name or account.username)
        for account in accounts
        if mine is None or _overlaps(mine, account.scope_codes)
    ]


def kim_choices(user: User | None) -> dict[str, list[tuple[int, str]]]:
    """Active KIMs in the user's scope, grouped by kecamatan name, for a select with optgroups."""
    stmt = located(
        select(Kim.id, Kim.name, places.Desa.display_name, places.Kecamatan.display_name).where(
            Kim.status == STATUS_ACTIVE, actor_scope_filter(Kim.desa_code, user)
        )
    ).order_by(places.Kecamatan.display_name, Kim.name_key, Kim.id)
    groups: dict[str, list[tuple[int, str]]] = {}
    for kim_id, name, desa, kecamatan in db.session.execute(stmt):
        groups.setdefault(kecamatan, []).append((kim_id, f"{name} ({desa})"))
    return groups


def _valid_owner(owner_id: int | None, kim: Kim) -> User | None:
    if owner_id is None:
        return None
    owner = db.session.get(User, owner_id)
    if (
        owner is None
        or not owner.is_active_account
        or not has_permission(owner.role, RECORD_VISITS)
        or not code_in_scope(kim.desa_code, owner.scope_codes)
    ):
        return None
    return owner


# --- P2: which open periods a write changes ----------------------------------------------------


def mark_periods(kim_id: int, since: date) -> None:
    """Mark the KIM's inputs of every open period ending on or after `since` as changed."""
    period_ids = db.session.scalars(
        select(Period.id).where(Period.state == PERIOD_OPEN, Period.end_date >= since)
    ).all()
    for period_id in period_ids:
        input_changes.period_changed(period_id, [kim_id])


def _counted_as_done_from(follow_up: FollowUp) -> date:
    """The first period end from which this follow-up's state counts differently: its due date,
    or for one done later than it was due, the day it was done."""
    if follow_up.status == FOLLOW_UP_DONE and follow_up.closed_on is not None:
        return max(follow_up.due_on, follow_up.closed_on)
    return follow_up.due_on


# --- adding -----------------------------------------------------------------------------------


@dataclass
class FollowUpInput:
    kim_id: int | None
    recommendation: str
    owner_id: int | None
    due_on: date | None
    visit_id: int | None = None


def snapshot(follow_up: FollowUp) -> dict[str, Any]:
    """The audited view of a follow-up."""
    return {
        "kim_id": follow_up.kim_id,
        "visit_id": follow_up.visit_id,
        "recommendation": follow_up.recommendation,
        "owner_id": follow_up.owner_id,
        "due_on": follow_up.due_on,
        "status": follow_up.status,
        "evidence": follow_up.evidence,
        "evidence_photo_id": follow_up.evidence_photo_id,
        "closed_on": follow_up.closed_on,
    }


def kim_for_write(user: User | None, kim_id: int | None) -> Kim | None:
    """The KIM a write names; None when there is no such KIM, 403 when it lies outside the
    user's scope."""
    kim = db.session.get(Kim, kim_id) if kim_id is not None else None
    if kim is not None and user is not None and not code_in_scope(kim.desa_code, user.scope_codes):
        raise out_of_scope()
    return kim


def _clean_text(text: str, field: str, errors: dict[str, str], required: str) -> str:
    cleaned = (text or "").replace("\r\n", "\n").strip()
    if not cleaned:
        errors[field] = required
    elif len(cleaned) > TEXT_MAX:
        errors[field] = _("Terlalu panjang (maksimal %(n)d karakter).", n=TEXT_MAX)
    return cleaned


def _check_due(due_on: date | None, errors: dict[str, str], field: str = "due_on") -> None:
    if due_on is None:
        errors[field] = _("Isi batas waktu tindak lanjut.")
    elif due_on < EARLIEST or due_on.year > office_today().year + 5:
        errors[field] = _("Batas waktu di luar rentang yang masuk akal.")


def create_follow_up(
    user: User | None, data: FollowUpInput, *, visit: MonitoringVisit | None = None
) -> FollowUp:
    """Add an open follow-up (from `visit` when given: `record_visit` passes the visit it is
    making; a form names an existing one by `data.visit_id`)."""
    require(user, RECORD_VISITS)
    with transaction():
        errors: dict[str, str] = {}
        kim = kim_for_write(user, data.kim_id)
        if kim is None:
            errors["kim_id"] = _("Pilih KIM.")
        elif kim.status != STATUS_ACTIVE:
            errors["kim_id"] = _("KIM ini nonaktif.")
        text = _clean_text(
            data.recommendation,
            "recommendation",
            errors,
            _("Isi rekomendasi yang ditindaklanjuti."),
        )
        _check_due(data.due_on, errors)
        owner = _valid_owner(data.owner_id, kim) if kim is not None else None
        if owner is None and kim is not None:
            errors["owner_id"] = _(
                "Pilih penanggung jawab: akun aktif yang mencatat pemantauan di wilayah KIM ini."
            )
        if visit is None and data.visit_id is not None and kim is not None:
            visit = db.session.scalar(
                select(MonitoringVisit).where(
                    MonitoringVisit.id == data.visit_id,
                    actor_scope_filter(MonitoringVisit.kecamatan_code, user),
                )
            )
            if visit is None or not kim.desa_code.startswith(visit.kecamatan_code + "."):
                errors["kim_id"] = _("KIM ini tidak termasuk kecamatan kunjungan tersebut.")
        if errors:
            raise FollowUpInvalidError(errors)
        assert kim is not None and owner is not None and data.due_on is not None
        follow_up = FollowUp(
            kim=kim,
            visit=visit,
            recommendation=text,
            owner=owner,
            due_on=data.due_on,
            status=FOLLOW_UP_OPEN,
            created_by_id=user.id if user is not None else None,
        )
        db.session.add(follow_up)
        db.session.flush()
        audit_writer.record(
            "follow_up.create",
            "follow_up",
            follow_up.id,
            user,
            params={"kim": kim.id, "due": data.due_on},
            changes=audit_writer.created(snapshot(follow_up)),
            kim=kim,
        )
        mark_periods(kim.id, data.due_on)
    return follow_up


# --- closing, dropping, reopening -------------------------------------------------------------


def _for_write(user: User | None, follow_up_id: int, version: int) -> FollowUp:
    require(user, RECORD_VISITS)
    follow_up = db.session.scalar(
        select(FollowUp)
        .join(Kim, Kim.id == FollowUp.kim_id)
        .where(FollowUp.id == follow_up_id, actor_scope_filter(Kim.desa_code, user))
    )
    if follow_up is None:
        raise NotFound(_("Tindak lanjut tidak ditemukan."))
    if follow_up.version != version:
        raise FollowUpStaleError()
    return follow_up


def _flush() -> None:
    try:
        db.session.flush()
    except StaleDataError as exc:  # changed between our read and our write
        raise FollowUpStaleError() from exc


def _check_closed_on(closed_on: date | None, errors: dict[str, str]) -> date:
    today = office_today()
    if closed_on is None:
        return today
    if closed_on > today:
        errors["closed_on"] = _("Tanggal selesai tidak boleh di masa depan.")
    elif closed_on < EARLIEST:
        errors["closed_on"] = _("Tanggal selesai di luar rentang yang masuk akal.")
    return closed_on


def _record_change(
    user: User | None, follow_up: FollowUp, action: str, before: Mapping[str, Any], **params: Any
) -> None:
    audit_writer.record(
        action,
        "follow_up",
        follow_up.id,
        user,
        params={"kim": follow_up.kim_id, **params},
        changes=audit_writer.diff(before, snapshot(follow_up)),
        kim=follow_up.kim,
    )


def close_follow_up(
    user: User | None,
    follow_up_id: int,
    version: int,
    evidence: str,
    closed_on: date | None = None,
    photo: photos.CleanPhoto | None = None,
) -> FollowUp:
    """Mark an open follow-up done, with its evidence and the day it was done (today if not
    given). Refused when it is not open any more."""
    with transaction():
        follow_up = _for_write(user, follow_up_id, version)
        if follow_up.status != FOLLOW_UP_OPEN:
            raise Invalid(_("Tindak lanjut ini tidak terbuka lagi; buka kembali dulu."))
        errors: dict[str, str] = {}
        text = _clean_text(
            evidence, "evidence", errors, _("Tuliskan bukti bahwa rekomendasi sudah dijalankan.")
        )
        day = _check_closed_on(closed_on, errors)
        if errors:
            raise FollowUpInvalidError(errors)
        before = snapshot(follow_up)
        stored: VisitPhoto | None = None
        if photo is not None:
            stored = photos.store(photo, user=user, kim_id=follow_up.kim_id)
            db.session.flush()
        follow_up.status = FOLLOW_UP_DONE
        follow_up.evidence = text
        follow_up.evidence_photo = stored
        follow_up.closed_on = day
        follow_up.closed_at = utcnow()
        follow_up.closed_by_id = user.id if user is not None else None
        _flush()
        _record_change(user, follow_up, "follow_up.close", before)
        mark_periods(follow_up.kim_id, _counted_as_done_from(follow_up))
    return follow_up


def drop_follow_up(user: User | None, follow_up_id: int, version: int, reason: str) -> FollowUp:
    """Drop an open follow-up that no longer applies: it leaves P2's count altogether."""
    with transaction():
        follow_up = _for_write(user, follow_up_id, version)
        if follow_up.status != FOLLOW_UP_OPEN:
            raise Invalid(_("Tindak lanjut ini tidak terbuka lagi; buka kembali dulu."))
        errors: dict[str, str] = {}
        text = _clean_text(reason, "reason", errors, _("Tuliskan alasan pembatalan."))
        if errors:
            raise FollowUpInvalidError(errors)
        before = snapshot(follow_up)
        follow_up.status = FOLLOW_UP_DROPPED
        follow_up.evidence = text
        follow_up.evidence_photo = None
        follow_up.closed_on = office_today()
        follow_up.closed_at = utcnow()
        follow_up.closed_by_id = user.id if user is not None else None
        _flush()
        _record_change(user, follow_up, "follow_up.drop", before, reason=text)
        mark_periods(follow_up.kim_id, follow_up.due_on)
    return follow_up


def reopen_follow_up(user: User | None, follow_up_id: int, version: int) -> FollowUp:
    """Open a done or dropped follow-up again (its evidence is cleared; the audit log keeps it)."""
    with transaction():
        follow_up = _for_write(user, follow_up_id, version)
        if follow_up.status == FOLLOW_UP_OPEN:
            raise Invalid(_("Tindak lanjut ini masih terbuka."))
        since = _counted_as_done_from(follow_up)
        before = snapshot(follow_up)
        follow_up.status = FOLLOW_UP_OPEN
        follow_up.evidence = None
        follow_up.evidence_photo = None
        follow_up.closed_on = None
        follow_up.closed_at = None
        follow_up.closed_by_id = None
        _flush()
        _record_change(user, follow_up, "follow_up.reopen", before)
        mark_periods(follow_up.kim_id, min(since, follow_up.due_on))
    return follow_up


# --- one follow-up ----------------------------------------------------------------------------


@dataclass
class FollowUpDetail:
    follow_up: FollowUp
    kim_name: str
    desa_name: str
    kecamatan_name: str
    owner_name: str
    closed_by_name: str
    visit_started_on: date | None
    overdue: bool
    may_record: bool


def get_follow_up(user: User | None, follow_up_id: int) -> FollowUpDetail:
    require(user, VIEW)
    row = db.session.execute(
        located(
            select(FollowUp, Kim.name, places.Desa.display_name, places.Kecamatan.display_name)
            .join(Kim, Kim.id == FollowUp.kim_id)
            .where(FollowUp.id == follow_up_id, actor_scope_filter(Kim.desa_code, user))
            .options(
                joinedload(FollowUp.owner),
                joinedload(FollowUp.closed_by),
                joinedload(FollowUp.visit),
            ),
            kecamatan_optional=True,
        )
    ).first()
    if row is None:
        raise NotFound(_("Tindak lanjut tidak ditemukan."))
    follow_up, kim_name, desa_name, kecamatan_name = row
    owner = follow_up.owner
    closer = follow_up.closed_by
    return FollowUpDetail(
        follow_up=follow_up,
        kim_name=kim_name,
        desa_name=desa_name,
        kecamatan_name=kecamatan_name or "",
        owner_name=owner.full_name or owner.username,
        closed_by_name=(closer.full_name or closer.username) if closer is not None else "",
        visit_started_on=follow_up.visit.started_on if follow_up.visit is not None else None,
        overdue=follow_up.status == FOLLOW_UP_OPEN and follow_up.due_on < office_today(),
        may_record=user is None or has_permission(user.role, RECORD_VISITS),
    )


# --- the board --------------------------------------------------------------------------------


@cache
def _owner() -> Any:
    """The follow-up's owner (made on first use, like `places.Desa`)."""
    return aliased(User, name="owner")


# the board's sort keys, named without their columns (the API's query schema reads them at
# import, before the aliases the columns need are made)
SORT_KEYS = ("due", "kim", "kecamatan", "owner")
SORT_DEFAULT = "due"


@cache
def _sorts() -> SortKeys:
    columns = {
        "due": FollowUp.due_on,
        "kim": Kim.name_key,
        "kecamatan": places.Kecamatan.display_name,
        "owner": _owner().full_name,
    }
    assert tuple(columns) == SORT_KEYS
    return SortKeys(columns, default=SORT_DEFAULT)


STATUS_FILTERS = ("semua", *FOLLOW_UP_STATUSES)


@dataclass
class BoardFilter:
    """What the board is narrowed by (query arguments of /tindak-lanjut)."""

    q: str = ""
    kecamatan: str = ""
    owner: str = ""  # an account id, as text; "" for every owner
    status: str = FOLLOW_UP_OPEN
    overdue: bool = False
    sort: str = "due"

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> BoardFilter:
        return cls(
            q=args.get("q", ""),
            kecamatan=args.get("kecamatan", ""),
            owner=args.get("owner", ""),
            status=args.get("status", FOLLOW_UP_OPEN),
            overdue=args.get("terlambat", "") in ("1", "ya", "on"),
            sort=args.get("sort", "due"),
        ).normalized()

    def normalized(self) -> BoardFilter:
        owner = self.owner.strip()
        status = self.status if self.status in STATUS_FILTERS else FOLLOW_UP_OPEN
        return BoardFilter(
            q=self.q.strip()[:100],
            kecamatan=self.kecamatan.strip()[:13],
            owner=owner if owner.isascii() and owner.isdigit() and len(owner) < 10 else "",
            status=FOLLOW_UP_OPEN if self.overdue else status,
            overdue=self.overdue,
            sort=_sorts().normalized(self.sort),
        )


@dataclass(frozen=True)
class BoardRow:
    id: int
    version: int
    kim_id: int
    kim_name: str
    desa_name: str
    kecamatan_name: str
    recommendation: str
    owner_name: str
    due_on: date
    status: str
    closed_on: date | None
    visit_id: int | None
    overdue: bool


@dataclass(frozen=True)
class BoardCounts:
    open: int
    overdue: int
    done: int
    dropped: int


@dataclass
class BoardPage:
    page: Page[BoardRow]
    filter: BoardFilter
    counts: BoardCounts
    kecamatan_options: list[tuple[str, str]]
    owner_options: list[tuple[int, str]]
    may_record: bool


def _narrowed(stmt: Select[Any], user: User | None, flt: BoardFilter) -> Select[Any]:
    """The board's rows in scope, narrowed by everything but the status (the counts above the
    list show every status of what the other filters leave)."""
    stmt = stmt.where(actor_scope_filter(Kim.desa_code, user))
    if flt.kecamatan:
        stmt = stmt.where(places.Desa.parent_code == flt.kecamatan)
    if flt.owner:
        stmt = stmt.where(FollowUp.owner_id == int(flt.owner))
    if flt.q:
        needle = fold(flt.q)
        stmt = stmt.where(
            or_(
                Kim.name_key.contains(needle, autoescape=True),
                func.lower(FollowUp.recommendation).contains(needle, autoescape=True),
            )
        )
    return stmt


def _board_select(user: User | None, flt: BoardFilter, today: date) -> Select[Any]:
    stmt = located(
        select(
            FollowUp.id,
            FollowUp.version,
            FollowUp.kim_id,
            Kim.name,
            places.Desa.display_name,
            places.Kecamatan.display_name,
            FollowUp.recommendation,
            func.coalesce(func.nullif(_owner().full_name, ""), _owner().username),
            FollowUp.due_on,
            FollowUp.status,
            FollowUp.closed_on,
            FollowUp.visit_id,
        )
        .select_from(FollowUp)
        .join(Kim, Kim.id == FollowUp.kim_id)
        .join(_owner(), _owner().id == FollowUp.owner_id),
        kecamatan_optional=True,
    )
    stmt = _narrowed(stmt, user, flt)
    if flt.status != "semua":
        stmt = stmt.where(FollowUp.status == flt.status)
    if flt.overdue:
        stmt = stmt.where(FollowUp.due_on < today)
    return stmt.order_by(_sorts().order_by(flt.sort), FollowUp.due_on, FollowUp.id)


def _counts(user: User | None, flt: BoardFilter, today: date) -> BoardCounts:
    status = FollowUp.status

    def count(condition: Any) -> Any:
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    stmt = located(
        select(
            count(status == FOLLOW_UP_OPEN),
            count(and_(status == FOLLOW_UP_OPEN, FollowUp.due_on < today)),
            count(status == FOLLOW_UP_DONE),
            count(status == FOLLOW_UP_DROPPED),
        )
        .select_from(FollowUp)
        .join(Kim, Kim.id == FollowUp.kim_id),
        kecamatan_optional=True,
    )
    row = db.session.execute(_narrowed(stmt, user, flt)).one()
    return BoardCounts(*(int(n) for n in row))


def kecamatan_options(user: User | None) -> list[tuple[str, str]]:
    """(code, name) of the kecamatan in the user's scope."""
    shown = Region.display_name
    stmt = select(Region.code, shown).where(
        Region.level == LEVEL_KECAMATAN, actor_scope_filter(Region.code, user)
    )
    return [(code, name) for code, name in db.session.execute(stmt.order_by(shown, Region.code))]


def board_page(user: User | None, flt: BoardFilter, page: int, per_page: int) -> BoardPage:
    """One page of the board: five queries (count, rows, status counts, kecamatan, owners)
    whatever the number of follow-ups."""
    require(user, VIEW)
    flt = flt.normalized()
    today = office_today()
    result = paginate(_board_select(user, flt, today), page, per_page, scalars=False)

    def to_row(row: Any) -> BoardRow:
        (ident, version, kim_id, kim_name, desa, kecamatan, text, owner, due_on, status) = row[:10]
        closed_on, visit_id = row[10], row[11]
        return BoardRow(
            ident,
            version,
            kim_id,
            kim_name,
            desa,
            kecamatan or "",
            text,
            owner,
            due_on,
            status,
            closed_on,
            visit_id,
            overdue=status == FOLLOW_UP_OPEN and due_on < today,
        )

    return BoardPage(
        page=result.map(to_row),
        filter=flt,
        counts=_counts(user, flt, today),
        kecamatan_options=kecamatan_options(user),
        owner_options=owner_choices(user),
        may_record=user is None or has_permission(user.role, RECORD_VISITS),
    )


def default_due(start: date) -> date:
    """The due date a form offers: 30 days after `start`."""
    return date.fromordinal(start.toordinal() + 30)
