"""Recording a monitoring visit: findings per KIM, team, GPS, photos, follow-ups from its
recommendations; one visit per form however often it is sent; only in the petugas's kecamatan."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from tests import factories
from tests.visits.conftest import Place, photo, send, visit_form
from tracker.extensions import db
from tracker.models import AuditEntry, FollowUp, MonitoringVisit, User, VisitFinding, VisitPhoto
from tracker.services.common.clock import office_today
from tracker.services.visits import idempotency, visits


def _count(model: type) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def test_the_form_offers_one_section_per_active_kim_of_the_kecamatan(
    client: FlaskClient, place: Place, petugas: User
) -> None:
    factories.kim(place.regions.desa_a1, name="KIM Nonaktif", status="nonaktif")
    page = client.get(f"/pemantauan/baru?kecamatan={place.regions.kec_a}")
    assert page.status_code == 200
    text = page.text
    assert "Kunjungan ke Kec. Sukodono" in text
    assert "KIM Alpha" in text and "KIM Beta" in text
    assert "KIM Gamma" not in text and "KIM Nonaktif" not in text
    assert 'name="idempotency_key"' in text
    assert 'accept="image/jpeg,image/png,image/webp"' in text
    assert "<script>" not in text  # the scripts are files (CSP script-src 'self')


def test_a_petugas_with_one_kecamatan_goes_straight_to_its_form(
    client: FlaskClient, place: Place, petugas: User
) -> None:
    response = client.get("/pemantauan/baru")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"kecamatan={place.regions.kec_a}")


def test_each_opening_of_the_form_gets_its_own_key(
    client: FlaskClient, place: Place, petugas: User
) -> None:
    url = f"/pemantauan/baru?kecamatan={place.regions.kec_a}"
    keys = set()
    for _ in range(2):
        text = client.get(url).text
        start = text.index('name="idempotency_key"')
        value = text[text.index('value="', start) + 7 :]
        keys.add(value[: value.index('"')])
    assert len(keys) == 2


def test_a_petugas_records_a_visit_with_findings_photos_and_gps(
    client: FlaskClient, place: Place, petugas: User
) -> None:
    data = visit_form(
        place,
        gps_lat="-8.125083",
        gps_lon="113.224222",
        gps_accuracy="12",
        photos=[photo("balai.jpg")],
        **{"findings-0-photos": [photo("kim-alpha.png", fmt="PNG")]},
    )
    response = send(client, data)
    assert response.status_code == 302
    visit = db.session.scalars(select(MonitoringVisit)).one()
    assert response.headers["Location"].endswith(f"/pemantauan/{visit.id}")
    assert visit.kecamatan_code == place.regions.kec_a
    assert visit.started_on == visit.ended_on == office_today()
    assert visit.gps_lat == pytest.approx(-8.125083) and visit.gps_accuracy == 12
    assert [u.id for u in visit.team] == []  # nobody ticked
    assert visit.team_names == "Pak Camat\nBu Sekcam"
    assert visit.created_by_id == petugas.id
    finding = db.session.scalars(select(VisitFinding)).one()  # KIM Beta's empty section: none
    assert finding.kim_id == place.alpha.id
    assert finding.uploads_seen == 12 and finding.consistency_pct == pytest.approx(61.5)
    assert finding.problems == ["sdm", "jaringan"]
    assert finding.rating == "perlu_perbaikan"
    photos = {p.original_name: p for p in db.session.scalars(select(VisitPhoto))}
    assert photos["balai.jpg"].kim_id is None and photos["balai.jpg"].visit_id == visit.id
    assert photos["kim-alpha.png"].kim_id == place.alpha.id
    assert photos["kim-alpha.png"].content_type == "image/png"
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "visit.create")).one()
    assert entry.region_code == place.regions.kec_a and entry.user_id == petugas.id
    assert entry.params["kims"] == 1 and entry.params["photos"] == 2
    assert entry.changes["kims"] == [None, ["KIM Alpha"]]

    page = client.get(response.headers["Location"]).text
    assert "Kunjungan tersimpan." in page
    assert "KIM Alpha" in page and "Perlu perbaikan" in page and "SDM (pengelola)" in page
    assert "61,5%" in page and "-8,125083" in page
    assert page.count('src="/pemantauan/foto/') == 2


def test_ticked_team_members_are_accounts_of_the_kecamatan(
    client: FlaskClient, place: Place, petugas: User
) -> None:
    colleague = factories.user("petugas", scope=[place.regions.kec_a], username="rekan")
    elsewhere = factories.user("petugas", scope=[place.regions.kec_b], username="jauh")
    assert (
        send(client, visit_form(place, team_user_ids=[petugas.id, colleague.id])).status_code == 302
    )
    visit = db.session.scalars(select(MonitoringVisit)).one()
    assert sorted(u.username for u in visit.team) == ["petugas1", "rekan"]

    refused = send(
        client, visit_form(place, key="kunci-lain-000000002", team_user_ids=[elsewhere.id])
    )
    assert refused.status_code == 422
    assert "Pilih anggota tim dari daftar." in refused.text
    assert _count(MonitoringVisit) == 1


def test_a_recommendation_with_a_due_date_becomes_a_follow_up_owned_by_the_recorder(
    client: FlaskClient, place: Place, petugas: User
) -> None:
    due = office_today() + timedelta(days=30)
    response = send(client, visit_form(place, **{"findings-0-follow_up_due": due.isoformat()}))
    assert response.status_code == 302
    follow_up = db.session.scalars(select(FollowUp)).one()
    visit = db.session.scalars(select(MonitoringVisit)).one()
    assert (follow_up.kim_id, follow_up.visit_id, follow_up.owner_id) == (
        place.alpha.id,
        visit.id,
        petugas.id,
    )
    assert follow_up.recommendation == "Unggah berita kegiatan setiap minggu"
    assert follow_up.due_on == due and follow_up.status == "open"
    assert "1 tindak lanjut dibuat." in client.get(response.headers["Location"]).text
    actions = set(db.session.scalars(select(AuditEntry.action)))
    assert {"visit.create", "follow_up.create"} <= actions


def test_a_due_date_without_a_recommendation_is_refused(
    client: FlaskClient, place: Place, petugas: User
) -> None:
    data = visit_form(
        place,
        **{"findings-0-recommendation": "", "findings-0-follow_up_due": office_today().isoformat()},
    )
    response = send(client, data)
    assert response.status_code == 422
    assert "Tuliskan rekomendasinya" in response.text
    assert _count(MonitoringVisit) == 0 and _count(FollowUp) == 0


def test_the_same_form_sent_twice_makes_one_visit(
    client: FlaskClient, place: Place, petugas: User
) -> None:
    data = visit_form(place)
    first = send(client, data)
    second = send(client, visit_form(place, photos=[photo()]))  # a re-sent draft, same key
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    assert _count(MonitoringVisit) == 1 and _count(VisitFinding) == 1
    assert _count(VisitPhoto) == 0  # the second sending wrote nothing
    page = client.get(second.headers["Location"]).text
    assert "sudah tersimpan sebelumnya" in page
    assert len(list(db.session.scalars(select(AuditEntry.id)))) == 1


def test_two_sendings_that_both_passed_the_lookup_still_make_one_visit(
    app, place: Place, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The race: the second sending looked before the first committed; the unique key stops
    its INSERT and it answers with the first one's visit."""
    author = factories.user("petugas", scope=[place.regions.kec_a], username="cepat")
    data = visits.VisitInput(
        idempotency_key="kunci-balapan-0000001",
        kecamatan_code=place.regions.kec_a,
        started_on=office_today(),
        findings=[visits.FindingInput(kim_id=place.alpha.id, uploads_seen=3)],
    )
    first = visits.record_visit(author, data)
    looked = []
    real = idempotency.visit_with_key

    def not_yet_committed(key: str):  # type: ignore[no-untyped-def]
        looked.append(key)
        return None if len(looked) == 1 else real(key)

    monkeypatch.setattr(idempotency, "visit_with_key", not_yet_committed)
    second = visits.record_visit(author, data)
    assert len(looked) == 2  # looked, collided, looked again
    assert second.visit.id == first.visit.id and second.created is False
    assert _count(MonitoringVisit) == 1


def test_another_accounts_key_is_refused(client: FlaskClient, place: Place, petugas: User) -> None:
    other = factories.user("petugas", scope=[place.regions.kec_a], username="lain")
    visits.record_visit(
        other,
        visits.VisitInput(
            idempotency_key="kunci-milik-orang-lain-1",
            kecamatan_code=place.regions.kec_a,
            started_on=office_today(),
            findings=[visits.FindingInput(kim_id=place.alpha.id, uploads_seen=1)],
        ),
    )
    response = send(client, visit_form(place, key="kunci-milik-orang-lain-1"))
    assert response.status_code == 422
    assert _count(MonitoringVisit) == 1


@pytest.mark.parametrize("key", ["", "pendek", "kunci dengan spasi!!!!", "x" * 65])
def test_a_form_without_a_proper_key_is_refused(
    client: FlaskClient, place: Place, petugas: User, key: str
) -> None:
    response = send(client, visit_form(place, key=key))
    assert response.status_code == 422
    assert "buka ulang formulirnya" in response.text
    assert _count(MonitoringVisit) == 0


def test_a_petugas_cannot_record_a_visit_in_another_kecamatan(
    client: FlaskClient, place: Place, petugas: User
) -> None:
    kec_b = place.regions.kec_b
    assert client.get(f"/pemantauan/baru?kecamatan={kec_b}").status_code == 403
    data = visit_form(
        place,
        kecamatan_code=kec_b,
        **{"findings-0-kim_id": str(place.gamma.id), "findings-1-kim_id": str(place.beta.id)},
    )
    response = send(client, data)
    assert response.status_code == 403
    assert "di luar wilayah kerja Anda" in response.text
    assert _count(MonitoringVisit) == 0


def test_a_finding_about_a_kim_of_another_kecamatan_is_refused(
    client: FlaskClient, place: Place, petugas: User
) -> None:
    response = send(client, visit_form(place, **{"findings-0-kim_id": str(place.gamma.id)}))
    assert response.status_code == 422
    assert "bukan KIM aktif Kecamatan Sukodono" in response.text
    assert _count(MonitoringVisit) == 0


def test_a_kabid_records_anywhere_in_the_kabupaten_and_a_viewer_nowhere(
    client: FlaskClient, auth, place: Place
) -> None:
    factories.user("kabid", scope=[place.regions.kabupaten], username="kabid1")
    factories.user("viewer", scope=[place.regions.kabupaten], username="lihat")
    auth.login("kabid1")
    data = visit_form(
        place,
        kecamatan_code=place.regions.kec_b,
        **{"findings-0-kim_id": str(place.gamma.id), "findings-1-kim_id": ""},
    )
    del data["findings-1-kim_id"]
    assert send(client, data).status_code == 302
    auth.logout()
    auth.login("lihat")
    assert client.get("/pemantauan/").status_code == 200
    assert client.get("/pemantauan/baru").status_code == 403
    assert send(client, visit_form(place, key="kunci-peninjau-00001")).status_code == 403
    assert _count(MonitoringVisit) == 1


def test_nothing_filled_in_is_no_visit(client: FlaskClient, place: Place, petugas: User) -> None:
    data = visit_form(
        place,
        **{
            "findings-0-uploads_seen": "",
            "findings-0-consistency_pct": "",
            "findings-0-problems": [],
            "findings-0-problem_notes": "",
            "findings-0-rating": "",
            "findings-0-recommendation": "",
        },
    )
    response = send(client, data)
    assert response.status_code == 422
    assert "Isi temuan untuk sedikitnya satu KIM." in response.text


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("started_on", "2999-01-01", "tidak boleh di masa depan"),
        ("started_on", "kemarin", "Tanggal tidak valid"),
        ("findings-0-consistency_pct", "120", "antara 0 dan 100%"),
        ("findings-0-consistency_pct", "banyak", "Isi dengan angka."),
        ("findings-0-uploads_seen", "-1", "Jumlah unggahan tidak masuk akal."),
        ("gps_lat", "-95", "Garis lintang harus antara -90 dan 90."),
        ("gps_lat", "-8.1", "Isi garis lintang dan garis bujur bersama"),
    ],
)
def test_bad_values_are_refused_next_to_their_field_and_the_rest_is_kept(
    client: FlaskClient, place: Place, petugas: User, field: str, value: str, message: str
) -> None:
    response = send(client, visit_form(place, **{field: value}))
    assert response.status_code == 422
    text = response.text
    assert message in text
    assert "Sinyal lemah di balai desa" in text  # what was typed stays
    assert "Unggah berita kegiatan setiap minggu" in text
    assert 'value="kunci-formulir-uji-0001"' in text  # the same key: a later sending is the same
    assert _count(MonitoringVisit) == 0


def test_the_visit_list_shows_visits_in_scope_only(
    client: FlaskClient, place: Place, petugas: User
) -> None:
    kabid = factories.user("kabid", scope=[place.regions.kabupaten], username="kabidx")
    factories.make_visit(kabid, place.regions.kec_a, [place.alpha])
    other = factories.make_visit(kabid, place.regions.kec_b, [place.gamma])
    page = client.get("/pemantauan/").text
    assert "Sukodono" in page and "Pasirian" not in page.split("<main")[1].split("</form>")[1]
    assert client.get(f"/pemantauan/{other.id}").status_code == 404


def test_the_visit_list_runs_the_same_queries_for_few_and_many_visits(
    client: FlaskClient, place: Place, petugas: User, count_queries
) -> None:
    factories.make_visit(petugas, place.regions.kec_a, [place.alpha])
    with count_queries() as few:
        assert client.get("/pemantauan/").status_code == 200
    for day in range(30):
        factories.make_visit(
            petugas, place.regions.kec_a, [place.alpha, place.beta], office_today() - timedelta(day)
        )
    with count_queries() as many:
        assert client.get("/pemantauan/?page=2").status_code == 200
    assert len(few) == len(many)


def test_the_audit_log_words_visits_and_follow_ups(
    client: FlaskClient, place: Place, petugas: User
) -> None:
    due = office_today() + timedelta(days=30)
    data = visit_form(
        place,
        team_user_ids=[petugas.id],
        **{"findings-0-follow_up_due": due.isoformat()},
    )
    assert send(client, data).status_code == 302
    page = client.get("/admin/audit/").text
    assert "Mencatat kunjungan pemantauan Kecamatan Sukodono" in page
    assert "1 KIM, 0 foto" in page
    assert "Menambah tindak lanjut untuk KIM Alpha, batas" in page
    assert "Anggota tim" in page and "petugas1" in page  # the team by account name
    assert "Isian lain" not in page  # every changed field has its label
