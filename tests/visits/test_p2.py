"""P2 (tindak lanjut rekomendasi): % of the follow-ups due by the period's end that were done by
then; dropped ones do not count; none due → 100 by rule. Closing a follow-up changes P2, marks the
period's result stale, and moves the next assessment by what the framework gives."""

from __future__ import annotations

from datetime import date

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from tests import factories
from tests.visits.conftest import Place
from tracker.extensions import db
from tracker.models import Assessment, User
from tracker.scoring.engine import IndicatorValue
from tracker.services.assessment.follow_up_rate import follow_up_rates
from tracker.services.assessment.freshness import kim_freshness
from tracker.services.assessment.inputs import collect_inputs
from tracker.services.assessment.runner import assess_period
from tracker.services.common import input_changes
from tracker.services.rules.frameworks import ensure_default
from tracker.services.visits import follow_ups

T1_END = date(2025, 3, 31)


def test_p2_counts_what_was_due_by_the_end_and_done_by_then(
    place: Place, petugas: User, count_queries
) -> None:
    t1 = factories.make_period("2025-T1")
    make = factories.make_follow_up
    alpha, beta, gamma = place.alpha, place.beta, place.gamma
    # KIM Alpha: four counted (two done in time, one done after the end, one open) → 50
    make(alpha, petugas, date(2025, 1, 20), status="done", closed_on=date(2025, 1, 25))
    make(alpha, petugas, date(2025, 3, 31), status="done", closed_on=date(2025, 3, 31))
    make(alpha, petugas, date(2025, 2, 1), status="done", closed_on=date(2025, 4, 2))
    make(alpha, petugas, date(2024, 11, 1))  # made in an earlier period, still open
    make(alpha, petugas, date(2025, 3, 1), status="dropped")  # not counted at all
    make(alpha, petugas, date(2025, 4, 1), status="done", closed_on=date(2025, 3, 1))  # due later
    # KIM Beta: only a dropped one and one due after the end → none due → 100 by rule
    make(beta, petugas, date(2025, 2, 1), status="dropped")
    make(beta, petugas, date(2025, 5, 1))
    # KIM Gamma: one due, done early → 100 measured
    make(gamma, petugas, date(2025, 2, 10), status="done", closed_on=date(2025, 1, 30))

    assert t1.end_date == T1_END  # loaded before counting
    with count_queries() as sql:
        rates = follow_up_rates(t1)
    assert len(sql) == 1  # one grouped query for the whole period
    assert rates == {alpha.id: 50.0, gamma.id: 100.0}

    values = collect_inputs(t1)
    assert values[alpha.id]["P2"] == IndicatorValue(50.0, "follow_ups")
    assert values[beta.id]["P2"] == IndicatorValue(100.0, "default")
    assert values[gamma.id]["P2"] == IndicatorValue(100.0, "follow_ups")


def test_closing_a_follow_up_changes_p2_and_the_next_assessment(
    client: FlaskClient, place: Place, petugas: User
) -> None:
    """The P dimension weighs 10 of 100 and P2 half of it: P2 from 50 to 100 moves the score by
    10 × 50% × 50 / 100 = 2.5 points."""
    ensure_default()
    period = factories.make_period("2025-T1")
    done = factories.make_follow_up(
        place.alpha, petugas, date(2025, 2, 1), status="done", closed_on=date(2025, 2, 3)
    )
    still_open = factories.make_follow_up(place.alpha, petugas, date(2025, 3, 1))
    assess_period(period, None)
    before = db.session.scalars(select(Assessment).where(Assessment.kim_id == place.alpha.id)).one()
    assert before.indicators["P2"]["value"] == 50.0
    assert before.indicators["P2"]["score"] == 50.0
    framework_id, before_p, before_score = (
        before.framework_id,
        before.dimension_scores["P"],
        before.score,
    )
    assert kim_freshness(None, period, framework_id, place.alpha.id).stale is False

    response = client.post(
        f"/tindak-lanjut/{still_open.id}/selesai",
        data={"version": "1", "evidence": "Kalender editorial ditempel", "closed_on": "2025-03-20"},
    )
    assert response.status_code == 302
    assert collect_inputs(period)[place.alpha.id]["P2"] == IndicatorValue(100.0, "follow_ups")
    assert (
        kim_freshness(None, period, framework_id, place.alpha.id).stale is True
    )  # the result says so
    assert kim_freshness(None, period, framework_id, place.beta.id).stale is False

    assess_period(period, None)
    after = db.session.scalars(select(Assessment).where(Assessment.kim_id == place.alpha.id)).one()
    assert after.indicators["P2"]["value"] == 100.0
    assert after.dimension_scores["P"] - before_p == pytest.approx(25.0)
    assert after.score - before_score == pytest.approx(2.5)
    assert done.id != still_open.id


def test_each_write_marks_the_open_periods_whose_p2_it_changes(place: Place, petugas: User) -> None:
    t1 = factories.make_period("2025-T1")
    t2 = factories.make_period("2025-T2")
    t3 = factories.make_period("2025-T3")
    t4 = factories.make_period("2025-T4", state="closed")
    kim = place.alpha.id

    def revisions() -> tuple[int, int, int, int]:
        return tuple(input_changes.revisions(p.id).get(kim, 0) for p in (t1, t2, t3, t4))  # type: ignore[return-value]

    made = follow_ups.create_follow_up(
        petugas,
        follow_ups.FollowUpInput(kim, "Unggah agenda desa", petugas.id, date(2025, 5, 15)),
    )
    assert revisions() == (0, 1, 1, 0)  # due in T2: counted from T2 on; a closed period never
    # done in T3 (late): T2 counts it as not done either way, only T3 on changes
    follow_ups.close_follow_up(petugas, made.id, made.version, "Sudah", date(2025, 8, 1))
    assert revisions() == (0, 1, 2, 0)
    follow_ups.reopen_follow_up(petugas, made.id, made.version)
    assert revisions() == (0, 2, 3, 0)
    follow_ups.drop_follow_up(petugas, made.id, made.version, "Tidak berlaku lagi")
    assert revisions() == (0, 3, 4, 0)
