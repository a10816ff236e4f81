"""Issuing one letter: what the PDF says, the QR code, escaping, PDF/A, the archive, and what
stops a letter (no signatory, stale data, one already in force, a render that raises)."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path
from xml.etree import ElementTree

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from tests import factories
from tests.letters.conftest import TODAY, Ready
from tracker.extensions import db
from tracker.models import AuditEntry, Letter, LetterSequence
from tracker.pdf import letter as letter_pdf
from tracker.services.common.errors import Invalid
from tracker.services.letters import archive, issue, office
from tracker.services.registry.kims import KimNotFoundError


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def _pdf(letter: Letter) -> bytes:
    return archive.read(letter.pdf_path)


def test_the_pdf_says_number_date_kim_tier_and_signatory(ready: Ready):
    letter = issue.issue_letter(None, "2025-T1", ready.kim.id)
    assert letter.number == "400.14/001/DISKOMINFO/2025"
    text = _text(_pdf(letter))
    for expected in (
        "400.14/001/DISKOMINFO/2025",
        "Lumajang, 7 April 2025",
        "KIM Kutorenon Maju",
        letter.tier.upper(),
        "Drs. SUPRIYADI, M.Si.",
        "NIP 19700101 199503 1 001",
        "PEMERINTAH KABUPATEN LUMAJANG",
        "DINAS KOMUNIKASI DAN INFORMATIKA",
        "Triwulan I Tahun 2025",
        "Tembusan",
        "Camat Sukodono",
        "RINCIAN HASIL EVALUASI",
        "Halaman 2 dari 2",
    ):
        assert expected in text, expected
    assert len(PdfReader(io.BytesIO(_pdf(letter))).pages) == 2


def test_the_attachment_chart_is_the_charts_svg_rendered_in_the_pdf(ready: Ready):
    """The dimension chart comes from tracker.charts (the pages' code path): the preview shows
    its SVG with a title and description, and WeasyPrint draws it in the PDF, its labels, scores
    and tier marks readable as text on the attachment page."""
    preview = issue.preview(None, "2025-T1", ready.kim.id)
    assert preview.chart_svg.startswith("<svg")
    assert "<title" in preview.chart_svg and "<desc" in preview.chart_svg
    letter = issue.issue_letter(None, "2025-T1", ready.kim.id)
    attachment = PdfReader(io.BytesIO(_pdf(letter))).pages[1].extract_text()
    chart = attachment[attachment.index("0\n20\n40\n60\n80\n100") :]  # the chart's axis
    for d in preview.data.dimensions:  # each bar's label then its value, one decimal
        shown = f"{d.score or 0:.1f}".replace(".", ",")
        assert f"{d.code} {d.name}\n{shown}" in chart, d.code
    assert chart.index("Berkembang") < chart.index("Maju") < chart.index("Mandiri")  # marks


def test_the_archive_holds_the_pdf_under_its_sha256_and_the_letter_its_content(ready: Ready):
    letter = issue.issue_letter(None, "2025-T1", ready.kim.id)
    data = _pdf(letter)
    assert archive.sha256(data) == letter.pdf_sha256 and letter.pdf_size == len(data)
    assert (archive.root() / "2025" / "000001.pdf").read_bytes() == data
    frozen = letter_pdf.LetterData.from_json(letter.content)
    assert frozen.number == letter.number and frozen.signatory.nip == "197001011995031001"
    assert frozen.kim_name == "KIM Kutorenon Maju" and frozen.tier == letter.tier
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "letter.issue"))
    assert entry is not None and entry.params["number"] == letter.number
    assert entry.kim_id == ready.kim.id


@pytest.mark.skipif(
    not (shutil.which("zbarimg") and shutil.which("pdftoppm")),
    reason="zbarimg (zbar-tools) and pdftoppm (poppler-utils) are needed to read the QR code",
)
def test_the_qr_code_on_the_page_decodes_to_the_verification_url(ready: Ready, tmp_path: Path):
    letter = issue.issue_letter(None, "2025-T1", ready.kim.id)
    pdf = tmp_path / "surat.pdf"
    pdf.write_bytes(_pdf(letter))
    subprocess.run(
        ["pdftoppm", "-r", "200", "-f", "1", "-l", "1", "-png", str(pdf), str(tmp_path / "hal")],
        check=True,
    )
    (image,) = tmp_path.glob("hal*.png")
    decoded = subprocess.run(
        ["zbarimg", "--quiet", "--raw", str(image)], capture_output=True, text=True, check=True
    ).stdout.split()
    assert decoded == [f"http://localhost/verifikasi/{letter.token}"]


def test_html_in_a_kim_name_prints_as_text(regions, monkeypatch, client, login_as):
    factories.office_ready()
    factories.freeze_today(monkeypatch, TODAY)
    name = "KIM <b>Maju</b> & <img src=x>"
    (kim,), _period = factories.assessed_kims(regions.desa_a1, name=name)
    letter = issue.issue_letter(None, "2025-T1", kim.id)
    assert "KIM <b>Maju</b> & <img src=x>" in _text(_pdf(letter))
    login_as("admin")
    page = client.get(f"/surat/baru?periode=2025-T1&kim={kim.id}").get_data(as_text=True)
    assert "KIM &lt;b&gt;Maju&lt;/b&gt; &amp; &lt;img src=x&gt;" in page
    assert "<b>Maju</b>" not in page


def test_the_archived_letter_is_pdf_a_3b(ready: Ready):
    letter = issue.issue_letter(None, "2025-T1", ready.kim.id)
    metadata = PdfReader(io.BytesIO(_pdf(letter))).xmp_metadata
    assert metadata is not None
    assert _pdfa_id(metadata.stream.get_data()) == ("3", "B")


def _pdfa_id(xmp: bytes) -> tuple[str | None, str | None]:
    """(part, conformance) of the XMP's PDF/A identification, written as attributes or elements."""
    ns = "{http://www.aiim.org/pdfa/ns/id/}"
    found: dict[str, str] = {}
    for node in ElementTree.fromstring(xmp).iter():
        for key in ("part", "conformance"):
            if ns + key in node.attrib:
                found[key] = node.attrib[ns + key]
            if node.tag == ns + key and node.text:
                found[key] = node.text.strip()
    return found.get("part"), found.get("conformance")


def test_a_render_that_raises_takes_no_number(ready: Ready, regions, monkeypatch):
    def broken(data, logo=None, chart_svg=None):  # type: ignore[no-untyped-def]
        raise RuntimeError("render failed")

    real = letter_pdf.render_letter
    monkeypatch.setattr(letter_pdf, "render_letter", broken)
    with pytest.raises(RuntimeError):
        issue.issue_letter(None, "2025-T1", ready.kim.id)
    assert db.session.scalar(select(func.count()).select_from(Letter)) == 0
    sequence = db.session.get(LetterSequence, 2025)
    assert sequence is None or sequence.last_number == 0
    assert not list(archive.root().rglob("*.pdf"))
    monkeypatch.setattr(letter_pdf, "render_letter", real)
    letter = issue.issue_letter(None, "2025-T1", ready.kim.id)
    assert letter.sequence == 1 and letter.number == "400.14/001/DISKOMINFO/2025"


def test_a_fresh_installation_refuses_until_a_signatory_is_set(regions, monkeypatch):
    (kim,), _period = factories.assessed_kims(regions.desa_a1)
    fresh = office.current()
    assert not fresh.stored
    assert fresh.government == "PEMERINTAH KABUPATEN LUMAJANG"
    assert fresh.agency == "DINAS KOMUNIKASI DAN INFORMATIKA" and fresh.place == "Lumajang"
    with pytest.raises(issue.LetterRefused) as refused:
        issue.issue_letter(None, "2025-T1", kim.id)
    assert "Penanda tangan surat belum diatur" in refused.value.message
    assert "flask office set" in refused.value.message
    assert db.session.scalar(select(func.count()).select_from(Letter)) == 0


def test_a_second_letter_for_the_same_kim_and_period_is_refused(ready: Ready, fast_render):
    first = issue.issue_letter(None, "2025-T1", ready.kim.id)
    with pytest.raises(issue.LetterRefused) as refused:
        issue.issue_letter(None, "2025-T1", ready.kim.id)
    assert first.number in refused.value.message
    assert db.session.get(LetterSequence, 2025).last_number == 1  # the refusal took no number


def test_data_changed_since_the_assessment_is_refused(ready: Ready, fast_render):
    factories.make_measurement(ready.kim, ready.period, "D1", 2)
    from tracker.services.common import input_changes
    from tracker.services.common.unit_of_work import transaction

    with transaction():
        input_changes.period_changed(ready.period.id, [ready.kim.id])
    with pytest.raises(Invalid) as refused:
        issue.issue_letter(None, "2025-T1", ready.kim.id)
    assert "penilaian ulang" in refused.value.message


def test_a_kim_outside_the_scope_is_not_found(ready: Ready, regions, fast_render):
    kabid = factories.user(role="kabid", scope=[regions.kec_b], username="kabid-pasirian")
    with pytest.raises(KimNotFoundError):
        issue.issue_letter(kabid, "2025-T1", ready.kim.id)


def test_the_fetcher_serves_static_files_and_refuses_everything_else():
    from weasyprint import HTML

    from tracker.pdf.fetcher import make_fetcher, static_url

    fetcher = make_fetcher()
    assert b"@font-face" in fetcher(static_url("css/letter.css")).read()
    for url in (
        "file:///etc/passwd",
        "https://example.org/x.png",
        "http://127.0.0.1:5000/surat/",
        static_url("../config.py"),
        "data:text/plain,hello",
    ):
        with pytest.raises(ValueError):
            fetcher(url)
    html = '<img src="file:///etc/passwd"><img src="https://example.org/a.png">'
    fetcher = make_fetcher()
    HTML(string=html, base_url=static_url(""), url_fetcher=fetcher).write_pdf()
    assert fetcher.refused == ["file:///etc/passwd", "https://example.org/a.png"]


def test_the_letter_embeds_only_the_bundled_fonts(ready: Ready):
    """Liberation Sans 2.1.5 from static/fonts, never a font of the server (which may have an
    older Liberation, or DejaVu, installed under the same family names)."""
    from fontTools.ttLib import TTFont

    letter = issue.issue_letter(None, "2025-T1", ready.kim.id)
    versions = set()
    for page in PdfReader(io.BytesIO(_pdf(letter))).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            (descendant,) = font["/DescendantFonts"]
            descriptor = descendant.get_object()["/FontDescriptor"].get_object()
            program = TTFont(io.BytesIO(descriptor["/FontFile2"].get_object().get_data()))
            versions.add((str(font["/BaseFont"]).split("+")[-1], program["name"].getDebugName(5)))
    assert {v for _name, v in versions} == {"Version 2.1.5"}
    assert {name for name, _v in versions} >= {"Liberation-Sans", "Liberation-Sans-Bold"}
