"""What every spreadsheet import does the same way: collect problems per row, name the earlier
row when a file repeats itself, and read or insert many rows a chunk at a time."""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Iterator, Sequence
from typing import Any, TypeVar

from sqlalchemy import insert, select

from tracker.extensions import db
from tracker.io.tabular import Problem

CHUNK = 500  # ids per IN (...) list and rows per INSERT: well inside SQLite's parameter limit

K = TypeVar("K", bound=Hashable)


def chunks(items: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def insert_rows(model: type[Any], rows: Iterable[dict[str, Any]]) -> None:
    """Bulk INSERT (Core executemany), a chunk per statement."""
    for chunk in chunks(list(rows)):
        db.session.execute(insert(model), list(chunk))


def period_rows(model: Any, period_id: int, kim_ids: Sequence[int]) -> Iterator[Any]:
    """The rows of a per-KIM, per-period model (ContentCount, Measurement) of one period for these
    KIMs, a chunk of ids per query."""
    for chunk in chunks(kim_ids):
        yield from db.session.scalars(
            select(model).where(model.period_id == period_id, model.kim_id.in_(chunk))
        )


def earlier_row(seen: dict[K, int], key: K, row: int) -> int | None:
    """The row that named `key` before this one; else None, and this row is remembered as the
    first. What a file says twice is an error on the later row: which one to believe is not ours
    to guess."""
    first = seen.setdefault(key, row)
    return None if first == row else first


class RowProblems:
    """Problems of one import, counted per row."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.bad_rows: set[int] = set()

    def add(self, row: int, column: str | None, message: str) -> None:
        self.problems.append(Problem(row=row, column=column, message=message))
        self.bad_rows.add(row)

    def in_row_order(self) -> list[Problem]:
        """As the file reads, top to bottom (problems found in a later pass join their row)."""
        return sorted(self.problems, key=lambda p: p.row)
