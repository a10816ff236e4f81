"""The framework edit form's text fields, to and from a definition (pure, so it is tested alone).

An admin edits numbers, not JSON: dimension and indicator weights, band lists written as
`0:0; 1:30; 4:60; 8:80; 12:100` (bound:score pairs, `*` for the open last band of a lower-is-better
indicator such as W4: `7:100; 30:60; 90:20; *:0`), tier lower bounds, condition thresholds and the
stability rule. Decimals take a comma or a point (`12,5` or `12.5`).

`apply_form` only parses; whether the result makes sense is `load_framework`'s job, so the admin
sees parse problems and validation problems together.
"""

from __future__ import annotations

import copy
import math
import re
from collections.abc import Mapping
from typing import Any

_SEPARATORS = re.compile(r"[;\n]+")


def fmt_number(value: Any) -> str:
    """35 → '35', 12.5 → '12,5' (how an Indonesian admin writes it)."""
    if value is None:
        return "*"
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if float(value).is_integer():
        return str(int(value))
    return repr(float(value)).replace(".", ",")


def fmt_bands(bands: list[list[Any]]) -> str:
    return "; ".join(f"{fmt_number(b)}:{fmt_number(s)}" for b, s in bands)


def parse_number(text: str | None) -> float | int:
    """'12,5' → 12.5, '35' → 35. Raises ValueError (caller words the message)."""
    cleaned = (text or "").strip().replace(" ", "").replace(",", ".")
    if not cleaned:
        raise ValueError("empty")
    number = float(cleaned)
    if not math.isfinite(number):
        raise ValueError("not finite")
    return int(number) if number.is_integer() else number


def parse_bands(text: str | None) -> list[list[float | int | None]]:
    """'0:0; 1:30' → [[0, 0], [1, 30]]; '*' as a bound means "no upper bound"."""
    pairs: list[list[float | int | None]] = []
    for part in _SEPARATORS.split(text or ""):
        part = part.strip()
        if not part:
            continue
        bits = part.split(":")
        if len(bits) != 2:
            raise ValueError(part)
        bound_text, score_text = bits
        bound = None if bound_text.strip() == "*" else parse_number(bound_text)
        pairs.append([bound, parse_number(score_text)])
    if not pairs:
        raise ValueError("empty")
    return pairs


def form_fields(definition: Mapping[str, Any]) -> dict[str, str]:
    """The editable values of a definition as the form shows them."""
    fields: dict[str, str] = {
        "name": str(definition.get("name") or ""),
        "description": str(definition.get("description") or ""),
    }
    for dim in definition.get("dimensions", []):
        fields[f"dim_{dim['code']}_weight"] = fmt_number(dim.get("weight"))
    for ind in definition.get("indicators", []):
        if ind.get("kind") == "gate":
            continue
        fields[f"ind_{ind['code']}_weight"] = fmt_number(ind.get("weight"))
        if ind.get("kind") == "bands":
            fields[f"ind_{ind['code']}_bands"] = fmt_bands(ind.get("bands") or [])
    for i, tier in enumerate(definition.get("tiers", [])):
        fields[f"tier_{i}_min"] = fmt_number(tier.get("min"))
    for i, cond in enumerate(definition.get("conditions", [])):
        fields[f"cond_{i}_min"] = fmt_number(cond.get("min"))
    stability = definition.get("stability") or {}
    fields["stab_max_promotion"] = fmt_number(stability.get("max_promotion"))
    fields["stab_margin"] = fmt_number(stability.get("demotion_margin"))
    return fields


def apply_form(
    definition: Mapping[str, Any], fields: Mapping[str, str | None]
) -> tuple[dict[str, Any], list[str]]:
    """A copy of `definition` with the typed values applied, and the Indonesian parse problems.
    A field that does not parse keeps its old value in the copy (and is reported)."""
    new = copy.deepcopy(dict(definition))
    problems: list[str] = []

    def number(key: str, label: str) -> float | int | None:
        if key not in fields:
            return None
        text = fields.get(key)
        try:
            return parse_number(text)
        except ValueError:
            if not (text or "").strip():
                problems.append(f"{label} wajib diisi.")
            else:
                problems.append(f"{label}: '{text}' bukan angka.")
            return None

    if "name" in fields:
        new["name"] = (fields.get("name") or "").strip()
    if "description" in fields:
        new["description"] = (fields.get("description") or "").strip()
    for dim in new.get("dimensions", []):
        value = number(f"dim_{dim['code']}_weight", f"Bobot dimensi {dim['code']}")
        if value is not None:
            dim["weight"] = value
    for ind in new.get("indicators", []):
        code = ind["code"]
        value = number(f"ind_{code}_weight", f"Bobot indikator {code}")
        if value is not None:
            ind["weight"] = value
        key = f"ind_{code}_bands"
        if ind.get("kind") == "bands" and key in fields:
            try:
                ind["bands"] = parse_bands(fields.get(key))
            except ValueError:
                typed = (fields.get(key) or "").strip()
                problems.append(
                    f"Pita skor {code}: '{typed}' harus berupa pasangan batas:skor dipisah titik "
                    "koma, mis. 0:0; 1:30; 4:60."
                    if typed
                    else f"Pita skor {code} wajib diisi."
                )
    for i, tier in enumerate(new.get("tiers", [])):
        value = number(f"tier_{i}_min", f"Batas bawah jenjang {tier.get('name')}")
        if value is not None:
            tier["min"] = value
    for i, cond in enumerate(new.get("conditions", [])):
        value = number(f"cond_{i}_min", f"Ambang syarat {cond.get('tier')} ({cond.get('target')})")
        if value is not None:
            cond["min"] = value
    stability = new.setdefault("stability", {})
    promotion = number("stab_max_promotion", "Kenaikan maksimum per periode")
    if promotion is not None:
        stability["max_promotion"] = promotion
    margin = number("stab_margin", "Selisih turun langsung")
    if margin is not None:
        stability["demotion_margin"] = margin
    return new, problems
