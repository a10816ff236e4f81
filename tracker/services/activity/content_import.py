"""Activity data in from spreadsheets: content posts, and per-period content totals.

Both imports behave like the KIM registry import: every row is checked first and every problem is
reported with its row number and column; by default nothing is written when any row is bad (the
caller may choose to write the valid rows instead); the same file imported twice changes nothing.

Set-based: the KIMs and regions in scope are loaded once (`KimLookup`), existing posts/totals for
the KIMs named in the file are read in a few chunked queries, and new rows go in as bulk inserts.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, NamedTuple

from flask_babel import gettext as _
from sqlalchemy import select

from tracker.extensions import db
from tracker.io.activity_columns import (
    COLUMNS,
    COUNT_FIELDS,
    KIND_COUNTS,
    KIND_POSTS,
    REQUIRED,
    parse_content_type,
)
from tracker.io.tabular import Problem, Row, Table, TableError, read_table
from tracker.io.values import CellError, parse_date, parse_int, parse_url
from tracker.models import ContentCount, ContentPost, Period
from tracker.models.user import User
from tracker.services.common import audit_writer, input_changes
from tracker.services.common.clock import office_today
from tracker.services.common.import_rows import (
    RowProblems,
    chunks,
    earlier_row,
    insert_rows,
    period_rows,
)
from tracker.services.common.permissions import ENTER_ACTIVITY, require
from tracker.services.registry.lookup import KimIndex, RegionIndex, ResolveError
from tracker.services.rules.periods import PeriodError, get_open_period
from tracker.text import fold

TITLE_MAX = 300
URL_MAX = 500


class ImportFileError(ValueError):
    """The file as a whole cannot be imported (unreadable, a required column missing, or its
    period closed); the message is Indonesian."""


@dataclass
class ImportResult:
    """What an import did, or would do (dry run / preview)."""

    kind: str
    filename: str = ""
    period_code: str | None = None
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0  # duplicates of posts already present (or earlier in the file)
    invalid: int = 0
    problems: list[Problem] = field(default_factory=list)
    dry_run: bool = False
    skip_invalid: bool = False
    written: bool = False
    # open periods whose assessment inputs the import changed (to offer their re-run)
    changed_periods: list[str] = field(default_factory=list)

    @property
    def refused(self) -> bool:
        """All-or-nothing and some row is bad: nothing is (or would be) written."""
        return bool(self.problems) and not self.skip_invalid

    @property
    def valid(self) -> int:
        return self.rows - self.invalid

    def take_problems(self, problems: RowProblems) -> None:
        """The row checks are done: their problems, in row order, and the bad rows' count."""
        self.problems = problems.in_row_order()
        self.invalid = len(problems.bad_rows)

    def counts(self) -> dict[str, int]:
        return {
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "skipped": self.skipped,
            "invalid": self.invalid,
        }


@dataclass
class KimLookup:
    """The KIMs (and regions) a user may write for, to find a row's KIM without a query."""

    regions: RegionIndex
    kims: KimIndex

    @classmethod
    def load(cls, actor: User | None) -> KimLookup:
        scope = None if actor is None else actor.scope_codes
        return cls(regions=RegionIndex.load(scope), kims=KimIndex.load(scope))

    def resolve(self, row: Row, table: Table, problems: RowProblems) -> int | None:
        """The row's KIM id, or None after adding the problem (naming the value) to `problems`.

        KIM.id number first; else the name within its desa (desa by code, or by name within the
        kecamatan); else the name alone when it is unique in scope. A KIM outside the user's
        scope is simply not found.
        """
        kimid, name = row.text("kimid"), row.text("name")
        if kimid:
            found = self.kims.find(kimid=kimid)
            if found is not None:
                return found
            if not name:
                problems.add(
                    row.number,
                    table.label("kimid"),
                    _(
                        "KIM dengan Nomor KIM.id '%(value)s' tidak ditemukan di wilayah kerja Anda",
                        value=kimid,
                    ),
                )
                return None
        if not name:
            problems.add(
                row.number,
                table.label("name") if "name" in table.headers else "Nama KIM",
                _("isi Nomor KIM.id atau Nama KIM"),
            )
            return None
        desa, kecamatan, desa_code = row.text("desa"), row.text("kecamatan"), row.text("desa_code")
        if not (desa or desa_code):
            try:
                return self.kims.find_by_name_only(name)
            except ResolveError as exc:
                problems.add(row.number, table.label("name"), str(exc))
                return None
        try:
            code = self.regions.resolve_desa(desa, kecamatan, desa_code)
        except ResolveError as exc:
            column = "desa_code" if desa_code else ("desa" if desa else "kecamatan")
            problems.add(row.number, table.label(column), str(exc))
            return None
        found = self.kims.find(name=name, desa_code=code)
        if found is None:
            problems.add(
                row.number,
                table.label("name"),
                _(
                    "KIM '%(name)s' tidak ditemukan di Desa %(desa)s (wilayah kerja Anda)",
                    name=name,
                    desa=self.regions.names.get(code, code),
                ),
            )
        return found


def read(kind: str, data: bytes, filename: str) -> Table:
    """The file as rows; a missing KIM column or another file-level fault is ImportFileError."""
    try:
        table = read_table(data, filename, COLUMNS[kind], required=REQUIRED[kind])
    except TableError as exc:
        raise ImportFileError(str(exc)) from exc
    if "kimid" not in table.headers and "name" not in table.headers:
        raise ImportFileError(
            _("Kolom KIM tidak ditemukan: isi kolom Nomor KIM.id atau Nama KIM (dengan Desa).")
        )
    return table


class ImportStart(NamedTuple):
    table: Table
    result: ImportResult  # counts and problems still to fill in
    lookup: KimLookup
    problems: RowProblems


def start_import(
    kind: str,
    data: bytes,
    filename: str,
    actor: User | None,
    period: Period | None = None,
    *,
    dry_run: bool,
    skip_invalid: bool,
) -> ImportStart:
    """Where every activity import begins: the file read, the KIMs the actor may name loaded."""
    table = read(kind, data, filename)
    result = ImportResult(
        kind=kind,
        filename=filename,
        period_code=None if period is None else period.code,
        rows=len(table.rows),
        dry_run=dry_run,
        skip_invalid=skip_invalid,
    )
    return ImportStart(table, result, KimLookup.load(actor), RowProblems())


# --- posts ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Post:
    kim_id: int
    type: str
    posted_on: date
    title: str
    url: str | None


def url_key(url: str | None) -> str:
    """One post, however its address was written: no scheme, no `www.`, no trailing slash, any
    case."""
    if not url:
        return ""
    key = fold(url).split("://", 1)[-1]
    key = key.removeprefix("www.")
    return key.rstrip("/")


def _title_key(kim_id: int, type_: str, posted_on: date, title: str) -> tuple[Any, ...] | None:
    """Same KIM, type, date and title (folded) is the same post; an untitled post has no such
    key (two untitled posts on one day are told apart by their URLs)."""
    folded = fold(title)
    return (kim_id, type_, posted_on, folded) if folded else None


def _existing_post_keys(
    kim_ids: Iterable[int],
) -> tuple[set[tuple[int, str]], set[tuple[Any, ...]]]:
    urls: set[tuple[int, str]] = set()
    titles: set[tuple[Any, ...]] = set()
    ids = sorted(set(kim_ids))
    for chunk in chunks(ids):
        rows = db.session.execute(
            select(
                ContentPost.kim_id,
                ContentPost.type,
                ContentPost.posted_on,
                ContentPost.title,
                ContentPost.url,
            ).where(ContentPost.kim_id.in_(chunk))
        )
        for kim_id, type_, posted_on, title, url in rows:
            if url:
                urls.add((kim_id, url_key(url)))
            if key := _title_key(kim_id, type_, posted_on, title or ""):
                titles.add(key)
    return urls, titles


def _parse_post(
    row: Row, table: Table, lookup: KimLookup, problems: RowProblems, today: date
) -> _Post | None:
    before = len(problems.problems)
    kim_id = lookup.resolve(row, table, problems)
    type_ = posted_on = None
    try:
        type_ = parse_content_type(row.raw("type"))
    except CellError as exc:
        problems.add(row.number, table.label("type"), str(exc))
    raw_date = row.raw("date")
    if raw_date is None:
        problems.add(row.number, table.label("date"), _("tanggal kosong"))
    else:
        try:
            posted_on = parse_date(raw_date)
            if posted_on > today:
                problems.add(
                    row.number,
                    table.label("date"),
                    _(
                        "tanggal %(value)s ada di masa depan",
                        value=posted_on.strftime("%d/%m/%Y"),
                    ),
                )
        except CellError as exc:
            problems.add(row.number, table.label("date"), str(exc))
    title = row.text("title")
    if len(title) > TITLE_MAX:
        problems.add(
            row.number,
            table.label("title"),
            _("judul terlalu panjang (%(n)s karakter, maks. %(max)s)", n=len(title), max=TITLE_MAX),
        )
    url: str | None = None
    if row.text("url"):
        try:
            url = parse_url(row.text("url"))
            if len(url) > URL_MAX:
                raise CellError(_("tautan terlalu panjang (maks. %(max)s karakter)", max=URL_MAX))
        except CellError as exc:
            problems.add(row.number, table.label("url"), str(exc))
    elif not title:
        problems.add(
            row.number,
            table.label("title") if "title" in table.headers else "Judul",
            _("isi Judul atau Tautan unggahan"),
        )
    if len(problems.problems) > before or kim_id is None or type_ is None or posted_on is None:
        return None
    return _Post(kim_id=kim_id, type=type_, posted_on=posted_on, title=title, url=url)


def import_posts(
    data: bytes,
    filename: str,
    actor: User | None,
    *,
    dry_run: bool = False,
    skip_invalid: bool = False,
) -> ImportResult:
    """Add the file's posts that are not present yet (same KIM and URL, or same KIM, type, date
    and title), also among the file's own rows."""
    require(actor, ENTER_ACTIVITY)
    table, result, lookup, problems = start_import(
        KIND_POSTS, data, filename, actor, dry_run=dry_run, skip_invalid=skip_invalid
    )
    today = office_today()
    parsed = [_parse_post(row, table, lookup, problems, today) for row in table.rows]
    result.take_problems(problems)
    posts = [p for p in parsed if p is not None]
    seen_urls, seen_titles = _existing_post_keys(p.kim_id for p in posts)
    new: list[dict[str, Any]] = []
    for post in posts:
        by_url = (post.kim_id, url_key(post.url)) if post.url else None
        by_title = _title_key(post.kim_id, post.type, post.posted_on, post.title)
        if (by_url and by_url in seen_urls) or (by_title and by_title in seen_titles):
            result.skipped += 1
            continue
        if by_url:
            seen_urls.add(by_url)
        if by_title:
            seen_titles.add(by_title)
        new.append(
            {
                "kim_id": post.kim_id,
                "type": post.type,
                "posted_on": post.posted_on,
                "title": post.title,
                "url": post.url,
            }
        )
    result.created = len(new)
    if dry_run or result.refused:
        return result
    result.changed_periods = input_changes.posts_added((p["kim_id"], p["posted_on"]) for p in new)
    insert_rows(ContentPost, new)
    audit_writer.record(
        "activity.import_posts",
        "content_post",
        None,
        actor,
        params={"file": filename, **result.counts()},
        region=audit_writer.region_of_kims(post.kim_id for post in posts),
    )
    db.session.commit()
    result.written = True
    return result


# --- per-period totals ------------------------------------------------------------------------


def _kim_column(table: Table, row: Row) -> str:
    """The column the row named its KIM by."""
    return table.label("kimid") if row.text("kimid") else table.label("name")


def _parse_count_row(
    row: Row, table: Table, lookup: KimLookup, problems: RowProblems, first_row: dict[int, int]
) -> tuple[int, dict[str, int]] | None:
    before = len(problems.problems)
    kim_id = lookup.resolve(row, table, problems)
    if kim_id is not None and (first := earlier_row(first_row, kim_id, row.number)) is not None:
        problems.add(
            row.number, _kim_column(table, row), _("KIM ini sudah ada di baris %(row)s", row=first)
        )
    figures: dict[str, int] = {}
    for key in COUNT_FIELDS:
        raw = row.raw(key)
        try:
            figures[key] = 0 if raw is None else parse_int(raw, minimum=0)
        except CellError as exc:
            problems.add(row.number, table.label(key), str(exc))
    if len(problems.problems) > before or kim_id is None:
        return None
    return kim_id, figures


def import_counts(
    data: bytes,
    filename: str,
    period_code: str,
    actor: User | None,
    *,
    dry_run: bool = False,
    skip_invalid: bool = False,
) -> ImportResult:
    """Set each KIM's totals per content type for one open period (an empty cell is 0).

    A KIM named twice in the file is an error on the second row: which figures to believe is not
    ours to guess. Totals equal to what is stored are left untouched.
    """
    require(actor, ENTER_ACTIVITY)
    period = open_period_or_file_error(period_code)
    table, result, lookup, problems = start_import(
        KIND_COUNTS, data, filename, actor, period, dry_run=dry_run, skip_invalid=skip_invalid
    )
    wanted: dict[int, dict[str, int]] = {}
    first_row: dict[int, int] = {}
    for row in table.rows:
        parsed = _parse_count_row(row, table, lookup, problems, first_row)
        if parsed is not None:
            wanted[parsed[0]] = parsed[1]
    result.take_problems(problems)
    existing = _existing_counts(period, list(wanted))
    new: list[dict[str, Any]] = []
    changed: list[tuple[ContentCount, dict[str, int]]] = []
    for kim_id, figures in wanted.items():
        current = existing.get(kim_id)
        if current is None:
            new.append({"kim_id": kim_id, "period_id": period.id, **figures})
        elif any(getattr(current, k) != v for k, v in figures.items()):
            changed.append((current, figures))
        else:
            result.unchanged += 1
    result.created, result.updated = len(new), len(changed)
    if dry_run or result.refused:
        return result
    insert_rows(ContentCount, new)
    for current, figures in changed:
        for key, value in figures.items():
            setattr(current, key, value)
    input_changes.period_changed(
        period.id, [row["kim_id"] for row in new] + [c.kim_id for c, _f in changed]
    )
    result.changed_periods = [period.code] if new or changed else []
    audit_writer.record(
        "activity.import_counts",
        "content_count",
        None,
        actor,
        params={"file": filename, "period": period.code, **result.counts()},
        region=audit_writer.region_of_kims(wanted),
    )
    db.session.commit()
    result.written = True
    return result


def open_period_or_file_error(period_code: str) -> Period:
    """The open period a per-period import writes into; closed or unknown refuses the file."""
    try:
        return get_open_period(period_code)
    except PeriodError as exc:
        raise ImportFileError(str(exc)) from exc


def _existing_counts(period: Period, kim_ids: list[int]) -> dict[int, ContentCount]:
    return {c.kim_id: c for c in period_rows(ContentCount, period.id, sorted(kim_ids))}
