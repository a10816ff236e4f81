"""How many KIM × period cases of the database hit each rule of the assessment.

Counted from what is stored (assessments, their indicator values and sources, the measurements and
the registry), not from what the demo generator meant to make: a rule the seed no longer reaches
shows up as a 0. The demo prints the table, and its test holds every count above zero.

Read in one pass over a period's stored results at a time (the framework that stands for each
period), with the previous period's results of the same KIMs at hand for the rules that compare
two periods (stability, gates that change, K3 that falls and returns).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from tracker.extensions import db
from tracker.models import Assessment, Kim, Measurement, Period
from tracker.models.activity import MEASUREMENT_REJECTED, MEASUREMENT_SUBMITTED
from tracker.scoring.framework import Framework, load_framework
from tracker.scoring.holdbacks import holdbacks
from tracker.services.assessment.freshness import period_freshness
from tracker.services.assessment.inputs import (
    SOURCE_COMPUTED,
    SOURCE_COUNTS,
    SOURCE_DEFAULT,
    SOURCE_MANUAL,
)
from tracker.services.assessment.runner import framework_for_period


@dataclass(frozen=True)
class RuleCount:
    key: str
    label: str
    count: int


# (key, what is counted), in the order the table prints them
RULES: tuple[tuple[str, str], ...] = (
    ("gate_failed", "syarat dasar (K1/K2) belum 'ya': Rintisan"),
    ("gate_changed", "syarat dasar berubah dari periode sebelumnya"),
    ("condition_failed", "skor cukup, syarat jenjang tidak terpenuhi (turun satu jenjang)"),
    ("maju_w2", "  di antaranya S ≥ 60 tetapi W2 < 50: bukan Maju"),
    ("promotion_capped", "kenaikan dibatasi satu jenjang per periode"),
    ("demotion_held", "jenjang mentah lebih rendah, jenjang dipertahankan satu periode"),
    ("demotion_applied", "jenjang turun dari periode sebelumnya"),
    ("data_missing", "ada indikator 'data belum ada' (skor 0)"),
    ("website_zero", "ada catatan unggahan, tanpa unggahan dalam periode: W1–W3 = 0"),
    ("totals_only", "hanya rekap per periode: W2, W4 data belum ada"),
    ("site_without_kimid", "situs tanpa nomor KIM.id: K2 'ya' dari situs"),
    ("verified_entry", "nilai isian terverifikasi dihitung"),
    ("submitted", "nilai diajukan, belum dihitung"),
    ("rejected", "nilai ditolak dengan alasan, tidak dihitung"),
    ("k3_fell", "butir kelembagaan (K3) berkurang dari periode sebelumnya"),
    ("k3_returned", "butir kelembagaan (K3) kembali bertambah sesudah berkurang"),
    ("by_rule", "P2 menurut ketentuan: tidak ada tindak lanjut jatuh tempo"),
    ("stale", "hasil periode terbuka yang datanya berubah sesudah penilaian"),
    ("inactive_left_out", "KIM nonaktif tidak dinilai"),
)

_Row = tuple[int, float, str, str, dict[str, Any], dict[str, float], list[str]]


def _results(period_id: int, framework_id: int) -> dict[int, _Row]:
    rows = db.session.execute(
        select(
            Assessment.kim_id,
            Assessment.score,
            Assessment.raw_tier,
            Assessment.tier,
            Assessment.indicators,
            Assessment.dimension_scores,
            Assessment.data_gaps,
        ).where(Assessment.period_id == period_id, Assessment.framework_id == framework_id)
    )
    return {
        kim_id: (kim_id, float(score), raw, tier, indicators or {}, dims or {}, gaps or [])
        for kim_id, score, raw, tier, indicators, dims, gaps in rows
    }


def _gates(fw: Framework, indicators: dict[str, Any]) -> tuple[bool, ...]:
    return tuple(bool((indicators.get(code) or {}).get("passed")) for code in fw.gates)


def _manual_k3(indicators: dict[str, Any]) -> float | None:
    k3 = indicators.get("K3") or {}
    return k3.get("value") if k3.get("source") == SOURCE_MANUAL else None


def rule_counts() -> list[RuleCount]:
    """Each rule of `RULES` with the number of KIM × period cases that hit it."""
    counts: Counter[str] = Counter()
    periods = db.session.scalars(select(Period).order_by(Period.start_date, Period.end_date)).all()
    site_only = set(
        db.session.scalars(
            select(Kim.id).where(Kim.kimid_number.is_(None), Kim.website.is_not(None))
        )
    )
    entries = Counter(
        status
        for status, _kim, _period in db.session.execute(
            select(Measurement.status, Measurement.kim_id, Measurement.period_id)
            .where(Measurement.status.in_((MEASUREMENT_SUBMITTED, MEASUREMENT_REJECTED)))
            .distinct()
        )
    )
    previous: dict[int, _Row] = {}
    previous_fw: Framework | None = None
    k3_fell: set[int] = set()
    for period in periods:
        fw_row = framework_for_period(period.id)
        if fw_row is None:
            previous, previous_fw = {}, None
            continue
        fw = load_framework(fw_row.definition)
        results = _results(period.id, fw_row.id)
        index = {name: i for i, name in enumerate(fw.tier_names)}
        for kim_id, score, raw, tier, indicators, dims, gaps in results.values():
            held = holdbacks(fw, score, indicators, dims)
            gates = _gates(fw, indicators)
            counts["gate_failed"] += not all(gates)
            conditions = [h for h in held if not h.gate]
            counts["condition_failed"] += bool(conditions)
            counts["maju_w2"] += any(h.tier == "Maju" and h.code == "W2" for h in conditions)
            counts["promotion_capped"] += index[tier] < index[raw]
            counts["demotion_held"] += index[tier] > index[raw]
            counts["data_missing"] += bool(gaps)
            w1 = indicators.get("W1") or {}
            counts["website_zero"] += w1.get("source") == SOURCE_COMPUTED and w1.get("value") == 0
            counts["totals_only"] += w1.get("source") == SOURCE_COUNTS
            counts["site_without_kimid"] += kim_id in site_only
            counts["verified_entry"] += any(
                (v or {}).get("source") == SOURCE_MANUAL for v in indicators.values()
            )
            counts["by_rule"] += any(
                (v or {}).get("source") == SOURCE_DEFAULT for v in indicators.values()
            )
            before = previous.get(kim_id)
            if before is None or previous_fw is None:
                continue
            counts["gate_changed"] += _gates(previous_fw, before[4]) != gates
            counts["demotion_applied"] += index.get(before[3], -1) > index[tier]
            now_k3, was_k3 = _manual_k3(indicators), _manual_k3(before[4])
            if now_k3 is not None and was_k3 is not None:
                if now_k3 < was_k3:
                    counts["k3_fell"] += 1
                    k3_fell.add(kim_id)
                elif now_k3 > was_k3 and kim_id in k3_fell:
                    counts["k3_returned"] += 1
        freshness = period_freshness(None, period, fw_row.id)
        counts["stale"] += freshness.stale
        counts["inactive_left_out"] += freshness.left_out
        previous, previous_fw = results, fw
    counts["submitted"] = entries.get(MEASUREMENT_SUBMITTED, 0)
    counts["rejected"] = entries.get(MEASUREMENT_REJECTED, 0)
    return [RuleCount(key, label, counts[key]) for key, label in RULES]
