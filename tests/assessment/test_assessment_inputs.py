"""Indicator values collected for a whole period (DESIGN.md §4: W1–W4, K1–K2, P1–P2, overrides)."""

from __future__ import annotations

from datetime import date

import pytest

from tests import factories
from tracker.scoring.engine import IndicatorValue
from tracker.scoring.periods import window_count, window_index
from tracker.services.assessment.inputs import collect_inputs

NO_DATA = IndicatorValue(None, None)


def test_w1_is_berita_per_calendar_month(regions):
    t1 = factories.make_period("2025-T1")
    s1 = factories.make_period("2025-S1")
    kim = factories.kim()
    days = [date(2025, 1, 5), date(2025, 2, 5), date(2025, 3, 5), date(2025, 5, 5)]
    factories.make_posts(kim, *[("berita", d) for d in days], ("galeri", date(2025, 1, 9)))
    assert collect_inputs(t1)[kim.id]["W1"] == IndicatorValue(1.0, "computed")  # 3 ÷ 3 months
    assert collect_inputs(s1)[kim.id]["W1"] == IndicatorValue(4 / 6, "computed")


def test_w2_counts_weeks_with_an_upload_including_the_last_partial_week_of_90_days(regions):
    period = factories.make_period("2025-T1")  # 1 Jan – 31 Mar: 90 days, 13 windows
    assert window_count(period.start_date, period.end_date) == 13
    kim = factories.kim()
    days = [
        date(2025, 1, 1),  # window 0
        date(2025, 1, 7),  # window 0 again
        date(2025, 1, 8),  # window 1
        date(2025, 3, 26),  # window 12: the last, 6-day window
        date(2025, 3, 31),  # window 12 again
    ]
    factories.make_posts(kim, *[("galeri", d) for d in days])
    assert {window_index(d, period.start_date) for d in days} == {0, 1, 12}
    w2 = collect_inputs(period)[kim.id]["W2"]
    assert w2.source == "computed"
    assert w2.value == pytest.approx(100 * 3 / 13)


def test_w2_for_a_92_day_period_has_a_one_day_last_window(regions):
    period = factories.make_period("2025-T3")  # 1 Jul – 30 Sep: 92 days, 14 windows
    assert window_count(period.start_date, period.end_date) == 14
    only_last_day = factories.kim()
    factories.make_posts(only_last_day, ("berita", date(2025, 9, 30)))  # window 13 (1 day)
    day_before = factories.kim()
    factories.make_posts(day_before, ("berita", date(2025, 9, 29)), ("agenda", date(2025, 9, 30)))
    every_week = factories.kim()
    factories.make_posts(
        every_week,
        *[("berita", date.fromordinal(date(2025, 7, 1).toordinal() + 7 * w)) for w in range(14)],
    )
    values = collect_inputs(period)
    assert values[only_last_day.id]["W2"].value == pytest.approx(100 / 14)
    assert values[day_before.id]["W2"].value == pytest.approx(200 / 14)
    assert values[every_week.id]["W2"].value == pytest.approx(100.0)


def test_w3_counts_content_types_used_in_the_period_only(regions):
    period = factories.make_period("2025-T1")
    kim = factories.kim()
    factories.make_posts(
        kim,
        ("berita", date(2025, 1, 2)),
        ("berita", date(2025, 1, 3)),
        ("galeri", date(2025, 2, 2)),
        ("agenda", date(2025, 3, 2)),
        ("pengumuman", date(2024, 12, 31)),  # before the period
        ("pengumuman", date(2025, 4, 1)),  # after it
    )
    assert collect_inputs(period)[kim.id]["W3"] == IndicatorValue(3.0, "computed")


def test_w4_days_from_last_upload_to_period_end(regions):
    period = factories.make_period("2025-T1")
    recent = factories.kim()
    factories.make_posts(
        recent,
        ("berita", date(2025, 1, 2)),
        ("galeri", date(2025, 3, 20)),
        ("berita", date(2025, 4, 3)),  # after the period end: ignored
    )
    stale = factories.kim()
    factories.make_posts(stale, ("berita", date(2024, 12, 1)))  # only before the period
    never = factories.kim()
    values = collect_inputs(period)
    assert values[recent.id]["W4"] == IndicatorValue(11.0, "computed")
    assert values[stale.id]["W4"] == IndicatorValue(120.0, "computed")
    # an earlier upload means the KIM is known to post: nothing in the period is a real zero
    assert [values[stale.id][c].value for c in ("W1", "W2", "W3")] == [0.0, 0.0, 0.0]
    assert all(values[never.id][c] == NO_DATA for c in ("W1", "W2", "W3", "W4"))


def test_post_records_of_any_date_make_w1_to_w3_measured(regions):
    """DESIGN.md §4: a KIM with post records and no post in the period has W1–W3 measured as 0;
    a KIM with no post record at all and no totals has W1–W4 "data belum ada"."""
    period = factories.make_period("2025-T1")
    only_later = factories.kim()
    factories.make_posts(only_later, ("galeri", date(2025, 5, 2)))  # after the period only
    none_at_all = factories.kim()
    values = collect_inputs(period)
    later = values[only_later.id]
    assert [later[c] for c in ("W1", "W2", "W3")] == [IndicatorValue(0.0, "computed")] * 3
    assert later["W4"] == NO_DATA  # no upload on or before the period end
    assert all(values[none_at_all.id][c] == NO_DATA for c in ("W1", "W2", "W3", "W4"))


def test_period_totals_fill_w1_and_w3_when_there_are_no_posts(regions):
    period = factories.make_period("2025-T1")
    kim = factories.kim()
    factories.make_posts(kim, ("berita", date(2024, 11, 1)))  # older posts do not make W4 known
    factories.make_count(kim, period, berita=9, galeri=3, pengumuman=0, agenda=1)
    values = collect_inputs(period)[kim.id]
    assert values["W1"] == IndicatorValue(3.0, "counts")
    assert values["W3"] == IndicatorValue(3.0, "counts")
    assert values["W2"] == NO_DATA
    assert values["W4"] == NO_DATA


def test_posts_in_the_period_win_over_its_totals(regions):
    period = factories.make_period("2025-T1")
    kim = factories.kim()
    factories.make_posts(kim, ("berita", date(2025, 2, 1)))
    factories.make_count(kim, period, berita=30, galeri=3, pengumuman=3, agenda=3)
    values = collect_inputs(period)[kim.id]
    assert values["W1"] == IndicatorValue(1 / 3, "computed")
    assert values["W3"] == IndicatorValue(1.0, "computed")


def test_gates_come_from_the_registry(regions):
    period = factories.make_period("2025-T1")
    complete = factories.kim(kimid_number="KIM-3508-001")
    no_sk_date = factories.kim(sk_date=None, website="https://kim-sumberejo.example")
    blank = factories.kim(sk_number="  ", sk_date=None)
    values = collect_inputs(period)
    assert values[complete.id]["K1"] == IndicatorValue(1.0, "registry")
    assert values[complete.id]["K2"] == IndicatorValue(1.0, "registry")
    assert values[no_sk_date.id]["K1"] == IndicatorValue(0.0, "registry")
    assert values[no_sk_date.id]["K2"] == IndicatorValue(1.0, "registry")
    assert values[blank.id]["K1"].value == 0.0
    assert values[blank.id]["K2"].value == 0.0


def test_coaching_indicators_have_a_value_for_every_kim(regions):
    period = factories.make_period("2025-T1")
    kim = factories.kim()
    values = collect_inputs(period)[kim.id]
    assert values["P1"] == IndicatorValue(0.0, "attendance")  # no session attended
    assert values["P2"] == IndicatorValue(100.0, "default")  # no follow-up due


def test_a_verified_measurement_overrides_and_is_marked_manual(regions):
    period = factories.make_period("2025-T1")
    other = factories.make_period("2025-T2")
    kim = factories.kim()
    factories.make_posts(kim, ("berita", date(2025, 2, 1)))
    factories.make_measurement(kim, period, "W1", 10.0)
    factories.make_measurement(kim, period, "K1", 0.0)  # registry says ya, the officer says no
    factories.make_measurement(kim, period, "D1", 3.0)
    factories.make_measurement(kim, period, "M1", 2.0, status="submitted")  # not yet verified
    factories.make_measurement(kim, period, "M2", 5.0, status="rejected", reject_reason="x")
    factories.make_measurement(kim, other, "K3", 4.0)  # another period
    values = collect_inputs(period)[kim.id]
    assert values["W1"] == IndicatorValue(10.0, "manual")
    assert values["K1"] == IndicatorValue(0.0, "manual")
    assert values["D1"] == IndicatorValue(3.0, "manual")
    assert "M1" not in values and "M2" not in values
    assert "K3" not in values
    assert values["W3"] == IndicatorValue(1.0, "computed")


def test_only_active_kims_and_the_given_scope(regions):
    period = factories.make_period("2025-T1")
    a = factories.kim(desa_code=regions.desa_a1)
    b = factories.kim(desa_code=regions.desa_b1)
    gone = factories.kim(desa_code=regions.desa_a1, status="nonaktif")
    for k in (a, b, gone):
        factories.make_posts(k, ("berita", date(2025, 2, 1)))
    assert set(collect_inputs(period)) == {a.id, b.id}
    scoped = collect_inputs(period, scope_codes=[regions.kec_b])
    assert set(scoped) == {b.id}
    assert scoped[b.id]["W1"].value == pytest.approx(1 / 3)


def test_the_number_of_queries_does_not_grow_with_the_number_of_kims(regions, count_queries):
    period = factories.make_period("2025-T1")

    def add_kims(n: int) -> None:
        for _ in range(n):
            k = factories.kim()
            factories.make_posts(k, ("berita", date(2025, 1, 6)), ("galeri", date(2025, 3, 3)))
            factories.make_count(k, period, berita=2)
            factories.make_measurement(k, period, "K3", 2.0)

    add_kims(2)
    with count_queries() as few:
        collect_inputs(period)
    add_kims(20)
    with count_queries() as many:
        assert len(collect_inputs(period)) == 22
    assert len(many) == len(few) <= 7
