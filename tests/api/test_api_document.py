"""The OpenAPI document is built on first read, not by `create_app()`: the same document, served
at /api/v1/openapi.json and printed by `flask openapi print`, and no app pays for it unread."""

from __future__ import annotations

import json
import re

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner

from tracker.services.assessment import reports


def _api(app: Flask):  # type: ignore[no-untyped-def]
    return app.extensions["flask-smorest"]["apis"][""]["ext_obj"]


def test_a_new_app_has_not_built_its_document(app: Flask) -> None:
    assert _api(app)._spec is None


def test_the_served_document_documents_every_api_route(app: Flask, client) -> None:  # type: ignore[no-untyped-def]
    document = client.get("/api/v1/openapi.json").get_json()
    routes = {
        re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("api.")
    }
    assert routes and routes == set(document["paths"])
    assert document["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    assert [tag["name"] for tag in document["tags"]] == ["api"]


def test_flask_openapi_print_prints_the_served_document(app: Flask, runner: FlaskCliRunner) -> None:
    printed = runner.invoke(args=["openapi", "print"])
    assert printed.exit_code == 0, printed.output
    served = app.test_client().get("/api/v1/openapi.json").get_json()
    assert json.loads(printed.output) == served


def test_the_overview_sort_names_are_its_sort_keys(app: Flask) -> None:
    keys = reports.sort_keys(("Rintisan", "Madya"))
    assert tuple(keys.columns) == reports.SORT_NAMES
    assert keys.default == reports.SORT_DEFAULT


def test_a_failed_first_build_is_built_whole_on_the_next_read(app: Flask, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from flask_smorest import Api

    api = _api(app)
    build = Api._init_spec
    calls: list[int] = []

    def failing_once(self, **options):  # type: ignore[no-untyped-def]
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("first build fails")
        return build(self, **options)

    monkeypatch.setattr(Api, "_init_spec", failing_once)
    with pytest.raises(RuntimeError):
        _ = api.spec
    document = app.test_client().get("/api/v1/openapi.json").get_json()
    assert document["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    assert len(document["paths"]) == len(
        [rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith("api.")]
    )
