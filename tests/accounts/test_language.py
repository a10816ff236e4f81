"""English as the second catalogue: a user who chose English reads English, everyone else
Indonesian; the catalogue is complete and its placeholders match the Indonesian source."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from flask import Flask

from tests.accounts.conftest import PO_FILE, english_catalog


def test_english_user_reads_english(english_app: Flask, client_as) -> None:
    client = client_as(english_app, "inggris", "en")
    page = client.get("/akun").text
    assert '<html lang="en"' in page
    assert "My account" in page and "Change password" in page
    assert "Log out" in page  # the menu in base.html
    assert "Akun saya" not in page and "Ganti kata sandi" not in page
    users_page = client.get("/admin/pengguna/").text
    assert "Add user" in users_page and "Tambah pengguna" not in users_page


def test_indonesian_user_reads_indonesian(english_app: Flask, client_as) -> None:
    client = client_as(english_app, "indonesia", "id")
    page = client.get("/akun").text
    assert '<html lang="id"' in page
    assert "Akun saya" in page and "Ganti kata sandi" in page and "Keluar" in page
    assert "My account" not in page


def test_switching_language_applies_from_the_next_page(english_app: Flask, client_as) -> None:
    client = client_as(english_app, "pindah", "id")
    response = client.post("/akun/bahasa", data={"locale": "en"}, follow_redirects=True)
    assert "Display language saved." in response.text
    assert "My account" in response.text
    back = client.post("/akun/bahasa", data={"locale": "id"}, follow_redirects=True)
    assert "Bahasa tampilan disimpan." in back.text and "Akun saya" in back.text


def test_english_error_messages_from_services(english_app: Flask, client_as) -> None:
    client = client_as(english_app, "inggris", "en")
    response = client.post(
        "/akun/kata-sandi",
        data={
            "current_password": "salah-salah-salah",
            "new_password": "x" * 12,
            "confirm": "x" * 12,
        },
    )
    assert response.status_code == 422
    assert "Current password is wrong." in response.text


def test_login_page_is_indonesian_before_anyone_logs_in(english_app: Flask) -> None:
    page = english_app.test_client().get("/login").text
    assert "Masuk ke Jenjang" in page


def test_catalogue_is_complete_and_consistent() -> None:
    catalog = english_catalog()
    assert catalog.fuzzy is False, "the catalogue header is marked fuzzy: compile would skip it"
    untranslated = [m.id for m in catalog if m.id and not m.string]
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert not untranslated, f"{len(untranslated)} texts without English: {untranslated[:5]}"
    assert not fuzzy, f"fuzzy entries: {fuzzy[:5]}"
    problems = [(m.id, [str(e) for e in errors]) for m, errors in catalog.check()]
    assert not problems, problems[:5]


@pytest.mark.slow
def test_every_text_in_the_code_has_its_english() -> None:
    """Every msgid the sources hold (extracted as `flask translate update` does: babel.cfg, the
    default keywords with N_, plus _l/lazy_gettext) is in the English catalogue, so a new text
    cannot reach an English reader untranslated."""
    root = Path(__file__).resolve().parents[2]
    with (root / "babel.cfg").open() as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    keywords = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None}
    catalog = english_catalog()
    missing = sorted(
        {
            (message if isinstance(message, str) else message[0])
            for _file, _line, message, _comments, _context in extract_from_dir(
                root, method_map, options_map, keywords=keywords
            )
            if (message if isinstance(message, str) else message[0]) not in catalog
        }
    )
    assert not missing, f"{len(missing)} texts without English: {missing[:10]}"


def test_translate_compile_command_builds_the_catalogue(runner) -> None:  # type: ignore[no-untyped-def]
    compiled = PO_FILE.with_suffix(".mo")
    compiled.unlink(missing_ok=True)  # a build product (git-ignored); the command makes it again
    result = runner.invoke(args=["translate", "compile"])
    assert result.exit_code == 0, result.output
    assert compiled.is_file()
