"""Content posts in from a spreadsheet: one row per upload on a KIM's website.

A post already stored (same KIM and URL, or same KIM, type, date and title), or named earlier in
the same file, is skipped; importing the same file twice adds nothing the second time. A post
dated inside a closed period is an error (that period's data is final); one dated in no period is
a warning (stored, but assessed only once its period exists).

Built for files of a million rows in bounded memory: each row is checked as it streams from the
file (the KIM, type and date of a row are resolved once per distinct spelling), and a valid row
goes to a temporary spool file as a small tuple. Only after the last row, when the file's KIMs are
known, are the stored posts of those KIMs read; the duplicate check then runs over the spool with
one set of 96-bit digests of the two keys (exact for any practical purpose: two different keys
share a digest with probability about 2^-96), and the new rows go to the database as plain tuples
(`insert_tuples`: COPY on PostgreSQL, executemany elsewhere).
"""

from __future__ import annotations

import marshal
import tempfile
from collections import Counter
from collections.abc import Iterable, Iterator
from datetime import date
from typing import Any, BinaryIO
from zlib import crc32

from flask_babel import gettext as _
from sqlalchemy import String, select, type_coerce

from tracker.extensions import db
from tracker.io.activity_columns import KIND_POSTS, POST_COLUMNS, REQUIRED, parse_content_type
from tracker.io.tabular import Row, Table
from tracker.io.values import CellError, clean_text, parse_date, parse_url
from tracker.models import ContentPost
from tracker.models.base import utcnow
from tracker.services.activity import content_totals
from tracker.services.activity.import_periods import (
    PeriodCalendar,
    closed_message,
    no_period_message,
)
from tracker.services.common import audit_writer, input_changes
from tracker.services.common.clock import office_today
from tracker.services.common.import_pipeline import NO_PERIOD, ImportResult, ImportRun
from tracker.services.common.import_rows import chunks, insert_tuples
from tracker.services.common.permissions import ENTER_ACTIVITY
from tracker.services.registry.kim_rows import KimLookup
from tracker.text import fold

TITLE_MAX = 300
URL_MAX = 500
_SPOOL_CHUNK = 10_000  # rows per marshal record of the spool
_CACHED = 50_000  # distinct type and date cells remembered
_LATEST = date.max.toordinal()

# a checked row in the spool: kim id, type, date as an ordinal, title, url or None
Post = tuple[int, str, int, str, str | None]
_COLUMNS = ("kim_id", "type", "posted_on", "title", "url", "created_at")


def url_key(url: str | None) -> str:
    """One post, however its address was written: no scheme, no `www.`, no trailing slash, any
    case."""
    if not url:
        return ""
    key = (url.lower() if url.isascii() else fold(url)).split("://", 1)[-1]
    key = key.removeprefix("www.")
    return key.rstrip("/")


def title_key(title: str) -> str:
    """A title's key: case and spacing ignored (`fold`, whose Unicode normalisation ASCII text,
    the common case, does not need)."""
    if title.isascii():
        return " ".join(title.lower().split())
    return fold(title)


def _digest(key: tuple[Any, ...], text: str) -> int:
    """96 bits of a key: the 64-bit hash of the whole key (SipHash for its text, salted per process)
    beside the CRC-32 of its text, two unrelated functions: two different keys share a digest with
    probability about 2^-96 (2^-64 when only their KIM differs), among the millions of keys of the
    largest import never in practice. An int of 96 bits is a third of the key's memory and costs
    a fraction of a cryptographic hash."""
    return (hash(key) << 32) | crc32(text.encode())


def post_keys(kim_id: int, type_: str, ordinal: int, title: str, url: str | None) -> list[int]:
    """The digests under which a post is a duplicate: its URL within its KIM, and its type, date
    and title within its KIM (an untitled post has no title key: two untitled posts on one day are
    told apart by their URLs)."""
    keys = []
    if url:
        address = url_key(url)
        keys.append(_digest((kim_id, address), address))
    folded = title_key(title)
    if folded:
        keys.append(_digest((kim_id, type_, ordinal, folded), folded))
    return keys


def stored_post_keys(kim_ids: Iterable[int]) -> set[int]:
    """The digests of every post already stored for these KIMs (the import and the harvest
    de-duplicate against them). The date is read as the driver hands it (SQLite: text) and
    converted once per distinct day: a million stored posts must not go through a million date
    parses."""
    seen: set[int] = set()
    ordinals: dict[Any, int] = {}
    connection = db.session.connection()
    for chunk in chunks(sorted(kim_ids)):
        rows = connection.execute(
            select(
                ContentPost.kim_id,
                ContentPost.type,
                type_coerce(ContentPost.posted_on, String),
                ContentPost.title,
                ContentPost.url,
            ).where(ContentPost.kim_id.in_(chunk))
        )
        for kim_id, type_, posted_on, title, url in rows:
            ordinal = ordinals.get(posted_on)
            if ordinal is None:
                day = posted_on
                if not isinstance(day, date):
                    day = date.fromisoformat(day)
                ordinal = ordinals[posted_on] = day.toordinal()
            seen.update(post_keys(kim_id, type_, ordinal, title or "", url))
    return seen


class _Spool:
    """Checked rows kept on disk between the reading pass and the writing pass (memory stays flat
    however long the file): marshal records of 10,000 rows, each behind its length."""

    def __init__(self) -> None:
        # in memory up to 8 MB (small files), a temporary file beyond; closed by close()
        self._file: BinaryIO = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115
        self._pending: list[Post] = []
        self.count = 0

    def append(self, post: Post) -> None:
        self._pending.append(post)
        self.count += 1
        if len(self._pending) >= _SPOOL_CHUNK:
            self._flush()

    def _flush(self) -> None:
        if self._pending:
            record = marshal.dumps(self._pending)
            self._file.write(len(record).to_bytes(8, "little"))
            self._file.write(record)
            self._pending = []

    def __iter__(self) -> Iterator[Post]:
        self._flush()
        self._file.seek(0)
        read = self._file.read
        while size := read(8):
            yield from marshal.loads(read(int.from_bytes(size, "little")))

    def close(self) -> None:
        self._file.close()


class PostImport(ImportRun):
    """Add the file's posts that are not present yet."""

    kind = KIND_POSTS
    columns = POST_COLUMNS
    required = REQUIRED[KIND_POSTS]
    permission = ENTER_ACTIVITY
    counters = ("created", "skipped")

    def start(self, table: Table, result: ImportResult) -> None:
        super().start(table, result)
        self.lookup = KimLookup.load(self.actor, table)
        self.calendar = PeriodCalendar.load()
        self.today = office_today()
        self.spool = _Spool()
        self.kim_ids: set[int] = set()
        self.new: bytearray = bytearray()
        self.first_new: dict[int, int] = {}
        self._tally: Counter[tuple[int, tuple[str, ...]]] = Counter()
        self._types: dict[Any, tuple[str | None, str | None]] = {}
        self._dates: dict[Any, tuple[date | None, str | None, str | None, tuple[str, ...]]] = {}
        positions = table.positions
        self._type_at = positions["type"]
        self._date_at = positions["date"]
        self._title_at = positions.get("title")
        self._url_at = positions.get("url")
        self._labels = {key: table.label(key) for key in ("type", "date", "title", "url")}

    # --- one row ---------------------------------------------------------------------------

    def _type(self, raw: Any) -> tuple[str | None, str | None]:
        known = self._types.get(raw)
        if known is None:
            try:
                known = (parse_content_type(raw), None)
            except CellError as exc:
                known = (None, str(exc))
            if len(self._types) >= _CACHED:
                self._types.clear()
            self._types[raw] = known
        return known

    def _date(self, raw: Any) -> tuple[date | None, str | None, str | None, tuple[str, ...]]:
        """(date, error, warning, periods holding it) of a date cell."""
        known = self._dates.get(raw)
        if known is None:
            known = self._read_date(raw)
            if len(self._dates) >= _CACHED:
                self._dates.clear()
            self._dates[raw] = known
        return known

    def _read_date(self, raw: Any) -> tuple[date | None, str | None, str | None, tuple[str, ...]]:
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            return None, _("tanggal kosong"), None, ()
        try:
            day = parse_date(raw)
        except CellError as exc:
            return None, str(exc), None, ()
        if day > self.today:
            future = _("tanggal %(value)s ada di masa depan", value=day.strftime("%d/%m/%Y"))
            return None, future, None, ()
        place = self.calendar.place(day)
        if place.closed is not None:
            return None, closed_message(day, place.closed), None, ()
        if not place.codes:
            return day, None, no_period_message(day), (NO_PERIOD,)
        return day, None, None, place.codes

    def check(self, row: Row) -> None:
        problems = self.problems
        before = problems.problem_count
        number, cells, labels = row.number, row.cells, self._labels
        kim_id = self.lookup.resolve(row, problems)
        type_, fault = self._type(cells[self._type_at])
        if fault is not None:
            problems.add(number, labels["type"], fault)
        day, fault, warning, periods = self._date(cells[self._date_at])
        if fault is not None:
            problems.add(number, labels["date"], fault)
        title = "" if self._title_at is None else clean_text(cells[self._title_at])
        if len(title) > TITLE_MAX:
            problems.add(
                number,
                labels["title"],
                _(
                    "judul terlalu panjang (%(n)s karakter, maks. %(max)s)",
                    n=len(title),
                    max=TITLE_MAX,
                ),
            )
        url = self._url(row, title)
        if problems.problem_count > before or kim_id is None or type_ is None or day is None:
            return
        if warning is not None:
            problems.warn(number, labels["date"], warning)
        self.kim_ids.add(kim_id)
        self.spool.append((kim_id, type_, day.toordinal(), title, url))
        self._tally[(kim_id, periods)] += 1

    def _url(self, row: Row, title: str) -> str | None:
        text = "" if self._url_at is None else clean_text(row.cells[self._url_at])
        if not text:
            if not title:
                column = self._labels["title"] if self._title_at is not None else "Judul"
                self.problems.add(row.number, column, _("isi Judul atau Tautan unggahan"))
            return None
        try:
            url = parse_url(text)
            if len(url) > URL_MAX:
                raise CellError(_("tautan terlalu panjang (maks. %(max)s karakter)", max=URL_MAX))
        except CellError as exc:
            self.problems.add(row.number, self._labels["url"], str(exc))
            return None
        return url

    # --- the file's posts against the stored ones -------------------------------------------

    def _stored_keys(self) -> set[int]:
        return stored_post_keys(self.kim_ids)

    def finish(self) -> None:
        """Count the valid rows per kecamatan and period; mark each spooled post new or duplicate
        (a bit per post), counting both."""
        result = self.result
        for (kim_id, periods), rows in self._tally.items():
            result.per_kecamatan[self.lookup.kecamatan(kim_id)] += rows
            for period in periods:  # a row counts for each period holding its date
                result.per_period[period] += rows
        seen = self._stored_keys()
        new = self.new = bytearray((self.spool.count + 7) // 8)
        first = self.first_new  # KIM id -> the ordinal of its earliest new post
        created = 0
        for index, post in enumerate(self.spool):
            keys = post_keys(*post)
            if any(key in seen for key in keys):
                continue
            seen.update(keys)
            new[index >> 3] |= 1 << (index & 7)
            created += 1
            kim_id, ordinal = post[0], post[2]
            if ordinal < first.get(kim_id, _LATEST):
                first[kim_id] = ordinal
        self.result.created = created
        self.result.skipped = self.spool.count - created

    def _new_rows(self) -> Iterable[tuple[Any, ...]]:
        now = utcnow()
        new = self.new
        from_ordinal = date.fromordinal
        for index, (kim_id, type_, ordinal, title, url) in enumerate(self.spool):
            if new[index >> 3] & (1 << (index & 7)):
                yield kim_id, type_, from_ordinal(ordinal), title, url, now

    def write(self) -> None:
        result = self.result
        # marked before the insert (`posts_added` tells a KIM's first post ever by what is
        # stored): a KIM's earliest new post says which open periods it changes
        result.changed_periods = input_changes.posts_added(
            (kim_id, date.fromordinal(ordinal)) for kim_id, ordinal in self.first_new.items()
        )
        insert_tuples(ContentPost.__table__, _COLUMNS, self._new_rows())
        content_totals.recount(self.first_new)  # the KIMs that received new posts
        audit_writer.record(
            "activity.import_posts",
            "content_post",
            None,
            self.actor,
            params={"file": result.filename, **result.counts()},
            region=audit_writer.region_of_kims(self.kim_ids),
        )

    def close(self) -> None:
        spool = getattr(self, "spool", None)
        if spool is not None:
            spool.close()

    @classmethod
    def summary(cls, result: ImportResult) -> str:
        return _(
            "%(created)s unggahan baru, %(skipped)s sudah ada (dilewati), "
            "%(invalid)s baris tidak valid.",
            created=result.created,
            skipped=result.skipped,
            invalid=result.invalid,
        )
