"""What-if: how many KIMs change tier under a draft framework, and which; on the page too.

KIM scores are crafted with verified measurements (which override computed values). With the
registry's gates passed, P1 = 0 and P2 = 100 ("none due") the base is 5 points; K3 = 4 (+15),
D1 = 4 (+20), W2 = 100 (+14) and W3 = 4 (+6) make 60,00 exactly; M1 = 1 adds 3,75; P1 = 2 adds 5.
"""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from tests import factories
from tracker.models import Kim
from tracker.services.assessment import whatif
from tracker.services.assessment.runner import assess_period
from tracker.services.rules import frameworks
from tracker.services.rules.periods import PeriodNotFoundError

MAJU_AT_60 = {"K3": 4, "D1": 4, "W2": 100, "W3": 4}


@pytest.fixture
def district(app, regions):  # type: ignore[no-untyped-def]
    """Five KIMs assessed in 2025-T1 under v1, and a draft v2 raising Maju from 60 to 65."""
    frameworks.ensure_default()
    period = factories.make_period("2025-T1")

    def make(name: str, desa: str = regions.desa_a1, **measures: float) -> Kim:
        kim = factories.kim(desa, name=name, kimid_number=f"KIM-{name}")
        for code, value in measures.items():
            factories.make_measurement(kim, period, code, value)
        return kim

    kims = {
        "sixty": make("KIM Enam Puluh", **MAJU_AT_60),  # 60,00
        "mid": make("KIM Tengah", regions.desa_b1, **MAJU_AT_60, M1=1),  # 63,75
        "sixtyfive": make("KIM Enam Lima", **MAJU_AT_60, P1=2),  # 65,00
        "below": make("KIM Bawah", **{**MAJU_AT_60, "P2": 99.8}),  # 59,99
        "low": make("KIM Rendah", K3=4, D1=4, W2=100),  # 54,00
    }
    run = assess_period(period, None)
    assert run.tier_counts == {"Rintisan": 0, "Berkembang": 2, "Maju": 3, "Mandiri": 0}
    draft = frameworks.create_draft(1, None)
    frameworks.edit_draft(draft.version, {"tier_2_min": "65"}, None)
    return kims


def test_raising_maju_bound_moves_exactly_the_kims_between_60_and_65(district) -> None:
    result = whatif.compare(2)
    assert result.period_code == "2025-T1"
    assert (result.current_version, result.draft_version) == (1, 2)
    assert result.compared == 5
    assert result.changed_count == 2
    assert (result.up, result.down) == (0, 2)
    assert result.stale == 0
    changed = {r.name: r for r in result.changed.items}
    assert set(changed) == {"KIM Enam Puluh", "KIM Tengah"}
    mid = changed["KIM Tengah"]
    assert (mid.tier_now, mid.tier_draft) == ("Maju", "Berkembang")
    assert (mid.score_now, mid.score_draft) == (63.75, 63.75)
    assert (mid.desa, mid.kecamatan) == ("Condro", "Pasirian")
    assert result.counts_now == {"Rintisan": 0, "Berkembang": 2, "Maju": 3, "Mandiri": 0}
    assert result.counts_draft == {"Rintisan": 0, "Berkembang": 4, "Maju": 1, "Mandiri": 0}


def test_lowering_the_bound_moves_kims_up(district) -> None:
    frameworks.edit_draft(2, {"tier_2_min": "59,99"}, None)
    result = whatif.compare(2, "2025-T1")
    assert [(r.name, r.tier_now, r.tier_draft, r.up) for r in result.changed.items] == [
        ("KIM Bawah", "Berkembang", "Maju", True)
    ]


def test_an_unchanged_copy_changes_nothing(district) -> None:
    frameworks.create_draft(1, None)
    result = whatif.compare(3)
    assert result.changed_count == 0
    assert result.changed.items == []


def test_scope_limits_the_comparison(district, regions) -> None:
    petugas = factories.user("petugas", scope=[regions.kec_b], username="petugas-b")
    result = whatif.compare(2, None, petugas)
    assert result.compared == 1
    assert [r.name for r in result.changed.items] == ["KIM Tengah"]


def test_data_changed_since_the_run_is_counted_as_stale(district) -> None:
    from tracker.extensions import db
    from tracker.models import Measurement

    # KIM Enam Puluh loses W3 after the run: 54,00, Berkembang on today's data (stored: Maju)
    db.session.query(Measurement).filter_by(
        kim_id=district["sixty"].id, indicator_code="W3"
    ).update({"value": 0})
    db.session.commit()
    result = whatif.compare(2)
    assert result.stale == 1
    # the comparison isolates the rules: that KIM is Berkembang under both versions now
    assert [r.name for r in result.changed.items] == ["KIM Tengah"]


def test_no_assessed_period(app) -> None:
    frameworks.ensure_default()
    frameworks.create_draft(1, None)
    with pytest.raises(whatif.WhatIfError, match="Belum ada periode yang dinilai"):
        whatif.compare(2)


def test_unknown_period(district) -> None:
    with pytest.raises(PeriodNotFoundError, match="2030-T1 tidak ditemukan"):
        whatif.compare(2, "2030-T1")
    # the version's page says so next to the period choice instead of failing
    assert whatif.version_page(2, None, "2030-T1").compare_error == (
        "Periode 2030-T1 tidak ditemukan."
    )


def test_period_not_assessed(district) -> None:
    factories.make_period("2025-T2")
    with pytest.raises(whatif.WhatIfError, match="2025-T2 belum dinilai"):
        whatif.compare(2, "2025-T2")


def test_page_shows_count_and_list(client: FlaskClient, login_as, district) -> None:
    login_as("viewer")
    page = client.get("/kerangka/2")
    assert "Bandingkan dengan periode yang sudah dinilai" in page.text
    assert '<option value="2025-T1"' in page.text
    result = client.get("/kerangka/2", query_string={"bandingkan": "1", "periode": "2025-T1"})
    assert result.status_code == 200
    text = result.text
    assert "Periode 2025-T1: 2 dari 5 KIM berganti jenjang dengan v2 (0 naik, 2 turun)" in text
    assert "KIM Enam Puluh" in text and "KIM Tengah" in text
    assert "KIM Enam Lima" not in text and "KIM Bawah" not in text
    assert "63,75" in text


def test_page_respects_scope(client: FlaskClient, login_as, district, regions) -> None:
    login_as("petugas", scope=[regions.kec_b])
    text = client.get("/kerangka/2", query_string={"bandingkan": "1"}).text
    assert "1 dari 1 KIM berganti jenjang" in text
    assert "KIM Tengah" in text and "KIM Enam Puluh" not in text


def test_page_shows_comparison_error(client: FlaskClient, login_as, district) -> None:
    login_as("admin")
    text = client.get("/kerangka/2", query_string={"bandingkan": "1", "periode": "2031-T1"}).text
    assert "Periode 2031-T1 tidak ditemukan." in text


def test_active_version_page_offers_no_comparison(client: FlaskClient, login_as, district) -> None:
    login_as("admin")
    assert "Bandingkan dengan periode" not in client.get("/kerangka/1").text
