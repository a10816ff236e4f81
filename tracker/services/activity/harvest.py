"""The activity harvest: each KIM's recent posts read from its own website and stored as content
posts, as if a petugas had imported them (docs/harvest.md).

`harvest_due_kims` is what the scheduler calls: every active KIM with a website whose last run is
older than HARVEST_INTERVAL_HOURS (never run first, then the longest waiting), one after another.
`harvest_kim` runs one KIM now (the "panen sekarang" button, `flask activity harvest --kim`).

Per KIM: the site is read outside any transaction (harvest_sources.read_site: the source found
last time asked first with its ETag/Last-Modified, otherwise a feed, the WordPress REST API or a
sitemap, robots.txt honoured); then one unit of work stores the new posts and the KIM's harvest
state together. A run killed half-way leaves every KIM either done (posts and state) or untouched
(its last run unchanged, so the next run takes it first); one KIM's failure is recorded on its
state and the run goes on with the next.

Storing is the post import's: a post already stored for the KIM (same address, or same type, day
and title: `post_import.post_keys`) is skipped; a post dated in a closed period, in the future or
older than HARVEST_LOOKBACK_DAYS is not stored; the open periods the new posts change are marked
(`input_changes.posts_added`) before the insert; an audit entry names the counts. Harvested posts
carry `source = "harvest"`, which the assessment breakdown shows.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, or_, select

from tracker.extensions import db
from tracker.io.feeds import FoundPost
from tracker.io.values import clean_text
from tracker.io.web_fetch import Fetcher
from tracker.models import ContentPost, HarvestState, Kim
from tracker.models.activity import POST_HARVESTED
from tracker.models.base import utcnow
from tracker.models.harvest import HARVEST_ERROR, HARVEST_NOT_MODIFIED, HARVEST_OK
from tracker.models.kim import STATUS_ACTIVE
from tracker.models.user import User
from tracker.services.activity import content_totals
from tracker.services.activity.harvest_sources import INTERNAL, Known, Outcome, read_site
from tracker.services.activity.import_periods import PeriodCalendar
from tracker.services.activity.post_import import TITLE_MAX, URL_MAX, post_keys, stored_post_keys
from tracker.services.common import audit_writer, input_changes
from tracker.services.common.clock import OFFICE_TZ
from tracker.services.common.errors import Invalid
from tracker.services.common.import_rows import insert_tuples
from tracker.services.common.permissions import HARVEST_ACTIVITY, VIEW, require
from tracker.services.common.scope import actor_scope_filter
from tracker.services.common.unit_of_work import depth, transaction
from tracker.services.registry.kims import KimNotFoundError

log = logging.getLogger(__name__)

_COLUMNS = ("kim_id", "type", "posted_on", "title", "url", "source", "created_at")
RECENT_POSTS = 20  # harvested posts listed on a KIM's harvest page


class NoWebsiteError(Invalid):
    """The KIM has no website to harvest."""


@dataclass(frozen=True)
class KimRun:
    """How one KIM's harvest ended."""

    kim_id: int
    status: str
    found: int
    new: int
    error_code: str | None = None


@dataclass
class HarvestSummary:
    """What a run did, for the scheduler's record and the command line."""

    kims: int = 0
    ok: int = 0
    not_modified: int = 0
    failed: int = 0
    found: int = 0
    new: int = 0
    requests: int = 0
    runs: list[KimRun] = field(default_factory=list)

    def add(self, run: KimRun) -> None:
        self.kims += 1
        self.found += run.found
        self.new += run.new
        if run.status == HARVEST_OK:
            self.ok += 1
        elif run.status == HARVEST_NOT_MODIFIED:
            self.not_modified += 1
        else:
            self.failed += 1
        self.runs.append(run)

    def counts(self) -> dict[str, int]:
        return {
            "kims": self.kims,
            "ok": self.ok,
            "not_modified": self.not_modified,
            "failed": self.failed,
            "found": self.found,
            "new": self.new,
            "requests": self.requests,
        }


# --- running ----------------------------------------------------------------------------------


def fetcher(budget: float | None = None) -> Fetcher:
    """A fetcher with the application's settings (one per run: it remembers robots.txt and the
    time of the last request per host); `budget`: seconds for the whole run."""
    config = current_app.config
    return Fetcher(
        budget=budget,
        allow_private=bool(config.get("HARVEST_ALLOW_PRIVATE", False)),
        timeout=float(config["HARVEST_TIMEOUT_SECONDS"]),
        max_bytes=int(config["HARVEST_MAX_BYTES"]),
        delay=float(config.get("HARVEST_DELAY_SECONDS", 1.0)),
        user_agent=f"Jenjang-harvest/1.0 ({config.get('OFFICE_NAME', '')})",
    )


def _naive(now: datetime | None) -> datetime:
    """UTC without a zone, as stored."""
    if now is None:
        return utcnow()
    return now.astimezone(UTC).replace(tzinfo=None) if now.tzinfo else now


def due_kim_ids(now: datetime | None = None) -> list[int]:
    """Active KIMs with a website whose last harvest is older than the interval, never harvested
    first, then the longest waiting."""
    now = _naive(now)
    cutoff = now - timedelta(hours=float(current_app.config["HARVEST_INTERVAL_HOURS"]))
    stmt = (
        select(Kim.id)
        .outerjoin(HarvestState, HarvestState.kim_id == Kim.id)
        .where(
            Kim.status == STATUS_ACTIVE,
            func.coalesce(func.trim(Kim.website), "") != "",
            or_(HarvestState.last_run_at.is_(None), HarvestState.last_run_at <= cutoff),
        )
        .order_by(HarvestState.last_run_at.is_not(None), HarvestState.last_run_at, Kim.id)
    )
    with transaction():  # a read: ends before any site is asked
        return list(db.session.scalars(stmt))


def harvest_due_kims(now: datetime | None = None) -> HarvestSummary:
    """Harvest every KIM that is due (the scheduler's job). `now` is the run's time (aware or
    naive UTC); each KIM is committed on its own."""
    summary = HarvestSummary()
    reader = fetcher()
    for kim_id in due_kim_ids(now):
        summary.add(_harvest(kim_id, reader, _naive(now), None))
    summary.requests = reader.requests
    return summary


def harvest_all(now: datetime | None = None) -> HarvestSummary:
    """Harvest every active KIM with a website now, due or not (the command line's --all)."""
    summary = HarvestSummary()
    reader = fetcher()
    stmt = select(Kim.id).where(
        Kim.status == STATUS_ACTIVE, func.coalesce(func.trim(Kim.website), "") != ""
    )
    with transaction():
        kim_ids = list(db.session.scalars(stmt.order_by(Kim.id)))
    for kim_id in kim_ids:
        summary.add(_harvest(kim_id, reader, _naive(now), None))
    summary.requests = reader.requests
    return summary


def harvest_kim(actor: User | None, kim_id: int, now: datetime | None = None) -> KimRun:
    """Harvest one KIM in the actor's scope now, within HARVEST_BUTTON_SECONDS (it runs in a web
    request: a site's Crawl-delay or slowness must not hold it longer)."""
    require(actor, HARVEST_ACTIVITY)
    with transaction():
        kim = db.session.scalar(
            select(Kim).where(Kim.id == kim_id, actor_scope_filter(Kim.desa_code, actor))
        )
        if kim is None:
            raise KimNotFoundError()
        if not (kim.website or "").strip():
            raise NoWebsiteError(_("KIM ini belum mencatat alamat website."), field="website")
    budget = float(current_app.config.get("HARVEST_BUTTON_SECONDS", 60))
    return _harvest(kim_id, fetcher(budget), _naive(now), actor)


def _harvest(kim_id: int, reader: Fetcher, now: datetime, actor: User | None) -> KimRun:
    """Read one KIM's site, then store what it gave in one unit of work."""
    if depth():
        raise RuntimeError("the harvest commits per KIM: run it outside any other unit of work")
    with transaction():
        website = db.session.scalar(select(Kim.website).where(Kim.id == kim_id)) or ""
        state = db.session.get(HarvestState, kim_id)
        known = None
        if state is not None and state.source_kind and state.source_url:
            known = Known(state.source_kind, state.source_url, state.etag, state.last_modified)
    try:
        outcome = read_site(reader, website, known)
    except Exception as exc:  # a parser's or a server's surprise must not stop the other KIMs
        log.exception("harvest of KIM %s failed", kim_id)
        outcome = Outcome.error(INTERNAL, type(exc).__name__)
    try:
        return _store(kim_id, outcome, now, actor)
    except Exception as exc:
        log.exception("storing the harvest of KIM %s failed", kim_id)
        return _store(kim_id, Outcome.error(INTERNAL, type(exc).__name__), now, actor)


def _store(kim_id: int, outcome: Outcome, now: datetime, actor: User | None) -> KimRun:
    with transaction():
        kim = db.session.get(Kim, kim_id)
        if kim is None:  # deleted meanwhile
            return KimRun(kim_id, HARVEST_ERROR, 0, 0, INTERNAL)
        state = db.session.get(HarvestState, kim_id)
        if state is None:
            state = HarvestState(kim_id=kim_id, found=0, new=0)
            db.session.add(state)
        state.last_run_at = now
        state.status = outcome.status
        state.error_code = outcome.error_code
        state.error_detail = outcome.error_detail
        found = new = 0
        if outcome.status == HARVEST_ERROR:
            state.found = state.new = 0
        else:
            state.source_kind, state.source_url = outcome.kind, outcome.url
            state.etag, state.last_modified = outcome.etag, outcome.last_modified
            state.last_success_at = now
            found = len(outcome.posts)
            if outcome.status == HARVEST_OK:
                new = _write_posts(kim, outcome.posts, now)
            state.found, state.new = found, new
        failed = outcome.status == HARVEST_ERROR
        if new or actor is not None:
            audit_writer.record(
                "activity.harvest_failed" if failed else "activity.harvest",
                "content_post",
                None,
                actor,
                params={
                    "kim": kim_id,
                    "harvest_source": outcome.kind or "",
                    "url": outcome.url or "",
                    "found": found,
                    "created": new,
                    "harvest_error": outcome.error_code or "",
                },
                kim=kim,
            )
        return KimRun(kim_id, outcome.status, found, new, outcome.error_code)


def _posted_on(post: FoundPost) -> date:
    moment = post.published
    if isinstance(moment, datetime):
        return moment.astimezone(OFFICE_TZ).date()
    return moment


def _write_posts(kim: Kim, posts: tuple[FoundPost, ...], now: datetime) -> int:
    """Store the posts not yet stored for the KIM, as the import does; returns how many."""
    config = current_app.config
    today = now.replace(tzinfo=UTC).astimezone(OFFICE_TZ).date()
    oldest = today - timedelta(days=int(config["HARVEST_LOOKBACK_DAYS"]))
    calendar = PeriodCalendar.load()
    candidates: list[tuple[int, str, int, str, str | None]] = []
    for post in posts:
        day = _posted_on(post)
        if day > today or day < oldest or calendar.place(day).closed is not None:
            continue
        title = clean_text(post.title)[:TITLE_MAX]
        url = post.url if post.url and len(post.url) <= URL_MAX else None
        if not title and not url:
            continue
        candidates.append((kim.id, post.type, day.toordinal(), title, url))
    candidates.sort(key=lambda p: p[2], reverse=True)  # the newest first, up to the cap
    candidates = candidates[: int(config["HARVEST_MAX_POSTS"])]
    if not candidates:
        return 0
    seen = stored_post_keys([kim.id])
    rows: list[tuple[Any, ...]] = []
    for post in candidates:
        keys = post_keys(*post)
        if any(key in seen for key in keys):
            continue
        seen.update(keys)
        kim_id, type_, ordinal, title, url = post
        rows.append((kim_id, type_, date.fromordinal(ordinal), title, url, POST_HARVESTED, now))
    if rows:
        input_changes.posts_added((kim.id, row[2]) for row in rows)
        insert_tuples(ContentPost.__table__, _COLUMNS, rows)
        content_totals.recount([kim.id])  # Top Konten's totals, as the post import keeps them
    return len(rows)


# --- reading ----------------------------------------------------------------------------------


def kim_names(kim_ids: list[int]) -> dict[int, str]:
    """KIM id -> name, for a run's report."""
    if not kim_ids:
        return {}
    with transaction():
        rows = db.session.execute(select(Kim.id, Kim.name).where(Kim.id.in_(kim_ids)))
        return {kim_id: name for kim_id, name in rows}


@dataclass(frozen=True)
class HarvestPage:
    """A KIM's harvest page: the KIM, its state (None before the first run) and its latest
    harvested posts."""

    kim: Kim
    state: HarvestState | None
    posts: list[ContentPost]
    harvested_total: int


def harvest_page(actor: User | None, kim_id: int) -> HarvestPage:
    require(actor, VIEW)
    kim = db.session.scalar(
        select(Kim).where(Kim.id == kim_id, actor_scope_filter(Kim.desa_code, actor))
    )
    if kim is None:
        raise KimNotFoundError()
    harvested = (ContentPost.kim_id == kim_id) & (ContentPost.source == POST_HARVESTED)
    posts = list(
        db.session.scalars(
            select(ContentPost)
            .where(harvested)
            .order_by(ContentPost.posted_on.desc(), ContentPost.id.desc())
            .limit(RECENT_POSTS)
        )
    )
    total = db.session.scalar(select(func.count()).where(harvested)) or 0
    return HarvestPage(kim, db.session.get(HarvestState, kim_id), posts, total)
