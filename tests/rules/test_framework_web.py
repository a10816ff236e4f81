"""Framework admin pages: who may read and write, the rules as tables, the edit form."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from tests import factories
from tracker.extensions import db
from tracker.models import AuditEntry
from tracker.services.rules import frameworks


@pytest.fixture
def v1(app):  # type: ignore[no-untyped-def]
    return frameworks.ensure_default()


def _edit_data(**overrides: str) -> dict[str, str]:
    from tracker.scoring.editing import form_fields

    data = form_fields(frameworks.get(2).definition)
    data.update(overrides)
    return data


@pytest.mark.parametrize("role", ["admin", "kabid", "petugas", "viewer"])
def test_every_role_can_read(client: FlaskClient, login_as, v1, role: str) -> None:
    login_as(role)
    listing = client.get("/kerangka/")
    assert listing.status_code == 200
    assert "Kerangka Penilaian KIM v1" in listing.text
    assert "Aktif" in listing.text
    page = client.get("/kerangka/1")
    assert page.status_code == 200
    # the rules as readable tables
    assert "Berita per bulan" in page.text
    assert "0→0, ≥1→30, ≥4→60, ≥8→80, ≥12→100" in page.text
    assert "≤7→100, ≤30→60, ≤90→20, lainnya→0" in page.text
    assert "Rintisan &lt; 40 ≤ Berkembang &lt; 60 ≤ Maju &lt; 80 ≤ Mandiri" in page.text
    assert "Mandiri memerlukan D Kemandirian &amp; dampak ≥ 50" in page.text
    assert "Penulisan berita desa" in page.text


def test_anonymous_is_sent_to_login(client: FlaskClient, v1) -> None:
    assert client.get("/kerangka/").status_code == 302


@pytest.mark.parametrize("role", ["kabid", "petugas", "viewer"])
def test_writes_need_manage_framework(client: FlaskClient, login_as, v1, role: str) -> None:
    frameworks.create_draft(1, None)
    login_as(role)
    assert client.post("/kerangka/1/salin").status_code == 403
    assert client.get("/kerangka/2/ubah").status_code == 403
    assert client.post("/kerangka/2/ubah", data=_edit_data(stab_margin="1")).status_code == 403
    assert client.post("/kerangka/2/aktifkan").status_code == 403
    assert frameworks.get_active().version == 1
    assert frameworks.get(2).definition["stability"]["demotion_margin"] == 5
    page = client.get("/kerangka/2").text
    assert "Ubah draf" not in page and "Aktifkan" not in page


def test_unknown_version_is_404(client: FlaskClient, login_as, v1) -> None:
    login_as("admin")
    assert client.get("/kerangka/7").status_code == 404
    assert client.get("/kerangka/7/ubah").status_code == 404
    assert client.post("/kerangka/7/salin").status_code == 404


def test_admin_copies_edits_and_activates(client: FlaskClient, login_as, v1) -> None:
    login_as("admin")
    response = client.post("/kerangka/1/salin")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/kerangka/2/ubah")

    form = client.get("/kerangka/2/ubah")
    assert form.status_code == 200
    assert 'value="0:0; 1:30; 4:60; 8:80; 12:100"' in form.text
    assert 'value="7:100; 30:60; 90:20; *:0"' in form.text

    saved = client.post(
        "/kerangka/2/ubah",
        data=_edit_data(tier_2_min="65", ind_W1_bands="0:0; 2:40; 12:100"),
        follow_redirects=True,
    )
    assert saved.status_code == 200
    assert "Draf v2 disimpan." in saved.text
    assert "Maju &lt; 80" in saved.text and "&lt; 65 ≤ Maju" in saved.text
    assert "0→0, ≥2→40, ≥12→100" in saved.text

    activated = client.post("/kerangka/2/aktifkan", follow_redirects=True)
    assert "Kerangka v2 sekarang aktif." in activated.text
    assert frameworks.get_active().version == 2
    assert frameworks.get(1).state == "retired"
    actions = set(db.session.scalars(select(AuditEntry.action)))
    assert {"framework.draft", "framework.update", "framework.activate"} <= actions


def test_edit_shows_every_problem_and_keeps_what_was_typed(
    client: FlaskClient, login_as, v1
) -> None:
    frameworks.create_draft(1, None)
    login_as("admin")
    response = client.post(
        "/kerangka/2/ubah",
        data=_edit_data(
            dim_W_weight="empat puluh",
            ind_W1_bands="0:0; 4:60; 1:30",
            ind_M1_weight="0",
            tier_3_min="55",
        ),
    )
    assert response.status_code == 422
    text = response.text
    assert "Draf belum disimpan" in text
    assert "Bobot dimensi W: &#39;empat puluh&#39; bukan angka." in text
    assert (
        "Pita skor W1: batas harus naik berurutan; 1 setelah 4 membuat pita tumpang tindih" in text
    )
    assert "Bobot indikator M1 harus lebih dari 0" in text
    assert "Mandiri (55) tidak di atas Maju (60)" in text
    # what was typed comes back
    assert 'value="empat puluh"' in text
    assert 'value="0:0; 4:60; 1:30"' in text
    assert 'value="55"' in text
    # and nothing was written
    definition = frameworks.get(2).definition
    assert definition["dimensions"][1]["weight"] == 40
    assert definition["tiers"][3]["min"] == 80


def test_typed_markup_is_escaped(client: FlaskClient, login_as, v1) -> None:
    frameworks.create_draft(1, None)
    login_as("admin")
    response = client.post(
        "/kerangka/2/ubah", data=_edit_data(dim_K_weight="<script>alert(1)</script>")
    )
    assert response.status_code == 422
    assert "<script>alert(1)</script>" not in response.text
    assert "&lt;script&gt;" in response.text


def test_active_version_cannot_be_edited(client: FlaskClient, login_as, v1) -> None:
    login_as("admin")
    response = client.get("/kerangka/1/ubah")
    assert response.status_code == 403
    assert "tidak dapat diubah" in response.text
    assert client.post("/kerangka/1/ubah", data={"stab_margin": "2"}).status_code == 403
    assert frameworks.get(1).definition["stability"]["demotion_margin"] == 5


def test_draft_with_assessments_cannot_be_edited(
    client: FlaskClient, login_as, v1, regions
) -> None:
    draft = frameworks.create_draft(1, None)
    kim = factories.kim()
    period = factories.make_period("2025-T1")
    factories.make_assessment(kim, period, draft, score=41)
    login_as("admin")
    page = client.get("/kerangka/2")
    assert "Ubah draf" not in page.text
    assert "Versi ini tidak dapat diubah" in page.text
    response = client.post("/kerangka/2/ubah", data=_edit_data(stab_margin="2"))
    assert response.status_code == 403
    assert "sudah dipakai untuk penilaian" in response.text
    assert frameworks.get(2).definition["stability"]["demotion_margin"] == 5


def test_activating_the_active_version_is_refused_with_a_message(
    client: FlaskClient, login_as, v1
) -> None:
    login_as("admin")
    response = client.post("/kerangka/1/aktifkan", follow_redirects=True)
    assert "Kerangka v1 sudah aktif." in response.text


def test_activate_and_copy_ask_for_confirmation(client: FlaskClient, login_as, v1) -> None:
    frameworks.create_draft(1, None)
    login_as("admin")
    page = client.get("/kerangka/2").text
    assert 'action="/kerangka/2/aktifkan"' in page
    assert "Aktifkan v2? Versi yang aktif sekarang tidak dipakai lagi" in page
    assert "Ya, lanjutkan" in page


def test_csrf_is_required_for_writes(app) -> None:  # type: ignore[no-untyped-def]
    import re

    from tracker import create_app

    strict = create_app({"TESTING": True, "WTF_CSRF_ENABLED": True})
    with strict.app_context():
        db.create_all()
        factories.region_tree()
        factories.user("admin", username="admin9")
        frameworks.ensure_default()
        client = strict.test_client()

        def token(html: str) -> str:
            found = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html)
            assert found, "no CSRF token on the page"
            return found.group(1)

        login = {"username": "admin9", "password": factories.PASSWORD}
        client.post("/login", data={**login, "csrf_token": token(client.get("/login").text)})
        assert client.post("/kerangka/1/salin").status_code == 400
        assert len(frameworks.list_versions(None)) == 1
        good = token(client.get("/kerangka/1").text)
        assert client.post("/kerangka/1/salin", data={"csrf_token": good}).status_code == 302
        assert len(frameworks.list_versions(None)) == 2
        db.session.remove()
        db.engine.dispose()
