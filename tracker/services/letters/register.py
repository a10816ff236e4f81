"""The letter register (agenda surat keluar): every letter issued, searched and filtered by year,
number, KIM, kecamatan and status, in the reader's region scope; its XLSX export and its
printable PDF list.

Read-only. A letter belongs to the region it was issued for (a KIM's desa), so a petugas sees
the letters of his kecamatan and a kabid those of the kabupaten, like every other list.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select, distinct, func, select

from tracker.extensions import db
from tracker.models.letters import (
    LETTER_STATUS_LABELS,
    LETTER_STATUSES,
    Letter,
)
from tracker.models.region import Region
from tracker.models.user import User
from tracker.services.common.errors import NotFound
from tracker.services.common.exports import ExportFile, export_file
from tracker.services.common.pagination import Page, paginate
from tracker.services.common.permissions import VIEW, require
from tracker.services.common.scope import actor_scope_filter
from tracker.services.common.sorting import SortKeys
from tracker.text import fold

SORT_KEYS = SortKeys(
    {
        "nomor": Letter.year * 100000 + Letter.sequence,
        "tanggal": Letter.letter_date,
        "kim": Letter.kim_name_key,
        "kecamatan": Letter.kecamatan_name,
    },
    default="-nomor",
)
MAX_PRINTED = 2000  # rows of the printable list (one PDF page holds about 25)


class LetterNotFoundError(NotFound):
    """No such letter, or one outside the reader's scope (the same thing to him)."""


@dataclass(frozen=True)
class RegisterFilter:
    year: int | None = None
    number: str = ""
    kim: str = ""
    kecamatan: str = ""  # a kecamatan code
    status: str = ""  # issued | revoked
    sort: str = "-nomor"

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> RegisterFilter:
        raw_year = (args.get("tahun") or "").strip()
        return cls(
            year=int(raw_year) if raw_year.isdigit() and len(raw_year) == 4 else None,
            number=(args.get("nomor") or "").strip()[:120],
            kim=(args.get("kim") or "").strip()[:150],
            kecamatan=(args.get("kecamatan") or "").strip()[:13],
            status=(args.get("status") or "").strip(),
            sort=SORT_KEYS.normalized(args.get("sort")),
        ).normalized()

    def normalized(self) -> RegisterFilter:
        return RegisterFilter(
            year=self.year,
            number=self.number,
            kim=self.kim,
            kecamatan=self.kecamatan,
            status=self.status if self.status in LETTER_STATUSES else "",
            sort=SORT_KEYS.normalized(self.sort),
        )

    @property
    def narrowed(self) -> bool:
        return bool(self.year or self.number or self.kim or self.kecamatan or self.status)


def _select(actor: User | None, flt: RegisterFilter) -> Select[Any]:
    stmt = select(Letter).where(actor_scope_filter(Letter.region_code, actor))
    if flt.year:
        stmt = stmt.where(Letter.year == flt.year)
    if flt.number:
        stmt = stmt.where(Letter.number.contains(flt.number, autoescape=True))
    if flt.kim:
        stmt = stmt.where(Letter.kim_name_key.contains(fold(flt.kim), autoescape=True))
    if flt.kecamatan:
        stmt = stmt.where(Letter.kecamatan_code == flt.kecamatan)
    if flt.status:
        stmt = stmt.where(Letter.status == flt.status)
    return stmt.order_by(SORT_KEYS.order_by(flt.sort), Letter.id.desc())


@dataclass
class RegisterPage:
    letters: Page[Letter]
    filter: RegisterFilter
    years: list[int]
    kecamatan_options: list[tuple[str, str]]
    replacements: dict[int, str]  # revoked letter id → the number of the letter replacing it


def _replacements(letters: list[Letter]) -> dict[int, str]:
    ids = [letter.id for letter in letters if not letter.in_force]
    if not ids:
        return {}
    rows = db.session.execute(
        select(Letter.replaces_id, Letter.number).where(Letter.replaces_id.in_(ids))
    )
    return {replaced: number for replaced, number in rows}


def _options(actor: User | None) -> tuple[list[int], list[tuple[str, str]]]:
    scoped = actor_scope_filter(Letter.region_code, actor)
    years = list(
        db.session.scalars(select(distinct(Letter.year)).where(scoped).order_by(Letter.year.desc()))
    )
    kecamatan = db.session.execute(
        select(Letter.kecamatan_code, func.max(Letter.kecamatan_name))
        .where(scoped, Letter.kecamatan_code.is_not(None))
        .group_by(Letter.kecamatan_code)
    ).all()
    return years, sorted(((c, n) for c, n in kecamatan), key=lambda o: (fold(o[1]), o[0]))


def register_page(
    actor: User, flt: RegisterFilter, page: int = 1, per_page: int = 25
) -> RegisterPage:
    require(actor, VIEW)
    letters = paginate(_select(actor, flt), page, per_page)
    years, kecamatan = _options(actor)
    return RegisterPage(letters, flt, years, kecamatan, _replacements(letters.items))


def get_letter(actor: User | None, letter_id: int) -> Letter:
    """One letter in the reader's scope (else LetterNotFoundError)."""
    require(actor, VIEW)
    letter = db.session.scalar(
        select(Letter).where(Letter.id == letter_id, actor_scope_filter(Letter.region_code, actor))
    )
    if letter is None:
        raise LetterNotFoundError(_("Surat tidak ditemukan."))
    return letter


def replacement_of(letter: Letter) -> Letter | None:
    """The letter issued to replace a revoked one, if any."""
    return db.session.scalar(select(Letter).where(Letter.replaces_id == letter.id))


# ------------------------------------------------------------------------------ export and print


def _rows(actor: User | None, flt: RegisterFilter, limit: int | None = None) -> list[Letter]:
    stmt = _select(actor, flt)
    if limit is not None:
        stmt = stmt.limit(limit)
    return list(db.session.scalars(stmt))


REGISTER_HEADERS = (
    "Nomor surat",
    "Tanggal",
    "KIM",
    "Desa/Kelurahan",
    "Kecamatan",
    "Periode",
    "Skor",
    "Jenjang",
    "Penanda tangan",
    "Status",
    "Diganti dengan",
    "SHA-256",
)


def export_register(actor: User | None, flt: RegisterFilter, fmt: str = "xlsx") -> ExportFile:
    """The filtered register as XLSX or CSV, one row per letter."""
    require(actor, VIEW)
    letters = _rows(actor, flt)
    replaced = _replacements(letters)
    rows = [
        [
            letter.number,
            letter.letter_date,
            letter.kim_name,
            letter.desa_name,
            letter.kecamatan_name,
            letter.period_code,
            letter.score,
            letter.tier,
            letter.signatory_name,
            LETTER_STATUS_LABELS.get(letter.status, letter.status),
            replaced.get(letter.id, ""),
            letter.pdf_sha256,
        ]
        for letter in letters
    ]
    suffix = f"-{flt.year}" if flt.year else ""
    return export_file(f"agenda-surat{suffix}", REGISTER_HEADERS, rows, fmt)


def _filter_text(flt: RegisterFilter) -> str:
    parts = []
    if flt.year:
        parts.append(f"tahun {flt.year}")
    if flt.number:
        parts.append(f"nomor memuat “{flt.number}”")
    if flt.kim:
        parts.append(f"KIM memuat “{flt.kim}”")
    if flt.kecamatan:
        name = db.session.scalar(select(Region.name).where(Region.code == flt.kecamatan))
        parts.append(f"Kecamatan {name or flt.kecamatan}")
    if flt.status:
        parts.append(f"status {LETTER_STATUS_LABELS[flt.status].lower()}")
    return "; ".join(parts)


def print_register(actor: User | None, flt: RegisterFilter) -> ExportFile:
    """The filtered register as a printable A4 PDF list (at most MAX_PRINTED rows)."""
    from tracker.pdf import register as register_pdf
    from tracker.services.common.clock import office_today
    from tracker.services.letters import office

    require(actor, VIEW)
    letters = _rows(actor, flt, MAX_PRINTED + 1)
    cut = len(letters) > MAX_PRINTED
    letters = letters[:MAX_PRINTED]
    replaced = _replacements(letters)
    view = office.current()
    listing = register_pdf.RegisterListing(
        office=view.identity,
        printed_on=office_today(),
        filter_text=_filter_text(flt),
        truncated_at=MAX_PRINTED if cut else None,
        rows=tuple(
            register_pdf.RegisterRow(
                number=letter.number,
                letter_date=letter.letter_date,
                kim_name=letter.kim_name,
                desa_name=letter.desa_name,
                kecamatan_name=letter.kecamatan_name,
                period_code=letter.period_code,
                score=letter.score,
                tier=letter.tier,
                status=LETTER_STATUS_LABELS.get(letter.status, letter.status),
                replaced_by=replaced.get(letter.id, ""),
            )
            for letter in letters
        ),
    )
    suffix = f"-{flt.year}" if flt.year else ""
    return ExportFile(
        filename=f"agenda-surat{suffix}.pdf",
        mimetype="application/pdf",
        payload=register_pdf.render_register(listing, office.logo()),
        rows=len(letters),
    )
