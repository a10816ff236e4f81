"""assess_period: what is stored, the stability rule across periods, refusals, scope, cost."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from tests import factories
from tracker.extensions import db
from tracker.models import Assessment, AuditEntry, Kim
from tracker.services.assessment.runner import (
    AssessmentError,
    assess_period,
    latest_for_kim,
    previous_tiers,
)
from tracker.services.common.permissions import PermissionDenied
from tracker.services.rules import frameworks
from tracker.services.rules.periods import PeriodNotFoundError

STRONG = {"K3": 4, "W1": 12, "W2": 100, "W3": 4, "W4": 1, "M1": 3, "M2": 12, "D1": 4}


@pytest.fixture
def framework(app):
    return frameworks.ensure_default()


def registered(**fields: object) -> Kim:
    """A KIM that passes both gates (SK from the factory, a KIM.id website here)."""
    fields.setdefault("website", "https://kim.example/situs")
    return factories.kim(**fields)  # type: ignore[arg-type]


def strong(kim: Kim, period) -> None:  # type: ignore[no-untyped-def]
    """Measurements worth S = 95 (every dimension 100 except P = 50): raw tier Mandiri."""
    for code, value in STRONG.items():
        factories.make_measurement(kim, period, code, float(value))


def stored(kim: Kim, period) -> Assessment:  # type: ignore[no-untyped-def]
    return db.session.scalar(
        select(Assessment).where(Assessment.kim_id == kim.id, Assessment.period_id == period.id)
    )


def test_stores_score_tier_and_full_breakdown(regions, framework):
    period = factories.make_period("2025-T1")
    kim = registered(kimid_number="KIM-001")
    start = date(2025, 1, 1)
    # a berita every week of the 13 windows (W1 13/3 = 4,33 → 60; W2 100; W3 1 → 25; W4 4 days)
    factories.make_posts(kim, *[("berita", start + timedelta(days=7 * w)) for w in range(13)])
    run = assess_period("2025-T1", None)
    assert run.kims_assessed == 1
    assert run.framework_version == 1
    assert sum(run.tier_counts.values()) == 1
    assert list(run.tier_counts) == ["Rintisan", "Berkembang", "Maju", "Mandiri"]

    row = stored(kim, period)
    assert row.framework_id == framework.id
    assert set(row.dimension_scores) == {"K", "W", "M", "P", "D"}
    w1 = row.indicators["W1"]
    assert w1["value"] == pytest.approx(13 / 3)
    assert (w1["score"], w1["source"], w1["missing"]) == (60.0, "computed", False)
    assert row.indicators["W2"]["score"] == 100.0
    assert row.indicators["K1"] == {
        "value": 1.0,
        "score": None,
        "source": "registry",
        "missing": False,
        "gate": True,
        "passed": True,
    }
    assert row.indicators["P2"]["source"] == "default"
    assert row.indicators["K3"]["missing"] is True
    assert sorted(row.data_gaps) == ["D1", "K3", "M1", "M2"]
    # W = (35×60 + 35×100 + 15×25 + 15×100) / 100 = 74,75; P = 50; S = 40×74,75% + 10×50% = 34,9
    assert row.dimension_scores["W"] == 74.75
    assert row.score == 34.9
    assert (row.raw_tier, row.tier) == ("Rintisan", "Rintisan")
    assert "34,90" in row.reason


def test_a_rerun_replaces_the_period_and_drops_kims_no_longer_active(regions, framework):
    period = factories.make_period("2025-T1")
    keep = registered()
    leaving = registered()
    assess_period(period, None)
    assert db.session.scalar(select(func.count()).select_from(Assessment)) == 2
    leaving.status = "nonaktif"
    db.session.commit()
    strong(keep, period)
    run = assess_period(period, None)
    assert run.kims_assessed == 1
    rows = db.session.scalars(select(Assessment)).all()
    assert [(r.kim_id, r.tier) for r in rows] == [(keep.id, "Mandiri")]


def test_promotion_is_capped_using_the_previous_period(regions, framework):
    before = factories.make_period("2024-T4")
    now = factories.make_period("2025-T1")
    kim = registered()
    assess_period(before, None)  # nothing but the gates: Rintisan
    assert stored(kim, before).tier == "Rintisan"
    strong(kim, now)
    assess_period(now, None)
    row = stored(kim, now)
    assert row.score == 95.0
    assert (row.raw_tier, row.tier) == ("Mandiri", "Berkembang")
    assert "dibatasi" in row.reason
    assert previous_tiers(now)[kim.id].tier == "Rintisan"


def _measure(kim: Kim, period, **values: float) -> None:  # type: ignore[no-untyped-def]
    for code, value in values.items():
        factories.make_measurement(kim, period, code, value)


def test_demotion_waits_one_period_unless_five_points_below(regions, framework):
    t1, t2, t3 = (factories.make_period(c) for c in ("2025-T1", "2025-T2", "2025-T3"))
    slipping = registered()
    falling = registered()
    for kim in (slipping, falling):  # K 100, D 100, P 50: S = 15 + 20 + 5 = 40,00 → Berkembang
        _measure(kim, t1, K3=4, D1=4)
    assess_period(t1, None)
    assert stored(slipping, t1).tier == "Berkembang"
    _measure(slipping, t2, K3=4, D1=3, M1=1)  # S = 15 + 15 + 3,75 + 5 = 38,75
    _measure(falling, t2, K3=4, D1=3)  # S = 35,00: 5 points below 40
    assess_period(t2, None)
    kept, dropped = stored(slipping, t2), stored(falling, t2)
    assert (kept.score, kept.raw_tier, kept.tier) == (38.75, "Rintisan", "Berkembang")
    assert (dropped.score, dropped.raw_tier, dropped.tier) == (35.0, "Rintisan", "Rintisan")
    _measure(slipping, t3, K3=4, D1=3, M1=1)  # below the band a second period running
    assess_period(t3, None)
    assert (stored(slipping, t3).raw_tier, stored(slipping, t3).tier) == ("Rintisan", "Rintisan")


def test_previous_tiers_fall_back_to_the_framework_that_assessed_the_period(regions, framework):
    before = factories.make_period("2024-T4")
    now = factories.make_period("2025-T1")
    kim = registered()
    assess_period(before, None)  # under v1
    frameworks.create_draft(1, None)
    frameworks.activate(2, None)
    strong(kim, now)
    run = assess_period(now, None)
    assert run.framework_version == 2
    row = stored(kim, now)
    assert (row.raw_tier, row.tier) == ("Mandiri", "Berkembang")


def test_a_closed_period_is_frozen(regions, framework):
    factories.make_period("2025-T1", state="closed")
    registered()
    with pytest.raises(AssessmentError, match="sudah ditutup"):
        assess_period("2025-T1", None)
    assert db.session.scalar(select(func.count()).select_from(Assessment)) == 0


def test_unknown_period_and_missing_permission(regions, framework):
    with pytest.raises(PeriodNotFoundError, match="tidak ditemukan"):
        assess_period("2031-T2", None)
    factories.make_period("2025-T1")
    petugas = factories.user(role="petugas", username="pet")
    with pytest.raises(PermissionDenied):
        assess_period("2025-T1", petugas)


def test_a_user_runs_it_for_their_scope_only_and_it_is_audited(regions, framework):
    period = factories.make_period("2025-T1")
    in_a = registered(desa_code=regions.desa_a1)
    in_b = registered(desa_code=regions.desa_b1)
    assess_period(period, None)
    other_row = stored(in_b, period)
    kabid = factories.user(role="kabid", scope=[regions.kec_a], username="kabid-a")
    strong(in_a, period)
    strong(in_b, period)
    run = assess_period(period, kabid)
    assert run.kims_assessed == 1
    assert stored(in_a, period).raw_tier == "Mandiri"
    assert stored(in_b, period).id == other_row.id  # untouched: outside the scope
    entries = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "assessment.run")
    ).all()
    assert len(entries) == 2
    assert entries[-1].user_id == kabid.id
    assert entries[-1].params["period"] == "2025-T1"
    assert entries[-1].region_code == regions.kec_a  # what the kabid assessed: his kecamatan


def test_queries_do_not_grow_with_the_number_of_kims(regions, framework, count_queries):
    before = factories.make_period("2024-T4")
    period = factories.make_period("2025-T1")

    def add(n: int) -> None:
        for _ in range(n):
            k = registered()
            factories.make_posts(k, ("berita", date(2025, 1, 6)), ("galeri", date(2024, 12, 1)))
            factories.make_measurement(k, period, "D1", 2.0)

    add(2)
    assess_period(before, None)
    with count_queries() as few:
        assess_period(period, None)
    add(25)
    assess_period(before, None)
    with count_queries() as many:
        assert assess_period(period, None).kims_assessed == 27
    assert len(many) == len(few)
    assert len(many) < 20


def test_latest_for_kim(regions, framework):
    t1 = factories.make_period("2025-T1")
    t2 = factories.make_period("2025-T2")
    kim = registered()
    assert latest_for_kim(kim.id) is None
    strong(kim, t1)
    assess_period(t1, None)
    assess_period(t2, None)  # no data in T2: far below Mandiri, so it drops at once
    latest = latest_for_kim(kim.id)
    assert latest is not None
    assert (latest.period_code, latest.tier, latest.score) == ("2025-T2", "Rintisan", 5.0)
