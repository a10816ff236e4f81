"""Which KIM a spreadsheet row names: the same rule in every import that lists KIMs (posts, totals,
measurements, and next the attendance lists and visit findings).

A KIM is named by its KIM.id number, or by its name within its desa (the desa by code, or by name
within its kecamatan), or by its name alone when that is unique in the user's scope; a KIM outside
the scope is simply not found. The KIMs and regions in scope are loaded once; a file names the same
KIM on many rows, so each distinct spelling is resolved once and remembered.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from flask_babel import gettext as _

from tracker.io.kim_columns import REFERENCE_COLUMNS
from tracker.io.tabular import Row, Table
from tracker.models.user import User
from tracker.services.common.import_rows import RowProblems
from tracker.services.registry.lookup import KimIndex, RegionIndex, ResolveError

_FIELDS = tuple(REFERENCE_COLUMNS)
_CACHED = 50_000  # distinct spellings remembered (a file of junk names must not grow without end)

Faults = tuple[tuple[str, str], ...]  # (column, message) of a row that names no KIM


@dataclass
class KimLookup:
    """The KIMs (and regions) a user may write for, to find a row's KIM without a query."""

    regions: RegionIndex
    kims: KimIndex
    table: Table
    _positions: Sequence[int] = ()
    _known: dict[tuple[object, ...], tuple[int | None, Faults]] = field(default_factory=dict)
    _kecamatan: dict[int, str] = field(default_factory=dict)

    @classmethod
    def load(cls, actor: User | None, table: Table) -> KimLookup:
        scope = None if actor is None else actor.scope_codes
        positions = [table.positions[f] for f in _FIELDS if f in table.positions]
        return cls(RegionIndex.load(scope), KimIndex.load(scope), table, positions)

    def resolve(self, row: Row, problems: RowProblems) -> int | None:
        """The row's KIM id, or None after adding the problem (naming the value) to `problems`."""
        cells = row.cells
        key = tuple([cells[i] for i in self._positions])
        known = self._known.get(key)
        if known is None:
            known = self._resolve(row)
            if len(self._known) >= _CACHED:
                self._known.clear()
            self._known[key] = known
        kim_id, faults = known
        for column, message in faults:
            problems.add(row.number, column, message)
        return kim_id

    def kecamatan(self, kim_id: int) -> str:
        """The name of the KIM's kecamatan, for the preview's counts."""
        name = self._kecamatan.get(kim_id)
        if name is None:
            desa = self.kims.desa.get(kim_id, "")
            code = self.regions.parents.get(desa) or ""
            name = self._kecamatan[kim_id] = self.regions.names.get(code, code)
        return name

    def _resolve(self, row: Row) -> tuple[int | None, Faults]:
        """KIM.id number first; else the name within its desa (desa by code, or by name within
        the kecamatan); else the name alone when it is unique in scope."""
        label = self.table.label
        kimid, name = row.text("kimid"), row.text("name")
        if kimid:
            found = self.kims.find(kimid=kimid)
            if found is not None:
                return found, ()
            if not name:
                message = _(
                    "KIM dengan Nomor KIM.id '%(value)s' tidak ditemukan di wilayah kerja Anda",
                    value=kimid,
                )
                return None, ((label("kimid"), message),)
        if not name:
            column = label("name") if "name" in self.table.headers else "Nama KIM"
            return None, ((column, _("isi Nomor KIM.id atau Nama KIM")),)
        desa, kecamatan, desa_code = row.text("desa"), row.text("kecamatan"), row.text("desa_code")
        if not (desa or desa_code):
            try:
                return self.kims.find_by_name_only(name), ()
            except ResolveError as exc:
                return None, ((label("name"), str(exc)),)
        try:
            code = self.regions.resolve_desa(desa, kecamatan, desa_code)
        except ResolveError as exc:
            column = "desa_code" if desa_code else ("desa" if desa else "kecamatan")
            return None, ((label(column), str(exc)),)
        found = self.kims.find(name=name, desa_code=code)
        if found is None:
            message = _(
                "KIM '%(name)s' tidak ditemukan di Desa %(desa)s (wilayah kerja Anda)",
                name=name,
                desa=self.regions.names.get(code, code),
            )
            return None, ((label("name"), message),)
        return found, ()

    def column_of(self, row: Row) -> str:
        """The column the row named its KIM by (for a problem about the KIM itself)."""
        return self.table.label("kimid") if row.text("kimid") else self.table.label("name")
