"""What the product's jobs do. Each is a thin call into the services, run as the system (no actor:
every region), and returns the counts its run records."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from tracker.jobs.context import Counts, JobContext, PartlyDone
from tracker.scoring.periods import next_code, parse_period_code
from tracker.services.assessment.freshness import period_freshness
from tracker.services.assessment.runner import assess_period, framework_for_period
from tracker.services.common.unit_of_work import transaction
from tracker.services.notifications import mail, reminders
from tracker.services.rules import periods


def _mail(context: JobContext) -> mail.MailSettings | None:
    return mail.MailSettings.from_config(context.config)


def _then_mail(counts: dict[str, Any], settings: mail.MailSettings | None) -> dict[str, Any]:
    """Send the e-mails waiting; when that fails, the run still records what was stored."""
    try:
        counts.update(mail.send_pending(settings))
    except Exception as exc:
        raise PartlyDone(f"e-mail not sent: {exc}", counts) from exc
    return counts


def recompute(context: JobContext, key: str) -> Counts:
    """Every open period not yet assessed, or whose inputs changed since its last run (the
    staleness marks of services/common/input_changes), assessed again."""
    checked = recomputed = kims = 0
    for period in periods.open_periods():
        checked += 1
        standing = framework_for_period(period.id)
        if standing is not None and period_freshness(None, period, standing.id).stale == 0:
            continue
        run = assess_period(period, None)
        recomputed += 1
        kims += run.kims_assessed
    return {"periods_checked": checked, "periods_recomputed": recomputed, "kims_assessed": kims}


def periods_due(context: JobContext) -> list[str]:
    """Open periods whose end is more than PERIOD_CLOSE_GRACE_DAYS ago (late data still counts
    until then), oldest first."""
    grace = int(context.config.get("PERIOD_CLOSE_GRACE_DAYS", 10))
    last_end = context.today - timedelta(days=grace + 1)
    return [p.code for p in reversed(periods.open_periods()) if p.end_date <= last_end]


def close_period(context: JobContext, code: str) -> Counts:
    """One unit of work: the final assessment, the closing, the next period of the same kind
    opened (unless it exists), the Kabid told of tier drops; then their e-mails. Closed already:
    nothing to do."""
    period = periods.get_period(code)
    if period.is_closed:
        return {"closed": 0}
    counts: dict[str, Any] = {"closed": 1}
    settings = _mail(context)
    with transaction():
        run = assess_period(period, None)
        periods.close_period(code, None)
        following = next_code(parse_period_code(code))
        try:
            periods.get_period(following)
            opened = ""
        except periods.PeriodNotFoundError:
            periods.add_period(following, None)
            opened = following
        counts.update(
            kims_assessed=run.kims_assessed,
            opened=opened,
            tier_drop=reminders.store(reminders.tier_drops(period), settings is not None),
        )
    return _then_mail(counts, settings)


def reminders_for(day: date, settings: mail.MailSettings | None) -> dict[str, int]:
    with transaction():
        counts = {
            "follow_up": reminders.store(reminders.follow_ups(day), settings is not None),
            "not_visited": reminders.store(reminders.not_visited(day), settings is not None),
            "no_upload": reminders.store(reminders.no_upload(day), settings is not None),
            "tier_drop": sum(
                reminders.store(reminders.tier_drops(p), settings is not None)
                for p in reminders.recently_closed(day)
            ),
        }
    return counts


def send_reminders(context: JobContext, key: str) -> Counts:
    """The day's reminders (stored once whatever the number of runs), then their e-mails."""
    settings = _mail(context)
    return _then_mail(dict(reminders_for(date.fromisoformat(key), settings)), settings)


def send_digest(context: JobContext, key: str) -> Counts:
    """The week's digest for every Kabid (key: the Monday), then its e-mails."""
    settings = _mail(context)
    with transaction():
        made = reminders.store(reminders.digests(date.fromisoformat(key)), settings is not None)
    return _then_mail({"digest": made}, settings)
