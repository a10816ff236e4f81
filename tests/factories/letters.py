"""Letters: office settings ready to sign, assessed KIMs to write to, and a throw-away
electronic-signature certificate."""

from __future__ import annotations

import datetime as dt
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from tests.factories.activity import make_measurement, make_posts
from tests.factories.registry import kim as make_kim
from tests.factories.rules import make_period
from tracker.extensions import db
from tracker.models import Kim, Letter, Period
from tracker.services.assessment.runner import assess_period
from tracker.services.letters import office
from tracker.services.rules import frameworks

SIGNATORY = {
    "signatory_title": "Kepala Dinas Komunikasi dan Informatika",
    "signatory_name": "Drs. SUPRIYADI, M.Si.",
    "signatory_rank": "Pembina Utama Muda (IV/c)",
    "signatory_nip": "197001011995031001",
}


def office_ready(**changes: Any) -> office.OfficeView:
    """Office settings with a signatory (and any other `changes`), saved as the server operator."""
    return office.update(None, {**SIGNATORY, **changes})


def assessed_kims(
    desa_code: str, count: int = 1, period_code: str = "2025-T1", name: str | None = None
) -> tuple[list[Kim], Period]:
    """`count` KIMs in a desa, posting weekly through the period, assessed with framework v1."""
    frameworks.ensure_default()
    period = db.session.scalar(select(Period).where(Period.code == period_code))
    period = period or make_period(period_code)
    kims = []
    for n in range(count):
        kim = make_kim(desa_code=desa_code, name=name if name and n == 0 else None)
        make_posts(kim, *[("berita", period.start_date + timedelta(days=7 * w)) for w in range(13)])
        make_measurement(kim, period, "K3", 3)
        kims.append(kim)
    assess_period(period, None)
    return kims, period


def freeze_today(monkeypatch: Any, day: date) -> None:
    """The office's calendar says `day` (letters are dated by it)."""
    from tracker.services.common import clock

    monkeypatch.setattr(clock, "office_today", lambda: day)


def signing_certificate(directory: Path, passphrase: str = "rahasia-ttd") -> Path:
    """A self-signed signing certificate with its key, as a PKCS#12 file in `directory`."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import BestAvailableEncryption, pkcs12
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "ID"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Diskominfo Uji"),
            x509.NameAttribute(NameOID.COMMON_NAME, "Drs. SUPRIYADI, M.Si."),
        ]
    )
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    data = pkcs12.serialize_key_and_certificates(
        b"ttd", key, cert, None, BestAvailableEncryption(passphrase.encode())
    )
    path = directory / "ttd.p12"
    path.write_bytes(data)
    return path


_letter_counter = 0


def make_letter(kim: Kim, period: Period, kecamatan_code: str, **fields: Any) -> Letter:
    """A letter row as the register reads it (no PDF rendered: for pages and the API that only
    read the register's metadata)."""
    global _letter_counter
    _letter_counter += 1
    year = fields.pop("year", 2025)
    letter = Letter(
        number=fields.pop("number", f"400.14/{_letter_counter:03d}/427.88/{year}"),
        year=year,
        sequence=_letter_counter,
        letter_date=fields.pop("letter_date", date(year, 4, 7)),
        kim_id=kim.id,
        period_id=period.id,
        region_code=kim.desa_code,
        kecamatan_code=kecamatan_code,
        kim_name=kim.name,
        kim_name_key=kim.name_key,
        desa_name=fields.pop("desa_name", "Desa"),
        kecamatan_name=fields.pop("kecamatan_name", "Kecamatan"),
        period_code=period.code,
        score=fields.pop("score", 55.0),
        tier=fields.pop("tier", "Berkembang"),
        content={},
        token=f"token-uji-{_letter_counter:08d}",
        pdf_path=f"uji/{_letter_counter}.pdf",
        pdf_sha256="0" * 64,
        pdf_size=1234,
        **fields,
    )
    db.session.add(letter)
    db.session.commit()
    return letter
