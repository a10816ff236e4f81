"""`flask backup create` and `flask backup restore`: a backup of a district with letters,
visit photos and coaching materials restored into an empty database and empty folders finds
everything, each letter's archived PDF with the SHA-256 recorded at issue; a changed file refuses
the backup before anything is touched; a database already holding rows is refused unless
--force. On PostgreSQL (TEST_DATABASE_URL) with pg_dump and pg_restore at hand the same test
runs through them."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from tests.security.world import World, build_world
from tracker import create_app
from tracker.extensions import db
from tracker.models import Letter, VisitPhoto

_POSTGRES = os.environ.get("TEST_DATABASE_URL", "").startswith("postgres")


def _counts() -> dict[str, int]:
    return {
        t.name: db.session.scalar(select(func.count()).select_from(t)) or 0
        for t in db.metadata.sorted_tables
    }


@pytest.fixture
def world(app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> World:
    return build_world(app, tmp_path, monkeypatch)


def _target(tmp_path: Path, name: str) -> Flask:
    """Another installation: its own empty database and folders."""
    base = tmp_path / name
    config: dict[str, object] = {
        "UPLOAD_FOLDER": str(base / "uploads"),
        "PHOTO_FOLDER": str(base / "photos"),
        "MATERIALS_FOLDER": str(base / "materi"),
        "LETTER_ARCHIVE": str(base / "letters"),
    }
    if not _POSTGRES:
        config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{base / 'jenjang.sqlite3'}"
    base.mkdir()
    return create_app(config)


def _backup(app: Flask, directory: Path):  # type: ignore[no-untyped-def]
    return app.test_cli_runner().invoke(args=["backup", "create", str(directory)])


@pytest.mark.skipif(_POSTGRES and not shutil.which("pg_dump"), reason="pg_dump not installed")
def test_a_backup_restored_into_an_empty_database_finds_everything(
    app: Flask, world: World, tmp_path: Path
) -> None:
    before = _counts()
    letters = {
        letter.number: (letter.pdf_sha256, letter.pdf_path)
        for letter in db.session.scalars(select(Letter))
    }
    assert len(letters) == 2 and before["visit_photo"] == 2 and before["coaching_material"] == 2
    result = _backup(app, tmp_path / "cadangan")
    assert result.exit_code == 0, result.output
    assert "Cadangan dibuat" in result.output
    manifest = json.loads((tmp_path / "cadangan" / "manifest.json").read_text())
    assert manifest["database"]["kind"] == ("postgresql" if _POSTGRES else "sqlite")
    assert any(name.startswith("files/letters/") for name in manifest["files"])
    assert any(name.startswith("files/photos/") for name in manifest["files"])
    assert any(name.startswith("files/materials/") for name in manifest["files"])

    if _POSTGRES:  # the same database, emptied: another installation on the same server
        db.session.remove()
        db.drop_all()
        target = app
        for key, folder in (
            ("UPLOAD_FOLDER", "uploads"),
            ("PHOTO_FOLDER", "photos"),
            ("MATERIALS_FOLDER", "materi"),
            ("LETTER_ARCHIVE", "letters"),
        ):
            app.config[key] = str(tmp_path / "baru" / folder)
    else:
        target = _target(tmp_path, "baru")
    with target.app_context():
        result = target.test_cli_runner().invoke(
            args=["backup", "restore", str(tmp_path / "cadangan")]
        )
        assert result.exit_code == 0, result.output
        db.session.remove()
        assert _counts() == before
        archive = Path(target.config["LETTER_ARCHIVE"])
        for number, (sha256, stored) in letters.items():
            restored = db.session.scalar(select(Letter).where(Letter.number == number))
            assert restored is not None and restored.pdf_sha256 == sha256
            assert hashlib.sha256((archive / stored).read_bytes()).hexdigest() == sha256
        photo_dir = Path(target.config["PHOTO_FOLDER"])
        for photo in db.session.scalars(select(VisitPhoto)):
            assert (photo_dir / photo.path).is_file() and (photo_dir / photo.thumb_path).is_file()
        assert any(p.is_file() for p in Path(target.config["MATERIALS_FOLDER"]).rglob("*"))
        client = target.test_client()
        client.post("/login", data={"username": "admin-kab", "password": "rahasia-uji-123"})
        pdf = client.get(f"/surat/{world.a.letter.id}/pdf")
        assert pdf.status_code == 200
        assert hashlib.sha256(pdf.data).hexdigest() == world.a.letter.pdf_sha256
        assert client.get(f"/pemantauan/foto/{world.a.photo_id}").status_code == 200
        material = f"/pembinaan/sesi/{world.a.session_id}/bahan/{world.a.material_id}"
        assert client.get(material).data.startswith(b"%PDF")

        # restoring again over what is now there: refused, unless --force
        again = target.test_cli_runner().invoke(
            args=["backup", "restore", str(tmp_path / "cadangan")]
        )
        assert again.exit_code == 1
        assert "sudah berisi data" in again.output
        forced = target.test_cli_runner().invoke(
            args=["backup", "restore", "--force", str(tmp_path / "cadangan")]
        )
        assert forced.exit_code == 0, forced.output
        db.session.remove()
        assert _counts() == before
        if not _POSTGRES:
            db.session.remove()
            db.engine.dispose()


@pytest.mark.skipif(_POSTGRES, reason="the checks before restoring are the same on PostgreSQL")
def test_a_changed_or_extra_file_refuses_the_backup_before_anything(
    app: Flask, world: World, tmp_path: Path
) -> None:
    assert _backup(app, tmp_path / "cadangan").exit_code == 0
    letter = next((tmp_path / "cadangan" / "files" / "letters").rglob("*.pdf"))
    original = letter.read_bytes()
    letter.write_bytes(original.replace(b"%PDF", b"%PDX"))
    target = _target(tmp_path, "baru")
    with target.app_context():
        runner = target.test_cli_runner()
        result = runner.invoke(args=["backup", "restore", str(tmp_path / "cadangan")])
        assert result.exit_code == 1
        assert "Checksum files/letters/" in result.output
        assert not Path(target.config["LETTER_ARCHIVE"]).exists()
        letter.write_bytes(original)
        (tmp_path / "cadangan" / "files" / "letters" / "sisipan.pdf").write_bytes(b"x")
        result = runner.invoke(args=["backup", "restore", str(tmp_path / "cadangan")])
        assert result.exit_code == 1 and "tidak tercantum di manifest" in result.output
        (tmp_path / "cadangan" / "files" / "letters" / "sisipan.pdf").unlink()
        (tmp_path / "cadangan" / "database.sqlite3").unlink()
        result = runner.invoke(args=["backup", "restore", str(tmp_path / "cadangan")])
        assert result.exit_code == 1 and "database.sqlite3 hilang" in result.output
        db.session.remove()
        db.engine.dispose()


def test_a_backup_goes_into_a_new_or_empty_folder_only(app: Flask, tmp_path: Path) -> None:
    (tmp_path / "penuh").mkdir()
    (tmp_path / "penuh" / "lain.txt").write_text("x")
    result = _backup(app, tmp_path / "penuh")
    assert result.exit_code == 1 and "tidak kosong" in result.output
    result = app.test_cli_runner().invoke(args=["backup", "restore", str(tmp_path / "penuh")])
    assert result.exit_code == 1 and "bukan cadangan Jenjang" in result.output
