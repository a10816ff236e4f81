"""What people see: the bell with its unread count, the list, marking read (one's own only, with
CSRF), muting a kind and the e-mail address on the account page, and the admin's scheduler page
with its jobs, runs and "run now" (admin only, CSRF, audited, never run by the web)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from tests import factories
from tests.scheduler.conftest import wib
from tracker.extensions import db
from tracker.models import AuditEntry, JobRequest, JobRun, Notification, NotificationMute, User
from tracker.models.notifications import KIND_DIGEST, KIND_FOLLOW_UP, KIND_NO_UPLOAD
from tracker.services.common.unit_of_work import transaction
from tracker.services.notifications import reminders
from tracker.services.scheduler import lease, runs


def _notify(user: User, n: int, kind: str = KIND_NO_UPLOAD) -> None:
    with transaction():
        reminders.store(
            [
                reminders.Planned(
                    user.id,
                    None,
                    kind,
                    f"weekly-{i}",
                    date(2026, 3, 2),
                    {"count": 2, "kims": ["KIM Mekar", "KIM Sari"]},
                )
                for i in range(n)
            ],
            mail=False,
        )


def test_bell_shows_the_unread_count_and_the_list_marks_read(client, login_as):
    user = login_as("petugas")
    page = client.get("/kim/")
    assert 'class="bell"' in page.text and "0 belum dibaca" in page.text
    _notify(user, 3)
    page = client.get("/kim/")
    assert '<span class="badge" aria-hidden="true">3</span>' in page.text

    listing = client.get("/notifikasi/")
    assert listing.status_code == 200
    assert listing.text.count("2 KIM tanpa unggahan 30 hari: KIM Mekar, KIM Sari.") == 3
    first = db.session.scalar(select(Notification.id).order_by(Notification.id))
    assert client.post(f"/notifikasi/{first}/dibaca").status_code == 302
    assert db.session.get(Notification, first).read_at is not None
    assert '<span class="badge" aria-hidden="true">2</span>' in client.get("/kim/").text

    assert client.post("/notifikasi/semua-dibaca").status_code == 302
    unread = db.session.scalar(
        select(func.count()).select_from(Notification).where(Notification.read_at.is_(None))
    )
    assert unread == 0
    assert "0 belum dibaca" in client.get("/kim/").text


def test_the_list_narrows_to_one_kind_and_marking_read_stays_on_it(client, login_as):
    user = login_as("petugas")
    _notify(user, 2, KIND_NO_UPLOAD)
    _notify(user, 3, KIND_FOLLOW_UP)
    everything = client.get("/notifikasi/").text
    assert everything.count("KIM tanpa unggahan 30 hari</td>") == 2
    assert everything.count("Tindak lanjut jatuh tempo atau terlambat</td>") == 3
    assert '<select id="jenis" name="jenis"' in everything

    narrowed = client.get("/notifikasi/?jenis=no_upload").text
    assert narrowed.count("KIM tanpa unggahan 30 hari</td>") == 2
    assert "Tindak lanjut jatuh tempo atau terlambat</td>" not in narrowed
    assert '<option selected value="no_upload">' in narrowed
    # an unknown kind lists everything
    assert client.get("/notifikasi/?jenis=rm").text.count('<tr class="unread">') == 5

    first = db.session.scalar(
        select(Notification.id).where(Notification.kind == KIND_NO_UPLOAD).order_by(Notification.id)
    )
    response = client.post(f"/notifikasi/{first}/dibaca", data={"jenis": "no_upload"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/notifikasi/?jenis=no_upload")

    # "all read" on the narrowed list marks that kind only, as its button says
    assert "Tandai semua jenis ini sudah dibaca" in client.get("/notifikasi/?jenis=no_upload").text
    response = client.post("/notifikasi/semua-dibaca", data={"jenis": "no_upload"})
    assert response.headers["Location"].endswith("/notifikasi/?jenis=no_upload")
    unread = db.session.scalars(select(Notification.kind).where(Notification.read_at.is_(None)))
    assert sorted(unread) == [KIND_FOLLOW_UP] * 3


def test_another_users_notification_is_not_found(client, login_as, regions):
    login_as("petugas")
    other = factories.user("petugas", [regions.kec_b], username="lain")
    _notify(other, 1)
    theirs = db.session.scalar(select(Notification.id))
    assert client.post(f"/notifikasi/{theirs}/dibaca").status_code == 404
    assert db.session.get(Notification, theirs).read_at is None
    assert "KIM Mekar" not in client.get("/notifikasi/").text


def test_english_reader_sees_english(client, login_as):
    user = login_as("kabid")
    user.locale = "en"
    db.session.commit()
    with transaction():
        reminders.store(
            [
                reminders.Planned(
                    user.id,
                    None,
                    KIND_DIGEST,
                    "digest",
                    date(2026, 3, 9),
                    {"week": "2026-03-09", "overdue": 4, "not_visited": 1, "no_upload": 2},
                )
            ],
            mail=False,
        )
    text = client.get("/notifikasi/").text
    assert "Week of 9 March 2026: 4 follow-ups overdue" in text


def test_marking_read_needs_the_csrf_token(app, regions):
    app.config["WTF_CSRF_ENABLED"] = True
    user = factories.user("petugas", [regions.kec_a], username="petugas-csrf")
    _notify(user, 1)
    client = app.test_client()
    page = client.get("/login")
    token = page.text.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    client.post(
        "/login",
        data={"username": "petugas-csrf", "password": factories.PASSWORD, "csrf_token": token},
    )
    theirs = db.session.scalar(select(Notification.id))
    assert client.post(f"/notifikasi/{theirs}/dibaca").status_code == 400
    assert db.session.get(Notification, theirs).read_at is None


def test_account_page_mutes_kinds_and_sets_the_email(client, login_as):
    user = login_as("petugas")
    page = client.get("/akun")
    assert "Pengingat yang saya terima" in page.text
    response = client.post(
        "/akun/pengingat",
        data={
            "receive": [KIND_FOLLOW_UP, KIND_DIGEST],  # the others unticked: muted
            "email": "petugas@example.id",
        },
    )
    assert response.status_code == 302
    muted = set(db.session.scalars(select(NotificationMute.kind)))
    assert muted == {"not_visited", "no_upload", "tier_drop"}
    assert db.session.get(User, user.id).email == "petugas@example.id"
    [entry] = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "notifications.preferences")
    )
    assert entry.changes["email"] == [None, "petugas@example.id"]

    bad = client.post("/akun/pengingat", data={"receive": ["nope"], "email": "bukan-email"})
    assert bad.status_code == 422
    assert db.session.get(User, user.id).email == "petugas@example.id"


def test_scheduler_page_is_for_admins_only(client, login_as):
    login_as("kabid")
    assert client.get("/admin/penjadwal/").status_code == 403
    assert client.post("/admin/penjadwal/reminders/jalankan").status_code == 403
    assert db.session.scalar(select(func.count()).select_from(JobRequest)) == 0


def _published(holder: str = "host:1:abc") -> None:
    lease.try_take(holder, 90)
    lease.renew(
        holder,
        90,
        [
            {"name": "reminders", "trigger": "cron[hour='6']", "next": "2026-03-03T06:00:00+07:00"},
            {"name": "digest", "trigger": "cron[mon 7]", "next": "2026-03-09T07:00:00+07:00"},
        ],
    )


def test_scheduler_page_lists_jobs_runs_and_errors(client, login_as, at):
    at(wib(2026, 3, 2, 10, 0))
    login_as("admin")
    assert "belum pernah berjalan" in client.get("/admin/penjadwal/").text
    _published()
    good = runs.claim("reminders", "2026-03-02")
    runs.finish(good, {"follow_up": 3, "sent": 2})
    bad = runs.claim("digest", "2026-03-02")
    runs.fail(bad, "RuntimeError: SMTP server said no")
    page = client.get("/admin/penjadwal/")
    assert page.status_code == 200
    text = page.text
    assert "Penjadwal berjalan: host:1:abc" in text
    assert "3 Maret 2026 06.00" in text  # next run, shown in WIB
    assert "pengingat tindak lanjut: 3, e-mail terkirim: 2" in text
    assert "follow_up" not in text and "sent:" not in text
    assert ">0 detik<" in text and " s<" not in text  # the duration in Indonesian
    assert "SMTP server said no" in text and "Gagal" in text and "Berhasil" in text


def test_harvest_counts_are_read_in_indonesian(client, login_as, at):
    at(wib(2026, 3, 2, 10, 0))
    login_as("admin")
    run = runs.claim("harvest", "2026-03-02T10")
    runs.finish(
        run,
        {"kims": 5, "ok": 3, "not_modified": 1, "failed": 1, "found": 9, "new": 4, "requests": 5},
    )
    text = client.get("/admin/penjadwal/").text
    assert (
        "KIM dipanen: 5, berhasil: 3, tanpa perubahan: 1, gagal: 1, unggahan ditemukan: 9, "
        "unggahan baru: 4, permintaan ke situs: 5"
    ) in text
    assert "not_modified" not in text


def test_run_now_records_an_audited_request_and_runs_nothing(client, login_as, at):
    at(wib(2026, 3, 2, 10, 0))
    admin = login_as("admin")
    _published()
    response = client.post("/admin/penjadwal/reminders/jalankan")
    assert response.status_code == 302
    [request] = db.session.scalars(select(JobRequest))
    assert request.job == "reminders" and request.requested_by_id == admin.id
    assert request.picked_at is None
    assert db.session.scalar(select(func.count()).select_from(JobRun)) == 0
    assert db.session.scalar(
        select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "job.request")
    )
    assert "menunggu penjadwal" in client.get("/admin/penjadwal/").text
    # a job the scheduler does not plan
    assert client.post("/admin/penjadwal/rm-rf/jalankan").status_code == 422


@pytest.mark.parametrize("url", ["/notifikasi/", "/admin/penjadwal/"])
def test_list_page_queries_do_not_grow_with_rows(client, login_as, count_queries, url):
    user = login_as("admin")
    _published()
    _notify(user, 1)
    runs.finish(runs.claim("reminders", "k0"), {"n": 1})
    with count_queries() as few:
        assert client.get(url).status_code == 200
    _notify(user, 12, KIND_FOLLOW_UP)
    for n in range(1, 12):
        runs.finish(runs.claim("reminders" if n % 2 else "digest", f"k{n}"), {"n": n})
    with count_queries() as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few)


def test_web_workers_never_start_a_scheduler(app, monkeypatch, sibling_app):
    """The app factory builds no scheduler and serving a page starts none: only
    `flask scheduler run` does."""
    from apscheduler.schedulers.base import BaseScheduler

    started = []
    monkeypatch.setattr(BaseScheduler, "start", lambda self, *a, **k: started.append(self))
    worker = sibling_app()  # a second application on the same database, as a gunicorn worker
    assert worker.test_client().get("/login").status_code == 200
    assert started == []
