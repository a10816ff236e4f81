"""Flaskr-style fixtures: a fresh app and a clean database for every test.

SQLite (default): every app gets its own in-memory database. PostgreSQL (TEST_DATABASE_URL): the
schema is created once per run and every table is truncated after each test.
"""

from __future__ import annotations

import logging.config
import os
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import text

from tests import counting, factories
from tracker import create_app
from tracker.cli import migrations
from tracker.extensions import db

_USING_POSTGRES = os.environ.get("TEST_DATABASE_URL", "").startswith("postgres")
_schema_ready = False


class IsolatedClient(FlaskClient):
    """Each request in its own app context, as in production: `g` (the logged-in user, the
    locale, the CSRF token) never leaks from one request or client into the next. The test's own
    session is expired afterwards so it reads what the request wrote."""

    def open(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        with self.application.app_context():
            response = super().open(*args, **kwargs)
        db.session.expire_all()
        return response


# every app a test builds (also the ones built inside tests) uses the isolating client
Flask.test_client_class = IsolatedClient


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
            db.create_all()
        yield app
        db.session.remove()
        if _USING_POSTGRES:
            tables = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
            with db.engine.begin() as conn:
                conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        db.engine.dispose()


@pytest.fixture
def sibling_app(app: Flask, tmp_path: Path) -> Iterator[Callable[..., Flask]]:
    """sibling_app(**config) builds another application instance on the same database, as a
    second gunicorn worker is. In-memory SQLite cannot be shared between two apps, so siblings
    use a file (the first one built creates its schema); on PostgreSQL they use the test database
    (the `app` fixture truncates it afterwards)."""
    built: list[Flask] = []

    def _build(**overrides: object) -> Flask:
        uri = app.config["SQLALCHEMY_DATABASE_URI"]
        if uri.startswith("sqlite"):
            uri = f"sqlite:///{tmp_path / 'shared.sqlite3'}"
        sibling = create_app({"SQLALCHEMY_DATABASE_URI": uri, **overrides})
        if not built:
            with sibling.app_context():
                db.create_all()
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
    """The browser tests run last: Playwright's sync API leaves an asyncio event loop in the main
    thread, and pyHanko's signing (asyncio.run) refuses to start inside one."""
    items.sort(key=lambda item: item.get_closest_marker("e2e") is not None)
