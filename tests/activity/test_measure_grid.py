"""The data-entry grid /aktivitas/pengukuran/<period>?kecamatan=…: validation of every cell,
upsert, who/when, clearing, overrides, scope and closed periods."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from tests import factories
from tracker.extensions import db
from tracker.models import AuditEntry, Measurement

URL = "/aktivitas/pengukuran/2025-T1?kecamatan=35.08.09"


@pytest.fixture
def grid_data(regions):
    period = factories.make_period("2025-T1")
    a = factories.kim(regions.desa_a1, "KIM Tukum Mandiri")
    b = factories.kim(regions.desa_a2, "KIM Sumber Rejeki")
    gone = factories.kim(regions.desa_a2, "KIM Lama", status="nonaktif")
    other = factories.kim(regions.desa_b1, "KIM Condro Jaya")
    return period, a, b, gone, other


def stored() -> dict[tuple[int, str], tuple[float, str | None]]:
    return {
        (m.kim_id, m.indicator_code): (m.value, m.note)
        for m in db.session.scalars(select(Measurement))
    }


def test_grid_lists_active_kims_of_the_kecamatan(client, login_as, grid_data):
    _period, a, b, gone, other = grid_data
    login_as("petugas", scope=["35.08.09"])
    page = client.get(URL)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert a.name in html and b.name in html
    assert gone.name not in html and other.name not in html
    for code in ("K1", "K2", "K3", "M1", "M2", "D1"):
        assert f'name="v-{a.id}-{code}"' in html and f'name="n-{a.id}-{code}"' in html
    assert f'name="v-{a.id}-W2"' not in html  # overrides only on request
    assert re.findall(r"<script(?![^>]*\bsrc=)", html) == []  # no inline script (CSP)


def test_valid_submission_upserts_and_shows_who_and_when(client, login_as, grid_data):
    period, a, b, _gone, _other = grid_data
    user = login_as("petugas", scope=["35.08.09"])
    form = {
        f"v-{a.id}-K1": "ya",
        f"n-{a.id}-K1": "SK Kades 188/5/2024",
        f"v-{a.id}-K3": "3",
        f"n-{a.id}-K3": "AD/ART, struktur, sekretariat",
        f"v-{a.id}-M2": "2,5",
        f"n-{a.id}-M2": "",
        f"v-{b.id}-K1": "tidak",
        f"n-{b.id}-K1": "",
        f"v-{b.id}-D1": "",
        f"n-{b.id}-D1": "",
    }
    response = client.post(URL, data=form)
    assert response.status_code == 302
    assert stored() == {
        (a.id, "K1"): (1.0, "SK Kades 188/5/2024"),
        (a.id, "K3"): (3.0, "AD/ART, struktur, sekretariat"),
        (a.id, "M2"): (2.5, None),
        (b.id, "K1"): (0.0, None),
    }
    m = db.session.scalar(select(Measurement).where(Measurement.indicator_code == "K3"))
    # a petugas's value is submitted: it waits for a kabid or admin and counts only then
    assert m.status == "submitted" and not m.verified
    assert m.recorded_by_id == user.id and m.recorded_at is not None
    assert m.reviewed_by_id is None and m.reviewed_at is None
    assert m.period_id == period.id

    html = client.get(URL).get_data(as_text=True)
    assert "Tersimpan: 4 nilai baru" in html
    assert "diajukan; dihitung setelah diverifikasi" in html
    assert 'value="2,5"' in html and 'value="ya"' in html and 'value="tidak"' in html
    assert "Pengguna petugas" in html  # who recorded it
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "measurement.grid"))
    assert entry.user_id == user.id and len(entry.changes) == 4


def test_one_bad_cell_refuses_everything_and_keeps_what_was_typed(client, login_as, grid_data):
    _period, a, b, _gone, _other = grid_data
    login_as("petugas", scope=["35.08.09"])
    form = {
        f"v-{a.id}-K1": "ya",
        f"v-{a.id}-K3": "7",
        f"n-{a.id}-K3": "catatan yang diketik",
        f"v-{b.id}-M2": "banyak",
        f"v-{b.id}-K2": "",
        f"n-{b.id}-K2": "bukti tanpa nilai",
    }
    response = client.post(URL, data=form)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "3 isian belum benar" in html
    assert "K3 harus 0–4" in html
    assert "&#39;banyak&#39; bukan angka" in html or "'banyak' bukan angka" in html
    assert "catatan tanpa nilai" in html
    assert 'value="7"' in html and 'value="catatan yang diketik"' in html
    assert 'value="banyak"' in html and 'value="ya"' in html
    assert 'aria-invalid="true"' in html
    assert stored() == {}
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == 0


def test_update_and_clear(client, login_as, grid_data):
    period, a, _b, _gone, _other = grid_data
    factories.make_measurement(a, period, "K3", 2.0, note="lama")
    factories.make_measurement(a, period, "D1", 1.0, note="lama")
    factories.make_measurement(a, period, "M1", 1.0, note="tetap")
    user = login_as("kabid")
    form = {
        f"v-{a.id}-K3": "4",
        f"n-{a.id}-K3": "lengkap",
        f"v-{a.id}-D1": "",
        f"n-{a.id}-D1": "",
        f"v-{a.id}-M1": "1",
        f"n-{a.id}-M1": "tetap",
    }
    response = client.post(URL, data=form, follow_redirects=True)
    assert "1 diubah, 1 dihapus" in response.get_data(as_text=True)
    assert stored() == {(a.id, "K3"): (4.0, "lengkap"), (a.id, "M1"): (1.0, "tetap")}
    unchanged = db.session.scalar(select(Measurement).where(Measurement.indicator_code == "M1"))
    assert unchanged.recorded_by_id is None  # untouched values keep their recorder
    changed = db.session.scalar(select(Measurement).where(Measurement.indicator_code == "K3"))
    assert changed.recorded_by_id == user.id
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "measurement.grid"))
    assert sorted(entry.changes.values()) == [[1.0, None], [2.0, 4.0]]


def test_override_columns_for_computed_indicators(client, login_as, grid_data):
    _period, a, _b, _gone, _other = grid_data
    login_as("petugas", scope=["35.08.09"])
    html = client.get(URL + "&lainnya=W2").get_data(as_text=True)
    assert f'name="v-{a.id}-W2"' in html and f'name="v-{a.id}-W4"' not in html
    response = client.post(URL, data={f"v-{a.id}-W2": "92,3", "lainnya": "W2"})
    assert response.status_code == 302 and "lainnya=W2" in response.headers["Location"]
    assert stored() == {(a.id, "W2"): (pytest.approx(92.3), None)}
    # a column holding a value is shown without asking
    assert f'name="v-{a.id}-W2"' in client.get(URL).get_data(as_text=True)
    bad = client.post(URL, data={f"v-{a.id}-W2": "120"})
    assert bad.status_code == 422 and "0–100" in bad.get_data(as_text=True)


def test_petugas_cannot_reach_another_kecamatan(client, login_as, grid_data):
    _period, a, _b, _gone, other = grid_data
    login_as("petugas", scope=["35.08.09"])
    assert client.get("/aktivitas/pengukuran/2025-T1?kecamatan=35.08.02").status_code == 404
    assert (
        client.post(
            "/aktivitas/pengukuran/2025-T1?kecamatan=35.08.02", data={f"v-{other.id}-K1": "ya"}
        ).status_code
        == 404
    )
    # a KIM of another kecamatan smuggled into this kecamatan's grid
    smuggled = client.post(URL, data={f"v-{a.id}-K1": "ya", f"v-{other.id}-K1": "ya"})
    assert smuggled.status_code == 404
    assert stored() == {}
    assert client.get("/aktivitas/pengukuran/2031-T1?kecamatan=35.08.09").status_code == 404


def test_viewer_gets_403(client, login_as, grid_data):
    _period, a, *_ = grid_data
    login_as("viewer")
    assert client.get(URL).status_code == 403
    assert client.post(URL, data={f"v-{a.id}-K1": "ya"}).status_code == 403
    assert stored() == {}


def test_closed_period_is_read_only(client, login_as, regions):
    period = factories.make_period("2025-T1", state="closed")
    a = factories.kim(regions.desa_a1, "KIM Tukum Mandiri")
    factories.make_measurement(a, period, "K3", 2.0)
    login_as("admin")
    html = client.get(URL).get_data(as_text=True)
    assert "sudah ditutup" in html and "Simpan semua" not in html
    assert 'name="v-' not in html and 'name="n-' not in html  # shown, not editable
    response = client.post(URL, data={f"v-{a.id}-K3": "4"}, follow_redirects=True)
    assert "sudah ditutup" in response.get_data(as_text=True)
    assert stored() == {(a.id, "K3"): (2.0, "bukti uji")}


def test_columns_and_ranges_follow_the_active_framework(client, login_as, grid_data):
    from tracker.models import Framework
    from tracker.scoring.framework import default_definition, load_framework

    _period, a, *_ = grid_data
    definition = default_definition()
    for indicator in definition["indicators"]:
        if indicator["code"] == "D1":
            indicator["weight"] = 50
    definition["indicators"].append(
        {
            "code": "D2",
            "dimension": "D",
            "kind": "linear",
            "weight": 50,
            "name": "Kolaborasi dengan mitra",
            "unit": "butir",
            "min": 0,
            "max": 2,
            "factor": 50,
            "milestones": [1, 2],
            "manual": True,
            "topic": "Kemitraan",
        }
    )
    load_framework(definition)  # a valid framework
    db.session.add(Framework(version=2, name="v2", state="active", definition=definition))
    db.session.commit()
    login_as("petugas", scope=["35.08.09"])
    html = client.get(URL).get_data(as_text=True)
    assert f'name="v-{a.id}-D2"' in html and "Kolaborasi dengan mitra" in html
    bad = client.post(URL, data={f"v-{a.id}-D2": "3"})
    assert bad.status_code == 422 and "D2 harus 0–2" in bad.get_data(as_text=True)
    assert client.post(URL, data={f"v-{a.id}-D2": "2"}).status_code == 302
    assert stored() == {(a.id, "D2"): (2.0, None)}


def test_a_forged_cell_name_is_a_bad_request_not_a_crash(client, login_as, grid_data):
    login_as("petugas", scope=["35.08.09"])
    for forged in ("v-²-K1", "v-abc-K1", "v-12"):
        response = client.post(URL, data={forged: "ya"})
        assert response.status_code == 400, forged
    assert stored() == {}
