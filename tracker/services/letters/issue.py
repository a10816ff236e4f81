"""Issuing one evaluation letter: preview it, then take its number, render, sign, archive and
record it in one unit of work.

`issue_letter` is the one path every letter takes (the web's "Terbitkan", a re-issue, and the
batch job's worker processes, each in its own application context):

1. read everything the letter says (`content.build`: the KIM in the actor's scope, its result of
   the period with the roadmap, the office settings as they are now) and refuse what cannot be
   issued (no signatory, no public address, no result, data changed since the assessment, a
   letter already in force for the KIM and period);
2. in one unit of work: take the year's next number (`numbering.take_next`, which locks the
   year's sequence until the unit ends), render the PDF with that number (`tracker.pdf.letter`),
   sign it when a certificate is configured, write it to the archive with its SHA-256, add the
   letter and its audit entry, commit.

Anything raising in step 2 (the render included) rolls the unit back: the number was never
taken, the next letter gets it, and the archived file of the failed attempt is removed. The
rendering runs while the number is held, so letters of one year are rendered one at a time
across all processes; docs/letters.md weighs that against the alternatives.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select

from tracker.extensions import db
from tracker.models import Kim
from tracker.models.letters import KIND_EVALUATION, LETTER_ISSUED, Letter
from tracker.models.user import User
from tracker.pdf import issuing
from tracker.pdf.letter import LetterData
from tracker.services.common import audit_writer
from tracker.services.common.errors import Invalid
from tracker.services.common.permissions import ISSUE_LETTERS, require
from tracker.services.common.unit_of_work import transaction
from tracker.services.letters import archive, content, numbering, office, signing
from tracker.services.letters.content import LetterNotReady
from tracker.text import fold

TOKEN_BYTES = 24  # 192 random bits in the verification URL


class LetterRefused(Invalid):
    """The letter cannot be issued now; `message` says why and what to do."""


@dataclass(frozen=True)
class Preview:
    """The letter as it would be issued now, and what would stop it."""

    data: LetterData
    kim_id: int
    period_code: str
    problems: list[str]
    in_force: Letter | None  # the letter already in force for this KIM and period
    chart_svg: str = ""  # the attachment's chart, as the PDF will draw it

    @property
    def can_issue(self) -> bool:
        return not self.problems


def _office_problems(view: office.OfficeView) -> list[str]:
    problems = []
    if view.missing_signatory:
        problems.append(
            _(
                "Penanda tangan surat belum diatur (%(missing)s belum diisi). Admin mengisinya "
                "di Pengaturan Surat, atau: flask office set --signatory-name … "
                "--signatory-title … --signatory-nip …",
                missing=", ".join(view.missing_signatory),
            )
        )
    if not office.public_base_url(view):
        problems.append(
            _(
                "Alamat publik halaman verifikasi belum diatur: kode QR surat tidak akan dapat "
                "dibuka. Admin mengisinya di Pengaturan Surat."
            )
        )
    return problems


def in_force(kim_id: int, period_id: int) -> Letter | None:
    """The KIM's letter of the period that is in force, if any."""
    return db.session.scalar(
        select(Letter).where(
            Letter.kim_id == kim_id,
            Letter.period_id == period_id,
            Letter.kind == KIND_EVALUATION,
            Letter.status == LETTER_ISSUED,
        )
    )


def _already(found: Letter) -> str:
    return _(
        "Surat hasil evaluasi KIM ini untuk periode ini sudah terbit dengan nomor %(number)s. "
        "Untuk memperbaikinya, cabut surat itu dan terbitkan penggantinya.",
        number=found.number,
    )


def preview(actor: User | None, period_code: str, kim_id: int) -> Preview:
    """The letter for the preview page, with the reasons it could not be issued now."""
    require(actor, ISSUE_LETTERS)
    view = office.current()
    source = content.build(actor, period_code, kim_id, view)
    problems = _office_problems(view)
    if source.stale:
        problems.append(stale_message())
    found = in_force(source.kim_id, source.period_id)
    if found is not None:
        problems.append(_already(found))
    return Preview(
        source.data,
        source.kim_id,
        source.data.period_code,
        problems,
        found,
        content.attachment_chart(source.data),
    )


def stale_message() -> str:
    return _(
        "Data KIM ini berubah sesudah penilaian terakhir: jalankan penilaian ulang periode ini "
        "sebelum menerbitkan surat, agar surat memuat hasil yang benar."
    )


def issue_letter(
    actor: User | None,
    period_code: str,
    kim_id: int,
    *,
    replaces: Letter | None = None,
) -> Letter:
    """Issue the KIM's letter for the period (see the module docstring). `replaces`: the
    letter in force that this one replaces (`revoke.reissue` revokes it in the same unit)."""
    require(actor, ISSUE_LETTERS)
    view = office.current()
    ready(view)
    source = content.build(actor, period_code, kim_id, view)
    if source.stale:
        raise LetterNotReady(stale_message())
    key = signing_key(view)
    logo = office.logo()
    token = secrets.token_urlsafe(TOKEN_BYTES)
    day = source.data.letter_date
    written: str | None = None
    try:
        with transaction():
            sequence = numbering.take_next(day.year)  # holds the year's numbers until commit
            found = in_force(source.kim_id, source.period_id)
            if found is not None and (replaces is None or found.id != replaces.id):
                raise LetterRefused(_already(found))
            data = source.data.issued(
                number_for(view, sequence, day),
                token,
                office.verify_url(token, view),
                signed=key is not None,
                replaces_number=replaces.number if replaces is not None else None,
            )
            pdf = issuing.letter_file(data, logo, key, content.attachment_chart(data))
            written = archive.relative_path(day.year, sequence)
            archive.write(written, pdf)
            letter = record(actor, source, data, sequence, written, pdf, replaces)
        return letter
    except BaseException:
        if written is not None:
            archive.discard(written)
        raise


def number_for(view: office.OfficeView, sequence: int, day: date) -> str:
    """The number the office's template gives the `sequence`-th letter of `day`'s year."""
    return numbering.format_number(
        view.number_template,
        numbering.NumberParts(
            sequence=sequence,
            year=day.year,
            month=day.month,
            kode=view.classification_code,
            unit=view.unit_code,
        ),
    )


def signing_key(view: office.OfficeView) -> issuing.SigningKey | None:
    """What signs the office's letters, or None when letters are issued unsigned."""
    certificate = signing.configured()
    if certificate is None:
        return None
    return issuing.SigningKey(
        certificate.pkcs12, certificate.passphrase, view.place, view.signatory_name
    )


def ready(view: office.OfficeView) -> None:
    """Refuse (LetterRefused) while the office cannot issue letters (no signatory, no public
    address)."""
    problems = _office_problems(view)
    if problems:
        raise LetterRefused(" ".join(problems))


def record(
    actor: User | None,
    source: content.LetterSource,
    data: LetterData,
    sequence: int,
    path: str,
    pdf: bytes,
    replaces: Letter | None,
) -> Letter:
    """The letter's row and its audit entry, in the issuing unit of work (a batch's too)."""
    letter = Letter(
        kind=KIND_EVALUATION,
        number=data.number or "",
        year=data.letter_date.year,
        sequence=sequence,
        letter_date=data.letter_date,
        kim_id=source.kim_id,
        period_id=source.period_id,
        region_code=source.place.desa_code,
        kecamatan_code=source.place.kecamatan_code,
        kim_name=data.kim_name,
        kim_name_key=fold(data.kim_name),
        desa_name=data.desa_name,
        kecamatan_name=data.kecamatan_name,
        period_code=data.period_code,
        score=data.score,
        tier=data.tier,
        signatory_name=data.signatory.name,
        signatory_nip=data.signatory.nip,
        content=data.to_json(),
        token=data.token or "",
        pdf_path=path,
        pdf_sha256=archive.sha256(pdf),
        pdf_size=len(pdf),
        signed=data.signed,
        status=LETTER_ISSUED,
        issued_by_id=actor.id if actor is not None else None,
        replaces_id=replaces.id if replaces is not None else None,
    )
    db.session.add(letter)
    db.session.flush()
    audit_writer.record(
        "letter.issue",
        "letter",
        letter.id,
        actor,
        message="letter.reissue" if replaces is not None else "letter.issue",
        params={
            "number": letter.number,
            "name": letter.kim_name,
            "period": letter.period_code,
            "tier": letter.tier,
            **({"replaced": replaces.number} if replaces is not None else {}),
        },
        kim=db.session.get(Kim, source.kim_id),
    )
    return letter
