"""Reading stored assessments: the period overview, one KIM's breakdown and roadmap, the export.

Everything is restricted to the viewer's region scope inside the query (no user: the CLI, every
KIM). Each page is a fixed number of grouped queries whatever the number of KIMs; tier orders and
movers are computed by the database with the framework's tier names turned into ranks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import (
    ColumnElement,
    Select,
    case,
    exists,
    false,
    func,
    or_,
    select,
    true,
    union_all,
)
from sqlalchemy.orm import aliased

from tracker.extensions import db
from tracker.io.tabular import FORMATS
from tracker.models import Assessment, Kim, Letter, Period
from tracker.models import Framework as FrameworkRow
from tracker.models.assessment import TIERS
from tracker.models.letters import LETTER_ISSUED
from tracker.models.user import User
from tracker.scoring.engine import AssessmentResult, fmt_bound, fmt_score
from tracker.scoring.framework import Framework, load_framework
from tracker.scoring.holdbacks import Holdback, holdbacks
from tracker.scoring.roadmap import GOAL_KEEP, Roadmap, RoadmapStep, roadmap
from tracker.services.activity.verification import EntryInfo, kim_entries
from tracker.services.assessment.freshness import (
    Freshness,
    KimFreshness,
    changed_clause,
    kim_freshness,
    period_freshness,
    revision_join,
)
from tracker.services.assessment.runner import (
    AssessmentError,
    framework_for_period,
    previous_period,
    resolve_period,
)
from tracker.services.assessment.sources import Origin, origin
from tracker.services.assessment.topic_hints import topic_hints
from tracker.services.common.exports import ExportFile, export_file
from tracker.services.common.pagination import Page, paginate, paginate_rows
from tracker.services.common.permissions import VIEW, require
from tracker.services.common.scope import user_scope_filter
from tracker.services.common.sorting import SortKeys
from tracker.services.registry import places
from tracker.services.registry.kims import KimNotFoundError
from tracker.services.registry.places import located
from tracker.services.rules import frameworks
from tracker.text import fold

MOVERS_SHOWN = 10


def _scope(user: User | None) -> ColumnElement[bool]:
    return true() if user is None else user_scope_filter(Kim.desa_code, user)


def _tier_rank(column: Any, names: tuple[str, ...]) -> ColumnElement[int]:
    return case({name: i for i, name in enumerate(names)}, value=column, else_=-1)


# ------------------------------------------------------------------------------ period overview


@dataclass(frozen=True)
class KecamatanRow:
    code: str
    name: str
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True)
class Mover:
    kim_id: int
    name: str
    desa: str
    before: str
    after: str
    score: float


@dataclass(frozen=True)
class KimRow:
    kim_id: int
    name: str
    desa: str
    kecamatan: str
    score: float
    raw_tier: str
    tier: str
    holdbacks: tuple[Holdback, ...] = ()  # failed gates or tier conditions, for the badges
    changed: bool = False  # its data changed since the run (freshness.changed_clause)
    dimension_scores: dict[str, float] = field(default_factory=dict)  # the breakdown, by code


MOVEMENTS = ("naik", "turun")


SORT_NAMES = ("skor", "nama", "desa", "kecamatan", "jenjang")
SORT_DEFAULT = "-skor"


def sort_keys(names: tuple[str, ...]) -> SortKeys:
    """The overview's sort keys; the tier sorts in the framework's tier order, not by name.

    Built on use: the region aliases configure every mapper, which start-up must not do (the
    API reads SORT_NAMES at import)."""
    columns = (
        Assessment.score,
        Kim.name_key,
        places.Desa.display_name,
        places.Kecamatan.display_name,
        _tier_rank(Assessment.tier, names),
    )
    return SortKeys(dict(zip(SORT_NAMES, columns, strict=True)), default=SORT_DEFAULT)


@dataclass(frozen=True)
class OverviewFilter:
    """What the overview's KIM list is narrowed by (query arguments of /penilaian/<code>)."""

    q: str = ""
    tier: str = ""  # one of the framework's tier names
    kecamatan: str = ""  # a kecamatan code
    gate_failed: bool = False  # "syarat dasar belum terpenuhi"
    movement: str = ""  # naik / turun since the previous period
    sort: str = "-skor"
    from_period: str = ""  # with from_tier: the KIMs whose tier in that period was from_tier
    from_tier: str = ""  # (a cell of the dashboard's transition matrix)
    letter_missing: bool = False  # no issued letter for the period yet

    def normalized(self, names: tuple[str, ...]) -> OverviewFilter:
        """Unknown values fall back to no filter (and the default order)."""
        from_tier = self.from_tier if self.from_tier in names else ""
        return OverviewFilter(
            q=self.q.strip(),
            tier=self.tier if self.tier in names else "",
            kecamatan=self.kecamatan.strip(),
            gate_failed=self.gate_failed,
            movement=self.movement if self.movement in MOVEMENTS else "",
            sort=sort_keys(names).normalized(self.sort),
            from_period=self.from_period.strip()[:10] if from_tier else "",
            from_tier=from_tier if self.from_period.strip() else "",
            letter_missing=self.letter_missing,
        )

    @property
    def narrowed(self) -> bool:
        return bool(
            self.q
            or self.tier
            or self.kecamatan
            or self.gate_failed
            or self.movement
            or self.from_tier
            or self.letter_missing
        )


@dataclass
class PeriodOverview:
    period: Period
    framework: FrameworkRow | None
    tier_names: tuple[str, ...]
    tier_counts: dict[str, int]
    kecamatan_rows: list[KecamatanRow]
    previous: Period | None
    movers_up: list[Mover]
    movers_down: list[Mover]
    moved_up: int
    moved_down: int
    kims: Page[KimRow]
    filter: OverviewFilter = OverviewFilter()
    computed_at: datetime | None = None
    active_version: int | None = None
    stale_framework: bool = False
    freshness: Freshness | None = None

    @property
    def q(self) -> str:
        return self.filter.q

    @property
    def sort(self) -> str:
        return self.filter.sort

    @property
    def kecamatan_options(self) -> list[tuple[str, str]]:
        """The kecamatan with results in the viewer's scope, to filter the list on."""
        return [(row.code, row.name) for row in self.kecamatan_rows]

    @property
    def assessed(self) -> int:
        return sum(self.tier_counts.values())


def _located(stmt: Select[Any]) -> Select[Any]:
    """An assessment statement joined to its KIM and where the KIM lies."""
    return located(stmt.join(Kim, Kim.id == Assessment.kim_id))


def kecamatan_tiers(
    period_id: int,
    framework_id: int,
    in_scope: ColumnElement[bool],
    names: tuple[str, ...],
    prior: tuple[int, int] | None = None,
) -> tuple[list[KecamatanRow], int, int]:
    """The period's tier counts per kecamatan for the KIMs `in_scope` (a predicate on Kim), in
    the order of the kecamatan's names; the period overview's table and the dashboard's. With
    `prior` (the previous period's id and its framework's), also how many KIMs in scope went up
    and down a tier since, as `movers_between` counts them, from the same grouped query: one
    pass over the period's results instead of a second one for the counts. A KIM whose desa has
    no kecamatan above it counts among the movers (as there) and not in the table (as ever)."""
    columns: list[Any] = [
        places.Kecamatan.code,
        places.Kecamatan.display_name,
        Assessment.tier,
    ]
    if prior is not None:
        step = _step(names)
        columns.append(case((_prior().kim_id.is_(None), 0), (step > 0, 1), (step < 0, -1), else_=0))
    stmt = located(
        select(*columns, func.count())
        .select_from(Assessment)
        .join(Kim, Kim.id == Assessment.kim_id)
        .where(
            Assessment.period_id == period_id, Assessment.framework_id == framework_id, in_scope
        ),
        kecamatan_optional=True,
    )
    if prior is not None:
        stmt = stmt.outerjoin(
            _prior(),
            (_prior().kim_id == Assessment.kim_id)
            & (_prior().period_id == prior[0])
            & (_prior().framework_id == prior[1]),
        )
    stmt = stmt.group_by(*columns)
    rows: dict[str, KecamatanRow] = {}
    moved = {1: 0, -1: 0, 0: 0}
    for found in db.session.execute(stmt):
        code, name, tier = found[0], found[1], found[2]
        n = found[-1]
        if prior is not None:
            moved[found[3]] += n
        if code is None:
            continue  # no kecamatan above its desa: not in the table
        row = rows.setdefault(code, KecamatanRow(code, name, dict.fromkeys(names, 0)))
        row.counts[tier] = row.counts.get(tier, 0) + n
    return sorted(rows.values(), key=lambda r: (fold(r.name), r.code)), moved[1], moved[-1]


@cache
def _prior() -> Any:
    """The previous period's result of the same KIM (one alias, made on first use: making it
    configures every mapper, which a process that never queries should not pay for)."""
    return aliased(Assessment, name="prior")


def _with_prior(stmt: Select[Any], before_id: int, source_id: int) -> Select[Any]:
    """An assessment statement joined to the same KIM's result of the previous period (`_prior()`),
    under the framework that stands for that period."""
    return stmt.join(
        _prior(),
        (_prior().kim_id == Assessment.kim_id)
        & (_prior().period_id == before_id)
        & (_prior().framework_id == source_id),
    )


def _step(names: tuple[str, ...]) -> ColumnElement[int]:
    """Tiers moved since the previous period (> 0 up, < 0 down)."""
    return _tier_rank(Assessment.tier, names) - _tier_rank(_prior().tier, names)


def movers_between(
    period_id: int,
    framework_id: int,
    before_id: int,
    before_framework_id: int,
    in_scope: ColumnElement[bool],
    names: tuple[str, ...],
    shown: int = MOVERS_SHOWN,
    *,
    counted: bool = True,
) -> tuple[list[Mover], list[Mover], int, int]:
    """KIMs whose assigned tier went up or down between two assessed periods (each under the
    framework that stands for it): the first `shown` each way, the biggest steps first (then the
    higher score going up, the lower going down, then the name), and how many moved each way
    (with `counted`; otherwise 0 and 0, for a caller that counts them itself).

    One query for the rows: each direction ordered and cut to `shown` on its own (a bounded
    sort, nothing numbered over every moved KIM), and only the rows shown joined to their desa;
    one more for the counts."""
    step = _step(names)

    def direction(up: bool) -> Any:
        return (
            _with_prior(
                select(
                    Assessment.kim_id.label("kim_id"),
                    _prior().tier.label("was"),
                    Assessment.tier.label("now"),
                    Assessment.score.label("score"),
                    (true() if up else false()).label("up"),
                    func.abs(step).label("size"),
                ).select_from(Assessment),
                before_id,
                before_framework_id,
            )
            .join(Kim, Kim.id == Assessment.kim_id)
            .where(
                Assessment.period_id == period_id,
                Assessment.framework_id == framework_id,
                in_scope,
                step > 0 if up else step < 0,
            )
            .order_by(
                func.abs(step).desc(),
                -Assessment.score if up else Assessment.score,
                Kim.name_key,
                Kim.id,
            )
            .limit(shown)
            .subquery()
        )

    moved = union_all(
        *(select(*branch.c) for branch in (direction(True), direction(False)))
    ).subquery("moved")
    rows = db.session.execute(
        located(
            select(
                moved.c.kim_id,
                Kim.name,
                places.Desa.display_name,
                moved.c.was,
                moved.c.now,
                moved.c.score,
                moved.c.up,
            )
            .select_from(moved)
            .join(Kim, Kim.id == moved.c.kim_id)
        ).order_by(
            moved.c.up.desc(),
            moved.c.size.desc(),
            case((moved.c.up, -moved.c.score), else_=moved.c.score),
            Kim.name_key,
            Kim.id,
        )
    ).all()
    ups = [Mover(r.kim_id, r.name, r[2], r.was, r.now, float(r.score)) for r in rows if r.up]
    downs = [Mover(r.kim_id, r.name, r[2], r.was, r.now, float(r.score)) for r in rows if not r.up]
    up_count = down_count = 0
    if counted:
        up = step > 0
        for went_up, n in db.session.execute(
            _with_prior(
                select(up, func.count()).select_from(Assessment), before_id, before_framework_id
            )
            .join(Kim, Kim.id == Assessment.kim_id)
            .where(
                Assessment.period_id == period_id,
                Assessment.framework_id == framework_id,
                in_scope,
                step != 0,
            )
            .group_by(up)
        ):
            if went_up:
                up_count = int(n)
            else:
                down_count = int(n)
    return ups, downs, up_count, down_count


def _movers(
    period: Period,
    fw: FrameworkRow,
    before: Period,
    source_id: int,
    user: User | None,
    names: tuple[str, ...],
) -> tuple[list[Mover], list[Mover], int, int]:
    """KIMs whose assigned tier went up or down since the previous period (the rows shown; the
    counts come with the tier counts, `kecamatan_tiers`)."""
    return movers_between(
        period.id, fw.id, before.id, source_id, _scope(user), names, counted=False
    )


def _gate_failed(fw: Framework) -> ColumnElement[bool]:
    """A stored result with a gate not "ya" (read from its indicators JSON; a gate absent from
    it counts as not "ya", as in the engine)."""
    return or_(
        *(
            func.coalesce(Assessment.indicators[(code, "passed")].as_boolean(), false()) == false()
            for code in fw.gates
        )
    )


def _kim_page(
    period: Period,
    fw_row: FrameworkRow,
    fw: Framework,
    user: User | None,
    flt: OverviewFilter,
    prior: tuple[int, int] | None,
    page: int,
    per_page: int,
    total: int | None = None,
) -> Page[KimRow]:
    """One page of the period's results, filtered and sorted; `prior` is (previous period id,
    its framework id) when the previous period was assessed; `total` the number of results the
    filter leaves when the caller knows it (the unfiltered list: the tier counts' sum), else
    counted.

    Two steps: the page's results are chosen and ordered by their ids alone (the sort carries
    no JSON of the results not shown), then those rows are read with their breakdown and
    whether their data changed."""
    stmt = _located(
        select(Assessment.id)
        .select_from(Assessment)
        .where(
            Assessment.period_id == period.id,
            Assessment.framework_id == fw_row.id,
            _scope(user),
        )
    )
    if flt.q:
        needle = fold(flt.q)
        stmt = stmt.where(
            or_(
                Kim.name_key.contains(needle, autoescape=True),
                func.lower(places.Desa.name).contains(needle, autoescape=True),
                func.lower(places.Kecamatan.name).contains(needle, autoescape=True),
            )
        )
    if flt.tier:
        stmt = stmt.where(Assessment.tier == flt.tier)
    if flt.kecamatan:
        stmt = stmt.where(places.Kecamatan.code == flt.kecamatan)
    if flt.gate_failed:
        stmt = stmt.where(_gate_failed(fw))
    if flt.movement:
        if prior is None:
            stmt = stmt.where(false())  # nothing to compare with: nobody moved
        else:
            step = _step(fw.tier_names)
            stmt = _with_prior(stmt, *prior).where(step > 0 if flt.movement == "naik" else step < 0)
    if flt.from_tier:
        origin = db.session.scalar(select(Period).where(Period.code == flt.from_period))
        source = framework_for_period(origin.id, fw_row.id) if origin is not None else None
        if origin is None or source is None:
            stmt = stmt.where(false())  # that period was never assessed: nobody came from it
        else:
            earlier = aliased(Assessment, name="earlier")
            stmt = stmt.join(
                earlier,
                (earlier.kim_id == Assessment.kim_id)
                & (earlier.period_id == origin.id)
                & (earlier.framework_id == source.id),
            ).where(earlier.tier == flt.from_tier)
    if flt.letter_missing:
        stmt = stmt.where(
            ~exists().where(
                Letter.kim_id == Assessment.kim_id,
                Letter.period_id == period.id,
                Letter.status == LETTER_ISSUED,
            )
        )
    ordered = stmt.order_by(
        sort_keys(fw.tier_names).order_by(flt.sort),
        Assessment.score.desc(),
        Kim.name_key,
        Kim.id,
    )
    chosen = paginate(ordered, page, per_page, total=total)
    found_rows = (
        {
            found[0]: found[1:]
            for found in db.session.execute(
                revision_join(
                    _located(
                        select(
                            Assessment.id,
                            Kim.id,
                            Kim.name,
                            places.Desa.display_name,
                            places.Kecamatan.display_name,
                            Assessment.score,
                            Assessment.raw_tier,
                            Assessment.tier,
                            Assessment.indicators,
                            Assessment.dimension_scores,
                            changed_clause(),
                        )
                        .select_from(Assessment)
                        .where(Assessment.id.in_(chosen.items))
                    ),
                    period.id,
                )
            )
        }
        if chosen.items
        else {}
    )
    result = chosen.map(found_rows.__getitem__)

    def row(found: Any) -> KimRow:
        kim_id, name, desa, kecamatan, score, raw_tier, tier, indicators, dims, changed = found
        return KimRow(
            kim_id,
            name,
            desa,
            kecamatan,
            float(score),
            raw_tier,
            tier,
            tuple(holdbacks(fw, score, indicators or {}, dims or {})),
            bool(changed),
            dict(dims or {}),
        )

    return result.map(row)


def period_overview(
    user: User | None,
    code: str,
    flt: OverviewFilter | None = None,
    page: int = 1,
    per_page: int = 25,
) -> PeriodOverview:
    """Tier counts, the table per kecamatan, movers, whether the results are still fresh, and
    one page of KIMs (filtered and sorted by `flt`) for a period."""
    require(user, VIEW)
    period = resolve_period(code)
    fw_row = framework_for_period(period.id)
    active = frameworks.get_active()
    flt = flt or OverviewFilter()
    if fw_row is None:
        empty: Page[KimRow] = paginate_rows([], 1, per_page)
        names = load_framework(active.definition).tier_names if active else TIERS
        return PeriodOverview(
            period=period,
            framework=None,
            tier_names=names,
            tier_counts=dict.fromkeys(names, 0),
            kecamatan_rows=[],
            previous=previous_period(period),
            movers_up=[],
            movers_down=[],
            moved_up=0,
            moved_down=0,
            kims=empty,
            filter=flt.normalized(names),
            active_version=active.version if active else None,
            freshness=period_freshness(user, period, None),
        )
    fw = load_framework(fw_row.definition)
    names = fw.tier_names
    flt = flt.normalized(names)
    before = previous_period(period)
    source = framework_for_period(before.id, fw_row.id) if before is not None else None
    prior = (before.id, source.id) if before is not None and source is not None else None
    kecamatan_rows, moved_up, moved_down = kecamatan_tiers(
        period.id, fw_row.id, _scope(user), names, prior
    )
    tier_counts = dict.fromkeys(names, 0)
    for kec in kecamatan_rows:
        for tier, n in kec.counts.items():
            tier_counts[tier] = tier_counts.get(tier, 0) + n
    movers: tuple[list[Mover], list[Mover], int, int] = ([], [], 0, 0)
    if prior is not None and before is not None:
        movers = _movers(period, fw_row, before, prior[1], user, names)
        movers = (movers[0], movers[1], moved_up, moved_down)
    computed_at = db.session.scalar(
        select(func.max(Assessment.computed_at)).where(
            Assessment.period_id == period.id, Assessment.framework_id == fw_row.id
        )
    )
    return PeriodOverview(
        period=period,
        framework=fw_row,
        tier_names=names,
        tier_counts=tier_counts,
        kecamatan_rows=kecamatan_rows,
        previous=before,
        movers_up=movers[0],
        movers_down=movers[1],
        moved_up=movers[2],
        moved_down=movers[3],
        kims=_kim_page(
            period,
            fw_row,
            fw,
            user,
            flt,
            prior,
            page,
            per_page,
            None if flt.narrowed else sum(tier_counts.values()),
        ),
        filter=flt,
        computed_at=computed_at,
        active_version=active.version if active else None,
        stale_framework=active is not None and active.id != fw_row.id,
        freshness=period_freshness(user, period, fw_row.id),
    )


@dataclass
class PeriodResults:
    """One page of a period's results as plain data (the JSON API): the list of the overview
    without its counts and movers."""

    period: Period
    framework_version: int | None
    tier_names: tuple[str, ...]
    kims: Page[KimRow]


def period_results(
    user: User | None, code: str, flt: OverviewFilter, page: int, per_page: int
) -> PeriodResults:
    """The overview's KIM list, filtered and sorted the same way (`_kim_page`), and nothing
    else: a fixed number of queries whatever the number of KIMs."""
    require(user, VIEW)
    period = resolve_period(code)
    fw_row = framework_for_period(period.id)
    if fw_row is None:
        return PeriodResults(period, None, TIERS, paginate_rows([], 1, per_page))
    fw = load_framework(fw_row.definition)
    before = previous_period(period)
    source = framework_for_period(before.id, fw_row.id) if before is not None else None
    prior = (before.id, source.id) if before is not None and source is not None else None
    flt = flt.normalized(fw.tier_names)
    rows = _kim_page(period, fw_row, fw, user, flt, prior, page, per_page)
    return PeriodResults(period, fw_row.version, fw.tier_names, rows)


# ------------------------------------------------------------------------------ one KIM


@dataclass(frozen=True)
class IndicatorLine:
    code: str
    name: str
    unit: str
    weight: float
    gate: bool
    value: float | None
    score: float | None
    source: str | None
    missing: bool
    passed: bool | None
    origin: Origin  # where such a value comes from, what to do when it is missing


@dataclass(frozen=True)
class DimensionBlock:
    code: str
    name: str
    weight: float
    score: float | None
    indicators: list[IndicatorLine]


@dataclass(frozen=True)
class HistoryRow:
    period_code: str
    kind: str
    score: float
    raw_tier: str
    tier: str
    framework_version: int
    period_end: date | None = None


@dataclass(frozen=True)
class RegistryGates:
    """What the registry holds today behind K1 (SK number and date) and K2 (KIM.id number or
    site), shown beside those values: a result of a closed period was read from the registry as
    it was then."""

    sk_number: str | None
    sk_date: date | None
    kimid_number: str | None
    website: str | None


@dataclass
class KimAssessment:
    kim_id: int
    kim_name: str
    kimid_number: str | None
    desa: str
    kecamatan: str
    period: Period
    framework: FrameworkRow | None
    assessment: Assessment | None
    dimensions: list[DimensionBlock]
    gaps: list[IndicatorLine]  # the indicators with no data, each with what to do about it
    history: list[HistoryRow]
    roadmap: Roadmap | None
    # the KIM's manual values of the period: who entered and who verified each, and the ones
    # still submitted or rejected (which do not count)
    entries: dict[str, EntryInfo] = field(default_factory=dict)
    freshness: KimFreshness | None = None
    registry: RegistryGates | None = None


def _breakdown(fw: Framework, stored: Assessment) -> list[DimensionBlock]:
    blocks = []
    for dim in fw.dimensions:
        lines = []
        for code in dim.indicators:
            ind = fw.indicators[code]
            data = (stored.indicators or {}).get(code) or {}
            lines.append(
                IndicatorLine(
                    code=code,
                    name=ind.name,
                    unit=ind.unit,
                    weight=float(ind.weight),
                    gate=ind.is_gate,
                    value=data.get("value"),
                    score=data.get("score"),
                    source=data.get("source"),
                    missing=bool(data.get("missing", True)),
                    passed=data.get("passed"),
                    origin=origin(code),
                )
            )
        score = (stored.dimension_scores or {}).get(dim.code)
        blocks.append(
            DimensionBlock(
                dim.code,
                dim.name,
                float(dim.weight),
                None if score is None else float(score),
                lines,
            )
        )
    return blocks


def kim_history(kim_id: int) -> list[HistoryRow]:
    """One row per assessed period, oldest first, from the framework that stands for it (the
    caller has checked the KIM is in the reader's scope)."""
    active = frameworks.get_active()
    rows = db.session.execute(
        select(
            Period.id,
            Period.code,
            Period.kind,
            Assessment.score,
            Assessment.raw_tier,
            Assessment.tier,
            FrameworkRow.id,
            FrameworkRow.version,
            Period.end_date,
        )
        .join(Period, Period.id == Assessment.period_id)
        .join(FrameworkRow, FrameworkRow.id == Assessment.framework_id)
        .where(Assessment.kim_id == kim_id)
        .order_by(Period.start_date, Period.end_date, FrameworkRow.version.desc())
    ).all()
    chosen: dict[int, HistoryRow] = {}
    for period_id, code, kind, score, raw_tier, tier, fw_id, version, end in rows:
        line = HistoryRow(code, kind, float(score), raw_tier, tier, version, end)
        # rows of a period come newest version first: keep that one unless the active one follows
        if period_id not in chosen or (active is not None and fw_id == active.id):
            chosen[period_id] = line
    return list(chosen.values())


def stored_result(
    score: float,
    raw_tier: str,
    tier: str,
    reason: str,
    dimension_scores: dict[str, float] | None,
    indicators: dict[str, Any] | None,
    data_gaps: list[str] | None,
) -> AssessmentResult:
    """A stored assessment's columns back as the engine's result (for its roadmap)."""
    return AssessmentResult.from_json(
        {
            "score": score,
            "raw_tier": raw_tier,
            "tier": tier,
            "reason": reason,
            "dimension_scores": dimension_scores,
            "indicators": indicators,
            "data_gaps": data_gaps,
        }
    )


def kim_assessment(user: User | None, code: str, kim_id: int) -> KimAssessment:
    """A KIM's assessment for a period with its breakdown, history and roadmap (a KIM outside
    the viewer's scope is not found)."""
    require(user, VIEW)
    period = resolve_period(code)
    found = db.session.execute(
        located(
            select(
                Kim.id,
                Kim.name,
                Kim.kimid_number,
                places.Desa.display_name,
                places.Kecamatan.display_name,
                Kim.sk_number,
                Kim.sk_date,
                Kim.website,
            )
        ).where(Kim.id == kim_id, _scope(user))
    ).first()
    if found is None:
        raise KimNotFoundError()
    fw_row = framework_for_period(period.id)
    stored = None
    if fw_row is not None:
        stored = db.session.scalar(
            select(Assessment).where(
                Assessment.kim_id == kim_id,
                Assessment.period_id == period.id,
                Assessment.framework_id == fw_row.id,
            )
        )
    view = KimAssessment(
        kim_id=found[0],
        kim_name=found[1],
        kimid_number=found[2],
        desa=found[3],
        kecamatan=found[4],
        period=period,
        framework=fw_row,
        assessment=stored,
        dimensions=[],
        gaps=[],
        history=kim_history(kim_id),
        roadmap=None,
        entries=kim_entries(kim_id, period.id),
        freshness=kim_freshness(user, period, fw_row.id if fw_row else None, kim_id),
        registry=RegistryGates(
            sk_number=found[5], sk_date=found[6], kimid_number=found[2], website=found[7]
        ),
    )
    if stored is not None and fw_row is not None:
        fw = load_framework(fw_row.definition)
        view.dimensions = _breakdown(fw, stored)
        gaps = set(stored.data_gaps or ())
        view.gaps = [i for d in view.dimensions for i in d.indicators if i.code in gaps]
        result = stored_result(
            stored.score,
            stored.raw_tier,
            stored.tier,
            stored.reason,
            stored.dimension_scores,
            stored.indicators,
            stored.data_gaps,
        )
        view.roadmap = roadmap(fw, result, topic_hints(fw))
    return view


# ------------------------------------------------------------------------------ export


FIRST_STEPS = 3  # roadmap steps in the export, each with its training topic


def _step_text(step: RoadmapStep) -> str:
    """'W1 Berita per bulan: 1,33 → ≥ 4 berita/bulan (+10,50 poin)'; a gate: 'K2 …: ya'."""
    if step.gate:
        return f"{step.code} {step.name}: ya"
    now = "data belum ada" if step.current_value is None else fmt_score(step.current_value)
    sign = "≥" if step.higher_is_better else "≤"
    unit = f" {step.unit}" if step.unit else ""
    return (
        f"{step.code} {step.name}: {now} → {sign} {fmt_bound(step.target_value)}{unit} "
        f"(+{fmt_score(step.gain_points)} poin)"
    )


def _holdback_text(found: Holdback) -> str:
    """As the badges say it: 'K2 belum', 'W2 < 50 untuk Maju'."""
    if found.gate:
        return f"{found.code} belum"
    return f"{found.code} < {found.minimum} untuk {found.tier}"


def _plan_columns(fw: Framework, result: AssessmentResult, topics: dict[str, str]) -> list[str]:
    """Target tier, points missing, whether one period reaches it, then the first steps with
    their training topics (empty cells when the plan is shorter)."""
    plan = roadmap(fw, result, topics)
    if plan.target_tier is None:
        target = "—"
    elif plan.goal == GOAL_KEEP:
        target = f"tetap {plan.target_tier}"
    else:
        target = plan.target_tier
    cells = [
        target,
        fmt_score(plan.points_missing) if plan.target_tier else "",
        ("ya" if plan.reachable else "tidak") if plan.target_tier else "",
    ]
    for index in range(FIRST_STEPS):
        if index < len(plan.steps):
            step = plan.steps[index]
            cells += [_step_text(step), step.topic_hint]
        else:
            cells += ["", ""]
    return cells


def export_assessments(user: User | None, code: str, fmt: str) -> ExportFile:
    """The period's assessments as CSV or XLSX: one row per KIM, ordered by place and name,
    with what holds each KIM back and the first steps of its roadmap with their training topics
    (for a Kabid planning training).

    The roadmap is planned for every KIM below the top tier (at the top, on its own merit, there
    is nothing to plan) with one framework object for the whole file, so its compiled rules and
    caches serve every KIM; see bench/export.py for what a 10,000-KIM file costs."""
    require(user, VIEW)
    if fmt not in FORMATS:
        raise AssessmentError(
            _("Format .%(fmt)s tidak didukung; gunakan .csv atau .xlsx.", fmt=fmt or "?")
        )
    period = resolve_period(code)
    fw_row = framework_for_period(period.id)
    if fw_row is None:
        raise AssessmentError(
            _(
                "Periode %(code)s belum dinilai; jalankan penilaian terlebih dahulu.",
                code=period.code,
            )
        )
    fw = load_framework(fw_row.definition)
    topics = topic_hints(fw)
    headers = [
        "Nomor KIM.id",
        "KIM",
        "Desa",
        "Kecamatan",
        "Skor",
        *(f"Skor {d.code} {d.name}" for d in fw.dimensions),
        "Jenjang mentah",
        "Jenjang",
        "Alasan",
        "Tertahan oleh",
        "Jenjang tujuan",
        "Kurang poin",
        "Dapat dicapai dalam satu periode",
        *(
            header
            for n in range(1, FIRST_STEPS + 1)
            for header in (f"Langkah {n}", f"Materi pembinaan {n}")
        ),
    ]
    stmt = _located(
        select(
            Kim.kimid_number,
            Kim.name,
            places.Desa.display_name,
            places.Kecamatan.display_name,
            Assessment.score,
            Assessment.dimension_scores,
            Assessment.raw_tier,
            Assessment.tier,
            Assessment.reason,
            Assessment.indicators,
            Assessment.data_gaps,
        )
        .select_from(Assessment)
        .where(
            Assessment.period_id == period.id, Assessment.framework_id == fw_row.id, _scope(user)
        )
        .order_by(places.Kecamatan.display_name, places.Desa.display_name, Kim.name_key, Kim.id)
    )
    rows = []
    for found in db.session.execute(stmt):
        kimid, name, desa, kecamatan, score, dims, raw_tier, tier, reason, indicators, gaps = found
        result = stored_result(score, raw_tier, tier, reason, dims, indicators, gaps)
        held = holdbacks(fw, score, indicators or {}, dims or {})
        rows.append(
            [
                kimid or "",
                name,
                desa,
                kecamatan,
                float(score),
                *((dims or {}).get(d.code) for d in fw.dimensions),
                raw_tier,
                tier,
                reason,
                "; ".join(_holdback_text(h) for h in held),
                *_plan_columns(fw, result, topics),
            ]
        )
    return export_file(f"penilaian-{period.code}", headers, rows, fmt)
