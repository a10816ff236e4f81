"""Writing the audit log. Called inside the service's transaction so the entry commits with the
change it describes, or not at all.

An entry is data, worded only when read (`audit_render`, in the reader's language): a message key
of `audit_vocabulary.MESSAGES` (by default the action itself) with its parameters, and the changed
fields as {field: [old, new]}. Name a parameter by what it holds (`audit_vocabulary.PARAM_KINDS`:
`kecamatan` for a region code, `user` for an account id…) and store region codes and account ids,
not their names, so the reader sees today's names in his own language (a KIM's name is kept as
it was: the entry is about the KIM of that name).

Who may read an entry follows from its region (`audit_reader`): an entry about a KIM (its entity
is the KIM, or `kim=` names it) concerns the KIM's desa; `region=` names the region of an entry
about many rows (`enclosing_region` of their codes, `region_of_kims` of their KIMs); an entry
with neither concerns no region.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any, Protocol

from sqlalchemy import distinct, select

from tracker.extensions import db
from tracker.models.audit import AuditEntry
from tracker.models.base import utcnow
from tracker.models.kim import Kim
from tracker.models.user import User
from tracker.services.common.import_rows import insert_tuples


class KimRef(Protocol):
    """What an entry reads of the KIM it is about: a Kim, or a KIM an import has just inserted as
    a plain row (no ORM object to load for each of ten thousand entries)."""

    @property
    def id(self) -> int | None: ...

    @property
    def desa_code(self) -> str: ...


_STORED_AS_IS = frozenset({str, int, float, bool, type(None), list, dict})


def _jsonable(value: Any) -> Any:
    if type(value) in _STORED_AS_IS:  # most values, checked first: an import records thousands
        return value
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, tuple):
        return [_jsonable(v) for v in value]
    return value


_COLUMNS = (
    "user_id",
    "action",
    "entity",
    "entity_id",
    "kim_id",
    "region_code",
    "message",
    "params",
    "changes",
)
_BATCH_COLUMNS = ("at", *_COLUMNS, "legacy_summary")


class Batch:
    """Entries recorded in bulk (an import's one per KIM, ten thousand of them) kept as plain rows
    and written together by `write`: one `COPY` on PostgreSQL, an executemany elsewhere
    (`import_rows.insert_tuples`), instead of an ORM object, a flush and a parameter set each.
    They are the entries `record` would add one at a time, and get their keys from the table when
    written. Write the batch inside the same unit of work, before it commits."""

    def __init__(self) -> None:
        self.at = utcnow()
        self.rows: list[tuple[Any, ...]] = []

    def add(self, values: tuple[Any, ...]) -> None:
        """One entry's values in `_COLUMNS` order (params and changes as dicts or None)."""
        *head, params, changes = values
        self.rows.append(
            (
                self.at,
                *head,
                None if params is None else json.dumps(params),  # as the ORM stores JSON
                None if changes is None else json.dumps(changes),
                "",
            )
        )

    def write(self) -> int:
        """Write the entries added so far; returns how many."""
        written = insert_tuples(
            AuditEntry.__table__, _BATCH_COLUMNS, self.rows, as_given=("params", "changes")
        )
        self.rows = []
        return written


def record(
    action: str,
    entity: str,
    entity_id: object | None,
    user: User | None,
    *,
    params: Mapping[str, Any] | None = None,
    changes: Mapping[str, Any] | None = None,
    message: str | None = None,
    kim: KimRef | None = None,
    region: str | None = None,
    batch: Batch | None = None,
) -> AuditEntry | None:
    """Add an audit entry to the current session (the caller's unit of work commits it) and
    return it; or, given a `batch`, add it to the batch (written with the others of a bulk
    write) and return None.

    `entity_id` is the entity's primary key. `changes` are {field: [old, new]} (`diff`, or
    `created` for a new row). `message` defaults to the action; `params` fill its template.
    """
    if kim is None and entity == "kim" and entity_id is not None:
        kim = db.session.get(Kim, int(str(entity_id)))
    values = (
        user.id if user is not None and getattr(user, "id", None) else None,
        action,
        entity,
        None if entity_id is None else str(entity_id),
        kim.id if kim is not None else None,
        region if region is not None else (kim.desa_code if kim is not None else None),
        message or action,
        {k: _jsonable(v) for k, v in (params or {}).items()} or None,
        {k: _jsonable(v) for k, v in (changes or {}).items()} or None,
    )
    if batch is not None:
        batch.add(values)
        return None
    entry = AuditEntry(**dict(zip(_COLUMNS, values, strict=True)))
    db.session.add(entry)
    return entry


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """{field: [old, new]} for the fields whose value changed."""
    return {
        key: [_jsonable(before.get(key)), _jsonable(after.get(key))]
        for key in after
        if before.get(key) != after.get(key)
    }


def created(values: Mapping[str, Any]) -> dict[str, list[Any]]:
    """The changes of a new row: {field: [None, value]} for every field given a value."""
    return {k: [None, _jsonable(v)] for k, v in values.items() if v not in (None, "", [])}


def enclosing_region(codes: Iterable[str]) -> str | None:
    """The smallest region holding every code (their common dotted prefix): the region of an
    entry about many rows. None for no codes, or codes with no common province."""
    common: list[str] | None = None
    for code in codes:
        parts = code.split(".")
        if common is None:
            common = parts
            continue
        depth = 0
        while depth < min(len(common), len(parts)) and common[depth] == parts[depth]:
            depth += 1
        common = common[:depth]
        if not common:
            return None
    return ".".join(common) if common else None


def region_of_kims(kim_ids: Iterable[int]) -> str | None:
    """The region of an entry about many KIMs (an import): the smallest one holding them all."""
    ids = sorted(set(kim_ids))
    codes: set[str] = set()
    for start in range(0, len(ids), _IDS_PER_QUERY):
        chunk = ids[start : start + _IDS_PER_QUERY]
        codes.update(db.session.scalars(select(distinct(Kim.desa_code)).where(Kim.id.in_(chunk))))
    return enclosing_region(codes)


_IDS_PER_QUERY = 5000  # well under every backend's limit of bound parameters
