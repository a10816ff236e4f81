"""Stored XSS: every free-text field of the forms that create and edit records (found on the
pages, tests/security/forms.py) is saved with a payload, then every page, export and PDF is read
back: HTML shows it escaped (never a live tag), CSV/XLSX cells never start as a formula, and the
letter and register PDFs (rendered for real) print it as text."""

from __future__ import annotations

import csv
import io

import pytest
from flask import Flask
from openpyxl import load_workbook
from pypdf import PdfReader

from tests import factories
from tests.security.forms import harvest
from tests.security.world import World, object_pages
from tracker.pdf import letter as letter_pdf

PAYLOAD = "=1+1<script>alert(1)</script>\"'><img src=x onerror=1>"
LIVE = ("<script>alert(1)</script>", "<img src=x onerror=1>")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# free-text fields that hold codes, numbers or dates (checked as such, no text stored)
NOT_FREE_TEXT = {
    "version",
    "desa_code",
    "kimid_number",
    "sk_date",
    "phone",
    "email",
    "website",
    "members",
    "start_date",
    "end_date",
    "jp",
    "closed_on",
    "due_on",
    "number_template",
    "public_base_url",
    "signatory_nip",
    "code",
    "username",
    "locale",
}


@pytest.mark.slow
def test_free_text_is_never_live_in_pages_exports_or_pdfs(app: Flask, world: World, cases) -> None:
    client = app.test_client()
    client.post("/login", data={"username": "admin-kab", "password": factories.PASSWORD})
    forms = harvest(client, object_pages(app, world, sides="a"))
    saved = 0
    for action, form in forms.items():
        texts = [f for f in form.text_fields() if f.name not in NOT_FREE_TEXT and f.name != "q"]
        if not texts or "/impor" in action or action.startswith("/verifikasi/"):
            continue
        data = form.data()
        for f in texts:
            data[f.name] = PAYLOAD if not f.maxlength or f.maxlength >= len(PAYLOAD) else "=1+1"
        response = client.post(action, data=data)
        cases["XSS: forms sent with the payload"] += 1
        assert response.status_code < 500, action
        saved += response.status_code == 302
    assert saved >= 5  # KIMs, sessions, topics, office settings, follow-ups took the payload
    failures = []
    for page in object_pages(app, world):
        response = client.get(page)
        cases["XSS: pages and files read back"] += 1
        kind = response.content_type
        if response.status_code != 200:
            continue
        if "text/html" in kind:
            html = response.get_data(as_text=True)
            failures += [f"{page}: live {live}" for live in LIVE if live in html]
        elif "csv" in kind:
            text = response.get_data().decode("utf-8-sig", "replace")
            delimiter = ";" if text.count(";") > text.count(",") else ","
            for row in csv.reader(io.StringIO(text), delimiter=delimiter):
                failures += [f"{page}: formula {c!r}" for c in row if c.startswith("=1+1")]
        elif "spreadsheet" in kind:
            book = load_workbook(io.BytesIO(response.data))
            for sheet in book.worksheets:
                for row in sheet.iter_rows(values_only=True):
                    failures += [
                        f"{page}: formula {c!r}"
                        for c in row
                        if isinstance(c, str) and c.startswith("=1+1")
                    ]
    assert not failures, "\n".join(failures)


REAL_RENDER = letter_pdf.render_letter  # the world renders letters with a stand-in


def _pdf_text(data: bytes) -> str:
    return "".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(data)).pages)


def test_free_text_in_letters_and_the_register_pdf_stays_text(
    app: Flask, world: World, monkeypatch, cases
) -> None:
    """A KIM named with the payload through its edit form, and the office's address too: the
    letter (rendered for real with WeasyPrint) and the register PDF print the characters, they
    do not run or drop them as markup."""
    monkeypatch.setattr(letter_pdf, "render_letter", REAL_RENDER)
    client = app.test_client()
    client.post("/login", data={"username": "admin-kab", "password": factories.PASSWORD})
    (kim,), _period = factories.assessed_kims(world.a.desa, name="KIM Calon")
    forms = harvest(client, [f"/kim/{kim.id}/ubah", "/surat/pengaturan/"])
    edit = forms[f"/kim/{kim.id}/ubah"]
    assert client.post(edit.url, data={**edit.data(), "name": PAYLOAD}).status_code == 302
    office = forms["/surat/pengaturan/"]
    assert client.post(office.url, data={**office.data(), "address": PAYLOAD}).status_code == 302
    issued = client.post("/surat/terbitkan", data={"periode": "2025-T1", "kim": str(kim.id)})
    assert issued.status_code == 302 and "/surat/" in issued.headers["Location"]
    letter_page = issued.headers["Location"]
    cases["XSS: PDFs read back"] += 2
    for url in (f"{letter_page}/pdf", "/surat/agenda.pdf"):
        response = client.get(url)
        assert response.status_code == 200 and response.data.startswith(b"%PDF"), url
        text = " ".join(_pdf_text(response.data).split())
        assert "<script>alert(1)</script>" in text, (url, text[:500])
        assert "<img src=x onerror=1>" in text or url.endswith("agenda.pdf"), url
