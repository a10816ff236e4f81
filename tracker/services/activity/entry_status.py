"""Whether a manual value someone enters counts at once or waits for verification (DESIGN.md §4).

A value entered by a petugas is submitted ("diajukan") and overrides nothing until an admin or
kabid verifies it; what an admin or kabid enters, on the grid or by import, and what the server
operator imports from the command line (no actor) counts as verified at once. A verified value is
no longer the petugas's to change: only a user who may verify changes or clears it. The grid and
the import both write through `entry_fields`, so the two cannot disagree.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tracker.models.activity import MEASUREMENT_SUBMITTED, MEASUREMENT_VERIFIED, Measurement
from tracker.models.user import User
from tracker.services.common.permissions import VERIFY_ACTIVITY, has_permission


def verifies_on_entry(actor: User | None) -> bool:
    """What this actor enters counts at once (admin, kabid, the command line)."""
    return actor is None or has_permission(actor.role, VERIFY_ACTIVITY)


def may_change(actor: User | None, current: Measurement | None) -> bool:
    """A petugas may change or clear a value until it is verified; a verifier always may."""
    return current is None or current.status != MEASUREMENT_VERIFIED or verifies_on_entry(actor)


def entry_fields(actor: User | None, now: datetime) -> dict[str, Any]:
    """The status, enterer and review columns of a value `actor` enters (or changes) now."""
    actor_id = actor.id if actor is not None else None
    verified = verifies_on_entry(actor)
    return {
        "status": MEASUREMENT_VERIFIED if verified else MEASUREMENT_SUBMITTED,
        "recorded_by_id": actor_id,
        "recorded_at": now,
        "reviewed_by_id": actor_id if verified else None,
        "reviewed_at": now if verified else None,
        "reject_reason": None,
    }


def as_entered(current: Measurement) -> tuple[float, str]:
    """A stored value and note as an entry (a grid cell, an imported row) is compared with them."""
    return current.value, current.note or ""


def apply_entry(current: Measurement, value: float, note: str, fields: dict[str, Any]) -> None:
    """Write a changed value with the columns of `entry_fields` onto a stored measurement."""
    current.value, current.note = value, note or None
    for name, field_value in fields.items():
        setattr(current, name, field_value)
