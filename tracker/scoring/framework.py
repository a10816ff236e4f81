"""The assessment framework as data: parsed, validated and frozen before any scoring happens.

A framework definition is a plain dict (the JSON stored in `Framework.definition`; the default is
`tracker/data/framework-v1.json`). `load_framework` checks it completely and either returns an
immutable `Framework` or raises `FrameworkInvalid` listing every problem in Indonesian, so an admin
editing a draft sees all mistakes at once.

Definition shape::

    dimensions: [{code, name, weight}]                      ordered; weights > 0
    indicators: [{code, dimension, kind, name, unit, manual, topic, ...}]
        kind "gate":   ya/tidak syarat dasar, value 1 = ya; not scored, no weight
        kind "bands":  weight, min, higher_is_better, bands [[bound, score], ...]
                       higher_is_better: bound = lower bound (inclusive), ascending, the first equal
                       to `min`; the last band is open upwards.
                       lower is better (W4, days): bound = upper bound (inclusive), ascending, the
                       last bound null (open: "else").
        kind "linear": weight, min, max, factor, milestones: score = factor × value, clamped 0–100;
                       milestones are the roadmap's "next band" targets (e.g. W2 25/50/75/100).
    tiers:      [{name, min}] low → high; the first min is 0, lower bounds inclusive, increasing
    conditions: [{tier, target, min}] target = indicator or dimension code, compared on its score
    stability:  {max_promotion, demotion_margin}
"""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property
from pathlib import Path
from typing import Any

KIND_GATE = "gate"
KIND_BANDS = "bands"
KIND_LINEAR = "linear"
KINDS = (KIND_GATE, KIND_BANDS, KIND_LINEAR)

DEFAULT_PATH = Path(__file__).resolve().parent.parent / "data" / "framework-v1.json"

TWO_PLACES = Decimal("0.01")


class FrameworkInvalid(ValueError):  # noqa: N818 - the name is the shared contract
    """The definition cannot be used; `problems` are Indonesian sentences shown to the admin."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def dec(value: float | int | Decimal) -> Decimal:
    """Exact decimal of what a person typed: 26.75 stays 26.75 (not 26.7499999…)."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int):
        return Decimal(value)
    return Decimal(repr(float(value)))


def round2(value: Decimal) -> Decimal:
    """Half-up to 2 decimals: what is printed decides (39.995 → 40.00)."""
    return value.quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Band:
    bound: Decimal | None  # lower bound (higher is better) or upper bound (lower is better)
    score: Decimal


@dataclass(frozen=True)
class Indicator:
    code: str
    name: str
    dimension: str
    kind: str
    weight: Decimal  # 0 for gates
    unit: str
    manual: bool
    topic: str
    minimum: Decimal = Decimal(0)
    maximum: Decimal | None = None
    higher_is_better: bool = True
    bands: tuple[Band, ...] = ()
    factor: Decimal = Decimal(1)
    milestones: tuple[Decimal, ...] = ()

    @property
    def is_gate(self) -> bool:
        return self.kind == KIND_GATE


@dataclass(frozen=True)
class Dimension:
    code: str
    name: str
    weight: Decimal
    indicators: tuple[str, ...]  # every indicator of the dimension, gates included, in order

    def scored(self, fw: Framework) -> tuple[str, ...]:
        """The dimension's scored indicators (gates left out), in order; remembered on `fw`
        (every total score asks for them, and the roadmap computes thousands per KIM)."""
        kept = fw.memo.setdefault("scored", {})
        found = kept.get(self.code)
        if found is None:
            found = kept[self.code] = tuple(
                c for c in self.indicators if not fw.indicators[c].is_gate
            )
        return found


@dataclass(frozen=True)
class Tier:
    name: str
    minimum: Decimal


@dataclass(frozen=True)
class Condition:
    tier: str
    target: str  # an indicator or a dimension code
    minimum: Decimal


@dataclass(frozen=True)
class Stability:
    max_promotion: int
    demotion_margin: Decimal


@dataclass(frozen=True)
class Framework:
    name: str
    description: str
    dimensions: tuple[Dimension, ...]
    indicators: Mapping[str, Indicator]
    gates: tuple[str, ...]
    tiers: tuple[Tier, ...]
    conditions: tuple[Condition, ...]
    stability: Stability
    definition: Mapping[str, Any] = field(repr=False, compare=False)

    @property
    def tier_names(self) -> tuple[str, ...]:
        return tuple(t.name for t in self.tiers)

    @cached_property
    def memo(self) -> dict[str, Any]:
        """What other modules derive from this framework and keep (the engine's compiled weights
        and score caches). The framework never changes, so nothing kept here goes stale; it belongs
        to this object, so another version, or the same definition loaded again, starts empty.
        Not a field: equality, repr and `to_dict` ignore it."""
        return {}

    def tier_index(self, name: str) -> int:
        return self.tier_names.index(name)

    def tier_minimum(self, name: str) -> Decimal:
        return self.tiers[self.tier_index(name)].minimum

    def dimension(self, code: str) -> Dimension:
        return next(d for d in self.dimensions if d.code == code)

    def label(self, code: str) -> str:
        """'W2 Konsistensi mingguan' or 'D Kemandirian & dampak' for messages."""
        if code in self.indicators:
            return f"{code} {self.indicators[code].name}"
        return f"{code} {self.dimension(code).name}"

    def conditions_for(self, tier: str) -> tuple[Condition, ...]:
        return tuple(c for c in self.conditions if c.tier == tier)

    def to_dict(self) -> dict[str, Any]:
        """A deep copy of the definition (safe to edit into a new draft)."""
        return json.loads(json.dumps(self.definition))


# --- validation -------------------------------------------------------------------------------


def _is_number(value: Any) -> bool:
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(float(value))
    )


def _fmt(value: Any) -> str:
    if _is_number(value):
        d = dec(value).normalize()
        text = f"{d:f}"
        return text.replace(".", ",")
    return str(value)


class _Checker:
    def __init__(self) -> None:
        self.problems: list[str] = []

    def add(self, message: str) -> None:
        self.problems.append(message)

    def number(self, value: Any, what: str, *, positive: bool = False) -> Decimal | None:
        if not _is_number(value):
            self.add(f"{what} harus berupa angka.")
            return None
        d = dec(value)
        if positive and d <= 0:
            self.add(f"{what} harus lebih dari 0 (sekarang {_fmt(value)}).")
            return None
        return d

    def text(self, value: Any, what: str) -> str:
        if not isinstance(value, str) or not value.strip():
            self.add(f"{what} wajib diisi.")
            return ""
        return value.strip()


def _check_bands(
    ck: _Checker,
    raw: dict[str, Any],
    code: str,
    minimum: Decimal | None,
    maximum: Decimal | None,
    higher: bool,
) -> tuple[Band, ...]:
    bands_raw = raw.get("bands")
    if not isinstance(bands_raw, list) or not bands_raw:
        ck.add(f"Pita skor {code} wajib diisi (pasangan batas:skor).")
        return ()
    bands: list[Band] = []
    ok = True
    for i, item in enumerate(bands_raw, start=1):
        if not isinstance(item, list | tuple) or len(item) != 2:
            ck.add(f"Pita skor {code} ke-{i} harus berupa pasangan batas dan skor.")
            ok = False
            continue
        bound_raw, score_raw = item
        bound: Decimal | None
        if bound_raw is None:
            bound = None
        else:
            bound = ck.number(bound_raw, f"Batas pita {code} ke-{i}")
            if bound is None:
                ok = False
                continue
        score = ck.number(score_raw, f"Skor pita {code} ke-{i}")
        if score is None:
            ok = False
            continue
        if not Decimal(0) <= score <= Decimal(100):
            ck.add(f"Skor pita {code} ke-{i} harus 0–100 (sekarang {_fmt(score_raw)}).")
            ok = False
        bands.append(Band(bound, score))
    if not ok:
        return ()

    bounds = [b.bound for b in bands]
    if higher:
        if any(b is None for b in bounds):
            ck.add(
                f"Pita skor {code}: setiap pita harus punya batas bawah "
                "('*' hanya untuk indikator yang makin kecil makin baik)."
            )
            return ()
        if minimum is not None and bounds[0] != minimum:
            ck.add(
                f"Pita skor {code} harus mulai dari nilai minimum {_fmt(minimum)}, "
                f"bukan {_fmt(bounds[0])} (ada nilai yang tidak mendapat skor)."
            )
            ok = False
    else:
        if bounds[-1] is not None:
            ck.add(
                f"Pita skor {code}: pita terakhir harus terbuka ('*', nilai di atas batas "
                f"{_fmt(bounds[-1])}) agar setiap nilai mendapat skor."
            )
            ok = False
        if any(b is None for b in bounds[:-1]):
            ck.add(f"Pita skor {code}: hanya pita terakhir yang boleh tanpa batas ('*').")
            return ()
        if minimum is not None and bounds[0] is not None and bounds[0] < minimum:
            ck.add(
                f"Pita skor {code}: batas {_fmt(bounds[0])} di bawah nilai minimum {_fmt(minimum)}."
            )
            ok = False
    finite = [b for b in bounds if b is not None]
    for prev, cur in itertools.pairwise(finite):
        if cur <= prev:
            what = "tumpang tindih" if cur < prev else "ganda"
            ck.add(
                f"Pita skor {code}: batas harus naik berurutan; {_fmt(cur)} setelah "
                f"{_fmt(prev)} membuat pita {what}."
            )
            ok = False
    if maximum is not None and finite and finite[-1] > maximum:
        ck.add(
            f"Pita skor {code}: batas {_fmt(finite[-1])} melebihi nilai maksimum {_fmt(maximum)}."
        )
        ok = False
    scores = [b.score for b in bands]
    ordered = scores if higher else list(reversed(scores))
    if any(later < earlier for earlier, later in itertools.pairwise(ordered)):
        ck.add(f"Pita skor {code}: skor tidak boleh turun ketika nilainya makin baik.")
        ok = False
    return tuple(bands) if ok else ()


def _check_indicator(
    ck: _Checker, raw: Any, position: int, dimension_codes: set[str]
) -> Indicator | None:
    if not isinstance(raw, dict):
        ck.add(f"Indikator ke-{position} tidak terbaca.")
        return None
    code = ck.text(raw.get("code"), f"Kode indikator ke-{position}")
    label = code or f"ke-{position}"
    name = ck.text(raw.get("name"), f"Nama indikator {label}")
    dimension = raw.get("dimension")
    if not isinstance(dimension, str) or dimension not in dimension_codes:
        ck.add(f"Indikator {label} harus masuk ke salah satu dimensi (sekarang '{dimension}').")
    kind = raw.get("kind")
    if kind not in KINDS:
        ck.add(f"Jenis indikator {label} harus gate, bands atau linear (sekarang '{kind}').")
        return None
    unit = str(raw.get("unit") or "")
    manual = bool(raw.get("manual", False))
    topic = str(raw.get("topic") or "")
    if not code:
        return None
    if kind == KIND_GATE:
        return Indicator(
            code, name, str(dimension), kind, Decimal(0), unit or "ya/tidak", manual, topic
        )

    weight = ck.number(raw.get("weight"), f"Bobot indikator {code}", positive=True)
    minimum = ck.number(raw.get("min", 0), f"Nilai minimum {code}")
    maximum: Decimal | None = None
    if raw.get("max") is not None:
        maximum = ck.number(raw.get("max"), f"Nilai maksimum {code}")
        if minimum is not None and maximum is not None and maximum <= minimum:
            ck.add(f"Nilai maksimum {code} harus di atas nilai minimum.")
    higher = raw.get("higher_is_better", True)
    if not isinstance(higher, bool):
        ck.add(f"Arah indikator {code} (higher_is_better) harus true atau false.")
        higher = True

    bands: tuple[Band, ...] = ()
    factor = Decimal(1)
    milestones: tuple[Decimal, ...] = ()
    if kind == KIND_BANDS:
        bands = _check_bands(ck, raw, code, minimum, maximum, higher)
    else:
        if not higher:
            ck.add(f"Indikator linear {code} harus makin besar makin baik.")
        if maximum is None:
            ck.add(f"Indikator linear {code} memerlukan nilai maksimum.")
        factor = ck.number(raw.get("factor"), f"Pengali skor {code}", positive=True) or factor
        ms_raw = raw.get("milestones") or []
        if not isinstance(ms_raw, list) or not ms_raw:
            ck.add(f"Target bertahap {code} (milestones) wajib diisi.")
        else:
            parsed = [ck.number(m, f"Target bertahap {code}") for m in ms_raw]
            if all(p is not None for p in parsed):
                milestones = tuple(p for p in parsed if p is not None)
                if any(b <= a for a, b in itertools.pairwise(milestones)):
                    ck.add(f"Target bertahap {code} harus naik berurutan.")
                lo, hi = minimum, maximum
                if lo is not None and hi is not None and any(not lo < m <= hi for m in milestones):
                    ck.add(f"Target bertahap {code} harus di antara minimum dan maksimum.")
    return Indicator(
        code=code,
        name=name,
        dimension=str(dimension),
        kind=kind,
        weight=weight or Decimal(0),
        unit=unit,
        manual=manual,
        topic=topic,
        minimum=minimum if minimum is not None else Decimal(0),
        maximum=maximum,
        higher_is_better=higher,
        bands=bands,
        factor=factor,
        milestones=milestones,
    )


def load_framework(definition: Mapping[str, Any]) -> Framework:
    """Validate a definition and freeze it. Raises FrameworkInvalid with every problem found."""
    ck = _Checker()
    if not isinstance(definition, Mapping):
        raise FrameworkInvalid(["Definisi kerangka tidak terbaca."])
    name = ck.text(definition.get("name"), "Nama kerangka")
    description = str(definition.get("description") or "")

    # dimensions
    dims_raw = definition.get("dimensions")
    dim_specs: list[tuple[str, str, Decimal]] = []
    if not isinstance(dims_raw, list) or not dims_raw:
        ck.add("Kerangka harus punya setidaknya satu dimensi.")
        dims_raw = []
    seen_dims: set[str] = set()
    for i, raw in enumerate(dims_raw, start=1):
        if not isinstance(raw, dict):
            ck.add(f"Dimensi ke-{i} tidak terbaca.")
            continue
        code = ck.text(raw.get("code"), f"Kode dimensi ke-{i}")
        dname = ck.text(raw.get("name"), f"Nama dimensi {code or i}")
        weight = ck.number(raw.get("weight"), f"Bobot dimensi {code or i}", positive=True)
        if code in seen_dims:
            ck.add(f"Kode dimensi {code} dipakai lebih dari sekali.")
            continue
        if code:
            seen_dims.add(code)
            dim_specs.append((code, dname, weight or Decimal(0)))

    # indicators
    inds_raw = definition.get("indicators")
    if not isinstance(inds_raw, list) or not inds_raw:
        ck.add("Kerangka harus punya indikator.")
        inds_raw = []
    indicators: dict[str, Indicator] = {}
    for i, raw in enumerate(inds_raw, start=1):
        ind = _check_indicator(ck, raw, i, seen_dims)
        if ind is None:
            continue
        if ind.code in indicators:
            ck.add(
                f"Indikator {ind.code} tercantum lebih dari sekali; setiap indikator hanya "
                "boleh berada di satu dimensi."
            )
            continue
        if ind.code in seen_dims:
            ck.add(f"Kode {ind.code} dipakai untuk dimensi dan indikator sekaligus.")
        indicators[ind.code] = ind

    dimensions = []
    for code, dname, weight in dim_specs:
        members = tuple(c for c, ind in indicators.items() if ind.dimension == code)
        if not any(not indicators[c].is_gate for c in members):
            ck.add(f"Dimensi {code} belum punya indikator yang dinilai.")
        dimensions.append(Dimension(code, dname, weight, members))
    gates = tuple(c for c, ind in indicators.items() if ind.is_gate)

    # tiers
    tiers_raw = definition.get("tiers")
    tiers: list[Tier] = []
    if not isinstance(tiers_raw, list) or len(tiers_raw) < 2:
        ck.add("Kerangka harus punya setidaknya dua jenjang.")
        tiers_raw = []
    for i, raw in enumerate(tiers_raw, start=1):
        if not isinstance(raw, dict):
            ck.add(f"Jenjang ke-{i} tidak terbaca.")
            continue
        tname = ck.text(raw.get("name"), f"Nama jenjang ke-{i}")
        tmin = ck.number(raw.get("min"), f"Batas bawah jenjang {tname or i}")
        if tname and tmin is not None:
            if any(t.name == tname for t in tiers):
                ck.add(f"Nama jenjang {tname} dipakai lebih dari sekali.")
            tiers.append(Tier(tname, tmin))
    if tiers:
        if tiers[0].minimum != 0:
            ck.add(f"Batas bawah jenjang terendah ({tiers[0].name}) harus 0.")
        for prev, cur in itertools.pairwise(tiers):
            if cur.minimum <= prev.minimum:
                ck.add(
                    f"Batas bawah jenjang harus naik: {cur.name} ({_fmt(cur.minimum)}) "
                    f"tidak di atas {prev.name} ({_fmt(prev.minimum)})."
                )
        if tiers[-1].minimum > 100:
            ck.add(f"Batas bawah jenjang {tiers[-1].name} melebihi 100.")
    tier_names = [t.name for t in tiers]

    # conditions
    conds_raw = definition.get("conditions") or []
    conditions: list[Condition] = []
    if not isinstance(conds_raw, list):
        ck.add("Syarat jenjang tidak terbaca.")
        conds_raw = []
    for i, raw in enumerate(conds_raw, start=1):
        if not isinstance(raw, dict):
            ck.add(f"Syarat jenjang ke-{i} tidak terbaca.")
            continue
        tier = raw.get("tier")
        target = raw.get("target")
        cmin = ck.number(raw.get("min"), f"Ambang syarat ke-{i}")
        if tier not in tier_names:
            ck.add(f"Syarat ke-{i} menyebut jenjang '{tier}' yang tidak ada.")
        elif tier_names and tier == tier_names[0]:
            ck.add(f"Syarat ke-{i}: jenjang terendah ({tier}) tidak boleh bersyarat.")
        is_code = isinstance(target, str)
        is_scored_indicator = is_code and target in indicators and not indicators[target].is_gate
        if not (is_scored_indicator or (is_code and target in seen_dims)):
            ck.add(
                f"Syarat ke-{i} menyebut '{target}', bukan kode indikator yang dinilai "
                "atau kode dimensi."
            )
        if cmin is not None and not Decimal(0) <= cmin <= Decimal(100):
            ck.add(f"Ambang syarat ke-{i} harus 0–100.")
        if cmin is not None and isinstance(tier, str) and isinstance(target, str):
            conditions.append(Condition(tier, target, cmin))

    # stability
    stab_raw = definition.get("stability")
    max_promotion = 1
    margin = Decimal(5)
    if not isinstance(stab_raw, dict):
        ck.add("Aturan stabilitas (stability) wajib diisi.")
    else:
        mp = stab_raw.get("max_promotion")
        if not isinstance(mp, int) or isinstance(mp, bool) or mp < 1:
            ck.add("Kenaikan maksimum per periode harus bilangan bulat ≥ 1.")
        else:
            max_promotion = mp
        m = ck.number(stab_raw.get("demotion_margin"), "Selisih turun langsung")
        if m is not None:
            if m < 0:
                ck.add("Selisih turun langsung tidak boleh negatif.")
            margin = m

    if ck.problems:
        raise FrameworkInvalid(ck.problems)
    return Framework(
        name=name,
        description=description,
        dimensions=tuple(dimensions),
        indicators=indicators,
        gates=gates,
        tiers=tuple(tiers),
        conditions=tuple(conditions),
        stability=Stability(max_promotion, margin),
        definition=json.loads(json.dumps(dict(definition))),
    )


def default_definition() -> dict[str, Any]:
    """The shipped framework v1 (DESIGN.md §4) as a fresh dict."""
    with DEFAULT_PATH.open(encoding="utf-8") as fh:
        return json.load(fh)


def default_framework() -> Framework:
    return load_framework(default_definition())
