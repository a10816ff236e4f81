"""The engine's per-framework caches and its JSON text: the same results as computing afresh, never
shared between framework versions, and the stored text exactly what json.dumps writes."""

from __future__ import annotations

import json
import math
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Text, cast, select

from tests import factories
from tracker.extensions import db
from tracker.models import Assessment
from tracker.scoring.engine import IndicatorValue, PreviousTier, assess
from tracker.scoring.framework import default_definition, default_framework, load_framework
from tracker.services.assessment.runner import assess_period
from tracker.services.rules import frameworks

SHARED = default_framework()  # its caches fill up across every example below
CODES = list(SHARED.indicators)
TIERS = [*SHARED.tier_names, "Emas"]

value = st.one_of(
    st.none(),
    st.sampled_from([0.0, -0.0, 1.0, 0.995, 3.995, 39.995, 50.0, 75.0]),
    st.integers(min_value=0, max_value=20).map(float),
    st.floats(min_value=-5, max_value=400, allow_nan=False).map(lambda v: round(v, 3)),
)
source = st.sampled_from(["computed", "counts", "registry", "manual", "default"])


@st.composite
def kim_inputs(draw: st.DrawFn) -> tuple[dict[str, IndicatorValue], PreviousTier | None]:
    values = {}
    for code in CODES:
        if draw(st.booleans()) or code in SHARED.gates:
            v = draw(value)
            values[code] = IndicatorValue(v, None if v is None else draw(source))
    previous = None
    if draw(st.booleans()):
        previous = PreviousTier(draw(st.sampled_from(TIERS)), draw(st.sampled_from(TIERS)), 50.0)
    return values, previous


def everything(result):  # type: ignore[no-untyped-def]
    """Every output, floats by repr so that -0.0 and 0.0 differ."""
    return repr((result.to_json(), result.band_tier, result.failed_gates))


@settings(max_examples=300)
@given(kim_inputs())
def test_cached_results_equal_a_fresh_computation(inputs) -> None:  # type: ignore[no-untyped-def]
    values, previous = inputs
    fresh = load_framework(default_definition())  # empty caches
    assert everything(assess(SHARED, values, previous)) == everything(
        assess(fresh, values, previous)
    )
    # and asking again (every step now from the cache) changes nothing
    assert everything(assess(SHARED, values, previous)) == everything(
        assess(fresh, values, previous)
    )


@settings(max_examples=200)
@given(kim_inputs())
def test_json_columns_are_what_json_dumps_writes(inputs) -> None:  # type: ignore[no-untyped-def]
    result = assess(SHARED, *inputs)
    data = result.to_json()
    assert result.json_columns() == (
        json.dumps(data["dimension_scores"]),
        json.dumps(data["indicators"]),
        json.dumps(data["data_gaps"]),
    )


def test_a_cached_zero_keeps_its_sign() -> None:
    fw = default_framework()
    plus = assess(fw, {"K3": IndicatorValue(0.0, "manual")})
    minus = assess(fw, {"K3": IndicatorValue(-0.0, "manual")})
    assert math.copysign(1, plus.indicators["K3"].value) == 1  # type: ignore[arg-type]
    assert math.copysign(1, minus.indicators["K3"].value) == -1  # type: ignore[arg-type]
    assert '"K3": {"value": -0.0' in minus.json_columns()[1]


def test_caches_are_not_shared_between_framework_versions() -> None:
    v1 = default_framework()
    changed = default_definition()
    w1 = next(i for i in changed["indicators"] if i["code"] == "W1")
    w1["bands"] = [[0, 0], [1, 50], [4, 90], [8, 95], [12, 100]]  # 4 berita/bulan: 60 → 90
    changed["tiers"][1]["min"] = 10  # Berkembang from 10 (S = 8,4 under v1, 12,6 under v2)
    v2 = load_framework(changed)
    values = {"K1": IndicatorValue(1.0, "registry"), "K2": IndicatorValue(1.0, "registry")}
    values["W1"] = IndicatorValue(4.0, "computed")

    first = assess(v1, values)  # fills v1's caches
    second = assess(v2, values)
    again = assess(v1, values)

    assert v1.memo is not v2.memo
    assert first.indicators["W1"].score == again.indicators["W1"].score == 60.0
    assert second.indicators["W1"].score == 90.0
    assert second.total > first.total == again.total
    assert (first.tier, second.tier, again.tier) == ("Rintisan", "Berkembang", "Rintisan")
    # the same definition loaded again starts with empty caches of its own
    assert load_framework(default_definition()).memo == {}


def test_stored_json_is_the_engine_output_as_json_dumps_writes_it(regions, app) -> None:  # type: ignore[no-untyped-def]
    frameworks.ensure_default()
    period = factories.make_period("2025-T1")
    busy = factories.kim(website="https://kim.example/a")
    idle = factories.kim()
    factories.make_posts(
        busy, *[("berita", date(2025, 1, 2) + timedelta(days=9 * w)) for w in range(9)]
    )
    factories.make_measurement(busy, period, "K3", 3.0)
    factories.make_measurement(busy, period, "M2", 7.5)
    assess_period("2025-T1", None)

    for kim in (busy, idle):
        text = db.session.execute(
            select(
                cast(Assessment.dimension_scores, Text),
                cast(Assessment.indicators, Text),
                cast(Assessment.data_gaps, Text),
            ).where(Assessment.kim_id == kim.id, Assessment.period_id == period.id)
        ).one()
        row = db.session.scalar(
            select(Assessment).where(Assessment.kim_id == kim.id, Assessment.period_id == period.id)
        )
        assert tuple(text) == (
            json.dumps(row.dimension_scores),
            json.dumps(row.indicators),
            json.dumps(row.data_gaps),
        )
    busy_row = db.session.scalar(select(Assessment).where(Assessment.kim_id == busy.id))
    assert busy_row.indicators["K3"]["value"] == 3.0
    assert busy_row.indicators["W1"]["source"] == "computed"
    assert (busy_row.indicators["M2"]["value"], busy_row.indicators["M2"]["score"]) == (7.5, 60.0)
    idle_row = db.session.scalar(select(Assessment).where(Assessment.kim_id == idle.id))
    assert idle_row.data_gaps == ["K3", "W1", "W2", "W3", "W4", "M1", "M2", "D1"]


def test_computed_at_is_stored_as_the_column_type_stores_it(regions, app, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The bulk insert hands the driver plain values: the one datetime must still be written the
    way SQLAlchemy writes it (on SQLite: text with microseconds, even when they are zero)."""
    from datetime import datetime

    from sqlalchemy import String

    from tracker.services.assessment import runner

    frameworks.ensure_default()
    factories.make_period("2025-T1")
    kim = factories.kim()
    monkeypatch.setattr(runner, "utcnow", lambda: datetime(2025, 4, 1, 8, 0))
    assess_period("2025-T1", None)

    row = db.session.scalar(select(Assessment).where(Assessment.kim_id == kim.id))
    assert row.computed_at == datetime(2025, 4, 1, 8, 0)
    if db.engine.dialect.name == "sqlite":
        raw = db.session.scalar(select(cast(Assessment.computed_at, String)))
        assert raw == "2025-04-01 08:00:00.000000"


def test_the_bulk_insert_writes_every_column() -> None:
    """The rows bypass SQLAlchemy's defaults: a column added to Assessment must be added to the
    rows too (or this fails), never silently left empty."""
    from tracker.services.assessment.store import ROW_COLUMNS

    columns = [c.name for c in Assessment.__table__.c if not c.primary_key]
    assert sorted(ROW_COLUMNS) == sorted(columns)


def test_a_full_cache_is_emptied_and_results_stay_the_same(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from tracker.scoring import engine

    monkeypatch.setattr(engine, "_CACHE_LIMIT", 3)
    fw = default_framework()
    for step in range(40):
        values = {
            "K1": IndicatorValue(1.0, "registry"),
            "K2": IndicatorValue(1.0, "registry"),
            "W1": IndicatorValue(step / 3, "computed"),
            "W4": IndicatorValue(float(step * 2), "computed"),
            "M2": IndicatorValue(float(step % 13), "manual"),
        }
        fresh = load_framework(default_definition())
        assert everything(assess(fw, values)) == everything(assess(fresh, values))
        plan = fw.memo["engine"]
        assert all(len(cache) <= 3 for _code, _ind, cache in plan.indicators)
