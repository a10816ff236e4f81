"""Cell values the way Indonesian offices type them: dates, yes/no, decimals with a comma.

Each parser returns the value or raises CellError with an Indonesian message that names what was
found, so an import can report "baris 7, kolom Tanggal SK: ..." without guessing.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime
from functools import cache

from babel.dates import get_month_names

from tracker.text import fold


class CellError(ValueError):
    """A cell's text is not a value of the expected kind; the message is shown to the user."""


@cache
def _month_lookup() -> dict[str, int]:
    """Month names in Indonesian and English (built on first use: reading Babel's locale data is a
    noticeable part of start-up)."""
    lookup: dict[str, int] = {}
    for locale in ("id", "en"):
        for width in ("wide", "abbreviated"):
            for number, name in get_month_names(width, locale=locale).items():
                lookup[fold(name).rstrip(".")] = number
    lookup["agt"] = 8  # a common Indonesian abbreviation Babel does not list
    lookup["sept"] = 9
    return lookup


_NUMERIC_DMY = re.compile(r"^(\d{1,2})[/\-.](\d{1,2})[/\-.](\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00)?)?$")
_WORDY = re.compile(r"^(\d{1,2})\s+([^\W\d_]+)\.?\s+(\d{4})$")
# "Senin, 7 Maret 2025" / "Senin 07/03/2025": attendance lists name the day (hari/tanggal)
_WEEKDAY = re.compile(
    r"^(?:senin|selasa|rabu|kamis|jum'?at|sabtu|minggu|ahad|monday|tuesday|wednesday|thursday|"
    r"friday|saturday|sunday)(?:\s*[,/]\s*|\s+)",
    re.IGNORECASE,
)


def parse_date(raw: object) -> date:
    """07/03/2025, 7-3-2025, 2025-03-07, 7 Maret 2025 (also an Excel date cell) → 7 March 2025;
    a leading day name is allowed ("Jumat, 7 Maret 2025", as an attendance list's Hari/Tanggal).

    Numeric dates are day-first, as written in Indonesia; there is no month-first reading.
    """
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    text = " ".join(str(raw).split())
    try:
        if m := _WEEKDAY.match(text):
            text = text[m.end() :]
        if m := _NUMERIC_DMY.match(text):
            return date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
        if m := _ISO.match(text):
            return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        if m := _WORDY.match(text):
            month = _month_lookup().get(fold(m.group(2)))
            if month is None:
                raise CellError(f"nama bulan '{m.group(2)}' tidak dikenal")
            return date(int(m.group(3)), month, int(m.group(1)))
    except ValueError as exc:
        if isinstance(exc, CellError):
            raise CellError(f"tanggal '{text}' tidak valid: {exc}") from exc
        raise CellError(f"tanggal '{text}' tidak ada di kalender") from exc
    raise CellError(
        f"tanggal '{text}' tidak dikenali; gunakan mis. 07/03/2025, 7-3-2025, 2025-03-07 "
        "atau 7 Maret 2025"
    )


_YES = {"ya", "y", "yes", "1", "true", "benar", "ada", "sudah"}
_NO = {"tidak", "t", "no", "n", "0", "false", "salah", "tidak ada", "belum"}


def parse_bool(raw: object) -> bool:
    """ya/tidak, 1/0, true/false (any case)."""
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, int | float) and raw in (0, 1):
        return bool(raw)
    text = fold(str(raw))
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise CellError(f"'{raw}' bukan ya/tidak (isi ya/tidak, 1/0 atau true/false)")


def parse_decimal(raw: object) -> float:
    """92,3 and 92.3 → 92.3; 1.234,5 → 1234.5. The last separator is the decimal one."""
    if isinstance(raw, bool):
        raise CellError(f"'{raw}' bukan angka")
    # numbers go through the text path too: float() of a huge int overflows instead of refusing
    text = repr(raw) if isinstance(raw, int | float) else str(raw).strip().replace(" ", "")
    if "," in text and "." in text:
        if text.rfind(",") > text.rfind("."):
            text = text.replace(".", "").replace(",", ".")
        else:
            text = text.replace(",", "")
    elif "," in text:
        text = text.replace(",", ".")
    try:
        value = float(text)
    except ValueError:
        raise CellError(f"'{raw}' bukan angka") from None
    if not math.isfinite(value):  # float() also reads 'nan', 'inf' and '1e400'
        raise CellError(f"'{raw}' bukan angka")
    return value


INT_MAX = 2_147_483_647  # the largest value of an INTEGER column on PostgreSQL


def parse_int(raw: object, minimum: int | None = 0) -> int:
    """A whole number (Excel may hand us 12.0) that an INTEGER column can hold."""
    value = parse_decimal(raw)
    if value != int(value):
        raise CellError(f"'{raw}' harus bilangan bulat")
    if minimum is not None and value < minimum:
        raise CellError(f"'{raw}' tidak boleh kurang dari {minimum}")
    if abs(value) > INT_MAX:
        limit = f"{INT_MAX:,}".replace(",", ".")
        raise CellError(f"'{raw}' terlalu besar (maksimal {limit})")
    return int(value)


def clean_text(raw: object) -> str:
    """Cell text with spacing collapsed; Excel's numbers as integers when whole (KIM.id 1234.0)."""
    if raw is None:
        return ""
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    text = " ".join(str(raw).split())
    # undo our own export's formula-injection guard so an export imports back unchanged
    if len(text) > 1 and text[0] == "'" and text[1] in "=+-@":
        text = text[1:]
    return text


_URL_HOST = re.compile(
    r"^[0-9a-z](?:[0-9a-z\-]*[0-9a-z])?(?:\.[0-9a-z](?:[0-9a-z\-]*[0-9a-z])?)+(?::\d+)?$"
)

_WHITESPACE = re.compile(r"\s")


def parse_url(raw: object) -> str:
    """https://kim.example.id/berita/1; `www.…` or `kim.example.id/…` typed without a scheme gets
    https:// (offices often copy the address bar without it)."""
    text = str(raw or "").strip()
    if not text:
        raise CellError("tautan kosong")
    if "://" not in text:
        text = "https://" + text
    scheme, _, rest = text.partition("://")
    host = rest.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]
    if (
        scheme.lower() not in ("http", "https")
        or _WHITESPACE.search(text)
        or not _URL_HOST.match(host.lower())
    ):
        raise CellError(
            f"'{raw}' bukan tautan (URL) yang valid; tulis mis. https://kim.example.id/berita/1"
        )
    return f"{scheme.lower()}://{rest}"
