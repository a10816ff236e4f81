"""The jobs the scheduler runs: one small entry each.

A `Job` is a name, a trigger (when APScheduler fires it, built in the scheduler's time zone), the
work for one key (`run(context, key)` returning counts to record), and the keys due when it fires
(`keys(context)`, by default the day: "2026-12-01"). Every key runs exactly once
(tracker/jobs/runner.py): a day's reminders, a week's digest, a period's closing.

Merge hook. Jobs of other domains are entries in `_jobs()` below, each one entry
around the plain function its domain exposes (not stubs here: nothing is planned that does not
exist yet): the harvest and the letter batches join that way.

`plain` turns a function without arguments into a job's `run` (its result recorded as counts:
a mapping as is, a number as {"count": n}). Labels for the admin page are in
tracker/services/scheduler/requests.py (JOB_LABELS; "harvest" and "letter_batches" are there).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, is_dataclass
from datetime import timedelta, tzinfo
from typing import Any

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from tracker.jobs.context import Counts, JobContext

TriggerFactory = Callable[[tzinfo], BaseTrigger]


def cron(**fields_: Any) -> TriggerFactory:
    """A cron trigger in the scheduler's time zone (`cron(hour=1)`: every day at 01:00)."""
    return lambda tz: CronTrigger(timezone=tz, **fields_)


def every(**interval: Any) -> TriggerFactory:
    return lambda tz: IntervalTrigger(timezone=tz, **interval)


def daily(context: JobContext) -> list[str]:
    return [context.today.isoformat()]


def weekly(context: JobContext) -> list[str]:
    """The week's Monday."""
    return [(context.today - timedelta(days=context.today.weekday())).isoformat()]


def hourly(context: JobContext) -> list[str]:
    return [context.now.strftime("%Y-%m-%dT%H")]


def every_key(minutes: int) -> Callable[[JobContext], list[str]]:
    """One key per `minutes` slot of the day (for a job firing that often)."""

    def keys(context: JobContext) -> list[str]:
        slot = (context.now.hour * 60 + context.now.minute) // minutes * minutes
        return [f"{context.today.isoformat()}T{slot // 60:02d}:{slot % 60:02d}"]

    return keys


def as_counts(result: Any) -> dict[str, Any]:
    """What a job returned, as the counts its run records."""
    if result is None:
        return {}
    if isinstance(result, Mapping):
        return dict(result)
    if isinstance(result, bool):
        return {"done": int(result)}
    if isinstance(result, int):
        return {"count": result}
    if is_dataclass(result) and not isinstance(result, type):
        return {
            f.name: getattr(result, f.name)
            for f in fields(result)
            if isinstance(getattr(result, f.name), int | float | str)
        }
    return {"result": str(result)[:200]}


def plain(function: Callable[[], Any]) -> Callable[[JobContext, str], Counts]:
    """A function without arguments as a job's work."""
    return lambda _context, _key: as_counts(function())


@dataclass(frozen=True)
class Job:
    name: str
    trigger: TriggerFactory
    run: Callable[[JobContext, str], Counts]
    keys: Callable[[JobContext], list[str]] = field(default=daily)


def _jobs() -> list[Job]:
    from tracker.jobs import tasks
    from tracker.services.activity.harvest import harvest_due_kims
    from tracker.services.letters.batch import resume_pending_batches

    return [
        # 01:00: the open periods whose inputs changed since their last run, assessed again
        Job("recompute", cron(hour=1, minute=0), tasks.recompute),
        # 00:30: a period ended PERIOD_CLOSE_GRACE_DAYS ago: final tiers, closed, the next opened
        Job("period_close", cron(hour=0, minute=30), tasks.close_period, keys=tasks.periods_due),
        # 06:00: follow-ups due or overdue, KIMs not visited or silent, tier drops
        Job("reminders", cron(hour=6, minute=0), tasks.send_reminders),
        # Monday 07:00: the Kabid's weekly digest
        Job("digest", cron(day_of_week="mon", hour=7, minute=0), tasks.send_digest, keys=weekly),
        # every six hours at :20: websites whose last harvest is HARVEST_INTERVAL_HOURS old
        Job("harvest", cron(minute=20, hour="*/6"), plain(harvest_due_kims), keys=hourly),
        # every 5 minutes: a letter batch whose process died (server restart, kill) finished
        Job(
            "letter_batches",
            every(minutes=5),
            plain(lambda: {"batches": len(resume_pending_batches())}),
            keys=every_key(5),
        ),
    ]


JOBS: list[Job] = _jobs()


def find(name: str) -> Job | None:
    return next((job for job in JOBS if job.name == name), None)
