"""Counting what reaches the database: the statements a page runs (list pages must run the same
number whatever their rows) and the COMMITs (the unit of work). Listeners on the engine, so they
see what the database sees whatever the session does."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event

from tracker.extensions import db


class Counter:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self, *args: Any, **kwargs: Any) -> None:
        self.count += 1


@contextmanager
def _counting(name: str) -> Iterator[Counter]:
    counter = Counter()
    event.listen(db.engine, name, counter)
    try:
        yield counter
    finally:
        event.remove(db.engine, name, counter)


def commits() -> Any:
    """`with commits() as c: ...; c.count` — the COMMITs sent while inside."""
    return _counting("commit")


@contextmanager
def statements() -> Iterator[list[str]]:
    """`with statements() as sql: ...; len(sql)` — the SQL statements sent while inside."""
    sent: list[str] = []

    def listener(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        sent.append(statement)

    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        yield sent
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
