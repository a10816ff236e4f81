"""What every spreadsheet import does the same way with its rows: collect problems per row (listing
the first ones, counting all), name the earlier row when a file repeats itself, and read or write
many rows a chunk at a time."""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Iterator, Sequence
from itertools import islice
from typing import Any, TypeVar

from sqlalchemy import Column, Connection, Table, func, insert, select, text

from tracker.extensions import db
from tracker.io.tabular import Problem

CHUNK = 500  # ids per IN (...) list and rows per ORM INSERT: well inside SQLite's parameter limit
BULK_CHUNK = 10_000  # rows per executemany of plain tuples
MAX_LISTED = 1_000  # problems (and warnings) listed per import; all of them are counted

K = TypeVar("K", bound=Hashable)


def chunks(items: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def insert_rows(model: type[Any], rows: Iterable[dict[str, Any]]) -> None:
    """Bulk INSERT (Core executemany), a chunk per statement."""
    for chunk in chunks(list(rows)):
        db.session.execute(insert(model), list(chunk))


def insert_tuples(
    table: Table,
    columns: Sequence[str],
    rows: Iterable[tuple[Any, ...]],
    as_given: Iterable[str] = (),
) -> int:
    """Bulk INSERT of plain tuples (values in `columns` order) in the session's transaction;
    returns how many rows were written.

    For a million rows SQLAlchemy's per-row parameter processing would cost more than the insert,
    so the rows go to the driver as they are: PostgreSQL through psycopg gets one `COPY … FROM
    STDIN` (the server's bulk path), any other database an `executemany` per 10,000 rows. Column
    types that convert values for the driver (dates on SQLite) are applied here, once per
    distinct value, except for the `as_given` columns, whose values are already what the database
    stores (JSON columns given as their JSON text). Python-side column defaults are not applied:
    give every column a value.
    """
    connection = db.session.connection()
    dialect = connection.dialect
    converters = []
    given = set(as_given)
    for position, name in enumerate(columns):
        if name in given:
            continue
        process = table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
        if process is not None:
            converters.append((position, process, {}))
    if converters:
        rows = (_converted(row, converters) for row in rows)
    preparer = dialect.identifier_preparer
    names = ", ".join(preparer.quote(table.c[name].name) for name in columns)
    target = preparer.format_table(table)
    if dialect.name == "postgresql" and dialect.driver == "psycopg":
        return _copy(connection, f"COPY {target} ({names}) FROM STDIN", rows)
    mark = "?" if dialect.paramstyle == "qmark" else "%s"
    sql = f"INSERT INTO {target} ({names}) VALUES ({', '.join([mark] * len(columns))})"
    written = 0
    rows = iter(rows)
    while chunk := list(islice(rows, BULK_CHUNK)):
        connection.exec_driver_sql(sql, chunk)
        written += len(chunk)
    return written


def _converted(
    row: Sequence[Any], converters: list[tuple[int, Any, dict[Any, Any]]]
) -> tuple[Any, ...]:
    values = list(row)
    for position, process, cache in converters:
        value = values[position]
        if value is not None:
            try:
                values[position] = cache[value]
            except KeyError:
                values[position] = cache[value] = process(value)
    return tuple(values)


def _copy(connection: Connection, statement: str, rows: Iterable[tuple[Any, ...]]) -> int:
    written = 0
    raw = connection.connection.driver_connection
    with raw.cursor() as cursor, cursor.copy(statement) as copy:  # type: ignore[union-attr]
        for row in rows:
            copy.write_row(row)
            written += 1
    return written


def reserve_ids(key: Column[int], count: int) -> list[int] | None:
    """`count` new values of an integer primary key, in one query, for rows about to be written
    with their keys given (a bulk insert that must know its rows' keys without reading them back).

    PostgreSQL: values drawn from the column's sequence. SQLite: the values after the table's
    largest, safe because SQLite lets one writer at a time and the caller writes in this
    transaction. Elsewhere None (the caller lets the database assign them)."""
    connection = db.session.connection()
    dialect = connection.dialect.name
    if dialect == "postgresql":
        return list(
            connection.execute(
                text(
                    "SELECT nextval(pg_get_serial_sequence(:table, :column)) "
                    "FROM generate_series(1, :n)"
                ),
                {"table": key.table.name, "column": key.name, "n": count},
            ).scalars()
        )
    if dialect == "sqlite":
        start = connection.execute(select(func.coalesce(func.max(key), 0))).scalar_one()
        return list(range(start + 1, start + 1 + count))
    return None


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
    """Problems of one import: errors (the row is not imported) and warnings (it is, but the user
    should know), counted per row. The first MAX_LISTED of each are kept to show; a file of a
    hundred thousand bad rows must not become a hundred thousand objects and a page to match."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []
        self.bad_rows: set[int] = set()
        self.problem_count = 0
        self.warning_count = 0

    def add(self, row: int, column: str | None, message: str) -> None:
        self.problem_count += 1
        self.bad_rows.add(row)
        if len(self.problems) < MAX_LISTED:
            self.problems.append(Problem(row=row, column=column, message=message))

    def warn(self, row: int, column: str | None, message: str) -> None:
        self.warning_count += 1
        if len(self.warnings) < MAX_LISTED:
            self.warnings.append(Problem(row=row, column=column, message=message))

    def in_row_order(self) -> list[Problem]:
        """As the file reads, top to bottom (problems found in a later pass join their row)."""
        return sorted(self.problems, key=lambda p: p.row)
