"""Who may do what. One table, read by views (to refuse with 403) and templates (to hide links).

Region scope is a separate check (`tracker.services.common.scope`): a permission says what kind
of action a role may take, the scope says on which KIMs.
"""

from __future__ import annotations

from tracker.models.user import ROLE_ADMIN, ROLE_KABID, ROLE_PETUGAS, ROLE_VIEWER, User
from tracker.services.common.errors import Forbidden

VIEW = "view"  # read registry, regions, assessments, leaderboard
EDIT_KIM = "edit_kim"  # create, edit, deactivate a KIM in scope
IMPORT_KIM = "import_kim"  # bulk import of the registry
MANAGE_USERS = "manage_users"
MANAGE_REGIONS = "manage_regions"
MANAGE_FRAMEWORK = "manage_framework"
MANAGE_PERIODS = "manage_periods"  # add/close periods, run assessments
REOPEN_PERIODS = "reopen_periods"  # reopen a closed period (with a reason)
ENTER_ACTIVITY = "enter_activity"  # import posts/counts, enter measurements in scope
# verify or reject the measurements a petugas submitted; what such a user enters counts at once
VERIFY_ACTIVITY = "verify_activity"
VIEW_AUDIT = "view_audit"  # the audit log of the user's region scope (audit_reader says which)
# record monitoring visits and follow-ups (add, close, drop, reopen) in the user's kecamatan
RECORD_VISITS = "record_visits"
# plan coaching: the topic catalogue, sessions, their invited KIMs, guests and materials
MANAGE_COACHING = "manage_coaching"
RECORD_ATTENDANCE = "record_attendance"  # which KIMs in scope came to a session, and who
MANAGE_OFFICE = "manage_office"  # letterhead, signatory, numbering: the letters' office settings
ISSUE_LETTERS = "issue_letters"  # issue, revoke and re-issue evaluation letters in scope
HARVEST_ACTIVITY = "harvest_activity"  # run the activity harvest of a KIM in scope now
RUN_JOBS = "run_jobs"  # the scheduler's page: its jobs, their runs, "run now"

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    ROLE_ADMIN: frozenset(
        {
            VIEW,
            EDIT_KIM,
            IMPORT_KIM,
            MANAGE_USERS,
            MANAGE_REGIONS,
            MANAGE_FRAMEWORK,
            MANAGE_PERIODS,
            REOPEN_PERIODS,
            ENTER_ACTIVITY,
            VERIFY_ACTIVITY,
            VIEW_AUDIT,
            RECORD_VISITS,
            MANAGE_COACHING,
            RECORD_ATTENDANCE,
            MANAGE_OFFICE,
            ISSUE_LETTERS,
            HARVEST_ACTIVITY,
            RUN_JOBS,
        }
    ),
    ROLE_KABID: frozenset(
        {
            VIEW,
            EDIT_KIM,
            IMPORT_KIM,
            MANAGE_PERIODS,
            ENTER_ACTIVITY,
            VERIFY_ACTIVITY,
            VIEW_AUDIT,
            RECORD_VISITS,
            MANAGE_COACHING,
            RECORD_ATTENDANCE,
            ISSUE_LETTERS,
            HARVEST_ACTIVITY,
        }
    ),
    ROLE_PETUGAS: frozenset(
        {VIEW, EDIT_KIM, ENTER_ACTIVITY, VIEW_AUDIT, RECORD_VISITS, RECORD_ATTENDANCE}
    ),
    ROLE_VIEWER: frozenset({VIEW}),
}


def has_permission(role: str | None, permission: str) -> bool:
    return permission in ROLE_PERMISSIONS.get(role or "", frozenset())


class PermissionDenied(Forbidden):
    """Raised by services when the acting user may not do this; views turn it into 403."""


def require(actor: User | None, permission: str) -> None:
    """PermissionDenied unless the acting user's role holds `permission`. No actor is the system
    (the command line), which acts for every role."""
    if actor is not None and not has_permission(actor.role, permission):
        raise PermissionDenied
