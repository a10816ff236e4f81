"""The topic catalogue: the shipped topics, edited by admin and kabid only, refusals that name the
field; and the roadmap's training topics come from it."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from tests import factories
from tests.coaching.conftest import District
from tracker.extensions import db
from tracker.models import AuditEntry, Topic
from tracker.services.assessment.runner import assess_period
from tracker.services.assessment.topic_hints import topic_hints
from tracker.services.coaching import topics
from tracker.services.rules.frameworks import active_framework

SHIPPED = {
    "Menulis berita": ["W1"],
    "Fotografi dengan ponsel": ["W3"],
    "Desain grafis": ["M2", "W3"],
    "Video pendek": ["M2"],
    "Manajemen media sosial": ["M1", "M2"],
    "Administrasi website KIM.id": ["K2", "W4"],
    "Kalender editorial": ["W2", "W4"],
    "Cek fakta dan anti-hoaks": ["D1"],
    "Konten potensi desa dan UMKM": ["D1"],
    "Kelembagaan dan administrasi KIM": ["K1", "K3"],
}


def test_the_shipped_catalogue_goes_into_an_empty_table_once(app, regions) -> None:
    assert topics.ensure_default_topics(None) == 10
    assert {r.name: r.codes for r in topics.list_topics(None)} == SHIPPED
    assert topics.ensure_default_topics(None) == 0


def test_a_kabid_adds_and_edits_a_topic(client, login_as, district: District) -> None:
    login_as("kabid")
    form = client.get("/pembinaan/materi/baru")
    assert form.status_code == 200 and "W2 Konsistensi mingguan" in form.text
    response = client.post(
        "/pembinaan/materi/baru",
        data={
            "name": "  Jurnalisme  warga ",
            "description": "Liputan warga",
            "codes": ["W1", "D1"],
        },
    )
    assert response.status_code == 302
    topic = db.session.scalar(select(Topic).where(Topic.name == "Jurnalisme warga"))
    assert topic is not None and topic.codes == ["D1", "W1"]
    response = client.post(
        f"/pembinaan/materi/{topic.id}/ubah",
        data={"name": "Jurnalisme warga", "description": "Liputan warga", "codes": ["W1"]},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert topic.codes == ["W1"]
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "topic.update"))
    assert entry is not None and entry.changes == {"indicators": [["D1", "W1"], ["W1"]]}
    assert "Mengubah materi pembinaan Jurnalisme warga" in client.get("/admin/audit/").text


def test_refusals_name_the_field(client, login_as, district: District) -> None:
    login_as("admin")
    response = client.post(
        "/pembinaan/materi/baru", data={"name": "menulis  BERITA", "codes": ["W9"]}
    )
    assert response.status_code == 422
    assert "Nama materi ini sudah ada di katalog." in response.text
    assert "Indikator tidak dikenal di kerangka penilaian: W9." in response.text
    response = client.post("/pembinaan/materi/baru", data={"name": "Baru"})
    assert response.status_code == 422
    assert "Pilih sedikitnya satu indikator" in response.text


def test_a_taught_topic_cannot_be_deleted(client, login_as, district: District) -> None:
    login_as("admin")
    unused = factories.make_topic("Podcast desa", ("M2",)).id
    factories.make_session(start=date(2025, 2, 1), topics=[district.topic])
    response = client.post(f"/pembinaan/materi/{district.topic.id}/hapus")
    assert response.status_code == 422
    assert "sudah dipakai 1 sesi pembinaan" in response.text
    assert client.post(f"/pembinaan/materi/{unused}/hapus").status_code == 302
    assert db.session.get(Topic, unused) is None


def test_only_admin_and_kabid_edit_the_catalogue(
    client, auth, login_as, district: District
) -> None:
    for role in ("petugas", "viewer"):
        login_as(role, username=f"{role}-katalog")
        assert client.get("/pembinaan/materi/").status_code == 200
        assert client.get("/pembinaan/materi/baru").status_code == 403
        assert (
            client.post("/pembinaan/materi/baru", data={"name": "X", "codes": ["W1"]}).status_code
            == 403
        )
        assert client.post(f"/pembinaan/materi/{district.topic.id}/hapus").status_code == 403
        auth.logout()
    assert db.session.scalar(select(Topic).where(Topic.name == "X")) is None


def test_the_roadmap_names_the_catalogue_topics(client, login_as, district: District) -> None:
    """An indicator shows every topic linked to it, alphabetical; one no topic covers keeps the
    framework's own hint."""
    login_as("admin")
    factories.make_topic("Video pendek", ("M2",))
    factories.make_topic("Desain grafis", ("W3", "M2"))
    found = active_framework()
    assert found is not None
    hints = topic_hints(found[1])
    assert hints["M2"] == "Desain grafis, Video pendek"
    assert hints["W1"] == "Menulis berita"
    assert hints["P1"] == "Mengikuti bimbingan teknis KIM"  # the framework's, no topic covers it
    assess_period("2025-T1", None)
    page = client.get(f"/penilaian/2025-T1/kim/{district.a1.id}").text
    plan = page.split("roadmap-steps", 1)[1]
    assert "Menulis berita" in plan  # W1 is a step of its plan (no posts at all)
    assert "Penulisan berita desa" not in plan  # the framework's hint for W1 gave way
