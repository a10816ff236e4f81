"""INSERT … ON CONFLICT … DO UPDATE: the one upsert both databases of the product spell the same
way, each through its own dialect's `insert`.

The dialect is imported when a statement is first built, not with the module: PostgreSQL's
dialect package costs a process on SQLite a fiftieth of a second at start-up for nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def insert_for(dialect: str) -> Callable[[Any], Any]:
    """The `insert` construct (with `on_conflict_do_update`) of the dialect `dialect` names."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert
