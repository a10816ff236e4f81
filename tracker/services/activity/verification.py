"""Verifying what a petugas submitted: the queue of submitted values and the one-step decision.

A value a petugas enters (on the grid or by import) is submitted and counts only once an admin or
kabid verifies it (DESIGN.md §4). The reviewer sees a period's submitted values within their scope,
grouped by kecamatan and KIM, each with who entered it and when and what the assessment uses
without it (filled in by `tracker.services.assessment.reference`), and verifies or rejects them in
one step: the ones ticked, or every one shown for a kecamatan or a KIM. A rejection carries a
reason, which the petugas reads on the grid; a rejected value never counts.

Each value on the page carries a token "<id>:<stamp of its entry>". A decision names the tokens the
reviewer saw; when any of them no longer matches (the petugas changed the value, or another
reviewer decided it first) nothing is written and the reviewer looks again: nobody verifies a value
they did not see. One audit entry records each decision with every value it covered.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import ColumnElement, Select, case, func, select
from sqlalchemy.orm import aliased

from tracker.extensions import db
from tracker.io.values import INT_MAX
from tracker.models import Kim, Measurement, Period, User
from tracker.models.activity import (
    MEASUREMENT_REJECTED,
    MEASUREMENT_SUBMITTED,
    MEASUREMENT_VERIFIED,
)
from tracker.models.base import utcnow
from tracker.models.kim import STATUS_ACTIVE
from tracker.scoring.engine import IndicatorValue
from tracker.services.activity.measurements import Rule, rules
from tracker.services.common import audit_writer, input_changes
from tracker.services.common.errors import Invalid, Stale
from tracker.services.common.import_rows import chunks
from tracker.services.common.permissions import ENTER_ACTIVITY, VERIFY_ACTIVITY, require
from tracker.services.common.scope import user_scope_filter
from tracker.services.common.unit_of_work import transaction
from tracker.services.registry import places
from tracker.services.registry.places import located
from tracker.services.rules.periods import get_period, require_open

REASON_MAX = 500


class ChangedSinceShownError(Stale):
    """A value the reviewer decided on changed (or was decided) after the page showed it."""


def token(measurement_id: int, recorded_at: datetime) -> str:
    """What the reviewer saw of one value: its id and the moment it was entered."""
    return f"{measurement_id}:{recorded_at:%Y%m%d%H%M%S%f}"


def _parse_tokens(tokens: Iterable[str]) -> dict[int, str]:
    parsed: dict[int, str] = {}
    for raw in tokens:
        ident, _sep, stamp = raw.partition(":")
        if not (ident.isascii() and ident.isdigit() and stamp.isascii() and stamp.isdigit()):
            raise Invalid(_("Pilihan nilai tidak dikenal; muat ulang halaman."))
        parsed[int(ident)] = f"{ident}:{stamp}"
    return parsed


# --- the queue --------------------------------------------------------------------------------


@dataclass
class PendingValue:
    id: int
    token: str
    kim_id: int
    rule: Rule
    value_text: str  # as it is typed: ya/tidak, 3, 2,5
    note: str
    entered_by: str
    entered_at: datetime
    # what the assessment uses without this value, set by tracker.services.assessment.reference
    reference: IndicatorValue | None = None


@dataclass
class KimPending:
    kim_id: int
    name: str
    desa: str
    values: list[PendingValue] = field(default_factory=list)


@dataclass
class KecamatanPending:
    code: str
    name: str
    kims: list[KimPending] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(len(k.values) for k in self.kims)


@dataclass(frozen=True)
class KecamatanOption:
    code: str
    name: str
    submitted: int


@dataclass
class ReviewQueue:
    period: Period
    kecamatan_code: str  # "" for every kecamatan in scope
    groups: list[KecamatanPending]
    options: list[KecamatanOption]  # kecamatan holding submitted values, for the filter

    @property
    def total(self) -> int:
        return sum(g.count for g in self.groups)

    @property
    def closed(self) -> bool:
        return self.period.is_closed

    @property
    def values(self) -> list[PendingValue]:
        return [v for g in self.groups for k in g.kims for v in k.values]


def _shown_name(user: Any) -> ColumnElement[str]:
    """Who entered or reviewed a value, as people read it: the full name, else the username."""
    return func.coalesce(func.nullif(user.full_name, ""), user.username)


def _placed(stmt: Select[Any]) -> Select[Any]:
    """A measurement statement joined to its KIM, the KIM's desa and kecamatan."""
    return located(stmt.select_from(Measurement).join(Kim, Kim.id == Measurement.kim_id))


def _in_scope(actor: User) -> tuple[ColumnElement[bool], ...]:
    """Values of active KIMs inside the actor's scope (a statement from `_placed`)."""
    return Kim.status == STATUS_ACTIVE, user_scope_filter(Kim.desa_code, actor)


def _submitted_rows(actor: User, period: Period, kecamatan_code: str) -> list[Any]:
    stmt = _placed(
        select(
            Measurement.id,
            Measurement.recorded_at,
            Measurement.kim_id,
            Measurement.indicator_code,
            Measurement.value,
            Measurement.note,
            _shown_name(User),
            Kim.name,
            places.Desa.display_name,
            places.Kecamatan.code,
            places.Kecamatan.display_name,
        ).outerjoin(User, User.id == Measurement.recorded_by_id)
    ).where(
        Measurement.period_id == period.id,
        Measurement.status == MEASUREMENT_SUBMITTED,
        *_in_scope(actor),
    )
    if kecamatan_code:
        stmt = stmt.where(places.Kecamatan.code == kecamatan_code)
    return list(
        db.session.execute(
            stmt.order_by(
                places.Kecamatan.display_name,
                places.Desa.display_name,
                Kim.name_key,
                Measurement.indicator_code,
            )
        )
    )


def _options(actor: User, period: Period) -> list[KecamatanOption]:
    stmt = _placed(
        select(places.Kecamatan.code, places.Kecamatan.display_name, func.count(Measurement.id))
    ).where(
        Measurement.period_id == period.id,
        Measurement.status == MEASUREMENT_SUBMITTED,
        *_in_scope(actor),
    )
    return [
        KecamatanOption(code, name, int(n))
        for code, name, n in db.session.execute(
            stmt.group_by(places.Kecamatan.code, places.Kecamatan.display_name).order_by(
                places.Kecamatan.display_name
            )
        )
    ]


def review_queue(actor: User, period_code: str, kecamatan_code: str = "") -> ReviewQueue:
    """The period's submitted values in the reviewer's scope (one kecamatan when given), grouped
    by kecamatan and KIM, in three queries whatever their number."""
    require(actor, VERIFY_ACTIVITY)
    period = get_period(period_code)
    known = rules()
    system = _("(sistem)")
    groups: dict[str, KecamatanPending] = {}
    kims: dict[int, KimPending] = {}
    for row in _submitted_rows(actor, period, kecamatan_code):
        ident, at, kim_id, code, value, note, who, kim_name, desa, kec_code, kec_name = row
        rule = known.get(code)
        if rule is None:  # an indicator the active framework no longer has
            continue
        group = groups.setdefault(kec_code, KecamatanPending(kec_code, kec_name))
        if kim_id not in kims:
            kims[kim_id] = KimPending(kim_id, kim_name, desa)
            group.kims.append(kims[kim_id])
        kims[kim_id].values.append(
            PendingValue(
                id=ident,
                token=token(ident, at),
                kim_id=kim_id,
                rule=rule,
                value_text=rule.show(value),
                note=note or "",
                entered_by=who or system,
                entered_at=at,
            )
        )
    return ReviewQueue(
        period=period,
        kecamatan_code=kecamatan_code,
        groups=list(groups.values()),
        options=_options(actor, period),
    )


def review_counts(actor: User, period_ids: Sequence[int]) -> dict[tuple[int, str], tuple[int, int]]:
    """(period id, kecamatan code) → (submitted, rejected) values in the actor's scope, for the
    activity page: a reviewer sees what waits, a petugas what was sent back (one query)."""
    require(actor, ENTER_ACTIVITY)
    if not period_ids:
        return {}
    waiting = func.sum(case((Measurement.status == MEASUREMENT_SUBMITTED, 1), else_=0))
    refused = func.sum(case((Measurement.status == MEASUREMENT_REJECTED, 1), else_=0))
    stmt = _placed(select(Measurement.period_id, places.Kecamatan.code, waiting, refused)).where(
        Measurement.period_id.in_(list(period_ids)),
        Measurement.status != MEASUREMENT_VERIFIED,
        *_in_scope(actor),
    )
    return {
        (period_id, code): (int(submitted or 0), int(rejected or 0))
        for period_id, code, submitted, rejected in db.session.execute(
            stmt.group_by(Measurement.period_id, places.Kecamatan.code)
        )
    }


def waiting_totals(actor: User, period_id: int) -> tuple[int, int]:
    """(submitted, rejected) values of the period in the actor's scope: `review_counts` summed
    over its kecamatan (the same rows), for the home page. Read from the index on (period,
    status), each waiting value's KIM checked by key: the work grows with the values waiting,
    not with the KIMs."""
    require(actor, ENTER_ACTIVITY)
    # the KIM of the value, placed as `_placed` places it (inner joins to its desa and kecamatan)
    placed = located(select(Kim.id).select_from(Kim)).where(
        Kim.id == Measurement.kim_id, *_in_scope(actor)
    )
    waiting = func.sum(case((Measurement.status == MEASUREMENT_SUBMITTED, 1), else_=0))
    refused = func.sum(case((Measurement.status == MEASUREMENT_REJECTED, 1), else_=0))
    submitted, rejected = db.session.execute(
        select(waiting, refused).where(
            Measurement.period_id == period_id,
            Measurement.status.in_((MEASUREMENT_SUBMITTED, MEASUREMENT_REJECTED)),
            placed.correlate(Measurement).exists(),
        )
    ).one()
    return int(submitted or 0), int(rejected or 0)


# --- the decision -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Decision:
    period_code: str
    verified: int
    rejected: int


def _chosen(
    actor: User,
    period: Period,
    picked: dict[int, str],
    kecamatan_code: str | None,
    kim_id: int | None,
) -> list[tuple[Measurement, str]]:
    """The picked measurements (within the group asked for), each with its KIM's name; every
    picked one must still be submitted, in scope and as it was shown."""
    found: dict[int, tuple[Measurement, str, str]] = {}
    storable = sorted(ident for ident in picked if ident <= INT_MAX)  # others cannot exist
    for chunk in chunks(storable):
        stmt = _placed(select(Measurement, Kim.name, places.Kecamatan.code)).where(
            Measurement.id.in_(chunk), Measurement.period_id == period.id, *_in_scope(actor)
        )
        for m, kim_name, kec_code in db.session.execute(stmt):
            found[m.id] = (m, kim_name, kec_code)
    changed = [
        ident
        for ident, shown in picked.items()
        if ident not in found
        or found[ident][0].status != MEASUREMENT_SUBMITTED
        or token(ident, found[ident][0].recorded_at) != shown
    ]
    if changed:
        raise ChangedSinceShownError(
            ngettext(
                "%(num)s nilai sudah berubah sejak halaman ini dibuka (diubah petugas atau sudah "
                "diputuskan). Tidak ada yang disimpan; periksa daftar terbaru.",
                "%(num)s nilai sudah berubah sejak halaman ini dibuka (diubah petugas atau sudah "
                "diputuskan). Tidak ada yang disimpan; periksa daftar terbaru.",
                len(changed),
            )
        )
    return [
        (m, kim_name)
        for m, kim_name, kec_code in found.values()
        if (kecamatan_code is None or kec_code == kecamatan_code)
        and (kim_id is None or m.kim_id == kim_id)
    ]


def decide(
    actor: User,
    period_code: str,
    tokens: Iterable[str],
    *,
    reject: bool = False,
    reason: str = "",
    kecamatan_code: str | None = None,
    kim_id: int | None = None,
) -> Decision:
    """Verify (or reject with `reason`) the submitted values named by `tokens`; with
    `kecamatan_code` or `kim_id`, only those of that kecamatan or KIM. All or nothing."""
    require(actor, VERIFY_ACTIVITY)
    period = get_period(period_code)
    require_open(period)
    reason = " ".join(reason.split())
    if reject and not reason:
        raise Invalid(
            _("Tulis alasan penolakan: petugas membacanya untuk memperbaiki nilainya."),
            field="alasan",
        )
    if len(reason) > REASON_MAX:
        raise Invalid(
            _("Alasan terlalu panjang (maks. %(max)s karakter).", max=REASON_MAX), field="alasan"
        )
    picked = _parse_tokens(tokens)
    chosen = _chosen(actor, period, picked, kecamatan_code, kim_id) if picked else []
    if not chosen:
        raise Invalid(_("Pilih dulu nilai yang akan diverifikasi atau ditolak."), field="pilih")
    with transaction():
        now = utcnow()
        changes: dict[str, Any] = {}
        for m, _kim_name in sorted(chosen, key=lambda c: (c[1], c[0].indicator_code)):
            m.status = MEASUREMENT_REJECTED if reject else MEASUREMENT_VERIFIED
            m.reviewed_by_id, m.reviewed_at = actor.id, now
            m.reject_reason = reason if reject else None
            changes[f"{m.kim_id}.{m.indicator_code}"] = [None, m.value]  # "{kim}.{indicator}"
        count = len(chosen)
        if not reject:  # verified values now count: their KIMs' results are stale
            input_changes.period_changed(period.id, {m.kim_id for m, _name in chosen})
        params: dict[str, object] = {"period": period.code, "count": count}
        if reject:
            params["reason"] = reason
        audit_writer.record(
            "measurement.reject" if reject else "measurement.verify",
            "measurement",
            None,
            actor,
            params=params,
            changes=changes,
            region=audit_writer.region_of_kims(m.kim_id for m, _name in chosen),
        )
    return Decision(
        period_code=period.code,
        verified=0 if reject else count,
        rejected=count if reject else 0,
    )


# --- who entered and who verified, for a KIM's breakdown ----------------------------------------


@dataclass(frozen=True)
class EntryInfo:
    """One stored manual value of a KIM and period, with who entered and who reviewed it."""

    code: str
    status: str
    value: float
    entered_by: str
    entered_at: datetime
    reviewed_by: str | None
    reviewed_at: datetime | None
    reject_reason: str | None

    @property
    def counts(self) -> bool:
        return self.status == MEASUREMENT_VERIFIED


def kim_entries(kim_id: int, period_id: int) -> dict[str, EntryInfo]:
    """Indicator code → the KIM's stored manual value for the period (one query). The caller
    has already checked the KIM is in the viewer's scope."""
    entered, reviewed = aliased(User, name="entered"), aliased(User, name="reviewed")
    system = _("(sistem)")
    rows = db.session.execute(
        select(
            Measurement.indicator_code,
            Measurement.status,
            Measurement.value,
            _shown_name(entered),
            Measurement.recorded_at,
            _shown_name(reviewed),
            Measurement.reviewed_at,
            Measurement.reject_reason,
        )
        .outerjoin(entered, entered.id == Measurement.recorded_by_id)
        .outerjoin(reviewed, reviewed.id == Measurement.reviewed_by_id)
        .where(Measurement.kim_id == kim_id, Measurement.period_id == period_id)
    )
    return {
        code.strip().upper(): EntryInfo(
            code=code.strip().upper(),
            status=status,
            value=value,
            entered_by=who or system,
            entered_at=at,
            reviewed_by=(reviewer or system) if reviewed_at is not None else None,
            reviewed_at=reviewed_at,
            reject_reason=reason,
        )
        for code, status, value, who, at, reviewer, reviewed_at, reason in rows
    }
