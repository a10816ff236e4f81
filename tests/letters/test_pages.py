"""The letter pages: preview and issue from a KIM's assessment, who may do it, and what a
refusal says."""

from __future__ import annotations

from sqlalchemy import func, select

from tests import factories
from tests.letters.conftest import TODAY, Ready
from tracker.extensions import db
from tracker.models import Letter


def test_the_assessment_page_leads_to_the_preview(client, auth, login_as, ready: Ready):
    login_as("kabid")
    page = client.get(f"/penilaian/2025-T1/kim/{ready.kim.id}").get_data(as_text=True)
    assert f"/surat/baru?periode=2025-T1&amp;kim={ready.kim.id}" in page
    auth.logout()
    login_as("viewer")
    page = client.get(f"/penilaian/2025-T1/kim/{ready.kim.id}").get_data(as_text=True)
    assert "/surat/baru" not in page


def test_preview_then_issue(client, login_as, ready: Ready, fast_render):
    login_as("kabid")
    response = client.get(f"/surat/baru?periode=2025-T1&kim={ready.kim.id}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for text in ("Terbitkan surat", "KIM Kutorenon Maju", "Lumajang, 7 April 2025", "Tembusan"):
        assert text in page, text
    assert "(diberikan saat surat diterbitkan)" in page
    assert db.session.scalar(select(func.count()).select_from(Letter)) == 0  # a preview takes none

    response = client.post("/surat/terbitkan", data={"periode": "2025-T1", "kim": ready.kim.id})
    letter = db.session.scalar(select(Letter))
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/surat/{letter.id}")
    assert letter.issued_by.username == "kabid1" and letter.letter_date == TODAY
    page = client.get(f"/surat/{letter.id}").get_data(as_text=True)
    assert letter.number in page and letter.pdf_sha256 in page

    # issuing twice is refused on the preview, which says which letter is in force
    response = client.post("/surat/terbitkan", data={"periode": "2025-T1", "kim": ready.kim.id})
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "sudah terbit dengan nomor " + letter.number in page
    assert db.session.scalar(select(func.count()).select_from(Letter)) == 1


def test_petugas_and_viewer_cannot_issue(client, auth, login_as, ready: Ready):
    for role in ("petugas", "viewer"):
        auth.logout()
        login_as(role)
        assert client.get(f"/surat/baru?periode=2025-T1&kim={ready.kim.id}").status_code == 403
        response = client.post("/surat/terbitkan", data={"periode": "2025-T1", "kim": ready.kim.id})
        assert response.status_code == 403
    assert db.session.scalar(select(func.count()).select_from(Letter)) == 0


def test_without_a_signatory_the_preview_says_what_to_do(client, login_as, regions):
    (kim,), _period = factories.assessed_kims(regions.desa_a1)
    login_as("admin")
    page = client.get(f"/surat/baru?periode=2025-T1&kim={kim.id}").get_data(as_text=True)
    assert "Penanda tangan surat belum diatur" in page
    assert "Terbitkan surat" not in page
    response = client.post("/surat/terbitkan", data={"periode": "2025-T1", "kim": kim.id})
    assert response.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Letter)) == 0


def test_a_kim_not_assessed_is_refused(client, login_as, regions):
    factories.office_ready()
    factories.make_period("2025-T1")
    kim = factories.kim(desa_code=regions.desa_a1)
    login_as("admin")
    response = client.get(f"/surat/baru?periode=2025-T1&kim={kim.id}")
    assert response.status_code == 422
    assert "belum dinilai" in response.get_data(as_text=True)


def test_the_register_is_in_the_menu(client, auth, login_as, ready: Ready):
    login_as("viewer")
    page = client.get("/").get_data(as_text=True)
    assert 'href="/surat/"' in page and "/surat/pengaturan/" not in page
    auth.logout()
    login_as("admin")
    page = client.get("/").get_data(as_text=True)
    assert "/surat/pengaturan/" in page
