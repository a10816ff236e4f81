"""`flask demo seed` / `flask demo logins`: the demo district a newcomer gets from `make run`.

Seeds are made "as of" a fixed day (TODAY, the office's 1 December 2026, and the first day of a
triwulan, the hardest case for the open period), so what is asserted does not move with the clock;
the command line seeds as of the office's real today."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from PIL import Image
from sqlalchemy import distinct, func, select

from tests import counting, factories
from tracker.demo import seed
from tracker.demo.census import RULES, rule_counts
from tracker.demo.timeline import demo_calendar
from tracker.extensions import db
from tracker.models import (
    Assessment,
    AuditEntry,
    ContentPost,
    FollowUp,
    Kim,
    KimChannel,
    Measurement,
    MonitoringVisit,
    Period,
    Region,
    User,
    VisitFinding,
    VisitPhoto,
)
from tracker.models.activity import (
    MEASUREMENT_REJECTED,
    MEASUREMENT_SUBMITTED,
    MEASUREMENT_VERIFIED,
)
from tracker.models.kim import STATUS_INACTIVE
from tracker.services.assessment.freshness import period_freshness
from tracker.services.assessment.runner import framework_for_period

TODAY = date(2026, 12, 1)


def _count(model: type, *where: object) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def test_small_seed_creates_one_account_per_role_and_kims_everywhere(app: object) -> None:
    messages: list[str] = []

    report = seed.seed(kim_count=20, progress=messages.append, today=TODAY)

    users = {u.username: u for u in db.session.scalars(select(User))}
    assert {u.role for u in users.values()} == {"admin", "kabid", "petugas", "viewer"}
    assert set(users["petugas"].scope_codes) == {"35.08.09", "35.08.15"}  # Tekung, Sukodono
    assert users["admin"].scope_codes == ["35.08"]
    assert _count(Kim) == report.kims == 20
    kecamatan = db.session.scalars(select(distinct(func.substr(Kim.desa_code, 1, 8))))
    assert len(list(kecamatan)) >= 16  # spread over the district, not piled in one kecamatan
    assert _count(Region, Region.level == 4) == 205
    # the triwulan of the office's today is open; the seven before it are assessed and closed
    stored = db.session.execute(select(Period.code, Period.state).order_by(Period.start_date)).all()
    assert stored == [
        ("2025-T1", "closed"),
        ("2025-T2", "closed"),
        ("2025-T3", "closed"),
        ("2025-T4", "closed"),
        ("2026-T1", "closed"),
        ("2026-T2", "closed"),
        ("2026-T3", "closed"),
        ("2026-T4", "open"),
    ]
    assert report.open_period == "2026-T4" and len(report.closed) == 7
    assert _count(ContentPost) == report.posts > 0
    assert _count(AuditEntry, AuditEntry.action == "demo.seed") == 1
    assert any("KIM" in m for m in messages)  # progress was reported


def test_every_period_has_visits_entered_by_petugas_or_admin(app: object) -> None:
    seed.seed(kim_count=20, today=TODAY)

    users = {u.username: u.id for u in db.session.scalars(select(User))}
    periods = {p.id: p for p in db.session.scalars(select(Period))}
    rows = list(db.session.scalars(select(Measurement)))
    # measurements from the first triwulan on, with evidence and who entered them
    assert {periods[m.period_id].code for m in rows} == set(demo_calendar(TODAY).codes)
    assert {"K3", "M1", "M2", "D1"} <= {m.indicator_code for m in rows}
    assert all(m.note and m.recorded_by_id for m in rows)
    for m in rows:
        kim = db.session.get(Kim, m.kim_id)
        in_petugas_scope = kim.desa_code.startswith(("35.08.09.", "35.08.15."))  # type: ignore[union-attr]
        assert (m.recorded_by_id == users["petugas"]) == in_petugas_scope
        if periods[m.period_id].is_closed:
            # a closed period: every value verified, the petugas's by the kabid
            assert m.status == MEASUREMENT_VERIFIED
            reviewer = users["kabid"] if in_petugas_scope else users["admin"]
            assert m.reviewed_by_id == reviewer
        elif not in_petugas_scope:
            assert m.status == MEASUREMENT_VERIFIED  # the admin's count at once
    # the open period: the petugas's values submitted, one rejected with its reason
    waiting = [m for m in rows if m.status != MEASUREMENT_VERIFIED]
    assert waiting and all(not periods[m.period_id].is_closed for m in waiting)
    assert all(m.kim.desa_code.startswith("35.08.09.") for m in waiting)  # Tekung waits
    rejected = [m for m in waiting if m.status == MEASUREMENT_REJECTED]
    assert len(rejected) == 1 and "foto" in (rejected[0].reject_reason or "")
    assert any(m.status == MEASUREMENT_SUBMITTED for m in waiting)


def test_every_period_is_assessed_in_order(app: object) -> None:
    report = seed.seed(kim_count=20, today=TODAY)

    assert list(report.assessed) == list(demo_calendar(TODAY).codes)
    active = _count(Kim) - _count(Kim, Kim.status == STATUS_INACTIVE)
    for period in db.session.scalars(select(Period)):
        assert _count(Assessment, Assessment.period_id == period.id) == active


def test_the_default_seed_looks_like_a_real_district(app: object) -> None:
    report = seed.seed(today=TODAY)

    assert report.kims == _count(Kim) == 200
    assert len(set(db.session.scalars(select(func.substr(Kim.desa_code, 1, 8))))) == 21
    for name, desa_code in (
        ("KIM Tukum Mandiri", "35.08.09.2006"),
        ("KIM Kutorenon", "35.08.15.2005"),
        ("KIM Sumbersari", "35.08.08.2005"),
        ("KIM Sibedjo", "35.08.12.2008"),
    ):
        assert db.session.scalar(select(Kim.desa_code).where(Kim.name == name)) == desa_code
    # about 10% without SK (the K1 gate), a few inactive, most registered on KIM.id
    no_sk = _count(Kim, Kim.sk_date.is_(None))
    assert 10 <= no_sk <= 35
    assert 3 <= _count(Kim, Kim.status == STATUS_INACTIVE) <= 15
    assert _count(Kim, Kim.kimid_number.is_not(None)) >= 150
    assert _count(Kim, Kim.website.like("https://%.kim.id")) >= 140
    per_kim = dict(
        db.session.execute(
            select(Kim.name, func.count(ContentPost.id))
            .join(ContentPost, ContentPost.kim_id == Kim.id)
            .group_by(Kim.name)
        ).all()
    )
    ranked = sorted(per_kim, key=per_kim.__getitem__, reverse=True)
    assert ranked[0] == "KIM Tukum Mandiri"
    assert per_kim["KIM Tukum Mandiri"] >= 500  # several posts a week for 23 months
    assert len(per_kim) < 170  # many KIMs never post
    by_type = dict(
        db.session.execute(select(ContentPost.type, func.count()).group_by(ContentPost.type)).all()
    )
    assert set(by_type) == {"berita", "galeri", "pengumuman", "agenda"}
    assert by_type["berita"] > sum(by_type.values()) / 2
    first, last = db.session.execute(
        select(func.min(ContentPost.posted_on), func.max(ContentPost.posted_on))
    ).one()
    assert first >= date(2025, 1, 1) and last <= date(2026, 11, 30)  # up to yesterday
    channels = dict(
        db.session.execute(
            select(KimChannel.kim_id, func.count()).group_by(KimChannel.kim_id)
        ).all()
    )
    assert len(channels) == 200 and set(channels.values()) <= {1, 2, 3}
    assert re.fullmatch(r"08\d{9,11}", db.session.scalar(select(Kim.phone).limit(1)) or "")


def test_seed_is_deterministic(app: object) -> None:
    def district() -> tuple[object, ...]:
        # by KIM name, not id: PostgreSQL does not reuse the ids of deleted rows
        return (
            db.session.execute(
                select(Kim.name, Kim.desa_code, Kim.sk_number, Kim.website, Kim.chair).order_by(
                    Kim.name
                )
            ).all(),
            db.session.execute(
                select(ContentPost.url, ContentPost.posted_on).order_by(ContentPost.url)
            ).all(),
            db.session.execute(
                select(Kim.name, Measurement.indicator_code, Measurement.value, Measurement.status)
                .join(Kim, Kim.id == Measurement.kim_id)
                .order_by(
                    Kim.name, Measurement.indicator_code, Measurement.value, Measurement.status
                )
            ).all(),
            db.session.execute(
                select(Kim.name, Assessment.score, Assessment.tier)
                .join(Kim, Kim.id == Assessment.kim_id)
                .order_by(Kim.name, Assessment.score, Assessment.tier)
            ).all(),
        )

    seed.seed(kim_count=30, today=TODAY)
    first = district()

    seed.seed(kim_count=30, force=True, today=TODAY)

    assert district() == first


def test_cli_refuses_a_second_run_without_force(runner: FlaskCliRunner) -> None:
    first = runner.invoke(args=["demo", "seed", "--kims", "20"])
    assert first.exit_code == 0, first.output
    assert "Data demo siap" in first.output
    # the rules the seed exercised, counted from what it stored
    assert "Aturan penilaian yang terpakai (kasus KIM × periode" in first.output
    for _key, label in RULES:
        assert re.search(re.escape(label) + r" +\d+$", first.output, re.M), label

    second = runner.invoke(args=["demo", "seed", "--kims", "20"])

    assert second.exit_code == 1
    assert "--force" in second.output
    assert _count(Kim) == 20
    assert _count(AuditEntry, AuditEntry.action == "demo.seed") == 1


def test_cli_refuses_a_database_holding_an_office_s_data(
    runner: FlaskCliRunner, regions: factories.RegionTree
) -> None:
    factories.kim(regions.desa_a1, name="KIM Milik Kantor")

    result = runner.invoke(args=["demo", "seed", "--kims", "20"])

    assert result.exit_code == 1
    assert _count(Kim) == 1
    assert _count(User) == 0


def test_if_empty_is_a_quiet_no_op_on_a_non_empty_database(
    runner: FlaskCliRunner, regions: factories.RegionTree
) -> None:
    factories.kim(regions.desa_a1, name="KIM Milik Kantor")

    result = runner.invoke(args=["demo", "seed", "--if-empty"])

    assert result.exit_code == 0
    assert "tidak dimuat" in result.output
    assert _count(Kim) == 1


def test_if_empty_seeds_an_empty_database(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["demo", "seed", "--if-empty", "--kims", "20"])

    assert result.exit_code == 0, result.output
    assert _count(Kim) == 20


def test_force_wipes_everything_first(
    runner: FlaskCliRunner, regions: factories.RegionTree
) -> None:
    factories.kim(regions.desa_a1, name="KIM Milik Kantor")
    factories.user(role="admin", username="kantor")

    result = runner.invoke(args=["demo", "seed", "--force", "--kims", "20"])

    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(Kim).where(Kim.name == "KIM Milik Kantor")) is None
    assert db.session.scalar(select(User).where(User.username == "kantor")) is None
    assert _count(Kim) == 20
    # the fixture's made-up region names are gone, the official ones are in
    assert db.session.get(Region, "35.08.09").name == "Tekung"  # type: ignore[union-attr]


def test_force_and_if_empty_together_is_a_usage_error(runner: FlaskCliRunner) -> None:
    assert runner.invoke(args=["demo", "seed", "--force", "--if-empty"]).exit_code == 2


def test_logins_prints_working_demo_accounts(runner: FlaskCliRunner, client: FlaskClient) -> None:
    assert runner.invoke(args=["demo", "seed", "--kims", "20"]).exit_code == 0

    result = runner.invoke(args=["demo", "logins"])

    assert result.exit_code == 0
    lines = result.output.splitlines()
    table = {line.split()[0]: line.split() for line in lines[3:] if line.strip()}
    assert set(table) == {"admin", "kabid", "petugas", "viewer"}
    for username, cells in table.items():
        password = next(c for c in cells if c.startswith("pikp-lumajang-"))
        assert cells[-1] == "siap"
        response = client.post("/login", data={"username": username, "password": password})
        assert response.status_code == 302, username
        client.post("/logout")


def test_logins_before_seeding_says_what_to_do(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["demo", "logins"])

    assert result.exit_code == 0
    assert "flask demo seed" in result.output


@pytest.mark.parametrize("count", [1, 5])
def test_tiny_seeds_still_work(app: object, count: int) -> None:
    report = seed.seed(kim_count=count, assess=False, today=TODAY)

    assert _count(Kim) == report.kims == count


def test_the_seed_is_one_unit_of_work(app: object) -> None:
    """Regions, accounts, KIMs, activity, periods, the framework and every assessment: one
    COMMIT (the services it calls join its transaction)."""
    with counting.commits() as commits:
        seed.seed(kim_count=5, today=TODAY)
    assert commits.count == 1
    assert _count(Assessment) > 0


def test_a_seed_failing_half_way_leaves_the_old_data(app: object, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    factories.region_tree()
    factories.user("admin", username="kantor")

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk penuh")

    monkeypatch.setattr(seed, "assess_period", broken)
    with pytest.raises(RuntimeError, match="disk penuh"):
        seed.seed(force=True, kim_count=5, today=TODAY)
    db.session.expire_all()
    # the wipe, the regions, KIMs and posts written before the failure are all rolled back
    assert db.session.scalars(select(User.username)).all() == ["kantor"]
    assert _count(Kim) == 0 and _count(ContentPost) == 0 and _count(Region) == 7


def test_visits_with_drawn_photos_and_follow_ups_make_p2_vary(app: Flask) -> None:
    report = seed.seed(kim_count=30)

    assert "kunjungan pemantauan" in report.notes[-1]
    visits = list(db.session.scalars(select(MonitoringVisit)))
    assert visits and _count(VisitFinding) > len(visits)
    petugas = db.session.scalar(select(User).where(User.username == "petugas"))
    assert petugas is not None
    for visit in visits:  # the petugas records his own kecamatan, the admin the others
        assert (visit.created_by_id == petugas.id) == (visit.kecamatan_code in petugas.scope_codes)
    photos = list(db.session.scalars(select(VisitPhoto)))
    assert len(photos) >= len(visits)
    folder = Path(app.config["PHOTO_FOLDER"])
    for photo in photos[:5]:
        with Image.open(folder / photo.path) as image:
            assert image.format == "JPEG" and not image.getexif()
    statuses = set(db.session.scalars(select(FollowUp.status)))
    assert {"open", "done"} <= statuses
    latest = db.session.scalar(
        select(Period).where(Period.state == "closed").order_by(Period.start_date.desc()).limit(1)
    )
    assert latest is not None
    p2 = {
        row.indicators["P2"]["value"]
        for row in db.session.scalars(select(Assessment).where(Assessment.period_id == latest.id))
    }
    assert len(p2) >= 3  # done, not done, partly done, none due
    assert 100.0 in p2 and any(value < 100 for value in p2)


# --- the rules the demo exercises ---------------------------------------------------------------


@pytest.mark.parametrize("today", [TODAY, date(2027, 4, 1)], ids=["1-des-2026", "1-apr-2027"])
def test_the_demos_rule_counts_are_all_above_zero(app: object, today: date) -> None:
    """Every rule of the assessment is hit by some KIM × period of the default district, counted
    from what was stored; also on the first day of a triwulan, when the open one is one day old."""
    report = seed.seed(today=today)

    counts = {rule.key: rule.count for rule in report.rules}
    assert list(counts) == [key for key, _label in RULES]
    assert [key for key, n in counts.items() if n <= 0] == []
    assert report.rules == rule_counts()  # the report is the census of the database


def test_the_periods_follow_the_office_today(app: object) -> None:
    seed.seed(kim_count=20, today=date(2027, 4, 1))

    stored = db.session.execute(select(Period.code, Period.state).order_by(Period.start_date)).all()
    assert [code for code, _ in stored] == [
        "2025-T2",
        "2025-T3",
        "2025-T4",
        "2026-T1",
        "2026-T2",
        "2026-T3",
        "2026-T4",
        "2027-T1",
        "2027-T2",
    ][1:]
    assert [state for _, state in stored] == ["closed"] * 7 + ["open"]
    last = db.session.scalar(select(func.max(ContentPost.posted_on)))
    assert last is not None and last <= date(2027, 3, 31)  # nothing from the future


def test_the_open_period_shows_a_stale_result_and_values_to_verify(
    app: object, client: FlaskClient
) -> None:
    report = seed.seed(kim_count=30, today=TODAY)
    period = db.session.scalar(select(Period).where(Period.code == "2026-T4"))
    assert period is not None and not period.is_closed
    framework = framework_for_period(period.id)
    assert framework is not None
    freshness = period_freshness(None, period, framework.id)
    assert freshness.changed > 0 and freshness.unassessed == 0
    work = report.field_work
    assert work is not None and work.verified_after > 0 and work.waiting > 0

    kabid = next(u for u in seed.logins() if u.username == "kabid")
    client.post("/login", data={"username": "kabid", "password": kabid.password})
    page = client.get("/penilaian/2026-T4").text
    assert f"Data berubah sejak penilaian terakhir ({freshness.stale} KIM)." in page
    home = client.get("/").text
    assert f"Verifikasi {work.waiting} nilai yang diajukan" in home
