"""E-mail copies at a local SMTP server when configured, in the recipient's language; a job that
fails is recorded failed and retried on the next fire with nothing sent or stored twice."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from tests import factories
from tests.scheduler.conftest import free_port, wib
from tracker.extensions import db
from tracker.models import JobRun, Notification
from tracker.models.notifications import EMAIL_SENT, KIND_FOLLOW_UP
from tracker.models.scheduler import RUN_FAILED, RUN_SUCCEEDED
from tracker.services.notifications import inbox


def _owner_with_follow_up(regions, email: str | None, locale: str = "id"):
    owner = factories.user("petugas", [regions.kec_a], username="petugas-a", locale=locale)
    if email:
        inbox.set_preferences(owner, [], email)
    kim = factories.kim(regions.desa_a1, name="KIM Sumber Makmur")
    factories.make_follow_up(kim, owner, date(2026, 3, 5))
    return owner


def test_reminder_is_emailed_when_smtp_is_configured(app, regions, smtp_server, at, fire):
    messages, port = smtp_server
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_DEFAULT_SENDER="jenjang@x.id")
    at(wib(2026, 3, 2, 6, 0))
    owner = _owner_with_follow_up(regions, "petugas.a@example.id", locale="en")
    without_address = factories.user("petugas", [regions.kec_a], username="tanpa-email")
    factories.make_follow_up(factories.kim(regions.desa_a2), without_address, date(2026, 3, 3))

    [run] = fire("reminders")
    assert run.status == RUN_SUCCEEDED and run.counts["sent"] == 1
    [mail] = messages.messages
    assert mail["X-Rcpt-To"] == "petugas.a@example.id"
    assert mail["From"] == "jenjang@x.id"
    assert "KIM Sumber Makmur" in mail["Subject"]
    assert "Follow-up" in mail.get_payload()  # the recipient reads English
    [stored] = [n for n in db.session.scalars(select(Notification)) if n.user_id == owner.id]
    assert stored.email_state == EMAIL_SENT
    # the user without an address has the bell only
    assert {n.email_state for n in db.session.scalars(select(Notification))} == {EMAIL_SENT, None}

    at(wib(2026, 3, 3, 6, 0))  # the next day: the same reminder is not mailed again
    [next_day] = fire("reminders")
    assert next_day.counts["sent"] == 0 and len(messages.messages) == 1


def test_no_mail_without_smtp_settings(app, regions, at, fire):
    at(wib(2026, 3, 2, 6, 0))
    _owner_with_follow_up(regions, "petugas.a@example.id")
    [run] = fire("reminders")
    assert run.counts["sent"] == 0 and run.counts["follow_up"] == 1
    assert db.session.scalar(select(Notification.email_state)) is None


def test_a_failed_run_is_retried_on_the_next_fire_without_doubling(
    app, regions, smtp_server, at, fire
):
    messages, port = smtp_server
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port())  # nobody listens there
    at(wib(2026, 3, 2, 6, 0))
    _owner_with_follow_up(regions, "petugas.a@example.id")

    [failed] = fire("reminders")
    assert failed.status == RUN_FAILED
    run = db.session.scalar(select(JobRun))
    assert run.status == RUN_FAILED and run.error and "Connection" in run.error
    assert "e-mail not sent" in run.error
    assert run.duration_ms is not None and run.counts["follow_up"] == 1  # what was done
    # the reminder itself was stored (its own unit), once
    [stored] = db.session.scalars(select(Notification)).all()
    assert stored.kind == KIND_FOLLOW_UP and stored.email_state == "failed"

    app.config["MAIL_PORT"] = port  # the mail server is back
    at(wib(2026, 3, 3, 6, 0))
    outcomes = fire("reminders")
    assert [(o.run_key, o.status) for o in outcomes] == [
        ("2026-03-02", RUN_SUCCEEDED),  # yesterday's failed run, taken up again
        ("2026-03-03", RUN_SUCCEEDED),
    ]
    assert outcomes[0].counts["follow_up"] == 0 and outcomes[0].counts["sent"] == 1
    retried = db.session.scalar(select(JobRun).where(JobRun.run_key == "2026-03-02"))
    assert retried.attempts == 2 and retried.trigger == "retry" and retried.error is None
    assert len(db.session.scalars(select(Notification)).all()) == 1
    assert len(messages.messages) == 1

    at(wib(2026, 3, 4, 6, 0))  # and never again
    [third] = fire("reminders")
    assert third.run_key == "2026-03-04" and len(messages.messages) == 1


def test_a_job_that_raises_is_recorded_failed_and_gives_up_after_its_attempts(
    app, regions, at, fire, monkeypatch
):
    from tracker.jobs import tasks

    calls = []

    def broken(day, settings):
        calls.append(day)
        raise RuntimeError("database on fire")

    monkeypatch.setattr(tasks, "reminders_for", broken)
    app.config["JOB_MAX_ATTEMPTS"] = 2
    at(wib(2026, 3, 2, 6, 0))
    [first] = fire("reminders")
    assert first.status == RUN_FAILED and "database on fire" in (first.error or "")
    at(wib(2026, 3, 3, 6, 0))
    outcomes = fire("reminders")  # the failed key again (attempt 2), then today's
    assert [o.run_key for o in outcomes] == ["2026-03-02", "2026-03-03"]
    at(wib(2026, 3, 4, 6, 0))
    outcomes = fire("reminders")  # 2026-03-02 used its 2 attempts; 03-03 has one more
    assert [o.run_key for o in outcomes] == ["2026-03-03", "2026-03-04"]
    runs = {r.run_key: (r.status, r.attempts) for r in db.session.scalars(select(JobRun))}
    assert runs == {
        "2026-03-02": (RUN_FAILED, 2),
        "2026-03-03": (RUN_FAILED, 2),
        "2026-03-04": (RUN_FAILED, 1),
    }


def test_an_address_the_server_refuses_is_not_tried_again(app, regions, smtp_server, at, fire):
    messages, port = smtp_server
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
    at(wib(2026, 3, 2, 6, 0))
    _owner_with_follow_up(regions, "ditolak@example.id")

    async def refuse(server, session, envelope, address, rcpt_options):  # type: ignore[no-untyped-def]
        return "550 no such mailbox"

    messages.handle_RCPT = refuse  # type: ignore[attr-defined]
    [run] = fire("reminders")
    assert run.status == RUN_SUCCEEDED and run.counts["failed"] == 1
    stored = db.session.scalar(select(Notification))
    assert stored.email_state == "refused" and "550" in stored.email_error
    del messages.handle_RCPT  # type: ignore[attr-defined]
    at(wib(2026, 3, 3, 6, 0))
    [next_day] = fire("reminders")
    assert next_day.counts["sent"] == 0 and messages.messages == []


def test_two_senders_at_once_mail_each_notification_once(app, regions, smtp_server, monkeypatch):
    """Two runs sending at the same moment (a scheduler whose guard lapsed beside the next one)
    both read the same pending notifications: only the one that marks them "sending" first sends
    them. The second sender is run between the first one's read and its mark."""
    from tracker.jobs.tasks import reminders_for
    from tracker.models.notifications import EMAIL_SENDING
    from tracker.services.notifications import mail

    messages, port = smtp_server
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
    settings = mail.MailSettings.from_config(app.config)
    _owner_with_follow_up(regions, "petugas.a@example.id")
    assert reminders_for(date(2026, 3, 2), settings)["follow_up"] == 1

    mark = mail._set_state
    interleaved: list[dict[str, int]] = []

    def the_other_sender_first(ids, state, *args, **kwargs):  # type: ignore[no-untyped-def]
        if state == EMAIL_SENDING and not interleaved:
            monkeypatch.setattr(mail, "_set_state", mark)
            interleaved.append(mail.send_pending(settings))
        return mark(ids, state, *args, **kwargs)

    monkeypatch.setattr(mail, "_set_state", the_other_sender_first)
    first = mail.send_pending(settings)

    assert interleaved == [{"sent": 1, "failed": 0}]
    assert first == {"sent": 0, "failed": 0}
    assert len(messages.messages) == 1
    assert EMAIL_SENDING not in {n.email_state for n in db.session.scalars(select(Notification))}
