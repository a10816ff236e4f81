"""Reading a region code list (kode, nama, jenis) into checked rows, without touching the database.

The hierarchy lives in the dotted Kemendagri code, so every check except "does the parent exist in
the database" can be made on the file alone; the caller passes the codes it already holds. A row is
either accepted whole or reported with its spreadsheet row number and an Indonesian message, so an
import can refuse the file before writing anything.
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Callable, Container
from dataclasses import dataclass, field
from pathlib import Path

from tracker.io.tabular import Problem, TableError, read_table
from tracker.text import fold

# provinsi 2 digits, kabupaten/kota 2, kecamatan 2, desa/kelurahan 4: 35.08.09.2001
_CODE = re.compile(r"^\d{2}(?:\.\d{2}(?:\.\d{2}(?:\.\d{4})?)?)?$")
CODE_HELP = "format kode Kemendagri: 35, 35.08, 35.08.09 atau 35.08.09.2001"
NAME_MAX = 120

LEVEL_LABELS = {1: "provinsi", 2: "kabupaten/kota", 3: "kecamatan", 4: "desa/kelurahan"}

COLUMNS = {
    "kode": ("kode", "kode wilayah", "kode kemendagri", "code"),
    "nama": ("nama", "nama wilayah", "name"),
    "jenis": ("jenis", "jenis wilayah", "type", "kind"),
}

# what the `jenis` column may say, and at which level it is allowed
_KINDS = {
    "desa": ("desa", 4),
    "ds": ("desa", 4),
    "kelurahan": ("kelurahan", 4),
    "kel": ("kelurahan", 4),
    "kabupaten": ("kabupaten", 2),
    "kab": ("kabupaten", 2),
    "kota": ("kota", 2),
    "provinsi": (None, 1),
    "kecamatan": (None, 3),
}
# first digit of a desa code's last part (Kepmendagri): 1 kelurahan, 2 desa, 3 desa adat (Papua)
_KIND_BY_DIGIT = {"1": "kelurahan", "2": "desa", "3": "desa"}
_ROMAN = re.compile(r"^(?=[IVX])X{0,3}(?:IX|IV|V?I{0,3})$")


class RegionFileError(ValueError):
    """The file as a whole cannot be used (unreadable, no kode/nama column, bad --only code)."""


@dataclass(frozen=True)
class RegionRow:
    row: int  # spreadsheet row number (header = 1)
    code: str
    name: str  # the official spelling, as the file has it
    level: int
    parent_code: str | None
    kind: str | None
    tidy_name: str | None  # a display form when `name` is all capitals (or all lower case)


@dataclass
class ParsedRegions:
    rows: list[RegionRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def level_of(code: str) -> int:
    return code.count(".") + 1


def parent_of(code: str) -> str | None:
    return code.rsplit(".", 1)[0] if "." in code else None


def is_code(text: str) -> bool:
    return bool(_CODE.match(text))


def read_source(path: str | Path) -> bytes:
    """The file's bytes; a `.gz` file is decompressed, so a large list may ship compressed."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise RegionFileError(f"Berkas {path} tidak dapat dibaca: {exc.strerror}.") from exc
    if data[:2] == b"\x1f\x8b":
        try:
            return gzip.decompress(data)
        except (OSError, EOFError) as exc:
            raise RegionFileError(f"Berkas {path.name} rusak (gzip tidak lengkap).") from exc
    return data


def _display_filename(filename: str) -> str:
    """read_table picks CSV or XLSX by extension; `wilayah.csv.gz` is a CSV once decompressed."""
    return filename[:-3] if filename.lower().endswith(".gz") else filename


def kabupaten_kind(name: str) -> str | None:
    """'Kota Batu' → kota; 'Kabupaten Lumajang' / 'KAB. LUMAJANG' → kabupaten."""
    key = fold(name)
    if key.startswith("kota "):
        return "kota"
    if key.startswith(("kabupaten ", "kab. ", "kab ")):
        return "kabupaten"
    return None


def _tidy_word(word: str) -> str:
    if _ROMAN.match(word) or all(_ROMAN.match(p) for p in re.split(r"[/,\-]", word) if p):
        return word  # VIII, I/II, IX-X stay as numerals
    out = []
    capital_next = True
    for char in word.lower():
        if char.isalpha():
            out.append(char.upper() if capital_next else char)
            capital_next = False
        else:
            out.append(char)
            capital_next = char == "("  # "(DB)" → "(Db)"; "ORO-ORO" → "Oro-oro", "KI'E" → "Ki'e"
    return "".join(out)


def tidy_name(name: str) -> str:
    """'KABUPATEN LUMAJANG' → 'Kabupaten Lumajang', 'ORO-ORO OMBO' → 'Oro-oro Ombo'."""
    return " ".join(_tidy_word(w) for w in name.split())


def _cased(name: str) -> bool:
    """Has letters with a case (fast: two C-level string operations)."""
    return name.lower() != name.upper()


def _selected(code: str, only: str | None) -> bool:
    if only is None:
        return True
    return code == only or code.startswith(only + ".") or only.startswith(code + ".")


def parse_regions(
    data: bytes,
    filename: str = "wilayah.csv",
    only: str | None = None,
    existing: Container[str] = frozenset(),
) -> ParsedRegions:
    """Check every row of a region list; `only` keeps one subtree and its ancestors.

    `existing` holds the codes already in the database: a row's parent must be there or on an
    earlier row. Rows outside `only` are not checked at all, so a kabupaten can be taken from a
    national file whatever the rest of the file holds.
    """
    if only is not None:
        only = only.strip()
        if not is_code(only):
            raise RegionFileError(f"Kode --only '{only}' tidak valid ({CODE_HELP}).")
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    try:
        table = read_table(data, _display_filename(filename), COLUMNS, required=("kode", "nama"))
    except TableError as exc:
        raise RegionFileError(str(exc)) from exc

    result = ParsedRegions()
    candidates = []
    for row in table.rows:
        code = row.text("kode")
        if _selected(code, only):
            candidates.append((row.number, code, row.text("nama"), fold(row.text("jenis"))))
    if only is not None and not any(code == only for _, code, _, _ in candidates):
        raise RegionFileError(f"Kode {only} tidak ada di berkas.")

    cased = [name for _, _, name, _ in candidates if _cased(name)]
    upper_list = bool(cased) and sum(1 for name in cased if name.isupper()) * 2 >= len(cased)
    col_code, col_name, col_kind = (table.label(k) for k in ("kode", "nama", "jenis"))
    seen: dict[str, int] = {}
    for number, code, name, jenis in candidates:
        problems_before = len(result.problems)

        def problem(column: str, message: str, number: int = number) -> None:
            result.problems.append(Problem(number, column, message))

        if not code:
            problem(col_code, "kode kosong")
        elif not is_code(code):
            problem(col_code, f"kode '{code}' tidak valid ({CODE_HELP})")
        elif code in seen:
            problem(col_code, f"kode {code} sudah ada di baris {seen[code]}")
        if not name:
            problem(col_name, "nama kosong")
        elif len(name) > NAME_MAX:
            problem(col_name, f"nama lebih dari {NAME_MAX} karakter")
        if len(result.problems) > problems_before or not code:
            if code and is_code(code):
                seen.setdefault(code, number)
            continue
        level = level_of(code)
        parent = parent_of(code)
        if parent is not None and parent not in seen and parent not in existing:
            problem(
                col_code,
                f"induk {parent} dari kode {code} tidak ada di basis data maupun di baris "
                "sebelumnya",
            )
        kind = _kind(level, code, name, jenis, problem, col_kind)
        seen[code] = number
        if len(result.problems) > problems_before:
            continue
        tidy = None
        if name.islower() or (upper_list and name.isupper()):
            tidy = tidy_name(name)
            tidy = tidy if tidy != name else None
        result.rows.append(RegionRow(number, code, name, level, parent, kind, tidy))
    return result


def _kind(
    level: int, code: str, name: str, jenis: str, problem: Callable[[str, str], None], column: str
) -> str | None:
    """desa/kelurahan on level 4 and kabupaten/kota on level 2; None elsewhere."""
    declared = None
    if jenis:
        entry = _KINDS.get(jenis.rstrip("."))
        if entry is None:
            problem(column, f"jenis '{jenis}' tidak dikenal; isi desa atau kelurahan")
            return None
        declared, allowed_level = entry
        if allowed_level != level:
            problem(
                column,
                f"jenis '{jenis}' tidak cocok dengan kode {code} (tingkat {LEVEL_LABELS[level]})",
            )
            return None
    if level == 4:
        return declared or _KIND_BY_DIGIT.get(code.rsplit(".", 1)[1][0])
    if level == 2:
        return declared or kabupaten_kind(name)
    return None
