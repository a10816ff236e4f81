"""Fixtures of the accounts tests: an app that reads English, and clients logged in to it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask
from flask.testing import FlaskClient

from tests import factories
from tracker import create_app
from tracker.extensions import db

PO_FILE = Path(__file__).resolve().parents[2] / "translations/en/LC_MESSAGES/messages.po"


def english_catalog() -> Catalog:
    with PO_FILE.open("rb") as f:
        return read_po(f, locale="en")


@pytest.fixture(scope="session")
def english_translations(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The catalogue compiled from the committed .po (the .mo is a build product), once per
    run."""
    translations = tmp_path_factory.mktemp("translations")
    target = translations / "en/LC_MESSAGES"
    target.mkdir(parents=True)
    with (target / "messages.mo").open("wb") as f:
        write_mo(f, english_catalog())
    return translations


@pytest.fixture
def english_app(app: Flask, english_translations: Path) -> Iterator[Flask]:
    """An app, on the test's database, whose catalogue is compiled from the committed .po."""
    built = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "BABEL_TRANSLATION_DIRECTORIES": str(english_translations),
        }
    )
    with built.app_context():
        db.create_all()
        factories.region_tree()
        yield built
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client_as() -> Callable[..., FlaskClient]:
    """client_as(app, "budi", "en") : a new account of that language (admin unless `role` says
    otherwise) and a client of `app` logged in as it."""

    def _client(
        app: Flask, username: str, locale: str, role: str = "admin", scope: list[str] | None = None
    ) -> FlaskClient:
        factories.user(role, username=username, locale=locale, scope=scope)
        client = app.test_client()
        response = client.post(
            "/login", data={"username": username, "password": factories.PASSWORD}
        )
        assert response.status_code == 302
        return client

    return _client
