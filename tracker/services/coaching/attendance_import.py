"""Back-filling attendance from the lists offices keep: one import kind of the one pipeline
(`tracker.services.common.import_pipeline`), for `flask session import FILE` and the web.

One row per participant: the session's title and date, the participant's KIM (its KIM.id number or
its name; either may be blank when the other is given) and the participant's name. Sessions are
matched by title (case and spacing ignored) and first day, else created for that day; a KIM that
came is invited if it was not, recorded as present, and its participants' names added to those
already listed (a name listed twice, in the file or already stored, is kept once; the head count
rises to the names listed when it was lower). So importing the same file again changes nothing.

Taking MANAGE_COACHING (the import plans sessions): an admin or kabid imports for the KIMs of his
scope (another KIM is not found) into sessions he may plan. A session starting after today cannot
have attendance. Attendance is what P1 counts, so every KIM newly present marks the open periods
whose 12 months hold its session (`p1_changes`). Audited: each session created, each session's
attendance changed (the same entry as the form's, with its changes per KIM), and the file.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import insert, select, update

from tracker.extensions import db
from tracker.io.attendance_columns import (
    ATTENDANCE_COLUMNS,
    ATTENDANCE_REQUIRED,
    TEMPLATE_HEADERS,
)
from tracker.io.tabular import Row, Table, table_bytes
from tracker.io.values import CellError, parse_date
from tracker.models import (
    CoachingAttendance,
    CoachingInvitation,
    CoachingParticipant,
    CoachingSession,
    Kim,
    Period,
)
from tracker.models.base import utcnow
from tracker.services.coaching.access import may_manage, visible_clause
from tracker.services.coaching.attendance import NAME_MAX
from tracker.services.coaching.p1_changes import attendance_changed, counting_periods
from tracker.services.coaching.sessions import TITLE_MAX, region_for
from tracker.services.common import audit_writer
from tracker.services.common.clock import office_today
from tracker.services.common.import_pipeline import Change, ImportResult, ImportRun
from tracker.services.common.import_rows import chunks
from tracker.services.common.permissions import MANAGE_COACHING
from tracker.services.registry.kim_rows import KimLookup
from tracker.text import fold

KIND = "daftar-hadir"
LISTED_CHANGES = 200  # sessions listed in the preview per action; all are counted

SessionKey = tuple[str, date]  # (folded title, first day)


@dataclass
class _SessionPlan:
    """What the file says about one session: its title as first written, and per KIM the names
    (folded name -> as written) in file order."""

    key: SessionKey
    title: str
    row: int  # its first row
    kims: dict[int, dict[str, str]] = field(default_factory=dict)
    session: CoachingSession | None = None  # the stored session it matches
    # set by finish: what the write adds
    new_invitations: list[int] = field(default_factory=list)
    new_attendance: dict[int, int] = field(default_factory=dict)  # kim -> head count
    raised_counts: dict[int, int] = field(default_factory=dict)  # kim -> new head count
    new_names: dict[int, list[str]] = field(default_factory=dict)
    changes: dict[str, list[object]] = field(default_factory=dict)  # the audit entry's

    @property
    def changed(self) -> bool:
        return bool(self.new_invitations or self.new_attendance or self.new_names)


@dataclass
class _Stored:
    """What is recorded for the matched sessions, loaded once for the file."""

    invited: set[tuple[int, int]] = field(default_factory=set)
    counts: dict[tuple[int, int], int] = field(default_factory=dict)  # present: head count
    names: dict[tuple[int, int], list[str]] = field(default_factory=dict)


def _load_stored(session_ids: list[int]) -> _Stored:
    stored = _Stored()
    for chunk in chunks(session_ids):
        stored.invited.update(
            db.session.execute(
                select(CoachingInvitation.session_id, CoachingInvitation.kim_id).where(
                    CoachingInvitation.session_id.in_(chunk)
                )
            ).tuples()
        )
        for session_id, kim_id, count in db.session.execute(
            select(
                CoachingAttendance.session_id,
                CoachingAttendance.kim_id,
                CoachingAttendance.participant_count,
            ).where(CoachingAttendance.session_id.in_(chunk))
        ):
            stored.counts[(session_id, kim_id)] = count
        for session_id, kim_id, name in db.session.execute(
            select(
                CoachingParticipant.session_id, CoachingParticipant.kim_id, CoachingParticipant.name
            )
            .where(
                CoachingParticipant.session_id.in_(chunk), CoachingParticipant.kim_id.is_not(None)
            )
            .order_by(CoachingParticipant.id)
        ):
            stored.names.setdefault((session_id, kim_id), []).append(name)
    return stored


class AttendanceImport(ImportRun):
    """Attendance lists in: sessions matched by title and date or created, KIMs marked present,
    participants' names added. `actor=None` is the operator (every region)."""

    kind = KIND
    columns = ATTENDANCE_COLUMNS
    required = ATTENDANCE_REQUIRED
    permission = MANAGE_COACHING
    # a row is a name and two keys: a year of a district's lists is a few thousand rows
    max_rows = 50_000

    def start(self, table: Table, result: ImportResult) -> None:
        super().start(table, result)
        self.lookup = KimLookup.load(self.actor, table)
        self.today = office_today()
        self.plans: dict[SessionKey, _SessionPlan] = {}
        self.desa: dict[int, str] = {}

    def check(self, row: Row) -> None:
        problems, label = self.problems, self.table.label
        before = problems.problem_count
        title = row.text("title")
        if not title:
            problems.add(row.number, label("title"), _("nama kegiatan wajib diisi"))
        elif len(title) > TITLE_MAX:
            problems.add(
                row.number,
                label("title"),
                _("nama kegiatan paling panjang %(n)d karakter", n=TITLE_MAX),
            )
        day = None
        raw = row.raw("date")
        if raw is None:
            problems.add(row.number, label("date"), _("tanggal kegiatan wajib diisi"))
        else:
            try:
                day = parse_date(raw)
            except CellError as exc:
                problems.add(row.number, label("date"), str(exc))
            else:
                if day > self.today:
                    problems.add(
                        row.number,
                        label("date"),
                        _(
                            "kegiatan tanggal %(day)s belum berlangsung; kehadiran dicatat sejak "
                            "hari pertamanya",
                            day=day.strftime("%d/%m/%Y"),
                        ),
                    )
        kim_id = self.lookup.resolve(row, problems)
        participant = row.text("participant")
        if not participant:
            problems.add(row.number, label("participant"), _("nama peserta wajib diisi"))
        elif len(participant) > NAME_MAX:
            problems.add(
                row.number,
                label("participant"),
                _("nama peserta paling panjang %(n)d karakter", n=NAME_MAX),
            )
        if problems.problem_count > before or kim_id is None or day is None:
            return
        key = (fold(title), day)
        plan = self.plans.get(key)
        if plan is None:
            plan = self.plans[key] = _SessionPlan(key, title, row.number)
        plan.kims.setdefault(kim_id, {}).setdefault(fold(participant), participant)
        self.result.tally(self.lookup.kecamatan(kim_id))

    def _match_sessions(self) -> None:
        """Each plan's stored session (the earliest of that title and day), or a problem when the
        one found is outside what the actor may plan."""
        titles = sorted({key[0] for key in self.plans})
        found: dict[SessionKey, CoachingSession] = {}
        for chunk in chunks(titles):
            for session in db.session.scalars(
                select(CoachingSession)
                .where(CoachingSession.title_key.in_(chunk))
                .order_by(CoachingSession.id)
            ):
                found.setdefault((session.title_key, session.start_date), session)
        visible = set()
        if found and self.actor is not None:
            ids = [s.id for s in found.values()]
            for chunk in chunks(ids):
                visible.update(
                    db.session.scalars(
                        select(CoachingSession.id).where(
                            CoachingSession.id.in_(chunk), visible_clause(self.actor)
                        )
                    )
                )
        for key, plan in list(self.plans.items()):
            session = found.get(key)
            if session is None:
                continue
            if self.actor is not None and (
                session.id not in visible or not may_manage(self.actor, session)
            ):
                self.problems.add(
                    plan.row,
                    self.table.label("title"),
                    _(
                        "sesi '%(title)s' tanggal %(day)s sudah ada tetapi bukan sesi yang dapat "
                        "Anda kelola",
                        title=plan.title,
                        day=key[1].strftime("%d/%m/%Y"),
                    ),
                )
                del self.plans[key]
                continue
            plan.session = session

    def finish(self) -> None:
        """Match the sessions and work out what each one gains; nothing written."""
        self._match_sessions()
        result = self.result
        stored = _load_stored(sorted(p.session.id for p in self.plans.values() if p.session))
        kim_ids = {k for plan in self.plans.values() for k in plan.kims}
        names = self._kim_names(kim_ids)
        listed = {"create": 0, "update": 0}
        for plan in sorted(self.plans.values(), key=lambda p: p.row):
            session_id = plan.session.id if plan.session is not None else None
            for kim_id, wanted in plan.kims.items():
                pair = (session_id or 0, kim_id)
                if session_id is None or pair not in stored.invited:
                    plan.new_invitations.append(kim_id)
                old_names = stored.names.get(pair, [])
                known = {fold(n) for n in old_names}
                added = [name for key, name in wanted.items() if key not in known]
                if added:
                    plan.new_names[kim_id] = added
                    plan.changes[f"{kim_id}.names"] = [
                        ", ".join(old_names) or None,
                        ", ".join([*old_names, *added]),
                    ]
                listed_count = len(old_names) + len(added)
                old_count = stored.counts.get(pair)
                if old_count is None:
                    plan.new_attendance[kim_id] = listed_count
                    plan.changes[f"{kim_id}.attended"] = [False, True]
                    plan.changes[f"{kim_id}.participants"] = [None, listed_count]
                elif old_count < listed_count:
                    plan.raised_counts[kim_id] = listed_count
                    plan.changes[f"{kim_id}.participants"] = [old_count, listed_count]
            if plan.session is None:
                result.created += 1
                action = "create"
            elif plan.changed:
                result.updated += 1
                action = "update"
            else:
                result.unchanged += 1
                continue
            listed[action] += 1
            if listed[action] <= LISTED_CHANGES:
                result.changes.append(
                    Change(
                        row=plan.row,
                        action=action,
                        name=plan.title,
                        place=_(
                            "%(day)s · %(kims)s KIM, %(names)s nama peserta baru",
                            day=plan.key[1].strftime("%d/%m/%Y"),
                            kims=len(plan.new_attendance),
                            names=sum(len(n) for n in plan.new_names.values()),
                        ),
                        object_id=session_id,
                        changes={
                            "attended": [
                                len(plan.kims) - len(plan.new_attendance),
                                len(plan.kims),
                            ],
                            "participants": [
                                None,
                                ", ".join(
                                    f"{names.get(k, k)}: {', '.join(v)}"
                                    for k, v in plan.new_names.items()
                                ),
                            ],
                        }
                        if action == "update"
                        else {},
                    )
                )
        self.kim_names = names

    def _kim_names(self, kim_ids: set[int]) -> dict[int, str]:
        found: dict[int, str] = {}
        for chunk in chunks(sorted(kim_ids)):
            for kim_id, name, desa in db.session.execute(
                select(Kim.id, Kim.name, Kim.desa_code).where(Kim.id.in_(chunk))
            ):
                found[kim_id] = name
                self.desa[kim_id] = desa
        return found

    def write(self) -> None:
        actor, result = self.actor, self.result
        now = utcnow()
        recorder = actor.id if actor is not None else None
        touched = [p for p in self.plans.values() if p.session is None or p.changed]
        if not touched:  # the same file again: nothing to write, nothing to audit
            return
        invitations, attendance, people = [], [], []
        marked_days: dict[date, set[int]] = defaultdict(set)
        for plan in sorted(touched, key=lambda p: p.row):
            if plan.session is None:
                plan.session = self._create(plan)
            session = plan.session
            invitations += [{"session_id": session.id, "kim_id": k} for k in plan.new_invitations]
            attendance += [
                {
                    "session_id": session.id,
                    "kim_id": kim_id,
                    "participant_count": count,
                    "recorded_by_id": recorder,
                    "recorded_at": now,
                }
                for kim_id, count in plan.new_attendance.items()
            ]
            for kim_id, count in plan.raised_counts.items():
                db.session.execute(
                    update(CoachingAttendance)
                    .where(
                        CoachingAttendance.session_id == session.id,
                        CoachingAttendance.kim_id == kim_id,
                    )
                    .values(participant_count=count, recorded_by_id=recorder, recorded_at=now)
                )
            people += [
                {"session_id": session.id, "kim_id": kim_id, "name": name}
                for kim_id, added in plan.new_names.items()
                for name in added
            ]
            marked_days[session.start_date].update(plan.new_attendance)
        for table, rows in (
            (CoachingInvitation, invitations),
            (CoachingAttendance, attendance),
            (CoachingParticipant, people),
        ):
            for start in range(0, len(rows), 1000):
                db.session.execute(insert(table), rows[start : start + 1000])
        for day, kims in marked_days.items():
            attendance_changed({day}, kims)
        for plan in touched:
            if not plan.changes:
                continue
            session = plan.session
            assert session is not None
            changed = set(plan.new_attendance) | set(plan.raised_counts) | set(plan.new_names)
            audit_writer.record(
                "attendance.record",
                "coaching_session",
                session.id,
                actor,
                params={
                    "title": session.title,
                    "date": session.start_date,
                    "file": result.filename,
                    "attended": len(plan.new_attendance),
                    "changed": len(changed),
                },
                changes=plan.changes,
                message="attendance.record.import",
                region=audit_writer.enclosing_region(self.desa[k] for k in changed)
                or session.region_code,
            )
        days = {day for day, kims in marked_days.items() if kims}
        result.changed_periods = _period_codes(counting_periods(days))
        for change in result.changes:
            if change.object_id is None:
                plan = next(p for p in touched if p.row == change.row)
                change.object_id = plan.session.id if plan.session is not None else None
        audit_writer.record(
            "attendance.import",
            "coaching_session",
            None,
            actor,
            params={
                "file": result.filename,
                "sessions": result.created,
                "updated": result.updated,
                "attended": len(attendance),
                "names": len(people),
                "invalid": result.invalid,
            },
            region=audit_writer.enclosing_region(
                self.desa[k] for plan in touched for k in plan.kims
            ),
        )

    def _create(self, plan: _SessionPlan) -> CoachingSession:
        """A session the file names that is not stored: one day, held for the importer's region
        (the operator: the kabupaten of its KIMs)."""
        day = plan.key[1]
        session = CoachingSession(
            region_code=region_for(self.actor, (self.desa[k] for k in plan.kims)),
            created_by_id=self.actor.id if self.actor is not None else None,
            start_date=day,
            end_date=day,
        )
        session.title = plan.title
        db.session.add(session)
        db.session.flush()
        audit_writer.record(
            "coaching_session.create",
            "coaching_session",
            session.id,
            self.actor,
            params={"title": session.title, "date": day, "file": self.result.filename},
            changes=audit_writer.created(
                {
                    "title": session.title,
                    "start_date": day,
                    "end_date": day,
                    "invited": sorted(self.kim_names.get(k, str(k)) for k in plan.kims),
                }
            ),
            message="coaching_session.create.import",
            region=session.region_code,
        )
        return session

    @classmethod
    def summary(cls, result: ImportResult) -> str:
        return _(
            "%(created)d sesi baru, %(updated)d sesi ditambah kehadirannya, %(unchanged)d sesi "
            "tidak berubah, %(invalid)d baris tidak valid.",
            created=result.created,
            updated=result.updated,
            unchanged=result.unchanged,
            invalid=result.invalid,
        )


def _period_codes(period_ids: list[int]) -> list[str]:
    if not period_ids:
        return []
    return list(
        db.session.scalars(select(Period.code).where(Period.id.in_(period_ids)).order_by(Period.id))
    )


def template_bytes(fmt: str) -> bytes:
    """A blank attendance list in the columns the import reads (the extra ones it reads past)."""
    return table_bytes(TEMPLATE_HEADERS, [], fmt)
