"""Verified means verified: what a petugas enters is submitted and counts only once a kabid or
admin verifies it; a rejected value never counts and the petugas reads why.

The verification page /aktivitas/verifikasi/<period>: the submitted values in the reviewer's
scope with who entered them and what the assessment uses without them, verified or rejected in
one step (ticked ones, a whole kecamatan, a whole KIM), all or nothing, audited per decision.
"""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import func, select

from tests import factories
from tests.factories import import_measurements
from tracker.extensions import db
from tracker.models import Assessment, AuditEntry, Measurement
from tracker.services.activity.verification import token
from tracker.services.assessment.runner import assess_period
from tracker.services.rules import frameworks

PERIOD = "2025-T1"
GRID = f"/aktivitas/pengukuran/{PERIOD}?kecamatan=35.08.09"
REVIEW = f"/aktivitas/verifikasi/{PERIOD}"


@pytest.fixture
def district(regions):
    """A KIM without an SK in the registry (K1 "tidak": the gate holds it at Rintisan) whose
    other values make it Berkembang once K1 is "ya"; a second KIM in the same kecamatan and one
    in another kecamatan."""
    period = factories.make_period(PERIOD)
    frameworks.ensure_default()
    kim = factories.kim(
        regions.desa_a1, "KIM Tukum Mandiri", sk_number=None, sk_date=None, kimid_number="KIM-1"
    )
    for code, value in {"K3": 4, "M1": 3, "M2": 12, "D1": 4}.items():
        factories.make_measurement(kim, period, code, value)  # verified (command line)
    neighbour = factories.kim(regions.desa_a2, "KIM Sumber Rejeki")
    far = factories.kim(regions.desa_b1, "KIM Condro Jaya")
    return period, kim, neighbour, far


def tier_of(kim) -> str:
    assess_period(PERIOD, None)
    return db.session.scalar(select(Assessment.tier).where(Assessment.kim_id == kim.id))


def measurement(kim, code: str) -> Measurement:
    db.session.expire_all()
    return db.session.scalar(
        select(Measurement).where(Measurement.kim_id == kim.id, Measurement.indicator_code == code)
    )


def tokens(html: str) -> list[str]:
    return re.findall(r'name="pilih" value="([0-9]+:[0-9]+)"', html)


def petugas_enters_k1(client, auth, kim, note="SK Kades 188/5/2024 dilihat saat kunjungan"):
    petugas = factories.user("petugas", scope=["35.08.09"], username="petugas1")
    auth.login("petugas1")
    response = client.post(GRID, data={f"v-{kim.id}-K1": "ya", f"n-{kim.id}-K1": note})
    assert response.status_code == 302
    auth.logout()
    return petugas


def test_a_petugas_k1_changes_the_tier_only_once_a_kabid_verifies_it(client, auth, district):
    _period, kim, *_ = district
    assert tier_of(kim) == "Rintisan"  # the registry has no SK: the gate fails
    petugas = petugas_enters_k1(client, auth, kim)
    assert measurement(kim, "K1").status == "submitted"
    assert tier_of(kim) == "Rintisan"  # submitted: overrides nothing

    kabid = factories.user("kabid", scope=["35.08"], username="kabid1")
    auth.login("kabid1")
    page = client.get(REVIEW)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "KIM Tukum Mandiri" in html and "SK Kades 188/5/2024" in html
    assert "Pengguna petugas" in html  # who entered it
    assert "registri:" in html and "tidak" in html  # what counts without it
    response = client.post(REVIEW, data={"aksi": "verifikasi", "pilih": tokens(html)})
    assert response.status_code == 302
    follow = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "1 nilai diverifikasi" in follow

    k1 = measurement(kim, "K1")
    assert k1.status == "verified" and k1.reviewed_by_id == kabid.id and k1.reviewed_at
    assert k1.recorded_by_id == petugas.id  # who entered it is kept
    assert tier_of(kim) == "Berkembang"

    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "measurement.verify"))
    assert entry.user_id == kabid.id and entry.params["count"] == 1
    assert entry.changes == {f"{kim.id}.K1": [None, 1.0]}  # which value was verified

    breakdown = client.get(f"/penilaian/{PERIOD}/kim/{kim.id}").get_data(as_text=True)
    assert "diisi Pengguna petugas" in breakdown and "diverifikasi Pengguna kabid" in breakdown


def test_a_rejected_value_never_counts_and_the_petugas_reads_why(client, auth, district):
    _period, kim, *_ = district
    petugas_enters_k1(client, auth, kim)
    factories.user("kabid", scope=["35.08"], username="kabid1")
    auth.login("kabid1")
    picked = tokens(client.get(REVIEW).get_data(as_text=True))

    no_reason = client.post(REVIEW, data={"aksi": "tolak", "pilih": picked, "alasan": "  "})
    assert no_reason.status_code == 422
    html = no_reason.get_data(as_text=True)
    assert "Tulis alasan penolakan" in html
    assert f'value="{picked[0]}" checked' in html  # the ticks are kept
    assert measurement(kim, "K1").status == "submitted"

    reason = "Foto SK tidak terbaca; unggah ulang bukti."
    response = client.post(REVIEW, data={"aksi": "tolak", "pilih": picked, "alasan": reason})
    assert response.status_code == 302
    k1 = measurement(kim, "K1")
    assert k1.status == "rejected" and k1.reject_reason == reason
    assert tier_of(kim) == "Rintisan"  # never counts
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "measurement.reject"))
    assert entry.params["reason"] == reason
    breakdown = client.get(f"/penilaian/{PERIOD}/kim/{kim.id}").get_data(as_text=True)
    assert "ditolak (tidak dihitung)" in breakdown
    auth.logout()

    auth.login("petugas1")
    grid = client.get(GRID).get_data(as_text=True)
    assert "ditolak" in grid and reason in grid
    assert "1 ditolak" in client.get("/aktivitas/").get_data(as_text=True)
    # a changed note sends it back for verification; it still does not count until verified
    client.post(GRID, data={f"v-{kim.id}-K1": "ya", f"n-{kim.id}-K1": "SK terlampir ulang"})
    k1 = measurement(kim, "K1")
    assert k1.status == "submitted" and k1.reject_reason is None
    assert tier_of(kim) == "Rintisan"


def test_verify_a_whole_kecamatan_or_a_whole_kim_in_one_step(client, login_as, district):
    period, kim, neighbour, far = district
    petugas = factories.user("petugas", scope=["35.08"], username="lapangan")
    for target in (kim, neighbour, far):
        for code in ("K3", "D1") if target is not kim else ("K1",):
            factories.make_measurement(target, period, code, 2, "submitted", entered_by=petugas)
    login_as("kabid")
    html = client.get(REVIEW).get_data(as_text=True)
    shown = re.findall(r'name="tampil" value="([0-9:]+)"', html)
    assert len(shown) == 5 and "Kec. Sukodono" in html and "Kec. Pasirian" in html

    response = client.post(REVIEW, data={"aksi": f"kim:{neighbour.id}", "tampil": shown})
    assert response.status_code == 302
    assert [measurement(neighbour, c).status for c in ("K3", "D1")] == ["verified"] * 2
    assert measurement(kim, "K1").status == "submitted"

    shown = re.findall(r'name="tampil" value="([0-9:]+)"', client.get(REVIEW).get_data(True))
    client.post(REVIEW, data={"aksi": "kec:35.08.09", "tampil": shown})
    assert measurement(kim, "K1").status == "verified"
    assert [measurement(far, c).status for c in ("K3", "D1")] == ["submitted"] * 2
    verified = AuditEntry.action == "measurement.verify"
    assert db.session.scalar(select(func.count()).select_from(AuditEntry).where(verified)) == 2


def test_a_value_changed_after_the_page_was_shown_is_not_verified(client, auth, district):
    _period, kim, *_ = district
    petugas_enters_k1(client, auth, kim)
    factories.user("kabid", scope=["35.08"], username="kabid1")
    auth.login("kabid1")
    seen = tokens(client.get(REVIEW).get_data(as_text=True))
    auth.logout()
    auth.login("petugas1")
    client.post(GRID, data={f"v-{kim.id}-K1": "tidak", f"n-{kim.id}-K1": "salah ketik tadi"})
    auth.logout()
    auth.login("kabid1")
    response = client.post(REVIEW, data={"aksi": "verifikasi", "pilih": seen})
    assert response.status_code == 302
    assert "sudah berubah sejak halaman ini dibuka" in client.get(REVIEW).get_data(as_text=True)
    assert measurement(kim, "K1").status == "submitted"
    # deciding twice: the second decision finds nothing submitted under that token
    fresh = tokens(client.get(REVIEW).get_data(as_text=True))
    assert client.post(REVIEW, data={"aksi": "verifikasi", "pilih": fresh}).status_code == 302
    client.post(REVIEW, data={"aksi": "tolak", "pilih": fresh, "alasan": "terlambat"})
    assert measurement(kim, "K1").status == "verified"


def test_nothing_ticked_or_a_forged_choice_changes_nothing(client, login_as, district):
    period, kim, *_ = district
    factories.make_measurement(kim, period, "K1", 1, "submitted")
    login_as("kabid")
    nothing = client.post(REVIEW, data={"aksi": "verifikasi"})
    assert nothing.status_code == 422 and "Pilih dulu nilai" in nothing.get_data(as_text=True)
    for forged in ("abc", "1:x", "99999999999999999999:1"):
        response = client.post(REVIEW, data={"aksi": "verifikasi", "pilih": forged})
        assert response.status_code in (302, 422), forged
    assert client.post(REVIEW, data={"aksi": "hapus-semua"}).status_code == 400
    assert measurement(kim, "K1").status == "submitted"
    decided = AuditEntry.action.in_(["measurement.verify", "measurement.reject"])
    assert db.session.scalar(select(func.count()).select_from(AuditEntry).where(decided)) == 0


def test_a_reviewer_sees_and_decides_only_inside_their_scope(client, login_as, district):
    period, _kim, _neighbour, far = district
    m = factories.make_measurement(far, period, "K3", 2, "submitted")
    login_as("kabid", scope=["35.08.09"])
    assert "KIM Condro Jaya" not in client.get(REVIEW).get_data(as_text=True)
    response = client.post(REVIEW, data={"aksi": "verifikasi", "pilih": token(m.id, m.recorded_at)})
    assert response.status_code == 302  # "changed since shown": not found in scope
    assert measurement(far, "K3").status == "submitted"


@pytest.mark.parametrize("role", ["petugas", "viewer"])
def test_only_an_admin_or_kabid_verifies(client, login_as, district, role):
    period, kim, *_ = district
    m = factories.make_measurement(kim, period, "K1", 1, "submitted")
    login_as(role)
    assert client.get(REVIEW).status_code == 403
    data = {"aksi": "verifikasi", "pilih": token(m.id, m.recorded_at)}
    assert client.post(REVIEW, data=data).status_code == 403
    assert measurement(kim, "K1").status == "submitted"


def test_a_closed_period_cannot_be_verified(client, login_as, regions):
    period = factories.make_period(PERIOD, state="closed")
    kim = factories.kim(regions.desa_a1)
    m = factories.make_measurement(kim, period, "K3", 2, "submitted")
    login_as("admin")
    html = client.get(REVIEW).get_data(as_text=True)
    assert "sudah ditutup" in html and 'name="pilih"' not in html
    response = client.post(REVIEW, data={"aksi": "verifikasi", "pilih": token(m.id, m.recorded_at)})
    assert response.status_code == 302
    assert measurement(kim, "K3").status == "submitted"


def test_a_verified_value_is_the_kabids_to_change(client, login_as, district):
    """A petugas sees a verified value but cannot change or clear it; a kabid can."""
    _period, kim, *_ = district  # K3 = 4, verified
    login_as("petugas", scope=["35.08.09"])
    html = client.get(GRID).get_data(as_text=True)
    assert f'name="v-{kim.id}-K3"' not in html and "terverifikasi" in html
    for value in ("3", ""):
        refused = client.post(GRID, data={f"v-{kim.id}-K3": value, f"n-{kim.id}-K3": ""})
        assert refused.status_code == 422
        assert "sudah diverifikasi" in refused.get_data(as_text=True)
    same = client.post(GRID, data={f"v-{kim.id}-K3": "4,0", f"n-{kim.id}-K3": "bukti uji"})
    assert same.status_code == 302  # the same value, typed differently: nothing to change
    assert (measurement(kim, "K3").value, measurement(kim, "K3").status) == (4.0, "verified")


def test_what_a_kabid_enters_counts_at_once(client, login_as, district):
    _period, kim, *_ = district
    kabid = login_as("kabid")
    client.post(GRID, data={f"v-{kim.id}-K1": "ya", f"n-{kim.id}-K1": "SK dicek kabid"})
    k1 = measurement(kim, "K1")
    assert k1.status == "verified" and k1.reviewed_by_id == kabid.id == k1.recorded_by_id
    assert tier_of(kim) == "Berkembang"


def test_the_grid_shows_the_registry_and_computed_values_beside_the_fields(
    client, login_as, district
):
    _period, _kim, neighbour, _far = district
    factories.make_posts(neighbour, ("berita", date(2025, 1, 6)), ("galeri", date(2025, 2, 3)))
    login_as("petugas", scope=["35.08.09"])
    html = client.get(GRID + "&lainnya=W1&lainnya=W3").get_data(as_text=True)
    # K1 from the registry: the neighbour has an SK, KIM Tukum Mandiri has none
    assert f"SK {neighbour.sk_number}" in html
    assert "registri: <strong>tidak</strong>" in html
    assert "KIM.id KIM-1" in html  # K2 "ya" because the registry holds its KIM.id number
    assert "unggahan: <strong>0,33</strong>" in html  # W1: 1 berita in 3 months, from posts
    assert "unggahan: <strong>2</strong>" in html  # W3: two content types


def test_a_petugas_import_is_submitted_an_admin_import_verified(app, regions):
    period = factories.make_period(PERIOD)
    kim = factories.kim(regions.desa_a1, "KIM Tukum Mandiri")
    petugas = factories.user("petugas", scope=["35.08.09"], username="p")
    admin = factories.user("admin", username="a")
    csv = b"KIM;Indikator;Nilai;Catatan\nKIM Tukum Mandiri;K3;3;AD/ART\n"
    assert import_measurements(csv, "n.csv", PERIOD, petugas).written
    assert measurement(kim, "K3").status == "submitted"
    assert import_measurements(csv, "n.csv", PERIOD, admin).written  # same value: now verified
    k3 = measurement(kim, "K3")
    assert k3.status == "verified" and k3.reviewed_by_id == admin.id
    changed = b"KIM;Indikator;Nilai;Catatan\nKIM Tukum Mandiri;K3;1;\n"
    refused = import_measurements(changed, "n.csv", PERIOD, petugas)
    assert refused.refused and "sudah diverifikasi" in refused.problems[0].message
    assert measurement(kim, "K3").value == 3.0
    assert period.id == k3.period_id


def test_the_activity_page_tells_a_kabid_what_waits(client, login_as, district):
    period, kim, neighbour, _far = district
    factories.make_measurement(kim, period, "K1", 1, "submitted")
    factories.make_measurement(neighbour, period, "K3", 1, "submitted")
    login_as("kabid")
    html = client.get("/aktivitas/").get_data(as_text=True)
    assert "Verifikasi 2 nilai yang diajukan" in html and "2 diajukan" in html
    assert f'href="{REVIEW}"' in html
