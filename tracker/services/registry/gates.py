"""The registry's side of the two gates (DESIGN.md §4), in SQL and in Python, in one place.

K1 is "ya" when the registry holds the KIM's SK number and date; K2 when it holds its KIM.id
number or its site. The assessment reads them in SQL for a whole period (`k1_clause`,
`k2_clause`); a registry edit that flips either one marks the KIM's open periods as changed
(`note_edits`), so the results say they are stale. An edit that leaves both gates as they were
(a corrected SK number, a new site beside the KIM.id number) changes no result and marks nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import ColumnElement, and_, func

from tracker.models import Kim
from tracker.services.common import input_changes

GATE_FIELDS = ("sk_number", "sk_date", "kimid_number", "website")


def k1_clause() -> ColumnElement[bool]:
    """SQL: the registry holds an SK number (not blank) and an SK date."""
    return and_(
        Kim.sk_number.is_not(None), func.trim(Kim.sk_number) != "", Kim.sk_date.is_not(None)
    )


def k2_clause() -> ColumnElement[bool]:
    """SQL: the registry holds a KIM.id number or a website (not blank)."""
    return (
        func.coalesce(func.trim(Kim.kimid_number), "") + func.coalesce(func.trim(Kim.website), "")
        != ""
    )


def _filled(value: Any) -> bool:
    return value is not None and str(value).strip() != ""


def gates(values: Mapping[str, Any]) -> tuple[bool, bool]:
    """(K1, K2) from registry values, as `k1_clause` and `k2_clause` read them."""
    return (
        _filled(values.get("sk_number")) and values.get("sk_date") is not None,
        _filled(values.get("kimid_number")) or _filled(values.get("website")),
    )


def flipped(kim: Kim, changes: Mapping[str, Any]) -> bool:
    """Whether an edit, given the KIM as saved and its audit diff ({field: [old, new]}), turned
    K1 or K2 from "ya" to "tidak" or back."""
    if not any(name in changes for name in GATE_FIELDS):
        return False
    now = {name: getattr(kim, name) for name in GATE_FIELDS}
    before = {**now, **{name: changes[name][0] for name in GATE_FIELDS if name in changes}}
    return gates(now) != gates(before)


def note_edits(edits: Iterable[tuple[Kim, Mapping[str, Any]]]) -> list[str]:
    """Mark the open periods of every edited KIM whose gates flipped (in the caller's unit of
    work); the codes of the periods marked."""
    return input_changes.kims_changed(kim.id for kim, changes in edits if flipped(kim, changes))
