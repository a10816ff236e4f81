"""`flask user create|list|set-password`."""

from __future__ import annotations

import pytest
from flask.testing import FlaskCliRunner
from sqlalchemy import func, select

from tests import factories
from tracker.cli import accounts as user_commands
from tracker.extensions import db
from tracker.models import AuditEntry, User
from tracker.services.accounts.authentication import verify_password

PW = "kata-sandi-cli-2025"


def _user(username: str) -> User | None:
    return db.session.scalar(select(User).where(User.username == username))


def _users() -> int:
    return db.session.scalar(select(func.count()).select_from(User))


def test_create_reads_the_password_from_stdin(runner: FlaskCliRunner, regions) -> None:
    result = runner.invoke(
        args=[
            "user",
            "create",
            "--username",
            "Admin.Lumajang",
            "--role",
            "admin",
            "--region",
            "35.08",
            "--full-name",
            "Admin Diskominfo",
        ],
        input=PW + "\n",
    )
    assert result.exit_code == 0, result.output
    assert "Akun admin.lumajang (admin) dibuat" in result.output
    user = _user("admin.lumajang")
    assert user is not None and user.full_name == "Admin Diskominfo"
    assert user.scope_codes == ["35.08"]
    assert verify_password(user, PW)
    assert PW not in result.output
    entry = db.session.scalar(select(AuditEntry))
    assert entry.action == "user.create" and entry.user_id is None


def test_create_petugas_with_several_kecamatan(runner, regions) -> None:
    result = runner.invoke(
        args=[
            "user",
            "create",
            "--username",
            "budi",
            "--role",
            "petugas",
            "--region",
            "35.08.09",
            "--region",
            "35.08.02",
        ],
        input=PW + "\r\nbaris kedua diabaikan\n",
    )
    assert result.exit_code == 0, result.output
    user = _user("budi")
    assert user.scope_codes == ["35.08.02", "35.08.09"]
    assert verify_password(user, PW)  # CRLF stripped, only the first line read


def test_create_prompts_twice_on_a_terminal(runner, regions, monkeypatch) -> None:
    monkeypatch.setattr(user_commands, "_stdin_is_tty", lambda: True)
    result = runner.invoke(
        args=["user", "create", "--username", "sari", "--role", "viewer", "--region", "35.08"],
        input=f"{PW}\n{PW}\n",
    )
    assert result.exit_code == 0, result.output
    assert "Ulangi kata sandi" in result.output
    assert PW not in result.output  # hidden input
    assert verify_password(_user("sari"), PW)


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (["--role", "superadmin", "--region", "35.08"], PW, "Peran tidak dikenal: superadmin"),
        (["--role", "admin", "--region", "99.99"], PW, "Kode wilayah tidak dikenal: 99.99."),
        (["--role", "admin", "--region", "35.08", "--region", "35.77"], PW, "35.77"),
        (["--role", "admin", "--region", "35.08"], "pendek", "Kata sandi minimal 8 karakter."),
        (["--role", "admin", "--region", "35.08"], "", "Kata sandi minimal 8 karakter."),
        (["--role", "admin", "--region", "35.08"], "password123", "paling umum dipakai"),
        (["--role", "admin", "--region", "35.08"], "BaruBaru2025", "memuat nama pengguna"),
    ],
)
def test_create_refuses_bad_input_and_writes_nothing(runner, regions, args, stdin, message) -> None:
    result = runner.invoke(args=["user", "create", "--username", "baru", *args], input=stdin + "\n")
    assert result.exit_code == 1
    assert message in result.output
    assert "Tidak ada yang disimpan." in result.output
    assert _users() == 0
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == 0


def test_create_refuses_a_taken_username(runner, regions) -> None:
    factories.user("viewer", username="sari")
    result = runner.invoke(
        args=["user", "create", "--username", "SARI", "--role", "admin", "--region", "35.08"],
        input=PW + "\n",
    )
    assert result.exit_code == 1
    assert 'Nama pengguna "sari" sudah dipakai.' in result.output
    assert _users() == 1


def test_create_requires_a_region(runner, regions) -> None:
    result = runner.invoke(
        args=["user", "create", "--username", "x1x", "--role", "admin"], input=PW + "\n"
    )
    assert result.exit_code == 2  # click's own usage error
    assert _users() == 0


def test_list(runner, regions) -> None:
    factories.user("petugas", username="budi", scope=["35.08.09", "35.08.02"], full_name="Budi S")
    factories.user("viewer", username="sari", is_active_account=False)
    result = runner.invoke(args=["user", "list"])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0].startswith("NAMA PENGGUNA")
    assert "budi" in lines[1] and "petugas" in lines[1] and "35.08.02,35.08.09" in lines[1]
    assert "Budi S" in lines[1]
    assert "sari" in lines[2] and "nonaktif" in lines[2]


def test_list_when_empty(runner, regions) -> None:
    result = runner.invoke(args=["user", "list"])
    assert result.exit_code == 0 and "Belum ada akun." in result.output


def test_set_password(runner, regions) -> None:
    factories.user("viewer", username="sari")
    result = runner.invoke(args=["user", "set-password", "--username", "Sari"], input=PW + "\n")
    assert result.exit_code == 0, result.output
    assert verify_password(_user("sari"), PW)
    assert db.session.scalar(select(AuditEntry.action)) == "user.password_reset"


def test_set_password_refusals(runner, regions) -> None:
    user = factories.user("viewer", username="sari")
    before = user.password_hash
    missing = runner.invoke(args=["user", "set-password", "--username", "tidakada"], input=PW)
    assert missing.exit_code == 1 and "Pengguna tidak ditemukan: tidakada." in missing.output
    short = runner.invoke(args=["user", "set-password", "--username", "sari"], input="abc\n")
    assert short.exit_code == 1 and "Kata sandi minimal 8 karakter." in short.output
    set_password = ["user", "set-password", "--username", "sari"]
    common = runner.invoke(args=set_password, input="qwertyuiop\n")
    assert common.exit_code == 1 and "paling umum dipakai" in common.output
    own = runner.invoke(args=set_password, input="sari-sari-sari\n")
    assert own.exit_code == 1 and "memuat nama pengguna" in own.output
    db.session.expire_all()
    assert _user("sari").password_hash == before
