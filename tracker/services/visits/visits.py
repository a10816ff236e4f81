"""Recording a monitoring visit and reading visits back.

A visit is recorded in one unit of work: the visit, its team, one finding per KIM the team wrote
something about, its photos (already checked by `photos.clean`), a follow-up for each finding
whose recommendation was given a due date, one audit entry for the visit and one per follow-up.
The form's idempotency key makes a second sending of the same form return the visit the first one
made (`idempotency`), also when both arrive at once.

Scope: a visit is recorded for a kecamatan in the user's region only (403 elsewhere: a petugas
records visits in his own kecamatan); its findings name KIMs of that kecamatan. A visit outside
the scope is not found.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from tracker.extensions import db
from tracker.models import FollowUp, Kim, MonitoringVisit, Region, User, VisitFinding, VisitPhoto
from tracker.models.kim import STATUS_ACTIVE
from tracker.models.region import LEVEL_KECAMATAN
from tracker.models.user import ROLE_ADMIN, ROLE_KABID, ROLE_PETUGAS
from tracker.models.visits import PROBLEM_LABELS, PROBLEMS, RATING_LABELS, RATINGS
from tracker.services.common import audit_writer, unit_of_work
from tracker.services.common.clock import office_today
from tracker.services.common.errors import Invalid, InvalidFields, NotFound
from tracker.services.common.exports import ExportFile, check_format, export_file
from tracker.services.common.pagination import Page, paginate
from tracker.services.common.permissions import (
    RECORD_VISITS,
    VIEW,
    PermissionDenied,
    has_permission,
    require,
)
from tracker.services.common.scope import actor_scope_filter, code_in_scope
from tracker.services.common.unit_of_work import transaction
from tracker.services.registry import places
from tracker.services.visits import follow_ups, idempotency, photos

TEXT_MAX = 5000
MAX_DAYS = 14  # a visit spans at most two weeks
UPLOADS_MAX = 100_000


class VisitInvalidError(InvalidFields):
    """The input was refused; `errors` maps a form field (`findings-2-uploads_seen` for a
    finding's) to its Indonesian message."""


# --- choices for the form ---------------------------------------------------------------------


@dataclass(frozen=True)
class KimOption:
    id: int
    name: str
    desa_name: str


def kecamatan_for_write(user: User | None, code: str) -> Region:
    """The kecamatan a visit is recorded for: Invalid when there is none of that code, 403 when
    it lies outside the user's region."""
    require(user, RECORD_VISITS)
    region = db.session.scalar(
        select(Region).where(Region.code == (code or "").strip(), Region.level == LEVEL_KECAMATAN)
    )
    if region is None:
        raise VisitInvalidError({"kecamatan_code": _("Pilih kecamatan yang dikunjungi.")})
    if user is not None and not code_in_scope(region.code, user.scope_codes):
        raise PermissionDenied(
            _(
                "Kecamatan %(name)s di luar wilayah kerja Anda: kunjungannya dicatat oleh "
                "petugas wilayah itu.",
                name=region.display_name,
            )
        )
    return region


def kims_of_kecamatan(code: str) -> list[KimOption]:
    """The active KIMs of a kecamatan, by name (the sections of the visit form)."""
    rows = db.session.execute(
        select(Kim.id, Kim.name, places.Desa.display_name)
        .join(places.Desa, places.Desa.code == Kim.desa_code)
        .where(places.Desa.parent_code == code, Kim.status == STATUS_ACTIVE)
        .order_by(Kim.name_key, Kim.id)
    )
    return [KimOption(kim_id, name, desa) for kim_id, name, desa in rows]


def team_choices(kecamatan_code: str) -> list[tuple[int, str]]:
    """(id, name) of the active accounts that record visits and whose region holds the
    kecamatan: the team members the form offers (two queries)."""
    accounts = db.session.scalars(
        select(User)
        .where(
            User.is_active_account.is_(True),
            User.role.in_((ROLE_ADMIN, ROLE_KABID, ROLE_PETUGAS)),
        )
        .options(selectinload(User.scopes))
        .order_by(User.full_name, User.username)
    )
    return [
        (account.id, account.full_name or account.username)
        for account in accounts
        if code_in_scope(kecamatan_code, account.scope_codes)
    ]


# --- recording --------------------------------------------------------------------------------


@dataclass
class FindingInput:
    """What the form says about one KIM; a finding with nothing in it is no finding."""

    kim_id: int
    uploads_seen: int | None = None
    consistency_pct: float | None = None
    problems: Sequence[str] = ()
    problem_notes: str = ""
    rating: str = ""
    recommendation: str = ""
    follow_up_due: date | None = None
    photos: Sequence[photos.CleanPhoto] = ()

    def is_empty(self) -> bool:
        return (
            self.uploads_seen is None
            and self.consistency_pct is None
            and not self.problems
            and not self.problem_notes.strip()
            and not self.rating
            and not self.recommendation.strip()
            and self.follow_up_due is None
            and not self.photos
        )


@dataclass
class VisitInput:
    idempotency_key: str
    kecamatan_code: str
    started_on: date | None
    ended_on: date | None = None
    team_user_ids: Sequence[int] = ()
    team_names: str = ""
    notes: str = ""
    gps_lat: float | None = None
    gps_lon: float | None = None
    gps_accuracy: float | None = None
    findings: Sequence[FindingInput] = ()
    photos: Sequence[photos.CleanPhoto] = ()  # of the visit as a whole


@dataclass
class Recorded:
    visit: MonitoringVisit
    created: bool  # False: a sending with the same key had made this visit already
    follow_ups: int = 0


def _text(value: str, name: str, errors: dict[str, str]) -> str | None:
    text = (value or "").replace("\r\n", "\n").strip()
    if len(text) > TEXT_MAX:
        errors[name] = _("Terlalu panjang (maksimal %(n)d karakter).", n=TEXT_MAX)
    return text or None


def _check_dates(data: VisitInput, errors: dict[str, str]) -> tuple[date, date]:
    today = office_today()
    start = data.started_on
    end = data.ended_on or start
    if start is None:
        errors["started_on"] = _("Isi tanggal kunjungan.")
        return today, today
    if start > today:
        errors["started_on"] = _("Tanggal kunjungan tidak boleh di masa depan.")
    elif start < follow_ups.EARLIEST:
        errors["started_on"] = _("Tanggal kunjungan di luar rentang yang masuk akal.")
    assert end is not None
    if end < start:
        errors["ended_on"] = _("Tanggal selesai tidak boleh sebelum tanggal mulai.")
    elif end > today:
        errors["ended_on"] = _("Tanggal selesai tidak boleh di masa depan.")
    elif end - start > timedelta(days=MAX_DAYS - 1):
        errors["ended_on"] = _("Satu kunjungan paling lama %(n)d hari.", n=MAX_DAYS)
    return start, end


def _check_gps(data: VisitInput, errors: dict[str, str]) -> None:
    lat, lon, accuracy = data.gps_lat, data.gps_lon, data.gps_accuracy
    if (lat is None) != (lon is None):
        errors["gps_lat"] = _("Isi garis lintang dan garis bujur bersama, atau kosongkan keduanya.")
    if lat is not None and not -90 <= lat <= 90:
        errors["gps_lat"] = _("Garis lintang harus antara -90 dan 90.")
    if lon is not None and not -180 <= lon <= 180:
        errors["gps_lon"] = _("Garis bujur harus antara -180 dan 180.")
    if accuracy is not None and not 0 <= accuracy <= 100_000:
        errors["gps_accuracy"] = _("Ketelitian harus antara 0 dan 100.000 meter.")


def _check_finding(
    index: int, finding: FindingInput, start: date, errors: dict[str, str]
) -> dict[str, Any]:
    prefix = f"findings-{index}-"
    values: dict[str, Any] = {}
    if finding.uploads_seen is not None and not 0 <= finding.uploads_seen <= UPLOADS_MAX:
        errors[prefix + "uploads_seen"] = _("Jumlah unggahan tidak masuk akal.")
    if finding.consistency_pct is not None and not 0 <= finding.consistency_pct <= 100:
        errors[prefix + "consistency_pct"] = _("Konsistensi mingguan harus antara 0 dan 100%.")
    unknown = [p for p in finding.problems if p not in PROBLEMS]
    if unknown:
        errors[prefix + "problems"] = _("Pilih masalah dari daftar.")
    if finding.rating and finding.rating not in RATINGS:
        errors[prefix + "rating"] = _("Pilih penilaian dari daftar.")
    values["problem_notes"] = _text(finding.problem_notes, prefix + "problem_notes", errors)
    values["recommendation"] = _text(finding.recommendation, prefix + "recommendation", errors)
    if finding.follow_up_due is not None:
        if not values["recommendation"]:
            errors[prefix + "recommendation"] = _(
                "Tuliskan rekomendasinya: tindak lanjut dibuat dari rekomendasi."
            )
        elif finding.follow_up_due < start:
            errors[prefix + "follow_up_due"] = _(
                "Batas tindak lanjut tidak boleh sebelum tanggal kunjungan."
            )
        elif finding.follow_up_due.year > office_today().year + 5:
            errors[prefix + "follow_up_due"] = _("Batas waktu di luar rentang yang masuk akal.")
    return values


def snapshot(visit: MonitoringVisit, kim_names: dict[int, str]) -> dict[str, Any]:
    """The audited view of a new visit (KIM names as they were, like every entry about a KIM)."""
    gps = None
    if visit.gps_lat is not None and visit.gps_lon is not None:
        gps = f"{visit.gps_lat:.6f}, {visit.gps_lon:.6f}"
    return {
        "kecamatan_code": visit.kecamatan_code,
        "started_on": visit.started_on,
        "ended_on": visit.ended_on,
        "team": sorted(u.id for u in visit.team),
        "team_names": visit.team_names,
        "notes": visit.notes,
        "gps": gps,
        "kims": [kim_names.get(f.kim_id, f"#{f.kim_id}") for f in visit.findings],
    }


def _existing(user: User | None, key: str) -> Recorded | None:
    visit = idempotency.visit_with_key(key)
    if visit is None:
        return None
    if user is not None and visit.created_by_id != user.id:
        # a key is made per form; another account's key is no form of this user's
        raise Invalid(
            _("Formulir kunjungan ini tidak lengkap; buka ulang formulirnya lalu kirim lagi."),
            "idempotency_key",
        )
    return Recorded(visit, created=False)


def record_visit(user: User | None, data: VisitInput) -> Recorded:
    """Record a visit, or return the one a sending of the same form already made."""
    require(user, RECORD_VISITS)
    key = idempotency.checked(data.idempotency_key)
    found = _existing(user, key)
    if found is not None:
        return found
    kecamatan = kecamatan_for_write(user, data.kecamatan_code)
    try:
        return _record(user, data, key, kecamatan)
    except IntegrityError:
        # a sending with the same key committed first (both passed the lookup above); the unit
        # of work has rolled back (only the outermost may look again: an outer unit is broken)
        if unit_of_work.depth() > 0:
            raise
        found = _existing(user, key)
        if found is None:
            raise
        return found


def _record(user: User | None, data: VisitInput, key: str, kecamatan: Region) -> Recorded:
    errors: dict[str, str] = {}
    start, end = _check_dates(data, errors)
    _check_gps(data, errors)
    notes = _text(data.notes, "notes", errors)
    team_names = _text(data.team_names, "team_names", errors)
    offered = dict(team_choices(kecamatan.code))
    team_ids = sorted(set(data.team_user_ids))
    if any(i not in offered for i in team_ids):
        errors["team_user_ids"] = _("Pilih anggota tim dari daftar.")
    kims = {k.id: k for k in kims_of_kecamatan(kecamatan.code)}
    findings: list[tuple[FindingInput, dict[str, Any]]] = []
    for index, finding in enumerate(data.findings):
        if finding.is_empty():
            continue
        if finding.kim_id not in kims:
            errors[f"findings-{index}-kim_id"] = _(
                "KIM ini bukan KIM aktif Kecamatan %(name)s.", name=kecamatan.display_name
            )
            continue
        findings.append((finding, _check_finding(index, finding, start, errors)))
    if not findings and not errors:
        errors["findings"] = _("Isi temuan untuk sedikitnya satu KIM.")
    if errors:
        raise VisitInvalidError(errors)

    with transaction():
        visit = MonitoringVisit(
            kecamatan_code=kecamatan.code,
            started_on=start,
            ended_on=end,
            team_names=team_names,
            notes=notes,
            gps_lat=data.gps_lat,
            gps_lon=data.gps_lon,
            gps_accuracy=data.gps_accuracy if data.gps_lat is not None else None,
            idempotency_key=key,
            created_by_id=user.id if user is not None else None,
        )
        if team_ids:
            visit.team = list(db.session.scalars(select(User).where(User.id.in_(team_ids))))
        for finding, values in findings:
            visit.findings.append(
                VisitFinding(
                    kim_id=finding.kim_id,
                    uploads_seen=finding.uploads_seen,
                    consistency_pct=finding.consistency_pct,
                    problems=[p for p in PROBLEMS if p in finding.problems],
                    problem_notes=values["problem_notes"],
                    rating=finding.rating or None,
                    recommendation=values["recommendation"],
                )
            )
        db.session.add(visit)
        db.session.flush()  # the key's unique index answers a concurrent sending here
        stored = [photos.store(p, user=user, visit=visit) for p in data.photos]
        for finding, _values in findings:
            stored += [
                photos.store(p, user=user, visit=visit, kim_id=finding.kim_id)
                for p in finding.photos
            ]
        audit_writer.record(
            "visit.create",
            "monitoring_visit",
            visit.id,
            user,
            params={
                "kecamatan": kecamatan.code,
                "visited_on": start,
                "kims": len(findings),
                "photos": len(stored),
            },
            changes=audit_writer.created(snapshot(visit, {i: k.name for i, k in kims.items()})),
            region=kecamatan.code,
        )
        made = 0
        for finding, values in findings:
            if finding.follow_up_due is None:
                continue
            follow_ups.create_follow_up(
                user,
                follow_ups.FollowUpInput(
                    kim_id=finding.kim_id,
                    recommendation=values["recommendation"] or "",
                    owner_id=user.id if user is not None else None,
                    due_on=finding.follow_up_due,
                ),
                visit=visit,
            )
            made += 1
    return Recorded(visit, created=True, follow_ups=made)


# --- reading ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class VisitRow:
    id: int
    kecamatan_name: str
    started_on: date
    ended_on: date
    kims: int
    photos: int
    recorded_by: str


@dataclass
class VisitFilter:
    kecamatan: str = ""

    @classmethod
    def from_args(cls, args: Any) -> VisitFilter:
        return cls(kecamatan=str(args.get("kecamatan", "")).strip()[:13])


@dataclass
class VisitList:
    page: Page[VisitRow]
    filter: VisitFilter
    kecamatan_options: list[tuple[str, str]]
    may_record: bool


def _list_select(user: User | None, flt: VisitFilter) -> Select[Any]:
    findings = (
        select(func.count(VisitFinding.id))
        .where(VisitFinding.visit_id == MonitoringVisit.id)
        .correlate(MonitoringVisit)
        .scalar_subquery()
    )
    photo_count = (
        select(func.count(VisitPhoto.id))
        .where(VisitPhoto.visit_id == MonitoringVisit.id)
        .correlate(MonitoringVisit)
        .scalar_subquery()
    )
    stmt = (
        select(
            MonitoringVisit.id,
            Region.display_name,
            MonitoringVisit.started_on,
            MonitoringVisit.ended_on,
            findings,
            photo_count,
            func.coalesce(func.nullif(User.full_name, ""), User.username, ""),
        )
        .join(Region, Region.code == MonitoringVisit.kecamatan_code)
        .outerjoin(User, User.id == MonitoringVisit.created_by_id)
        .where(actor_scope_filter(MonitoringVisit.kecamatan_code, user))
    )
    if flt.kecamatan:
        stmt = stmt.where(MonitoringVisit.kecamatan_code == flt.kecamatan)
    return stmt.order_by(MonitoringVisit.started_on.desc(), MonitoringVisit.id.desc())


def visit_list(user: User | None, flt: VisitFilter, page: int, per_page: int) -> VisitList:
    """Visits in the user's scope, newest first (three queries whatever their number)."""
    require(user, VIEW)
    result = paginate(_list_select(user, flt), page, per_page, scalars=False)
    return VisitList(
        page=result.map(lambda row: VisitRow(*row)),
        filter=flt,
        kecamatan_options=follow_ups.kecamatan_options(user),
        may_record=user is None or has_permission(user.role, RECORD_VISITS),
    )


EXPORT_HEADERS = (
    "Tanggal mulai",
    "Tanggal selesai",
    "Kecamatan",
    "KIM",
    "Desa/Kelurahan",
    "Unggahan terlihat",
    "Konsistensi mingguan (%)",
    "Masalah",
    "Catatan masalah",
    "Penilaian",
    "Rekomendasi",
    "Dicatat oleh",
)


def export_visits(user: User | None, flt: VisitFilter, fmt: str) -> ExportFile:
    """The visits list as it is filtered, one row per KIM visited (its finding), newest visit
    first, as CSV or XLSX (one query)."""
    require(user, VIEW)
    check_format(fmt)
    stmt = places.located(
        select(
            MonitoringVisit.started_on,
            MonitoringVisit.ended_on,
            Region.display_name,
            Kim.name,
            places.Desa.display_name,
            VisitFinding.uploads_seen,
            VisitFinding.consistency_pct,
            VisitFinding.problems,
            VisitFinding.problem_notes,
            VisitFinding.rating,
            VisitFinding.recommendation,
            func.coalesce(func.nullif(User.full_name, ""), User.username, ""),
        )
        .select_from(VisitFinding)
        .join(MonitoringVisit, MonitoringVisit.id == VisitFinding.visit_id)
        .join(Region, Region.code == MonitoringVisit.kecamatan_code)
        .join(Kim, Kim.id == VisitFinding.kim_id)
        .outerjoin(User, User.id == MonitoringVisit.created_by_id)
        .where(actor_scope_filter(MonitoringVisit.kecamatan_code, user)),
        kecamatan_optional=True,
    )
    if flt.kecamatan:
        stmt = stmt.where(MonitoringVisit.kecamatan_code == flt.kecamatan)
    stmt = stmt.order_by(
        MonitoringVisit.started_on.desc(), MonitoringVisit.id.desc(), Kim.name_key, Kim.id
    )
    rows = [
        [
            started,
            ended,
            kecamatan,
            kim,
            desa,
            uploads,
            consistency,
            "; ".join(PROBLEM_LABELS.get(code, code) for code in problems or []),
            notes or "",
            RATING_LABELS.get(rating, rating) if rating else "",
            recommendation or "",
            author,
        ]
        for (
            started,
            ended,
            kecamatan,
            kim,
            desa,
            uploads,
            consistency,
            problems,
            notes,
            rating,
            recommendation,
            author,
        ) in db.session.execute(stmt)
    ]
    return export_file("kunjungan", EXPORT_HEADERS, rows, fmt)


@dataclass
class FindingView:
    finding: VisitFinding
    kim_name: str
    desa_name: str
    photos: list[VisitPhoto] = field(default_factory=list)
    follow_ups: list[FollowUp] = field(default_factory=list)


@dataclass
class VisitDetail:
    visit: MonitoringVisit
    kecamatan_name: str
    recorded_by: str
    team: list[str]
    findings: list[FindingView]
    general_photos: list[VisitPhoto]
    may_record: bool


def get_visit(user: User | None, visit_id: int) -> VisitDetail:
    """A visit in the user's scope with its findings, photos and follow-ups (a few queries)."""
    require(user, VIEW)
    visit = db.session.scalar(
        select(MonitoringVisit)
        .where(
            MonitoringVisit.id == visit_id,
            actor_scope_filter(MonitoringVisit.kecamatan_code, user),
        )
        .options(
            joinedload(MonitoringVisit.kecamatan),
            joinedload(MonitoringVisit.created_by),
            selectinload(MonitoringVisit.team),
            selectinload(MonitoringVisit.photos),
        )
    )
    if visit is None:
        raise NotFound(_("Kunjungan tidak ditemukan."))
    rows = db.session.execute(
        select(VisitFinding, Kim.name, places.Desa.display_name)
        .join(Kim, Kim.id == VisitFinding.kim_id)
        .join(places.Desa, places.Desa.code == Kim.desa_code)
        .where(VisitFinding.visit_id == visit.id)
        .order_by(Kim.name_key, Kim.id)
    ).all()
    views = {f.kim_id: FindingView(f, name, desa) for f, name, desa in rows}
    general: list[VisitPhoto] = []
    for photo in visit.photos:
        target = views.get(photo.kim_id) if photo.kim_id is not None else None
        (target.photos if target is not None else general).append(photo)
    for follow_up in db.session.scalars(
        select(FollowUp)
        .where(FollowUp.visit_id == visit.id)
        .options(joinedload(FollowUp.owner))
        .order_by(FollowUp.id)
    ):
        if follow_up.kim_id in views:
            views[follow_up.kim_id].follow_ups.append(follow_up)
    creator = visit.created_by
    return VisitDetail(
        visit=visit,
        kecamatan_name=visit.kecamatan.display_name,
        recorded_by=(creator.full_name or creator.username) if creator is not None else "",
        team=[u.full_name or u.username for u in visit.team],
        findings=list(views.values()),
        general_photos=general,
        may_record=user is None or has_permission(user.role, RECORD_VISITS),
    )
