"""What a KIM's evaluation letter says, read from the database into `LetterData`.

The letter says what the KIM's assessment page says (`assessment.reports.kim_assessment`: the
breakdown, the tier, the roadmap with its training topics), with the office's identity and
signatory as they are now. The preview shows exactly this; issuing freezes it into the letter's
record with its number, so a later change to the settings or a re-run of the assessment never
changes a letter already issued.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select

from tracker.charts.bars import LETTER, BarRow, Mark, score_bars
from tracker.extensions import db
from tracker.models import Kim, Period
from tracker.models.user import User
from tracker.pdf.letter import (
    Dimension,
    Indicator,
    LetterData,
    Plan,
    PlanStep,
    TierBand,
)
from tracker.scoring.framework import load_framework
from tracker.scoring.periods import KIND_SEMESTER, KIND_TAHUN, KIND_TRIWULAN
from tracker.scoring.roadmap import Roadmap
from tracker.services.assessment.reports import KimAssessment, kim_assessment
from tracker.services.common.errors import Invalid
from tracker.services.letters import numbering
from tracker.services.letters.office import OfficeView
from tracker.services.registry import places
from tracker.services.registry.places import located

_ROMAN = numbering.ROMAN_MONTHS  # I … XII serve as the triwulan and semester numerals too


class LetterNotReady(Invalid):
    """The KIM's result cannot be put in a letter yet (not assessed, or its data changed)."""


@dataclass(frozen=True)
class Place:
    """Where the KIM lies, as the register files the letter."""

    desa_code: str
    desa_kind: str
    kecamatan_code: str


def period_label(period: Period) -> str:
    """Triwulan I Tahun 2025, Semester II Tahun 2025, Tahun 2025."""
    year = period.start_date.year
    if period.kind in (KIND_TRIWULAN, KIND_SEMESTER):
        word = "Triwulan" if period.kind == KIND_TRIWULAN else "Semester"
        return f"{word} {_ROMAN[int(period.code[-1]) - 1]} Tahun {year}"
    if period.kind == KIND_TAHUN:
        return f"Tahun {year}"
    return period.code


def _place(kim_id: int) -> Place:
    desa_code, kind, kecamatan_code = db.session.execute(
        located(select(Kim.desa_code, places.Desa.kind, places.Kecamatan.code)).where(
            Kim.id == kim_id
        )
    ).one()
    return Place(desa_code, kind or "desa", kecamatan_code)


def _plan(roadmap: Roadmap) -> Plan:
    return Plan(
        goal=roadmap.goal,
        tier=roadmap.tier,
        raw_tier=roadmap.raw_tier,
        target_tier=roadmap.target_tier,
        target_minimum=float(roadmap.target_minimum),
        points_missing=float(roadmap.points_missing),
        reachable=roadmap.reachable,
        plan_gain=float(roadmap.plan_gain),
        planned_score=float(roadmap.planned_score),
        steps=tuple(
            PlanStep(
                code=s.code,
                name=s.name,
                unit=s.unit,
                gate=s.gate,
                higher_is_better=s.higher_is_better,
                current_value=s.current_value,
                target_value=float(s.target_value),
                gain_points=float(s.gain_points),
                topic=s.topic_hint,
            )
            for s in roadmap.steps
        ),
        failed_conditions=tuple(roadmap.failed_conditions),
        unreachable=tuple(roadmap.unreachable),
    )


def _tembusan(lines: tuple[str, ...], view: KimAssessment) -> tuple[str, ...]:
    """The office's tembusan with {kecamatan} and {desa} filled in for this KIM."""
    return tuple(
        line.replace("{kecamatan}", view.kecamatan).replace("{desa}", view.desa) for line in lines
    )


@dataclass(frozen=True)
class LetterSource:
    """A letter's data with where it is filed: what `issue` needs besides the number."""

    data: LetterData
    kim_id: int
    period_id: int
    place: Place
    stale: bool  # the KIM's data changed since the assessment (a preview warns, issue refuses)


def build(actor: User | None, period_code: str, kim_id: int, office: OfficeView) -> LetterSource:
    """The letter for a KIM (in the actor's scope, else KimNotFoundError) and a period, as it
    would be issued today; LetterNotReady when the KIM has no result for the period."""
    from tracker.services.common.clock import office_today

    view = kim_assessment(actor, period_code, kim_id)
    stored = view.assessment
    if stored is None or view.framework is None or view.roadmap is None:
        raise LetterNotReady(
            _(
                "%(kim)s belum dinilai untuk periode %(code)s: jalankan penilaian terlebih dahulu.",
                kim=view.kim_name,
                code=view.period.code,
            )
        )
    fw = load_framework(view.framework.definition)
    place = _place(kim_id)
    data = LetterData(
        office=office.identity,
        signatory=office.signatory,
        letter_date=office_today(),
        kim_name=view.kim_name,
        desa_name=view.desa,
        desa_kind=place.desa_kind,
        kecamatan_name=view.kecamatan,
        period_code=view.period.code,
        period_label=period_label(view.period),
        period_start=view.period.start_date,
        period_end=view.period.end_date,
        framework_version=view.framework.version,
        score=float(stored.score),
        tier=stored.tier,
        raw_tier=stored.raw_tier,
        reason=stored.reason or "",
        dimensions=tuple(
            Dimension(
                code=d.code,
                name=d.name,
                weight=d.weight,
                score=d.score,
                indicators=tuple(
                    Indicator(
                        code=i.code,
                        name=i.name,
                        unit=i.unit,
                        weight=i.weight,
                        gate=i.gate,
                        value=i.value,
                        score=i.score,
                        missing=i.missing,
                        passed=i.passed,
                    )
                    for i in d.indicators
                ),
            )
            for d in view.dimensions
        ),
        tiers=tuple(TierBand(t.name, float(t.minimum)) for t in fw.tiers),
        plan=_plan(view.roadmap),
        gaps=tuple(fw.label(i.code) for i in view.gaps),
        tembusan=_tembusan(office.tembusan, view),
    )
    stale = bool(view.freshness and view.freshness.stale)
    return LetterSource(data, view.kim_id, view.period.id, place, stale)


def attachment_chart(data: LetterData) -> str:
    """The attachment's chart: each dimension's score against the tiers' minimum total scores,
    drawn by tracker.charts (the pages' charts come from the same code) in the letter's print
    layout."""
    rows = [BarRow(f"{d.code} {d.name}", [d.score or 0.0]) for d in data.dimensions]
    marks = [Mark(t.minimum, t.name) for t in data.tiers if t.minimum > 0]
    return score_bars(
        rows,
        marks,
        title="Skor per dimensi",
        description=(
            "Skor setiap dimensi (0–100); garis putus-putus: skor total minimum setiap jenjang. "
            "Angkanya ada di tabel rincian pada lampiran."
        ),
        key="letter-dimensions",
        layout=LETTER,
    )
