"""Declarative base with a constraint naming convention.

Named constraints let Alembic drop and alter them on every backend (SQLite batch mode needs names).
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> datetime:
    """Naive UTC now.

    Stored naive so SQLite and PostgreSQL compare the same way; Flask-Babel treats naive values as
    UTC and shows them in Asia/Jakarta.
    """
    return datetime.now(UTC).replace(tzinfo=None)
