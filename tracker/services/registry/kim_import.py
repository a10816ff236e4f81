"""Importing the KIM registry from a spreadsheet: one import kind of the one pipeline
(`tracker.services.common.import_pipeline`), for the CLI and the web.

A row matches an existing KIM on its KIM.id number, else on name within its desa; an existing KIM
is updated only with the cells the row fills (an empty cell never erases a value), so importing the
same file twice changes nothing the second time. Every row is validated before anything is
written; by default one invalid row and nothing is saved (the pipeline's all-or-nothing).

Set-based: the region and KIM indexes are loaded once, the matched KIMs in one query per 500, the
new KIMs are inserted in bulk; each created or updated KIM gets its audit entry, and the file one
entry for the whole import, in the same unit of work. An update that flips a KIM's K1 or K2 gate
marks its open periods stale (`registry.gates`); new KIMs are found unassessed by the period page
itself, so the result only names the open periods to re-run.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from tracker.extensions import db
from tracker.io.kim_columns import CHANNEL_COLUMNS, COLUMNS, channel_key
from tracker.io.tabular import Row, Table
from tracker.io.values import CellError, parse_date, parse_int
from tracker.models import Kim, KimChannel
from tracker.models.base import utcnow
from tracker.models.kim import CHANNEL_PLATFORMS, STATUS_ACTIVE
from tracker.models.user import User
from tracker.services.common import audit_writer, input_changes
from tracker.services.common.errors import Stale
from tracker.services.common.import_pipeline import Change, ImportResult, ImportRun
from tracker.services.common.import_rows import (
    RowProblems,
    chunks,
    earlier_row,
    insert_tuples,
    reserve_ids,
)
from tracker.services.common.permissions import IMPORT_KIM
from tracker.services.common.scope import code_in_scope
from tracker.services.registry import gates
from tracker.services.registry.kims import (
    FieldError,
    check_email,
    check_length,
    check_phone,
    check_sk_date,
    normalize_url,
    parse_status,
    snapshot,
)
from tracker.services.registry.lookup import KimIndex, RegionIndex, ResolveError
from tracker.text import fold

ACTION_CREATE = "create"
ACTION_UPDATE = "update"
LISTED_CHANGES = 200  # KIMs listed in the preview per action; all are counted

# plain text fields: canonical column -> (model attribute, length rule of registry.kims)
_TEXT_FIELDS = {
    "sk_number": ("sk_number", "sk_number"),
    "chair": ("chair", "chair"),
}

assert set(CHANNEL_COLUMNS) == set(CHANNEL_PLATFORMS), "kim_columns and the model disagree"


@dataclass(slots=True)
class _Plan:
    """A row that passed the per-row checks, before it is compared with the database."""

    row: int
    values: dict[str, Any]  # model attribute -> new value, only for the cells the row fills
    channels: dict[str, list[str]]  # platform -> URLs, only for the channel cells filled
    desa_code: str
    target_id: int | None


class _RegionError(Exception):
    def __init__(self, column: str, message: str) -> None:
        super().__init__(message)
        self.column = column
        self.message = message


class _Checker:
    """Per-row validation against the indexes loaded once for the whole file."""

    def __init__(self, table: Table, user: User | None, problems: RowProblems) -> None:
        self.table = table
        self.user = user
        self.scope = None if user is None else user.scope_codes
        self.regions = RegionIndex.load(self.scope)
        self._all_regions: RegionIndex | None = None
        self.kims = KimIndex.load(None)  # KIM.id numbers are unique across every scope
        self.problems = problems
        self.seen_kimid: dict[str, int] = {}
        self.seen_name: dict[tuple[str, str], int] = {}
        self.seen_target: dict[int, int] = {}

    def problem(self, row: Row, key: str | None, message: str) -> None:
        column = self.table.label(key) if key else None
        self.problems.add(row.number, column, message)

    @staticmethod
    def _resolve(index: RegionIndex, row: Row) -> str:
        """The row's desa code; _RegionError names the column at fault and why."""
        code, desa, kec = row.text("desa_code"), row.text("desa"), row.text("kecamatan")
        try:
            if code:
                return index.desa_by_code(code)
        except ResolveError as exc:
            raise _RegionError("desa_code", str(exc)) from exc
        if not desa:
            raise _RegionError("desa", _("desa/kelurahan wajib diisi"))
        if kec:
            try:
                kec_code = index.kecamatan(kec, row.text("kabupaten") or None)
            except ResolveError as exc:
                raise _RegionError("kecamatan", str(exc)) from exc
        try:
            return index.desa(desa, kec_code) if kec else index.resolve_desa(desa, "")
        except ResolveError as exc:
            raise _RegionError("desa", str(exc)) from exc

    def desa_code(self, row: Row) -> str | None:
        try:
            return self._resolve(self.regions, row)
        except _RegionError as exc:
            column, message = exc.column, exc.message
        if self.scope is not None:
            # Name the real reason when the region exists but lies outside the user's scope.
            if self._all_regions is None:
                self._all_regions = RegionIndex.load(None)
            try:
                code = self._resolve(self._all_regions, row)
            except _RegionError:
                pass
            else:
                message = _(
                    "desa/kelurahan %(desa)s (%(code)s) berada di luar wilayah kerja Anda",
                    desa=self._all_regions.names.get(code, code),
                    code=code,
                )
        self.problem(row, column, message)
        return None

    def check(self, row: Row) -> _Plan | None:
        before = self.problems.problem_count
        values: dict[str, Any] = {}
        channels: dict[str, list[str]] = {}

        def rule(key: str, attr: str, func: Callable[..., Any], *args: Any) -> None:
            try:
                values[attr] = func(*args)
            except (FieldError, CellError) as exc:
                self.problem(row, key, str(exc))

        name = row.text("name")
        if not name:
            self.problem(row, "name", _("nama KIM wajib diisi"))
        else:
            rule("name", "name", check_length, "name", name)
        desa_code = self.desa_code(row)
        kimid = row.text("kimid")
        if kimid:
            rule("kimid", "kimid_number", check_length, "kimid_number", kimid)
        for key, (attr, length_rule) in _TEXT_FIELDS.items():
            if text := row.text(key):
                rule(key, attr, check_length, length_rule, text)
        if (raw := row.raw("sk_date")) is not None:
            rule("sk_date", "sk_date", lambda v: check_sk_date(parse_date(v)), raw)
        if text := row.text("phone"):
            rule("phone", "phone", lambda v: check_length("phone", check_phone(v)), text)
        if text := row.text("email"):
            rule("email", "email", lambda v: check_length("email", check_email(v)), text)
        if text := row.text("website"):
            rule("website", "website", normalize_url, text)
        if (raw := row.raw("members")) is not None:
            rule("members", "members", parse_int, raw)
        if text := row.text("status"):
            rule("status", "status", parse_status, text)
        if (notes := _notes(row)) is not None:
            values["notes"] = notes
        for platform in CHANNEL_PLATFORMS:
            text = row.text(channel_key(platform))
            if not text:
                continue
            urls: list[str] = []
            for part in re.split(r"[\s,;]+", text):
                try:
                    url = normalize_url(part)
                except FieldError as exc:
                    self.problem(row, channel_key(platform), str(exc))
                    continue
                if url and url not in urls:
                    urls.append(url)
            channels[platform] = urls

        target_id = None
        if desa_code is not None and "name" in values:
            target_id = self.kims.find(kimid, name, desa_code)
            self._duplicates(row, kimid, values["name"], desa_code, target_id)
        elif kimid:
            self._duplicates(row, kimid, None, None, None)
        if self.problems.problem_count > before or desa_code is None:
            return None
        return _Plan(row.number, values, channels, desa_code, target_id)

    def _duplicates(
        self,
        row: Row,
        kimid: str,
        name: str | None,
        desa_code: str | None,
        target_id: int | None,
    ) -> None:
        """The same KIM twice in one file is an error on the later row, naming the earlier."""
        first = earlier_row(self.seen_kimid, fold(kimid), row.number) if kimid else None
        if first is not None:
            self.problem(
                row,
                "kimid",
                _("Nomor KIM.id '%(v)s' sudah ada di baris %(n)d", v=kimid, n=first),
            )
            return
        if name is None or desa_code is None:
            return
        first = earlier_row(self.seen_name, (desa_code, fold(name)), row.number)
        if first is not None:
            self.problem(
                row,
                "name",
                _("KIM '%(v)s' di desa ini sudah ada di baris %(n)d", v=name, n=first),
            )
            return
        if target_id is None:
            return
        first = earlier_row(self.seen_target, target_id, row.number)
        if first is not None:
            self.problem(
                row,
                "name",
                _("baris ini merujuk KIM yang sama dengan baris %(n)d", n=first),
            )


def _notes(row: Row) -> str | None:
    """Notes keep their line breaks (clean_text would join them); CRLF becomes LF."""
    raw = row.raw("notes")
    if raw is None:
        return None
    text = str(raw).replace("\r\n", "\n").replace("\r", "\n").strip()
    if len(text) > 1 and text[0] == "'" and text[1] in "=+-@":
        text = text[1:]
    return text or None


def _load_targets(ids: set[int]) -> dict[int, Kim]:
    found: dict[int, Kim] = {}
    for chunk in chunks(sorted(ids)):
        stmt = select(Kim).where(Kim.id.in_(chunk)).options(selectinload(Kim.channels))
        found.update((k.id, k) for k in db.session.scalars(stmt))
    return found


def _new_channels(kim: Kim | None, wanted: dict[str, list[str]]) -> list[tuple[str, str]] | None:
    """The KIM's channel list after the row, or None when the row leaves it as it is."""
    current = [(c.platform, c.url) for c in kim.channels] if kim is not None else []
    if not wanted:
        return None
    changed = any(
        [u for p, u in current if p == platform] != urls for platform, urls in wanted.items()
    )
    if not changed:
        return None
    kept = [(p, u) for p, u in current if p not in wanted]
    added = [(p, u) for p in CHANNEL_PLATFORMS for u in wanted.get(p, [])]
    return kept + added


def _apply(kim: Kim, plan: _Plan) -> None:
    for attr, value in plan.values.items():
        setattr(kim, attr, value)
    kim.desa_code = plan.desa_code
    channels = _new_channels(kim, plan.channels)
    if channels is not None:
        kim.channels = [KimChannel(platform=p, url=u) for p, u in channels]


def _compare(kim: Kim, plan: _Plan) -> dict[str, list[Any]]:
    """The audit diff the row would make on `kim`, computed without touching it."""
    before = snapshot(kim)
    after = dict(before)
    after["desa_code"] = plan.desa_code
    for attr, value in plan.values.items():
        after[attr] = value
    channels = _new_channels(kim, plan.channels)
    if channels is not None:
        after["channels"] = [f"{p}: {u}" for p, u in channels]
    return audit_writer.diff(before, after)


@dataclass
class _Channel:
    platform: str
    url: str


@dataclass
class _NewKim:
    """A KIM about to be inserted, with the attributes `snapshot` reads (its audit record) and,
    once inserted, the key and desa its audit entry names."""

    name: str
    desa_code: str
    kimid_number: str | None = None
    website: str | None = None
    sk_number: str | None = None
    sk_date: date | None = None
    chair: str | None = None
    phone: str | None = None
    email: str | None = None
    members: int | None = None
    status: str = STATUS_ACTIVE
    notes: str | None = None
    channels: list[_Channel] = field(default_factory=list)
    id: int | None = None

    @classmethod
    def of(cls, plan: _Plan) -> _NewKim:
        channels = _new_channels(None, plan.channels) or []
        return cls(
            desa_code=plan.desa_code,
            channels=[_Channel(p, u) for p, u in channels],
            **plan.values,
        )


_KIM_COLUMNS = (
    "name",
    "name_key",
    "desa_code",
    "kimid_number",
    "website",
    "sk_number",
    "sk_date",
    "chair",
    "phone",
    "email",
    "members",
    "status",
    "notes",
    "version",
    "created_at",
    "updated_at",
)


_WRITE_BATCH = 5_000  # new KIMs inserted and audited at a time (memory stays flat)


class KimImportStaleError(Stale):
    """Someone saved the same KIM while the import ran; nothing was written."""


class KimImport(ImportRun):
    """Create and update KIMs from a registry file. `actor=None` is the system (CLI): every
    region; a user imports only into his own scope."""

    kind = "kim"
    columns = COLUMNS
    required = ("name", ("desa", "desa_code"))
    permission = IMPORT_KIM
    # every valid row is held until the write (a couple of kilobytes each): fifty thousand KIMs,
    # five times the largest province's registry, stay well inside the memory of an upload
    max_rows = 50_000

    def start(self, table: Table, result: ImportResult) -> None:
        super().start(table, result)
        self.checker = _Checker(table, self.actor, self.problems)
        self.plans: list[_Plan] = []

    def check(self, row: Row) -> None:
        plan = self.checker.check(row)
        if plan is not None:
            self.plans.append(plan)

    def finish(self) -> None:
        """Load the KIMs the rows update, refuse what only the database can tell (scope, a name
        taken by another KIM of the desa), and work out each row's change."""
        checker, label = self.checker, self.table.label
        self.targets = _load_targets({p.target_id for p in self.plans if p.target_id is not None})
        self.writes: list[tuple[_Plan, Change]] = []
        result = self.result
        listed: Counter[str] = Counter()
        for plan in self.plans:
            kim = self.targets.get(plan.target_id) if plan.target_id is not None else None
            if (
                kim is not None
                and checker.scope is not None
                and not code_in_scope(kim.desa_code, checker.scope)
            ):
                self.problems.add(
                    plan.row,
                    label("kimid"),
                    _(
                        "Nomor KIM.id '%(v)s' milik KIM di luar wilayah kerja Anda",
                        v=kim.kimid_number,
                    ),
                )
                continue
            holder = checker.kims.by_name.get((plan.desa_code, fold(plan.values["name"])))
            if holder is not None and holder != plan.target_id:
                self.problems.add(
                    plan.row,
                    label("name"),
                    _(
                        "nama KIM '%(v)s' sudah dipakai KIM lain di Desa %(desa)s",
                        v=plan.values["name"],
                        desa=checker.regions.names.get(plan.desa_code, plan.desa_code),
                    ),
                )
                continue
            kecamatan_code = checker.regions.parents.get(plan.desa_code) or ""
            kecamatan = checker.regions.names.get(kecamatan_code, kecamatan_code)
            result.tally(kecamatan)
            if kim is None:
                action, changes = ACTION_CREATE, {}
                result.created += 1
            else:
                changes = _compare(kim, plan)
                if not changes:
                    result.unchanged += 1
                    continue
                action = ACTION_UPDATE
                result.updated += 1
            desa = checker.regions.names.get(plan.desa_code, plan.desa_code)
            change = Change(
                row=plan.row,
                action=action,
                name=plan.values["name"],
                place=f"{desa}, {kecamatan}",
                object_id=None if kim is None else kim.id,
                changes=changes,
            )
            self.writes.append((plan, change))
            listed[action] += 1
            if listed[action] <= LISTED_CHANGES:
                result.changes.append(change)

    def write(self) -> None:
        """Every create and update, their audit entries and the file's, in the one unit of work.

        New KIMs go in as plain rows with keys reserved for them (`insert_tuples`, `reserve_ids`),
        their channels likewise, and their audit entries as one batch (`audit_writer.Batch`): a
        few bulk statements per 5,000 KIMs. Updates go through the ORM, whose version check
        refuses a KIM someone saved meanwhile."""
        actor, result = self.actor, self.result
        creates = [(plan, change) for plan, change in self.writes if change.action == ACTION_CREATE]
        updated: list[tuple[Kim, Change]] = []
        now = utcnow()
        audit = audit_writer.Batch()
        try:
            for start in range(0, len(creates), _WRITE_BATCH):
                batch = creates[start : start + _WRITE_BATCH]
                new_kims = [_NewKim.of(plan) for plan, _change in batch]
                new_ids = self._insert(new_kims, now)
                for (_plan, change), kim, kim_id in zip(batch, new_kims, new_ids, strict=True):
                    change.object_id = kim.id = kim_id
                    audit_writer.record(
                        "kim.create",
                        "kim",
                        kim_id,
                        actor,
                        params={"name": kim.name, "row": change.row},
                        changes=audit_writer.created(snapshot(kim)),  # type: ignore[arg-type]
                        message="kim.create.import",
                        kim=kim,
                        batch=audit,
                    )
                audit.write()
            for plan, change in self.writes:
                if change.action == ACTION_UPDATE:
                    kim = self.targets[plan.target_id]  # type: ignore[index]
                    _apply(kim, plan)
                    kim.updated_at = now
                    updated.append((kim, change))
            db.session.flush()
        except (StaleDataError, IntegrityError) as exc:
            raise KimImportStaleError(
                _(
                    "Registri KIM berubah selama impor berlangsung (pengguna lain menyimpan data "
                    "yang sama). Tidak ada yang disimpan; ulangi impor."
                )
            ) from exc
        marked = gates.note_edits((kim, change.changes) for kim, change in updated)
        result.changed_periods = input_changes.open_period_codes() if creates else marked
        for kim, change in updated:
            audit_writer.record(
                "kim.update",
                "kim",
                kim.id,
                actor,
                params={"name": kim.name, "row": change.row},
                changes=change.changes,
                message="kim.update.import",
                kim=kim,
                batch=audit,
            )
        audit_writer.record(
            "kim.import",
            "kim",
            None,
            actor,
            params={
                "file": result.filename,
                "created": len(creates),
                "updated": len(updated),
                "unchanged": result.unchanged,
                "invalid": result.invalid,
            },
            region=audit_writer.enclosing_region(plan.desa_code for plan in self.plans),
            batch=audit,
        )
        audit.write()

    def _insert(self, kims: list[_NewKim], now: datetime) -> list[int]:
        """Insert the new KIMs and their channels; their ids, in the same order."""
        if not kims:
            return []
        ids = reserve_ids(Kim.__table__.c.id, len(kims))
        if ids is None:  # a database whose keys cannot be reserved: read them back
            return self._insert_then_read_ids(kims, now)
        rows = [
            (kim_id, k.name, fold(k.name), k.desa_code, k.kimid_number, k.website, k.sk_number,
             k.sk_date, k.chair, k.phone, k.email, k.members, k.status, k.notes, 1, now, now)
            for kim_id, k in zip(ids, kims, strict=True)
        ]  # fmt: skip
        insert_tuples(Kim.__table__, ("id", *_KIM_COLUMNS), rows)
        self._insert_channels(kims, ids)
        return ids

    def _insert_then_read_ids(self, kims: list[_NewKim], now: datetime) -> list[int]:
        rows = [
            (k.name, fold(k.name), k.desa_code, k.kimid_number, k.website, k.sk_number,
             k.sk_date, k.chair, k.phone, k.email, k.members, k.status, k.notes, 1, now, now)
            for k in kims
        ]  # fmt: skip
        insert_tuples(Kim.__table__, _KIM_COLUMNS, rows)
        found: dict[tuple[str, str], int] = {}
        for chunk in chunks(sorted({k.desa_code for k in kims})):
            found.update(
                ((desa, name_key), kim_id)
                for kim_id, desa, name_key in db.session.execute(
                    select(Kim.id, Kim.desa_code, Kim.name_key).where(Kim.desa_code.in_(chunk))
                )
            )
        ids = [found[(k.desa_code, fold(k.name))] for k in kims]
        self._insert_channels(kims, ids)
        return ids

    @staticmethod
    def _insert_channels(kims: list[_NewKim], ids: list[int]) -> None:
        channels = [
            (kim_id, channel.platform, channel.url)
            for kim, kim_id in zip(kims, ids, strict=True)
            for channel in kim.channels
        ]
        insert_tuples(KimChannel.__table__, ("kim_id", "platform", "url"), channels)

    @classmethod
    def summary(cls, result: ImportResult) -> str:
        return _(
            "%(created)d KIM baru, %(updated)d diperbarui, %(unchanged)d tidak berubah, "
            "%(invalid)d baris tidak valid.",
            created=result.created,
            updated=result.updated,
            unchanged=result.unchanged,
            invalid=result.invalid,
        )
