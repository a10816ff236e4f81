"""audit entries as data: KIM and region columns, message key + parameters, old/new changes

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01

Entries so far held a finished sentence (Indonesian, or English when an English user made the
change) and changes in several shapes. This adds `kim_id` (the KIM an entry is about), `region_code`
(the region it concerns: who may read it), `message` + `params` (the summary as data), renames
`summary` to `legacy_summary` and rewrites every existing entry in the new convention as far as
its old form allows:

- an entry about a KIM gets the KIM and the desa the KIM lay in then (its moves are replayed
  backwards from today's desa through the entries' own desa changes);
- the summary becomes a message key with its parameters, taken from the changes or from the
  sentence (both languages); a sentence that cannot be taken apart stays as the fallback text;
- changes become {field: [old, new]} keyed by the field names the vocabulary knows (account fields
  were Indonesian words, framework tiers and conditions were list positions, grid cells were
  "Name (id) code", import counts were changes and are now parameters);
- the entity id is the primary key (framework entries held the version number, count and
  measurement imports the period code, the grid "period/kecamatan").

Downgrade writes the summary back as an Indonesian sentence (region and account names looked up),
created values back as plain values, framework ids back to versions, then drops the columns.
Everything here is frozen as of this revision: it imports nothing from the application.
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

BATCH = 1000

audit = sa.table(
    "audit_entry",
    sa.column("id", sa.Integer),
    sa.column("at", sa.DateTime),
    sa.column("action", sa.String),
    sa.column("entity", sa.String),
    sa.column("entity_id", sa.String),
    sa.column("kim_id", sa.Integer),
    sa.column("region_code", sa.String),
    sa.column("message", sa.String),
    sa.column("params", sa.JSON),
    sa.column("changes", sa.JSON),
    sa.column("legacy_summary", sa.Text),
)
kim = sa.table("kim", sa.column("id", sa.Integer), sa.column("desa_code", sa.String))
framework = sa.table(
    "framework",
    sa.column("id", sa.Integer),
    sa.column("version", sa.Integer),
    sa.column("name", sa.String),
    sa.column("definition", sa.JSON),
)
period = sa.table("period", sa.column("id", sa.Integer), sa.column("code", sa.String))
region = sa.table(
    "region",
    sa.column("code", sa.String),
    sa.column("name", sa.String),
    sa.column("tidy_name", sa.String),
)
user_account = sa.table(
    "user_account", sa.column("id", sa.Integer), sa.column("username", sa.String)
)


def upgrade():
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.add_column(sa.Column("kim_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("region_code", sa.String(length=13), nullable=True))
        batch_op.add_column(sa.Column("message", sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column("params", sa.JSON(), nullable=True))
        batch_op.alter_column(
            "summary",
            new_column_name="legacy_summary",
            existing_type=sa.Text(),
            existing_nullable=False,
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_audit_entry_kim_id_kim"), "kim", ["kim_id"], ["id"], ondelete="SET NULL"
        )
        batch_op.create_index(batch_op.f("ix_audit_entry_kim_id"), ["kim_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_audit_entry_region_code"), ["region_code"], unique=False
        )
    _rewrite_entries(op.get_bind())


def downgrade():
    _write_sentences(op.get_bind())
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_entry_region_code"))
        batch_op.drop_index(batch_op.f("ix_audit_entry_kim_id"))
        batch_op.drop_constraint(batch_op.f("fk_audit_entry_kim_id_kim"), type_="foreignkey")
        batch_op.alter_column(
            "legacy_summary",
            new_column_name="summary",
            existing_type=sa.Text(),
            existing_nullable=False,
        )
        batch_op.drop_column("params")
        batch_op.drop_column("message")
        batch_op.drop_column("region_code")
        batch_op.drop_column("kim_id")


# --- upgrade: the old entries in the new convention ---------------------------------------------

_KIM_SENTENCES = {
    "kim.create": r"(?:Menambah KIM|Added KIM)",
    "kim.update": r"(?:Mengubah KIM|Changed KIM)",
    "kim.deactivate": r"(?:Menonaktifkan KIM|Deactivated KIM)",
    "kim.reactivate": r"(?:Mengaktifkan kembali KIM|Reactivated KIM)",
}
_IMPORT_ROW = r"(?: \((?:impor baris|import row) (?P<row>\d+)\))?"
_USER_FIELDS = {
    "nama_pengguna": "username",
    "nama_lengkap": "full_name",
    "peran": "role",
    "aktif": "is_active",
    "wilayah": "scopes",
    "bahasa": "locale",
}
_GRID_CELL = re.compile(r"^.* \((?P<kim>\d+)\) (?P<code>\S+)$")
_GRID_COUNTS = re.compile(
    r"(?P<created>\d+) baru, (?P<updated>\d+) diubah, (?P<deleted>\d+) dihapus$"
)
_FRAMEWORK_NAME = re.compile(r"^Kerangka bawaan v\d+ dipasang dan diaktifkan: (?P<name>.+)$")


def _int(value: Any) -> int | None:
    text = str(value) if value is not None else ""
    return int(text) if text.isascii() and text.isdigit() and len(text) < 19 else None


def _created(values: dict[str, Any]) -> dict[str, list[Any]]:
    return {k: [None, v] for k, v in values.items()}


def _codes(text: Any) -> Any:
    if isinstance(text, str):
        return [c.strip() for c in text.split(",") if c.strip()]
    return text


def _user_changes(changes: dict[str, Any], created: bool) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in changes.items():
        name = _USER_FIELDS.get(key, key)
        if created:
            value = [None, value]
        if name == "scopes" and isinstance(value, list) and len(value) == 2:
            value = [_codes(value[0]), _codes(value[1])]
        out[name] = value
    return out


def _counts(changes: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {k: changes[k] for k in keys if k in changes}


def _tier_names(definition: Any) -> list[str]:
    return [str(t.get("name")) for t in (definition or {}).get("tiers", []) if isinstance(t, dict)]


def _condition_keys(definition: Any) -> list[str]:
    return [
        f"{c.get('tier')}/{c.get('target')}"
        for c in (definition or {}).get("conditions", [])
        if isinstance(c, dict)
    ]


def _framework_changes(changes: dict[str, Any], definition: Any) -> dict[str, Any]:
    """tiers.{i}.… and conditions.{i}.… (list positions) keyed by the tier name / condition."""
    named = {"tiers": _tier_names(definition), "conditions": _condition_keys(definition)}
    out: dict[str, Any] = {}
    for key, value in changes.items():
        head, _dot, rest = key.partition(".")
        index, _dot, tail = rest.partition(".")
        names = named.get(head)
        if names is not None and index.isdigit() and int(index) < len(names) and tail:
            key = f"{head}.{names[int(index)]}.{tail}"
        out[key] = value
    return out


class _Context:
    def __init__(self, bind: sa.engine.Connection) -> None:
        self.kim_desa = dict(bind.execute(sa.select(kim.c.id, kim.c.desa_code)).all())
        self.frameworks = {
            row.version: row for row in bind.execute(sa.select(framework)).mappings()
        }
        self.period_code = dict(bind.execute(sa.select(period.c.id, period.c.code)).all())
        self.period_id = {code: pid for pid, code in self.period_code.items()}


def _kim_entry(row: Any, new: dict[str, Any]) -> None:
    changes = row["changes"] or {}
    pattern = _KIM_SENTENCES.get(row["action"])
    if pattern is not None:
        match = re.match(rf"^{pattern} (?P<name>.+?){_IMPORT_ROW}$", row["legacy_summary"] or "")
        if match:
            new["message"] = row["action"] + (".import" if match["row"] else "")
            new["params"] = {
                "name": match["name"],
                **({"row": int(match["row"])} if match["row"] else {}),
            }
    if row["action"] == "kim.create" and changes:
        new["changes"] = _created(changes)
    if row["action"] == "kim.import":
        new["message"] = "kim.import"
        new["params"] = {
            "file": changes.get("file"),
            "created": changes.get("created", 0),
            "updated": changes.get("updated", 0),
            "unchanged": changes.get("unchanged", 0),
            "invalid": changes.get("invalid_rows", 0),
        }
        new["changes"] = None


def _convert(row: Any, ctx: _Context) -> dict[str, Any]:
    """The new column values of one old entry (kim_id and region of KIM entries come later)."""
    action, entity_id = row["action"], row["entity_id"]
    changes = row["changes"] or {}
    summary = row["legacy_summary"] or ""
    new: dict[str, Any] = {
        "entity": row["entity"],
        "entity_id": entity_id,
        "changes": row["changes"],
    }
    new.update(message=None, params=None, region_code=None)
    if action.startswith("kim."):
        _kim_entry(row, new)
    elif action.startswith("user."):
        user = _int(entity_id)
        new["params"] = {"user": user} if user is not None else None
        new["message"] = action
        if action == "user.password_reset" and summary.endswith("lewat CLI"):
            new["message"] = "user.password_reset.cli"
        if action == "user.create":
            new["params"] = {**(new["params"] or {}), "role": changes.get("peran")}
        if changes:
            new["changes"] = _user_changes(changes, created=action == "user.create")
    elif action.startswith("framework."):
        version = _int(entity_id)
        fw = ctx.frameworks.get(version) if version is not None else None
        if fw is not None:
            new["entity_id"] = str(fw["id"])
        params: dict[str, Any] = {"version": version}
        new["message"] = action
        new["changes"] = None
        if action == "framework.create":
            match = _FRAMEWORK_NAME.match(summary)
            params["name"] = match["name"] if match else (fw["name"] if fw is not None else "")
        elif action == "framework.draft":
            params["source"] = changes.get("from_version")
        elif action == "framework.activate":
            if changes.get("previous_version") is not None:
                params["previous"] = changes["previous_version"]
                new["message"] = "framework.activate.replacing"
        elif action == "framework.update":
            new["changes"] = _framework_changes(
                changes, fw["definition"] if fw is not None else None
            )
        new["params"] = params
    elif action in ("period.create", "period.close", "period.reopen"):
        code = ctx.period_code.get(_int(entity_id)) or changes.get("code")
        new["message"], new["params"] = action, {"period": code}
        if action == "period.create":
            new["changes"] = _created(changes)
        if action == "period.reopen":  # the reason moves from the changes into the summary
            new["params"]["reason"] = changes.get("reason") or ""
            new["changes"] = {k: v for k, v in changes.items() if k != "reason"} or None
    elif action == "assessment.run":
        new["message"] = action
        new["params"] = {
            "period": ctx.period_code.get(_int(entity_id)),
            "version": changes.get("framework_version"),
            "kims": changes.get("kims", 0),
            "tiers": changes.get("tiers") or {},
        }
        new["changes"] = None
    elif action == "activity.import_posts":
        new["message"], new["changes"] = action, None
        new["params"] = {
            "file": changes.get("file"),
            **_counts(changes, "created", "skipped", "invalid"),
        }
    elif action in ("activity.import_counts", "measurement.import"):
        new["message"], new["changes"], new["entity_id"] = action, None, None
        new["params"] = {
            "file": changes.get("file"),
            "period": changes.get("period") or entity_id,
            **_counts(changes, "created", "updated", "unchanged", "invalid"),
        }
    elif action == "measurement.grid":
        period_code, _slash, kecamatan = (entity_id or "").partition("/")
        counts = _GRID_COUNTS.search(summary)
        new["entity_id"], new["region_code"] = None, kecamatan or None
        if counts and kecamatan:
            new["message"] = action
            new["params"] = {
                "period": period_code,
                "kecamatan": kecamatan,
                **{k: int(v) for k, v in counts.groupdict().items()},
            }
        cells = {}
        for key, value in changes.items():
            match = _GRID_CELL.match(key)
            cells[f"{match['kim']}.{match['code']}" if match else key] = value
        new["changes"] = cells or None
    elif action == "region.import":
        only = changes.get("hanya") or None
        new["message"] = "region.import.only" if only else "region.import"
        new["region_code"] = only
        new["params"] = {
            "file": changes.get("berkas"),
            **({"region": only} if only else {}),
            "created": changes.get("baru", 0),
            "updated": changes.get("diubah", 0),
            "unchanged": changes.get("tetap", 0),
        }
        renamed = changes.get("nama_diubah") or {}
        new["changes"] = {f"{code}.name": names for code, names in renamed.items()} or None
    elif action == "demo.seed":
        new.update(entity="region", region_code=entity_id, message=action)
        new["params"] = {
            "region": entity_id,
            "kims": changes.get("kim", 0),
            "posts": changes.get("unggahan", 0),
            "measurements": changes.get("nilai_manual", 0),
        }
        new["changes"] = None
    return new


def _kim_regions(rows: list[Any], converted: dict[int, dict[str, Any]], ctx: _Context) -> None:
    """kim_id and the desa each KIM entry concerns: today's desa, walked back through moves."""
    by_kim: dict[int, list[Any]] = defaultdict(list)
    for row in rows:
        if row["entity"] == "kim" and (kim_id := _int(row["entity_id"])) is not None:
            by_kim[kim_id].append(row)
    for kim_id, entries in by_kim.items():
        current = ctx.kim_desa.get(kim_id)
        for row in sorted(entries, key=lambda r: (r["at"], r["id"]), reverse=True):
            new = converted[row["id"]]
            moved = (new["changes"] or {}).get("desa_code")
            if current is None and isinstance(moved, list) and len(moved) == 2:
                current = moved[1]  # a KIM no longer in the registry: its last known desa
            new["kim_id"] = kim_id if kim_id in ctx.kim_desa else None
            new["region_code"] = current
            if row["action"] != "kim.create" and isinstance(moved, list) and len(moved) == 2:
                current = moved[0] or current


def _rewrite_entries(bind: sa.engine.Connection) -> None:
    ctx = _Context(bind)
    rows = list(bind.execute(sa.select(audit).order_by(audit.c.id)).mappings())
    converted = {row["id"]: {"kim_id": None, **_convert(row, ctx)} for row in rows}
    _kim_regions(rows, converted, ctx)
    _update(bind, converted)


def _update(bind: sa.engine.Connection, converted: dict[int, dict[str, Any]]) -> None:
    """The old sentence stays in legacy_summary: what the entry said when it was written."""
    columns = ("entity", "entity_id", "kim_id", "region_code", "message", "params", "changes")
    statement = (
        audit.update()
        .where(audit.c.id == sa.bindparam("b_id"))
        .values({c: sa.bindparam(f"b_{c}", type_=audit.c[c].type) for c in columns})
    )
    batch: list[dict[str, Any]] = []
    for entry_id, new in converted.items():
        batch.append({"b_id": entry_id, **{f"b_{c}": new.get(c) for c in columns}})
        if len(batch) >= BATCH:
            bind.execute(statement, batch)
            batch = []
    if batch:
        bind.execute(statement, batch)


# --- downgrade: sentences again ------------------------------------------------------------------

# The Indonesian templates as of this revision (tracker/services/common/audit_vocabulary.py).
_TEMPLATES = {
    "kim.create": "Menambah KIM %(name)s",
    "kim.create.import": "Menambah KIM %(name)s (impor baris %(row)s)",
    "kim.update": "Mengubah KIM %(name)s",
    "kim.update.import": "Mengubah KIM %(name)s (impor baris %(row)s)",
    "kim.deactivate": "Menonaktifkan KIM %(name)s",
    "kim.reactivate": "Mengaktifkan kembali KIM %(name)s",
    "kim.import": "Impor registri KIM dari %(file)s: %(created)s KIM baru, %(updated)s diperbarui, "
    "%(unchanged)s tidak berubah, %(invalid)s baris tidak valid",
    "region.import": "Impor wilayah dari %(file)s: %(created)s baru, %(updated)s diubah, "
    "%(unchanged)s tetap",
    "region.import.only": "Impor wilayah dari %(file)s (hanya %(region)s): %(created)s baru, "
    "%(updated)s diubah, %(unchanged)s tetap",
    "activity.import_posts": "Impor unggahan konten %(file)s: %(created)s baru, "
    "%(skipped)s sudah ada, %(invalid)s baris tidak valid",
    "activity.import_counts": "Impor jumlah konten %(period)s dari %(file)s: %(created)s baru, "
    "%(updated)s diubah, %(unchanged)s tetap, %(invalid)s baris tidak valid",
    "measurement.grid": "Nilai indikator %(period)s, Kecamatan %(kecamatan)s: %(created)s baru, "
    "%(updated)s diubah, %(deleted)s dihapus",
    "measurement.import": "Impor nilai indikator %(period)s dari %(file)s: %(created)s baru, "
    "%(updated)s diubah, %(unchanged)s tetap, %(invalid)s baris tidak valid",
    "assessment.run": "Penilaian periode %(period)s dengan kerangka v%(version)s: "
    "%(kims)s KIM dinilai",
    "framework.create": "Kerangka bawaan v%(version)s dipasang dan diaktifkan: %(name)s",
    "framework.draft": "Draf kerangka v%(version)s dibuat dari v%(source)s",
    "framework.update": "Draf kerangka v%(version)s diubah",
    "framework.activate": "Kerangka v%(version)s diaktifkan",
    "framework.activate.replacing": "Kerangka v%(version)s diaktifkan, menggantikan v%(previous)s",
    "period.create": "Periode %(period)s ditambahkan",
    "period.close": "Periode %(period)s ditutup",
    "period.reopen": "Periode %(period)s dibuka kembali: %(reason)s",
    "user.create": "Membuat akun %(user)s (%(role)s)",
    "user.update": "Mengubah akun %(user)s",
    "user.activate": "Mengaktifkan kembali akun %(user)s",
    "user.deactivate": "Menonaktifkan akun %(user)s",
    "user.password_reset": "Mengatur ulang kata sandi %(user)s",
    "user.password_reset.cli": "Mengatur ulang kata sandi %(user)s lewat CLI",
    "user.password_change": "Mengganti kata sandi sendiri",
    "user.locale": "Mengganti bahasa tampilan",
    "user.logout": "Keluar; semua sesi akun ini diakhiri",
    "demo.seed": "Data demo %(region)s dimuat: %(kims)s KIM, %(posts)s unggahan, "
    "%(measurements)s nilai manual",
}
_REGION_PARAMS = ("region", "kecamatan", "desa")


def _write_sentences(bind: sa.engine.Connection) -> None:
    regions = {
        row.code: row.tidy_name or row.name
        for row in bind.execute(sa.select(region.c.code, region.c.name, region.c.tidy_name))
    }
    usernames = dict(bind.execute(sa.select(user_account.c.id, user_account.c.username)).all())
    versions = dict(bind.execute(sa.select(framework.c.id, framework.c.version)).all())
    rows = bind.execute(sa.select(audit).order_by(audit.c.id)).mappings()
    statement = (
        audit.update()
        .where(audit.c.id == sa.bindparam("b_id"))
        .values(
            legacy_summary=sa.bindparam("b_summary", type_=sa.Text()),
            changes=sa.bindparam("b_changes", type_=sa.JSON()),
            entity_id=sa.bindparam("b_entity_id", type_=sa.String()),
        )
    )
    batch: list[dict[str, Any]] = []
    for row in list(rows):
        params = dict(row["params"] or {})
        for key in _REGION_PARAMS:
            if key in params:
                params[key] = regions.get(params[key], params[key])
        if "user" in params:
            params["user"] = usernames.get(params["user"], params["user"])
        summary = row["legacy_summary"] or ""
        template = _TEMPLATES.get(row["message"] or "")
        if not summary and template is not None:
            try:
                summary = template % params
            except (KeyError, ValueError, TypeError):
                summary = row["action"]
        changes = row["changes"]
        if changes and row["action"].endswith(".create"):
            changes = {
                k: v[1] if isinstance(v, list) and len(v) == 2 else v for k, v in changes.items()
            }
        entity_id = row["entity_id"]
        if row["entity"] == "framework" and _int(entity_id) in versions:
            entity_id = str(versions[_int(entity_id)])
        batch.append(
            {
                "b_id": row["id"],
                "b_summary": summary,
                "b_changes": changes,
                "b_entity_id": entity_id,
            }
        )
        if len(batch) >= BATCH:
            bind.execute(statement, batch)
            batch = []
    if batch:
        bind.execute(statement, batch)
