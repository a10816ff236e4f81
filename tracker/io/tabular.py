"""Spreadsheets in and out: the one reader and writer every import and export uses.

Reading takes what offices actually produce: Excel CSV with `;` or `,`, UTF-8 with or without BOM
or Windows-1252, CRLF line ends, XLSX; headers in Indonesian or English in any case and spacing.
Writing guards against formula injection (a cell starting with = + - @ is prefixed with ').
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, BinaryIO

from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from tracker.io.values import clean_text
from tracker.text import fold

FORMATS = ("csv", "xlsx")


class TableError(ValueError):
    """The file as a whole cannot be read (wrong type, no header, missing columns)."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input row: row number as the spreadsheet shows it (header = 1)."""

    row: int
    column: str | None
    message: str

    def __str__(self) -> str:
        where = f"baris {self.row}" + (f", kolom {self.column}" if self.column else "")
        return f"{where}: {self.message}"


@dataclass
class Row:
    number: int  # spreadsheet row number
    values: dict[str, Any]  # canonical field -> cell value (str, or date/number from XLSX)

    def text(self, key: str) -> str:
        return clean_text(self.values.get(key))

    def raw(self, key: str) -> Any:
        value = self.values.get(key)
        return None if isinstance(value, str) and not value.strip() else value


@dataclass
class Table:
    headers: dict[str, str]  # canonical field -> header as written in the file
    rows: list[Row] = field(default_factory=list)

    def label(self, key: str) -> str:
        """The column's name as the user wrote it, for messages."""
        return self.headers.get(key, key)


def header_key(text: str) -> str:
    """'No. SK' → 'no sk'; 'Desa/Kelurahan' → 'desa kelurahan'; 'Nomor KIM.id' → 'nomor kim id'."""
    return " ".join(re.sub(r"[^0-9a-z]+", " ", fold(text)).split())


def _decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]  # a BOM says UTF-8, but an edited file may carry Windows-1252 after it
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _csv_rows(data: bytes) -> list[list[Any]]:
    text = _decode(data)
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    if first_line.count("\t") > max(first_line.count(";"), first_line.count(",")):
        delimiter = "\t"
    try:
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:  # e.g. a cell beyond the field limit (128 KiB)
        raise TableError(
            "Berkas CSV tidak dapat dibaca (ada sel yang terlalu panjang atau rusak)."
        ) from exc


def _xlsx_rows(data: bytes) -> list[list[Any]]:
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several types for a damaged file
        raise TableError("Berkas XLSX tidak dapat dibaca (rusak atau bukan XLSX).") from exc
    try:
        sheet = workbook.worksheets[0]
        return [list(row) for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()


def detect_format(filename: str, data: bytes) -> str:
    suffix = Path(filename or "").suffix.lower().lstrip(".")
    if data[:2] == b"PK" or suffix == "xlsx":
        return "xlsx"
    if suffix in ("csv", "txt", ""):
        return "csv"
    raise TableError(f"Jenis berkas .{suffix} tidak didukung; unggah CSV atau XLSX.")


def read_table(
    data: bytes,
    filename: str,
    columns: Mapping[str, Iterable[str]],
    required: Iterable[str] = (),
) -> Table:
    """Read a CSV/XLSX file into rows keyed by canonical field names.

    `columns` maps each canonical field to the header spellings it accepts (compared with
    header_key). Unknown columns are ignored; a missing required column is a TableError naming it.
    Empty rows are skipped but keep their numbering.
    """
    if not data:
        raise TableError("Berkas kosong.")
    kind = detect_format(filename, data)
    raw_rows = _xlsx_rows(data) if kind == "xlsx" else _csv_rows(data)
    # the header is the first non-empty row
    start = next((i for i, r in enumerate(raw_rows) if any(clean_text(c) for c in r)), None)
    if start is None:
        raise TableError("Berkas tidak berisi data.")
    aliases = {header_key(a): key for key, names in columns.items() for a in (key, *names)}
    positions: dict[str, int] = {}
    headers: dict[str, str] = {}
    for index, cell in enumerate(raw_rows[start]):
        key = aliases.get(header_key(clean_text(cell)))
        if key and key not in positions:
            positions[key] = index
            headers[key] = clean_text(cell)
    missing = [k for k in required if k not in positions]
    if missing:
        wanted = ", ".join(next(iter(columns[k]), k) for k in missing)
        raise TableError(f"Kolom wajib tidak ditemukan: {wanted}.")
    table = Table(headers=headers)
    for offset, cells in enumerate(raw_rows[start + 1 :], start=start + 2):
        if not any(clean_text(c) for c in cells):
            continue
        values = {k: (cells[i] if i < len(cells) else None) for k, i in positions.items()}
        table.rows.append(Row(number=offset, values=values))
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
