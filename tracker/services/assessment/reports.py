"""Reading stored assessments: the period overview, one KIM's breakdown and roadmap, the export.

Everything is restricted to the viewer's region scope inside the query (no user: the CLI, every
KIM). Each page is a fixed number of grouped queries whatever the number of KIMs; tier orders and
movers are computed by the database with the framework's tier names turned into ranks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, Select, case, func, or_, select, true
from sqlalchemy.orm import aliased

from tracker.extensions import db
from tracker.io.tabular import FORMATS, MIMETYPES, table_bytes
from tracker.models import Assessment, Kim, Period
from tracker.models import Framework as FrameworkRow
from tracker.models.assessment import TIERS
from tracker.models.user import User
from tracker.scoring.engine import AssessmentResult
from tracker.scoring.framework import Framework, load_framework
from tracker.scoring.roadmap import Roadmap, framework_topics, roadmap
from tracker.services.activity.verification import EntryInfo, kim_entries
from tracker.services.assessment.runner import (
    AssessmentError,
    framework_for_period,
    previous_period,
    resolve_period,
)
from tracker.services.common.pagination import Page, paginate, paginate_rows
from tracker.services.common.permissions import VIEW, require
from tracker.services.common.scope import user_scope_filter
from tracker.services.common.sorting import SortKeys
from tracker.services.registry.kims import KimNotFoundError
from tracker.services.registry.places import Desa, Kecamatan, located
from tracker.services.rules import frameworks
from tracker.text import fold

DESA_NAME = Desa.display_name
KECAMATAN_NAME = Kecamatan.display_name

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


SORTS = SortKeys(
    {
        "skor": Assessment.score,
        "nama": Kim.name_key,
        "desa": DESA_NAME,
        "kecamatan": KECAMATAN_NAME,
    },
    default="-skor",
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
    q: str = ""
    sort: str = "-skor"
    computed_at: datetime | None = None
    active_version: int | None = None
    stale_framework: bool = False

    @property
    def assessed(self) -> int:
        return sum(self.tier_counts.values())


def _located(stmt: Select[Any]) -> Select[Any]:
    """An assessment statement joined to its KIM and where the KIM lies."""
    return located(stmt.join(Kim, Kim.id == Assessment.kim_id))


def _kecamatan_rows(
    period: Period, fw: FrameworkRow, user: User | None, names: tuple[str, ...]
) -> list[KecamatanRow]:
    stmt = _located(
        select(Kecamatan.code, KECAMATAN_NAME, Assessment.tier, func.count())
        .select_from(Assessment)
        .where(Assessment.period_id == period.id, Assessment.framework_id == fw.id, _scope(user))
        .group_by(Kecamatan.code, KECAMATAN_NAME, Assessment.tier)
    )
    rows: dict[str, KecamatanRow] = {}
    for code, name, tier, n in db.session.execute(stmt):
        row = rows.setdefault(code, KecamatanRow(code, name, dict.fromkeys(names, 0)))
        row.counts[tier] = row.counts.get(tier, 0) + n
    return sorted(rows.values(), key=lambda r: (fold(r.name), r.code))


def _movers(
    period: Period,
    fw: FrameworkRow,
    before: Period,
    user: User | None,
    names: tuple[str, ...],
) -> tuple[list[Mover], list[Mover], int, int]:
    """KIMs whose assigned tier went up or down since the previous period: the biggest steps
    first, and how many moved each way."""
    source = framework_for_period(before.id, fw.id)
    if source is None:
        return [], [], 0, 0
    prior = aliased(Assessment, name="prior")
    step = _tier_rank(Assessment.tier, names) - _tier_rank(prior.tier, names)

    def paired(stmt: Select[Any]) -> Select[Any]:
        return _located(
            stmt.select_from(Assessment)
            .join(
                prior,
                (prior.kim_id == Assessment.kim_id)
                & (prior.period_id == before.id)
                & (prior.framework_id == source.id),
            )
            .where(
                Assessment.period_id == period.id, Assessment.framework_id == fw.id, _scope(user)
            )
        )

    up_count, down_count = db.session.execute(
        paired(
            select(
                func.coalesce(func.sum(case((step > 0, 1), else_=0)), 0),
                func.coalesce(func.sum(case((step < 0, 1), else_=0)), 0),
            )
        )
    ).one()
    listed = paired(
        select(
            Assessment.kim_id, Kim.name, DESA_NAME, prior.tier, Assessment.tier, Assessment.score
        )
    )

    def pick(up: bool) -> list[Mover]:
        stmt = listed.where(step > 0 if up else step < 0).order_by(
            step.desc() if up else step.asc(),
            Assessment.score.desc() if up else Assessment.score.asc(),
            Kim.name_key,
            Kim.id,
        )
        return [
            Mover(kim_id, name, desa, was, now, float(score))
            for kim_id, name, desa, was, now, score in db.session.execute(stmt.limit(MOVERS_SHOWN))
        ]

    return pick(True), pick(False), int(up_count), int(down_count)


def _kim_page(
    period: Period, fw: FrameworkRow, user: User | None, q: str, sort: str, page: int, per_page: int
) -> Page[KimRow]:
    stmt = _located(
        select(
            Kim.id,
            Kim.name,
            DESA_NAME,
            KECAMATAN_NAME,
            Assessment.score,
            Assessment.raw_tier,
            Assessment.tier,
        )
        .select_from(Assessment)
        .where(Assessment.period_id == period.id, Assessment.framework_id == fw.id, _scope(user))
    )
    if q:
        needle = fold(q)
        stmt = stmt.where(
            or_(
                Kim.name_key.contains(needle, autoescape=True),
                func.lower(Desa.name).contains(needle, autoescape=True),
                func.lower(Kecamatan.name).contains(needle, autoescape=True),
            )
        )
    ordered = stmt.order_by(SORTS.order_by(sort), Kim.name_key, Kim.id)
    result = paginate(ordered, page, per_page, scalars=False)
    return result.map(lambda row: KimRow(*row[:4], float(row[4]), row[5], row[6]))


def period_overview(
    user: User | None,
    code: str,
    q: str = "",
    sort: str = "-skor",
    page: int = 1,
    per_page: int = 25,
) -> PeriodOverview:
    """Tier counts, the table per kecamatan, movers and one page of KIMs for a period."""
    require(user, VIEW)
    period = resolve_period(code)
    fw = framework_for_period(period.id)
    active = frameworks.get_active()
    sort = SORTS.normalized(sort)
    q = q.strip()
    if fw is None:
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
            q=q,
            sort=sort,
            active_version=active.version if active else None,
        )
    names = load_framework(fw.definition).tier_names
    kecamatan_rows = _kecamatan_rows(period, fw, user, names)
    tier_counts = dict.fromkeys(names, 0)
    for row in kecamatan_rows:
        for tier, n in row.counts.items():
            tier_counts[tier] = tier_counts.get(tier, 0) + n
    before = previous_period(period)
    movers: tuple[list[Mover], list[Mover], int, int] = ([], [], 0, 0)
    if before is not None:
        movers = _movers(period, fw, before, user, names)
    computed_at = db.session.scalar(
        select(func.max(Assessment.computed_at)).where(
            Assessment.period_id == period.id, Assessment.framework_id == fw.id
        )
    )
    return PeriodOverview(
        period=period,
        framework=fw,
        tier_names=names,
        tier_counts=tier_counts,
        kecamatan_rows=kecamatan_rows,
        previous=before,
        movers_up=movers[0],
        movers_down=movers[1],
        moved_up=movers[2],
        moved_down=movers[3],
        kims=_kim_page(period, fw, user, q, sort, page, per_page),
        q=q,
        sort=sort,
        computed_at=computed_at,
        active_version=active.version if active else None,
        stale_framework=active is not None and active.id != fw.id,
    )


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
    gaps: list[str]  # "W2 Konsistensi mingguan", ...
    history: list[HistoryRow]
    roadmap: Roadmap | None
    # the KIM's manual values of the period: who entered and who verified each, and the ones
    # still submitted or rejected (which do not count)
    entries: dict[str, EntryInfo] = field(default_factory=dict)


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


def _history(kim_id: int) -> list[HistoryRow]:
    """One row per assessed period, oldest first, from the framework that stands for it."""
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
        )
        .join(Period, Period.id == Assessment.period_id)
        .join(FrameworkRow, FrameworkRow.id == Assessment.framework_id)
        .where(Assessment.kim_id == kim_id)
        .order_by(Period.start_date, Period.end_date, FrameworkRow.version.desc())
    ).all()
    chosen: dict[int, HistoryRow] = {}
    for period_id, code, kind, score, raw_tier, tier, fw_id, version in rows:
        line = HistoryRow(code, kind, float(score), raw_tier, tier, version)
        # rows of a period come newest version first: keep that one unless the active one follows
        if period_id not in chosen or (active is not None and fw_id == active.id):
            chosen[period_id] = line
    return list(chosen.values())


def kim_assessment(user: User | None, code: str, kim_id: int) -> KimAssessment:
    """A KIM's assessment for a period with its breakdown, history and roadmap (a KIM outside
    the viewer's scope is not found)."""
    require(user, VIEW)
    period = resolve_period(code)
    found = db.session.execute(
        located(select(Kim.id, Kim.name, Kim.kimid_number, DESA_NAME, KECAMATAN_NAME)).where(
            Kim.id == kim_id, _scope(user)
        )
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
        history=_history(kim_id),
        roadmap=None,
        entries=kim_entries(kim_id, period.id),
    )
    if stored is not None and fw_row is not None:
        fw = load_framework(fw_row.definition)
        view.dimensions = _breakdown(fw, stored)
        view.gaps = [fw.label(c) for c in stored.data_gaps or [] if c in fw.indicators]
        result = AssessmentResult.from_json(
            {
                "score": stored.score,
                "raw_tier": stored.raw_tier,
                "tier": stored.tier,
                "reason": stored.reason,
                "dimension_scores": stored.dimension_scores,
                "indicators": stored.indicators,
                "data_gaps": stored.data_gaps,
            }
        )
        # topics from the framework until a topic catalogue supplies them
        view.roadmap = roadmap(fw, result, framework_topics(fw))
    return view


# ------------------------------------------------------------------------------ export


@dataclass(frozen=True)
class ExportFile:
    filename: str
    mimetype: str
    payload: bytes
    rows: int


def export_assessments(user: User | None, code: str, fmt: str) -> ExportFile:
    """The period's assessments as CSV or XLSX: one row per KIM, ordered by place and name."""
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
    ]
    stmt = _located(
        select(
            Kim.kimid_number,
            Kim.name,
            DESA_NAME,
            KECAMATAN_NAME,
            Assessment.score,
            Assessment.dimension_scores,
            Assessment.raw_tier,
            Assessment.tier,
            Assessment.reason,
        )
        .select_from(Assessment)
        .where(
            Assessment.period_id == period.id, Assessment.framework_id == fw_row.id, _scope(user)
        )
        .order_by(KECAMATAN_NAME, DESA_NAME, Kim.name_key, Kim.id)
    )
    rows = [
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
        ]
        for kimid, name, desa, kecamatan, score, dims, raw_tier, tier, reason in db.session.execute(
            stmt
        )
    ]
    return ExportFile(
        filename=f"penilaian-{period.code}.{fmt}",
        mimetype=MIMETYPES[fmt],
        payload=table_bytes(headers, rows, fmt),
        rows=len(rows),
    )
