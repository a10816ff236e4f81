"""Writing a period's assessments: the engine over every KIM, then every row in one bulk statement.

Ten thousand rows are written per run, so the rows go to the driver as plain tuples: SQLAlchemy's
Core insert would re-process every parameter set (a third of the insert's time on SQLite) and dump
the three JSON columns again, which the engine has already serialised
(`AssessmentResult.json_columns`, the characters `json.dumps` writes). The one datetime of a run is
converted once, as the column type converts it.

- SQLite: one `executemany` of the INSERT (JSON is stored as text);
- PostgreSQL through psycopg: one `COPY … FROM STDIN`, the server's bulk path (each row of an
  executemany is still a separate INSERT for the server: at 10,000 rows COPY takes a third less
  time and a third of the client's CPU); the JSON columns' text is parsed by the server as JSON;
- any other database or driver: one `executemany`, the JSON text cast to JSON.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from tracker.extensions import db
from tracker.models import Assessment
from tracker.scoring.engine import IndicatorValue, PreviousTier, assess
from tracker.scoring.framework import Framework

# the order of the values in a row from `assessment_rows`: every column but the id
ROW_COLUMNS = (
    "kim_id",
    "period_id",
    "framework_id",
    "computed_at",
    "score",
    "raw_tier",
    "tier",
    "reason",
    "dimension_scores",
    "indicators",
    "data_gaps",
    "inputs_revision",
)
_JSON_COLUMNS = frozenset({"dimension_scores", "indicators", "data_gaps"})
_AT = ROW_COLUMNS.index("computed_at")


def assessment_rows(
    fw: Framework,
    inputs: dict[int, dict[str, IndicatorValue]],
    previous: dict[int, PreviousTier],
    period_id: int,
    framework_id: int,
    computed_at: datetime,
    revisions: Mapping[int, int] | None = None,
) -> tuple[list[tuple[Any, ...]], Counter[str]]:
    """The engine over every KIM: the rows to insert (values in `ROW_COLUMNS` order, the JSON
    columns as text) and the count per assigned tier. `revisions` are the KIMs' input revisions
    read before the inputs (`common.input_changes`; absent: 0)."""
    counts: Counter[str] = Counter()
    rows: list[tuple[Any, ...]] = []
    get_previous = previous.get
    get_revision = (revisions or {}).get
    for kim_id, values in inputs.items():
        result = assess(fw, values, get_previous(kim_id))
        counts[result.tier] += 1
        rows.append(
            (
                kim_id,
                period_id,
                framework_id,
                computed_at,
                result.total,
                result.raw_tier,
                result.tier,
                result.reason,
                *result.json_columns(),
                get_revision(kim_id, 0),
            )
        )
    return rows, counts


def insert_rows(rows: list[tuple[Any, ...]]) -> None:
    """Write rows from `assessment_rows` in the session's transaction, in one bulk statement."""
    if not rows:
        return
    connection = db.session.connection()
    dialect = connection.dialect
    convert = Assessment.__table__.c.computed_at.type.dialect_impl(dialect).bind_processor(dialect)
    if convert is not None:
        when = convert(rows[0][_AT])
        rows = [(*row[:_AT], when, *row[_AT + 1 :]) for row in rows]
    if dialect.name == "postgresql" and dialect.driver == "psycopg":
        _copy(connection, rows)
    else:
        _executemany(connection, rows)


def _columns(connection: Connection) -> tuple[str, str]:
    preparer = connection.dialect.identifier_preparer
    table = Assessment.__table__
    names = ", ".join(preparer.quote(table.c[name].name) for name in ROW_COLUMNS)
    return preparer.format_table(table), names


def _copy(connection: Connection, rows: list[tuple[Any, ...]]) -> None:
    table, names = _columns(connection)
    raw = connection.connection.driver_connection
    with raw.cursor() as cursor, cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def _executemany(connection: Connection, rows: list[tuple[Any, ...]]) -> None:
    table, names = _columns(connection)
    mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    as_json = mark if connection.dialect.name == "sqlite" else f"CAST({mark} AS JSON)"
    marks = ", ".join(as_json if name in _JSON_COLUMNS else mark for name in ROW_COLUMNS)
    connection.exec_driver_sql(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)
