"""The public verification page: anyone holding a letter checks it by its QR code.

`/verifikasi/<token>` shows what the letter prints (number, date, KIM, desa, period, score, tier,
signatory) with its status (in force, or revoked and by which number it was replaced) and the
archived PDF's SHA-256, and nothing else: no reason for a revocation, no account names. A PDF
uploaded there is hashed and compared with the archive, its electronic signature (if any) checked,
and then forgotten: it is never stored.

Tokens are 192 random bits (`issue.TOKEN_BYTES`), so letters cannot be found by guessing; every
request (a look-up or an upload) counts against its client address, in the database so that the
limit holds across web workers: VERIFY_RATE_LIMIT requests per VERIFY_RATE_WINDOW seconds.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import delete, func, select

from tracker.extensions import db
from tracker.models.base import utcnow
from tracker.models.letters import KIND_EVALUATION, KIND_RECAP, Letter, VerificationHit
from tracker.pdf import signature
from tracker.pdf.formatting import nip
from tracker.pdf.letter import LetterData, OfficeIdentity, Signatory
from tracker.services.common.errors import ServiceError
from tracker.services.common.unit_of_work import transaction
from tracker.services.letters import archive, signing

_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


class RateLimited(ServiceError):  # noqa: N818
    """Too many requests from one client: try again after `retry_after` seconds."""

    status = 429

    def __init__(self, retry_after: int) -> None:
        super().__init__(
            _(
                "Terlalu banyak permintaan pemeriksaan dari alamat Anda. Coba lagi dalam "
                "%(minutes)s menit.",
                minutes=max(1, -(-retry_after // 60)),
            )
        )
        self.retry_after = retry_after


def _window() -> int:
    return int(current_app.config.get("VERIFY_RATE_WINDOW", 600))


def _limit() -> int:
    return int(current_app.config.get("VERIFY_RATE_LIMIT", 30))


def count_request(remote_addr: str | None) -> None:
    """Count one request of `remote_addr`; RateLimited when it is over the limit (the refused
    request counts too, so hammering does not shorten the wait)."""
    address = (remote_addr or "?")[:64]
    now = utcnow()
    since = now - timedelta(seconds=_window())
    with transaction():
        db.session.execute(
            delete(VerificationHit)
            .where(VerificationHit.at < since)
            .execution_options(synchronize_session=False)
        )
        db.session.add(VerificationHit(remote_addr=address, at=now))
        db.session.flush()
        count, first = db.session.execute(
            select(func.count(), func.min(VerificationHit.at)).where(
                VerificationHit.remote_addr == address, VerificationHit.at >= since
            )
        ).one()
    if count > _limit():
        wait = _window() - int((now - first).total_seconds()) if first else _window()
        raise RateLimited(max(1, wait))


@dataclass(frozen=True)
class PublicLetter:
    """What the page shows: only what the letter prints, its status and its hash."""

    number: str
    letter_date: date
    issuer: str  # the letterhead: DINAS KOMUNIKASI DAN INFORMATIKA, PEMERINTAH KABUPATEN …
    kim_name: str
    desa_name: str
    desa_kind: str
    kecamatan_name: str
    period_label: str
    score: float | None
    tier: str
    signatory_title: str
    signatory_name: str
    signatory_nip: str
    in_force: bool
    replaced_by: str | None
    sha256: str
    signed: bool
    kind: str = KIND_EVALUATION  # a recap report (KIND_RECAP) names no KIM, desa or tier


def _known(kind: Any, values: dict[str, Any]) -> dict[str, Any]:
    names = {f.name for f in dataclasses.fields(kind)}
    return {k: v for k, v in values.items() if k in names}


def _by_token(token: str) -> Letter | None:
    if not token or not _TOKEN.match(token):
        return None
    return db.session.scalar(select(Letter).where(Letter.token == token))


def public_letter(token: str) -> PublicLetter | None:
    """The letter behind a token, as the public page shows it; None for an unknown token."""
    letter = _by_token(token)
    if letter is None:
        return None
    replacement = db.session.scalar(select(Letter.number).where(Letter.replaces_id == letter.id))
    if letter.kind == KIND_RECAP:
        office = OfficeIdentity(**_known(OfficeIdentity, letter.content["office"]))
        signatory = Signatory(**_known(Signatory, letter.content["signatory"]))
        kim_name, desa_name, desa_kind, kecamatan_name = letter.kim_name, "", "", ""
        label = str(letter.content.get("period_label") or letter.period_code)
    else:
        data = LetterData.from_json(letter.content)
        office, signatory = data.office, data.signatory
        kim_name, desa_name, desa_kind = data.kim_name, data.desa_name, data.desa_kind
        kecamatan_name, label = data.kecamatan_name, data.period_label
    return PublicLetter(
        number=letter.number,
        letter_date=letter.letter_date,
        issuer=f"{office.agency}, {office.government}",
        kim_name=kim_name,
        desa_name=desa_name,
        desa_kind=desa_kind,
        kecamatan_name=kecamatan_name,
        period_label=label,
        score=letter.score,
        tier=letter.tier,
        signatory_title=" ".join(signatory.heading).rstrip(","),
        signatory_name=signatory.name,
        signatory_nip=nip(signatory.nip),
        in_force=letter.in_force,
        replaced_by=replacement,
        sha256=letter.pdf_sha256,
        signed=letter.signed,
        kind=letter.kind,
    )


@dataclass(frozen=True)
class FileCheck:
    """The result of checking a held file against the archived letter."""

    matches: bool  # byte for byte the archived letter (SHA-256 equal)
    sha256: str  # the held file's
    signature: signature.SignatureCheck | None  # None: the letter was issued unsigned


def check_file(token: str, data: bytes) -> FileCheck | None:
    """Compare a held file with the letter behind `token` (None for an unknown token). The
    bytes are only hashed and, for a signed letter, their signature checked; never stored."""
    letter = _by_token(token)
    if letter is None:
        return None
    held = archive.sha256(data)
    checked = None
    if letter.signed:
        certificate = _certificate()
        trusted = certificate.trusted if certificate is not None else ()
        checked = signature.check_signatures(data, trusted)
    return FileCheck(matches=held == letter.pdf_sha256, sha256=held, signature=checked)


def _certificate() -> signing.OfficeCertificate | None:
    try:
        return signing.configured()
    except signing.SigningUnavailable:
        return None
