"""Spreadsheets in and out: the one reader and writer every import and export uses.

Reading takes what offices actually produce: Excel CSV with `;` or `,`, UTF-8 with or without BOM
or Windows-1252, CRLF line ends, XLSX; headers in Indonesian or English in any case and spacing,
found even below title rows ("DAFTAR KIM KABUPATEN ..." and a blank row above the header). Rows
stream from the file (`open_table`), so an import's memory does not grow with the file; the
limits of `tracker.io.sheets` refuse what would be expensive to read.
Writing guards against formula injection (a cell starting with = + - @ is prefixed with ').
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, BinaryIO

from tracker.io.sheets import (
    HEADER_ROWS,
    Limits,
    Sheet,
    Source,
    TableError,
    detect_format,
    open_sheet,
)
from tracker.io.values import clean_text
from tracker.text import fold

__all__ = [
    "FORMATS",
    "MIMETYPES",
    "Limits",
    "Problem",
    "Row",
    "Table",
    "TableError",
    "detect_format",
    "header_key",
    "open_table",
    "read_table",
    "safe_cell",
    "table_bytes",
    "write_table",
]

FORMATS = ("csv", "xlsx")
_LISTED_HEADERS = 20  # a message names at most this many of the headers it found

Required = Iterable[str | Sequence[str]]  # a field, or alternatives of which one must be there


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input row: row number as the spreadsheet shows it (header = 1)."""

    row: int
    column: str | None
    message: str

    def __str__(self) -> str:
        where = f"baris {self.row}" + (f", kolom {self.column}" if self.column else "")
        return f"{where}: {self.message}"


class Row:
    """One data row: its spreadsheet row number and its cells, read by canonical field name."""

    __slots__ = ("_positions", "cells", "number")

    def __init__(self, number: int, cells: Sequence[Any], positions: Mapping[str, int]) -> None:
        self.number = number  # spreadsheet row number
        self.cells = cells  # raw cells (str, or date/number from XLSX); every used column present
        self._positions = positions

    def cell(self, key: str) -> Any:
        position = self._positions.get(key)
        return None if position is None else self.cells[position]

    def text(self, key: str) -> str:
        return clean_text(self.cell(key))

    def raw(self, key: str) -> Any:
        value = self.cell(key)
        return None if isinstance(value, str) and not value.strip() else value


@dataclass
class Table:
    """A file's header and its data rows. From `open_table` the rows are read as they are
    iterated (once); from `read_table` they are a list."""

    headers: dict[str, str]  # canonical field -> header as written in the file
    positions: dict[str, int] = field(default_factory=dict)  # canonical field -> column index
    header_row: int = 1  # the header's spreadsheet row number
    ignored: list[str] = field(default_factory=list)  # header cells no field recognised
    rows: Iterable[Row] = field(default_factory=list)

    def label(self, key: str) -> str:
        """The column's name as the user wrote it, for messages."""
        return self.headers.get(key, key)

    def recognised(self) -> list[tuple[str, str]]:
        """(field, header as written) in the file's column order."""
        return sorted(self.headers.items(), key=lambda item: self.positions.get(item[0], 0))


def header_key(text: str) -> str:
    """'No. SK' → 'no sk'; 'Desa/Kelurahan' → 'desa kelurahan'; 'Nomor KIM.id' → 'nomor kim id'."""
    return " ".join(re.sub(r"[^0-9a-z]+", " ", fold(text)).split())


@dataclass
class _Candidate:
    index: int  # in the sheet's first rows
    positions: dict[str, int]
    headers: dict[str, str]
    found: list[str]  # every non-empty cell, as written
    ignored: list[str]
    missing: list[Sequence[str]]


def _alternatives(required: Required) -> list[Sequence[str]]:
    return [(r,) if isinstance(r, str) else tuple(r) for r in required]


def _candidate(
    index: int, cells: Sequence[Any], aliases: Mapping[str, str], required: list[Sequence[str]]
) -> _Candidate | None:
    found = [clean_text(c) for c in cells]
    if not any(found):
        return None
    positions: dict[str, int] = {}
    headers: dict[str, str] = {}
    ignored: list[str] = []
    for position, text in enumerate(found):
        if not text:
            continue
        key = aliases.get(header_key(text))
        if key is not None and key not in positions:
            positions[key] = position
            headers[key] = text
        else:
            ignored.append(text)
    missing = [alt for alt in required if not any(k in positions for k in alt)]
    return _Candidate(index, positions, headers, [t for t in found if t], ignored, missing)


def _header(
    sheet: Sheet, columns: Mapping[str, Iterable[str]], required: list[Sequence[str]]
) -> _Candidate:
    """The header row among the first rows: the one with every required column, else the one
    with the most recognised columns (the earliest on a tie); title rows above it are skipped."""
    aliases = {header_key(a): key for key, names in columns.items() for a in (key, *names)}
    best: _Candidate | None = None
    for index, cells in enumerate(sheet.head):
        candidate = _candidate(index, cells, aliases, required)
        if candidate is None:
            continue
        score = (not candidate.missing, len(candidate.positions))
        if best is None or score > (not best.missing, len(best.positions)):
            best = candidate
    if best is None:
        raise TableError(
            f"Berkas tidak berisi data: {HEADER_ROWS} baris pertamanya kosong (judul kolom "
            "dicari di sana)."
        )
    if best.missing:
        names = {key: next(iter(aliases_of), key) for key, aliases_of in columns.items()}
        wanted = ", ".join(" atau ".join(names.get(k, k) for k in alt) for alt in best.missing)
        shown = ", ".join(best.found[:_LISTED_HEADERS])
        if len(best.found) > _LISTED_HEADERS:
            shown += ", …"
        raise TableError(
            f"Kolom wajib tidak ditemukan: {wanted}. "
            f"Judul kolom yang terbaca di baris {best.index + 1}: {shown}."
        )
    return best


def _data_rows(sheet: Sheet, header: _Candidate, limits: Limits) -> Iterator[Row]:
    """The rows below the header, blank ones skipped (their numbers kept), within the limits."""
    width = max(header.positions.values(), default=-1) + 1
    positions = header.positions
    is_blank = sheet.is_blank
    rows = blanks = 0
    for number, cells in sheet.rows_below(header.index, width):
        if is_blank(cells[:width] if len(cells) > width else cells):
            blanks += 1
            if blanks > limits.max_rows:
                raise TableError(
                    f"Berkas berisi lebih dari {limits.max_rows:,} baris kosong; hapus baris "
                    "kosong di bawah data lalu unggah lagi.".replace(",", ".")
                )
            continue
        rows += 1
        if rows > limits.max_rows:
            raise TableError(
                f"Berkas berisi lebih dari {limits.max_rows:,} baris data; pecah menjadi "
                "beberapa berkas lalu impor satu per satu.".replace(",", ".")
            )
        yield Row(number, cells, positions)


@contextmanager
def open_table(
    source: Source,
    filename: str,
    columns: Mapping[str, Iterable[str]],
    required: Required = (),
    limits: Limits | None = None,
) -> Iterator[Table]:
    """Open a CSV/XLSX file (bytes, a path, or a binary stream it then owns) for reading.

    `columns` maps each canonical field to the header spellings it accepts (compared with
    header_key); other columns are listed as ignored. `required` names fields that must be
    present (a tuple: one of them). The header is checked before any data row is read; a missing
    column is a TableError naming the headers that were found. Iterating `table.rows` streams the
    data rows (empty rows are skipped but keep their numbering); going past `limits.max_rows` is
    a TableError.
    """
    limits = limits or Limits()
    sheet = open_sheet(source, filename, limits)
    try:
        header = _header(sheet, columns, _alternatives(required))
        yield Table(
            headers=header.headers,
            positions=header.positions,
            header_row=header.index + 1,
            ignored=header.ignored,
            rows=_data_rows(sheet, header, limits),
        )
    finally:
        sheet.close()


def read_table(
    data: Source,
    filename: str,
    columns: Mapping[str, Iterable[str]],
    required: Required = (),
    limits: Limits | None = None,
) -> Table:
    """`open_table` with every row read into a list (for small files: templates, region lists)."""
    with open_table(data, filename, columns, required, limits) as table:
        table.rows = list(table.rows)
    return table


_DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """Neutralise spreadsheet formulas in exported text (OWASP CSV injection)."""
    if isinstance(value, str) and value.startswith(_DANGEROUS):
        return "'" + value
    return value


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(safe_cell(value))


def write_table(
    target: str | Path | BinaryIO,
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    fmt: str | None = None,
    sheet_title: str = "Data",
) -> None:
    """Write rows as CSV (UTF-8 with BOM, so Excel shows the accents) or XLSX.

    `fmt` defaults to the target path's extension.
    """
    if fmt is None:
        if not isinstance(target, str | Path):
            raise TableError("Format ekspor harus disebut untuk keluaran non-berkas.")
        fmt = Path(target).suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise TableError(f"Format .{fmt} tidak didukung; gunakan .csv atau .xlsx.")
    buffer = io.BytesIO()
    if fmt == "csv":
        text = io.StringIO(newline="")
        writer = csv.writer(text, lineterminator="\r\n")
        writer.writerow(headers)
        for row in rows:
            writer.writerow([_csv_cell(v) for v in row])
        buffer.write(b"\xef\xbb\xbf" + text.getvalue().encode("utf-8"))
    else:
        # imported here: openpyxl is a third of the application's start-up, and most commands
        # and requests never write a spreadsheet
        from openpyxl import Workbook
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Font

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(sheet_title[:31])
        bold = Font(bold=True)
        header_cells = []
        for title in headers:
            cell = WriteOnlyCell(sheet, value=title)
            cell.font = bold
            header_cells.append(cell)
        sheet.append(header_cells)
        for row in rows:
            sheet.append([safe_cell(v) for v in row])
        workbook.save(buffer)
    payload = buffer.getvalue()
    if isinstance(target, str | Path):
        Path(target).write_bytes(payload)
    else:
        target.write(payload)


def table_bytes(headers: Sequence[str], rows: Iterable[Sequence[Any]], fmt: str) -> bytes:
    """The file's bytes, for a download response."""
    buffer = io.BytesIO()
    write_table(buffer, headers, rows, fmt=fmt)
    return buffer.getvalue()


MIMETYPES = {
    "csv": "text/csv",  # werkzeug adds "; charset=utf-8" to text types
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
