"""The KIM registry: list, detail, create, edit, deactivate; reads scoped, writes audited.

The field rules (URL, phone, e-mail, SK date, status) live here as plain functions so the web form
and the spreadsheet import refuse exactly the same things with the same Indonesian message.
`user=None` means the server operator on the command line: no scope applies.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased, selectinload
from sqlalchemy.orm.exc import StaleDataError

from tracker.extensions import db
from tracker.io.values import INT_MAX, CellError, parse_url
from tracker.models import Kim, KimChannel, Region
from tracker.models.base import utcnow
from tracker.models.kim import CHANNEL_PLATFORMS, STATUS_ACTIVE, STATUS_INACTIVE
from tracker.models.region import LEVEL_DESA, LEVEL_KECAMATAN
from tracker.models.user import User
from tracker.services.common import audit_writer
from tracker.services.common.clock import office_today
from tracker.services.common.errors import Invalid, NotFound, Stale
from tracker.services.common.pagination import Page, paginate
from tracker.services.common.permissions import EDIT_KIM, VIEW, require
from tracker.services.common.scope import actor_scope_filter, user_scope_filter
from tracker.services.common.sorting import SortKeys
from tracker.services.common.unit_of_work import transaction
from tracker.services.registry import gates, places
from tracker.services.registry.places import located
from tracker.text import fold

# column widths of tracker.models.kim, checked before the database refuses them
MAX_LENGTHS = {
    "name": 150,
    "kimid_number": 40,
    "website": 255,
    "sk_number": 120,
    "chair": 120,
    "phone": 40,
    "email": 120,
    "channel_url": 255,
}


class KimNotFoundError(NotFound):
    """No such KIM, or one outside the user's scope (the same thing to him)."""


class KimInvalidError(Invalid):
    """The input was refused; `errors` maps a field name to its Indonesian message."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()), next(iter(errors), None))
        self.errors = errors


class KimStaleError(Stale):
    """The KIM changed since the form was opened; nothing was written."""

    def __init__(self) -> None:
        super().__init__(
            _(
                "Data KIM ini sudah diubah oleh pengguna lain sejak Anda membukanya. "
                "Perubahan Anda belum disimpan: periksa data terbaru, lalu ulangi perubahan Anda."
            )
        )


class FieldError(Invalid):
    """One value breaks a registry rule; the message is Indonesian and names the value."""


# --- field rules, shared with the import ------------------------------------------------------

_PHONE = re.compile(r"^\+?[0-9][0-9 \-]{4,30}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def normalize_url(text: str) -> str:
    """An http(s) address; a bare domain ('kutorenon.desa.id') gets https:// in front."""
    text = text.strip()
    if not text:
        return ""
    try:
        url = parse_url(text)
    except CellError as exc:
        raise FieldError(str(exc)) from exc
    if len(url) > MAX_LENGTHS["website"]:
        raise FieldError(_("alamat terlalu panjang (maksimal %(n)d karakter)", n=255))
    return url


def check_phone(text: str) -> str:
    text = " ".join(text.split())
    if text and not _PHONE.match(text):
        raise FieldError(
            _("nomor HP '%(v)s' hanya boleh berisi angka, spasi, tanda - dan + di depan", v=text)
        )
    return text


def check_email(text: str) -> str:
    text = text.strip()
    if text and not _EMAIL.match(text):
        raise FieldError(_("alamat email '%(v)s' tidak valid", v=text))
    return text


def check_sk_date(value: date | None) -> date | None:
    if value is not None and value > office_today():
        raise FieldError(
            _("tanggal SK %(d)s tidak boleh di masa depan", d=value.strftime("%d/%m/%Y"))
        )
    return value


def parse_status(text: str) -> str:
    """'aktif' / 'Nonaktif' / 'tidak aktif' / 'non-aktif' → the stored status."""
    key = re.sub(r"[^a-z]", "", fold(text))
    if key in ("aktif", "active", "ya"):
        return STATUS_ACTIVE
    if key in ("nonaktif", "tidakaktif", "inactive", "tidak"):
        return STATUS_INACTIVE
    raise FieldError(_("status '%(v)s' tidak dikenal (isi aktif atau nonaktif)", v=text))


def check_length(field_name: str, text: str) -> str:
    limit = MAX_LENGTHS[field_name]
    if len(text) > limit:
        raise FieldError(_("terlalu panjang (maksimal %(n)d karakter)", n=limit))
    return text


# --- reading ----------------------------------------------------------------------------------


@cache
def _kabupaten() -> Any:
    """The KIM's kabupaten (made on first use, like `places.Desa`)."""
    return aliased(Region, name="kabupaten")


# the registry list's sort keys, named without their columns (the API's query schema reads them
# at import, before the aliases the columns need are made)
SORT_KEYS = ("name", "desa", "kecamatan", "sk_date", "updated")
SORT_DEFAULT = "name"


@cache
def _sorts() -> SortKeys:
    columns = {
        "name": Kim.name_key,
        "desa": places.Desa.display_name,
        "kecamatan": places.Kecamatan.display_name,
        "sk_date": Kim.sk_date,
        "updated": Kim.updated_at,
    }
    assert tuple(columns) == SORT_KEYS
    return SortKeys(columns, default=SORT_DEFAULT, nulls_last={"sk_date"})


STATUS_FILTERS = ("semua", STATUS_ACTIVE, STATUS_INACTIVE)


@dataclass
class KimFilter:
    """What the registry list and the export are narrowed by (query arguments of /kim)."""

    q: str = ""
    kecamatan: str = ""
    desa: str = ""
    status: str = "semua"
    sort: str = "name"

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> KimFilter:
        """From query arguments (`?q=&kecamatan=&desa=&status=&sort=`); unknown values fall back."""
        return cls(
            q=args.get("q", ""),
            kecamatan=args.get("kecamatan", ""),
            desa=args.get("desa", ""),
            status=args.get("status", "semua"),
            sort=args.get("sort", "name"),
        ).normalized()

    def normalized(self) -> KimFilter:
        sort = _sorts().normalized(self.sort)
        status = self.status if self.status in STATUS_FILTERS else "semua"
        return KimFilter(self.q.strip(), self.kecamatan.strip(), self.desa.strip(), status, sort)


def registry_select(user: User | None, flt: KimFilter) -> Select[Any]:
    """KIMs in scope with their desa, kecamatan and kabupaten names, filtered and sorted."""
    flt = flt.normalized()
    stmt = (
        located(
            select(
                Kim,
                places.Desa.display_name.label("desa_name"),
                places.Kecamatan.display_name.label("kecamatan_name"),
                _kabupaten().display_name.label("kabupaten_name"),
            ),
            kecamatan_optional=True,
        )
        .outerjoin(_kabupaten(), _kabupaten().code == places.Kecamatan.parent_code)
        .where(actor_scope_filter(Kim.desa_code, user))
    )
    if flt.q:
        needle = fold(flt.q)
        stmt = stmt.where(
            or_(
                Kim.name_key.contains(needle, autoescape=True),
                func.lower(places.Desa.display_name).contains(needle, autoescape=True),
            )
        )
    if flt.kecamatan:
        stmt = stmt.where(places.Desa.parent_code == flt.kecamatan)
    if flt.desa:
        stmt = stmt.where(Kim.desa_code == flt.desa)
    if flt.status != "semua":
        stmt = stmt.where(Kim.status == flt.status)
    return stmt.order_by(_sorts().order_by(flt.sort), Kim.name_key, Kim.id)


@dataclass
class RegistryPage:
    page: Page[Any]  # rows of (Kim, desa_name, kecamatan_name)
    filter: KimFilter
    kecamatan_options: list[tuple[str, str]]
    desa_label: str = ""  # the name of the desa filtered on, to show what the list is narrowed to


def registry_page(user: User, flt: KimFilter, page: int, per_page: int) -> RegistryPage:
    require(user, VIEW)
    flt = flt.normalized()
    result = paginate(registry_select(user, flt), page, per_page, scalars=False)
    desa_label = ""
    if flt.desa:
        desa_label = (
            db.session.scalar(
                select(Region.display_name).where(
                    Region.code == flt.desa, user_scope_filter(Region.code, user)
                )
            )
            or flt.desa
        )
    return RegistryPage(result, flt, kecamatan_options(user), desa_label)


def kecamatan_options(user: User | None) -> list[tuple[str, str]]:
    """(code, name) of the kecamatan a user may filter on."""
    shown = Region.display_name
    stmt = select(Region.code, shown).where(
        Region.level == LEVEL_KECAMATAN, actor_scope_filter(Region.code, user)
    )
    return [(c, n) for c, n in db.session.execute(stmt.order_by(shown, Region.code))]


def desa_choices(user: User) -> dict[str, list[tuple[str, str]]]:
    """Desa in the user's scope grouped by kecamatan name, for a select with optgroups."""
    require(user, EDIT_KIM)
    stmt = (
        select(Region.code, Region.display_name, places.Kecamatan.display_name)
        .outerjoin(places.Kecamatan, places.Kecamatan.code == Region.parent_code)
        .where(Region.level == LEVEL_DESA, user_scope_filter(Region.code, user))
        .order_by(places.Kecamatan.display_name, Region.display_name, Region.code)
    )
    groups: dict[str, list[tuple[str, str]]] = {}
    for code, name, kec_name in db.session.execute(stmt):
        groups.setdefault(kec_name or "—", []).append((code, name))
    return groups


def get_kim(user: User | None, kim_id: int) -> Kim:
    """The KIM with its channels, or KimNotFoundError when it is missing or outside the scope."""
    require(user, VIEW)
    kim = db.session.scalar(
        select(Kim)
        .where(Kim.id == kim_id, actor_scope_filter(Kim.desa_code, user))
        .options(selectinload(Kim.channels), selectinload(Kim.desa).selectinload(Region.parent))
    )
    if kim is None:
        raise KimNotFoundError()
    return kim


# --- writing ----------------------------------------------------------------------------------


@dataclass
class KimInput:
    """What the form submits for a KIM (text already stripped by the caller or not)."""

    name: str
    desa_code: str
    kimid_number: str = ""
    website: str = ""
    sk_number: str = ""
    sk_date: date | None = None
    chair: str = ""
    phone: str = ""
    email: str = ""
    members: int | None = None
    notes: str = ""
    channels: Sequence[tuple[str, str]] = field(default_factory=list)  # (platform, url)


def snapshot(kim: Kim) -> dict[str, Any]:
    """The audited view of a KIM: what a diff between two edits compares."""
    return {
        "name": kim.name,
        "desa_code": kim.desa_code,
        "kimid_number": kim.kimid_number,
        "website": kim.website,
        "sk_number": kim.sk_number,
        "sk_date": kim.sk_date,
        "chair": kim.chair,
        "phone": kim.phone,
        "email": kim.email,
        "members": kim.members,
        "status": kim.status,
        "notes": kim.notes,
        "channels": [f"{c.platform}: {c.url}" for c in kim.channels],
    }


def _none_if_empty(text: str) -> str | None:
    text = " ".join((text or "").split())
    return text or None


def _clean(user: User | None, data: KimInput, kim_id: int | None) -> dict[str, Any]:
    """Apply every rule; KimInvalidError lists every failing field at once for the form."""
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}

    def rule(name: str, func: Any, *args: Any) -> None:
        try:
            values[name] = func(*args)
        except FieldError as exc:
            errors[name] = str(exc)[:1].upper() + str(exc)[1:] + "."

    name = " ".join((data.name or "").split())
    if not name:
        errors["name"] = _("Nama KIM wajib diisi.")
    else:
        rule("name", check_length, "name", name)
    desa_code = (data.desa_code or "").strip()
    if not desa_code:
        errors["desa_code"] = _("Pilih desa/kelurahan.")
    else:
        found = db.session.scalar(
            select(Region.code).where(
                Region.code == desa_code,
                Region.level == LEVEL_DESA,
                actor_scope_filter(Region.code, user),
            )
        )
        if found is None:
            errors["desa_code"] = _("Desa/kelurahan tidak dikenal di wilayah kerja Anda.")
        values["desa_code"] = desa_code
    kimid = " ".join((data.kimid_number or "").split())
    rule("kimid_number", check_length, "kimid_number", kimid)
    rule("website", normalize_url, data.website or "")
    rule("sk_number", check_length, "sk_number", " ".join((data.sk_number or "").split()))
    rule("sk_date", check_sk_date, data.sk_date)
    rule("chair", check_length, "chair", " ".join((data.chair or "").split()))
    rule("phone", check_phone, data.phone or "")
    if "phone" in values:
        rule("phone", check_length, "phone", values["phone"])
    rule("email", check_email, data.email or "")
    if "email" in values:
        rule("email", check_length, "email", values["email"])
    if data.members is not None and data.members < 0:
        errors["members"] = _("Jumlah anggota tidak boleh negatif.")
    elif data.members is not None and data.members > INT_MAX:
        errors["members"] = _("Jumlah anggota terlalu besar.")
    values["members"] = data.members
    values["notes"] = (data.notes or "").strip()

    channels: list[tuple[str, str]] = []
    for index, (platform, url) in enumerate(data.channels):
        platform, url = (platform or "").strip(), (url or "").strip()
        if not platform and not url:
            continue
        if platform not in CHANNEL_PLATFORMS:
            errors[f"channels-{index}-platform"] = _("Pilih platform media sosial.")
            continue
        if not url:
            errors[f"channels-{index}-url"] = _("Isi alamat kanal.")
            continue
        try:
            channels.append((platform, normalize_url(url)))
        except FieldError as exc:
            errors[f"channels-{index}-url"] = str(exc)[:1].upper() + str(exc)[1:] + "."
    values["channels"] = channels

    if "name" in values and "desa_code" not in errors:
        taken = db.session.scalar(
            select(Kim.id).where(
                Kim.desa_code == desa_code,
                Kim.name_key == fold(name),
                Kim.id != (kim_id or 0),
            )
        )
        if taken is not None:
            errors["name"] = _("Nama KIM ini sudah dipakai KIM lain di desa yang sama.")
    if values.get("kimid_number"):
        taken = db.session.scalar(
            select(Kim.id).where(
                func.lower(Kim.kimid_number) == values["kimid_number"].lower(),
                Kim.id != (kim_id or 0),
            )
        )
        if taken is not None:
            errors["kimid_number"] = _("Nomor KIM.id ini sudah dipakai KIM lain.")
    if errors:
        raise KimInvalidError(errors)
    return values


def _apply(kim: Kim, values: dict[str, Any]) -> None:
    kim.name = values["name"]
    kim.desa_code = values["desa_code"]
    for key in ("kimid_number", "website", "sk_number", "chair", "phone", "email"):
        setattr(kim, key, _none_if_empty(values[key]))
    kim.notes = values["notes"] or None
    kim.sk_date = values["sk_date"]
    kim.members = values["members"]
    wanted = values["channels"]
    if [(c.platform, c.url) for c in kim.channels] != wanted:
        kim.channels = [KimChannel(platform=p, url=u) for p, u in wanted]


def _flush_or_refuse() -> None:
    """Write the unit's changes now, so that a concurrent edit (the version column matched no row)
    or a name taken a moment ago is refused as such, wherever the outermost commit happens."""
    try:
        db.session.flush()
    except StaleDataError as exc:
        raise KimStaleError() from exc
    except IntegrityError as exc:  # a concurrent write took the name or number first
        raise KimInvalidError(
            {"name": _("Nama KIM atau Nomor KIM.id sudah dipakai KIM lain.")}
        ) from exc


def create_kim(user: User | None, data: KimInput) -> Kim:
    require(user, EDIT_KIM)
    with transaction():
        values = _clean(user, data, None)
        kim = Kim(status=STATUS_ACTIVE)
        _apply(kim, values)
        db.session.add(kim)
        _flush_or_refuse()
        audit_writer.record(
            "kim.create",
            "kim",
            kim.id,
            user,
            params={"name": kim.name},
            changes=audit_writer.created(snapshot(kim)),
            kim=kim,
        )
    return kim


def update_kim(user: User | None, kim_id: int, data: KimInput, expected_version: int) -> bool:
    """Save an edit made on `expected_version`. False when nothing changed.

    A stale version is refused before anything is touched; a concurrent edit between our read and
    our write is caught by the version column (the UPDATE matches no row) and refused the same way.
    """
    require(user, EDIT_KIM)
    with transaction():
        kim = get_kim(user, kim_id)
        if kim.version != expected_version:
            raise KimStaleError()
        values = _clean(user, data, kim.id)
        before = snapshot(kim)
        _apply(kim, values)
        changes = audit_writer.diff(before, snapshot(kim))
        if not changes:
            return False  # every value is the stored one: the flush writes nothing
        kim.updated_at = utcnow()  # always UPDATE the row, so a channel-only edit bumps the version
        audit_writer.record(
            "kim.update", "kim", kim.id, user, params={"name": kim.name}, changes=changes, kim=kim
        )
        _flush_or_refuse()
        gates.note_edits([(kim, changes)])
    return True


def set_active(user: User | None, kim_id: int, active: bool) -> bool:
    """Deactivate or reactivate. False when the KIM already had that status."""
    require(user, EDIT_KIM)
    with transaction():
        kim = get_kim(user, kim_id)
        status = STATUS_ACTIVE if active else STATUS_INACTIVE
        if kim.status == status:
            return False
        changes = {"status": [kim.status, status]}
        kim.status = status
        audit_writer.record(
            "kim.reactivate" if active else "kim.deactivate",
            "kim",
            kim.id,
            user,
            params={"name": kim.name},
            changes=changes,
            kim=kim,
        )
        _flush_or_refuse()
    return True
