"""Recording who came to a session (the daftar hadir), and the daftar hadir itself as data for
the printed sheet and as a spreadsheet.

A petugas records the attendance of the invited KIMs in his own kecamatan; an admin or kabid
those in theirs (RECORD_ATTENDANCE; a KIM outside the scope is refused with 403). A KIM came or
did not; when it came, how many of its people came (at least the names listed, at least one) and
their names. Guests from no KIM (a desa official, a partner) are part of the plan of the session
and are recorded by whoever may plan it. Attendance can be recorded from the session's first day.

What P1 counts is whether a KIM came: adding or removing a KIM's attendance marks the assessments
of the open periods whose 12 months hold the session as stale (`p1_changes`); a change of names or
head count does not. All-or-nothing and audited.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import delete, insert, select
from sqlalchemy.exc import IntegrityError

from tracker.extensions import db
from tracker.io.tabular import FORMATS
from tracker.models import CoachingAttendance, CoachingParticipant, CoachingSession, Kim
from tracker.models.base import utcnow
from tracker.models.user import User
from tracker.services.coaching.access import get_session, may_manage
from tracker.services.coaching.errors import CoachingInvalidError
from tracker.services.coaching.p1_changes import attendance_changed
from tracker.services.coaching.roster import Guest, Roster, RosterRow, roster
from tracker.services.coaching.sessions import invited_ids, topic_names
from tracker.services.common import audit_writer
from tracker.services.common.clock import office_today
from tracker.services.common.errors import Invalid, Stale
from tracker.services.common.exports import ExportFile, export_file
from tracker.services.common.permissions import RECORD_ATTENDANCE, VIEW, PermissionDenied
from tracker.services.common.scope import actor_scope_filter
from tracker.services.common.unit_of_work import transaction

NAME_MAX = 120
POSITION_MAX = 120
AFFILIATION_MAX = 150
PEOPLE_MAX = 200  # names per KIM, and guests per session
COUNT_MAX = 1000


@dataclass
class KimAttendance:
    """One invited KIM's line of the form."""

    kim_id: int
    attended: bool
    count: int | None = None  # how many came; default: the names listed, at least one
    names: list[str] = field(default_factory=list)


@dataclass
class GuestInput:
    name: str
    position: str = ""
    affiliation: str = ""


@dataclass(frozen=True)
class AttendanceView:
    session: CoachingSession
    roster: Roster
    topics: list[str]
    may_record: bool  # the session has begun
    may_edit_guests: bool


def attendance_view(user: User | None, session_id: int) -> AttendanceView:
    """The form's data: the invited KIMs of the user's scope with what is recorded."""
    session = get_session(user, session_id, RECORD_ATTENDANCE)
    return AttendanceView(
        session=session,
        roster=roster(user, session.id),
        topics=topic_names([session.id]).get(session.id, []),
        may_record=session.start_date <= office_today(),
        may_edit_guests=may_manage(user, session),
    )


def _clean_names(raw: Sequence[str]) -> list[str]:
    return [" ".join(n.split()) for n in raw if n and n.strip()]


def _check_kim(entry: KimAttendance, errors: dict[str, str]) -> tuple[int, list[str]] | None:
    """(count, names) of a KIM that came, None for one that did not; problems into `errors`."""
    key = f"kim-{entry.kim_id}"
    names = _clean_names(entry.names)
    if not entry.attended:
        if names or entry.count:
            errors[key] = _(
                "Centang Hadir bila KIM ini datang; kosongkan nama dan jumlah bila tidak datang."
            )
        return None
    if len(names) > PEOPLE_MAX:
        errors[key] = _("Paling banyak %(n)d nama per KIM.", n=PEOPLE_MAX)
    elif any(len(n) > NAME_MAX for n in names):
        errors[key] = _("Nama peserta paling panjang %(n)d karakter.", n=NAME_MAX)
    count = entry.count if entry.count is not None else max(1, len(names))
    if not 1 <= count <= COUNT_MAX:
        errors[key] = _("Jumlah peserta antara 1 dan %(n)d.", n=COUNT_MAX)
    elif count < len(names):
        errors[key] = _(
            "Jumlah peserta (%(count)s) lebih kecil dari nama yang ditulis (%(names)s).",
            count=count,
            names=len(names),
        )
    return count, names


def _check_guests(guests: Sequence[GuestInput], errors: dict[str, str]) -> list[Guest]:
    kept = []
    for guest in guests:
        name = " ".join((guest.name or "").split())
        position = " ".join((guest.position or "").split())
        affiliation = " ".join((guest.affiliation or "").split())
        if not name:
            if position or affiliation:
                errors["guests"] = _("Setiap tamu perlu nama.")
            continue
        if (
            len(name) > NAME_MAX
            or len(position) > POSITION_MAX
            or len(affiliation) > AFFILIATION_MAX
        ):
            errors["guests"] = _("Nama, jabatan atau instansi tamu terlalu panjang.")
        kept.append(Guest(name, position, affiliation))
    if len(kept) > PEOPLE_MAX:
        errors["guests"] = _("Paling banyak %(n)d tamu per sesi.", n=PEOPLE_MAX)
    return kept


def _kims_in_scope(actor: User | None, kim_ids: Sequence[int]) -> set[int]:
    if not kim_ids:
        return set()
    return set(
        db.session.scalars(
            select(Kim.id).where(
                Kim.id.in_(list(kim_ids)), actor_scope_filter(Kim.desa_code, actor)
            )
        )
    )


@dataclass(frozen=True)
class AttendanceResult:
    attended: int  # KIMs recorded as present, in the form's scope
    changed: int  # KIMs whose line changed
    presence_changed: int  # of them, the ones that came or stopped coming (P1)
    saved: bool  # anything was written (KIM lines or guests)


def record_attendance(
    actor: User | None,
    session_id: int,
    entries: Sequence[KimAttendance],
    guests: Sequence[GuestInput] | None = None,
) -> AttendanceResult:
    """Save the attendance of the given invited KIMs (others stay as they are) and, when
    `guests` is given, replace the session's guests."""
    session = get_session(actor, session_id, RECORD_ATTENDANCE)
    if guests is not None and not may_manage(actor, session):
        raise PermissionDenied
    invited = set(invited_ids(session.id))
    ids = [e.kim_id for e in entries]
    if len(set(ids)) != len(ids) or not set(ids) <= invited:
        raise Invalid(_("Ada KIM yang tidak diundang ke sesi ini; muat ulang daftar hadir."))
    if set(ids) - _kims_in_scope(actor, ids):
        raise PermissionDenied(_("Anda hanya dapat mencatat kehadiran KIM di wilayah kerja Anda."))
    errors: dict[str, str] = {}
    wanted = {e.kim_id: _check_kim(e, errors) for e in entries}
    new_guests = _check_guests(guests, errors) if guests is not None else None
    if any(v is not None for v in wanted.values()) and session.start_date > office_today():
        errors["session"] = _(
            "Sesi ini baru dimulai %(day)s; kehadiran dicatat sejak hari pertamanya.",
            day=session.start_date.strftime("%d/%m/%Y"),
        )
    if errors:
        raise CoachingInvalidError(errors)

    with transaction():
        current = roster(None, session.id)
        before = {row.kim_id: row for row in current.rows if row.kim_id in wanted}
        changes: dict[str, list[object]] = {}
        changed_kims: set[int] = set()
        presence: set[int] = set()
        for kim_id, now in wanted.items():
            old = before[kim_id]
            came = now is not None
            count, listed = now if now is not None else (0, [])
            if old.attended != came:
                changes[f"{kim_id}.attended"] = [old.attended, came]
                presence.add(kim_id)
            if old.participant_count != count:
                changes[f"{kim_id}.participants"] = [
                    old.participant_count or None,
                    count or None,
                ]
            if list(old.names) != listed:
                changes[f"{kim_id}.names"] = [
                    ", ".join(old.names) or None,
                    ", ".join(listed) or None,
                ]
            if old.attended != came or old.participant_count != count or list(old.names) != listed:
                changed_kims.add(kim_id)
        old_guests = current.guests
        guests_changed = new_guests is not None and old_guests != new_guests
        if new_guests is not None and guests_changed:
            changes["guests"] = [
                [_guest_text(g) for g in old_guests] or None,
                [_guest_text(g) for g in new_guests] or None,
            ]
        if not changes:
            return AttendanceResult(sum(1 for v in wanted.values() if v), 0, 0, False)
        try:
            _write(
                actor,
                session.id,
                {k: wanted[k] for k in changed_kims},
                new_guests if guests_changed else None,
            )
        except IntegrityError as exc:  # another recording of the same KIM committed meanwhile
            raise Stale(
                _("Daftar hadir ini baru saja diubah pengguna lain; muat ulang lalu ulangi.")
            ) from exc
        attendance_changed({session.start_date}, presence)
        audit_writer.record(
            "attendance.record",
            "coaching_session",
            session.id,
            actor,
            params={
                "title": session.title,
                "date": session.start_date,
                "attended": sum(1 for v in wanted.values() if v),
                "changed": len(changed_kims),
            },
            changes=changes,
            kim=db.session.get(Kim, next(iter(changed_kims))) if len(changed_kims) == 1 else None,
            region=None
            if len(changed_kims) == 1
            else audit_writer.region_of_kims(changed_kims) or session.region_code,
        )
    return AttendanceResult(
        attended=sum(1 for v in wanted.values() if v),
        changed=len(changed_kims),
        presence_changed=len(presence),
        saved=True,
    )


def _guest_text(guest: Guest) -> str:
    extra = ", ".join(p for p in (guest.position, guest.affiliation) if p)
    return f"{guest.name} ({extra})" if extra else guest.name


def _write(
    actor: User | None,
    session_id: int,
    lines: dict[int, tuple[int, list[str]] | None],
    guests: Sequence[Guest] | None,
) -> None:
    """Replace the attendance and names of the KIMs in `lines` (and the guests when given)."""
    kim_ids = sorted(lines)
    if kim_ids:
        db.session.execute(
            delete(CoachingParticipant).where(
                CoachingParticipant.session_id == session_id,
                CoachingParticipant.kim_id.in_(kim_ids),
            )
        )
        db.session.execute(
            delete(CoachingAttendance).where(
                CoachingAttendance.session_id == session_id,
                CoachingAttendance.kim_id.in_(kim_ids),
            )
        )
    now = utcnow()
    recorder = actor.id if actor is not None else None
    came = [(k, v) for k, v in sorted(lines.items()) if v is not None]
    if came:
        db.session.execute(
            insert(CoachingAttendance),
            [
                {
                    "session_id": session_id,
                    "kim_id": kim_id,
                    "participant_count": count,
                    "recorded_by_id": recorder,
                    "recorded_at": now,
                }
                for kim_id, (count, _names) in came
            ],
        )
    people = [
        {"session_id": session_id, "kim_id": kim_id, "name": name}
        for kim_id, (_count, listed) in came
        for name in listed
    ]
    if guests is not None:
        db.session.execute(
            delete(CoachingParticipant).where(
                CoachingParticipant.session_id == session_id,
                CoachingParticipant.kim_id.is_(None),
            )
        )
        people += [
            {
                "session_id": session_id,
                "kim_id": None,
                "name": g.name,
                "position": g.position or None,
                "affiliation": g.affiliation or None,
            }
            for g in guests
        ]
    if people:
        db.session.execute(insert(CoachingParticipant), people)


# -------------------------------------------------------------------------------- daftar hadir


@dataclass(frozen=True)
class AttendanceSheet:
    """The daftar hadir as plain data: what the printed sheet (PDF, with the office letterhead and
    a line to sign per KIM) and the spreadsheet show. One row per invited KIM in the reader's
    scope, numbered, by kecamatan, desa and name."""

    session_id: int
    title: str
    start_date: date
    end_date: date
    location: str
    organiser: str
    speakers: tuple[str, ...]
    jp: int | None
    topics: tuple[str, ...]
    rows: tuple[RosterRow, ...]
    guests: tuple[Guest, ...]

    @property
    def attended(self) -> int:
        return sum(1 for row in self.rows if row.attended)


def attendance_sheet(user: User | None, session_id: int) -> AttendanceSheet:
    session = get_session(user, session_id, VIEW)
    found = roster(user, session.id)
    return AttendanceSheet(
        session_id=session.id,
        title=session.title,
        start_date=session.start_date,
        end_date=session.end_date,
        location=session.location or "",
        organiser=session.organiser or "",
        speakers=tuple(session.speaker_list),
        jp=session.jp,
        topics=tuple(topic_names([session.id]).get(session.id, [])),
        rows=tuple(found.rows),
        guests=tuple(found.guests),
    )


SHEET_HEADERS = (
    "No",
    "Nama Kegiatan",
    "Tanggal",
    "Nomor KIM.id",
    "Nama KIM",
    "Desa/Kelurahan",
    "Kecamatan",
    "Hadir",
    "Jumlah Peserta",
    "Nama Peserta",
)


def export_attendance(user: User | None, session_id: int, fmt: str) -> ExportFile:
    """The daftar hadir as XLSX (or CSV): one row per invited KIM, then one per guest."""
    if fmt not in FORMATS:
        raise Invalid(_("Format .%(fmt)s tidak didukung; gunakan .csv atau .xlsx.", fmt=fmt or "?"))
    sheet = attendance_sheet(user, session_id)
    rows: list[list[object]] = [
        [
            number,
            sheet.title,
            sheet.start_date,
            row.kimid_number,
            row.kim_name,
            row.desa,
            row.kecamatan,
            "ya" if row.attended else "tidak",
            row.participant_count if row.attended else None,
            ", ".join(row.names),
        ]
        for number, row in enumerate(sheet.rows, start=1)
    ]
    start = len(rows) + 1
    rows += [
        [start + i, sheet.title, sheet.start_date, "", "", "", "", "tamu", 1, _guest_text(guest)]
        for i, guest in enumerate(sheet.guests)
    ]
    stem = f"daftar-hadir-{sheet.start_date.isoformat()}-sesi-{sheet.session_id}"
    return export_file(stem, SHEET_HEADERS, rows, fmt)
