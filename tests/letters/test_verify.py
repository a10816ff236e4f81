"""The public verification page: a valid, a revoked and an unknown token; an uploaded original
matches and a modified copy does not; the rate limit per client; unguessable tokens."""

from __future__ import annotations

import io
import re

from tests.letters.conftest import Ready
from tracker.services.letters import archive, issue, revoke


def _upload(client, token: str, data: bytes, name: str = "surat.pdf"):  # type: ignore[no-untyped-def]
    return client.post(
        f"/verifikasi/{token}",
        data={"berkas": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def test_a_valid_letter_shows_what_it_prints_and_that_it_is_in_force(client, ready: Ready):
    letter = issue.issue_letter(None, "2025-T1", ready.kim.id)
    response = client.get(f"/verifikasi/{letter.token}")  # no login
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for text in (
        "Surat ini asli dan BERLAKU",
        letter.number,
        "7 April 2025",
        "KIM Kutorenon Maju",
        "Kutorenon",
        "Triwulan I Tahun 2025",
        letter.tier,
        "Drs. SUPRIYADI, M.Si.",
        "19700101 199503 1 001",
        letter.pdf_sha256,
    ):
        assert text in page, text


def test_a_revoked_letter_says_so_and_names_its_replacement(client, ready: Ready, fast_render):
    old = issue.issue_letter(None, "2025-T1", ready.kim.id)
    done = revoke.revoke(None, old.id, "Nama ketua salah tulis", reissue=True)
    page = client.get(f"/verifikasi/{old.token}").get_data(as_text=True)
    assert "DICABUT" in page and "Surat ini asli dan BERLAKU" not in page
    assert done.replacement is not None and done.replacement.number in page
    assert "Nama ketua salah tulis" not in page  # nothing beyond what the letter prints
    new_page = client.get(f"/verifikasi/{done.replacement.token}").get_data(as_text=True)
    assert "BERLAKU" in new_page


def test_an_unknown_token_is_not_found(client, ready: Ready):
    issue.issue_letter(None, "2025-T1", ready.kim.id)
    for token in ("A" * 32, "bukan-token", "x"):
        response = client.get(f"/verifikasi/{token}")
        assert response.status_code == 404
        assert "Surat tidak dikenal" in response.get_data(as_text=True)


def test_the_uploaded_original_matches_and_a_modified_copy_does_not(client, ready: Ready):
    letter = issue.issue_letter(None, "2025-T1", ready.kim.id)
    original = archive.read(letter.pdf_path)
    page = _upload(client, letter.token, original).get_data(as_text=True)
    assert "Cocok: berkas ini sama persis" in page
    middle = len(original) // 2
    modified = original[:middle] + bytes([original[middle] ^ 0x20]) + original[middle + 1 :]
    response = _upload(client, letter.token, modified)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Tidak cocok" in page and "Cocok: berkas" not in page
    assert "tanda tangan elektronik" not in page.lower().split("periksa berkas")[-1]
    # the upload was not kept anywhere
    assert sorted(p.name for p in archive.root().rglob("*") if p.is_file()) == ["000001.pdf"]


def test_an_upload_without_a_file_is_refused(client, ready: Ready, fast_render):
    letter = issue.issue_letter(None, "2025-T1", ready.kim.id)
    response = client.post(f"/verifikasi/{letter.token}", data={})
    assert response.status_code == 422
    assert "Pilih berkas PDF" in response.get_data(as_text=True)


def test_tokens_are_long_random_and_url_safe(ready: Ready, regions, fast_render):
    letter = issue.issue_letter(None, "2025-T1", ready.kim.id)
    assert re.fullmatch(r"[A-Za-z0-9_-]{32}", letter.token)  # 24 random bytes: 192 bits
    assert issue.TOKEN_BYTES * 8 >= 128


def test_the_page_is_rate_limited_per_client(app, client, ready: Ready, fast_render):
    app.config["VERIFY_RATE_LIMIT"] = 5
    letter = issue.issue_letter(None, "2025-T1", ready.kim.id)
    statuses = [client.get(f"/verifikasi/{letter.token}").status_code for _ in range(5)]
    assert statuses == [200] * 5
    limited = client.get(f"/verifikasi/{letter.token}")
    assert limited.status_code == 429
    assert int(limited.headers["Retry-After"]) > 0
    assert "Terlalu banyak permintaan" in limited.get_data(as_text=True)
    # guessing other tokens counts too, and another client is not held back
    assert client.get("/verifikasi/" + "B" * 32).status_code == 429
    other = client.get(f"/verifikasi/{letter.token}", environ_overrides={"REMOTE_ADDR": "10.0.0.9"})
    assert other.status_code == 200
