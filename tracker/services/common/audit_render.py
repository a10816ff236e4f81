"""Wording audit entries for the person reading them.

An entry holds a message key, parameters and changed fields (`audit_writer`); this turns a list of
entries into sentences and rows in the reader's language (Flask-Babel's locale of the request),
with the labels of `audit_vocabulary`, region, account and KIM names looked up now (three queries
for a whole page, whatever its length) and dates written the Indonesian way ("7 Maret 2025").
An entry from before the convention whose sentence could not be taken apart shows that sentence.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from flask_babel import format_date, format_decimal
from flask_babel import gettext as _
from sqlalchemy import select

from tracker.extensions import db
from tracker.models.audit import AuditEntry
from tracker.models.kim import Kim
from tracker.models.region import Region
from tracker.models.user import User
from tracker.scoring.editing import fmt_bands
from tracker.services.common.audit_vocabulary import (
    ACTION_LABELS,
    BANDS,
    BOOL,
    CHOICE,
    COUNTS,
    DATE,
    DEFINITIONS,
    ENTITY_LABELS,
    KIM,
    MESSAGES,
    NUMBER,
    PARAM_KINDS,
    REGION,
    REGIONS,
    UNKNOWN_FIELD,
    USER,
    USERS,
    Value,
    find_field,
)

DASH = "—"


@dataclass(frozen=True)
class ShownChange:
    """One changed field as a reader sees it; `old` is None for a value set by a create (no
    arrow), a dash for an update from nothing."""

    label: str
    old: str | None
    new: str


@dataclass(frozen=True)
class ShownEntry:
    id: int
    at: datetime
    author: str | None  # None: the server operator (command line)
    action: str
    entity: str
    summary: str
    changes: list[ShownChange]
    kim_id: int | None


@dataclass
class _Names:
    """Names looked up once for a whole list of entries."""

    regions: dict[str, str] = field(default_factory=dict)
    users: dict[int, str] = field(default_factory=dict)
    kims: dict[int, str] = field(default_factory=dict)


def action_label(action: str) -> str:
    return _(ACTION_LABELS[action]) if action in ACTION_LABELS else _("Tindakan lain")


def entity_label(entity: str) -> str:
    return _(ENTITY_LABELS[entity]) if entity in ENTITY_LABELS else _("Lainnya")


def wording_for(entries: Sequence[AuditEntry]) -> Callable[[AuditEntry], ShownEntry]:
    """A function that words one of `entries`, with the names they need looked up once (for
    `Page.map`)."""
    names = _lookup(entries)
    return lambda entry: _entry(entry, names)


def render(entries: Sequence[AuditEntry]) -> list[ShownEntry]:
    """The entries worded for the current reader, in the order given."""
    return list(map(wording_for(entries), entries))


# --- which names a list needs -----------------------------------------------------------------


def _as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) < 19:
        return int(value)
    return None


def _codes(value: Any) -> list[str]:
    """Region codes in a REGIONS value: a list, or a comma-separated text (older entries)."""
    if isinstance(value, list):
        return [str(v) for v in value if v]
    if isinstance(value, str):
        return [c.strip() for c in value.split(",") if c.strip()]
    return []


class _Wanted:
    def __init__(self) -> None:
        self.regions: set[str] = set()
        self.users: set[int] = set()
        self.kims: set[int] = set()

    def add(self, kind: Value, value: Any) -> None:
        if value is None:
            return
        if kind.kind == REGION:
            self.regions.add(str(value))
        elif kind.kind == REGIONS:
            self.regions.update(_codes(value))
        elif kind.kind == USER and (number := _as_int(value)) is not None:
            self.users.add(number)
        elif kind.kind == USERS and isinstance(value, list):
            self.users.update(n for v in value if (n := _as_int(v)) is not None)
        elif kind.kind == KIM and (number := _as_int(value)) is not None:
            self.kims.add(number)


def _changes(entry: AuditEntry) -> list[tuple[str, Any, Any, bool]]:
    """(key, old, new, has_old) per changed field, whatever shape an older entry stored."""
    rows = []
    created = entry.action.endswith(".create")
    for key, value in (entry.changes or {}).items():
        if isinstance(value, list) and len(value) == 2:
            rows.append((key, value[0], value[1], not created))
        else:
            rows.append((key, None, value, False))
    return rows


def _lookup(entries: Iterable[AuditEntry]) -> _Names:
    wanted = _Wanted()
    for entry in entries:
        if entry.user_id is not None:
            wanted.users.add(entry.user_id)
        for key, value in (entry.params or {}).items():
            wanted.add(PARAM_KINDS.get(key, Value()), value)
        for key, old, new, _has_old in _changes(entry):
            match = find_field(entry.entity, key)
            if match is None:
                continue
            for capture, text in match.captures.items():
                wanted.add(PARAM_KINDS.get(capture, Value()), text)
            wanted.add(match.field.value, old)
            wanted.add(match.field.value, new)
    names = _Names()
    if wanted.regions:
        regions = db.session.execute(
            select(Region.code, Region.display_name).where(Region.code.in_(wanted.regions))
        )
        names.regions = {code: name for code, name in regions}
    if wanted.users:
        users = db.session.execute(select(User.id, User.username).where(User.id.in_(wanted.users)))
        names.users = {row.id: row.username for row in users}
    if wanted.kims:
        kims = db.session.execute(select(Kim.id, Kim.name).where(Kim.id.in_(wanted.kims)))
        names.kims = {row.id: row.name for row in kims}
    return names


# --- wording ----------------------------------------------------------------------------------


def _number(value: int | float) -> str:
    if isinstance(value, int):
        return format_decimal(value, format="#,##0")
    return format_decimal(value, format="#,##0.##########")


def _day(value: Any) -> str:
    try:
        day = value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
    except ValueError:
        return str(value)
    return format_date(day, "d MMMM y")


def _plain(value: Any) -> str:
    """A value of no declared kind: numbers with Indonesian separators, lists joined."""
    if value is None or value == "" or value == []:
        return DASH
    if isinstance(value, bool):
        return _("Ya") if value else _("Tidak")
    if isinstance(value, int | float):
        return _number(value)
    if isinstance(value, list):
        return ", ".join(_plain(v) for v in value)
    if isinstance(value, Mapping):
        return ", ".join(f"{k}: {_plain(v)}" for k, v in value.items())
    return str(value)


def _part_name(part: Any) -> str:
    if isinstance(part, Mapping):
        if part.get("code"):
            return str(part["code"])
        if part.get("tier") and part.get("target"):
            return f"{part['tier']} ({part['target']})"
        return str(part.get("name") or "")
    return str(part)


def _region(kind: Value, value: Any, names: _Names) -> str:
    return names.regions.get(str(value), str(value))


def _regions(kind: Value, value: Any, names: _Names) -> str:
    return ", ".join(names.regions.get(c, c) for c in _codes(value)) or DASH


def _user(kind: Value, value: Any, names: _Names) -> str:
    number = _as_int(value)
    return names.users.get(number, f"#{value}") if number is not None else str(value)


def _users(kind: Value, value: Any, names: _Names) -> str:
    if not isinstance(value, list):
        return _plain(value)
    return ", ".join(_user(kind, v, names) for v in value) or DASH


def _kim(kind: Value, value: Any, names: _Names) -> str:
    number = _as_int(value)
    return names.kims.get(number, f"KIM #{value}") if number is not None else str(value)


def _choice(kind: Value, value: Any, names: _Names) -> str:
    label = kind.choices.get(str(value))
    return _(label) if label else str(value)


def _typed_number(kind: Value, value: Any, names: _Names) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _number(value)
    return _plain(value)


def _bands(kind: Value, value: Any, names: _Names) -> str:
    try:
        return fmt_bands(value)
    except (TypeError, ValueError):
        return _plain(value)


def _counts(kind: Value, value: Any, names: _Names) -> str:
    if isinstance(value, Mapping):
        return ", ".join(f"{k} {_plain(v)}" for k, v in value.items()) or DASH
    return _plain(value)


def _definitions(kind: Value, value: Any, names: _Names) -> str:
    if isinstance(value, list):
        return ", ".join(_part_name(p) for p in value)
    return _plain(value)


_SHOW: dict[str, Callable[[Value, Any, _Names], str]] = {
    REGION: _region,
    REGIONS: _regions,
    USER: _user,
    USERS: _users,
    KIM: _kim,
    DATE: lambda kind, value, names: _day(value),
    BOOL: lambda kind, value, names: _("Ya") if value else _("Tidak"),
    CHOICE: _choice,
    NUMBER: _typed_number,
    BANDS: _bands,
    COUNTS: _counts,
    DEFINITIONS: _definitions,
}


def _show(kind: Value, value: Any, names: _Names) -> str:
    """One stored value as the reader sees it; a dash for nothing."""
    if value is None or value == "" or value == []:
        return DASH
    return _SHOW.get(kind.kind, lambda kind, value, names: _plain(value))(kind, value, names)


def _summary(entry: AuditEntry, names: _Names) -> str:
    template = MESSAGES.get(entry.message or "")
    if template is not None:
        params = {
            key: _show(PARAM_KINDS.get(key, Value()), value, names)
            for key, value in (entry.params or {}).items()
        }
        try:
            return _(template) % params
        except (KeyError, ValueError, TypeError):  # a parameter missing from an older entry
            pass
    return entry.legacy_summary or action_label(entry.action)


def _change(entry: AuditEntry, key: str, old: Any, new: Any, has_old: bool, names: _Names):  # type: ignore[no-untyped-def]
    match = find_field(entry.entity, key)
    if match is None:
        return ShownChange(_(UNKNOWN_FIELD), _plain(old) if has_old else None, _plain(new))
    captures = {
        name: _show(PARAM_KINDS.get(name, Value()), text, names)
        for name, text in match.captures.items()
    }
    label = _(match.field.label) % captures
    kind = match.field.value
    return ShownChange(label, _show(kind, old, names) if has_old else None, _show(kind, new, names))


def _entry(entry: AuditEntry, names: _Names) -> ShownEntry:
    return ShownEntry(
        id=entry.id,
        at=entry.at,
        author=(
            names.users.get(entry.user_id, f"#{entry.user_id}")
            if entry.user_id is not None
            else None
        ),
        action=action_label(entry.action),
        entity=entity_label(entry.entity),
        summary=_summary(entry, names),
        changes=[
            _change(entry, key, old, new, has_old, names)
            for key, old, new, has_old in _changes(entry)
        ],
        kim_id=entry.kim_id,
    )
