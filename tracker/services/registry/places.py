"""Where a KIM lies: its desa and the desa's kecamatan, joined the same way by every list, report
and export that shows them.

`Desa` and `Kecamatan` are the aliases of Region those statements use, so a statement's columns
(`places.Desa.display_name`, `places.Kecamatan.code`) always name the regions its join brought in.
They are made on first use (`places.Desa`, read when a statement is built, never imported by name
at module level): making an alias configures every mapper, a noticeable part of the start-up of a
process that may never query (`flask --help`, most commands).
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import Select
from sqlalchemy.orm import aliased

from tracker.models import Kim, Region

if TYPE_CHECKING:
    Desa: type[Region]
    Kecamatan: type[Region]

_ALIASES = {"Desa": "desa", "Kecamatan": "kecamatan"}


@cache
def _alias(name: str) -> Any:
    return aliased(Region, name=_ALIASES[name])


def __getattr__(name: str) -> Any:
    """`places.Desa` and `places.Kecamatan`, made once, on first use."""
    if name in _ALIASES:
        return _alias(name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


S = TypeVar("S", bound=Select[Any])


def located(stmt: S, *, kecamatan_optional: bool = False) -> S:
    """`stmt` (Kim among its FROMs) joined to the KIM's desa and that desa's kecamatan.

    A KIM always has its desa (a foreign key); `kecamatan_optional` keeps a KIM whose desa has no
    kecamatan above it (the registry lists every KIM, whatever the region tree says)."""
    desa, kecamatan = _alias("Desa"), _alias("Kecamatan")
    stmt = stmt.join(desa, desa.code == Kim.desa_code)
    on = kecamatan.code == desa.parent_code
    return stmt.outerjoin(kecamatan, on) if kecamatan_optional else stmt.join(kecamatan, on)
