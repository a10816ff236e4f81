"""Top Konten: KIMs ranked by their total website uploads up to a date (DESIGN.md §4).

Total = berita + galeri + pengumuman + agenda, cumulative up to the date. Two sources feed it:
post-level uploads dated on or before the date (read from the maintained per-KIM totals less the
posts dated after the date, `activity/content_totals.py`), and per-period totals (ContentCount) of
periods that ended by the date. A period's totals count for a KIM only when no post of that KIM is
dated inside the period (the posts already say the same thing, in more detail), and only when no
larger usable period of the same KIM encloses it (calendar periods nest: triwulan ⊂ semester ⊂
tahun, so taking the largest usable period never counts an upload twice).

The whole ranking is one SQL statement (after one look at the newest post date): the database
aggregates, orders and numbers the rows, and only the requested page comes back. The dashboard's
first ten (`top`) walk an index on the maintained totals instead of ranking every KIM.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    Subquery,
    and_,
    case,
    exists,
    func,
    literal,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import aliased

from tracker.extensions import db
from tracker.models import ContentCount, ContentPost, ContentTotal, Kim, Period, Region
from tracker.models.kim import STATUS_ACTIVE
from tracker.models.region import LEVEL_KECAMATAN
from tracker.models.user import User
from tracker.services.common.clock import office_today
from tracker.services.common.errors import Invalid
from tracker.services.common.pagination import Page, clamped_page
from tracker.services.common.permissions import VIEW, require
from tracker.services.common.scope import scope_filter, user_scope_filter
from tracker.services.registry import places
from tracker.services.registry.lookup import kecamatan_key
from tracker.services.registry.places import located

TYPES = ("berita", "galeri", "pengumuman", "agenda")


class LeaderboardError(Invalid):
    """A filter names nothing usable; the message is Indonesian and shown as is."""


@dataclass(frozen=True)
class LeaderboardRow:
    rank: int
    kim_id: int
    name: str
    desa: str
    kecamatan: str
    berita: int
    galeri: int
    pengumuman: int
    agenda: int

    @property
    def total(self) -> int:
        return self.berita + self.galeri + self.pengumuman + self.agenda


def _posted_after(until: date) -> bool:
    """Whether any post is dated after `until` (the newest date, read from the end of the date
    index). Usually not, for "up to today": the ranking then skips subtracting later posts,
    which otherwise costs a pass over the posts' index even when it finds none."""
    newest = db.session.scalar(select(func.max(ContentPost.posted_on)))
    return newest is not None and newest > until


def _later_posts(until: date, later: bool) -> Any:
    """Per KIM, its posts dated after `until`, per type (None when there are none: `later` is
    `_posted_after(until)`, read once per request); subtracted from its maintained totals
    (`ContentTotal`)."""
    if not later:
        return None
    return (
        select(
            ContentPost.kim_id.label("kim_id"),
            *(func.sum(case((ContentPost.type == kind, 1), else_=0)).label(kind) for kind in TYPES),
        )
        .where(ContentPost.posted_on > until)
        .group_by(ContentPost.kim_id)
        .subquery("later")
    )


def _usable(count: type[ContentCount], period: type[Period], until: date) -> ColumnElement[bool]:
    """A period's totals may count: the period ended by `until` and has no posts of that KIM."""
    has_posts = exists().where(
        ContentPost.kim_id == count.kim_id,
        ContentPost.posted_on >= period.start_date,
        ContentPost.posted_on <= period.end_date,
    )
    return and_(period.end_date <= until, ~has_posts)


def _count_totals(until: date) -> Select[tuple[int, int, int, int, int]]:
    outer_count, outer_period = aliased(ContentCount), aliased(Period)
    inner_count, inner_period = aliased(ContentCount), aliased(Period)
    enclosed = exists(
        select(literal(1))
        .select_from(inner_count)
        .join(inner_period, inner_period.id == inner_count.period_id)
        .where(
            inner_count.kim_id == outer_count.kim_id,
            inner_period.id != outer_period.id,
            inner_period.start_date <= outer_period.start_date,
            inner_period.end_date >= outer_period.end_date,
            _usable(inner_count, inner_period, until),  # type: ignore[arg-type]
        )
    )
    return (
        select(
            outer_count.kim_id.label("kim_id"),
            *(func.coalesce(getattr(outer_count, kind), 0).label(kind) for kind in TYPES),
        )
        .join(outer_period, outer_period.id == outer_count.period_id)
        .where(_usable(outer_count, outer_period, until), ~enclosed)  # type: ignore[arg-type]
    )


def _totals(until: date, where: Iterable[ColumnElement[bool]], later: bool) -> Any:
    """Each listed KIM (active, in the filters' regions) with its uploads up to `until`, per
    type and in all (a subquery): its maintained post totals, less its posts dated after
    `until`, plus its usable period totals. Driven by the KIM table and joined by key, so
    nothing is grouped over the whole district."""
    subtracted = _later_posts(until, later)
    counts = _count_totals(until).subquery("period_counts")
    counted = (
        select(counts.c.kim_id, *(func.sum(counts.c[kind]).label(kind) for kind in TYPES))
        .group_by(counts.c.kim_id)
        .subquery("counted")
    )
    kinds = [
        func.coalesce(getattr(ContentTotal, kind), 0)
        - (func.coalesce(subtracted.c[kind], 0) if subtracted is not None else 0)
        + func.coalesce(counted.c[kind], 0)
        for kind in TYPES
    ]
    stmt = select(
        Kim.id.label("kim_id"),
        Kim.name_key,
        *(value.label(kind) for value, kind in zip(kinds, TYPES, strict=True)),
        (kinds[0] + kinds[1] + kinds[2] + kinds[3]).label("total"),
    ).outerjoin(ContentTotal, ContentTotal.kim_id == Kim.id)
    if subtracted is not None:
        stmt = stmt.outerjoin(subtracted, subtracted.c.kim_id == Kim.id)
    return (
        stmt.outerjoin(counted, counted.c.kim_id == Kim.id)
        .where(Kim.status == STATUS_ACTIVE, *where)
        .subquery("totals")
    )


def _ranking(
    until: date,
    where: Iterable[ColumnElement[bool]],
    limit: int,
    offset: int = 0,
    *,
    later: bool,
) -> Select[tuple]:  # type: ignore[type-arg]
    """One page of the ranking. The ranks and the order are computed on the totals alone; only
    the page's rows are then joined to the KIM and where it lies."""
    totals = _totals(until, where, later)
    ranked = (
        select(func.rank().over(order_by=totals.c.total.desc()).label("rank"), totals)
        .where(totals.c.total > 0)
        .subquery("ranked")
    )
    # the rank is shared by equal totals (1, 2, 2, 4): the tie-break orders the list, it does not
    # make one KIM rank above another
    page = (
        select(ranked)
        .order_by(*_ranking_order(ranked.c))
        .limit(limit)
        .offset(offset)
        .subquery("page")
    )
    return _located_page(page, page.c.rank)


def _ranking_order(columns: Any) -> tuple[ColumnElement[Any], ...]:
    """The ranking's order over a totals row's columns: by total, then berita, then name
    (DESIGN.md §4), then the id, so that a page never shifts."""
    return (columns.total.desc(), columns.berita.desc(), columns.name_key, columns.kim_id)


def _located_page(page: Subquery, lead: ColumnElement[Any]) -> Select[tuple]:  # type: ignore[type-arg]
    """A page of totals rows joined to their KIM and where it lies, in the ranking's order: `lead`
    (the rank or the total), the KIM, its desa and kecamatan, then the counts per type."""
    return located(
        select(
            lead,
            Kim.id,
            Kim.name,
            places.Desa.display_name,
            places.Kecamatan.display_name,
            *(page.c[kind] for kind in TYPES),
        )
        .select_from(page)
        .join(Kim, Kim.id == page.c.kim_id)
    ).order_by(*_ranking_order(page.c))


def _count(until: date, where: Iterable[ColumnElement[bool]], later: bool) -> int:
    totals = _totals(until, where, later)
    stmt = select(func.count()).select_from(totals).where(totals.c.total > 0)
    return int(db.session.scalar(stmt) or 0)


def leaderboard(
    user: User | None,
    until: date | None = None,
    kecamatan_code: str | None = None,
    page: int = 1,
    per_page: int = 25,
) -> Page[LeaderboardRow]:
    """One page of the ranking of active KIMs with at least one upload up to `until` (default
    today), within the user's region scope (no user: every KIM, for the CLI). Ranks are
    positions within the filtered list; KIMs with equal totals share one (1, 2, 2, 4). Two
    queries: the count, and the page."""
    require(user, VIEW)
    until = until or office_today()
    where: list[ColumnElement[bool]] = []
    if user is not None:
        where.append(user_scope_filter(Kim.desa_code, user))
    if kecamatan_code:
        where.append(scope_filter(Kim.desa_code, [kecamatan_code]))
    later = _posted_after(until)
    total = _count(until, where, later)
    number = clamped_page(page, total, per_page)
    rows = db.session.execute(
        _ranking(until, where, per_page, (number - 1) * per_page, later=later)
    )
    return Page(
        items=[_row(found) for found in rows], number=number, per_page=per_page, total=total
    )


def _adjusted(until: date, later: bool) -> Any:
    """The KIMs whose total up to `until` is not their maintained total alone: those with posts
    dated after `until`, and those with per-period totals of a period ended by `until` (a
    superset of those whose totals are usable: the others are computed in full, to the same
    numbers)."""
    counted = (
        select(ContentCount.kim_id)
        .join(Period, Period.id == ContentCount.period_id)
        .where(Period.end_date <= until)
    )
    if not later:
        return counted
    return select(ContentPost.kim_id).where(ContentPost.posted_on > until).union(counted)


def _first(until: date, where: list[ColumnElement[bool]], count: int) -> Select[tuple]:  # type: ignore[type-arg]
    """The first `count` rows of the ranking, without ranking every KIM: the KIMs whose total
    is their maintained total are read from the index `ix_content_total_rank`, largest first
    (a handful of rows); the few KIMs with later posts or period totals are computed in full by
    `_totals`; the two are merged, ordered as the ranking orders, and only the `count` shown
    are joined to where they lie."""
    later = _posted_after(until)
    adjusted = _adjusted(until, later)
    stored_total = ContentTotal.total()
    order = (stored_total.desc(), ContentTotal.berita.desc(), Kim.name_key, Kim.id)
    plain = (
        select(
            Kim.id.label("kim_id"),
            Kim.name_key,
            *(getattr(ContentTotal, kind).label(kind) for kind in TYPES),
            stored_total.label("total"),
        )
        .select_from(ContentTotal)
        .join(Kim, Kim.id == ContentTotal.kim_id)
        .where(
            stored_total > 0,
            Kim.status == STATUS_ACTIVE,
            ContentTotal.kim_id.not_in(adjusted),
            *where,
        )
        .order_by(*order)
        .limit(count)
    )
    totals = _totals(until, [*where, Kim.id.in_(adjusted)], later)
    computed = (
        select(totals).where(totals.c.total > 0).order_by(*_ranking_order(totals.c)).limit(count)
    )
    both = union_all(plain.subquery().select(), computed.subquery().select()).subquery("both")
    page = select(both).order_by(*_ranking_order(both.c)).limit(count).subquery("page")
    return _located_page(page, page.c.total)


def top(user: User | None, until: date, count: int) -> list[LeaderboardRow]:
    """The first `count` rows of the ranking in the user's scope (one query, no total: the
    dashboard's Top Konten): the same rows, numbers and ranks as `leaderboard`'s first page.
    A rank is 1 + the number of KIMs with a larger total, and every such KIM comes earlier in
    the ranking's order, so the first rows' ranks follow from their totals alone."""
    require(user, VIEW)
    where = [user_scope_filter(Kim.desa_code, user)] if user is not None else []
    rows: list[LeaderboardRow] = []
    rank, previous = 0, None
    for place, (total, *found) in enumerate(db.session.execute(_first(until, where, count)), 1):
        if total != previous:
            rank, previous = place, total
        rows.append(_row((rank, *found)))
    return rows


def _row(found: Any) -> LeaderboardRow:
    rank, kim_id, name, desa, kecamatan, berita, galeri, pengumuman, agenda = found
    return LeaderboardRow(
        rank=int(rank),
        kim_id=kim_id,
        name=name,
        desa=desa,
        kecamatan=kecamatan,
        berita=int(berita or 0),
        galeri=int(galeri or 0),
        pengumuman=int(pengumuman or 0),
        agenda=int(agenda or 0),
    )


@dataclass
class LeaderboardView:
    page: Page[LeaderboardRow]
    until: date
    kecamatan_code: str | None
    kecamatan_name: str | None
    kecamatan_options: list[tuple[str, str]]
    scope_names: list[str]  # the user's regions: the ranking compares KIMs within them only


def leaderboard_page(
    user: User,
    until: date,
    kecamatan_code: str | None = None,
    page: int = 1,
    per_page: int = 25,
) -> LeaderboardView:
    """The Top Konten page: the ranking and the kecamatan the user may narrow it to. A kecamatan
    outside the user's choices is ignored rather than revealed."""
    require(user, VIEW)
    options = kecamatan_choices(user)
    names = dict(options)
    if kecamatan_code not in names:
        kecamatan_code = None
    return LeaderboardView(
        page=leaderboard(user, until, kecamatan_code, page, per_page),
        until=until,
        kecamatan_code=kecamatan_code,
        kecamatan_name=names.get(kecamatan_code) if kecamatan_code else None,
        kecamatan_options=options,
        scope_names=[scope.region.display_name for scope in user.scopes],
    )


def kecamatan_choices(user: User | None) -> list[tuple[str, str]]:
    """(code, name) of the kecamatan the user may filter on, by name."""
    shown = Region.display_name
    stmt = select(Region.code, shown).where(Region.level == LEVEL_KECAMATAN)
    if user is not None:
        # a kecamatan is offered when it lies in the scope or encloses part of it
        codes = user.scope_codes
        stmt = stmt.where(
            or_(
                user_scope_filter(Region.code, user),
                *(Region.code == ".".join(c.split(".")[:3]) for c in codes if c.count(".") > 2),
            )
        )
    return [(code, name) for code, name in db.session.execute(stmt.order_by(shown))]


def find_kecamatan(name: str) -> str:
    """The code of the kecamatan called `name` (any case and spacing, "Kec." prefix allowed)."""
    wanted = kecamatan_key(name)
    rows = db.session.execute(
        select(Region.code, Region.name, Region.tidy_name).where(Region.level == LEVEL_KECAMATAN)
    )
    found = [
        (code, tidy or official)
        for code, official, tidy in rows
        if wanted in (kecamatan_key(official), kecamatan_key(tidy or ""))
    ]
    if not wanted or not found:
        raise LeaderboardError(f"Kecamatan '{name}' tidak ditemukan.")
    if len(found) > 1:
        listed = ", ".join(f"{code} {shown}" for code, shown in found)
        raise LeaderboardError(
            f"Nama kecamatan '{name}' ada di lebih dari satu kabupaten: {listed}."
        )
    return found[0][0]
