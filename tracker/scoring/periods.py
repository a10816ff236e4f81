"""Period codes and calendar arithmetic: pure, shared by services, CLI and the scoring engine.

`2025-T1`…`2025-T4` are triwulan (quarters), `2025-S1`/`2025-S2` semesters, `2025` a whole year.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

KIND_TRIWULAN = "triwulan"
KIND_SEMESTER = "semester"
KIND_TAHUN = "tahun"
KIND_LABELS = {KIND_TRIWULAN: "Triwulan", KIND_SEMESTER: "Semester", KIND_TAHUN: "Tahun"}

_CODE = re.compile(r"^\s*(\d{4})(?:\s*-\s*([TtSs])\s*(\d))?\s*$")


class PeriodCodeError(ValueError):
    """The text is not a period code; the message is Indonesian and shown to the user."""


@dataclass(frozen=True)
class PeriodSpan:
    code: str
    kind: str
    start: date
    end: date  # inclusive

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def _month_end(year: int, month: int) -> date:
    first_next = date(year + (month == 12), month % 12 + 1, 1)
    return first_next - timedelta(days=1)


def parse_period_code(text: str) -> PeriodSpan:
    """`2025-T1` → 1 Jan–31 Mar 2025. Accepts lower case and stray spaces; normalises the code."""
    match = _CODE.match(text or "")
    if not match:
        raise PeriodCodeError(
            f"Kode periode '{text}' tidak dikenal. Gunakan mis. 2025-T1 (triwulan), "
            "2025-S1 (semester) atau 2025 (tahun)."
        )
    year = int(match.group(1))
    if not 2000 <= year <= 2100:
        raise PeriodCodeError(f"Tahun {year} di luar rentang 2000–2100.")
    letter, number = match.group(2), match.group(3)
    if letter is None:
        return PeriodSpan(str(year), KIND_TAHUN, date(year, 1, 1), date(year, 12, 31))
    n = int(number)
    if letter.upper() == "T":
        if not 1 <= n <= 4:
            raise PeriodCodeError(f"Triwulan harus 1–4, bukan {n}.")
        first = 3 * (n - 1) + 1
        return PeriodSpan(
            f"{year}-T{n}", KIND_TRIWULAN, date(year, first, 1), _month_end(year, first + 2)
        )
    if not 1 <= n <= 2:
        raise PeriodCodeError(f"Semester harus 1 atau 2, bukan {n}.")
    first = 6 * (n - 1) + 1
    return PeriodSpan(
        f"{year}-S{n}", KIND_SEMESTER, date(year, first, 1), _month_end(year, first + 5)
    )


def months_in(start: date, end: date) -> int:
    """Calendar months the span touches (a triwulan: 3)."""
    return (end.year - start.year) * 12 + end.month - start.month + 1


def window_count(start: date, end: date) -> int:
    """7-day windows from `start`; the last, partial one counts (90 days → 13 windows)."""
    return -(-((end - start).days + 1) // 7)


def window_index(day: date, start: date) -> int:
    """Which weekly window of a period starting at `start` holds `day` (0-based)."""
    return (day - start).days // 7


def previous_code(span: PeriodSpan) -> str:
    """The code of the period of the same kind just before (for stability checks)."""
    year = span.start.year
    if span.kind == KIND_TAHUN:
        return str(year - 1)
    letter = "T" if span.kind == KIND_TRIWULAN else "S"
    count = 4 if letter == "T" else 2
    n = int(span.code[-1])
    return f"{year}-{letter}{n - 1}" if n > 1 else f"{year - 1}-{letter}{count}"


def twelve_months_to(end: date) -> date:
    """The first day of the 12 months that end on `end` (inclusive): 31 Dec 2025 → 1 Jan 2025,
    31 Mar 2025 → 1 Apr 2024. P1 counts the sessions attended from this day to the period end."""
    try:
        year_before = end.replace(year=end.year - 1)
    except ValueError:  # 29 February: a year before has none
        year_before = end.replace(year=end.year - 1, day=28)
    return year_before + timedelta(days=1)


def next_code(span: PeriodSpan) -> str:
    """The code of the period of the same kind just after (opened when this one is closed)."""
    year = span.start.year
    if span.kind == KIND_TAHUN:
        return str(year + 1)
    letter = "T" if span.kind == KIND_TRIWULAN else "S"
    count = 4 if letter == "T" else 2
    n = int(span.code[-1])
    return f"{year}-{letter}{n + 1}" if n < count else f"{year + 1}-{letter}1"
