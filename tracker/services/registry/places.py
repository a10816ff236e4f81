"""Where a KIM lies: its desa and the desa's kecamatan, joined the same way by every list, report
and export that shows them.

`Desa` and `Kecamatan` are the aliases of Region those statements use, so a statement's columns
(`Desa.display_name`, `Kecamatan.code`) always name the regions its join brought in.
"""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import Select
from sqlalchemy.orm import aliased

from tracker.models import Kim, Region

Desa = aliased(Region, name="desa")
Kecamatan = aliased(Region, name="kecamatan")

S = TypeVar("S", bound=Select[Any])


def located(stmt: S, *, kecamatan_optional: bool = False) -> S:
    """`stmt` (Kim among its FROMs) joined to the KIM's desa and that desa's kecamatan.

    A KIM always has its desa (a foreign key); `kecamatan_optional` keeps a KIM whose desa has no
    kecamatan above it (the registry lists every KIM, whatever the region tree says)."""
    stmt = stmt.join(Desa, Desa.code == Kim.desa_code)
    on = Kecamatan.code == Desa.parent_code
    return stmt.outerjoin(Kecamatan, on) if kecamatan_optional else stmt.join(Kecamatan, on)
