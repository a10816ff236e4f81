"""`flask user create|list|set-password`: accounts from the server's command line.

The first admin of a fresh installation is made here. The password never appears in the shell
history or the process list: it is prompted (hidden, twice) on a terminal, or read from the first
line of stdin when piped (`printf '%s\\n' "$PW" | flask user create ...`).
"""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

from tracker.cli.common import exit_on_refusal, fail
from tracker.models.user import ROLES
from tracker.services.accounts import user_admin

user_cli = AppGroup("user", help="Kelola akun pengguna.")


def _stdin_is_tty() -> bool:
    return sys.stdin.isatty()


def _read_password() -> str:
    if _stdin_is_tty():
        return click.prompt(
            "Kata sandi",
            hide_input=True,
            confirmation_prompt="Ulangi kata sandi",
        )
    line = sys.stdin.readline()
    return line.rstrip("\r\n")


@user_cli.command("create")
@click.option("--username", required=True, help="Nama pengguna (disimpan dalam huruf kecil).")
@click.option("--role", required=True, help="Peran: " + ", ".join(ROLES) + ".")
@click.option(
    "--region",
    "regions",
    required=True,
    multiple=True,
    help="Kode wilayah kerja (Kemendagri); boleh diulang untuk beberapa kecamatan.",
)
@click.option("--full-name", default="", help="Nama lengkap.")
def create(username: str, role: str, regions: tuple[str, ...], full_name: str) -> None:
    """Buat akun. Kata sandi ditanyakan, atau dibaca dari baris pertama stdin."""
    data = user_admin.UserInput(full_name=full_name, role=role, scope_codes=list(regions))
    try:
        with exit_on_refusal(suffix="Tidak ada yang disimpan."):
            # Refuse a bad role, region or name before asking for a password nobody will use.
            user_admin.check_new_user(None, username, data)
            password = _read_password()
            user = user_admin.create_user(None, username, password, data)
    except click.Abort:
        fail("Dibatalkan. Tidak ada yang disimpan.")
    scopes = ", ".join(user.scope_codes)
    click.echo(f"Akun {user.username} ({user.role}) dibuat, wilayah: {scopes}.")


@user_cli.command("list")
def list_users() -> None:
    """Daftar semua akun."""
    rows = user_admin.all_users()
    if not rows:
        click.echo("Belum ada akun.")
        return
    click.echo(f"{'NAMA PENGGUNA':<24} {'PERAN':<8} {'STATUS':<8} {'WILAYAH':<28} NAMA LENGKAP")
    for u in rows:
        status = "aktif" if u.is_active_account else "nonaktif"
        scopes = ",".join(u.scope_codes) or "-"
        click.echo(f"{u.username:<24} {u.role:<8} {status:<8} {scopes:<28} {u.full_name}")


@user_cli.command("set-password")
@click.option("--username", required=True, help="Nama pengguna.")
def set_password(username: str) -> None:
    """Atur kata sandi baru. Ditanyakan, atau dibaca dari baris pertama stdin."""
    try:
        with exit_on_refusal(suffix="Tidak ada yang disimpan."):
            user_admin.find_by_username(username)
            password = _read_password()
            user = user_admin.set_password_by_username(username, password)
    except click.Abort:
        fail("Dibatalkan. Tidak ada yang disimpan.")
    click.echo(f"Kata sandi {user.username} diganti.")


COMMANDS = (user_cli,)
