"""The office's electronic-signature certificate, when one is configured.

An electronic-signature provider (BSrE, a certified PSrE) issues the office a PKCS#12 file. The
server operator points LETTER_SIGNING_PKCS12 at it and puts its passphrase in
LETTER_SIGNING_PASSPHRASE (the environment, never the database or a form). With both, every
letter issued is signed as PAdES; without, letters are issued unsigned and say nothing about a
signature. A file configured but unreadable refuses issuing: a letter silently issued unsigned
would look signed to nobody and be missed by everybody.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _

from tracker.pdf import signature
from tracker.services.common.errors import Invalid

_cache: dict[tuple[str, float, bytes | None], OfficeCertificate] = {}


@dataclass(frozen=True)
class OfficeCertificate:
    pkcs12: bytes
    passphrase: bytes | None
    certificate: signature.Certificate

    @property
    def trusted(self) -> tuple[bytes, ...]:
        """The certificates a held letter's signature is checked against."""
        return (self.certificate.der, *self.certificate.chain)


class SigningUnavailable(Invalid):
    """A certificate is configured but cannot be used."""


def configured() -> OfficeCertificate | None:
    """The office's certificate, or None when signing is not configured."""
    location = str(current_app.config.get("LETTER_SIGNING_PKCS12") or "").strip()
    if not location:
        return None
    raw = current_app.config.get("LETTER_SIGNING_PASSPHRASE")
    passphrase = raw.encode() if isinstance(raw, str) and raw else raw or None
    path = Path(location)
    try:
        key = (str(path), path.stat().st_mtime, passphrase)
        if key not in _cache:
            data = path.read_bytes()
            _cache.clear()
            _cache[key] = OfficeCertificate(
                data, passphrase, signature.load_certificate(data, passphrase)
            )
        return _cache[key]
    except (OSError, signature.SigningError) as exc:
        raise SigningUnavailable(
            _(
                "Sertifikat tanda tangan elektronik (LETTER_SIGNING_PKCS12) tidak dapat dipakai: "
                "%(why)s Surat tidak diterbitkan; hubungi pengelola server.",
                why=str(exc),
            )
        ) from exc
