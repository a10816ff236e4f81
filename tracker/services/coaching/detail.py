"""A session's page: its plan, who was invited and who came (in the reader's scope), its
materials, and what the reader may do with it."""

from __future__ import annotations

from dataclasses import dataclass

from tracker.models import CoachingSession
from tracker.models.user import User
from tracker.services.coaching.access import get_session, may_manage
from tracker.services.coaching.materials import MaterialRow, max_bytes, session_materials
from tracker.services.coaching.roster import Roster, roster
from tracker.services.coaching.sessions import topic_names
from tracker.services.common.clock import office_today
from tracker.services.common.permissions import RECORD_ATTENDANCE, VIEW, has_permission


@dataclass(frozen=True)
class SessionDetail:
    session: CoachingSession
    topics: list[str]
    roster: Roster
    materials: list[MaterialRow]
    may_manage: bool  # plan it: edit, delete, materials, guests
    may_record: bool  # record attendance (role; the session has begun)
    started: bool
    max_upload_bytes: int


def session_detail(user: User, session_id: int) -> SessionDetail:
    session = get_session(user, session_id, VIEW)
    started = session.start_date <= office_today()
    return SessionDetail(
        session=session,
        topics=topic_names([session.id]).get(session.id, []),
        roster=roster(user, session.id),
        materials=session_materials(session.id),
        may_manage=may_manage(user, session),
        may_record=has_permission(user.role, RECORD_ATTENDANCE) and started,
        started=started,
        max_upload_bytes=max_bytes(),
    )
