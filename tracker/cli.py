"""`flask` commands. Each command parses its arguments, calls one service and prints the outcome;
the same services serve the web pages and the scheduled jobs.

Exit codes: 0 success, 1 the input was refused (nothing written), 2 usage error (click's own).
"""

from __future__ import annotations

import sys
from typing import NoReturn

import click
from flask import Flask
from flask.cli import AppGroup

user_cli = AppGroup("user", help="Kelola akun pengguna.")
region_cli = AppGroup("region", help="Pohon wilayah (kode Kemendagri).")
kim_cli = AppGroup("kim", help="Registri KIM: impor dan ekspor.")
demo_cli = AppGroup("demo", help="Data demo kabupaten.")
period_cli = AppGroup("period", help="Periode penilaian.")
activity_cli = AppGroup("activity", help="Data aktivitas website KIM.")
measure_cli = AppGroup("measure", help="Nilai indikator manual.")
assess_cli = AppGroup("assess", help="Penilaian KIM per periode.")
framework_cli = AppGroup("framework", help="Kerangka penilaian.")

GROUPS = (
    user_cli,
    region_cli,
    kim_cli,
    demo_cli,
    period_cli,
    activity_cli,
    measure_cli,
    assess_cli,
    framework_cli,
)


def fail(message: str, code: int = 1) -> NoReturn:
    """Print an Indonesian error to stderr and exit non-zero."""
    click.echo(message, err=True)
    sys.exit(code)


def register(app: Flask) -> None:
    # The command modules attach their commands to the groups above when imported.
    from tracker import cli_commands  # noqa: F401

    for group in GROUPS:
        app.cli.add_command(group)
    for command in EXTRA_COMMANDS:
        app.cli.add_command(command)


# Top-level commands that are not in a group (e.g. `flask leaderboard`).
EXTRA_COMMANDS: list[click.Command] = []
