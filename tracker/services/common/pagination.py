"""Pagination: of a select statement (one COUNT and one page query, whatever the list's length),
or of rows already computed in memory; both clamp the page number the same way."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, func, select

from tracker.extensions import db

T = TypeVar("T")
U = TypeVar("U")


def _page_count(total: int, per_page: int) -> int:
    return max(1, -(-total // per_page))


@dataclass
class Page(Generic[T]):
    items: list[T]
    number: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return _page_count(self.total, self.per_page)

    @property
    def has_prev(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages

    def map(self, fn: Callable[[T], U]) -> Page[U]:
        """The same page with every item turned into another (a result row into a view row)."""
        return Page([fn(item) for item in self.items], self.number, self.per_page, self.total)


def clamped_page(page: int, total: int, per_page: int) -> int:
    """A page number out of range is the nearest page, not an error."""
    return min(max(1, page), _page_count(total, per_page))


def paginate(
    stmt: Select[Any], page: int, per_page: int, scalars: bool = True, total: int | None = None
) -> Page[Any]:
    """Run `stmt` for one page; `total`: how many rows `stmt` yields, when the caller already
    knows it (no COUNT then)."""
    if total is None:
        total = (
            db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
        )
    number = clamped_page(page, total, per_page)
    paged = stmt.limit(per_page).offset((number - 1) * per_page)
    result = db.session.execute(paged)
    items = list(result.scalars() if scalars else result.all())
    return Page(items=items, number=number, per_page=per_page, total=total)


def paginate_rows(rows: Sequence[T], page: int, per_page: int) -> Page[T]:
    """One page of rows computed in memory (they cannot be counted or sliced by the database)."""
    number = clamped_page(page, len(rows), per_page)
    start = (number - 1) * per_page
    return Page(
        items=list(rows[start : start + per_page]),
        number=number,
        per_page=per_page,
        total=len(rows),
    )
