"""Migration 0004 (audit convention) on a database holding entries of the old convention: the
entries gain their KIM and region and read as data; downgrade gives the sentences back."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, datetime
from typing import Any

import flask_migrate
import pytest
from flask import Flask
from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Integer,
    String,
    Text,
    column,
    inspect,
    select,
    table,
    text,
)

from tracker.extensions import db
from tracker.models import AuditEntry
from tracker.services.common import audit_writer
from tracker.services.common.audit_render import render

REVISION = "0004"
BEFORE = "0003"  # the revision it builds on

REGIONS = [
    ("35", "JAWA TIMUR", 1, None),
    ("35.08", "KABUPATEN LUMAJANG", 2, "35"),
    ("35.08.09", "SUKODONO", 3, "35.08"),
    ("35.08.02", "PASIRIAN", 3, "35.08"),
    ("35.08.09.2001", "KUTORENON", 4, "35.08.09"),
    ("35.08.02.2001", "CONDRO", 4, "35.08.02"),
]

# (action, entity, entity_id, user_id, summary, changes) as the code before 0003 wrote them
OLD_ENTRIES: list[tuple[str, str, str | None, int | None, str, Any]] = [
    (
        "kim.create",
        "kim",
        "1",
        None,
        "Menambah KIM KIM Sejahtera (impor baris 4)",
        {"name": "KIM Sejahtera", "desa_code": "35.08.02.2001", "sk_date": "2024-01-15"},
    ),
    # an English user's edit: the sentence was written in English
    (
        "kim.update",
        "kim",
        "1",
        1,
        "Changed KIM KIM Sejahtera",
        {"desa_code": ["35.08.02.2001", "35.08.09.2001"]},
    ),
    ("kim.update", "kim", "1", 2, "Mengubah KIM KIM Sejahtera", {"chair": ["Pak A", "Bu B"]}),
    (
        "kim.import",
        "kim",
        None,
        None,
        "Impor registri KIM dari daftar.csv: 1 baris: 1 KIM baru, 0 diperbarui, "
        "0 tidak berubah, 0 baris tidak valid.",
        {"file": "daftar.csv", "created": 1, "updated": 0, "unchanged": 0, "invalid_rows": 0},
    ),
    (
        "user.create",
        "user",
        "2",
        1,
        "Membuat akun budi (Petugas)",
        {
            "nama_pengguna": "budi",
            "nama_lengkap": "Budi",
            "peran": "petugas",
            "aktif": True,
            "wilayah": "35.08.02, 35.08.09",
        },
    ),
    (
        "user.update",
        "user",
        "2",
        1,
        "Mengubah akun budi",
        {"wilayah": ["35.08.09", "35.08.02, 35.08.09"], "peran": ["petugas", "kabid"]},
    ),
    ("user.locale", "user", "1", 1, "Mengganti bahasa tampilan", {"bahasa": ["id", "en"]}),
    (
        "user.password_reset",
        "user",
        "2",
        None,
        "Mengatur ulang kata sandi budi lewat CLI",
        None,
    ),
    (
        "framework.update",
        "framework",
        "2",
        1,
        "Draf kerangka v2 diubah",
        {"tiers.2.min": [60, 65], "conditions.1.min": [75, 70], "indicators.W1.weight": [35, 30]},
    ),
    (
        "framework.activate",
        "framework",
        "2",
        1,
        "Kerangka v2 diaktifkan, menggantikan v1",
        {"previous_version": 1},
    ),
    (
        "period.create",
        "period",
        "1",
        1,
        "Periode 2025-T1 ditambahkan",
        {"code": "2025-T1", "start_date": "2025-01-01", "end_date": "2025-03-31"},
    ),
    (
        "period.reopen",
        "period",
        "1",
        1,
        "Periode 2025-T1 dibuka kembali: salah tutup",
        {"state": ["closed", "open"], "reason": "salah tutup"},
    ),
    (
        "measurement.grid",
        "measurement",
        "2025-T1/35.08.09",
        2,
        "Nilai indikator 2025-T1, Kecamatan Sukodono: 1 baru, 0 diubah, 0 dihapus",
        {"KIM Sejahtera (1) K3": [None, 3.0]},
    ),
    (
        "activity.import_counts",
        "content_count",
        "2025-T1",
        None,
        "Impor jumlah konten 2025-T1 dari jumlah.csv: 1 baru, 0 diubah, 0 tetap, 0 baris "
        "tidak valid",
        {"file": "jumlah.csv", "period": "2025-T1", "rows": 1, "created": 1, "updated": 0}
        | {"unchanged": 0, "skipped": 0, "invalid": 0},
    ),
    (
        "assessment.run",
        "period",
        "1",
        1,
        "Penilaian periode 2025-T1 dengan kerangka v2: 1 KIM dinilai",
        {"framework_version": 2, "kims": 1, "tiers": {"Rintisan": 1, "Maju": 0}},
    ),
    (
        "region.import",
        "region",
        None,
        None,
        "Impor wilayah dari wilayah.csv: 0 baru, 1 diubah",
        {
            "berkas": "wilayah.csv",
            "hanya": None,
            "baru": 0,
            "diubah": 1,
            "tetap": 5,
            "nama_diubah": {"35.08.09.2001": ["Kutorenon Lama", "KUTORENON"]},
        },
    ),
    (
        "demo.seed",
        "demo",
        "35.08",
        None,
        "Data demo Kabupaten Lumajang dimuat: 1 KIM, 2 unggahan, 3 nilai manual",
        {"wilayah": 6, "kim": 1, "unggahan": 2, "nilai_manual": 3, "akun": 2, "periode": []},
    ),
    ("something.odd", "thing", "9", None, "Sesuatu yang tidak dikenal", {"x": 1}),
]


@pytest.fixture
def old_app(migratable_app: Callable[[str], Flask]) -> Iterator[Flask]:
    """An app on a SQLite file migrated to the revision before the convention, holding old
    entries."""
    app = migratable_app("lama.sqlite3")
    with app.app_context():
        flask_migrate.upgrade(revision=BEFORE)
        _insert_old_rows()
        yield app
        db.session.remove()
        db.engine.dispose()


_old_audit = table(
    "audit_entry",
    column("at", DateTime),
    column("user_id", Integer),
    column("action", String),
    column("entity", String),
    column("entity_id", String),
    column("summary", Text),
    column("changes", JSON),
)


def _insert_old_rows() -> None:
    """Rows as the schema of 0002 holds them (Core statements: the models have moved on)."""
    run = db.session.execute
    run(
        table("region", *(column(c) for c in ("code", "name", "level", "parent_code"))).insert(),
        [dict(zip(("code", "name", "level", "parent_code"), r, strict=True)) for r in REGIONS],
    )
    accounts = table(
        "user_account",
        *(column(c) for c in ("id", "username", "full_name", "password_hash", "role", "locale")),
        column("is_active_account", Boolean),
        column("created_at", DateTime),
    )
    run(
        accounts.insert(),
        [
            {"id": uid, "username": name, "full_name": "", "password_hash": "x", "role": "admin"}
            | {"locale": "id", "is_active_account": True, "created_at": datetime(2025, 1, 1)}
            for uid, name in ((1, "admin"), (2, "budi"))
        ],
    )
    kims = table(
        "kim",
        *(column(c) for c in ("id", "name", "name_key", "desa_code", "status", "version")),
        column("created_at", DateTime),
        column("updated_at", DateTime),
    )
    run(
        kims.insert(),
        {"id": 1, "name": "KIM Sejahtera", "name_key": "kim sejahtera"}
        | {"desa_code": "35.08.09.2001", "status": "aktif", "version": 3}
        | {"created_at": datetime(2025, 1, 1), "updated_at": datetime(2025, 1, 1)},
    )
    frameworks = table(
        "framework",
        *(column(c) for c in ("id", "version", "name", "state")),
        column("definition", JSON),
        column("created_at", DateTime),
    )
    definition = db.session.scalar(select(frameworks.c.definition).where(frameworks.c.version == 1))
    run(
        frameworks.insert(),
        {"id": 7, "version": 2, "name": "Kerangka v2", "state": "active"}
        | {"definition": definition, "created_at": datetime(2025, 1, 1)},
    )
    periods = table(
        "period",
        *(column(c) for c in ("id", "code", "kind", "state")),
        *(column(c, Date) for c in ("start_date", "end_date")),
        column("created_at", DateTime),
    )
    run(
        periods.insert(),
        {"id": 1, "code": "2025-T1", "kind": "triwulan", "state": "open"}
        | {"start_date": date(2025, 1, 1), "end_date": date(2025, 3, 31)}
        | {"created_at": datetime(2025, 1, 1)},
    )
    run(
        _old_audit.insert(),
        [
            {"at": datetime(2025, 3, 1, 10, n), "user_id": user_id, "action": action}
            | {"entity": entity, "entity_id": entity_id, "summary": summary, "changes": changes}
            for n, (action, entity, entity_id, user_id, summary, changes) in enumerate(OLD_ENTRIES)
        ],
    )
    db.session.commit()


def _entries() -> dict[str, list[AuditEntry]]:
    found: dict[str, list[AuditEntry]] = {}
    for entry in db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)):
        found.setdefault(entry.action, []).append(entry)
    return found


def test_the_migration_upgrades_a_database_with_old_entries(old_app: Flask) -> None:
    flask_migrate.upgrade(revision=REVISION)
    e = _entries()
    created, moved, edited = [*e["kim.create"], *e["kim.update"]]
    # the KIM, and the desa it lay in at the time: Condro until it moved to Kutorenon
    assert (created.kim_id, created.region_code) == (1, "35.08.02.2001")
    assert (moved.kim_id, moved.region_code) == (1, "35.08.09.2001")
    assert (edited.kim_id, edited.region_code) == (1, "35.08.09.2001")
    assert (created.message, created.params) == (
        "kim.create.import",
        {"name": "KIM Sejahtera", "row": 4},
    )
    assert created.changes == {
        "name": [None, "KIM Sejahtera"],
        "desa_code": [None, "35.08.02.2001"],
        "sk_date": [None, "2024-01-15"],
    }
    assert (moved.message, moved.params) == ("kim.update", {"name": "KIM Sejahtera"})
    imported = e["kim.import"][0]
    assert imported.message == "kim.import" and imported.changes is None
    assert imported.params == {
        "file": "daftar.csv",
        "created": 1,
        "updated": 0,
        "unchanged": 0,
        "invalid": 0,
    }
    account = e["user.create"][0]
    assert account.params == {"user": 2, "role": "petugas"} and account.region_code is None
    assert account.changes["scopes"] == [None, ["35.08.02", "35.08.09"]]
    assert e["user.update"][0].changes == {
        "scopes": [["35.08.09"], ["35.08.02", "35.08.09"]],
        "role": ["petugas", "kabid"],
    }
    assert e["user.locale"][0].changes == {"locale": ["id", "en"]}
    assert e["user.password_reset"][0].message == "user.password_reset.cli"
    edit = e["framework.update"][0]
    assert edit.entity_id == "7"  # the primary key, not the version number
    assert edit.changes == {
        "tiers.Maju.min": [60, 65],
        "conditions.Mandiri/W2.min": [75, 70],
        "indicators.W1.weight": [35, 30],
    }
    activation = e["framework.activate"][0]
    assert activation.message == "framework.activate.replacing"
    assert activation.params == {"version": 2, "previous": 1}
    assert e["period.create"][0].changes["start_date"] == [None, "2025-01-01"]
    reopened = e["period.reopen"][0]
    assert reopened.params == {"period": "2025-T1", "reason": "salah tutup"}
    assert reopened.changes == {"state": ["closed", "open"]}
    grid = e["measurement.grid"][0]
    assert (grid.entity_id, grid.region_code) == (None, "35.08.09")
    assert grid.changes == {"1.K3": [None, 3.0]}
    assert grid.params == {
        "period": "2025-T1",
        "kecamatan": "35.08.09",
        "created": 1,
        "updated": 0,
        "deleted": 0,
    }
    assert e["activity.import_counts"][0].entity_id is None
    assert e["region.import"][0].changes == {"35.08.09.2001.name": ["Kutorenon Lama", "KUTORENON"]}
    assert e["demo.seed"][0].entity == "region" and e["demo.seed"][0].region_code == "35.08"
    odd = e["something.odd"][0]
    assert odd.message is None and odd.legacy_summary == "Sesuatu yang tidak dikenal"

    with old_app.test_request_context():
        shown = render(list(db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))))
    summaries = [s.summary for s in shown]
    assert "Menambah KIM KIM Sejahtera (impor baris 4)" in summaries
    assert "Mengubah KIM KIM Sejahtera" in summaries  # the English sentence, now worded anew
    assert "Membuat akun budi (Petugas)" in summaries
    assert "Nilai indikator 2025-T1, Kecamatan SUKODONO: 1 baru, 0 diubah, 0 dihapus" in summaries
    assert "Penilaian periode 2025-T1 dengan kerangka v2: 1 KIM dinilai (Rintisan 1, Maju 0)" in (
        summaries
    )
    assert "Sesuatu yang tidak dikenal" in summaries  # kept as it was
    labels = [c.label for s in shown for c in s.changes]
    assert "Wilayah kerja" in labels and "Batas bawah jenjang Maju" in labels
    assert not [label for label in labels if "_" in label or "." in label]  # no raw keys
    page = " ".join(summaries + [f"{c.label} {c.old} {c.new}" for s in shown for c in s.changes])
    for raw in ("desa_code", "sk_date", "nama_pengguna", "invalid_rows", "previous_version"):
        assert raw not in page, raw
    assert "35.08" not in page and "1 Januari 2025" in page


def test_downgrade_gives_the_sentences_back_and_upgrade_runs_again(old_app: Flask) -> None:
    flask_migrate.upgrade(revision=REVISION)
    audit_writer.record("period.close", "period", 1, None, params={"period": "2025-T1"})
    db.session.commit()
    db.session.remove()

    flask_migrate.downgrade(revision=BEFORE)
    columns = {c["name"] for c in inspect(db.engine).get_columns("audit_entry")}
    assert "summary" in columns and not columns & {"kim_id", "region_code", "message", "params"}
    rows = dict(db.session.execute(text("SELECT action, summary FROM audit_entry")).all())
    assert rows["period.close"] == "Periode 2025-T1 ditutup"  # written in the new convention
    assert rows["user.create"] == "Membuat akun budi (Petugas)"
    created = db.session.scalar(
        select(_old_audit.c.changes).where(_old_audit.c.action == "kim.create")
    )
    assert created["name"] == "KIM Sejahtera"  # a plain created value again
    framework_entry = db.session.scalar(
        text("SELECT entity_id FROM audit_entry WHERE action = 'framework.update'")
    )
    assert framework_entry == "2"  # the version number again
    db.session.remove()

    flask_migrate.upgrade(revision=REVISION)
    entries = _entries()
    assert entries["period.close"][0].message == "period.close"
    assert entries["kim.create"][0].region_code == "35.08.02.2001"
