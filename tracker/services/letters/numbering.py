"""Letter numbers: the office's template, and taking the next number of a year.

Template tokens (DESIGN.md §5): `{kode}` the archive classification code (Permendagri 83/2022),
`{nomor}` the sequence (`{nomor:03}` zero-pads it to 3 digits), `{unit}` the unit code,
`{bulan_romawi}` the month in Roman numerals, `{tahun}` the year; e.g. the default
`{kode}/{nomor:03}/{unit}/{tahun}` gives 400.14/007/DISKOMINFO/2025. A template must hold
`{nomor}` (or numbers would repeat) and `{tahun}` (the sequence restarts every year, so without
the year the 7th letter of 2026 would carry the number of the 7th of 2025); any other token, a
padding on another token, or a stray brace is refused.

Taking a number (`take_next`) is an UPDATE of the year's `LetterSequence` row inside the caller's
unit of work, the first write of that unit. It locks the row (PostgreSQL) or the database
(SQLite) until the unit commits, so two letters never get one number, and a unit that rolls back
(a render that raised) gives its number back: the next letter takes it, and the register never
skips one. docs/letters.md discusses what that costs a batch.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import update
from sqlalchemy.dialects import postgresql, sqlite

from tracker.extensions import db
from tracker.models.letters import LetterSequence
from tracker.services.common.errors import Invalid

DEFAULT_TEMPLATE = "{kode}/{nomor:03}/{unit}/{tahun}"
DEFAULT_CLASSIFICATION = "400.14"
DEFAULT_UNIT = "DISKOMINFO"
TOKENS = ("kode", "nomor", "unit", "bulan_romawi", "tahun")
MAX_LENGTH = 120

ROMAN_MONTHS = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")
_TOKEN = re.compile(r"\{([^{}]*)\}")
_SPEC = re.compile(r"^0([1-9])$")


@dataclass(frozen=True)
class NumberParts:
    """What a number is made of, besides the template."""

    sequence: int
    year: int
    month: int
    kode: str = ""
    unit: str = ""


class NumberTemplateInvalid(Invalid):
    """The template was refused; `message` says why (Indonesian, for the form and the CLI)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, field="number_template")


def _pieces(template: str) -> list[tuple[str, str | None, int]]:
    """The template as (literal, token, width) pieces; token None for the tail. Refuses what
    the module docstring lists."""
    pieces: list[tuple[str, str | None, int]] = []
    position = 0
    for match in _TOKEN.finditer(template):
        literal = template[position : match.start()]
        if "{" in literal or "}" in literal:
            raise NumberTemplateInvalid(_("Kurung kurawal { } hanya untuk menandai isian."))
        name, _colon, spec = match.group(1).partition(":")
        name = name.strip()
        if name not in TOKENS:
            raise NumberTemplateInvalid(
                _(
                    "Isian {%(name)s} tidak dikenal; yang dapat dipakai: %(tokens)s.",
                    name=name,
                    tokens=", ".join("{" + t + "}" for t in TOKENS),
                )
            )
        width = 0
        if spec:
            found = _SPEC.match(spec.strip())
            if name != "nomor" or not found:
                raise NumberTemplateInvalid(
                    _(
                        "Lebar angka hanya untuk {nomor}, ditulis {nomor:03} (3 digit, diawali "
                        "nol); {%(token)s} tidak dapat dipakai.",
                        token=match.group(1),
                    )
                )
            width = int(found.group(1))
        pieces.append((literal, name, width))
        position = match.end()
    tail = template[position:]
    if "{" in tail or "}" in tail:
        raise NumberTemplateInvalid(_("Kurung kurawal { } hanya untuk menandai isian."))
    pieces.append((tail, None, 0))
    return pieces


def check_template(template: str) -> str:
    """The template, trimmed, or NumberTemplateInvalid."""
    template = (template or "").strip()
    if not template:
        raise NumberTemplateInvalid(_("Format nomor surat wajib diisi."))
    if len(template) > MAX_LENGTH:
        raise NumberTemplateInvalid(
            _("Format nomor surat paling panjang %(n)s karakter.", n=MAX_LENGTH)
        )
    names = [name for _literal, name, _width in _pieces(template) if name]
    if names.count("nomor") != 1:
        raise NumberTemplateInvalid(
            _("Format nomor surat harus memuat {nomor} tepat satu kali (nomor urut surat).")
        )
    if "tahun" not in names:
        raise NumberTemplateInvalid(
            _(
                "Format nomor surat harus memuat {tahun}: nomor urut dimulai lagi dari 1 setiap "
                "tahun, jadi tanpa tahun nomor surat akan berulang."
            )
        )
    return template


def format_number(template: str, parts: NumberParts) -> str:
    """The number `template` gives for `parts` (the template is checked first)."""
    values = {
        "kode": parts.kode,
        "unit": parts.unit,
        "bulan_romawi": ROMAN_MONTHS[parts.month - 1],
        "tahun": str(parts.year),
    }
    out = []
    for literal, name, width in _pieces(check_template(template)):
        out.append(literal)
        if name == "nomor":
            out.append(str(parts.sequence).zfill(width))
        elif name is not None:
            out.append(values[name])
    return "".join(out)


# ------------------------------------------------------------------------------ the sequence


def _ensure_row(year: int) -> None:
    """The year's row, created at 0 if missing (an insert that does nothing when another unit
    created it first, on either database)."""
    dialect = db.session.get_bind().dialect.name
    values = {"year": year, "last_number": 0}
    if dialect == "postgresql":
        stmt = postgresql.insert(LetterSequence).values(values).on_conflict_do_nothing()
    elif dialect == "sqlite":
        stmt = sqlite.insert(LetterSequence).values(values).on_conflict_do_nothing()
    else:  # pragma: no cover - the two databases the product supports
        if db.session.get(LetterSequence, year) is None:
            db.session.add(LetterSequence(year=year, last_number=0))
            db.session.flush()
        return
    db.session.execute(stmt)


def take_next(year: int) -> int:
    """The next sequence number of `year`, taken inside the caller's unit of work (see the
    module docstring): the number is only taken if that unit commits."""
    _ensure_row(year)
    return int(
        db.session.execute(
            update(LetterSequence)
            .where(LetterSequence.year == year)
            .values(last_number=LetterSequence.last_number + 1)
            .returning(LetterSequence.last_number)
        ).scalar_one()
    )


def peek_next(year: int) -> int:
    """The number the next letter of `year` would get now (for the settings page's example)."""
    row = db.session.get(LetterSequence, year)
    return (row.last_number if row is not None else 0) + 1
