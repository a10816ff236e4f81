"""Writing the audit log. Called inside the service's transaction so the entry commits with the
change it describes, or not at all."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from tracker.extensions import db
from tracker.models.audit import AuditEntry
from tracker.models.user import User


def _jsonable(value: Any) -> Any:
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


def record(
    action: str,
    entity: str,
    entity_id: object | None,
    user: User | None,
    summary: str = "",
    changes: dict[str, Any] | None = None,
) -> AuditEntry:
    """Add an audit entry to the current session (the caller commits)."""
    entry = AuditEntry(
        action=action,
        entity=entity,
        entity_id=None if entity_id is None else str(entity_id),
        user_id=user.id if user is not None and getattr(user, "id", None) else None,
        summary=summary,
        changes={k: _jsonable(v) for k, v in (changes or {}).items()} or None,
    )
    db.session.add(entry)
    return entry


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """{field: [old, new]} for the fields whose value changed."""
    return {
        key: [_jsonable(before.get(key)), _jsonable(after.get(key))]
        for key in after
        if before.get(key) != after.get(key)
    }
