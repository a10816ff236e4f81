"""The training-needs analysis on a crafted district: the points each indicator loses (per
kecamatan and tier), the KIMs each topic helps most with the points at stake from their roadmap,
and the invite list "rencanakan sesi" pre-fills.

Four KIMs, every indicator at its best (verified values) except:
  KIM Akasia  (Sukodono) W2 25 %          S 89,50: Berkembang (Maju needs W2 ≥ 50)
  KIM Bambu   (Sukodono) W2 0 %, M2 0     S 78,50: Berkembang
  KIM Cemara  (Pasirian) W1 0, W2 0 %     S 72,00: Berkembang
  KIM Damar   (Pasirian) no KIM.id (K2)   S 100:   Rintisan (gate)
One point of W1 or W2 is worth 0,14 of S, of M2 0,075. Each roadmap to Maju must lift W2 to 50 %
(+3,50 for Akasia, +7,00 for Bambu and Cemara); Damar's to Berkembang needs K2 only.
"""

from __future__ import annotations

import re

import pytest

from tests import factories
from tests.coaching.conftest import District
from tracker.models import Kim
from tracker.services.assessment.runner import assess_period
from tracker.services.coaching.training_needs import training_needs

BEST = {
    "K3": 4,
    "W1": 12,
    "W2": 100,
    "W3": 4,
    "W4": 0,
    "M1": 3,
    "M2": 12,
    "P1": 2,
    "D1": 4,
}


@pytest.fixture
def crafted(district: District) -> dict[str, Kim]:
    regions = district.regions
    kims = {
        "Akasia": factories.kim(regions.desa_a1, name="KIM Akasia", kimid_number="A-1"),
        "Bambu": factories.kim(regions.desa_a2, name="KIM Bambu", kimid_number="B-1"),
        "Cemara": factories.kim(regions.desa_b1, name="KIM Cemara", kimid_number="C-1"),
        "Damar": factories.kim(regions.desa_b1, name="KIM Damar"),
    }
    lower = {"Akasia": {"W2": 25}, "Bambu": {"W2": 0, "M2": 0}, "Cemara": {"W1": 0, "W2": 0}}
    for name, kim in kims.items():
        for code, value in {**BEST, **lower.get(name, {})}.items():
            factories.make_measurement(kim, district.period, code, value)
    for kim in (district.a1, district.a2, district.b1):  # the district's own KIMs: inactive here
        kim.status = "nonaktif"
    factories.make_topic("Kalender editorial", ("W2", "W4"))
    factories.make_topic("Administrasi website KIM.id", ("K2", "W4"))
    assess_period("2025-T1", None)
    return kims


def test_where_points_are_lost(crafted) -> None:
    needs = training_needs(None, "2025-T1")
    assert needs.assessed == 4
    assert [(i.code, i.kims, i.total, i.mean) for i in needs.indicators] == [
        ("W2", 3, 38.5, 9.63),
        ("W1", 1, 14.0, 3.5),
        ("M2", 1, 7.5, 1.88),
    ]
    assert needs.gates == [("K2", "Terdaftar di KIM.id", 1)]
    by_kecamatan = {g.name: g for g in needs.by_kecamatan}
    assert list(by_kecamatan) == ["Pasirian", "Sukodono"]
    assert (by_kecamatan["Sukodono"].kims, by_kecamatan["Sukodono"].mean_score) == (2, 84.0)
    assert [(i.code, i.mean) for i in by_kecamatan["Sukodono"].top] == [("W2", 12.25), ("M2", 3.75)]
    assert [(i.code, i.mean) for i in by_kecamatan["Pasirian"].top] == [("W1", 7.0), ("W2", 7.0)]
    by_tier = {g.name: g for g in needs.by_tier}
    assert [(i.code, i.total) for i in by_tier["Berkembang"].top] == [
        ("W2", 38.5),
        ("W1", 14.0),
        ("M2", 7.5),
    ]
    assert by_tier["Rintisan"].top == []


def test_the_kims_each_topic_helps_most(crafted) -> None:
    needs = training_needs(None, "2025-T1")
    topics = {t.name: t for t in needs.topics}
    assert needs.topics[0].name == "Kalender editorial"  # the most points at stake
    calendar = topics["Kalender editorial"]
    assert (calendar.kims, calendar.points) == (3, 17.5)
    assert [(c.name, c.points, c.codes) for c in calendar.candidates] == [
        ("KIM Bambu", 7.0, ("W2",)),
        ("KIM Cemara", 7.0, ("W2",)),
        ("KIM Akasia", 3.5, ("W2",)),
    ]
    website = topics["Administrasi website KIM.id"]
    assert [(c.name, c.gates, c.points) for c in website.candidates] == [
        ("KIM Damar", ("K2",), 0.0)
    ]
    assert topics["Menulis berita"].candidates == []  # W1 is in no plan: Cemara needs W2 first


def test_a_petugas_plans_from_his_own_kecamatan(crafted, login_as, district: District) -> None:
    petugas = login_as("petugas", scope=[district.regions.kec_a])
    needs = training_needs(petugas, "2025-T1")
    assert needs.assessed == 2
    names = [c.name for t in needs.topics for c in t.candidates]
    assert sorted(names) == ["KIM Akasia", "KIM Bambu"]


def test_the_page_and_its_rencanakan_sesi(client, auth, login_as, crafted) -> None:
    login_as("kabid")
    page = client.get("/pembinaan/kebutuhan/")
    assert page.status_code == 302 and page.headers["Location"].endswith(
        "/pembinaan/kebutuhan/2025-T1"
    )
    text = client.get("/pembinaan/kebutuhan/2025-T1").text
    assert "W2 Konsistensi mingguan" in text
    assert "3 KIM dapat meraih +17,50 poin dengan materi ini." in text
    calendar = next(
        t for t in training_needs(None, "2025-T1").topics if t.name == "Kalender editorial"
    )
    link = f"/pembinaan/sesi/baru?materi={calendar.topic_id}&amp;periode=2025-T1"
    assert link in text
    form = client.get(link.replace("&amp;", "&")).text
    assert 'value="Kalender editorial"' in form
    assert "3 KIM dengan poin terbanyak yang dapat diraih diundang" in form
    for name in ("Akasia", "Bambu", "Cemara"):
        assert f'value="{crafted[name].id}" checked' in form
    assert f'value="{crafted["Damar"].id}" checked' not in form
    assert re.search(
        rf'checked id="topics-\d+" name="topics" type="checkbox" value="{calendar.topic_id}"', form
    )
    auth.logout()
    login_as("viewer")
    text = client.get("/pembinaan/kebutuhan/2025-T1").text
    assert "+17,50" in text and "/pembinaan/sesi/baru?materi=" not in text
