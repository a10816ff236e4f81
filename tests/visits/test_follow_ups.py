"""Follow-ups: added by hand or from a visit's recommendation, closed with evidence, dropped,
reopened; the board with its filters and overdue rows; only in the petugas's kecamatan."""

from __future__ import annotations

from datetime import date, timedelta
from io import BytesIO

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from tests import factories
from tests.visits.conftest import Place
from tracker.extensions import db
from tracker.models import AuditEntry, FollowUp, User, VisitPhoto
from tracker.services.common.clock import office_today


def _count(model: type, *where: object) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def _new(client: FlaskClient, kim: int, owner_id: int, **extra: object):  # type: ignore[no-untyped-def]
    data = {
        "kim_id": str(kim),
        "recommendation": "Lengkapi struktur pengurus di website",
        "owner_id": str(owner_id),
        "due_on": (office_today() + timedelta(days=14)).isoformat(),
        "visit_id": "",
        **extra,
    }
    return client.post("/tindak-lanjut/baru", data=data)


def test_a_petugas_adds_a_follow_up_by_hand(
    client: FlaskClient, place: Place, petugas: User
) -> None:
    form = client.get(f"/tindak-lanjut/baru?kim={place.alpha.id}")
    assert form.status_code == 200
    assert f'<option selected value="{place.alpha.id}">' in form.text
    assert "KIM Gamma" not in form.text  # another kecamatan's KIM is not offered

    response = _new(client, place.alpha.id, petugas.id)
    assert response.status_code == 302
    follow_up = db.session.scalars(select(FollowUp)).one()
    assert follow_up.status == "open" and follow_up.visit_id is None
    assert follow_up.created_by_id == petugas.id
    entry = db.session.scalars(select(AuditEntry)).one()
    assert (entry.action, entry.kim_id) == ("follow_up.create", place.alpha.id)
    page = client.get(response.headers["Location"]).text
    assert "Tindak lanjut ditambahkan." in page and "Dicatat langsung" in page


def test_a_follow_up_from_a_visits_recommendation_names_the_visit(
    client: FlaskClient, place: Place, petugas: User
) -> None:
    visit = factories.make_visit(petugas, place.regions.kec_a, [place.alpha])
    page = client.get(
        f"/tindak-lanjut/baru?kim={place.alpha.id}&kunjungan={visit.id}"
        "&rekomendasi=Buat+kalender+editorial"
    ).text
    assert "Buat kalender editorial" in page
    response = _new(client, place.alpha.id, petugas.id, visit_id=str(visit.id))
    assert response.status_code == 302
    assert db.session.scalars(select(FollowUp)).one().visit_id == visit.id


def test_a_petugas_cannot_add_a_follow_up_in_another_kecamatan(
    client: FlaskClient, place: Place, petugas: User
) -> None:
    response = _new(client, place.gamma.id, petugas.id)
    assert response.status_code == 403
    assert "di luar wilayah kerja Anda" in response.text
    assert _count(FollowUp) == 0


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("recommendation", "  ", "Isi rekomendasi yang ditindaklanjuti."),
        ("due_on", "", "Isi batas waktu tindak lanjut."),
        ("kim_id", "0", "Pilih KIM."),
    ],
)
def test_a_follow_up_needs_its_kim_text_and_due_date(
    client: FlaskClient, place: Place, petugas: User, field: str, value: str, message: str
) -> None:
    response = _new(client, place.alpha.id, petugas.id, **{field: value})
    assert response.status_code == 422
    assert message in response.text
    assert _count(FollowUp) == 0


def test_the_owner_must_be_an_account_that_works_in_the_kims_region(
    client: FlaskClient, place: Place, petugas: User
) -> None:
    elsewhere = factories.user("petugas", scope=[place.regions.kec_b], username="pasirian")
    viewer = factories.user("viewer", scope=[place.regions.kec_a], username="lihat")
    for owner in (elsewhere, viewer):
        response = _new(client, place.alpha.id, owner.id)
        assert response.status_code == 422
        assert "Pilih penanggung jawab" in response.text
    assert _count(FollowUp) == 0


def _open(petugas: User, place: Place, **fields: object) -> FollowUp:
    return factories.make_follow_up(
        place.alpha, petugas, fields.pop("due_on", office_today() + timedelta(days=7)), **fields
    )


def test_closing_takes_evidence_and_a_day_and_is_audited(
    client: FlaskClient, place: Place, petugas: User
) -> None:
    follow_up = _open(petugas, place)
    page = client.get(f"/tindak-lanjut/{follow_up.id}").text
    assert "Tandai selesai" in page and "Ya, tandai selesai" in page  # confirmation inside

    refused = client.post(
        f"/tindak-lanjut/{follow_up.id}/selesai", data={"version": "1", "evidence": ""}
    )
    assert refused.status_code == 422
    assert "Tuliskan bukti bahwa rekomendasi sudah dijalankan." in refused.text

    evidence = BytesIO(factories.photo_bytes(gps=True))
    response = client.post(
        f"/tindak-lanjut/{follow_up.id}/selesai",
        data={
            "version": "1",
            "evidence": "Struktur pengurus sudah diunggah",
            "closed_on": (office_today() - timedelta(days=1)).isoformat(),
            "photo": (evidence, "bukti.jpg"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    db.session.refresh(follow_up)
    assert follow_up.status == "done"
    assert follow_up.closed_on == office_today() - timedelta(days=1)
    assert follow_up.closed_by_id == petugas.id
    photo = db.session.get(VisitPhoto, follow_up.evidence_photo_id)
    assert photo is not None and photo.kim_id == place.alpha.id and photo.visit_id is None
    assert client.get(f"/pemantauan/foto/{photo.id}").status_code == 200
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "follow_up.close"))
    assert entry.one().changes["status"] == ["open", "done"]
    page = client.get(response.headers["Location"]).text
    assert "Struktur pengurus sudah diunggah" in page and "Buka kembali" in page


def test_a_closing_day_in_the_future_is_refused(
    client: FlaskClient, place: Place, petugas: User
) -> None:
    follow_up = _open(petugas, place)
    response = client.post(
        f"/tindak-lanjut/{follow_up.id}/selesai",
        data={
            "version": "1",
            "evidence": "Sudah",
            "closed_on": (office_today() + timedelta(days=2)).isoformat(),
        },
    )
    assert response.status_code == 422
    assert "Tanggal selesai tidak boleh di masa depan." in response.text
    assert "Sudah" in response.text  # what was typed stays
    db.session.refresh(follow_up)
    assert follow_up.status == "open"


def test_a_refused_evidence_photo_leaves_the_follow_up_open(
    client: FlaskClient, place: Place, petugas: User
) -> None:
    follow_up = _open(petugas, place)
    response = client.post(
        f"/tindak-lanjut/{follow_up.id}/selesai",
        data={"version": "1", "evidence": "Sudah", "photo": (BytesIO(b"%PDF-1.4"), "bukti.jpg")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "Berkas bukti.jpg bukan foto JPEG, PNG atau WebP" in response.text
    db.session.refresh(follow_up)
    assert follow_up.status == "open"


def test_dropping_needs_a_reason_and_reopening_clears_the_closure(
    client: FlaskClient, place: Place, petugas: User
) -> None:
    follow_up = _open(petugas, place)
    assert (
        client.post(
            f"/tindak-lanjut/{follow_up.id}/batalkan", data={"version": "1", "reason": ""}
        ).status_code
        == 422
    )
    dropped = client.post(
        f"/tindak-lanjut/{follow_up.id}/batalkan",
        data={"version": "1", "reason": "KIM sudah punya pengurus baru"},
    )
    assert dropped.status_code == 302
    db.session.refresh(follow_up)
    assert (follow_up.status, follow_up.evidence) == ("dropped", "KIM sudah punya pengurus baru")

    reopened = client.post(
        f"/tindak-lanjut/{follow_up.id}/buka-kembali", data={"version": str(follow_up.version)}
    )
    assert reopened.status_code == 302
    db.session.refresh(follow_up)
    assert follow_up.status == "open"
    assert follow_up.evidence is None and follow_up.closed_on is None
    actions = [e.action for e in db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))]
    assert actions == ["follow_up.drop", "follow_up.reopen"]


def test_a_change_made_on_an_old_version_is_refused(
    client: FlaskClient, place: Place, petugas: User
) -> None:
    follow_up = _open(petugas, place)
    assert (
        client.post(
            f"/tindak-lanjut/{follow_up.id}/selesai", data={"version": "1", "evidence": "Sudah"}
        ).status_code
        == 302
    )
    # a second tab still showing version 1 tries to drop it
    stale = client.post(
        f"/tindak-lanjut/{follow_up.id}/batalkan", data={"version": "1", "reason": "Tidak perlu"}
    )
    assert stale.status_code == 409
    assert "sudah diubah orang lain" in stale.text
    db.session.refresh(follow_up)
    assert follow_up.status == "done"


def test_a_follow_up_outside_the_scope_is_not_found(
    client: FlaskClient, place: Place, petugas: User
) -> None:
    kabid = factories.user("kabid", scope=[place.regions.kabupaten], username="kabid9")
    other = factories.make_follow_up(place.gamma, kabid, office_today())
    assert client.get(f"/tindak-lanjut/{other.id}").status_code == 404
    closed = client.post(
        f"/tindak-lanjut/{other.id}/selesai", data={"version": "1", "evidence": "Sudah"}
    )
    assert closed.status_code == 404
    db.session.refresh(other)
    assert other.status == "open"


def test_a_viewer_reads_the_board_but_changes_nothing(
    client: FlaskClient, auth, place: Place
) -> None:
    viewer = factories.user("viewer", scope=[place.regions.kabupaten], username="lihat")
    follow_up = factories.make_follow_up(place.alpha, factories.user("kabid"), office_today())
    auth.login(viewer.username)
    board = client.get("/tindak-lanjut/")
    assert board.status_code == 200 and "KIM Alpha" in board.text
    assert "Tambah tindak lanjut" not in board.text
    assert "Tandai selesai" not in client.get(f"/tindak-lanjut/{follow_up.id}").text
    assert (
        client.post(
            f"/tindak-lanjut/{follow_up.id}/selesai", data={"version": "1", "evidence": "x"}
        ).status_code
        == 403
    )
    assert client.get("/tindak-lanjut/baru").status_code == 403


# --- the board --------------------------------------------------------------------------------


@pytest.fixture
def board(place: Place, login_as) -> dict[str, object]:  # type: ignore[no-untyped-def]
    """A kabid's board: two owners, every status, one overdue row in each kecamatan."""
    kabid = login_as("kabid", username="kabid1")
    rina = factories.user("petugas", scope=[place.regions.kec_a], username="rina", full_name="Rina")
    today = office_today()
    rows = {
        "late_alpha": factories.make_follow_up(
            place.alpha, rina, today - timedelta(days=3), recommendation="Perbarui profil KIM"
        ),
        "soon_beta": factories.make_follow_up(
            place.beta,
            kabid,
            today + timedelta(days=10),
            recommendation="Ikuti pelatihan fotografi",
        ),
        "late_gamma": factories.make_follow_up(
            place.gamma, kabid, today - timedelta(days=30), recommendation="Buat kanal Instagram"
        ),
        "done_alpha": factories.make_follow_up(
            place.alpha,
            rina,
            today - timedelta(days=40),
            status="done",
            recommendation="Pasang papan nama",
        ),
        "dropped_gamma": factories.make_follow_up(
            place.gamma, kabid, today, status="dropped", recommendation="Sewa sekretariat"
        ),
    }
    return {"kabid": kabid, "rina": rina, **rows}


def _rows(text: str) -> list[str]:
    body = text.split("<tbody>")[1].split("</tbody>")[0] if "<tbody>" in text else ""
    return [row for row in body.split("<tr")[1:]]


def test_the_board_lists_open_follow_ups_soonest_due_first_with_overdue_highlighted(
    client: FlaskClient, board: dict[str, object]
) -> None:
    text = client.get("/tindak-lanjut/").text
    rows = _rows(text)
    assert len(rows) == 3
    assert "Buat kanal Instagram" in rows[0] and "Perbarui profil KIM" in rows[1]
    assert "Ikuti pelatihan fotografi" in rows[2]
    assert rows[0].startswith(' class="overdue"') and rows[1].startswith(' class="overdue"')
    assert not rows[2].startswith(' class="overdue"')
    assert text.count("terlambat</span>") == 2
    for label, count in (("Terbuka", 3), ("Terlambat", 2), ("Selesai", 1), ("Dibatalkan", 1)):
        assert f"{label} <strong>{count}</strong>" in text


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?kecamatan=35.08.02", ["Buat kanal Instagram"]),
        ("?terlambat=1", ["Buat kanal Instagram", "Perbarui profil KIM"]),
        ("?status=done", ["Pasang papan nama"]),
        ("?status=dropped", ["Sewa sekretariat"]),
        ("?status=semua&q=papan", ["Pasang papan nama"]),
        ("?q=alpha", ["Perbarui profil KIM"]),
        (
            "?sort=-due",
            ["Ikuti pelatihan fotografi", "Perbarui profil KIM", "Buat kanal Instagram"],
        ),
    ],
)
def test_the_board_filters(
    client: FlaskClient, board: dict[str, object], query: str, expected: list[str]
) -> None:
    rows = _rows(client.get("/tindak-lanjut/" + query).text)
    assert len(rows) == len(expected)
    for row, text in zip(rows, expected, strict=True):
        assert text in row


def test_the_board_filters_by_owner(client: FlaskClient, board: dict[str, object]) -> None:
    rina = board["rina"]
    rows = _rows(client.get(f"/tindak-lanjut/?owner={rina.id}&status=semua").text)  # type: ignore[attr-defined]
    assert len(rows) == 2 and all("Rina" in row for row in rows)


def test_a_petugas_sees_only_his_kecamatans_follow_ups(
    client: FlaskClient, auth, board: dict[str, object], place: Place
) -> None:
    auth.logout()
    auth.login("rina")
    text = client.get("/tindak-lanjut/?status=semua").text
    assert "KIM Gamma" not in text and len(_rows(text)) == 3
    assert "Pasirian" not in text  # nor its kecamatan among the filters


def test_the_board_runs_the_same_queries_for_few_and_many_follow_ups(
    client: FlaskClient, board: dict[str, object], place: Place, count_queries
) -> None:
    with count_queries() as few:
        assert client.get("/tindak-lanjut/?status=semua").status_code == 200
    owner = board["rina"]
    for n in range(40):
        factories.make_follow_up(
            place.beta,
            owner,
            date(2025, 1, 1) + timedelta(days=n),
            recommendation=f"Tugas {n}",  # type: ignore[arg-type]
        )
    with count_queries() as many:
        assert client.get("/tindak-lanjut/?status=semua&page=2").status_code == 200
    assert len(few) == len(many)
