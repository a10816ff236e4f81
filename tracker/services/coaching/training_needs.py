"""Training-needs analysis (analisis kebutuhan pelatihan) for a Kabid planning coaching, from a
period's stored assessments in the reader's scope:

- where the points are lost: per indicator, the points of the total score S the KIMs lose on it
  ((100 − indicator score) × the indicator's share of S, `tracker.scoring.shares`), for the whole
  scope, per kecamatan and per tier (the indicators that lose most in each);
- for each topic of the catalogue, the KIMs that would gain most from it: each KIM's roadmap to
  its next tier (the same plan its assessment page shows) is planned, and the "+N poin" of the
  plan's steps on the topic's indicators are the points at stake for it. A KIM whose plan needs a
  gate (K1, K2) the topic addresses comes first (a failed gate holds it at the lowest tier
  whatever its score), then the most points; the first `CANDIDATES` are the invite list that
  "rencanakan sesi" pre-fills.

A handful of queries whatever the number of KIMs; the plans are computed in memory with one
framework object (under a millisecond per KIM, docs/roadmap.md).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.orm import selectinload

from tracker.extensions import db
from tracker.models import Assessment, Kim, Period, Topic
from tracker.models.user import User
from tracker.scoring.framework import Framework, dec, load_framework, round2
from tracker.scoring.roadmap import GOAL_TOP, roadmap
from tracker.scoring.shares import failed_gates, points_lost
from tracker.services.assessment.reports import stored_result
from tracker.services.assessment.runner import framework_for_period, resolve_period
from tracker.services.assessment.topic_hints import topic_hints
from tracker.services.coaching.errors import TopicNotFoundError
from tracker.services.common.permissions import VIEW, require
from tracker.services.common.scope import actor_scope_filter
from tracker.services.registry import places
from tracker.services.registry.places import located

TOP_INDICATORS = 3  # indicators shown per kecamatan and per tier
CANDIDATES = 20  # KIMs shown per topic: the invite list "rencanakan sesi" pre-fills


@dataclass(frozen=True)
class IndicatorLoss:
    code: str
    name: str
    kims: int  # KIMs losing points on it
    total: float  # points of S lost, summed over the group's KIMs
    mean: float  # per KIM of the group (every assessed KIM, losing or not)


@dataclass(frozen=True)
class GroupNeeds:
    key: str  # kecamatan code or tier name
    name: str
    kims: int
    mean_score: float
    top: list[IndicatorLoss]


@dataclass(frozen=True)
class Candidate:
    kim_id: int
    name: str
    desa: str
    kecamatan: str
    tier: str
    score: float
    points: float  # "+N poin" of the plan's steps on the topic's indicators
    codes: tuple[str, ...]  # those steps' indicators
    gates: tuple[str, ...]  # gates of the plan the topic addresses


@dataclass(frozen=True)
class TopicNeed:
    topic_id: int
    name: str
    codes: list[str]
    kims: int  # KIMs whose plan has a step on the topic
    points: float  # their points at stake, added up
    candidates: list[Candidate]  # the first CANDIDATES


@dataclass
class TrainingNeeds:
    period: Period
    framework_version: int | None
    assessed: int
    indicators: list[IndicatorLoss] = field(default_factory=list)
    gates: list[tuple[str, str, int]] = field(default_factory=list)  # (code, name, KIMs failing)
    by_kecamatan: list[GroupNeeds] = field(default_factory=list)
    by_tier: list[GroupNeeds] = field(default_factory=list)
    topics: list[TopicNeed] = field(default_factory=list)
    period_options: list[str] = field(default_factory=list)
    limit: int = CANDIDATES


def _cents(value: float) -> float:
    """Half-up to 2 decimals, as every printed score (9,625 → 9,63)."""
    return float(round2(dec(value)))


@dataclass
class _Tally:
    kims: int = 0
    score: float = 0.0
    lost: dict[str, float] = field(default_factory=dict)
    losing: dict[str, int] = field(default_factory=dict)

    def add(self, score: float, lost: dict[str, float]) -> None:
        self.kims += 1
        self.score += score
        for code, points in lost.items():
            self.lost[code] = self.lost.get(code, 0.0) + points
            self.losing[code] = self.losing.get(code, 0) + 1

    def ranked(self, fw: Framework, limit: int | None = None) -> list[IndicatorLoss]:
        order = sorted(self.lost, key=lambda c: (-self.lost[c], c))
        return [
            IndicatorLoss(
                code,
                fw.indicators[code].name,
                self.losing[code],
                _cents(self.lost[code]),
                _cents(self.lost[code] / self.kims) if self.kims else 0.0,
            )
            for code in order[:limit]
        ]


def assessed_periods() -> list[str]:
    """Codes of the periods with stored assessments, newest first."""
    return list(
        db.session.scalars(
            select(Period.code)
            .where(exists().where(Assessment.period_id == Period.id))
            .order_by(Period.start_date.desc(), Period.end_date)
        )
    )


def _rows(user: User | None, period: Period, framework_id: int) -> Iterable[Any]:
    return db.session.execute(
        located(
            select(
                Kim.id,
                Kim.name,
                places.Desa.display_name,
                places.Kecamatan.code,
                places.Kecamatan.display_name,
                Assessment.score,
                Assessment.raw_tier,
                Assessment.tier,
                Assessment.reason,
                Assessment.dimension_scores,
                Assessment.indicators,
                Assessment.data_gaps,
            )
            .select_from(Assessment)
            .join(Kim, Kim.id == Assessment.kim_id)
        )
        .where(
            Assessment.period_id == period.id,
            Assessment.framework_id == framework_id,
            actor_scope_filter(Kim.desa_code, user),
        )
        .order_by(places.Kecamatan.display_name, places.Desa.display_name, Kim.name_key, Kim.id)
    )


def _topics() -> list[Topic]:
    return list(
        db.session.scalars(
            select(Topic).options(selectinload(Topic.indicators)).order_by(Topic.name_key)
        )
    )


def training_needs(user: User | None, code: str) -> TrainingNeeds:
    """The analysis of one period (a period not yet assessed gives an empty one)."""
    require(user, VIEW)
    period = resolve_period(code)
    needs = TrainingNeeds(period, None, 0, period_options=assessed_periods())
    fw_row = framework_for_period(period.id)
    if fw_row is None:
        return needs
    fw = load_framework(fw_row.definition)
    needs.framework_version = fw_row.version
    hints = topic_hints(fw)
    topics = _topics()
    overall = _Tally()
    kecamatan: dict[str, tuple[str, _Tally]] = {}
    tiers: dict[str, _Tally] = {name: _Tally() for name in fw.tier_names}
    gate_counts = dict.fromkeys(fw.gates, 0)
    per_topic: dict[int, list[Candidate]] = {t.id: [] for t in topics}
    for row in _rows(user, period, fw_row.id):
        (kim_id, name, desa, kec_code, kec_name, score, raw_tier, tier, reason) = row[:9]
        dims, indicators, gaps = row[9], row[10] or {}, row[11]
        lost = points_lost(fw, indicators)
        overall.add(float(score), lost)
        kecamatan.setdefault(kec_code, (kec_name, _Tally()))[1].add(float(score), lost)
        tiers.setdefault(tier, _Tally()).add(float(score), lost)
        for gate in failed_gates(fw, indicators):
            gate_counts[gate] = gate_counts.get(gate, 0) + 1
        plan = roadmap(
            fw, stored_result(score, raw_tier, tier, reason, dims, indicators, gaps), hints
        )
        if plan.goal == GOAL_TOP or not plan.steps:
            continue
        for topic in topics:
            covered = set(topic.codes)
            steps = [s for s in plan.steps if s.code in covered]
            if not steps:
                continue
            per_topic[topic.id].append(
                Candidate(
                    kim_id=kim_id,
                    name=name,
                    desa=desa,
                    kecamatan=kec_name,
                    tier=tier,
                    score=float(score),
                    points=_cents(sum(s.gain_points for s in steps)),
                    codes=tuple(s.code for s in steps if not s.gate),
                    gates=tuple(s.code for s in steps if s.gate),
                )
            )
    needs.assessed = overall.kims
    needs.indicators = overall.ranked(fw)
    needs.gates = [(c, fw.indicators[c].name, n) for c, n in gate_counts.items() if n]
    needs.by_kecamatan = [
        GroupNeeds(code, name, t.kims, _cents(t.score / t.kims), t.ranked(fw, TOP_INDICATORS))
        for code, (name, t) in kecamatan.items()
    ]
    needs.by_tier = [
        GroupNeeds(name, name, t.kims, _cents(t.score / t.kims), t.ranked(fw, TOP_INDICATORS))
        for name, t in tiers.items()
        if t.kims
    ]
    needs.topics = [_topic_need(topic, per_topic[topic.id]) for topic in topics]
    needs.topics.sort(key=lambda t: (-t.points, -t.kims, t.name.casefold()))
    return needs


def _ranking_key(c: Candidate) -> tuple[int, float, str, int]:
    return (-len(c.gates), -c.points, c.name.casefold(), c.kim_id)


def _topic_need(topic: Topic, found: list[Candidate]) -> TopicNeed:
    found.sort(key=_ranking_key)
    return TopicNeed(
        topic_id=topic.id,
        name=topic.name,
        codes=topic.codes,
        kims=len(found),
        points=_cents(sum(c.points for c in found)),
        candidates=found[:CANDIDATES],
    )


def invite_list(user: User | None, code: str, topic_id: int) -> tuple[Topic, list[int]]:
    """The topic and the KIMs "rencanakan sesi" invites: its first candidates of the period."""
    needs = training_needs(user, code)
    topic = db.session.get(Topic, topic_id)
    if topic is None:
        raise TopicNotFoundError()
    need = next((t for t in needs.topics if t.topic_id == topic_id), None)
    return topic, [c.kim_id for c in need.candidates] if need is not None else []
