"""Reading the audit log: filtered, newest first, one page at a time.

Entries carry no region, so the reader's scope is applied through their author: an auditor sees
what was done by the accounts inside his own scope (the same accounts an admin of that scope
manages) and what the server operator did on the command line (no author). An operator's entry
about one KIM (a CLI import's per-KIM create/update, with its contact data) is shown only when that
KIM lies in the reader's scope.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import String, and_, cast, distinct, or_, select
from sqlalchemy.orm import selectinload

from tracker.extensions import db
from tracker.models.audit import AuditEntry
from tracker.models.kim import Kim
from tracker.models.user import User
from tracker.services.accounts.user_admin import managed_user_ids
from tracker.services.common.pagination import Page, paginate
from tracker.services.common.permissions import VIEW_AUDIT, require
from tracker.services.common.scope import user_scope_filter


@dataclass
class AuditFilter:
    entity: str = ""
    action: str = ""
    user_id: int | None = None
    since: datetime | None = None  # inclusive, naive UTC
    until: datetime | None = None  # exclusive, naive UTC


@dataclass
class Change:
    """One changed field as shown on the page: old is None for a created value."""

    field: str
    old: Any
    new: Any
    is_update: bool


@dataclass
class AuditOptions:
    entities: list[str]
    actions: list[str]
    users: list[User]


def _visible(actor: User) -> Any:
    kims_in_scope = select(cast(Kim.id, String)).where(user_scope_filter(Kim.desa_code, actor))
    by_operator = and_(
        AuditEntry.user_id.is_(None),
        or_(
            AuditEntry.entity != "kim",
            AuditEntry.entity_id.is_(None),
            AuditEntry.entity_id.in_(kims_in_scope),
        ),
    )
    return or_(by_operator, AuditEntry.user_id.in_(managed_user_ids(actor)))


def list_entries(
    actor: User, flt: AuditFilter, page: int = 1, per_page: int = 25
) -> Page[AuditEntry]:
    require(actor, VIEW_AUDIT)
    stmt = select(AuditEntry).where(_visible(actor)).options(selectinload(AuditEntry.user))
    if flt.entity:
        stmt = stmt.where(AuditEntry.entity == flt.entity)
    if flt.action:
        stmt = stmt.where(AuditEntry.action == flt.action)
    if flt.user_id is not None:
        stmt = stmt.where(AuditEntry.user_id == flt.user_id)
    if flt.since is not None:
        stmt = stmt.where(AuditEntry.at >= flt.since)
    if flt.until is not None:
        stmt = stmt.where(AuditEntry.at < flt.until)
    stmt = stmt.order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    return paginate(stmt, page, per_page)


def filter_options(actor: User) -> AuditOptions:
    """The values the filter lists offer: only those that occur in what the actor may read."""
    require(actor, VIEW_AUDIT)
    visible = _visible(actor)
    entities = db.session.scalars(
        select(distinct(AuditEntry.entity)).where(visible).order_by(AuditEntry.entity)
    )
    actions = db.session.scalars(
        select(distinct(AuditEntry.action)).where(visible).order_by(AuditEntry.action)
    )
    users = db.session.scalars(
        select(User).where(User.id.in_(managed_user_ids(actor))).order_by(User.username)
    )
    return AuditOptions(list(entities), list(actions), list(users))


def changes_of(entry: AuditEntry) -> list[Change]:
    """Split an entry's changes into rows. Updates store {field: [old, new]} (audit.diff);
    creates and imports store plain values."""
    raw = entry.changes or {}
    is_update = bool(raw) and all(isinstance(v, list) and len(v) == 2 for v in raw.values())
    if entry.action.endswith((".create", ".import")):
        is_update = False
    rows = []
    for field_name, value in raw.items():
        if is_update:
            rows.append(Change(field_name, value[0], value[1], True))
        else:
            rows.append(Change(field_name, None, value, False))
    return rows
