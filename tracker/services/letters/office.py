"""The office's letter settings: letterhead, the date line's place, the signatory, tembusan,
numbering and the public address of the verification page.

A fresh installation has no settings row: `current()` then offers the identity of the kabupaten
in the region tree (PEMERINTAH KABUPATEN LUMAJANG, DINAS KOMUNIKASI DAN INFORMATIKA, place
Lumajang, the default numbering), and no signatory, so no letter can be issued until an admin (or
`flask office set`) names one. Every change is validated here, for the web form and the command
line alike, and audited with the fields it changed.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from tracker.extensions import db
from tracker.models.letters import OFFICE_SETTINGS_ID, OfficeSettings
from tracker.models.region import LEVEL_KABUPATEN, LEVEL_PROVINSI, Region
from tracker.models.user import User
from tracker.pdf.formatting import judul
from tracker.pdf.letter import SIGN_ACTING, SIGN_MODES, SIGN_ON_BEHALF, OfficeIdentity, Signatory
from tracker.services.common import audit_writer
from tracker.services.common.errors import Invalid, Stale
from tracker.services.common.permissions import MANAGE_OFFICE, require
from tracker.services.common.unit_of_work import transaction
from tracker.services.letters import numbering

DEFAULT_AGENCY = "DINAS KOMUNIKASI DAN INFORMATIKA"
TEMBUSAN_TOKENS = ("kecamatan", "desa")
MAX_TEMBUSAN = 10
LOGO_MAX_PIXELS = 600  # the longer side, after re-encoding
LOGO_MAX_BYTES = 2 * 1024 * 1024

_NIP = re.compile(r"^\d{18}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_URL = re.compile(r"^https?://[A-Za-z0-9.-]+(:\d{1,5})?(/[^\s]*)?$")
_TOKEN = re.compile(r"\{([^{}]*)\}")


@dataclass(frozen=True)
class OfficeView:
    """The settings as the pages, the command line and the letter builder read them."""

    government: str
    agency: str
    address: str = ""
    phone: str = ""
    website: str = ""
    email: str = ""
    place: str = ""
    signatory_title: str = ""
    signatory_name: str = ""
    signatory_rank: str = ""
    signatory_nip: str = ""
    signatory_mode: str = ""
    signatory_principal: str = ""
    tembusan: tuple[str, ...] = ()
    number_template: str = numbering.DEFAULT_TEMPLATE
    classification_code: str = numbering.DEFAULT_CLASSIFICATION
    unit_code: str = numbering.DEFAULT_UNIT
    public_base_url: str = ""
    has_logo: bool = False
    stored: bool = False  # False: the defaults of a fresh installation
    version: int = 0

    @property
    def missing_signatory(self) -> list[str]:
        """What the signature block still lacks (labels), empty when a letter can be signed."""
        missing = []
        if not self.signatory_title:
            missing.append(_("jabatan"))
        if not self.signatory_name:
            missing.append(_("nama"))
        if not self.signatory_nip:
            missing.append(_("NIP"))
        return missing

    @property
    def identity(self) -> OfficeIdentity:
        return OfficeIdentity(
            government=self.government,
            agency=self.agency,
            address=self.address,
            phone=self.phone,
            website=self.website,
            email=self.email,
            place=self.place,
            region_name=region_name(self.government),
        )

    @property
    def signatory(self) -> Signatory:
        return Signatory(
            title=self.signatory_title,
            name=self.signatory_name,
            rank=self.signatory_rank,
            nip=self.signatory_nip,
            mode=self.signatory_mode,
            principal=self.signatory_principal,
        )


# the fields a change may name, in the order the forms and `flask office show` list them
EDITABLE = tuple(
    f.name for f in fields(OfficeView) if f.name not in {"has_logo", "stored", "version"}
)


def region_name(government: str) -> str:
    """ "PEMERINTAH KABUPATEN LUMAJANG" → "Kabupaten Lumajang" (the body's "di …")."""
    text = (government or "").strip()
    if text.upper().startswith("PEMERINTAH "):
        text = text[len("PEMERINTAH ") :]
    return judul(text)


def _head_of_region(kind: str | None) -> str:
    return {"kota": "Wali Kota", "provinsi": "Gubernur"}.get(kind or "", "Bupati")


def defaults() -> OfficeView:
    """A fresh installation's settings, from the region tree: its one kabupaten/kota (else its
    one province), or a neutral identity when the tree holds several."""
    kabupaten = db.session.scalars(
        select(Region).where(Region.level == LEVEL_KABUPATEN).limit(2)
    ).all()
    if len(kabupaten) == 1:
        region, kind = kabupaten[0], kabupaten[0].kind or "kabupaten"
    else:
        provinces = db.session.scalars(
            select(Region).where(Region.level == LEVEL_PROVINSI).limit(2)
        ).all()
        region, kind = (provinces[0], "provinsi") if len(provinces) == 1 else (None, None)
    if region is None:
        return OfficeView(government="PEMERINTAH DAERAH", agency=DEFAULT_AGENCY)
    shown = " ".join(region.display_name.split())
    if kind == "provinsi" and not shown.upper().startswith("PROVINSI"):
        shown = f"Provinsi {shown}"
    place = re.sub(r"^(kabupaten|kota|provinsi)\s+", "", shown, flags=re.IGNORECASE)
    place = judul(place)
    return OfficeView(
        government=f"PEMERINTAH {shown.upper()}",
        agency=DEFAULT_AGENCY,
        place=place,
        tembusan=(
            f"{_head_of_region(kind)} {place} (sebagai laporan)",
            "Camat {kecamatan}",
        ),
    )


def _row() -> OfficeSettings | None:
    return db.session.get(OfficeSettings, OFFICE_SETTINGS_ID)


def _view(row: OfficeSettings) -> OfficeView:
    return OfficeView(
        government=row.government,
        agency=row.agency,
        address=row.address or "",
        phone=row.phone or "",
        website=row.website or "",
        email=row.email or "",
        place=row.place or "",
        signatory_title=row.signatory_title or "",
        signatory_name=row.signatory_name or "",
        signatory_rank=row.signatory_rank or "",
        signatory_nip=row.signatory_nip or "",
        signatory_mode=row.signatory_mode or "",
        signatory_principal=row.signatory_principal or "",
        tembusan=tuple(row.tembusan or ()),
        number_template=row.number_template,
        classification_code=row.classification_code or "",
        unit_code=row.unit_code or "",
        public_base_url=row.public_base_url or "",
        has_logo=row.logo is not None,
        stored=True,
        version=row.version,
    )


def current() -> OfficeView:
    """The settings in force (the defaults until an admin first saves them)."""
    row = _row()
    return _view(row) if row is not None else defaults()


def logo() -> tuple[bytes, str] | None:
    """The letterhead's logo (PNG bytes, mimetype), or None."""
    row = _row()
    return (row.logo, "image/png") if row is not None and row.logo else None


def public_base_url(view: OfficeView | None = None) -> str:
    """Where the verification page is reachable from outside: the office setting, else the
    PUBLIC_BASE_URL of the configuration; "" when neither is set."""
    view = view or current()
    configured = str(current_app.config.get("PUBLIC_BASE_URL") or "")
    return (view.public_base_url or configured).rstrip("/")


def verify_url(token: str, view: OfficeView | None = None) -> str:
    return f"{public_base_url(view)}/verifikasi/{token}"


# ---------------------------------------------------------------------------------- validation


class OfficeSettingsInvalid(Invalid):
    """Settings refused: `errors` maps each refused field to its message (all of them, for the
    form); `message` joins them (for the command line)."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(" ".join(errors.values()), field=next(iter(errors), None))
        self.errors = errors


_LIMITS = {
    "government": 150,
    "agency": 150,
    "address": 250,
    "phone": 60,
    "website": 150,
    "email": 150,
    "place": 80,
    "signatory_title": 150,
    "signatory_name": 150,
    "signatory_rank": 80,
    "signatory_principal": 150,
    "classification_code": 40,
    "unit_code": 40,
    "public_base_url": 200,
}
_REQUIRED = {
    "government": "Baris pemerintah daerah",
    "agency": "Nama dinas",
    "place": "Tempat penandatanganan",
}


def _text(value: Any) -> str:
    return " ".join(str(value or "").split())


def _check_tembusan(lines: Any, errors: dict[str, str]) -> tuple[str, ...]:
    if isinstance(lines, str):
        lines = lines.splitlines()
    cleaned = tuple(t for t in (_text(line) for line in lines or ()) if t)
    if len(cleaned) > MAX_TEMBUSAN:
        errors["tembusan"] = _("Tembusan paling banyak %(n)s baris.", n=MAX_TEMBUSAN)
    for line in cleaned:
        unknown = [t for t in _TOKEN.findall(line) if t not in TEMBUSAN_TOKENS]
        stray = _TOKEN.sub("", line)
        if unknown or "{" in stray or "}" in stray:
            errors["tembusan"] = _(
                "Tembusan hanya dapat memakai isian {kecamatan} dan {desa}: %(line)s", line=line
            )
            break
        if len(line) > 200:
            errors["tembusan"] = _("Satu baris tembusan paling panjang 200 karakter.")
            break
    return cleaned


def _check(values: dict[str, Any]) -> dict[str, Any]:
    """The values cleaned, or OfficeSettingsInvalid with every problem."""
    errors: dict[str, str] = {}
    out: dict[str, Any] = {}
    for name, value in values.items():
        if name == "tembusan":
            out[name] = _check_tembusan(value, errors)
            continue
        text = _text(value)
        if name == "number_template":
            try:
                text = numbering.check_template(str(value or ""))
            except numbering.NumberTemplateInvalid as exc:
                errors[name] = exc.message
        elif name in _LIMITS and len(text) > _LIMITS[name]:
            errors[name] = _("Paling panjang %(n)s karakter.", n=_LIMITS[name])
        out[name] = text
    for name, label in _REQUIRED.items():
        if name in out and not out[name]:
            errors[name] = _("%(label)s wajib diisi.", label=_(label))
    if "signatory_nip" in out:
        out["signatory_nip"] = out["signatory_nip"].replace(" ", "").replace(".", "")
        if out["signatory_nip"] and not _NIP.match(out["signatory_nip"]):
            errors["signatory_nip"] = _("NIP terdiri atas 18 angka.")
    if out.get("signatory_mode", "") not in SIGN_MODES:
        errors["signatory_mode"] = _("Pilih cara penandatanganan yang tersedia.")
    if out.get("email") and not _EMAIL.match(out["email"]):
        errors["email"] = _("Alamat pos-el tidak valid.")
    if out.get("public_base_url"):
        out["public_base_url"] = out["public_base_url"].rstrip("/")
        if not _URL.match(out["public_base_url"]):
            errors["public_base_url"] = _(
                "Alamat publik diawali http:// atau https:// (mis. https://kim.lumajangkab.go.id)."
            )
    for name in ("classification_code", "unit_code"):
        if "{" in out.get(name, "") or "}" in out.get(name, ""):
            errors[name] = _("Kurung kurawal { } tidak dapat dipakai di sini.")
    if errors:
        raise OfficeSettingsInvalid(errors)
    return out


def _check_whole(view: OfficeView) -> None:
    """Rules across fields, on the settings as they would be saved."""
    if view.signatory_mode == SIGN_ON_BEHALF and not view.signatory_principal:
        raise OfficeSettingsInvalid(
            {
                "signatory_principal": _(
                    "Dengan a.n. (atas nama), isi jabatan yang diwakili (mis. Kepala Dinas "
                    "Komunikasi dan Informatika)."
                )
            }
        )
    if view.signatory_mode == SIGN_ACTING and not view.signatory_title:
        raise OfficeSettingsInvalid(
            {"signatory_title": _("Dengan Plt., isi jabatan yang dilaksanakan tugasnya.")}
        )


def example_number(
    template: str,
    classification_code: str | None = None,
    unit_code: str | None = None,
) -> str:
    """The number the next letter of this year would get with `template` (for the settings
    page, as it is typed); NumberTemplateInvalid when the template is refused."""
    from tracker.services.common.clock import office_today

    view = current()
    today = office_today()
    return numbering.format_number(
        template,
        numbering.NumberParts(
            sequence=numbering.peek_next(today.year),
            year=today.year,
            month=today.month,
            kode=view.classification_code if classification_code is None else classification_code,
            unit=view.unit_code if unit_code is None else unit_code,
        ),
    )


# ---------------------------------------------------------------------------------- writing


def _snapshot(view: OfficeView) -> dict[str, Any]:
    data = {name: getattr(view, name) for name in EDITABLE}
    data["tembusan"] = list(view.tembusan)
    data["logo"] = view.has_logo
    return data


def update(
    actor: User | None, changes: Mapping[str, Any], expected_version: int | None = None
) -> OfficeView:
    """Change some settings (`changes` names fields of `EDITABLE`). `expected_version` is the
    version the form was filled from: a save over someone else's newer save is Stale."""
    require(actor, MANAGE_OFFICE)
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise Invalid(_("Pengaturan tidak dikenal: %(names)s", names=", ".join(sorted(unknown))))
    cleaned = _check(dict(changes))
    with transaction():
        row = _row()
        before = _view(row) if row is not None else defaults()
        if expected_version is not None and expected_version != before.version:
            raise Stale(
                _(
                    "Pengaturan kantor baru saja diubah orang lain. Muat ulang halaman ini, lalu "
                    "ulangi perubahan Anda."
                )
            )
        after = replace(before, **cleaned)
        _check_whole(after)
        if row is None:
            row = OfficeSettings(id=OFFICE_SETTINGS_ID)
            db.session.add(row)
        for name in EDITABLE:
            value = getattr(after, name)
            setattr(row, name, list(value) if name == "tembusan" else value)
        db.session.flush()
        saved = _view(row)
        audit_writer.record(
            "office.update",
            "office",
            OFFICE_SETTINGS_ID,
            actor,
            changes=audit_writer.diff(_snapshot(before) if before.stored else {}, _snapshot(saved)),
        )
    return saved


@dataclass(frozen=True)
class LogoCheck:
    png: bytes
    width: int
    height: int
    notes: list[str] = field(default_factory=list)


def check_logo(data: bytes) -> LogoCheck:
    """The uploaded image re-encoded as PNG after checking what it is by its content (not its
    name): PNG or JPEG only, at most 2 MB, its longer side reduced to 600 px."""
    from PIL import Image, UnidentifiedImageError

    if not data:
        raise Invalid(_("Pilih berkas gambar logo."), field="logo")
    if len(data) > LOGO_MAX_BYTES:
        raise Invalid(_("Berkas logo paling besar 2 MB."), field="logo")
    refused = Invalid(_("Logo harus berupa gambar PNG atau JPEG."), field="logo")
    try:
        with Image.open(io.BytesIO(data)) as probe:
            kind = probe.format
            probe.verify()
        if kind not in {"PNG", "JPEG"}:
            raise refused
        with Image.open(io.BytesIO(data)) as image:
            if image.width * image.height > 40_000_000:  # a decompression bomb, not a logo
                raise refused
            image.load()
            picture = image.convert("RGBA" if "A" in image.getbands() else "RGB")
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise refused from None
    picture.thumbnail((LOGO_MAX_PIXELS, LOGO_MAX_PIXELS))
    out = io.BytesIO()
    picture.save(out, format="PNG", optimize=True)
    return LogoCheck(out.getvalue(), picture.width, picture.height)


def set_logo(actor: User | None, data: bytes | None) -> OfficeView:
    """Store the letterhead's logo (checked by `check_logo`), or remove it (`data` None)."""
    require(actor, MANAGE_OFFICE)
    png = check_logo(data).png if data is not None else None
    with transaction():
        row = _row()
        before = _view(row) if row is not None else defaults()
        if row is None:
            row = OfficeSettings(id=OFFICE_SETTINGS_ID)
            for name in EDITABLE:
                value = getattr(before, name)
                setattr(row, name, list(value) if name == "tembusan" else value)
            db.session.add(row)
        row.logo = png
        db.session.flush()
        audit_writer.record(
            "office.logo" if png is not None else "office.logo_remove",
            "office",
            OFFICE_SETTINGS_ID,
            actor,
            changes={"logo": [before.has_logo, png is not None]},
        )
        return _view(row)
