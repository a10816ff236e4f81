"""Importing the KIM registry from a spreadsheet: one service for the CLI and the web.

Every row is validated before anything is written. By default the import is all-or-nothing: one
invalid row and nothing is saved. With `skip_invalid` the valid rows are saved and the rest are
listed. A row matches an existing KIM on its KIM.id number, else on name within its desa; an
existing KIM is updated only with the cells the row fills (an empty cell never erases a value),
so importing the same file twice changes nothing the second time.

Set-based: the region and KIM indexes are loaded once, the matched KIMs in one query per 500, and
the writes are flushed together with their audit entries in one transaction.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from tracker.extensions import db
from tracker.io.kim_columns import CHANNEL_COLUMNS, COLUMNS, channel_key
from tracker.io.tabular import Problem, Row, Table, TableError, read_table
from tracker.io.values import CellError, parse_date, parse_int
from tracker.models import Kim, KimChannel
from tracker.models.base import utcnow
from tracker.models.kim import CHANNEL_PLATFORMS, STATUS_ACTIVE
from tracker.models.user import User
from tracker.services.common import audit_writer, input_changes, uploads
from tracker.services.common.import_rows import RowProblems, chunks, earlier_row
from tracker.services.common.permissions import IMPORT_KIM, require
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

UPLOAD_KIND = "kim"
ACTION_CREATE = "create"
ACTION_UPDATE = "update"
ACTION_UNCHANGED = "unchanged"

# plain text fields: canonical column -> (model attribute, length rule of registry.kims)
_TEXT_FIELDS = {
    "sk_number": ("sk_number", "sk_number"),
    "chair": ("chair", "chair"),
}

assert set(CHANNEL_COLUMNS) == set(CHANNEL_PLATFORMS), "kim_columns and the model disagree"


@dataclass
class RowOutcome:
    """What a valid row does: create a KIM, update one, or nothing."""

    row: int
    action: str
    name: str
    desa: str
    kecamatan: str
    kim_id: int | None = None
    changes: dict[str, list[Any]] = field(default_factory=dict)


@dataclass
class ImportResult:
    filename: str
    dry_run: bool
    skip_invalid: bool
    rows: int = 0
    outcomes: list[RowOutcome] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    file_error: str | None = None  # the file as a whole was refused (nothing read)
    written: bool = False
    # open periods whose results the import made stale (to offer their re-run)
    changed_periods: list[str] = field(default_factory=list)

    def _of(self, action: str) -> list[RowOutcome]:
        return [o for o in self.outcomes if o.action == action]

    @property
    def created(self) -> list[RowOutcome]:
        return self._of(ACTION_CREATE)

    @property
    def updated(self) -> list[RowOutcome]:
        return self._of(ACTION_UPDATE)

    @property
    def unchanged(self) -> list[RowOutcome]:
        return self._of(ACTION_UNCHANGED)

    @property
    def invalid_rows(self) -> list[int]:
        return sorted({p.row for p in self.problems})

    @property
    def refused(self) -> bool:
        """Nothing may be written: the file failed, or a row failed without skip_invalid."""
        return self.file_error is not None or (bool(self.problems) and not self.skip_invalid)

    def summary(self) -> str:
        return _(
            "%(rows)d baris: %(created)d KIM baru, %(updated)d diperbarui, "
            "%(unchanged)d tidak berubah, %(invalid)d baris tidak valid.",
            rows=self.rows,
            created=len(self.created),
            updated=len(self.updated),
            unchanged=len(self.unchanged),
            invalid=len(self.invalid_rows),
        )


@dataclass
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

    def __init__(self, table: Table, user: User | None) -> None:
        self.table = table
        self.user = user
        self.scope = None if user is None else user.scope_codes
        self.regions = RegionIndex.load(self.scope)
        self._all_regions: RegionIndex | None = None
        self.kims = KimIndex.load(None)  # KIM.id numbers are unique across every scope
        self.problems = RowProblems()
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
        before = len(self.problems.problems)
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
        if len(self.problems.problems) > before or desa_code is None:
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


def import_kims(
    data: bytes,
    filename: str,
    user: User | None,
    *,
    dry_run: bool = False,
    skip_invalid: bool = False,
) -> ImportResult:
    """Validate every row, then (unless dry_run or refused) create and update KIMs in one commit.

    `user=None` is the system (CLI): every region. A user imports only into his own scope.
    """
    require(user, IMPORT_KIM)
    result = ImportResult(filename=filename, dry_run=dry_run, skip_invalid=skip_invalid)
    try:
        table = _read(data, filename)
    except TableError as exc:
        result.file_error = str(exc)
        return result
    result.rows = len(table.rows)
    checker = _Checker(table, user)
    plans = [plan for row in table.rows if (plan := checker.check(row)) is not None]
    targets = _load_targets({p.target_id for p in plans if p.target_id is not None})

    valid: list[_Plan] = []
    for plan in plans:
        kim = targets.get(plan.target_id) if plan.target_id is not None else None
        if (
            kim is not None
            and checker.scope is not None
            and not code_in_scope(kim.desa_code, checker.scope)
        ):
            checker.problems.add(
                plan.row,
                table.label("kimid"),
                _("Nomor KIM.id '%(v)s' milik KIM di luar wilayah kerja Anda", v=kim.kimid_number),
            )
            continue
        name_key = fold(plan.values["name"])
        holder = checker.kims.by_name.get((plan.desa_code, name_key))
        if holder is not None and holder != plan.target_id:
            checker.problems.add(
                plan.row,
                table.label("name"),
                _(
                    "nama KIM '%(v)s' sudah dipakai KIM lain di Desa %(desa)s",
                    v=plan.values["name"],
                    desa=checker.regions.names.get(plan.desa_code, plan.desa_code),
                ),
            )
            continue
        valid.append(plan)

    for plan in valid:
        kim = targets.get(plan.target_id) if plan.target_id is not None else None
        kec = checker.regions.parents.get(plan.desa_code) or ""
        outcome = RowOutcome(
            row=plan.row,
            action=ACTION_CREATE,
            name=plan.values["name"],
            desa=checker.regions.names.get(plan.desa_code, plan.desa_code),
            kecamatan=checker.regions.names.get(kec, kec),
        )
        if kim is not None:
            outcome.kim_id = kim.id
            outcome.changes = _compare(kim, plan)
            outcome.action = ACTION_UPDATE if outcome.changes else ACTION_UNCHANGED
        result.outcomes.append(outcome)
    result.problems = checker.problems.in_row_order()

    if dry_run or result.refused:
        return result
    _write(result, valid, targets, user)
    return result


def _read(data: bytes, filename: str) -> Table:
    if filename.lower().endswith(".csv") and b"\x00" in data[:4096]:
        raise TableError(_("Berkas ini bukan CSV teks; unggah CSV atau XLSX."))
    table = read_table(data, filename, COLUMNS, required=("name",))
    if "desa" not in table.headers and "desa_code" not in table.headers:
        raise TableError(_("Kolom wajib tidak ditemukan: Desa/Kelurahan (atau Kode Desa)."))
    return table


def _write(
    result: ImportResult, plans: list[_Plan], targets: dict[int, Kim], user: User | None
) -> None:
    by_row = {o.row: o for o in result.outcomes}
    created: list[tuple[Kim, RowOutcome]] = []
    updated: list[tuple[Kim, RowOutcome]] = []
    for plan in plans:
        outcome = by_row[plan.row]
        if outcome.action == ACTION_UNCHANGED:
            continue
        if outcome.action == ACTION_CREATE:
            kim = Kim(status=STATUS_ACTIVE)
            _apply(kim, plan)
            db.session.add(kim)
            created.append((kim, outcome))
        else:
            kim = targets[plan.target_id]  # type: ignore[index]
            _apply(kim, plan)
            kim.updated_at = utcnow()
            updated.append((kim, outcome))
    try:
        db.session.flush()
        for kim, outcome in created:
            outcome.kim_id = kim.id
            audit_writer.record(
                "kim.create",
                "kim",
                kim.id,
                user,
                params={"name": kim.name, "row": outcome.row},
                changes=audit_writer.created(snapshot(kim)),
                message="kim.create.import",
                kim=kim,
            )
        marked = gates.note_edits((kim, outcome.changes) for kim, outcome in updated)
        result.changed_periods = input_changes.open_period_codes() if created else marked
        for kim, outcome in updated:
            audit_writer.record(
                "kim.update",
                "kim",
                kim.id,
                user,
                params={"name": kim.name, "row": outcome.row},
                changes=outcome.changes,
                message="kim.update.import",
                kim=kim,
            )
        audit_writer.record(
            "kim.import",
            "kim",
            None,
            user,
            params={
                "file": result.filename,
                "created": len(created),
                "updated": len(updated),
                "unchanged": len(result.unchanged),
                "invalid": len(result.invalid_rows),
            },
            region=audit_writer.enclosing_region(plan.desa_code for plan in plans),
        )
        db.session.commit()
    except (StaleDataError, IntegrityError):
        db.session.rollback()
        result.file_error = _(
            "Registri KIM berubah selama impor berlangsung (pengguna lain menyimpan data yang "
            "sama). Tidak ada yang disimpan; ulangi impor."
        )
        return
    result.written = True


# --- the web flow: upload -> preview -> confirm ------------------------------------------------


@dataclass
class Preview:
    token: str
    result: ImportResult


def preview_upload(user: User, filename: str, data: bytes) -> Preview:
    """Keep the uploaded bytes for the confirmation and show what they would do (nothing saved)."""
    require(user, IMPORT_KIM)
    result = import_kims(data, filename, user, dry_run=True)
    token = "" if result.file_error else uploads.store(user, UPLOAD_KIND, filename, data)
    return Preview(token, result)


def confirm_upload(user: User, token: str, skip_invalid: bool) -> Preview:
    """Import the previewed bytes, exactly once: the upload is claimed (removed) first, so a double
    click cannot import twice. A refused import stores it again under a new token, so the user can
    tick "only the valid rows" and confirm once more. UploadMissingError when it is gone."""
    require(user, IMPORT_KIM)
    upload = uploads.claim(user, token, UPLOAD_KIND)
    result = import_kims(upload.data, upload.filename, user, skip_invalid=skip_invalid)
    if not result.written and result.file_error is None:
        token = uploads.store(user, UPLOAD_KIND, upload.filename, upload.data)
        return Preview(token, result)
    return Preview("", result)
