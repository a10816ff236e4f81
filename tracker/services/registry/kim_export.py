"""Exporting the KIM registry (CLI, web download) and the blank import template.

The columns are those of `tracker.io.kim_columns`, so an export imports back unchanged: the desa
code makes every row resolve exactly, and the writer's formula guard is undone by the reader.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy.orm import selectinload

from tracker.extensions import db
from tracker.io.kim_columns import CHANNEL_PREFIX, EXPORT_FIELDS, EXPORT_HEADERS
from tracker.io.tabular import FORMATS, table_bytes, write_table
from tracker.models import Kim
from tracker.models.user import User
from tracker.services.common.errors import Invalid
from tracker.services.common.permissions import VIEW, require
from tracker.services.registry.kims import KimFilter, registry_select


def _check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise Invalid(f"Format .{fmt or '?'} tidak didukung; gunakan .csv atau .xlsx.")


def _row(kim: Kim, desa: str, kecamatan: str | None, kabupaten: str | None) -> list[Any]:
    urls: dict[str, list[str]] = {}
    for channel in kim.channels:
        urls.setdefault(channel.platform, []).append(channel.url)
    values: dict[str, Any] = {
        "kimid": kim.kimid_number,
        "name": kim.name,
        "desa": desa,
        "kecamatan": kecamatan,
        "desa_code": kim.desa_code,
        "kabupaten": kabupaten,
        "sk_number": kim.sk_number,
        "sk_date": kim.sk_date,
        "chair": kim.chair,
        "phone": kim.phone,
        "email": kim.email,
        "website": kim.website,
        "members": kim.members,
        "status": kim.status,
        "notes": kim.notes,
    }
    for key in EXPORT_FIELDS:
        if key.startswith(CHANNEL_PREFIX):
            values[key] = " ".join(urls.get(key[len(CHANNEL_PREFIX) :], [])) or None
    return [values[key] for key in EXPORT_FIELDS]


def export_rows(user: User | None, flt: KimFilter | None = None) -> list[list[Any]]:
    """Every KIM in scope matching the filter, in the list's order (two queries in all)."""
    require(user, VIEW)
    stmt = registry_select(user, flt or KimFilter()).options(selectinload(Kim.channels))
    return [_row(*row) for row in db.session.execute(stmt)]


def export_bytes(user: User | None, flt: KimFilter | None, fmt: str) -> bytes:
    _check_format(fmt)
    return table_bytes(EXPORT_HEADERS, export_rows(user, flt), fmt)


def export_file(path: str | Path, user: User | None = None) -> int:
    """Write the registry to `path` (.csv or .xlsx by extension); returns the number of KIMs."""
    fmt = Path(path).suffix.lower().lstrip(".")
    _check_format(fmt)
    rows = export_rows(user)
    write_table(path, EXPORT_HEADERS, rows, fmt=fmt, sheet_title="Registri KIM")
    return len(rows)


def template_bytes(fmt: str) -> bytes:
    """A blank registry sheet with the headers the import reads."""
    _check_format(fmt)
    return table_bytes(EXPORT_HEADERS, [], fmt)
