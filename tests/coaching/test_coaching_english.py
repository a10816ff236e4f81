"""The coaching pages in the second catalogue: an English reader reads English."""

from __future__ import annotations

from datetime import date

from flask import Flask

from tests import factories
from tests.accounts.conftest import (  # noqa: F401 - the fixtures
    client_as,
    english_app,
    english_translations,
)


def test_an_english_reader_reads_the_coaching_pages_in_english(
    english_app: Flask,  # noqa: F811
    client_as,  # noqa: F811
) -> None:
    kim = factories.kim("35.08.09.2001", name="KIM Kutorenon")
    session = factories.make_session("Pelatihan Foto", date(2025, 2, 10), invited=[kim])
    client = client_as(english_app, "inggris", "en")
    listing = client.get("/pembinaan/").text
    assert "Coaching sessions" in listing and "Plan a session" in listing
    page = client.get(f"/pembinaan/sesi/{session.id}").text
    assert "Invitations and attendance" in page and "0 of 1 KIMs present" in page
    assert "Undangan dan kehadiran" not in page
    assert "Add topic" in client.get("/pembinaan/materi/").text
