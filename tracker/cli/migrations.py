"""`flask db …`: the database migrations (Flask-Migrate over Alembic).

Alembic, with the template and highlighting libraries it brings, is about a tenth of the
application's start-up, and only these commands use it: so it is imported when a `db` command is
looked up, not when the application is created (every other command and every web worker starts
without it).
"""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app, g
from flask.cli import with_appcontext

from tracker.extensions import db


def set_up(app: Flask) -> None:
    """Bind Flask-Migrate to `app`, once: what `flask db` does before its first command, and what
    code migrating a database itself (flask_migrate.upgrade in a test) calls first."""
    from flask_migrate import Migrate

    if "migrate" not in app.extensions:
        directory = Path(app.root_path).parent / "migrations"
        Migrate(app, db, directory=str(directory), render_as_batch=True)


class _Migrations(click.Group):
    """Flask-Migrate's `db` group, set up on first use."""

    def _commands(self) -> click.Group:
        from flask_migrate.cli import db as commands

        set_up(current_app._get_current_object())  # type: ignore[attr-defined]
        return commands

    def list_commands(self, ctx: click.Context) -> list[str]:
        return self._commands().list_commands(ctx)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        return self._commands().get_command(ctx, cmd_name)


@click.group(cls=_Migrations)
@click.option("-d", "--directory", default=None, help="Folder migrasi (bawaan: migrations).")
@click.option("-x", "--x-arg", multiple=True, help="Argumen tambahan untuk env.py.")
@with_appcontext
def migrations_cli(directory: str | None, x_arg: tuple[str, ...]) -> None:
    """Migrasi basis data (Alembic): upgrade, check, migrate…"""
    # what Flask-Migrate's own `db` group does before its commands read their configuration
    g.directory = directory
    g.x_arg = x_arg


migrations_cli.name = "db"

COMMANDS = (migrations_cli,)
