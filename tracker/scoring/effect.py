"""Did coaching move anyone? The score and tier change of the KIMs that attended against
comparable KIMs that did not, over the same two assessed periods (docs/coaching.md, "Effect").

Matching: each attendee is compared with the non-attendees of its starting tier in its own
kecamatan when there are at least `MIN_LOCAL_MATCHES` of them (one or two comparators would make
one KIM's luck the whole comparison), else with every non-attendee of its starting tier; an
attendee whose tier no non-attendee shares has no comparator and is counted apart. The comparison
group is the union of the comparators chosen (each KIM once per cohort).

A cohort is one pair of periods (the period before the coaching and the next assessed one); a
topic's sessions in several quarters give several cohorts, matched within each and then pooled.

Verdict: with fewer than `MIN_GROUP` KIMs in either group nothing is concluded; otherwise the
difference of the mean changes is called clear only when it is at least twice its standard error
(√(s₁²/n₁ + s₂²/n₂), the usual rough two-sided 95 % rule), else "no clear difference". Pure:
observations in, numbers out.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from tracker.scoring.framework import Framework

MIN_GROUP = 5  # KIMs in each group before anything is concluded
MIN_LOCAL_MATCHES = 3  # comparators of the same tier in the kecamatan before matching there

VERDICT_TOO_SMALL = "too_small"
VERDICT_UNCLEAR = "unclear"
VERDICT_HIGHER = "higher"  # attendees rose more than the comparison group
VERDICT_LOWER = "lower"

MATCH_KECAMATAN = "kecamatan"
MATCH_TIER = "tier"
MATCH_NONE = "none"


@dataclass(frozen=True)
class Observation:
    """One KIM over one pair of periods."""

    kim_id: int
    kecamatan: str  # code
    tier_before: int  # index in the framework's tiers, low → high
    tier_after: int
    score_before: float
    score_after: float
    # S without the coaching dimension (attending raises P1 by itself): None when not known
    rest_before: float | None = None
    rest_after: float | None = None

    @property
    def change(self) -> float:
        return round(self.score_after - self.score_before, 2)

    @property
    def rest_change(self) -> float | None:
        if self.rest_before is None or self.rest_after is None:
            return None
        return round(self.rest_after - self.rest_before, 2)

    @property
    def tier_change(self) -> int:
        return self.tier_after - self.tier_before


@dataclass(frozen=True)
class GroupSummary:
    size: int
    mean: float | None  # mean score change
    sd: float | None  # its sample standard deviation (None below 2 KIMs)
    rest_mean: float | None  # the same without the coaching dimension
    rest_sd: float | None
    up: int  # tier rose
    same: int
    down: int
    mean_tier_change: float | None


@dataclass(frozen=True)
class Match:
    kim_id: int
    by: str  # MATCH_KECAMATAN | MATCH_TIER | MATCH_NONE
    comparators: int


@dataclass(frozen=True)
class Comparison:
    attendees: tuple[Observation, ...]
    comparators: tuple[Observation, ...]
    attended: GroupSummary
    compared: GroupSummary
    matches: tuple[Match, ...]
    difference: float | None  # mean change of attendees − of comparators
    standard_error: float | None
    verdict: str

    def matched(self, by: str) -> int:
        return sum(1 for m in self.matches if m.by == by)


def _mean(values: Sequence[float]) -> float | None:
    from statistics import fmean  # statistics pulls in fractions: imported when used

    return fmean(values) if values else None


def _sd(values: Sequence[float]) -> float | None:
    from statistics import stdev

    return stdev(values) if len(values) >= 2 else None


def summarize(group: Sequence[Observation]) -> GroupSummary:
    changes = [o.change for o in group]
    rest = [c for o in group if (c := o.rest_change) is not None]
    complete = len(rest) == len(group)
    tiers = [o.tier_change for o in group]
    return GroupSummary(
        size=len(group),
        mean=_mean(changes),
        sd=_sd(changes),
        rest_mean=_mean(rest) if complete else None,
        rest_sd=_sd(rest) if complete else None,
        up=sum(1 for t in tiers if t > 0),
        same=sum(1 for t in tiers if t == 0),
        down=sum(1 for t in tiers if t < 0),
        mean_tier_change=_mean([float(t) for t in tiers]),
    )


def _match(
    attendees: Sequence[Observation], pool: Sequence[Observation]
) -> tuple[list[Observation], list[Match]]:
    by_tier: dict[int, list[Observation]] = {}
    for candidate in pool:
        by_tier.setdefault(candidate.tier_before, []).append(candidate)
    chosen: dict[int, Observation] = {}
    matches = []
    for kim in attendees:
        same_tier = by_tier.get(kim.tier_before, [])
        local = [c for c in same_tier if c.kecamatan == kim.kecamatan]
        if len(local) >= MIN_LOCAL_MATCHES:
            picked, by = local, MATCH_KECAMATAN
        elif same_tier:
            picked, by = same_tier, MATCH_TIER
        else:
            picked, by = [], MATCH_NONE
        matches.append(Match(kim.kim_id, by, len(picked)))
        for c in picked:
            chosen.setdefault(c.kim_id, c)
    return sorted(chosen.values(), key=lambda o: o.kim_id), matches


def compare(
    cohorts: Iterable[tuple[Sequence[Observation], Sequence[Observation]]],
) -> Comparison:
    """`cohorts`: (attendees, non-attendees) per pair of periods; a KIM is in at most one of the
    two lists of a cohort."""
    attendees: list[Observation] = []
    comparators: list[Observation] = []
    matches: list[Match] = []
    for attended, pool in cohorts:
        picked, found = _match(attended, pool)
        attendees.extend(attended)
        comparators.extend(picked)
        matches.extend(found)
    a, c = summarize(attendees), summarize(comparators)
    difference = standard_error = None
    if a.mean is not None and c.mean is not None:
        difference = a.mean - c.mean
        if a.sd is not None and c.sd is not None:
            standard_error = math.sqrt(a.sd**2 / a.size + c.sd**2 / c.size)
    if a.size < MIN_GROUP or c.size < MIN_GROUP or difference is None:
        verdict = VERDICT_TOO_SMALL
    elif standard_error is None or abs(difference) < 2 * standard_error or difference == 0:
        verdict = VERDICT_UNCLEAR
    else:
        verdict = VERDICT_HIGHER if difference > 0 else VERDICT_LOWER
    return Comparison(
        attendees=tuple(attendees),
        comparators=tuple(comparators),
        attended=a,
        compared=c,
        matches=tuple(matches),
        difference=difference,
        standard_error=standard_error,
        verdict=verdict,
    )


def score_without(
    fw: Framework, dimension_scores: Mapping[str, float], left_out: str
) -> float | None:
    """S recomputed from stored dimension scores without dimension `left_out` (the weighted mean
    of the others, 2 decimals); None when a dimension score is missing or nothing is left."""
    kept = [d for d in fw.dimensions if d.code != left_out]
    total = sum(float(d.weight) for d in kept)
    if not kept or total <= 0 or any(dimension_scores.get(d.code) is None for d in kept):
        return None
    value = sum(float(d.weight) * float(dimension_scores[d.code]) for d in kept) / total
    return round(value, 2)
