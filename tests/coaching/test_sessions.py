"""Planning sessions: who may, what is refused, optimistic locking, and the list with its filters,
search and pages at a fixed number of queries."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from tests import factories
from tests.coaching.conftest import District
from tracker.extensions import db
from tracker.models import AuditEntry, CoachingInvitation, CoachingSession


def _form(district: District, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "title": "Pelatihan Menulis Berita Desa",
        "start_date": "2025-02-10",
        "end_date": "2025-02-11",
        "location": "Aula Diskominfo",
        "organiser": "Diskominfo Lumajang",
        "speakers": "Hendra Wijaya\r\nMaya Sari",
        "jp": "8",
        "topics": [str(district.topic.id)],
        "kims": [str(district.a1.id), str(district.b1.id)],
    }
    data.update(changes)
    return data


def test_a_kabid_plans_a_session(client, login_as, district: District) -> None:
    login_as("kabid")
    page = client.get("/pembinaan/sesi/baru")
    assert page.status_code == 200
    assert district.a1.name in page.text and "Kec. Pasirian" in page.text
    response = client.post("/pembinaan/sesi/baru", data=_form(district))
    assert response.status_code == 302
    session = db.session.scalar(select(CoachingSession))
    assert session is not None
    assert (session.title, session.start_date, session.end_date, session.jp) == (
        "Pelatihan Menulis Berita Desa",
        date(2025, 2, 10),
        date(2025, 2, 11),
        8,
    )
    assert session.speaker_list == ["Hendra Wijaya", "Maya Sari"]
    assert session.region_code == "35.08" and [t.name for t in session.topics] == ["Menulis berita"]
    invited = set(db.session.scalars(select(CoachingInvitation.kim_id)))
    assert invited == {district.a1.id, district.b1.id}
    detail = client.get(response.headers["Location"]).text
    assert "0 dari 2 KIM hadir" in detail and "10 Februari 2025 – 11 Februari 2025" in detail
    entry = db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == "coaching_session.create")
    )
    assert entry is not None and entry.params["date"] == "2025-02-10"


def test_refusals_keep_the_form(client, login_as, district: District) -> None:
    login_as("admin")
    response = client.post("/pembinaan/sesi/baru", data=_form(district, jp="x"))
    assert response.status_code == 422 and "Isi dengan bilangan bulat." in response.text
    response = client.post(
        "/pembinaan/sesi/baru",
        data=_form(district, end_date="2025-02-01", topics=[], kims=["999999"]),
    )
    assert response.status_code == 422
    assert "Tanggal selesai tidak boleh sebelum tanggal mulai." in response.text
    assert "Pilih sedikitnya satu materi pembinaan." in response.text
    assert "1 KIM yang dipilih tidak aktif atau di luar wilayah kerja Anda" in response.text
    assert 'value="Pelatihan Menulis Berita Desa"' in response.text
    assert db.session.scalar(select(CoachingSession)) is None


def test_petugas_and_viewer_do_not_plan(client, auth, login_as, district: District) -> None:
    session = factories.make_session(start=date(2025, 2, 1), invited=[district.a1])
    for role in ("petugas", "viewer"):
        login_as(role, username=f"{role}-sesi")
        assert client.get("/pembinaan/sesi/baru").status_code == 403
        assert client.post("/pembinaan/sesi/baru", data=_form(district)).status_code == 403
        assert client.get(f"/pembinaan/sesi/{session.id}/ubah").status_code == 403
        assert client.post(f"/pembinaan/sesi/{session.id}/hapus").status_code == 403
        auth.logout()
    assert db.session.scalar(select(CoachingSession.title)) == session.title


def test_a_kabid_of_another_kabupaten_sees_but_does_not_change_it(
    client, login_as, district: District
) -> None:
    """A session held for another region is his to read when it invited his KIMs, not to plan."""
    session = factories.make_session(
        start=date(2025, 2, 1), invited=[district.a1], region=district.regions.kec_b
    )
    login_as("kabid", scope=[district.regions.kec_a])
    assert client.get(f"/pembinaan/sesi/{session.id}").status_code == 200
    assert client.get(f"/pembinaan/sesi/{session.id}/ubah").status_code == 403


def test_an_edit_of_a_changed_session_is_refused(client, login_as, district: District) -> None:
    login_as("admin")
    client.post("/pembinaan/sesi/baru", data=_form(district))
    session = db.session.scalar(select(CoachingSession))
    assert session is not None
    version = session.version
    first = client.post(
        f"/pembinaan/sesi/{session.id}/ubah", data=_form(district, version=version, jp="6")
    )
    assert first.status_code == 302
    second = client.post(
        f"/pembinaan/sesi/{session.id}/ubah",
        data=_form(district, version=version, title="Judul lain"),
    )
    assert second.status_code == 409
    assert "sudah diubah oleh pengguna lain" in second.text
    assert 'value="Judul lain"' in second.text
    db.session.expire_all()
    assert (session.title, session.jp) == ("Pelatihan Menulis Berita Desa", 6)


def test_an_attending_kim_stays_invited(client, login_as, district: District) -> None:
    login_as("admin")
    session = factories.make_session(
        start=date(2025, 2, 1),
        invited=[district.b1],
        attended=[district.a1],
        topics=[district.topic],
    )
    response = client.post(
        f"/pembinaan/sesi/{session.id}/ubah",
        data=_form(district, kims=[str(district.b1.id)], version=session.version),
    )
    assert response.status_code == 422
    assert f"tidak dapat dibatalkan undangannya: {district.a1.name}" in response.text


def test_invitations_outside_the_planners_scope_are_kept(
    client, login_as, district: District
) -> None:
    session = factories.make_session(
        start=date(2025, 2, 1),
        invited=[district.a1, district.b1],
        topics=[district.topic],
        region=district.regions.kec_a,
    )
    login_as("kabid", scope=[district.regions.kec_a])
    page = client.get(f"/pembinaan/sesi/{session.id}/ubah").text
    assert district.a1.name in page and district.b1.name not in page
    response = client.post(
        f"/pembinaan/sesi/{session.id}/ubah",
        data=_form(district, kims=[str(district.a2.id)], version=session.version),
    )
    assert response.status_code == 302
    invited = set(db.session.scalars(select(CoachingInvitation.kim_id)))
    assert invited == {district.a2.id, district.b1.id}  # Condro's invitation is not his to drop


def test_the_list_filters_searches_and_counts_in_scope(
    client, login_as, district: District
) -> None:
    other = factories.make_topic("Desain grafis", ("W3", "M2"))
    factories.make_session(
        "Pelatihan Menulis Berita",
        date(2025, 2, 10),
        invited=[district.a1, district.b1],
        attended=[district.a1],
        topics=[district.topic],
    )
    factories.make_session(
        "Kelas Desain", date(2025, 5, 3), invited=[district.b1], topics=[other]
    ).location = "Balai Desa Condro"
    db.session.commit()
    login_as("admin")

    def titles(query: str = "") -> list[str]:
        page = client.get(f"/pembinaan/?{query}").text
        shown = [t for t in ("Pelatihan Menulis Berita", "Kelas Desain") if f">{t}</a>" in page]
        return sorted(shown, key=lambda t: page.index(f">{t}</a>"))

    assert titles() == ["Kelas Desain", "Pelatihan Menulis Berita"]  # newest first
    assert titles("sort=tanggal") == ["Pelatihan Menulis Berita", "Kelas Desain"]
    assert titles("periode=2025-T1") == ["Pelatihan Menulis Berita"]
    assert titles("dari=2025-03-01") == ["Kelas Desain"]
    assert titles("sampai=2025-03-01") == ["Pelatihan Menulis Berita"]
    assert titles(f"materi={other.id}") == ["Kelas Desain"]
    assert titles(f"kecamatan={district.regions.kec_a}") == ["Pelatihan Menulis Berita"]
    assert titles("q=condro") == ["Kelas Desain"]
    assert titles("q=MENULIS") == ["Pelatihan Menulis Berita"]
    assert "Tidak ada sesi yang cocok" in client.get("/pembinaan/?q=tidakada").text


def test_the_list_runs_the_same_queries_whatever_its_rows(
    client, app, login_as, district: District, count_queries
) -> None:
    app.config["PAGE_SIZE"] = 5
    login_as("kabid")

    def add(count: int, start: int) -> None:
        for n in range(start, start + count):
            kim = factories.kim(district.regions.desa_a2, name=f"KIM Daftar {n:03}")
            factories.make_session(
                f"Sesi {n:03}",
                date(2025, 1 + n % 12, 1 + n % 27),
                invited=[kim, district.a1],
                attended=[kim],
                topics=[district.topic],
            )

    add(2, 0)
    with count_queries() as few:
        assert client.get("/pembinaan/").status_code == 200
    add(12, 10)
    with count_queries() as many:
        page = client.get("/pembinaan/?page=2")
    assert page.status_code == 200 and "Halaman 2 dari 3" in page.text
    assert len(many) == len(few)
