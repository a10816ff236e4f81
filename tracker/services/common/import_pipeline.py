"""One flow for every file that comes in (registry, posts, totals, measurements, and the kinds that
follow): the same limits, the same result, the same upload → preview → confirm.

An import kind is one small module: its columns, an `ImportRun` subclass (check a row, compare the
valid rows with what is stored, write), and its registration where its pages and commands list
their kinds. This module does the rest, the same way for all of them:

1. the file is opened as a stream (`tracker.io.tabular.open_table`) with the application's limits
   (IMPORT_MAX_ROWS, the XLSX checks); the header is found and checked before any data row;
2. every row is checked (`run.check`); problems carry row, column and an Indonesian message;
   warnings do not stop a row;
3. `run.finish` compares the valid rows with the database: what would be created, updated,
   left unchanged or skipped as already present;
4. unless it is a dry run (the preview), or a row was bad and the import is all-or-nothing,
   `run.write` writes inside one unit of work (`transaction()`), its audit entry included.

The web flow keeps the uploaded file between the preview and the confirmation (`uploads`), so the
rows confirmed are the rows previewed; a refused confirmation keeps it again for the retry with
"only the valid rows". A file that cannot be imported at all raises ImportFileError (Invalid).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, BinaryIO, ClassVar

from flask import current_app

from tracker.io.sheets import MB, Source
from tracker.io.tabular import Limits, Problem, Row, Table, TableError, open_table
from tracker.io.values import clean_text
from tracker.models.user import User
from tracker.services.common import uploads
from tracker.services.common.bulk import collector_paused
from tracker.services.common.errors import Invalid
from tracker.services.common.import_rows import RowProblems
from tracker.services.common.permissions import require
from tracker.services.common.unit_of_work import transaction

SAMPLE_ROWS = 5  # rows of the file shown as read, under the recognised columns
SAMPLE_WIDTH = 60  # characters of a sample cell
NO_PERIOD = ""  # the per-period count of rows dated in no period


class ImportFileError(Invalid):
    """The file as a whole cannot be imported: unreadable, too large, a required column missing,
    or an option that makes it impossible (the period chosen is closed). Nothing was written."""


@dataclass(slots=True)
class SampleRow:
    number: int
    cells: list[str]


@dataclass(slots=True)
class Change:
    """One object a row creates or updates, shown in the preview (the registry lists its KIMs)."""

    row: int
    action: str  # create or update
    name: str
    place: str  # desa, kecamatan
    object_id: int | None = None
    changes: dict[str, list[Any]] = field(default_factory=dict)


@dataclass
class ImportResult:
    """What an import did, or would do (dry run / preview): the same shape for every kind."""

    kind: str
    filename: str = ""
    period_code: str | None = None
    dry_run: bool = False
    skip_invalid: bool = False
    # the header: recognised columns (field, as written) in file order, the ones ignored
    header_row: int = 1
    columns: list[tuple[str, str]] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    sample: list[SampleRow] = field(default_factory=list)
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0  # already present (posts), or earlier in the file
    invalid: int = 0  # rows with at least one problem
    problems: list[Problem] = field(default_factory=list)  # the first ones, in row order
    problem_count: int = 0
    warnings: list[Problem] = field(default_factory=list)
    warning_count: int = 0
    # valid rows per kecamatan name and per period code (NO_PERIOD: dated in none)
    per_kecamatan: Counter[str] = field(default_factory=Counter)
    per_period: Counter[str] = field(default_factory=Counter)
    changes: list[Change] = field(default_factory=list)  # the first ones
    written: bool = False
    # the open periods whose assessment inputs the import changed (the finished page offers
    # their re-run): set by `write`
    changed_periods: list[str] = field(default_factory=list)

    @property
    def refused(self) -> bool:
        """All-or-nothing and some row is bad: nothing is (or would be) written."""
        return self.invalid > 0 and not self.skip_invalid

    @property
    def valid(self) -> int:
        return self.rows - self.invalid

    @property
    def unlisted_problems(self) -> int:
        return self.problem_count - len(self.problems)

    @property
    def unlisted_warnings(self) -> int:
        return self.warning_count - len(self.warnings)

    def tally(self, kecamatan: str | None, period: str | None = None) -> None:
        """Count one valid row for the preview's per-kecamatan and per-period figures."""
        if kecamatan is not None:
            self.per_kecamatan[kecamatan] += 1
        if period is not None:
            self.per_period[period] += 1

    def counts(self) -> dict[str, int]:
        return {
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "skipped": self.skipped,
            "invalid": self.invalid,
        }


class ImportRun:
    """One import of one file, of one kind. A kind subclasses it and names its columns.

    Made before the file is opened (so an impossible option, like a closed period, refuses the
    import before any reading); `start` gets the table and the result, `check` every data row,
    `finish` compares the valid rows with the database, `write` writes them (inside the unit of
    work; never called for a dry run or a refused import).
    """

    kind: ClassVar[str]  # the upload kind, URL segment and result kind
    columns: ClassVar[Mapping[str, tuple[str, ...]]]
    required: ClassVar[tuple[str | tuple[str, ...], ...]]
    permission: ClassVar[str]
    counters: ClassVar[tuple[str, ...]] = ("created", "updated", "unchanged")
    # a kind that keeps every row in memory until it writes caps its files lower than the
    # IMPORT_MAX_ROWS setting (None: the setting alone)
    max_rows: ClassVar[int | None] = None

    def __init__(self, actor: User | None, options: Mapping[str, Any]) -> None:
        self.actor = actor
        self.options = options
        self.problems = RowProblems()

    def start(self, table: Table, result: ImportResult) -> None:
        self.table = table
        self.result = result

    def check(self, row: Row) -> None:
        raise NotImplementedError

    def finish(self) -> None:
        """After the last row: compare with what is stored (the counts); nothing written."""

    def write(self) -> None:
        raise NotImplementedError

    def close(self) -> None:
        """Release what the run holds (a spool file), whatever happened."""

    @classmethod
    def summary(cls, result: ImportResult) -> str:
        """The counts in one sentence, for the command line and the finished page."""
        raise NotImplementedError


def limits(kind: type[ImportRun] | None = None) -> Limits:
    """The application's import limits (config IMPORT_*), and the kind's own row cap."""
    config = current_app.config
    rows = int(config.get("IMPORT_MAX_ROWS", Limits.max_rows))
    if kind is not None and kind.max_rows is not None:
        rows = min(rows, kind.max_rows)
    return Limits(
        max_rows=rows,
        max_unpacked_bytes=int(config.get("IMPORT_MAX_UNPACKED_MB", 256)) * MB,
        max_ratio=int(config.get("IMPORT_MAX_ZIP_RATIO", Limits.max_ratio)),
    )


def _sample(table: Table, row: Row) -> SampleRow:
    cells = []
    for key, _header in table.recognised():
        text = clean_text(row.cell(key))
        cells.append(text if len(text) <= SAMPLE_WIDTH else text[: SAMPLE_WIDTH - 1] + "…")
    return SampleRow(row.number, cells)


def run_import(
    kind: type[ImportRun],
    source: Source,
    filename: str,
    actor: User | None,
    options: Mapping[str, Any] | None = None,
    *,
    dry_run: bool = False,
    skip_invalid: bool = False,
) -> ImportResult:
    """Check a whole file and (unless a dry run, or refused) write it; `actor=None` is the system.

    `source` is the file's bytes or its path (read as a stream). Raises ImportFileError when the
    file as a whole cannot be imported, PermissionDenied when the actor may not.
    """
    require(actor, kind.permission)
    run = kind(actor, options or {})
    with collector_paused():
        try:
            return _run(run, source, filename, dry_run=dry_run, skip_invalid=skip_invalid)
        finally:
            run.close()


def _take_problems(run: ImportRun, result: ImportResult) -> None:
    problems = run.problems
    result.problems = problems.in_row_order()
    result.problem_count = problems.problem_count
    result.invalid = len(problems.bad_rows)
    result.warnings = sorted(problems.warnings, key=lambda p: p.row)
    result.warning_count = problems.warning_count


def _run(
    run: ImportRun, source: Source, filename: str, *, dry_run: bool, skip_invalid: bool
) -> ImportResult:
    kind = type(run)
    result = ImportResult(
        kind=kind.kind, filename=filename, dry_run=dry_run, skip_invalid=skip_invalid
    )
    try:
        with open_table(source, filename, kind.columns, kind.required, limits(kind)) as table:
            result.header_row = table.header_row
            result.columns = table.recognised()
            result.ignored_columns = table.ignored
            run.start(table, result)
            check = run.check
            for row in table.rows:
                result.rows += 1
                if result.rows <= SAMPLE_ROWS:
                    result.sample.append(_sample(table, row))
                check(row)
    except TableError as exc:
        raise ImportFileError(str(exc)) from exc
    _take_problems(run, result)
    run.finish()
    _take_problems(run, result)  # the comparison with the database may find problems too
    if dry_run or result.refused:
        return result
    with transaction():
        run.write()
    result.written = True
    return result


# --- the web flow: upload -> preview -> confirm ------------------------------------------------


@dataclass(frozen=True)
class Preview:
    """A checked upload: the token its confirmation carries ("" once it is used up)."""

    token: str
    result: ImportResult


def preview_upload(
    kind: type[ImportRun],
    actor: User,
    filename: str,
    stream: BinaryIO | bytes,
    options: Mapping[str, Any] | None = None,
) -> Preview:
    """Keep the uploaded file (within the upload size limit) and check it without writing.

    A file that cannot be imported at all raises ImportFileError and is not kept.
    """
    require(actor, kind.permission)
    options = dict(options or {})
    token = uploads.store(actor, kind.kind, filename, stream, options)
    try:
        upload = uploads.load(actor, token, kind.kind)
        result = run_import(kind, upload.path, upload.filename, actor, options, dry_run=True)
    except BaseException:
        uploads.discard(token)
        raise
    return Preview(token, result)


def confirm_upload(kind: type[ImportRun], actor: User, token: str, skip_invalid: bool) -> Preview:
    """Import the previewed file for real, exactly once: it is claimed first, so a double click
    cannot import it twice. When the import is refused (a bad row, all-or-nothing) the file is
    kept under the same token, so the user can confirm again with "only the valid rows".
    Raises uploads.UploadMissingError when the token is stale or used up."""
    require(actor, kind.permission)
    with uploads.claim(actor, token, kind.kind) as upload:
        result = run_import(
            kind,
            upload.path,
            upload.filename,
            actor,
            upload.options,
            skip_invalid=skip_invalid,
        )
        if not result.written:
            upload.keep()
            return Preview(token, result)
    return Preview("", result)
