"""Who was invited to a session and who came: one row per invited KIM (in the reader's scope)
with its attendance and its people's names, and the guests from no KIM. Read by the session page,
the attendance form and the daftar hadir (sheet and export)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from tracker.extensions import db
from tracker.models import CoachingAttendance, CoachingInvitation, CoachingParticipant, Kim
from tracker.models.user import User
from tracker.services.common.scope import actor_scope_filter
from tracker.services.registry import places
from tracker.services.registry.places import located


@dataclass(frozen=True)
class RosterRow:
    kim_id: int
    kim_name: str
    kimid_number: str
    desa: str
    kecamatan: str
    attended: bool
    participant_count: int  # 0 when absent
    names: tuple[str, ...]  # the participants named, in the order recorded


@dataclass(frozen=True)
class Guest:
    name: str
    position: str
    affiliation: str


@dataclass(frozen=True)
class Roster:
    rows: list[RosterRow]  # invited KIMs in the reader's scope, by kecamatan, desa and name
    guests: list[Guest]
    outside_scope: int  # invited KIMs the reader's scope does not hold

    @property
    def attended(self) -> int:
        return sum(1 for row in self.rows if row.attended)

    @property
    def participants(self) -> int:
        return sum(row.participant_count for row in self.rows) + len(self.guests)


def roster(user: User | None, session_id: int) -> Roster:
    """Three queries whatever the number of KIMs (the caller has checked the session is
    visible)."""
    rows = db.session.execute(
        located(
            select(
                Kim.id,
                Kim.name,
                Kim.kimid_number,
                places.Desa.display_name,
                places.Kecamatan.display_name,
                actor_scope_filter(Kim.desa_code, user).label("in_scope"),
                CoachingAttendance.participant_count,
            )
            .select_from(CoachingInvitation)
            .join(Kim, Kim.id == CoachingInvitation.kim_id)
            .outerjoin(
                CoachingAttendance,
                (CoachingAttendance.session_id == CoachingInvitation.session_id)
                & (CoachingAttendance.kim_id == CoachingInvitation.kim_id),
            ),
            kecamatan_optional=True,
        )
        .where(CoachingInvitation.session_id == session_id)
        .order_by(places.Kecamatan.display_name, places.Desa.display_name, Kim.name_key, Kim.id)
    ).all()
    people = db.session.execute(
        select(
            CoachingParticipant.kim_id,
            CoachingParticipant.name,
            CoachingParticipant.position,
            CoachingParticipant.affiliation,
        )
        .where(CoachingParticipant.session_id == session_id)
        .order_by(CoachingParticipant.id)
    ).all()
    names: dict[int, list[str]] = {}
    guests: list[Guest] = []
    for kim_id, name, position, affiliation in people:
        if kim_id is None:
            guests.append(Guest(name, position or "", affiliation or ""))
        else:
            names.setdefault(kim_id, []).append(name)
    shown = [row for row in rows if row.in_scope]
    return Roster(
        rows=[
            RosterRow(
                kim_id=row.id,
                kim_name=row.name,
                kimid_number=row.kimid_number or "",
                desa=row[3],
                kecamatan=row[4] or "",
                attended=row.participant_count is not None,
                participant_count=int(row.participant_count or 0),
                names=tuple(names.get(row.id, ())),
            )
            for row in shown
        ],
        guests=guests,
        outside_scope=len(rows) - len(shown),
    )
