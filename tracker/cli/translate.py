"""`flask translate update|compile|init`: the message catalogues (microblog style).

Source texts (msgids) are Indonesian; `translations/en` holds the English catalogue. After adding
or changing UI text: `flask translate update`, fill the new English entries in
translations/en/LC_MESSAGES/messages.po, then `flask translate compile` (or `make translations`).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from tracker.cli.common import fail

translate_cli = AppGroup("translate", help="Katalog terjemahan (sumber: bahasa Indonesia).")


def _project_root() -> Path:
    return Path(current_app.root_path).parent


def _pybabel(*args: str) -> None:
    """Run pybabel from this interpreter's environment, in the project root."""
    command = [sys.executable, "-m", "babel.messages.frontend", *args]
    result = subprocess.run(command, cwd=_project_root(), check=False)
    if result.returncode != 0:
        fail(f"pybabel {args[0]} gagal (kode {result.returncode}).")


def _extract(pot: Path) -> None:
    _pybabel(
        "extract",
        "-F",
        "babel.cfg",
        "-k",
        "_l",
        "-k",
        "lazy_gettext",
        "--project",
        "Jenjang",
        "--copyright-holder",
        "Jenjang",
        "--msgid-bugs-address",
        "-",
        "--sort-by-file",
        "-o",
        str(pot),
        ".",
    )


@translate_cli.command("update")
def update() -> None:
    """Ambil teks baru dari kode dan templat ke semua katalog."""
    pot = _project_root() / "messages.pot"
    try:
        _extract(pot)
        # No fuzzy matching: a guessed translation would be compiled by `make translations` (-f)
        # and show the wrong English text; a new text stays empty until someone translates it.
        _pybabel("update", "-i", str(pot), "-d", "translations", "--no-fuzzy-matching")
    finally:
        pot.unlink(missing_ok=True)
    click.echo(
        "Katalog diperbarui. Isi terjemahan yang kosong, lalu jalankan: flask translate compile"
    )


@translate_cli.command("compile")
def compile_catalogues() -> None:
    """Kompilasi katalog .po menjadi .mo."""
    _pybabel("compile", "-d", "translations")
    click.echo("Katalog dikompilasi.")


@translate_cli.command("init")
@click.argument("language")
def init(language: str) -> None:
    """Buat katalog untuk bahasa baru, mis. `flask translate init jv`."""
    pot = _project_root() / "messages.pot"
    try:
        _extract(pot)
        _pybabel("init", "-i", str(pot), "-d", "translations", "-l", language)
    finally:
        pot.unlink(missing_ok=True)
    click.echo(f"Katalog {language} dibuat di translations/{language}.")


COMMANDS = (translate_cli,)
