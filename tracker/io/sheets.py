"""A CSV or XLSX file opened as a stream of raw rows, with limits that keep a hostile file cheap.

Nothing here holds a whole file's rows: a CSV is decoded and split as it is read, an XLSX sheet is
parsed row by row (openpyxl's read-only mode), so memory does not grow with the file. What an
upload could still make expensive is refused before any row is read:

- XLSX is a zip archive. Its directory is checked before anything is unpacked: the number of
  parts, the sum of their unpacked sizes, the ratio of unpacked to packed size of any large part
  (a "zip bomb" of a few hundred kilobytes unpacks to gigabytes) and the size of the parts openpyxl
  holds in memory whole (shared strings, styles). A part cannot unpack to more than its declared
  size: the zip reader stops there and the checksum then refuses the file.
- The `<dimension>` an XLSX sheet declares is ignored (a 1.5 KB file may claim A1:XFD1600, 26
  million cells); only the cells the sheet holds are read, and each data row only up to the last
  column the import uses.

CSV: UTF-8 with or without BOM (an edited file may carry Windows-1252 after the BOM), Windows-1252,
UTF-16 with BOM (Excel's "Unicode text"); `;`, `,` or tab; CRLF or LF. A NUL character in a cell is
removed (PostgreSQL cannot store one); a file whose start holds other control characters is not a
text file and is refused. Messages are Indonesian, for the person who uploaded the file.
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import suppress
from dataclasses import dataclass
from itertools import chain, islice
from pathlib import Path
from typing import Any, BinaryIO

Source = bytes | str | Path | BinaryIO

MB = 1024 * 1024
HEADER_ROWS = 20  # the header is looked for in the first rows: title rows may stand above it
HEADER_COLUMNS = 256  # ... and in their first columns

_CONTROL = frozenset(chr(c) for c in range(32)) - set("\t\n\r\x0c\x1a\x00")
_BINARY = "Berkas ini bukan CSV teks; unggah CSV atau XLSX."
_BROKEN_XLSX = "Berkas XLSX tidak dapat dibaca (rusak atau bukan XLSX)."
_BROKEN_CSV = "Berkas CSV tidak dapat dibaca (ada sel yang terlalu panjang atau rusak)."


class TableError(ValueError):
    """The file as a whole cannot be read (wrong type, no header, missing columns, too large)."""


@dataclass(frozen=True)
class Limits:
    """What one import may cost; the application reads them from its settings (IMPORT_*)."""

    max_rows: int = 200_000  # data rows after the header (blank rows: as many again)
    max_unpacked_bytes: int = 256 * MB  # XLSX: the sum of its parts' unpacked sizes
    max_ratio: int = 100  # XLSX: unpacked / packed size of a part larger than 1 MB
    max_part_bytes: int = 32 * MB  # XLSX: a part held in memory whole (all but the sheets)
    max_parts: int = 1_000  # XLSX: parts in the archive (an Excel file has a few dozen)


def _mb(size: int) -> str:
    return f"{size / MB:,.0f}".replace(",", ".")


def _open_binary(source: Source) -> BinaryIO:
    if isinstance(source, bytes):
        return io.BytesIO(source)
    if isinstance(source, str | Path):
        try:
            return open(source, "rb")  # closed by the sheet
        except OSError as exc:
            name = Path(source).name
            raise TableError(f"Berkas {name} tidak dapat dibuka: {exc.strerror}.") from exc
    return source


class Sheet:
    """Raw rows of a file: the first rows (to find the header in), then the rows below a header.

    `rows_below(header, width)` yields `(row number, cells)` for the rows after the header's
    index in `head`, each holding at least `width` cells (short rows are padded with None).
    """

    head: list[Sequence[Any]]

    def rows_below(self, header: int, width: int) -> Iterator[tuple[int, Sequence[Any]]]:
        raise NotImplementedError

    @staticmethod
    def is_blank(cells: Sequence[Any]) -> bool:
        for cell in cells:
            if cell is None:
                continue
            if not isinstance(cell, str) or (cell and not cell.isspace()):
                return False
        return True

    def close(self) -> None:
        """Release the file."""


# --------------------------------------------------------------------------------------- CSV


def _encoding(stream: BinaryIO) -> tuple[str, int, bool]:
    """(encoding, bytes to skip, whether the file holds a NUL byte), read ahead in chunks.

    UTF-8 when the whole file decodes as UTF-8, else Windows-1252: the check runs over the whole
    file (a chunk at a time) because an accented name may first appear on row 9,000.
    """
    start = stream.read(3)
    if start[:2] in (b"\xff\xfe", b"\xfe\xff"):
        stream.seek(0)
        return "utf-16", 0, False
    skip = 3 if start == b"\xef\xbb\xbf" else 0
    stream.seek(skip)
    decoder = codecs.getincrementaldecoder("utf-8")()
    encoding, nul = "utf-8", False
    while chunk := stream.read(MB):
        nul = nul or b"\x00" in chunk
        if encoding == "utf-8":
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError:
                encoding = "cp1252"
                if nul:
                    break
        elif nul:
            break
    if encoding == "utf-8":
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            encoding = "cp1252"
    return encoding, skip, nul


def _delimiter(sample: str) -> str:
    """The first line holding a separator decides (title rows above the header may hold none):
    `;` when it has more of them than commas, a tab when it has more tabs than either."""
    for line in sample.splitlines():
        semicolons, commas, tabs = line.count(";"), line.count(","), line.count("\t")
        if semicolons or commas or tabs:
            if tabs > max(semicolons, commas):
                return "\t"
            return ";" if semicolons > commas else ","
    return ","


def _without_nul(lines: Iterable[str]) -> Iterator[str]:
    for line in lines:
        yield line.replace("\x00", "") if "\x00" in line else line


class CsvSheet(Sheet):
    def __init__(self, stream: BinaryIO) -> None:
        self._stream = stream
        encoding, skip, nul = _encoding(stream)
        stream.seek(skip)
        sample = stream.read(64 * 1024).decode(encoding, errors="ignore")
        if any(char in _CONTROL for char in sample[:4096]):
            raise TableError(_BINARY)
        stream.seek(skip)
        self._text = io.TextIOWrapper(stream, encoding=encoding, errors="replace", newline="")
        lines: Iterable[str] = _without_nul(self._text) if nul else self._text
        self._reader = csv.reader(lines, delimiter=_delimiter(sample))
        self.head = self._read(HEADER_ROWS)

    def _read(self, count: int | None) -> list[list[str]]:
        try:
            return list(islice(self._reader, count))
        except csv.Error as exc:  # e.g. a cell beyond the field limit (128 KiB)
            raise TableError(_BROKEN_CSV) from exc

    def rows_below(self, header: int, width: int) -> Iterator[tuple[int, Sequence[Any]]]:
        number = header + 1
        try:
            for cells in chain(self.head[header + 1 :], self._reader):
                number += 1
                if len(cells) < width:
                    cells = cells + [""] * (width - len(cells))
                yield number, cells
        except csv.Error as exc:
            raise TableError(_BROKEN_CSV) from exc

    @staticmethod
    def is_blank(cells: Sequence[Any]) -> bool:
        joined = "".join(cells)
        return not joined or joined.isspace()

    def close(self) -> None:
        with suppress(Exception):
            self._text.close()


# -------------------------------------------------------------------------------------- XLSX


def check_archive(stream: BinaryIO, limits: Limits) -> None:
    """Refuse an XLSX whose archive would be expensive to open, from its directory alone."""
    size = stream.seek(0, io.SEEK_END)
    tail_size = min(size, 22 + 65535)
    stream.seek(size - tail_size)
    tail = stream.read(tail_size)
    end = tail.rfind(b"PK\x05\x06")  # end of central directory: how many parts, how large a list
    if end < 0 or len(tail) < end + 22:
        raise TableError(_BROKEN_XLSX)
    parts = int.from_bytes(tail[end + 10 : end + 12], "little")
    directory = int.from_bytes(tail[end + 12 : end + 16], "little")
    if parts > limits.max_parts or directory > limits.max_parts * 1024:
        raise TableError(
            f"Berkas XLSX ditolak: arsipnya berisi terlalu banyak bagian (lebih dari "
            f"{limits.max_parts}). Simpan ulang dari Excel atau unggah CSV."
        )
    stream.seek(0)
    try:
        with zipfile.ZipFile(stream) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise TableError(_BROKEN_XLSX) from exc
    total = 0
    for info in infos:
        total += info.file_size
        if info.file_size > MB and info.file_size > limits.max_ratio * max(info.compress_size, 1):
            raise TableError(
                f"Berkas XLSX ditolak: bagian {info.filename} mengembang lebih dari "
                f"{limits.max_ratio} kali saat dibuka ({_mb(info.file_size)} MB), ciri berkas "
                "jebakan (zip bomb). Simpan ulang dari Excel atau unggah CSV."
            )
        held_whole = not info.filename.startswith("xl/worksheets/")
        if held_whole and info.file_size > limits.max_part_bytes:
            raise TableError(
                f"Berkas XLSX ditolak: bagian {info.filename} berukuran {_mb(info.file_size)} MB "
                f"setelah dibuka (maksimal {_mb(limits.max_part_bytes)} MB). Simpan ulang dari "
                "Excel atau unggah CSV."
            )
    if total > limits.max_unpacked_bytes:
        raise TableError(
            f"Berkas XLSX ditolak: isinya {_mb(total)} MB setelah dibuka (maksimal "
            f"{_mb(limits.max_unpacked_bytes)} MB). Pecah menjadi beberapa berkas atau unggah CSV."
        )
    stream.seek(0)


def _without_nul_cells(cells: Sequence[Any]) -> Sequence[Any]:
    if any(isinstance(c, str) and "\x00" in c for c in cells):
        return tuple(c.replace("\x00", "") if isinstance(c, str) else c for c in cells)
    return cells


class XlsxSheet(Sheet):
    def __init__(self, stream: BinaryIO, limits: Limits) -> None:
        from openpyxl import load_workbook  # imported here: a third of the app's start-up

        check_archive(stream, limits)
        self._stream = stream
        try:
            self._workbook = load_workbook(stream, read_only=True, data_only=True)
            self._sheet = self._workbook.worksheets[0]
        except Exception as exc:  # openpyxl raises several types for a damaged file
            raise TableError(_BROKEN_XLSX) from exc
        self._sheet.reset_dimensions()  # the declared <dimension> is not trusted
        self.head = list(self._rows(max_row=HEADER_ROWS, max_col=HEADER_COLUMNS))

    def _rows(self, **bounds: int) -> Iterator[Sequence[Any]]:
        try:
            for cells in self._sheet.iter_rows(values_only=True, **bounds):
                yield _without_nul_cells(cells)
        except TableError:
            raise
        except Exception as exc:
            raise TableError(_BROKEN_XLSX) from exc

    def rows_below(self, header: int, width: int) -> Iterator[tuple[int, Sequence[Any]]]:
        first = header + 2  # header is the index of the header row in `head`
        yield from enumerate(self._rows(min_row=first, max_col=max(width, 1)), start=first)

    def close(self) -> None:
        with suppress(Exception):
            self._workbook.close()
        with suppress(Exception):
            self._stream.close()


# ---------------------------------------------------------------------------------- opening


def detect_format(filename: str, start: bytes) -> str:
    """csv or xlsx, from the file's first bytes (a zip is XLSX) and its name."""
    suffix = Path(filename or "").suffix.lower().lstrip(".")
    if start[:2] == b"PK" or suffix == "xlsx":
        return "xlsx"
    if suffix in ("csv", "txt", ""):
        return "csv"
    raise TableError(f"Jenis berkas .{suffix} tidak didukung; unggah CSV atau XLSX.")


def open_sheet(source: Source, filename: str, limits: Limits) -> Sheet:
    """The file as raw rows; TableError when it cannot be read at all."""
    stream = _open_binary(source)
    try:
        start = stream.read(4)
        if not start:
            raise TableError("Berkas kosong.")
        stream.seek(0)
        if detect_format(filename, start) == "xlsx":
            return XlsxSheet(stream, limits)
        return CsvSheet(stream)
    except BaseException:
        stream.close()
        raise
