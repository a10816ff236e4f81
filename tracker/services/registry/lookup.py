"""Finding regions and KIMs from what a spreadsheet row says.

Every import resolves names the same way (DESIGN.md §3): a desa by its code when the file has one,
else by name within its kecamatan, and a kecamatan by name within its kabupaten when the database
holds more than one; an ambiguous name is an error naming the candidates, never a guess. The
indexes are loaded once per import (two or three queries), then every row is a dictionary lookup.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import select

from tracker.extensions import db
from tracker.models import Kim, Region
from tracker.models.region import LEVEL_DESA, LEVEL_KABUPATEN, LEVEL_KECAMATAN
from tracker.services.common.errors import Invalid
from tracker.services.common.scope import scope_filter
from tracker.text import fold

_KEC_PREFIX = re.compile(r"^(kecamatan|kec)\b\.?\s*")
_DESA_PREFIX = re.compile(r"^(desa|kelurahan|kel|ds)\b\.?\s*")
_KAB_PREFIX = re.compile(r"^(kabupaten|kab|kota)\b\.?\s*")


class ResolveError(Invalid):
    """The row names no region/KIM we know, or more than one; the message says which."""


def kecamatan_key(text: str) -> str:
    """'Kec. Sukodono' / 'KECAMATAN  SUKODONO' / 'sukodono' → 'sukodono'."""
    return _KEC_PREFIX.sub("", fold(text))


def desa_key(text: str) -> str:
    return _DESA_PREFIX.sub("", fold(text))


def kabupaten_key(text: str) -> str:
    return _KAB_PREFIX.sub("", fold(text))


@dataclass
class RegionIndex:
    """Kabupaten, kecamatan and desa within a scope, indexed by code and by folded name."""

    names: dict[str, str] = field(default_factory=dict)  # code -> name
    parents: dict[str, str | None] = field(default_factory=dict)
    levels: dict[str, int] = field(default_factory=dict)
    kecamatan_by_name: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    desa_by_name: dict[tuple[str, str], list[str]] = field(
        default_factory=lambda: defaultdict(list)
    )
    kabupaten_by_name: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))

    @classmethod
    def load(cls, scope_codes: Iterable[str] | None = None) -> RegionIndex:
        """All regions from kabupaten down, limited to the scope subtrees when given."""
        stmt = select(Region.code, Region.name, Region.level, Region.parent_code).where(
            Region.level >= LEVEL_KABUPATEN
        )
        codes = list(scope_codes) if scope_codes is not None else None
        index = cls()
        if codes is not None:
            # ancestors of the scope roots are needed to name a kecamatan's kabupaten
            stmt = stmt.where(scope_filter(Region.code, codes) | Region.code.in_(_ancestors(codes)))
        for code, name, level, parent in db.session.execute(stmt):
            index.names[code] = name
            index.parents[code] = parent
            index.levels[code] = level
            if level == LEVEL_KABUPATEN:
                index.kabupaten_by_name[kabupaten_key(name)].append(code)
            elif level == LEVEL_KECAMATAN and (codes is None or _inside(code, codes)):
                index.kecamatan_by_name[kecamatan_key(name)].append(code)
            elif level == LEVEL_DESA and (codes is None or _inside(code, codes)):
                index.desa_by_name[(parent or "", desa_key(name))].append(code)
        return index

    def label(self, code: str) -> str:
        """'Sukodono (35.08.09)' — for messages that must name candidates."""
        return f"{self.names.get(code, code)} ({code})"

    def kecamatan(self, text: str, kabupaten: str | None = None) -> str:
        """The kecamatan code for a name (optionally within a named kabupaten)."""
        key = kecamatan_key(text)
        if not key:
            raise ResolveError("kecamatan kosong")
        if key.replace(".", "").isdigit() and self.levels.get(text.strip()) == LEVEL_KECAMATAN:
            return text.strip()
        candidates = list(self.kecamatan_by_name.get(key, []))
        if kabupaten:
            kab_codes = set(self.kabupaten_by_name.get(kabupaten_key(kabupaten), []))
            candidates = [c for c in candidates if self.parents.get(c) in kab_codes]
        if not candidates:
            raise ResolveError(f"kecamatan '{text}' tidak dikenal di wilayah kerja Anda")
        if len(candidates) > 1:
            names = "; ".join(
                f"{self.label(c)} di {self.label(self.parents[c] or '')}" for c in candidates
            )
            raise ResolveError(
                f"kecamatan '{text}' ada di lebih dari satu kabupaten: {names}. "
                "Tambahkan kolom Kabupaten atau Kode Desa."
            )
        return candidates[0]

    def desa(self, text: str, kecamatan_code: str) -> str:
        key = desa_key(text)
        if not key:
            raise ResolveError("desa/kelurahan kosong")
        candidates = self.desa_by_name.get((kecamatan_code, key), [])
        if not candidates:
            raise ResolveError(
                f"desa/kelurahan '{text}' tidak ditemukan di Kecamatan "
                f"{self.names.get(kecamatan_code, kecamatan_code)}"
            )
        if len(candidates) > 1:
            raise ResolveError(
                f"desa/kelurahan '{text}' ada lebih dari satu di kecamatan ini: "
                + "; ".join(self.label(c) for c in candidates)
                + ". Gunakan kolom Kode Desa."
            )
        return candidates[0]

    def desa_by_code(self, code: str) -> str:
        code = code.strip()
        if self.levels.get(code) != LEVEL_DESA:
            raise ResolveError(f"kode desa '{code}' tidak dikenal di wilayah kerja Anda")
        return code

    def resolve_desa(
        self,
        desa: str,
        kecamatan: str,
        desa_code: str = "",
        kabupaten: str = "",
    ) -> str:
        """A row's desa: by code when given, else by name within its kecamatan."""
        if desa_code:
            return self.desa_by_code(desa_code)
        if not kecamatan:
            if not desa:
                raise ResolveError("desa/kelurahan kosong")
            matches = [
                c
                for (kec, key), cs in self.desa_by_name.items()
                if key == desa_key(desa)
                for c in cs
            ]
            if len(matches) == 1:
                return matches[0]
            if not matches:
                raise ResolveError(f"desa/kelurahan '{desa}' tidak ditemukan; isi kolom Kecamatan")
            raise ResolveError(
                f"desa/kelurahan '{desa}' ada di beberapa kecamatan: "
                + "; ".join(self.label(c) for c in matches)
                + ". Isi kolom Kecamatan."
            )
        return self.desa(desa, self.kecamatan(kecamatan, kabupaten or None))


def _inside(code: str, roots: list[str]) -> bool:
    return any(code == r or code.startswith(r + ".") for r in roots)


def _ancestors(codes: list[str]) -> list[str]:
    out: set[str] = set()
    for code in codes:
        parts = code.split(".")
        out.update(".".join(parts[:i]) for i in range(1, len(parts)))
    return sorted(out)


@dataclass
class KimIndex:
    """KIMs within a scope by KIM.id number and by (desa, folded name)."""

    by_kimid: dict[str, int] = field(default_factory=dict)
    by_name: dict[tuple[str, str], int] = field(default_factory=dict)
    by_plain_name: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    desa: dict[int, str] = field(default_factory=dict)  # KIM id -> its desa code

    @classmethod
    def load(cls, scope_codes: Iterable[str] | None = None) -> KimIndex:
        stmt = select(Kim.id, Kim.kimid_number, Kim.desa_code, Kim.name_key)
        if scope_codes is not None:
            stmt = stmt.where(scope_filter(Kim.desa_code, list(scope_codes)))
        index = cls()
        for kim_id, kimid, desa_code, name_key in db.session.execute(stmt):
            if kimid:
                index.by_kimid[fold(kimid)] = kim_id
            index.by_name[(desa_code, name_key)] = kim_id
            index.by_plain_name[name_key].append(kim_id)
            index.desa[kim_id] = desa_code
        return index

    def find(self, kimid: str = "", name: str = "", desa_code: str | None = None) -> int | None:
        """KIM.id number first, else name within the desa; None when nothing matches."""
        if kimid and (found := self.by_kimid.get(fold(kimid))) is not None:
            return found
        if name and desa_code:
            return self.by_name.get((desa_code, fold(name)))
        return None

    def find_by_name_only(self, name: str) -> int:
        """A KIM named without its desa: only when the name is unique in scope."""
        matches = self.by_plain_name.get(fold(name), [])
        if len(matches) == 1:
            return matches[0]
        if not matches:
            raise ResolveError(f"KIM '{name}' tidak ditemukan di wilayah kerja Anda")
        raise ResolveError(f"nama KIM '{name}' dipakai lebih dari satu KIM; isi kolom Desa")
