"""Manual indicator values: the data-entry grid of a kecamatan, and the rules of each indicator's
value (which the measurement import, `measurement_import`, checks its rows against).

A value is entered in the indicator's own unit (DESIGN.md §4): K1/K2 ya/tidak, K3/D1 items 0–4,
M1 channels, M2 uploads per month, W2/P2 percent, W4 days. What is valid comes from the active
framework (its indicators, units and ranges), so a new framework version needs no code change here.
What a petugas enters is submitted and counts once an admin or kabid verifies it; what an admin or
kabid enters, or the command line imports, counts at once (`entry_status`). A verified value
overrides a computed value in the assessment.

The grid is all-or-nothing: one bad cell refuses the whole submission, and the page comes back
with what was typed and a message on each bad cell.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select

from tracker.extensions import db
from tracker.io.values import CellError, parse_bool, parse_decimal
from tracker.models import Kim, Measurement, Period, Region, User
from tracker.models.activity import MEASUREMENT_SUBMITTED
from tracker.models.base import utcnow
from tracker.models.kim import STATUS_ACTIVE
from tracker.models.region import LEVEL_KECAMATAN
from tracker.scoring.engine import IndicatorValue
from tracker.scoring.framework import Framework, default_framework
from tracker.services.activity.entry_status import (
    apply_entry,
    as_entered,
    entry_fields,
    may_change,
    verifies_on_entry,
)
from tracker.services.common import audit_writer, input_changes
from tracker.services.common.errors import NotFound
from tracker.services.common.import_rows import period_rows
from tracker.services.common.permissions import ENTER_ACTIVITY, require
from tracker.services.common.scope import region_visible_filter, user_scope_filter
from tracker.services.common.unit_of_work import transaction
from tracker.services.rules import frameworks
from tracker.services.rules.periods import get_period, require_open

# The grid's standing columns: the manual indicators of DESIGN.md §4. The computed ones can be
# overridden through extra columns the user asks for (or that already hold a value).
MAIN_CODES = ("K1", "K2", "K3", "M1", "M2", "D1")
NOTE_MAX = 1000
# units counted in whole things (items, channels, content types, sessions, days)
_WHOLE_UNITS = {"butir", "kanal", "jenis", "sesi", "hari"}

KIND_YESNO = "yesno"
KIND_WHOLE = "whole"
KIND_DECIMAL = "decimal"


class GridNotFoundError(NotFound):
    """No such period or kecamatan, or one outside the user's scope, or a KIM not on the grid."""


@dataclass(frozen=True)
class Rule:
    """How one indicator's manual value is typed and checked."""

    code: str
    name: str
    unit: str
    kind: str  # yesno, whole, decimal
    minimum: float
    maximum: float | None
    manual: bool

    @property
    def hint(self) -> str:
        """'ya/tidak', '0–4', '≥ 0', '0–100 %' — shown under the column header."""
        if self.kind == KIND_YESNO:
            return "ya/tidak"
        low = _number_text(self.minimum)
        if self.maximum is None:
            return f"≥ {low} {self.unit}".strip()
        return f"{low}–{_number_text(self.maximum)} {self.unit}".strip()

    @property
    def inputmode(self) -> str:
        return {KIND_YESNO: "text", KIND_WHOLE: "numeric"}.get(self.kind, "decimal")

    def parse(self, raw: object) -> float:
        """The stored value (ya = 1, tidak = 0); CellError with an Indonesian message."""
        if self.kind == KIND_YESNO:
            return 1.0 if parse_bool(raw) else 0.0
        value = parse_decimal(raw)
        if self.kind == KIND_WHOLE and value != int(value):
            raise CellError(_("'%(raw)s' harus bilangan bulat", raw=raw))
        if value < self.minimum or (self.maximum is not None and value > self.maximum):
            raise CellError(
                _(
                    "%(code)s harus %(range)s, bukan '%(raw)s'",
                    code=self.code,
                    range=self.hint,
                    raw=raw,
                )
            )
        return float(value)

    def show(self, value: float | None) -> str:
        """A stored value the way it is typed: ya/tidak, 3, 92,3."""
        if value is None:
            return ""
        if self.kind == KIND_YESNO:
            return "ya" if value >= 0.5 else "tidak"
        return _number_text(value)


def _number_text(value: float) -> str:
    """Every digit of the stored number (92,3; 2,123456): the grid is saved back as shown, so a
    value rounded for display would be silently rewritten by a save that changed nothing."""
    if float(value).is_integer():
        return str(int(value))
    return format(Decimal(repr(float(value))), "f").replace(".", ",")


def _active_framework() -> Framework:
    """The active version's rules; the shipped v1 while none is installed yet."""
    active = frameworks.active_framework()
    return default_framework() if active is None else active[1]


def rules() -> dict[str, Rule]:
    """Every indicator of the active framework (the shipped v1 before one is activated)."""
    fw = _active_framework()
    out: dict[str, Rule] = {}
    for code, ind in fw.indicators.items():
        if ind.is_gate:
            kind = KIND_YESNO
        elif ind.unit in _WHOLE_UNITS:
            kind = KIND_WHOLE
        else:
            kind = KIND_DECIMAL
        out[code] = Rule(
            code=code,
            name=ind.name,
            unit=ind.unit if kind != KIND_YESNO else "",
            kind=kind,
            minimum=float(ind.minimum),
            maximum=None if ind.maximum is None else float(ind.maximum),
            manual=ind.manual,
        )
    return out


# --- the grid ---------------------------------------------------------------------------------


@dataclass
class Cell:
    value: str = ""
    note: str = ""
    recorded_by: str | None = None
    recorded_at: datetime | None = None
    error: str | None = None
    status: str | None = None  # submitted / verified / rejected; None when nothing is stored
    reviewed_by: str | None = None
    reviewed_at: datetime | None = None
    reject_reason: str | None = None
    locked: bool = False  # verified, and the user may not change it: shown, not editable
    # what the assessment uses without a manual value (registry, posts, totals), set by
    # tracker.services.assessment.reference; None for a manual-only indicator
    reference: IndicatorValue | None = None

    @property
    def recorded(self) -> bool:
        return self.recorded_at is not None


@dataclass
class GridRow:
    kim_id: int
    name: str
    desa: str
    kimid_number: str | None
    sk_number: str | None = None
    website: str | None = None
    cells: dict[str, Cell] = field(default_factory=dict)

    @property
    def errors(self) -> int:
        return sum(1 for cell in self.cells.values() if cell.error)


@dataclass
class Grid:
    period: Period
    kecamatan_code: str
    kecamatan_name: str
    columns: list[Rule]
    optional: list[Rule]  # computed indicators that may be added as override columns
    rows: list[GridRow]
    errors: int = 0
    verifier: bool = False  # the user's values count at once; they may verify others'
    current_kim: int | None = None  # the KIM shown first on a phone (?kim=)

    @property
    def closed(self) -> bool:
        return self.period.is_closed

    @property
    def submitted(self) -> int:
        """Values on this grid waiting for verification."""
        return sum(
            1 for row in self.rows for c in row.cells.values() if c.status == MEASUREMENT_SUBMITTED
        )

    @property
    def focus_kim(self) -> int | None:
        """The KIM a phone shows first: the first with a refused cell, else the one asked for,
        else the first."""
        for row in self.rows:
            if row.errors:
                return row.kim_id
        if any(row.kim_id == self.current_kim for row in self.rows):
            return self.current_kim
        return self.rows[0].kim_id if self.rows else None

    @property
    def column_codes(self) -> list[str]:
        return [r.code for r in self.columns]


@dataclass
class GridSave:
    grid: Grid
    created: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    submitted: bool = False  # what was written waits for verification (a petugas saved it)

    @property
    def ok(self) -> bool:
        return self.grid.errors == 0


def _kecamatan(actor: User, code: str) -> Region:
    """The kecamatan if the actor may see it (its own, inside its scope, or holding its scope)."""
    region = db.session.scalar(
        select(Region).where(
            Region.code == code,
            Region.level == LEVEL_KECAMATAN,
            region_visible_filter(Region.code, actor),
        )
    )
    if region is None:
        raise GridNotFoundError()
    return region


def _grid_kims(actor: User, kecamatan_code: str) -> list[GridRow]:
    desa = Region.__table__.alias("desa")
    return [
        GridRow(*row)
        for row in db.session.execute(
            select(Kim.id, Kim.name, desa.c.name, Kim.kimid_number, Kim.sk_number, Kim.website)
            .join(desa, desa.c.code == Kim.desa_code)
            .where(
                desa.c.parent_code == kecamatan_code,
                Kim.status == STATUS_ACTIVE,
                user_scope_filter(Kim.desa_code, actor),
            )
            .order_by(desa.c.name, Kim.name_key)
        )
    ]


def _stored(period: Period, kim_ids: list[int]) -> dict[tuple[int, str], Measurement]:
    return {(m.kim_id, m.indicator_code): m for m in period_rows(Measurement, period.id, kim_ids)}


def _user_names(stored: Iterable[Measurement]) -> dict[int, str]:
    """Who entered and who reviewed these values, by user id (one query)."""
    ids = sorted(
        {m.recorded_by_id for m in stored if m.recorded_by_id is not None}
        | {m.reviewed_by_id for m in stored if m.reviewed_by_id is not None}
    )
    if not ids:
        return {}
    return {
        user_id: full_name or username
        for user_id, full_name, username in db.session.execute(
            select(User.id, User.full_name, User.username).where(User.id.in_(ids))
        )
    }


def _cell(rule: Rule, m: Measurement | None, names: Mapping[int, str], actor: User) -> Cell:
    if m is None:
        return Cell()
    system = _("(sistem)")
    return Cell(
        value=rule.show(m.value),
        note=m.note or "",
        recorded_by=names.get(m.recorded_by_id or 0, system),
        recorded_at=m.recorded_at,
        status=m.status,
        reviewed_by=names.get(m.reviewed_by_id or 0, system) if m.reviewed_at else None,
        reviewed_at=m.reviewed_at,
        reject_reason=m.reject_reason,
        locked=not may_change(actor, m),
    )


def _build_grid(
    actor: User, period_code: str, kecamatan_code: str, extra: Iterable[str]
) -> tuple[Grid, dict[tuple[int, str], Measurement]]:
    period = get_period(period_code)
    kecamatan = _kecamatan(actor, kecamatan_code)
    all_rules = rules()
    rows = _grid_kims(actor, kecamatan.code)
    stored = _stored(period, [row.kim_id for row in rows])
    wanted = set(extra) | {code for (_kim, code) in stored}
    main = [all_rules[c] for c in MAIN_CODES if c in all_rules]
    # other manual indicators of a newer framework join the standing columns
    main += [r for c, r in all_rules.items() if r.manual and c not in MAIN_CODES]
    optional = [r for r in all_rules.values() if r not in main]
    columns = main + [r for r in optional if r.code in wanted]
    names = _user_names(stored.values())
    for row in rows:
        for rule in columns:
            row.cells[rule.code] = _cell(rule, stored.get((row.kim_id, rule.code)), names, actor)
    grid = Grid(
        period=period,
        kecamatan_code=kecamatan.code,
        kecamatan_name=kecamatan.name,
        columns=columns,
        optional=optional,
        rows=rows,
        verifier=verifies_on_entry(actor),
    )
    return grid, stored


def load_grid(
    actor: User,
    period_code: str,
    kecamatan_code: str,
    extra: Iterable[str] = (),
    kim_id: int | None = None,
) -> Grid:
    """Every active KIM of a kecamatan (within the actor's scope) with its values for the period.

    `extra` names computed indicators to show as override columns; a column that already holds a
    value is always shown. `kim_id` is the KIM a phone shows first.
    """
    require(actor, ENTER_ACTIVITY)
    grid, _stored_values = _build_grid(actor, period_code, kecamatan_code, extra)
    grid.current_kim = kim_id
    return grid


def save_grid(
    actor: User,
    period_code: str,
    kecamatan_code: str,
    cells: Mapping[tuple[int, str], tuple[str, str]],
    extra: Iterable[str] = (),
) -> GridSave:
    """Check every submitted cell `(kim_id, code) → (value text, note)`; write only if all pass.

    A cell not submitted is left alone; an empty value deletes a stored one. Unchanged cells keep
    their recorder and status. What a petugas writes is submitted for verification; a verified
    value is refused as a cell error when a petugas changes or clears it. One audit entry lists
    every change.
    """
    require(actor, ENTER_ACTIVITY)
    grid, stored = _build_grid(
        actor, period_code, kecamatan_code, {c for _k, c in cells} | set(extra)
    )
    require_open(grid.period)
    all_rules = rules()
    on_grid = {row.kim_id: row for row in grid.rows}
    parsed: dict[tuple[int, str], tuple[float | None, str]] = {}
    for (kim_id, code), (raw_value, raw_note) in cells.items():
        row = on_grid.get(kim_id)
        if row is None or code not in all_rules or code not in row.cells:
            raise GridNotFoundError()
        value_text = (raw_value or "").strip()
        note = " ".join((raw_note or "").split())
        cell = row.cells[code]
        cell.value, cell.note = value_text, note
        try:
            if len(note) > NOTE_MAX:
                raise CellError(_("catatan terlalu panjang (maks. %(max)s karakter)", max=NOTE_MAX))
            if not value_text:
                if note:
                    raise CellError(_("catatan tanpa nilai: isi nilainya atau kosongkan catatan"))
                value = None
            else:
                value = all_rules[code].parse(value_text)
            current = stored.get((kim_id, code))
            if cell.locked and current is not None and (value, note) != as_entered(current):
                raise CellError(
                    _("sudah diverifikasi; hanya admin atau kabid yang dapat mengubahnya")
                )
            parsed[(kim_id, code)] = (value, note if value is not None else "")
        except CellError as exc:
            cell.error = str(exc)
            grid.errors += 1
    outcome = GridSave(grid=grid, submitted=not grid.verifier)
    if grid.errors:
        return outcome
    with transaction():
        now = utcnow()
        entered = entry_fields(actor, now)
        changes: dict[str, list[Any]] = {}
        # the KIMs whose counted (verified) values change: their results become stale
        changed_kims: set[int] = set()
        for (kim_id, code), (value, note) in parsed.items():
            current = stored.get((kim_id, code))
            label = f"{kim_id}.{code}"  # audit_vocabulary: "{kim}.{indicator}"
            if value is None:
                if current is not None:
                    changes[label] = [current.value, None]
                    if current.verified:
                        changed_kims.add(kim_id)
                    db.session.delete(current)
                    outcome.deleted += 1
                continue
            if current is None:
                db.session.add(
                    Measurement(
                        kim_id=kim_id,
                        period_id=grid.period.id,
                        indicator_code=code,
                        value=value,
                        note=note or None,
                        **entered,
                    )
                )
                changes[label] = [None, value]
                if grid.verifier:
                    changed_kims.add(kim_id)
                outcome.created += 1
            elif (value, note) != as_entered(current):
                changes[label] = [current.value, value]
                if grid.verifier and (current.value != value or not current.verified):
                    changed_kims.add(kim_id)  # a note alone, or a submitted value, counts nothing
                apply_entry(current, value, note, entered)
                outcome.updated += 1
            else:
                outcome.unchanged += 1
        if changes:
            input_changes.period_changed(grid.period.id, changed_kims)
            audit_writer.record(
                "measurement.grid",
                "measurement",
                None,
                actor,
                params={
                    "period": grid.period.code,
                    "kecamatan": grid.kecamatan_code,
                    "created": outcome.created,
                    "updated": outcome.updated,
                    "deleted": outcome.deleted,
                },
                message="measurement.grid.submitted" if outcome.submitted else None,
                changes=changes,
                region=grid.kecamatan_code,
            )
    return outcome


@dataclass(frozen=True)
class KecamatanChoice:
    code: str
    name: str
    kims: int  # active KIMs in the user's scope


def kecamatan_choices(actor: User) -> list[KecamatanChoice]:
    """The kecamatan a user can open a grid for, with their active KIM counts (two queries)."""
    desa = Region.__table__.alias("desa")
    counts = dict(
        db.session.execute(
            select(desa.c.parent_code, func.count(Kim.id))
            .join(desa, desa.c.code == Kim.desa_code)
            .where(Kim.status == STATUS_ACTIVE, user_scope_filter(Kim.desa_code, actor))
            .group_by(desa.c.parent_code)
        ).all()
    )
    regions = db.session.execute(
        select(Region.code, Region.name)
        .where(Region.level == LEVEL_KECAMATAN, region_visible_filter(Region.code, actor))
        .order_by(Region.name)
    ).all()
    return [KecamatanChoice(code, name, int(counts.get(code, 0))) for code, name in regions]
