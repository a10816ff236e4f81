"""Reading the audit log: filtered, newest first, one page at a time, worded for the reader.

Scoped by region, like everything else a user reads, not by who wrote the entry:
- an entry that concerns a region (a KIM's desa, a kecamatan's measurement grid, the region an
  import spans) is visible to a reader whose scope holds that region, whoever made the change
  (a colleague, an admin, the operator on the command line);
- an entry that concerns no region (a framework or period change, an account's administration, an
  import of the region list) is visible only to admins and to kabupaten-wide readers (a scope node
  at kabupaten level or above): it is about the whole office, not one kecamatan.
So a petugas of one kecamatan reads the history of his own KIMs and nothing else, and an entry
about a KIM outside the scope (with its contact data) never reaches him.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import distinct, or_, select

from tracker.extensions import db
from tracker.models.audit import AuditEntry
from tracker.models.region import LEVEL_KABUPATEN, level_of
from tracker.models.user import ROLE_ADMIN, User
from tracker.services.common.audit_render import (
    ShownEntry,
    action_label,
    entity_label,
    wording_for,
)
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
class AuditOptions:
    """The filter lists' choices as (value, label), only what occurs in what the reader may see."""

    entities: list[tuple[str, str]]
    actions: list[tuple[str, str]]
    users: list[tuple[int, str]]


def reads_office_wide(actor: User) -> bool:
    """Admins and readers scoped to a kabupaten (or a province) read entries of no region."""
    return actor.role == ROLE_ADMIN or any(
        level_of(code) <= LEVEL_KABUPATEN for code in actor.scope_codes
    )


def _visible(actor: User) -> Any:
    in_scope = user_scope_filter(AuditEntry.region_code, actor)
    if reads_office_wide(actor):
        return or_(AuditEntry.region_code.is_(None), in_scope)
    return in_scope


def list_entries(
    actor: User, flt: AuditFilter, page: int = 1, per_page: int = 25
) -> Page[ShownEntry]:
    require(actor, VIEW_AUDIT)
    stmt = select(AuditEntry).where(_visible(actor))
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
    entries = paginate(stmt, page, per_page)
    return entries.map(wording_for(entries.items))


def filter_options(actor: User) -> AuditOptions:
    """The values the filter lists offer: only those that occur in what the actor may read."""
    require(actor, VIEW_AUDIT)
    visible = _visible(actor)
    entities = db.session.scalars(select(distinct(AuditEntry.entity)).where(visible))
    actions = db.session.scalars(select(distinct(AuditEntry.action)).where(visible))
    authors = select(AuditEntry.user_id).where(visible, AuditEntry.user_id.is_not(None))
    users = db.session.execute(
        select(User.id, User.username, User.full_name)
        .where(User.id.in_(authors))
        .order_by(User.username)
    )
    return AuditOptions(
        entities=sorted(((e, entity_label(e)) for e in entities), key=lambda c: c[1]),
        actions=sorted(((a, action_label(a)) for a in actions), key=lambda c: c[1]),
        users=[
            (row.id, f"{row.username} — {row.full_name}" if row.full_name else row.username)
            for row in users
        ],
    )
