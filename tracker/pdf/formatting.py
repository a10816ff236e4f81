"""Indonesian formatting for printed documents: dates ("7 Maret 2025"), numbers (1.234,5), scores
(62,50), NIP groups and small numbers in words ("1 (satu)").

Printed letters are Indonesian whatever language the person issuing them reads the app in, so
these use Babel's `id` locale directly rather than the request's locale.
"""

from __future__ import annotations

from datetime import date, datetime

from babel.dates import format_date
from babel.numbers import format_decimal

LOCALE = "id"

_WORDS = (
    "nol",
    "satu",
    "dua",
    "tiga",
    "empat",
    "lima",
    "enam",
    "tujuh",
    "delapan",
    "sembilan",
    "sepuluh",
)


def tanggal(value: date | datetime | str | None) -> str:
    """7 Maret 2025 (an ISO text is read as a date)."""
    if value is None or value == "":
        return "—"
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    if isinstance(value, datetime):
        value = value.date()
    return format_date(value, "d MMMM y", locale=LOCALE)


def hari(value: date) -> str:
    """Jumat, 7 Maret 2025 (the day's name, as a daftar hadir heads its date)."""
    return format_date(value, "EEEE, d MMMM y", locale=LOCALE)


def angka(value: float | int | None, digits: int = 2) -> str:
    """1.234,5: Indonesian separators, at most `digits` decimals; None is a dash."""
    if value is None:
        return "—"
    if isinstance(value, int) and not isinstance(value, bool):
        return format_decimal(value, format="#,##0", locale=LOCALE)
    return format_decimal(value, format="#,##0." + "#" * digits, locale=LOCALE)


def skor(value: float | None) -> str:
    """A score with two decimals (62,50): what is printed is what the tier rule compared."""
    if value is None:
        return "—"
    return format_decimal(value, format="#,##0.00", locale=LOCALE)


def nip(value: str) -> str:
    """An 18-digit NIP in its printed groups: birth date, appointment month, sex, number
    (19700101 199503 1 001); anything else as given."""
    digits = (value or "").strip()
    if len(digits) == 18 and digits.isdigit():
        return f"{digits[:8]} {digits[8:14]} {digits[14]} {digits[15:]}"
    return digits


_SMALL_WORDS = frozenset({"dan", "di", "ke", "dari", "yang", "untuk", "atau", "pada", "serta"})


def judul(text: str) -> str:
    """An upper-case name in title case the Indonesian way: "DINAS KOMUNIKASI DAN INFORMATIKA"
    → "Dinas Komunikasi dan Informatika" (conjunctions and prepositions stay small)."""
    words = (text or "").split()
    return " ".join(
        w.lower() if i and w.lower() in _SMALL_WORDS else w[:1].upper() + w[1:].lower()
        for i, w in enumerate(words)
    )


def kim_label(name: str) -> str:
    """ "KIM Tukum Mandiri" for a KIM named either "Tukum Mandiri" or "KIM Tukum Mandiri"."""
    name = (name or "").strip()
    return name if name[:4].upper() == "KIM " else f"KIM {name}"


def terbilang(value: int) -> str:
    """A small count as letters write it: 1 → "1 (satu)"."""
    words = _WORDS[value] if 0 <= value < len(_WORDS) else None
    return f"{value} ({words})" if words else str(value)
