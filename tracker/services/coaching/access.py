"""Who sees a coaching session, and who may change it.

A session is held for a region (the organiser's, usually the kabupaten) and invites KIMs. A user
sees it when his scope holds that region (a kabupaten-wide kabid or admin) or one of its invited
KIMs (a petugas sees the sessions his kecamatan's KIMs were invited to); its materials are served
to the same users. Planning it (its details, invitations, guests and materials) takes
MANAGE_COACHING and a scope holding its region. Applied in the query: a session a user may not
see is simply not found.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, exists, or_, select, true

from tracker.extensions import db
from tracker.models import CoachingInvitation, CoachingSession, Kim
from tracker.models.user import User
from tracker.services.coaching.errors import SessionNotFoundError
from tracker.services.common.permissions import MANAGE_COACHING, PermissionDenied, has_permission
from tracker.services.common.permissions import require as require_permission
from tracker.services.common.scope import user_scope_filter, user_sees_code


def invites_in_scope(user: User) -> ColumnElement[bool]:
    """The session (correlated) invited a KIM in the user's scope."""
    return exists(
        select(CoachingInvitation.session_id)
        .join(Kim, Kim.id == CoachingInvitation.kim_id)
        .where(
            CoachingInvitation.session_id == CoachingSession.id,
            user_scope_filter(Kim.desa_code, user),
        )
    )


def visible_clause(user: User | None) -> ColumnElement[bool]:
    """SQL predicate on CoachingSession: the user may see it (no user: the operator, every one)."""
    if user is None:
        return true()
    return or_(user_scope_filter(CoachingSession.region_code, user), invites_in_scope(user))


def get_session(user: User | None, session_id: int, permission: str) -> CoachingSession:
    """The session when the user holds `permission` and may see it; else 403 / not found."""
    require_permission(user, permission)
    session = db.session.scalar(
        select(CoachingSession).where(CoachingSession.id == session_id, visible_clause(user))
    )
    if session is None:
        raise SessionNotFoundError(_("Sesi pembinaan tidak ditemukan."))
    return session


def may_manage(user: User | None, session: CoachingSession) -> bool:
    """Whether the user may plan this session (for pages to show the buttons)."""
    if user is None:
        return True
    return has_permission(user.role, MANAGE_COACHING) and user_sees_code(user, session.region_code)


def managed_session(user: User | None, session_id: int) -> CoachingSession:
    """The session, for a change to its plan: MANAGE_COACHING and its region in the scope."""
    session = get_session(user, session_id, MANAGE_COACHING)
    if not may_manage(user, session):
        raise PermissionDenied
    return session
