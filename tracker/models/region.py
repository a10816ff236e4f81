"""Region tree keyed by Kemendagri codes.

The dotted code carries the hierarchy (`35.08.09.2001` lies under `35.08.09`), so a subtree is a
prefix match and scope checks stay one indexed predicate instead of a recursive query.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import ColumnElement, ForeignKey, SmallInteger, String, func
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.models.base import Base

if TYPE_CHECKING:
    from tracker.models.kim import Kim

LEVEL_PROVINSI = 1
LEVEL_KABUPATEN = 2
LEVEL_KECAMATAN = 3
LEVEL_DESA = 4


class Region(Base):
    __tablename__ = "region"

    code: Mapped[str] = mapped_column(String(13), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    level: Mapped[int] = mapped_column(SmallInteger, index=True)
    # desa or kelurahan at level 4; kabupaten or kota at level 2 (derived from the name); else None
    kind: Mapped[str | None] = mapped_column(String(12))
    parent_code: Mapped[str | None] = mapped_column(
        ForeignKey("region.code", ondelete="RESTRICT"), index=True
    )
    # A tidy title-cased form for display when the official list spells the name in capitals
    # ("KABUPATEN LUMAJANG"); NULL when the official spelling is already fit to show.
    tidy_name: Mapped[str | None] = mapped_column(String(120))

    parent: Mapped[Region | None] = relationship(remote_side=[code], back_populates="children")
    children: Mapped[list[Region]] = relationship(back_populates="parent")
    kims: Mapped[list[Kim]] = relationship(back_populates="desa")

    @hybrid_property
    def display_name(self) -> str:
        """The name to show people; `name` stays the official spelling. The same expression in
        SQL (`Region.display_name`, or an alias's), so lists sort and search on what they show."""
        return self.tidy_name or self.name

    @display_name.inplace.expression
    @classmethod
    def _display_name_sql(cls) -> ColumnElement[str]:
        return func.coalesce(cls.tidy_name, cls.name)

    def __repr__(self) -> str:
        return f"<Region {self.code} {self.name}>"


def level_of(code: str) -> int:
    """Depth of a dotted Kemendagri code: `35` → 1 … `35.08.09.2001` → 4."""
    return code.count(".") + 1


def parent_of(code: str) -> str | None:
    return code.rsplit(".", 1)[0] if "." in code else None
