"""Date arithmetic the database does for the assessment queries, rendered per dialect.

The weekly window of a post is computed in SQL so that `COUNT(DISTINCT window)` per KIM runs inside
the database instead of shipping every post of a period to Python. SQLite has no date type (dates
are ISO text), so it goes through `julianday`; PostgreSQL subtracts two dates to an integer number
of days. Both then divide two non-negative integers, which truncates: the same floor as
`tracker.scoring.periods.window_index`. (SQLAlchemy's `/` would render a true division, hence the
hand-written SQL.)
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Date, Integer, literal
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement


class days_between(FunctionElement[int]):  # noqa: N801 - reads like the SQL function it renders
    """Whole days from `earlier` to `later` (`later - earlier`); both are dates."""

    type = Integer()
    inherit_cache = True
    name = "days_between"


class week_number(FunctionElement[int]):  # noqa: N801
    """0-based 7-day window of `day` counted from `start` (for days on or after it)."""

    type = Integer()
    inherit_cache = True
    name = "week_number"


def _pg_days(element: FunctionElement[int], compiler: Any, **kw: Any) -> str:
    later, earlier = list(element.clauses)
    return f"({compiler.process(later, **kw)} - CAST({compiler.process(earlier, **kw)} AS DATE))"


def _sqlite_days(element: FunctionElement[int], compiler: Any, **kw: Any) -> str:
    later, earlier = list(element.clauses)
    return (
        f"CAST(julianday({compiler.process(later, **kw)}) - "
        f"julianday({compiler.process(earlier, **kw)}) AS INTEGER)"
    )


@compiles(days_between)
def _days_default(element: days_between, compiler: Any, **kw: Any) -> str:
    return _pg_days(element, compiler, **kw)


@compiles(days_between, "sqlite")
def _days_sqlite(element: days_between, compiler: Any, **kw: Any) -> str:
    return _sqlite_days(element, compiler, **kw)


@compiles(week_number)
def _week_default(element: week_number, compiler: Any, **kw: Any) -> str:
    return f"({_pg_days(element, compiler, **kw)} / 7)"


@compiles(week_number, "sqlite")
def _week_sqlite(element: week_number, compiler: Any, **kw: Any) -> str:
    return f"({_sqlite_days(element, compiler, **kw)} / 7)"


def date_value(value: date) -> ColumnElement[date]:
    return literal(value, Date)


def week_index(day: ColumnElement[date], start: date) -> ColumnElement[int]:
    """SQL twin of `tracker.scoring.periods.window_index(day, start)`."""
    return week_number(day, date_value(start))


def days_to(end: date, day: ColumnElement[date]) -> ColumnElement[int]:
    """Days from `day` to `end` (`end - day`)."""
    return days_between(date_value(end), day)
