"""Electronic signatures (PAdES, with pyHanko): signing a rendered letter with the office's
PKCS#12 certificate, and checking the signature of a PDF someone holds.

The signature is an incremental update of the rendered PDF/A file with a visible signature field
over the letter's signature block (the block itself, printed by WeasyPrint with the bundled
fonts, says "Ditandatangani secara elektronik"; the field's own appearance is empty, so no
unembedded font enters the file). No timestamp authority and no revocation fetching: the app
works on an intranet with no internet (PAdES B-B).

Plain bytes in and out; pyHanko is imported inside the functions.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

from tracker.pdf.letter import SignatureBox

FIELD_NAME = "TandaTanganElektronik"


class SigningError(RuntimeError):
    """The certificate could not be loaded or the PDF could not be signed."""


@dataclass(frozen=True)
class Certificate:
    """What a page says about a signing certificate, and its DER bytes."""

    subject: str
    issuer: str
    not_after: str  # ISO date
    der: bytes
    chain: tuple[bytes, ...] = ()  # the other certificates of the PKCS#12 (DER)


def load_certificate(pkcs12: bytes, passphrase: bytes | None) -> Certificate:
    """The signing certificate of a PKCS#12 file (SigningError when it cannot be opened)."""
    from cryptography.hazmat.primitives.serialization import Encoding
    from cryptography.hazmat.primitives.serialization import pkcs12 as p12

    try:
        _key, cert, others = p12.load_key_and_certificates(pkcs12, passphrase)
    except Exception as exc:
        raise SigningError("PKCS#12 tidak dapat dibuka (berkas atau kata sandinya salah).") from exc
    if cert is None:
        raise SigningError("PKCS#12 tidak memuat sertifikat penandatangan.")
    return Certificate(
        subject=cert.subject.rfc4514_string(),
        issuer=cert.issuer.rfc4514_string(),
        not_after=cert.not_valid_after_utc.date().isoformat(),
        der=cert.public_bytes(Encoding.DER),
        chain=tuple(c.public_bytes(Encoding.DER) for c in others or ()),
    )


def sign_pdf(
    pdf: bytes,
    pkcs12: bytes,
    passphrase: bytes | None,
    box: SignatureBox | None,
    *,
    reason: str,
    location: str,
    name: str,
) -> bytes:
    """`pdf` signed as PAdES B-B, with a visible field over `box` (invisible without one)."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers
    from pyhanko.stamp import StaticStampStyle

    try:
        signer = signers.SimpleSigner.load_pkcs12_data(pkcs12, [], passphrase=passphrase)
    except ValueError as exc:
        raise SigningError("PKCS#12 tidak dapat dibuka (berkas atau kata sandinya salah).") from exc
    spec = fields.SigFieldSpec(
        FIELD_NAME,
        on_page=box.page if box else 0,
        box=(box.x1, box.y1, box.x2, box.y2) if box else None,
    )
    meta = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason,
        location=location,
        name=name,
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    pdf_signer = signers.PdfSigner(
        meta, signer, stamp_style=StaticStampStyle(border_width=0), new_field_spec=spec
    )
    return pdf_signer.sign_pdf(writer).getvalue()


@dataclass(frozen=True)
class SignatureCheck:
    """What the signatures of a held PDF say."""

    present: bool  # the file holds at least one signature
    intact: bool  # every signature is valid and covers the whole file (nothing added after)
    by_office: bool  # signed with the office's certificate (or one it chains to)
    signer: str = ""  # the signing certificate's subject


def check_signatures(pdf: bytes, trusted: Sequence[bytes]) -> SignatureCheck:
    """Validate every signature in `pdf` against the certificates `trusted` (DER). No network:
    revocation is not fetched."""
    from asn1crypto import x509
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    try:
        signatures = PdfFileReader(io.BytesIO(pdf), strict=False).embedded_signatures
    except Exception:  # not a PDF, or one pyHanko cannot read: nothing to check
        return SignatureCheck(present=False, intact=False, by_office=False)
    if not signatures:
        return SignatureCheck(present=False, intact=False, by_office=False)
    roots = [x509.Certificate.load(der) for der in trusted]
    intact, by_office, signer = True, bool(roots), ""
    for embedded in signatures:
        context = ValidationContext(
            trust_roots=roots, allow_fetching=False, revocation_mode="soft-fail"
        )
        try:
            status = validate_pdf_signature(embedded, context)
        except Exception:  # a malformed signature is not an intact one
            intact, by_office = False, False
            continue
        if status.signing_cert is not None:
            subject = status.signing_cert.subject
            signer = subject.native.get("common_name") or subject.human_friendly
        whole = status.coverage == SignatureCoverageLevel.ENTIRE_FILE
        intact = intact and status.intact and status.valid and whole
        by_office = by_office and status.trusted
    return SignatureCheck(present=True, intact=intact, by_office=by_office, signer=signer)
