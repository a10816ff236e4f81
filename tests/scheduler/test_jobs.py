"""Each job's effect, with the office clock frozen: the nightly recomputation, the closing of a
period after its grace, the reminders and the weekly digest, each exactly once per key."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import func, select

from tests import factories
from tests.scheduler.conftest import wib
from tracker.extensions import db
from tracker.models import Assessment, AuditEntry, JobRun, Notification, Period
from tracker.models.notifications import (
    KIND_DIGEST,
    KIND_FOLLOW_UP,
    KIND_NO_UPLOAD,
    KIND_NOT_VISITED,
    KIND_TIER_DROP,
)
from tracker.models.period import PERIOD_CLOSED, PERIOD_OPEN
from tracker.models.scheduler import RUN_SUCCEEDED
from tracker.services.common import input_changes
from tracker.services.notifications import inbox
from tracker.services.rules import frameworks

LONG_AGO = datetime(2024, 1, 1)


def _notifications(user_id: int | None = None, kind: str | None = None) -> list[Notification]:
    stmt = select(Notification).order_by(Notification.id)
    if user_id is not None:
        stmt = stmt.where(Notification.user_id == user_id)
    if kind is not None:
        stmt = stmt.where(Notification.kind == kind)
    return list(db.session.scalars(stmt))


def test_recompute_assesses_an_open_period_only_when_its_inputs_changed(app, regions, at, fire):
    frameworks.ensure_default()
    period = factories.make_period("2026-T1")
    kim = factories.kim(regions.desa_a1)
    at(wib(2026, 2, 1, 1, 0))

    [first] = fire("recompute")
    assert first.status == RUN_SUCCEEDED and first.run_key == "2026-02-01"
    assert first.counts == {"periods_checked": 1, "periods_recomputed": 1, "kims_assessed": 1}
    assert db.session.scalar(select(func.count()).select_from(Assessment)) == 1

    # the same night again (a restart, a second fire): the key ran, nothing is done
    [again] = fire("recompute")
    assert again.status == "skipped"
    assert db.session.scalar(select(func.count()).select_from(JobRun)) == 1

    at(wib(2026, 2, 2, 1, 0))  # nothing changed: checked, not recomputed
    [quiet] = fire("recompute")
    assert quiet.counts["periods_recomputed"] == 0

    input_changes.period_changed(period.id, [kim.id])  # an entry changed its inputs
    db.session.commit()
    at(wib(2026, 2, 3, 1, 0))
    [changed] = fire("recompute")
    assert changed.counts == {"periods_checked": 1, "periods_recomputed": 1, "kims_assessed": 1}
    runs = db.session.scalars(select(JobRun.run_key).order_by(JobRun.id)).all()
    assert runs == ["2026-02-01", "2026-02-02", "2026-02-03"]


def test_period_closes_after_its_grace_with_final_tiers_and_the_next_one_opens(
    app, regions, at, fire
):
    frameworks.ensure_default()
    fw = frameworks.get_active()
    before = factories.make_period("2025-T4", state=PERIOD_CLOSED)
    period = factories.make_period("2026-T1")
    kim = factories.kim(regions.desa_a1, name="KIM Maju Jaya")
    factories.make_assessment(kim, before, fw, score=90, tier="Mandiri")
    kabid = factories.user("kabid", [regions.kabupaten], username="kabid1")
    other = factories.user("kabid", [regions.kec_b], username="kabid-b")

    at(wib(2026, 4, 10, 0, 30))  # 31 March + 10 days of grace: not yet
    assert fire("period_close") == []
    assert db.session.get(Period, period.id).state == PERIOD_OPEN

    at(wib(2026, 4, 11, 0, 30))
    [closed] = fire("period_close")
    assert closed.status == RUN_SUCCEEDED and closed.run_key == "2026-T1"
    assert closed.counts["closed"] == 1 and closed.counts["opened"] == "2026-T2"
    assert db.session.get(Period, period.id).state == PERIOD_CLOSED
    final = db.session.scalars(select(Assessment).where(Assessment.period_id == period.id)).all()
    assert [a.kim_id for a in final] == [kim.id]
    following = db.session.scalar(select(Period).where(Period.code == "2026-T2"))
    assert following is not None and following.state == PERIOD_OPEN
    # the tier fell from Mandiri: the Kabid whose scope holds the KIM is told, the other is not
    [drop] = _notifications(kabid.id, KIND_TIER_DROP)
    assert drop.params["before"] == "Mandiri" and drop.params["period"] == "2026-T1"
    assert _notifications(other.id) == []
    actions = db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions[-3:] == ["assessment.run", "period.close", "period.create"]

    at(wib(2026, 4, 12, 0, 30))  # the next night: closed already, nothing due
    assert fire("period_close") == []
    assert db.session.scalar(select(func.count()).select_from(Period)) == 3


def test_a_failing_close_leaves_the_period_open_and_nothing_half_written(app, regions, at, fire):
    period = factories.make_period("2026-T1")
    factories.kim(regions.desa_a1)  # no active framework: the final assessment refuses
    at(wib(2026, 4, 11, 0, 30))
    [failed] = fire("period_close")
    assert failed.status == "failed" and "kerangka" in (failed.error or "")
    assert db.session.get(Period, period.id).state == PERIOD_OPEN
    assert db.session.scalar(select(func.count()).select_from(Period)) == 1  # no 2026-T2

    frameworks.ensure_default()  # fixed: the next fire retries the period and closes it
    at(wib(2026, 4, 12, 0, 30))
    [retried] = fire("period_close")
    assert retried.status == RUN_SUCCEEDED and retried.run_key == "2026-T1"
    run = db.session.scalar(select(JobRun).where(JobRun.run_key == "2026-T1"))
    assert run.attempts == 2 and run.trigger == "retry" and run.error is None
    assert db.session.get(Period, period.id).state == PERIOD_CLOSED


def _reminder_world(regions):
    """A petugas for each kecamatan, their KIMs, follow-ups due at various days."""
    petugas_a = factories.user("petugas", [regions.kec_a], username="petugas-a")
    petugas_b = factories.user("petugas", [regions.kec_b], username="petugas-b")
    old_a = factories.kim(regions.desa_a1, name="KIM Lama A", created_at=LONG_AGO)
    fresh_a = factories.kim(regions.desa_a2, name="KIM Baru A")  # registered this week
    old_b = factories.kim(regions.desa_b1, name="KIM Lama B", created_at=LONG_AGO)
    return petugas_a, petugas_b, old_a, fresh_a, old_b


def test_reminders_reach_the_right_people_within_their_scope_once(app, regions, at, fire):
    at(wib(2026, 3, 2, 6, 0))  # a Monday
    petugas_a, petugas_b, old_a, _fresh_a, old_b = _reminder_world(regions)
    today = date(2026, 3, 2)
    factories.make_visit(petugas_b, regions.kec_b, [old_b], started_on=today - timedelta(days=20))
    factories.make_posts(old_b, ("berita", today - timedelta(days=3)))
    soon = factories.make_follow_up(old_a, petugas_a, today + timedelta(days=5))
    factories.make_follow_up(old_a, petugas_a, today + timedelta(days=9))  # not yet
    late = factories.make_follow_up(old_b, petugas_b, today - timedelta(days=2))
    # an owner whose scope no longer holds the KIM is not told about it
    factories.make_follow_up(old_b, petugas_a, today - timedelta(days=1))

    [run] = fire("reminders")
    assert run.status == RUN_SUCCEEDED
    assert run.counts["follow_up"] == 2
    follow_a = _notifications(petugas_a.id, KIND_FOLLOW_UP)
    assert [n.params["follow_up"] for n in follow_a] == [soon.id]
    assert follow_a[0].params["overdue"] is False
    [late_b] = _notifications(petugas_b.id, KIND_FOLLOW_UP)
    assert late_b.params["follow_up"] == late.id and late_b.params["overdue"] is True

    # KIM Lama A: never visited, no upload, registered long ago. KIM Baru A: too new to count.
    # KIM Lama B: visited and posting. Each petugas hears only of his own kecamatan.
    [unvisited] = _notifications(petugas_a.id, KIND_NOT_VISITED)
    assert unvisited.params == {"count": 1, "kims": ["KIM Lama A"]}
    [silent] = _notifications(petugas_a.id, KIND_NO_UPLOAD)
    assert silent.params["kims"] == ["KIM Lama A"]
    assert _notifications(petugas_b.id, KIND_NOT_VISITED) == []
    assert _notifications(petugas_b.id, KIND_NO_UPLOAD) == []
    stored = len(_notifications())

    # a second run of the day (a "run now", a second scheduler's fire) stores nothing twice
    [skipped] = fire("reminders")
    assert skipped.status == "skipped"
    from tracker.jobs.tasks import reminders_for

    assert reminders_for(today, None) == {
        "follow_up": 0,
        "not_visited": 0,
        "no_upload": 0,
        "tier_drop": 0,
    }
    db.session.commit()
    assert len(_notifications()) == stored

    # the next day: the same follow-ups and KIMs are not reminded again in the same week
    at(wib(2026, 3, 3, 6, 0))
    [tuesday] = fire("reminders")
    assert tuesday.counts["follow_up"] == 0 and tuesday.counts["not_visited"] == 0
    # the next week: the overdue follow-up and the silent KIM are reminded again
    at(wib(2026, 3, 9, 6, 0))
    [next_week] = fire("reminders")
    # late (still overdue), soon (now overdue), and the one due on the 11th (now within 7 days)
    assert next_week.counts["follow_up"] == 3
    assert next_week.counts["no_upload"] == 1


def test_a_muted_kind_is_not_stored(app, regions, at, fire):
    at(wib(2026, 3, 2, 6, 0))
    petugas_a, petugas_b, old_a, _fresh, _old_b = _reminder_world(regions)
    factories.make_follow_up(old_a, petugas_a, date(2026, 3, 4))
    inbox.set_preferences(petugas_a, [KIND_NOT_VISITED, KIND_FOLLOW_UP], None)
    [run] = fire("reminders")
    assert run.counts["follow_up"] == 0
    assert [n.kind for n in _notifications(petugas_a.id)] == [KIND_NO_UPLOAD]
    # the other petugas muted nothing: KIM Lama B is reminded to him
    assert {n.kind for n in _notifications(petugas_b.id)} == {KIND_NOT_VISITED, KIND_NO_UPLOAD}


def test_weekly_digest_for_each_kabid_of_their_scope(app, regions, at, fire):
    at(wib(2026, 3, 9, 7, 0))  # Monday 07:00 WIB
    petugas_a, _petugas_b, old_a, _fresh, old_b = _reminder_world(regions)
    factories.make_follow_up(old_a, petugas_a, date(2026, 3, 1))  # overdue, kecamatan A
    factories.make_posts(old_b, ("berita", date(2026, 3, 6)), ("galeri", date(2026, 3, 7)))
    district = factories.user("kabid", [regions.kabupaten], username="kabid1")
    only_b = factories.user("kabid", [regions.kec_b], username="kabid-b")
    factories.user("petugas", [regions.kabupaten], username="petugas-all")  # no digest

    [run] = fire("digest")
    assert run.run_key == "2026-03-09" and run.counts["digest"] == 2
    [whole] = _notifications(district.id, KIND_DIGEST)
    assert whole.params == {
        "week": "2026-03-09",
        "overdue": 1,
        "not_visited": 2,  # KIM Lama A and B: no visit recorded
        "no_upload": 1,  # KIM Lama A
        "posts": 2,
    }
    [part] = _notifications(only_b.id, KIND_DIGEST)
    assert part.params["overdue"] == 0 and part.params["posts"] == 2
    assert part.params["no_upload"] == 0

    at(wib(2026, 3, 11, 9, 0))  # later that week, by hand: the same week's digest, not twice
    [again] = fire("digest")
    assert again.status == "skipped"
    assert len(_notifications(kind=KIND_DIGEST)) == 2


def test_tier_drop_of_a_period_closed_by_hand_is_reminded_once(app, regions, at, fire):
    at(wib(2026, 4, 3, 6, 0))
    fw = factories.make_framework()
    before = factories.make_period("2025-T4", state=PERIOD_CLOSED)
    period = factories.make_period("2026-T1")
    falling = factories.kim(regions.desa_b1, name="KIM Turun")
    steady = factories.kim(regions.desa_b1, name="KIM Tetap")
    factories.make_assessment(falling, before, fw, tier="Maju")
    factories.make_assessment(falling, period, fw, tier="Berkembang")
    factories.make_assessment(steady, before, fw, tier="Maju")
    factories.make_assessment(steady, period, fw, tier="Mandiri")
    kabid_b = factories.user("kabid", [regions.kec_b], username="kabid-b")
    kabid_a = factories.user("kabid", [regions.kec_a], username="kabid-a")
    from tracker.services.rules import periods

    periods.close_period("2026-T1", None)  # closed from the periods page, not by the job

    [run] = fire("reminders")
    assert run.counts["tier_drop"] == 1
    [drop] = _notifications(kabid_b.id, KIND_TIER_DROP)
    assert drop.params == {
        "kim": "KIM Turun",
        "kim_id": falling.id,
        "period": "2026-T1",
        "before": "Maju",
        "after": "Berkembang",
    }
    assert _notifications(kabid_a.id) == []
    at(wib(2026, 4, 4, 6, 0))
    [next_day] = fire("reminders")
    assert next_day.counts["tier_drop"] == 0
    at(wib(2026, 5, 4, 6, 0))  # a month on, the closing is no longer looked at
    [later] = fire("reminders")
    assert later.counts["tier_drop"] == 0
    assert len(_notifications(kind=KIND_TIER_DROP)) == 1
