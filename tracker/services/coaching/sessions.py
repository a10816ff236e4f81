"""Coaching sessions: plan one (details, topics, invited KIMs), change it, delete it; the list
with its filters; the KIMs a user may invite; a KIM's sessions for its timeline.

Planning takes MANAGE_COACHING (admin, kabid) and a scope holding the session's region
(`access`); invitations reach only KIMs in the planner's scope, and those outside it that a
session already invited stay as they were. A change of the first day or a deletion changes P1
for the KIMs that attended (`p1_changes`). Every write is audited.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select, delete, exists, func, insert, or_, select
from sqlalchemy.orm.exc import StaleDataError

from tracker.extensions import db
from tracker.io.values import INT_MAX
from tracker.models import (
    CoachingAttendance,
    CoachingInvitation,
    CoachingSession,
    Kim,
    Period,
    Region,
    Topic,
)
from tracker.models.base import utcnow
from tracker.models.coaching import session_topic
from tracker.models.kim import STATUS_ACTIVE
from tracker.models.region import LEVEL_KABUPATEN
from tracker.models.user import User
from tracker.scoring.periods import PeriodCodeError, parse_period_code
from tracker.services.coaching import materials
from tracker.services.coaching.access import managed_session, visible_clause
from tracker.services.coaching.errors import CoachingInvalidError
from tracker.services.coaching.p1_changes import attendance_changed
from tracker.services.coaching.topics import topic_options
from tracker.services.common import audit_writer
from tracker.services.common.clock import office_today
from tracker.services.common.errors import Stale
from tracker.services.common.exports import ExportFile, check_format, export_file
from tracker.services.common.import_rows import chunks
from tracker.services.common.pagination import Page, paginate
from tracker.services.common.permissions import MANAGE_COACHING, VIEW, require
from tracker.services.common.scope import actor_scope_filter
from tracker.services.common.sorting import SortKeys
from tracker.services.common.unit_of_work import depth, transaction
from tracker.services.registry import places
from tracker.services.registry.kims import kecamatan_options
from tracker.services.registry.places import located
from tracker.text import fold

TITLE_MAX = 200
TEXT_MAX = 200  # location, organiser
LONG_MAX = 5000  # speakers, notes
JP_MAX = 200
INVITES_MAX = 2000

SORTS = SortKeys(
    {"tanggal": CoachingSession.start_date, "judul": CoachingSession.title_key},
    default="-tanggal",
)


class SessionStaleError(Stale):
    def __init__(self) -> None:
        super().__init__(
            _(
                "Sesi ini sudah diubah oleh pengguna lain sejak Anda membukanya. Perubahan Anda "
                "belum disimpan: buka data terbaru, lalu ulangi perubahan Anda."
            )
        )


# ------------------------------------------------------------------------------------- list


@dataclass
class SessionFilter:
    """What the sessions list is narrowed by (`?q=&periode=&dari=&sampai=&materi=&kecamatan=`)."""

    q: str = ""
    period: str = ""  # a period code: its dates
    date_from: date | None = None
    date_to: date | None = None
    topic_id: int | None = None
    kecamatan: str = ""
    sort: str = "-tanggal"

    def normalized(self) -> SessionFilter:
        period = self.period.strip()
        try:
            period = parse_period_code(period).code if period else ""
        except PeriodCodeError:
            period = ""
        return SessionFilter(
            q=self.q.strip()[:100],
            period=period,
            date_from=self.date_from,
            date_to=self.date_to,
            topic_id=self.topic_id,
            kecamatan=self.kecamatan.strip(),
            sort=SORTS.normalized(self.sort),
        )

    @property
    def active(self) -> bool:
        return bool(
            self.q
            or self.period
            or self.date_from
            or self.date_to
            or self.topic_id
            or self.kecamatan
        )


@dataclass(frozen=True)
class SessionRow:
    id: int
    title: str
    start_date: date
    end_date: date
    location: str
    jp: int | None
    topics: list[str]
    invited: int  # invited KIMs in the reader's scope
    attended: int  # of them, the ones that came


@dataclass
class SessionsPage:
    page: Page[SessionRow]
    filter: SessionFilter
    kecamatan_options: list[tuple[str, str]]
    topic_options: list[tuple[int, str]]
    period_options: list[str]


def _in_scope(user: User | None, model: Any) -> Select[Any]:
    """A correlated count of the session's rows of `model` (invitations, attendance) whose KIM
    is in the user's scope."""
    return (
        select(func.count())
        .select_from(model)
        .join(Kim, Kim.id == model.kim_id)
        .where(model.session_id == CoachingSession.id, actor_scope_filter(Kim.desa_code, user))
        .correlate(CoachingSession)
    )


def _filtered(stmt: Select[Any], flt: SessionFilter, user: User | None) -> Select[Any]:
    if flt.q:
        needle = fold(flt.q)
        stmt = stmt.where(
            or_(
                CoachingSession.title_key.contains(needle, autoescape=True),
                func.lower(CoachingSession.location).contains(needle, autoescape=True),
                func.lower(CoachingSession.speakers).contains(needle, autoescape=True),
            )
        )
    if flt.period:
        span = parse_period_code(flt.period)
        stmt = stmt.where(CoachingSession.start_date.between(span.start, span.end))
    if flt.date_from:
        stmt = stmt.where(CoachingSession.start_date >= flt.date_from)
    if flt.date_to:
        stmt = stmt.where(CoachingSession.start_date <= flt.date_to)
    if flt.topic_id:
        stmt = stmt.where(
            exists().where(
                session_topic.c.session_id == CoachingSession.id,
                session_topic.c.topic_id == flt.topic_id,
            )
        )
    if flt.kecamatan:
        stmt = stmt.where(
            exists(
                select(CoachingInvitation.kim_id)
                .join(Kim, Kim.id == CoachingInvitation.kim_id)
                .where(
                    CoachingInvitation.session_id == CoachingSession.id,
                    Kim.desa_code.like(flt.kecamatan + ".%"),
                    # only invitations the user may see: a filter tells nothing of other scopes
                    actor_scope_filter(Kim.desa_code, user),
                )
            )
        )
    return stmt


def topic_names(session_ids: Sequence[int]) -> dict[int, list[str]]:
    """Each session's topic names, alphabetical (one query for a page of sessions)."""
    if not session_ids:
        return {}
    found: dict[int, list[str]] = {}
    for chunk in chunks(list(session_ids)):
        rows = db.session.execute(
            select(session_topic.c.session_id, Topic.name)
            .join(Topic, Topic.id == session_topic.c.topic_id)
            .where(session_topic.c.session_id.in_(list(chunk)))
            .order_by(Topic.name_key)
        )
        for session_id, name in rows:
            found.setdefault(session_id, []).append(name)
    return found


def _list_select(user: User | None, flt: SessionFilter) -> Select[Any]:
    """The sessions the user may see, filtered and sorted, with their invited and attending KIMs
    in the user's scope (the list and its export)."""
    stmt = select(
        CoachingSession.id,
        CoachingSession.title,
        CoachingSession.start_date,
        CoachingSession.end_date,
        CoachingSession.location,
        CoachingSession.jp,
        _in_scope(user, CoachingInvitation).scalar_subquery().label("invited"),
        _in_scope(user, CoachingAttendance).scalar_subquery().label("attended"),
        CoachingSession.organiser,
    ).where(visible_clause(user))
    return _filtered(stmt, flt, user).order_by(SORTS.order_by(flt.sort), CoachingSession.id.desc())


EXPORT_HEADERS = (
    "Judul",
    "Tanggal mulai",
    "Tanggal selesai",
    "Tempat",
    "Penyelenggara",
    "JP",
    "Materi",
    "KIM diundang",
    "KIM hadir",
)


def export_sessions(user: User | None, flt: SessionFilter, fmt: str) -> ExportFile:
    """The sessions list as it is filtered, every row, as CSV or XLSX (two queries)."""
    require(user, VIEW)
    check_format(fmt)
    found = db.session.execute(_list_select(user, flt.normalized())).all()
    names = topic_names([row.id for row in found])
    rows = [
        [
            row.title,
            row.start_date,
            row.end_date,
            row.location or "",
            row.organiser or "",
            row.jp,
            ", ".join(names.get(row.id, [])),
            int(row.invited or 0),
            int(row.attended or 0),
        ]
        for row in found
    ]
    return export_file("sesi-pembinaan", EXPORT_HEADERS, rows, fmt)


def sessions_page(user: User | None, flt: SessionFilter, page: int, per_page: int) -> SessionsPage:
    """The sessions a user may see, newest first unless sorted otherwise, one page of them: a
    fixed number of queries whatever the number of sessions, invitations or attendance rows."""
    require(user, VIEW)
    flt = flt.normalized()
    rows = paginate(_list_select(user, flt), page, per_page, scalars=False)
    names = topic_names([row.id for row in rows.items])
    return SessionsPage(
        page=rows.map(
            lambda row: SessionRow(
                row.id,
                row.title,
                row.start_date,
                row.end_date,
                row.location or "",
                row.jp,
                names.get(row.id, []),
                int(row.invited or 0),
                int(row.attended or 0),
            )
        ),
        filter=flt,
        kecamatan_options=kecamatan_options(user),
        topic_options=topic_options(),
        period_options=list(
            db.session.scalars(select(Period.code).order_by(Period.start_date.desc()))
        ),
    )


# ---------------------------------------------------------------------------- invitations


@dataclass(frozen=True)
class InviteChoice:
    kim_id: int
    name: str
    desa: str


def invite_choices(user: User | None) -> list[tuple[str, list[InviteChoice]]]:
    """The active KIMs a user may invite, grouped by kecamatan (by name), for the session form."""
    stmt = located(
        select(Kim.id, Kim.name, places.Desa.display_name, places.Kecamatan.display_name).where(
            Kim.status == STATUS_ACTIVE, actor_scope_filter(Kim.desa_code, user)
        )
    ).order_by(places.Kecamatan.display_name, places.Desa.display_name, Kim.name_key, Kim.id)
    groups: dict[str, list[InviteChoice]] = {}
    for kim_id, name, desa, kecamatan in db.session.execute(stmt):
        groups.setdefault(kecamatan, []).append(InviteChoice(kim_id, name, desa))
    return list(groups.items())


def invited_ids(session_id: int) -> list[int]:
    return list(
        db.session.scalars(
            select(CoachingInvitation.kim_id)
            .where(CoachingInvitation.session_id == session_id)
            .order_by(CoachingInvitation.kim_id)
        )
    )


# ---------------------------------------------------------------------------------- writing


@dataclass
class SessionInput:
    """What the session form submits."""

    title: str
    start_date: date | None
    end_date: date | None = None
    location: str = ""
    organiser: str = ""
    speakers: str = ""
    jp: int | None = None
    notes: str = ""
    topic_ids: list[int] = field(default_factory=list)
    kim_ids: list[int] = field(default_factory=list)


def _text(value: str | None) -> str:
    return " ".join((value or "").split())


def _lines(value: str | None) -> str:
    lines = (" ".join(line.split()) for line in (value or "").splitlines())
    return "\n".join(line for line in lines if line)


def _check_dates(data: SessionInput, errors: dict[str, str]) -> None:
    if data.start_date is None:
        errors["start_date"] = _("Tanggal mulai wajib diisi.")
    elif not 2000 <= data.start_date.year <= 2100:
        errors["start_date"] = _(
            "Tahun %(year)s di luar rentang 2000–2100.", year=data.start_date.year
        )
    if data.end_date is not None and data.start_date is not None:
        if data.end_date < data.start_date:
            errors["end_date"] = _("Tanggal selesai tidak boleh sebelum tanggal mulai.")
        elif (data.end_date - data.start_date).days > 60:
            errors["end_date"] = _(
                "Satu sesi paling lama 60 hari; catat kegiatan lebih panjang sebagai beberapa sesi."
            )


def _check_lengths(values: Mapping[str, str], errors: dict[str, str]) -> None:
    limits = {
        "title": TITLE_MAX,
        "location": TEXT_MAX,
        "organiser": TEXT_MAX,
        "speakers": LONG_MAX,
        "notes": LONG_MAX,
    }
    for name, limit in limits.items():
        if len(values[name]) > limit:
            errors[name] = _("Terlalu panjang (maksimal %(n)d karakter).", n=limit)


def _kims_allowed(actor: User | None, kim_ids: Iterable[int]) -> dict[int, tuple[str, str]]:
    """{id: (name, desa code)} of the given KIMs that are active and in the actor's scope."""
    ids = sorted({i for i in kim_ids if 0 < i <= INT_MAX})
    found: dict[int, tuple[str, str]] = {}
    for start in range(0, len(ids), 500):
        rows = db.session.execute(
            select(Kim.id, Kim.name, Kim.desa_code).where(
                Kim.id.in_(ids[start : start + 500]),
                Kim.status == STATUS_ACTIVE,
                actor_scope_filter(Kim.desa_code, actor),
            )
        )
        found.update({kim_id: (name, code) for kim_id, name, code in rows})
    return found


def _clean(actor: User | None, data: SessionInput) -> dict[str, Any]:
    """Apply every rule; CoachingInvalidError lists every failing field at once for the form."""
    errors: dict[str, str] = {}
    values: dict[str, Any] = {
        "title": _text(data.title),
        "location": _text(data.location),
        "organiser": _text(data.organiser),
        "speakers": _lines(data.speakers),
        "notes": (data.notes or "").strip(),
    }
    if not values["title"]:
        errors["title"] = _("Judul sesi wajib diisi.")
    _check_lengths(values, errors)
    _check_dates(data, errors)
    values["start_date"] = data.start_date
    values["end_date"] = data.end_date or data.start_date
    if data.jp is not None and not 0 <= data.jp <= JP_MAX:
        errors["jp"] = _("Jam pelajaran antara 0 dan %(n)d.", n=JP_MAX)
    values["jp"] = data.jp
    topic_ids = sorted({t for t in data.topic_ids if 0 < t <= INT_MAX})
    topics = (
        list(db.session.scalars(select(Topic).where(Topic.id.in_(topic_ids)))) if topic_ids else []
    )
    if len(topics) != len(topic_ids):
        errors["topics"] = _("Ada materi yang tidak dikenal; muat ulang formulir.")
    elif not topics:
        errors["topics"] = _("Pilih sedikitnya satu materi pembinaan.")
    values["topics"] = sorted(topics, key=lambda t: (t.name_key, t.id))
    wanted = set(data.kim_ids)
    allowed = _kims_allowed(actor, wanted)
    if len(allowed) != len(wanted):
        errors["kims"] = _(
            "%(n)s KIM yang dipilih tidak aktif atau di luar wilayah kerja Anda; muat ulang "
            "formulir.",
            n=len(wanted) - len(allowed),
        )
    elif len(allowed) > INVITES_MAX:
        errors["kims"] = _("Paling banyak %(n)d KIM diundang ke satu sesi.", n=INVITES_MAX)
    values["kims"] = allowed
    if errors:
        raise CoachingInvalidError(errors)
    return values


def region_for(actor: User | None, desa_codes: Iterable[str]) -> str:
    """The region a new session is held for: the planner's scope (its smallest common region),
    or for the operator the kabupaten of the invited KIMs (else the first kabupaten)."""
    if actor is not None and actor.scope_codes:
        return audit_writer.enclosing_region(actor.scope_codes) or actor.scope_codes[0]
    region = audit_writer.enclosing_region(desa_codes)
    if region is not None:
        return ".".join(region.split(".")[:LEVEL_KABUPATEN])
    first = db.session.scalar(
        select(Region.code).where(Region.level == LEVEL_KABUPATEN).order_by(Region.code).limit(1)
    )
    if first is None:
        raise CoachingInvalidError({"kims": _("Belum ada wilayah; impor wilayah terlebih dahulu.")})
    return first


def _snapshot(
    session: CoachingSession, topics: Sequence[Topic], kim_names: Iterable[str]
) -> dict[str, Any]:
    """The audited view of a session: what a diff between two versions compares."""
    return {
        "title": session.title,
        "start_date": session.start_date,
        "end_date": session.end_date,
        "location": session.location,
        "organiser": session.organiser,
        "speakers": session.speakers,
        "jp": session.jp,
        "notes": session.notes,
        "topics": [t.name for t in topics],
        "invited": sorted(kim_names),
    }


def _apply(session: CoachingSession, values: Mapping[str, Any]) -> None:
    session.title = values["title"]
    session.start_date = values["start_date"]
    session.end_date = values["end_date"]
    session.location = values["location"] or None
    session.organiser = values["organiser"] or None
    session.speakers = values["speakers"] or None
    session.jp = values["jp"]
    session.notes = values["notes"] or None
    session.topics = list(values["topics"])


def _invite(session_id: int, kim_ids: Iterable[int]) -> None:
    rows = [{"session_id": session_id, "kim_id": k} for k in sorted(set(kim_ids))]
    for start in range(0, len(rows), 500):
        db.session.execute(insert(CoachingInvitation), rows[start : start + 500])


def create_session(actor: User | None, data: SessionInput) -> CoachingSession:
    """A new session with its topics and invited KIMs."""
    require(actor, MANAGE_COACHING)
    with transaction():
        values = _clean(actor, data)
        kims: dict[int, tuple[str, str]] = values["kims"]
        session = CoachingSession(
            region_code=region_for(actor, (code for _name, code in kims.values())),
            created_by_id=actor.id if actor is not None else None,
        )
        _apply(session, values)
        db.session.add(session)
        db.session.flush()
        _invite(session.id, kims)
        audit_writer.record(
            "coaching_session.create",
            "coaching_session",
            session.id,
            actor,
            params={"title": session.title, "date": session.start_date},
            changes=audit_writer.created(
                _snapshot(session, values["topics"], (n for n, _c in kims.values()))
            ),
            region=session.region_code,
        )
    return session


def _invited_kims(session_id: int) -> dict[int, tuple[str, str]]:
    rows = db.session.execute(
        select(Kim.id, Kim.name, Kim.desa_code)
        .join(CoachingInvitation, CoachingInvitation.kim_id == Kim.id)
        .where(CoachingInvitation.session_id == session_id)
    )
    return {kim_id: (name, code) for kim_id, name, code in rows}


def attendee_ids(session_id: int) -> list[int]:
    return list(
        db.session.scalars(
            select(CoachingAttendance.kim_id).where(CoachingAttendance.session_id == session_id)
        )
    )


def update_session(actor: User | None, session_id: int, data: SessionInput, version: int) -> bool:
    """Save the session's new details, topics and invitations (those of KIMs outside the actor's
    scope stay); False when nothing changed. A KIM recorded as attending cannot be uninvited."""
    with transaction():
        session = managed_session(actor, session_id)
        if session.version != version:
            raise SessionStaleError()
        values = _clean(actor, data)
        before_kims = _invited_kims(session.id)
        in_scope = _kims_allowed(actor, before_kims) if actor is not None else before_kims
        wanted: dict[int, tuple[str, str]] = values["kims"]
        kept_outside = {k: v for k, v in before_kims.items() if k not in in_scope}
        removed = set(in_scope) - set(wanted)
        attended = set(attendee_ids(session.id))
        if removed & attended:
            names = sorted(before_kims[k][0] for k in removed & attended)
            raise CoachingInvalidError(
                {
                    "kims": _(
                        "Sudah tercatat hadir, tidak dapat dibatalkan undangannya: %(names)s. "
                        "Hapus kehadirannya dulu di daftar hadir.",
                        names=", ".join(names),
                    )
                }
            )
        after_kims = {**kept_outside, **wanted}
        before = _snapshot(session, session.topics, (n for n, _c in before_kims.values()))
        old_start = session.start_date
        _apply(session, values)
        after = _snapshot(session, values["topics"], (n for n, _c in after_kims.values()))
        changes = audit_writer.diff(before, after)
        if not changes:
            return False
        session.updated_at = utcnow()  # a change of invitations alone bumps the version too
        if removed:
            db.session.execute(
                delete(CoachingInvitation).where(
                    CoachingInvitation.session_id == session.id,
                    CoachingInvitation.kim_id.in_(sorted(removed)),
                )
            )
        _invite(session.id, set(wanted) - set(before_kims))
        if old_start != session.start_date:
            attendance_changed({old_start, session.start_date}, attended)
        try:
            db.session.flush()
        except StaleDataError as exc:
            raise SessionStaleError() from exc
        audit_writer.record(
            "coaching_session.update",
            "coaching_session",
            session.id,
            actor,
            params={"title": session.title, "date": session.start_date},
            changes=changes,
            region=session.region_code,
        )
    return True


def _removed(snapshot: Mapping[str, Any]) -> dict[str, list[Any]]:
    """The changes of a deleted row: {field: [value, None]} for every field that had one."""
    return audit_writer.diff(snapshot, dict.fromkeys(snapshot))


def delete_session(actor: User | None, session_id: int) -> str:
    """Delete a session with its invitations, attendance and materials; returns its title. The
    attendance it held no longer counts for P1."""
    outermost = depth() == 0
    with transaction():
        session = managed_session(actor, session_id)
        title, start = session.title, session.start_date
        attended = attendee_ids(session.id)
        shas = materials.hashes_of(session.id)
        invited = _invited_kims(session.id)
        audit_writer.record(
            "coaching_session.delete",
            "coaching_session",
            session.id,
            actor,
            params={"title": title, "date": start, "attended": len(attended)},
            changes=_removed(_snapshot(session, session.topics, (n for n, _c in invited.values()))),
            region=session.region_code,
        )
        attendance_changed({start}, attended)
        db.session.delete(session)
        db.session.flush()
    if outermost:
        materials.remove_unused(shas)
    return title


# ------------------------------------------------------------------------------- a KIM's


@dataclass(frozen=True)
class KimSession:
    """A session a KIM was invited to, for its timeline."""

    session_id: int
    title: str
    start_date: date
    end_date: date
    location: str
    topics: list[str]
    attended: bool
    participants: int
    upcoming: bool  # not begun yet


def kim_sessions(kim_id: int) -> list[KimSession]:
    """The sessions a KIM was invited to, newest first, with whether it came (two queries; the
    caller has checked the KIM is in the reader's scope)."""
    rows = db.session.execute(
        select(
            CoachingSession.id,
            CoachingSession.title,
            CoachingSession.start_date,
            CoachingSession.end_date,
            CoachingSession.location,
            CoachingAttendance.participant_count,
        )
        .join(CoachingInvitation, CoachingInvitation.session_id == CoachingSession.id)
        .outerjoin(
            CoachingAttendance,
            (CoachingAttendance.session_id == CoachingSession.id)
            & (CoachingAttendance.kim_id == kim_id),
        )
        .where(CoachingInvitation.kim_id == kim_id)
        .order_by(CoachingSession.start_date.desc(), CoachingSession.id.desc())
    ).all()
    names = topic_names([row.id for row in rows])
    today = office_today()
    return [
        KimSession(
            row.id,
            row.title,
            row.start_date,
            row.end_date,
            row.location or "",
            names.get(row.id, []),
            row.participant_count is not None,
            int(row.participant_count or 0),
            row.start_date > today,
        )
        for row in rows
    ]
