"""Pagination of a select statement: one COUNT and one page query, whatever the list's length."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, func, select

from tracker.extensions import db

T = TypeVar("T")


@dataclass
class Page(Generic[T]):
    items: list[T]
    number: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages


def paginate(stmt: Select[Any], page: int, per_page: int, scalars: bool = True) -> Page[Any]:
    """Run `stmt` for one page. A page number out of range is clamped, not an error."""
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    pages = max(1, -(-total // per_page))
    number = min(max(1, page), pages)
    paged = stmt.limit(per_page).offset((number - 1) * per_page)
    result = db.session.execute(paged)
    items = list(result.scalars() if scalars else result.all())
    return Page(items=items, number=number, per_page=per_page, total=total)
