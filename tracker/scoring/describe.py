"""Framework rules as short Indonesian text, the same on the admin pages and in `flask framework
show`: "0→0, ≥1→30, ≥4→60", "≤7→100, ≤30→60, lainnya→0", "nilai × 25 (maks. 100)"."""

from __future__ import annotations

from tracker.scoring.engine import fmt_bound
from tracker.scoring.framework import Condition, Framework, Indicator


def rule_text(ind: Indicator) -> str:
    if ind.is_gate:
        return "syarat dasar: harus 'ya'"
    if ind.bands and ind.higher_is_better:
        parts = []
        for i, band in enumerate(ind.bands):
            assert band.bound is not None
            prefix = "" if i == 0 else "≥"
            parts.append(f"{prefix}{fmt_bound(band.bound)}→{fmt_bound(band.score)}")
        return ", ".join(parts)
    if ind.bands:
        return ", ".join(
            f"≤{fmt_bound(b.bound)}→{fmt_bound(b.score)}"
            if b.bound is not None
            else f"lainnya→{fmt_bound(b.score)}"
            for b in ind.bands
        )
    factor = "nilai" if ind.factor == 1 else f"nilai × {fmt_bound(ind.factor)}"
    return f"{factor} (0–100)"


def condition_text(fw: Framework, cond: Condition) -> str:
    """'Maju memerlukan W2 Konsistensi mingguan ≥ 50'"""
    return f"{cond.tier} memerlukan {fw.label(cond.target)} ≥ {fmt_bound(cond.minimum)}"


def tier_text(fw: Framework) -> str:
    """'Rintisan < 40 ≤ Berkembang < 60 ≤ Maju < 80 ≤ Mandiri'"""
    text = fw.tiers[0].name
    for tier in fw.tiers[1:]:
        text += f" < {fmt_bound(tier.minimum)} ≤ {tier.name}"
    return text


def direction_text(ind: Indicator) -> str:
    return "makin besar makin baik" if ind.higher_is_better else "makin kecil makin baik"
