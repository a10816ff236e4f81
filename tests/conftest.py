"""Flaskr-style fixtures: a fresh app and a clean database for every test.

The apps of a test process share one SQLAlchemy engine per test database (`_shared_engine`):
SQLAlchemy caches the SQL it compiles per engine, and an engine per test compiled every statement
of every test anew (a third of the suite's time).

SQLite (default): the test database is one in-memory database per process, emptied before each
test by copying an empty schema over it (SQLite's backup API, well under a millisecond; creating
the 70 tables took about 30 ms). PostgreSQL (TEST_DATABASE_URL): the schema is created once per run
and every table is truncated after each test; with pytest-xdist (`make test` runs the suite on
every core) each worker gets a database of its own beside it, created when the worker starts and
dropped when it ends. Apps built on another URL (a file, as `sibling_app` on SQLite) get engines of
their own, as before.
"""

from __future__ import annotations

import gc
import logging.config
import os
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from jinja2 import BytecodeCache
from jinja2.bccache import Bucket
from sqlalchemy import make_url, text
from sqlalchemy.pool import StaticPool

from config import load_config
from tests import counting, factories
from tracker import create_app
from tracker.cli import migrations
from tracker.extensions import db

_USING_POSTGRES = os.environ.get("TEST_DATABASE_URL", "").startswith("postgres")
_schema_ready = False
_worker_database: str | None = None  # PostgreSQL under pytest-xdist: this worker's own database


def _postgres_admin(url: str):  # type: ignore[no-untyped-def]
    """A connection to the server's `postgres` database (CREATE/DROP DATABASE run outside a
    transaction)."""
    import psycopg

    server = make_url(url).set(drivername="postgresql", database="postgres")
    return psycopg.connect(server.render_as_string(hide_password=False), autocommit=True)


def pytest_configure(config: pytest.Config) -> None:
    """Under pytest-xdist on PostgreSQL this worker uses `<TEST_DATABASE_URL's database>_<worker>`,
    created empty now; every reader of TEST_DATABASE_URL (the config, tests that start processes)
    sees the worker's database."""
    global _worker_database
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not (_USING_POSTGRES and worker):
        return
    url = make_url(os.environ["TEST_DATABASE_URL"])
    _worker_database = f"{url.database}_{worker}"
    with _postgres_admin(os.environ["TEST_DATABASE_URL"]) as admin:  # str(url) masks a password
        admin.execute(f'DROP DATABASE IF EXISTS "{_worker_database}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{_worker_database}"')
    os.environ["TEST_DATABASE_URL"] = url.set(database=_worker_database).render_as_string(
        hide_password=False
    )


def pytest_unconfigure(config: pytest.Config) -> None:
    if _worker_database is not None:
        with _postgres_admin(os.environ["TEST_DATABASE_URL"]) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{_worker_database}" WITH (FORCE)')


class _KeptConnection(sqlite3.Connection):
    """The process's in-memory test database: closing it would lose it, and `engine.dispose()`
    (tests and the backup service call it) closes the pool's connections."""

    def close(self) -> None:
        self.rollback()


_memory_database: _KeptConnection | None = None  # SQLite: the process's test database
_empty_schema: sqlite3.Connection | None = None  # SQLite: the empty schema every test copies
_shared_engines: dict[tuple[str, str], sa.Engine] = {}


def _shared_engine(bind_key: str | None, options: dict, app: Flask) -> sa.Engine:  # type: ignore[type-arg]
    """Flask-SQLAlchemy's engine factory for tests: one engine per test database and options."""
    global _memory_database
    url = make_url(options["url"])
    if url != make_url(load_config("testing").SQLALCHEMY_DATABASE_URI):
        return sa.engine_from_config(options, prefix="")
    rest = repr(sorted((k, repr(v)) for k, v in options.items() if k != "url"))
    key = (str(url), rest)
    if key not in _shared_engines:
        if url.get_backend_name() == "sqlite":
            if _memory_database is None:
                _memory_database = sqlite3.connect(
                    ":memory:", check_same_thread=False, factory=_KeptConnection
                )
            options = {**options, "poolclass": StaticPool, "creator": lambda: _memory_database}
        _shared_engines[key] = sa.engine_from_config(options, prefix="")
    return _shared_engines[key]


db._make_engine = _shared_engine  # type: ignore[method-assign]


def _create_schema_sqlite() -> None:
    """Empty the test database: the run's empty schema copied over it (the first test builds it
    with `db.create_all()`)."""
    global _empty_schema
    connection = db.engine.raw_connection()  # in-memory SQLite: the engine's one connection
    try:
        if _empty_schema is None:
            db.create_all()
            _empty_schema = sqlite3.connect(":memory:", check_same_thread=False)
            connection.driver_connection.backup(_empty_schema)
        else:
            _empty_schema.backup(connection.driver_connection)
        # what the backup does not reset, the connection being kept: a test's TEMP tables and
        # connection settings
        database = connection.driver_connection
        temporary = database.execute("SELECT name FROM sqlite_temp_master WHERE type = 'table'")
        for (name,) in temporary.fetchall():
            database.execute(f'DROP TABLE temp."{name}"')
        database.execute("PRAGMA foreign_keys=ON")
    finally:
        connection.close()


def _sqlite_file_with_schema(path: Path) -> str:
    """The URL of a SQLite file holding the empty schema, copied from the run's (the `app`
    fixture built it): `db.create_all()` on a file syncs after every table, 0.3 s."""
    assert _empty_schema is not None, "the app fixture builds the empty schema first"
    target = sqlite3.connect(path)
    try:
        _empty_schema.backup(target)
    finally:
        target.close()
    return f"sqlite:///{path}"


class IsolatedClient(FlaskClient):
    """Each request in its own app context, as in production: `g` (the logged-in user, the
    locale, the CSRF token) never leaks from one request or client into the next. The test's own
    session is expired afterwards so it reads what the request wrote."""

    def open(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        with self.application.app_context():
            response = super().open(*args, **kwargs)
        db.session.expire_all()
        return response


class SharedTemplateCode(BytecodeCache):
    """Compiled templates kept for the whole run, in memory.

    Every test builds its own app, and so its own Jinja environment that would compile each
    template it renders again: half of a page test's time. Jinja's bytecode cache hands the next
    app the compiled code instead (checked against the template's source, so an edited template
    is compiled anew)."""

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        code = self._code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()


# The suite allocates far more than it keeps (an app, its routes and a database per test): the
# collector's default thresholds started a collection every 700 allocations, many of them full
# scans of the whole heap. Collect less often; everything still gets collected.
gc.set_threshold(50_000, 20, 20)

# every app a test builds (also the ones built inside tests) uses the isolating client and the
# run's compiled templates
Flask.test_client_class = IsolatedClient
Flask.jinja_options = {**Flask.jinja_options, "bytecode_cache": SharedTemplateCode()}


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Flask]:
    global _schema_ready
    app = create_app(
        {
            "TESTING": True,
            "UPLOAD_FOLDER": str(tmp_path / "uploads"),
            "PHOTO_FOLDER": str(tmp_path / "photos"),
            "LETTER_ARCHIVE": str(tmp_path / "letters"),
        }
    )
    with app.app_context():
        if _USING_POSTGRES and not _schema_ready:
            db.drop_all()
            db.create_all()
            _schema_ready = True
        elif not _USING_POSTGRES:
            _create_schema_sqlite()
        yield app
        db.session.remove()
        if _USING_POSTGRES:
            tables = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
            with db.engine.begin() as conn:
                conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


@pytest.fixture
def sibling_app(app: Flask, tmp_path: Path) -> Iterator[Callable[..., Flask]]:
    """sibling_app(**config) builds another application instance on the same database, as a
    second gunicorn worker is. In-memory SQLite cannot be shared between two apps, so siblings
    use a file holding the empty schema; on PostgreSQL they use the test database (the `app`
    fixture truncates it afterwards)."""
    built: list[Flask] = []

    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("sqlite"):
        uri = _sqlite_file_with_schema(tmp_path / "shared.sqlite3")

    def _build(**overrides: object) -> Flask:
        sibling = create_app({"SQLALCHEMY_DATABASE_URI": uri, **overrides})
        built.append(sibling)
        return sibling

    yield _build
    for sibling in built:
        with sibling.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def migratable_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[[str], Flask]:
    """migratable_app(filename) builds an app on an empty SQLite file under tmp_path, with
    Flask-Migrate set up as `flask db` sets it up, for flask_migrate.upgrade/downgrade."""
    # env.py configures logging from alembic.ini, which would silence the loggers of later tests
    monkeypatch.setattr(logging.config, "fileConfig", lambda *args, **kwargs: None)

    def _build(filename: str) -> Flask:
        built = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / filename}"})
        migrations.set_up(built)
        return built

    return _build


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


@pytest.fixture
def regions(app: Flask) -> factories.RegionTree:
    """A small slice of Lumajang: two kecamatan, three desa."""
    return factories.region_tree()


class AuthActions:
    """Log a test client in as a given user (password is factories.PASSWORD)."""

    def __init__(self, client: FlaskClient) -> None:
        self._client = client

    def login(self, username: str, password: str = factories.PASSWORD):  # type: ignore[no-untyped-def]
        return self._client.post(
            "/login", data={"username": username, "password": password}, follow_redirects=False
        )

    def logout(self):  # type: ignore[no-untyped-def]
        return self._client.post("/logout")


@pytest.fixture
def auth(client: FlaskClient) -> AuthActions:
    return AuthActions(client)


@pytest.fixture
def login_as(regions: factories.RegionTree, auth: AuthActions):  # type: ignore[no-untyped-def]
    """login_as("admin") creates a user of that role (scoped to the kabupaten unless `scope` is
    given) and logs the test client in as it."""

    def _login(role: str, scope: list[str] | None = None, username: str | None = None):  # type: ignore[no-untyped-def]
        user = factories.user(
            role=role, scope=scope or [regions.kabupaten], username=username or f"{role}1"
        )
        response = auth.login(user.username)
        assert response.status_code == 302, "login in test helper failed"
        return user

    return _login


@pytest.fixture
def count_queries(app: Flask) -> Callable[[], AbstractContextManager[list[str]]]:
    """`with count_queries() as statements:` lists the SQL statements run inside the block."""
    return counting.statements


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The slow tests run first: spread over the workers (pytest-xdist) they end together with
    the rest instead of one running alone at the end. The browser tests run last: Playwright's
    sync API leaves an asyncio event loop in the main thread, and pyHanko's signing
    (asyncio.run) refuses to start inside one."""
    items.sort(
        key=lambda item: (
            item.get_closest_marker("e2e") is not None,
            item.get_closest_marker("slow") is None,
        )
    )
