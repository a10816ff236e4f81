"""Jenjang: KIM maturity and coaching tracker for Diskominfo offices."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

_apps: list[bool] = []  # an application was created in this process


@contextmanager
def _loading_modules(freeze: bool) -> Iterator[None]:
    """Load the application's modules without the cyclic garbage collector scanning them.

    Importing them creates a few hundred thousand objects that live as long as the process
    (modules, classes, mappers, functions, compiled templates of routes): every collection during
    the import would scan them all and free nothing, and so would the first one after it. So the
    collector is paused while they load and, the first time, what exists then is moved out of its
    reach (`gc.freeze`, as the Python documentation advises for a server's start-up); collection
    resumes as it was. A process's later apps (the tests make one per test) freeze nothing more.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if freeze:
            gc.freeze()
        if enabled:
            gc.enable()


with _loading_modules(freeze=True):
    from flask import Flask
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    from config import Config, load_config


def create_app(config: Config | dict[str, Any] | str | None = None) -> Flask:
    """Application factory.

    `config` may be a Config object, the name of one (`development`, `testing`, `production`), or a
    dict of overrides applied on top of the `testing` configuration (what the test fixtures pass).
    """
    first = not _apps
    if first:
        _apps.append(True)
    with _loading_modules(freeze=first):
        return _create_app(config)


def _create_app(config: Config | dict[str, Any] | str | None) -> Flask:
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder="../templates",
        static_folder="../static",
    )
    if isinstance(config, dict):
        base = load_config("testing")
        app.config.from_object(base)
        app.config.update(config)
    elif isinstance(config, str):
        app.config.from_object(load_config(config))
    elif config is not None:
        config.validate()
        app.config.from_object(config)
    else:
        app.config.from_object(load_config())

    _sqlite_waits_for_writers(app)
    _init_extensions(app)
    _register_blueprints(app)

    from tracker import cli

    cli.register(app)

    from tracker.web.common import filters

    filters.register(app)
    return app


def _sqlite_waits_for_writers(app: Flask) -> None:
    """On SQLite a writer waits up to 30 s for another process's write lock (the driver's
    default is 5 s): issuing a letter holds the lock while it renders, about half a second, and
    several processes issuing at once queue behind one another (tracker/services/letters)."""
    if str(app.config.get("SQLALCHEMY_DATABASE_URI", "")).startswith("sqlite"):
        options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
        options["connect_args"] = {"timeout": 30, **options.get("connect_args", {})}
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options


def _init_extensions(app: Flask) -> None:
    from pathlib import Path

    Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    from tracker import models  # noqa: F401  (registers every table on the metadata)
    from tracker.extensions import babel, csrf, db, login_manager
    from tracker.web.common.i18n import select_locale

    db.init_app(app)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.session_protection = "strong"

    @login_manager.user_loader
    def load_user(user_id: str):  # type: ignore[no-untyped-def]
        from tracker.models import User

        return db.session.get(User, int(user_id))


@event.listens_for(Engine, "connect")
def _sqlite_foreign_keys(dbapi_connection, connection_record) -> None:  # type: ignore[no-untyped-def]
    """SQLite ignores foreign keys unless asked on every connection."""
    import sqlite3

    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()


def _register_blueprints(app: Flask) -> None:
    from werkzeug.routing import IntegerConverter

    from tracker.io.values import INT_MAX
    from tracker.web import api, blueprints
    from tracker.web.common import errors, security
    from tracker.web.common.routing import LazyBuildRule

    class DatabaseIdConverter(IntegerConverter):
        """`<int:…>` up to the largest INTEGER id: a longer number is a 404 on every database
        (SQLite cannot even bind one beyond 64 bits, which made it a 500 there)."""

        def __init__(self, map: Any, *args: Any, **kwargs: Any) -> None:
            kwargs.setdefault("max", INT_MAX)
            super().__init__(map, *args, **kwargs)

    app.url_map.converters["int"] = DatabaseIdConverter  # before any rule is added
    app.url_rule_class = LazyBuildRule  # URL builders compiled on first use
    for blueprint in blueprints():
        app.register_blueprint(blueprint)
    api.init_app(app)
    errors.register(app)
    security.init_app(app)
