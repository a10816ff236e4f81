"""Counting the COMMITs that reach the database (the unit of work): a listener on the engine, so
it sees what the database sees whatever the session does."""

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
