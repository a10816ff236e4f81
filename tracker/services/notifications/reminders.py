"""Who is reminded of what, set-based: one query per kind for the whole district, each row a
(recipient, subject) already filtered by the recipient's role, account, region scope and mutes.

- a follow-up due within 7 days (once per due date) or overdue (once a week), to its owner, while
  its KIM is in the owner's scope;
- KIMs not visited for 180 days, and KIMs without an upload for 30 days (a KIM registered less
  long ago is not counted), grouped into one reminder per petugas per week, for the KIMs of the
  petugas's scope;
- a KIM whose final tier fell from the previous period of the same kind, to each Kabid whose scope
  holds it (once per KIM and period);
- the weekly digest, one per Kabid per week, of the figures of the Kabid's scope.

Each notification is inserted with INSERT … ON CONFLICT DO NOTHING on (user, kind, subject, date):
a second run of the same day, a retry, a "run now" store nothing twice, and the counts returned
are the rows actually inserted. Nothing here commits: the job wraps a step in `transaction()`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, exists, func, not_, or_, select

from tracker.extensions import db
from tracker.models import (
    Assessment,
    ContentPost,
    FollowUp,
    Kim,
    MonitoringVisit,
    Notification,
    NotificationMute,
    Period,
    User,
    UserScope,
    VisitFinding,
)
from tracker.models.assessment import TIERS
from tracker.models.base import utcnow
from tracker.models.kim import STATUS_ACTIVE
from tracker.models.notifications import (
    EMAIL_PENDING,
    KIND_DIGEST,
    KIND_FOLLOW_UP,
    KIND_NO_UPLOAD,
    KIND_NOT_VISITED,
    KIND_TIER_DROP,
)
from tracker.models.period import PERIOD_CLOSED
from tracker.models.user import ROLE_KABID, ROLE_PETUGAS
from tracker.models.visits import FOLLOW_UP_OPEN
from tracker.services.assessment.runner import framework_for_period, previous_period
from tracker.services.common.import_rows import chunks
from tracker.services.common.upsert import insert_for
from tracker.services.notifications.kinds import NAMES_SHOWN

DUE_SOON_DAYS = 7
NOT_VISITED_DAYS = 180
NO_UPLOAD_DAYS = 30
TIER_DROP_WINDOW_DAYS = 30  # a period closed this recently is checked for tier drops daily


def week_start(day: date) -> date:
    """The Monday of the day's week: the date of a weekly reminder."""
    return day - timedelta(days=day.weekday())


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time())


def covers(desa_code: ColumnElement[str]) -> ColumnElement[bool]:
    """The scope row (UserScope) holds this desa: the same rule as services/common/scope."""
    return or_(
        desa_code == UserScope.region_code,
        desa_code.like(UserScope.region_code + ".%"),
    )


def _not_muted(kind: str) -> ColumnElement[bool]:
    return not_(exists().where(NotificationMute.user_id == User.id, NotificationMute.kind == kind))


def _scoped_recipients(stmt: Select[Any], role: str, kind: str) -> Select[Any]:
    """Join each KIM row of `stmt` to every active user of `role` whose scope holds its desa and
    who has not muted `kind`."""
    return (
        stmt.join(UserScope, covers(Kim.desa_code))
        .join(User, User.id == UserScope.user_id)
        .where(User.role == role, User.is_active_account.is_(True), _not_muted(kind))
    )


@dataclass(frozen=True)
class Planned:
    user_id: int
    email: str | None
    kind: str
    subject: str
    on_date: date
    params: dict[str, Any]


def store(planned: Iterable[Planned], mail: bool) -> int:
    """Insert the notifications not yet stored; how many were new. `mail`: SMTP is configured, a
    recipient with an address gets an e-mail copy (sent by `mail.send_pending`)."""
    rows = [
        {
            "user_id": p.user_id,
            "kind": p.kind,
            "subject": p.subject,
            "on_date": p.on_date,
            "params": p.params,
            "created_at": utcnow(),
            "email_state": EMAIL_PENDING if mail and p.email else None,
        }
        for p in planned
    ]
    if not rows:
        return 0
    connection = db.session.connection()
    table = Notification.__table__
    stmt = (
        insert_for(connection.dialect.name)(table)
        .on_conflict_do_nothing(
            index_elements=[table.c.user_id, table.c.kind, table.c.subject, table.c.on_date]
        )
        .returning(table.c.id)
    )
    inserted = 0
    for chunk in chunks(rows):
        inserted += len(connection.execute(stmt, list(chunk)).all())
    return inserted


def follow_ups(today: date) -> list[Planned]:
    """Open follow-ups due within DUE_SOON_DAYS or overdue, to their owners (KIM in scope)."""
    in_scope = exists().where(UserScope.user_id == User.id, covers(Kim.desa_code))
    rows = db.session.execute(
        select(FollowUp.id, FollowUp.due_on, Kim.id, Kim.name, User.id, User.email)
        .join(Kim, Kim.id == FollowUp.kim_id)
        .join(User, User.id == FollowUp.owner_id)
        .where(
            FollowUp.status == FOLLOW_UP_OPEN,
            FollowUp.due_on <= today + timedelta(days=DUE_SOON_DAYS),
            User.is_active_account.is_(True),
            in_scope,
            _not_muted(KIND_FOLLOW_UP),
        )
        .order_by(FollowUp.id)
    )
    planned = []
    for follow_up_id, due, kim_id, kim_name, user_id, email in rows:
        overdue = due < today
        planned.append(
            Planned(
                user_id,
                email,
                KIND_FOLLOW_UP,
                f"follow_up:{follow_up_id}:{'overdue' if overdue else 'due'}",
                week_start(today) if overdue else due,
                {
                    "follow_up": follow_up_id,
                    "kim": kim_name,
                    "kim_id": kim_id,
                    "due": due.isoformat(),
                    "overdue": overdue,
                },
            )
        )
    return planned


def _grouped(kind: str, rows: Iterable[Any], today: date) -> list[Planned]:
    """One reminder per recipient for the week, naming the first KIMs by name."""
    per_user: dict[int, list[str]] = defaultdict(list)
    emails: dict[int, str | None] = {}
    for user_id, email, _kim_id, name, _key in rows:
        if name not in per_user[user_id]:
            per_user[user_id].append(name)
        emails[user_id] = email
    return [
        Planned(
            user_id,
            emails[user_id],
            kind,
            "weekly",
            week_start(today),
            {"count": len(names), "kims": names[:NAMES_SHOWN]},
        )
        for user_id, names in sorted(per_user.items())
    ]


def _not_visited_since(cutoff: date) -> ColumnElement[bool]:
    visited = exists().where(
        VisitFinding.kim_id == Kim.id,
        MonitoringVisit.id == VisitFinding.visit_id,
        MonitoringVisit.ended_on >= cutoff,
    )
    return and_(Kim.status == STATUS_ACTIVE, Kim.created_at < _midnight(cutoff), not_(visited))


def _no_upload_since(cutoff: date) -> ColumnElement[bool]:
    posted = exists().where(ContentPost.kim_id == Kim.id, ContentPost.posted_on >= cutoff)
    return and_(Kim.status == STATUS_ACTIVE, Kim.created_at < _midnight(cutoff), not_(posted))


def _kim_rows(condition: ColumnElement[bool], kind: str) -> Any:
    return db.session.execute(
        _scoped_recipients(
            select(User.id, User.email, Kim.id, Kim.name, Kim.name_key).select_from(Kim),
            ROLE_PETUGAS,
            kind,
        )
        .where(condition)
        .distinct()
        .order_by(User.id, Kim.name_key, Kim.id)
    )


def not_visited(today: date) -> list[Planned]:
    cutoff = today - timedelta(days=NOT_VISITED_DAYS)
    return _grouped(
        KIND_NOT_VISITED, _kim_rows(_not_visited_since(cutoff), KIND_NOT_VISITED), today
    )


def no_upload(today: date) -> list[Planned]:
    cutoff = today - timedelta(days=NO_UPLOAD_DAYS)
    return _grouped(KIND_NO_UPLOAD, _kim_rows(_no_upload_since(cutoff), KIND_NO_UPLOAD), today)


def _rank(column: ColumnElement[str]) -> ColumnElement[int]:
    return case({name: i for i, name in enumerate(TIERS)}, value=column, else_=-1)


def tier_drops(period: Period) -> list[Planned]:
    """KIMs whose final tier of `period` is below their tier of the previous period of the same
    kind, to each Kabid whose scope holds them."""
    before = previous_period(period)
    now_fw = framework_for_period(period.id)
    then_fw = framework_for_period(before.id) if before is not None else None
    if before is None or now_fw is None or then_fw is None:
        return []
    prior = (
        select(Assessment.kim_id, Assessment.tier)
        .where(Assessment.period_id == before.id, Assessment.framework_id == then_fw.id)
        .subquery()
    )
    rows = db.session.execute(
        _scoped_recipients(
            select(User.id, User.email, Kim.id, Kim.name, prior.c.tier, Assessment.tier)
            .select_from(Assessment)
            .join(prior, prior.c.kim_id == Assessment.kim_id)
            .join(Kim, Kim.id == Assessment.kim_id),
            ROLE_KABID,
            KIND_TIER_DROP,
        )
        .where(
            Assessment.period_id == period.id,
            Assessment.framework_id == now_fw.id,
            _rank(Assessment.tier) < _rank(prior.c.tier),
        )
        .distinct()
        .order_by(User.id, Kim.id)
    )
    return [
        Planned(
            user_id,
            email,
            KIND_TIER_DROP,
            f"kim:{kim_id}:{period.code}",
            period.end_date,
            {
                "kim": name,
                "kim_id": kim_id,
                "period": period.code,
                "before": tier_before,
                "after": tier_after,
            },
        )
        for user_id, email, kim_id, name, tier_before, tier_after in rows
    ]


def recently_closed(today: date) -> list[Period]:
    since = _midnight(today - timedelta(days=TIER_DROP_WINDOW_DAYS))
    return list(
        db.session.scalars(
            select(Period)
            .where(Period.state == PERIOD_CLOSED, Period.closed_at >= since)
            .order_by(Period.end_date)
        )
    )


def _per_kabid(stmt: Select[Any], condition: ColumnElement[bool]) -> dict[int, int]:
    return {
        user_id: int(n)
        for user_id, n in db.session.execute(
            _scoped_recipients(stmt, ROLE_KABID, KIND_DIGEST).where(condition).group_by(User.id)
        )
    }


def digests(today: date) -> list[Planned]:
    """The Monday digest for every Kabid: four grouped queries for all of them."""
    monday = week_start(today)
    kabid = db.session.execute(
        select(User.id, User.email).where(
            User.role == ROLE_KABID,
            User.is_active_account.is_(True),
            _not_muted(KIND_DIGEST),
            exists().where(UserScope.user_id == User.id),
        )
    ).all()
    if not kabid:
        return []
    kims = select(User.id, func.count(func.distinct(Kim.id))).select_from(Kim)
    overdue = _per_kabid(
        select(User.id, func.count(func.distinct(FollowUp.id)))
        .select_from(FollowUp)
        .join(Kim, Kim.id == FollowUp.kim_id),
        and_(FollowUp.status == FOLLOW_UP_OPEN, FollowUp.due_on < today),
    )
    unvisited = _per_kabid(kims, _not_visited_since(today - timedelta(days=NOT_VISITED_DAYS)))
    silent = _per_kabid(kims, _no_upload_since(today - timedelta(days=NO_UPLOAD_DAYS)))
    posts = _per_kabid(
        select(User.id, func.count(func.distinct(ContentPost.id)))
        .select_from(ContentPost)
        .join(Kim, Kim.id == ContentPost.kim_id),
        and_(ContentPost.posted_on >= today - timedelta(days=7), ContentPost.posted_on < today),
    )
    return [
        Planned(
            user_id,
            email,
            KIND_DIGEST,
            "digest",
            monday,
            {
                "week": monday.isoformat(),
                "overdue": overdue.get(user_id, 0),
                "not_visited": unvisited.get(user_id, 0),
                "no_upload": silent.get(user_id, 0),
                "posts": posts.get(user_id, 0),
            },
        )
        for user_id, email in kabid
    ]
