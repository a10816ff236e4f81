"""Electronic signatures: with a (throw-away) PKCS#12 certificate every letter is signed as
PAdES, the signature validates with pyHanko and a modified copy fails; without one, letters say
nothing about a signature."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from tests import factories
from tests.letters.conftest import Ready
from tracker.pdf import signature
from tracker.services.letters import archive, issue, signing


@pytest.fixture
def certificate(app, tmp_path):  # type: ignore[no-untyped-def]
    path = factories.signing_certificate(tmp_path)
    app.config.update(LETTER_SIGNING_PKCS12=str(path), LETTER_SIGNING_PASSPHRASE="rahasia-ttd")
    return path


def _validate(pdf: bytes, trusted: tuple[bytes, ...]):  # type: ignore[no-untyped-def]
    from asn1crypto import x509
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    (embedded,) = PdfFileReader(io.BytesIO(pdf)).embedded_signatures
    context = ValidationContext(
        trust_roots=[x509.Certificate.load(der) for der in trusted], allow_fetching=False
    )
    return embedded, validate_pdf_signature(embedded, context)


def test_a_signed_letter_validates_and_a_modified_copy_fails(certificate, ready: Ready, client):
    letter = issue.issue_letter(None, "2025-T1", ready.kim.id)
    assert letter.signed
    pdf = archive.read(letter.pdf_path)
    trusted = signing.configured().trusted
    embedded, status = _validate(pdf, trusted)
    assert status.intact and status.valid and status.trusted
    assert status.bottom_line
    assert embedded.sig_field.get("/Rect") is not None  # a visible field on the letter
    assert embedded.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"  # PAdES
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "Ditandatangani secara elektronik" in text

    # a byte of the signed content changed: the signature no longer holds
    start = pdf.index(b"stream", pdf.index(b"/Contents")) + 20
    tampered = pdf[:start] + bytes([pdf[start] ^ 0x01]) + pdf[start + 1 :]
    assert tampered != pdf
    _embedded, broken = _validate(tampered, trusted)
    assert not (broken.intact and broken.valid)
    assert not signature.check_signatures(tampered, trusted).intact
    held = signature.check_signatures(pdf, trusted)
    assert held.present and held.intact and held.by_office

    page = _upload(client, letter.token, pdf)
    assert "Tanda tangan elektronik utuh dan dibuat dengan sertifikat dinas" in page
    page = _upload(client, letter.token, tampered)
    assert "Tidak cocok" in page and "TIDAK utuh" in page


def test_a_copy_with_something_appended_after_signing_is_not_intact(certificate, ready: Ready):
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    letter = issue.issue_letter(None, "2025-T1", ready.kim.id)
    pdf = archive.read(letter.pdf_path)
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    writer.root["/Diubah"] = generic.NameObject("/SesudahDitandatangani")
    writer.update_root()
    out = io.BytesIO()
    writer.write(out)
    assert len(out.getvalue()) > len(pdf)  # a revision appended after the signature
    changed = signature.check_signatures(out.getvalue(), signing.configured().trusted)
    assert changed.present and not changed.intact


def test_without_a_certificate_a_letter_says_nothing_about_a_signature(ready: Ready, client):
    letter = issue.issue_letter(None, "2025-T1", ready.kim.id)
    assert not letter.signed
    pdf = archive.read(letter.pdf_path)
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "elektronik" not in text
    assert b"/ByteRange" not in pdf
    page = _upload(client, letter.token, pdf)
    assert "Cocok" in page and "tanda tangan elektronik" not in page.lower()


def test_a_configured_certificate_that_cannot_be_opened_refuses_to_issue(
    app, ready: Ready, tmp_path
):
    path = factories.signing_certificate(tmp_path)
    app.config.update(LETTER_SIGNING_PKCS12=str(path), LETTER_SIGNING_PASSPHRASE="salah")
    with pytest.raises(signing.SigningUnavailable) as refused:
        issue.issue_letter(None, "2025-T1", ready.kim.id)
    assert "tidak dapat dipakai" in refused.value.message


def _upload(client, token: str, data: bytes) -> str:  # type: ignore[no-untyped-def]
    response = client.post(
        f"/verifikasi/{token}",
        data={"berkas": (io.BytesIO(data), "surat.pdf")},
        content_type="multipart/form-data",
    )
    return response.get_data(as_text=True)
