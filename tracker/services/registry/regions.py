"""The region tree: loading the Kemendagri code list, and browsing it with KIM counts.

Import is set-based: the codes already held are read in one query, the file is checked whole
(nothing is written when any row is refused), then the new rows go in with one bulk INSERT and the
renamed ones with one bulk UPDATE, so the national list (~91k rows) loads in seconds. Regions absent
from a file are left alone: KIMs and user scopes may still point at them.

Browsing shows what a user's scope allows (`region_visible_filter`: the scope subtrees and the
ancestors leading to them); KIM counts are restricted to the KIMs in scope and computed for all
children of a node in one GROUP BY on the prefix of the KIM's desa code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Select, case, func, insert, or_, select, update

from tracker.extensions import db
from tracker.io.regions_csv import (
    CODE_HELP,
    ParsedRegions,
    RegionFileError,
    is_code,
    parse_regions,
    read_source,
)
from tracker.io.tabular import Problem
from tracker.models.kim import STATUS_ACTIVE, Kim
from tracker.models.region import LEVEL_DESA, Region
from tracker.models.user import User
from tracker.services.common import audit_writer
from tracker.services.common.errors import NotFound
from tracker.services.common.pagination import Page, paginate
from tracker.services.common.permissions import MANAGE_REGIONS, VIEW, require
from tracker.services.common.scope import (
    region_visible_filter,
    scope_filter,
    user_scope_filter,
    user_sees_code,
)
from tracker.services.common.unit_of_work import transaction

DATA_DIR = Path(__file__).resolve().parents[2] / "data"
BUNDLED_NAME = "wilayah-indonesia.csv"
# The demo district's slice of the same list (35.08 with its province row), shipped alongside.
LUMAJANG_PATH = DATA_DIR / "wilayah-lumajang.csv"
# Length of a code at each level: 35 / 35.08 / 35.08.09 / 35.08.09.2001 (fixed-width parts).
CODE_LENGTH = {1: 2, 2: 5, 3: 8, 4: 13}


class RegionNotFoundError(NotFound):
    """No such region, or one outside the user's visible regions (the same to him)."""


# --------------------------------------------------------------------------------------- import


@dataclass
class ImportReport:
    filename: str
    only: str | None = None
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[Problem] = field(default_factory=list)
    error: str | None = None  # the file as a whole was refused

    @property
    def ok(self) -> bool:
        return self.error is None and not self.problems

    @property
    def summary(self) -> str:
        return f"{self.created} baru, {self.updated} diubah, {self.unchanged} tetap"


def bundled_path() -> Path:
    """The shipped national list (a compressed copy is used when that is what ships)."""
    plain = DATA_DIR / BUNDLED_NAME
    return plain if plain.exists() else DATA_DIR / (BUNDLED_NAME + ".gz")


def import_file(
    path: str | Path, actor: User | None = None, only: str | None = None
) -> ImportReport:
    """`flask region import FILE`: read the file (plain or .gz) and import it."""
    try:
        data = read_source(path)
    except RegionFileError as exc:
        return ImportReport(filename=Path(path).name, only=only, error=str(exc))
    return import_regions(data, Path(path).name, actor, only)


def import_bundled(actor: User | None = None, only: str | None = None) -> ImportReport:
    """The shipped Kepmendagri list, offline: an office loads its kabupaten with `only`."""
    return import_file(bundled_path(), actor, only)


def _existing(only: str | None) -> dict[str, tuple[str, str | None, str | None]]:
    stmt = select(Region.code, Region.name, Region.kind, Region.tidy_name)
    if only is not None:
        parts = only.split(".")
        ancestors = [".".join(parts[:i]) for i in range(1, len(parts))]
        stmt = stmt.where(or_(scope_filter(Region.code, [only]), Region.code.in_(ancestors)))
    return {code: (name, kind, tidy) for code, name, kind, tidy in db.session.execute(stmt)}


def import_regions(
    data: bytes,
    filename: str,
    actor: User | None = None,
    only: str | None = None,
) -> ImportReport:
    """Create new regions and rename changed ones; all-or-nothing.

    `actor=None` is the operator on the command line. Running the same file twice changes nothing
    (the second report says 0 baru, 0 diubah). Inside a caller's transaction (the demo seed loads
    regions, KIMs and activity as one unit) the caller commits.
    """
    require(actor, MANAGE_REGIONS)
    only = only.strip() if only else None
    report = ImportReport(filename=filename, only=only)
    if only is not None and not is_code(only):
        report.error = f"Kode --only '{only}' tidak valid ({CODE_HELP})."
        return report
    existing = _existing(only)
    try:
        parsed: ParsedRegions = parse_regions(data, filename, only=only, existing=existing)
    except RegionFileError as exc:
        report.error = str(exc)
        return report
    if parsed.problems:
        report.problems = parsed.problems
        return report

    new_rows: list[dict[str, object]] = []
    changed: list[dict[str, object]] = []
    renamed: dict[str, list[str]] = {}
    for row in parsed.rows:
        values = (row.name, row.kind, row.tidy_name)
        before = existing.get(row.code)
        if before is None:
            new_rows.append(
                {
                    "code": row.code,
                    "name": row.name,
                    "level": row.level,
                    "kind": row.kind,
                    "parent_code": row.parent_code,
                    "tidy_name": row.tidy_name,
                }
            )
        elif before != values:
            changed.append(
                {"code": row.code, "name": row.name, "kind": row.kind, "tidy_name": row.tidy_name}
            )
            if before[0] != row.name and len(renamed) < 50:
                renamed[row.code] = [before[0], row.name]
    report.created, report.updated = len(new_rows), len(changed)
    report.unchanged = len(parsed.rows) - len(new_rows) - len(changed)

    with transaction():
        if new_rows:
            # file order: a parent is in the database or on an earlier row (the parser saw to
            # it), so every foreign key holds row by row
            # Core executemany on the table: the ORM bulk path would split the batch wherever
            # a column switches between NULL and a value (kind is NULL on kecamatan rows)
            db.session.execute(insert(Region.__table__), new_rows)
        if changed:
            db.session.execute(update(Region), changed)
        audit_writer.record(
            "region.import",
            "region",
            only,
            actor,
            params={
                "file": filename,
                **({"region": only} if only else {}),
                "created": report.created,
                "updated": report.updated,
                "unchanged": report.unchanged,
            },
            changes={f"{code}.name": names for code, names in renamed.items()},
            message="region.import.only" if only else None,
            region=only,
        )
    return report


# --------------------------------------------------------------------------------------- browse


@dataclass
class RegionCount:
    region: Region
    total: int = 0  # KIMs in the whole subtree (within the user's scope)
    active: int = 0
    children: int = 0  # sub-regions visible to the user


@dataclass
class BrowseView:
    node: Region | None  # None: the list of the user's scope roots
    breadcrumbs: list[Region]  # root first, the node's parent last
    rows: list[RegionCount]  # the children of the node (or the scope roots)
    total: int = 0
    active: int = 0
    # the node lies above the user's scope: its children and counts cover only that scope
    partial: bool = False


def _kim_counts(user: User, prefixes: list[str], length: int) -> dict[str, tuple[int, int]]:
    """{code: (total, active)} for regions whose codes are `length` long, in one GROUP BY.

    A desa code starts with the codes of all its ancestors, so grouping the KIMs by the first
    `length` characters of their desa code counts whole subtrees without walking the tree.
    """
    if not prefixes:
        return {}
    key = func.substr(Kim.desa_code, 1, length)
    stmt = (
        select(
            key,
            func.count(),
            func.coalesce(func.sum(case((Kim.status == STATUS_ACTIVE, 1), else_=0)), 0),
        )
        .where(scope_filter(Kim.desa_code, prefixes), user_scope_filter(Kim.desa_code, user))
        .group_by(key)
    )
    return {code: (int(total), int(active)) for code, total, active in db.session.execute(stmt)}


def _child_counts(user: User, codes: list[str]) -> dict[str, int]:
    if not codes:
        return {}
    stmt = (
        select(Region.parent_code, func.count())
        .where(Region.parent_code.in_(codes), region_visible_filter(Region.code, user))
        .group_by(Region.parent_code)
    )
    return {code: int(n) for code, n in db.session.execute(stmt)}


def _with_counts(user: User, regions: list[Region], parent: Region | None) -> list[RegionCount]:
    counts: dict[str, tuple[int, int]] = {}
    for length in sorted({len(r.code) for r in regions}):
        prefixes = [parent.code] if parent is not None else [r.code for r in regions]
        counts.update(_kim_counts(user, prefixes, length))
    children = _child_counts(user, [r.code for r in regions if r.level < LEVEL_DESA])
    return [
        RegionCount(r, *counts.get(r.code, (0, 0)), children=children.get(r.code, 0))
        for r in regions
    ]


def _ancestor_codes(code: str) -> list[str]:
    parts = code.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts))]


def browse(user: User, code: str | None = None) -> BrowseView:
    """One node of the tree with its children and their KIM counts (a handful of queries).

    Without a code the user starts at his scope roots; with a single root that root is shown.
    """
    require(user, VIEW)
    visible = region_visible_filter(Region.code, user)
    if code is None:
        roots = list(
            db.session.scalars(
                select(Region).where(Region.code.in_(user.scope_codes)).order_by(Region.code)
            )
        )
        if len(roots) == 1:
            return browse(user, roots[0].code)
        rows = _with_counts(user, roots, None)
        return BrowseView(
            node=None,
            breadcrumbs=[],
            rows=rows,
            total=sum(r.total for r in rows),
            active=sum(r.active for r in rows),
        )
    node = db.session.scalar(select(Region).where(Region.code == code, visible))
    if node is None:
        raise RegionNotFoundError()
    crumbs = list(
        db.session.scalars(
            select(Region)
            .where(Region.code.in_(_ancestor_codes(node.code)), visible)
            .order_by(Region.level)
        )
    )
    children = list(
        db.session.scalars(
            select(Region).where(Region.parent_code == node.code, visible).order_by(Region.code)
        )
    )
    if node.level == LEVEL_DESA:
        total, active = _kim_counts(user, [node.code], CODE_LENGTH[LEVEL_DESA]).get(
            node.code, (0, 0)
        )
        return BrowseView(node=node, breadcrumbs=crumbs, rows=[], total=total, active=active)
    rows = _with_counts(user, children, node)
    return BrowseView(
        node=node,
        breadcrumbs=crumbs,
        rows=rows,
        total=sum(r.total for r in rows),
        active=sum(r.active for r in rows),
        partial=not user_sees_code(user, node.code),
    )


# --------------------------------------------------------------------------------------- search


@dataclass
class SearchResult:
    page: Page[Region]
    paths: dict[str, str]  # code -> "Tekung › Kabupaten Lumajang", the region's ancestors
    query: str


_LIKE_SPECIAL = re.compile(r"([\\%_])")


def _matching(stmt: Select[Any], text: str) -> Select[Any]:
    """Regions whose name contains `text`, or whose code starts with it when it reads as one."""
    if re.fullmatch(r"\d{2}(\.\d+)*\.?", text):
        return stmt.where(Region.code.like(_LIKE_SPECIAL.sub(r"\\\1", text) + "%", escape="\\"))
    pattern = "%" + _LIKE_SPECIAL.sub(r"\\\1", text.lower()) + "%"
    return stmt.where(func.lower(Region.name).like(pattern, escape="\\"))


def search(user: User, query: str, page: int = 1, per_page: int = 25) -> SearchResult:
    """Regions whose name contains the query (or whose code starts with it), within what the
    user may see; each result carries its path so two desa of one name can be told apart."""
    require(user, VIEW)
    text = " ".join(query.split())
    visible = region_visible_filter(Region.code, user)
    stmt = _matching(select(Region).where(visible), text)
    stmt = stmt.order_by(Region.level, Region.name, Region.code)
    result = paginate(stmt, page, per_page)
    ancestors = {a for r in result.items for a in _ancestor_codes(r.code)}
    names = dict(
        db.session.execute(
            select(Region.code, Region.display_name).where(Region.code.in_(ancestors))
        ).all()
    )
    paths = {
        r.code: " › ".join(names.get(a, a) for a in reversed(_ancestor_codes(r.code)))
        for r in result.items
    }
    return SearchResult(page=result, paths=paths, query=text)


# --- the region list as plain data (the JSON API) --------------------------------------------


@dataclass(frozen=True)
class RegionFilter:
    """What the API's region list is narrowed by: the children of `parent`, one `level`, and
    the search of the browse page (`q`: a name fragment or the start of a code)."""

    parent: str = ""
    level: int | None = None
    q: str = ""


def region_page(user: User, flt: RegionFilter, page: int, per_page: int) -> Page[Region]:
    """The regions a user may browse (his scope's subtrees and the ancestors leading to them),
    by code: two queries whatever their number."""
    require(user, VIEW)
    stmt = select(Region).where(region_visible_filter(Region.code, user))
    if flt.parent:
        stmt = stmt.where(Region.parent_code == flt.parent)
    if flt.level is not None:
        stmt = stmt.where(Region.level == flt.level)
    text = " ".join(flt.q.split())
    if text:
        stmt = _matching(stmt, text)
    return paginate(stmt.order_by(Region.code), page, per_page)
