"""IDOR: every route naming an object (a KIM, letter, visit, photo, follow-up, session,
material, user, region) asked by an account of each role scoped to kecamatan A for the object
of kecamatan B: 404 (or 403 where the role may not use the route at all), never the object,
never a 500, and a POST writes nothing. The forms sent are the ones the pages show for the
objects of A (tests/security/forms.py), so a refusal is not just a form left empty."""

from __future__ import annotations

import pytest
from flask import Flask

from tests import factories
from tests.security.forms import harvest
from tests.security.world import (
    ROLES,
    World,
    contents,
    is_api,
    is_scoped,
    object_pages,
    rules,
    url_for_rule,
)
from tracker.services.accounts import api_tokens


def _client(app: Flask, username: str):  # type: ignore[no-untyped-def]
    client = app.test_client()
    response = client.post("/login", data={"username": username, "password": factories.PASSWORD})
    assert response.status_code == 302
    return client


@pytest.mark.slow
def test_objects_of_another_kecamatan_are_not_found(app: Flask, world: World, cases) -> None:
    forms = harvest(_client(app, "admin-kab"), object_pages(app, world))
    scoped_get = [r for r in rules(app, "GET") if is_scoped(r)]
    scoped_post = [r for r in rules(app, "POST") if is_scoped(r)]
    assert scoped_get and scoped_post
    failures = []
    for role in ROLES:
        client = _client(app, f"{role}-a")
        # the API is asked as the same account through its own door: a Bearer token
        secret = api_tokens.create_token(world.users[f"{role}_a"], "IDOR").secret
        bearer = {"Authorization": f"Bearer {secret}"}
        for rule in scoped_get:
            url = url_for_rule(world, rule, "b")
            headers = bearer if is_api(rule) else {}
            status = client.get(url, headers=headers).status_code
            cases["IDOR: GET other kecamatan" + (" (API token)" if headers else "")] += 1
            if status not in (403, 404):
                failures.append(f"{role}: GET {url} -> {status}")
            own = client.get(url_for_rule(world, rule, "a"), headers=headers).status_code
            if own >= 500 or (headers and own != 200):
                failures.append(f"{role}: GET own {url} -> {own}")
        for rule in scoped_post:
            url = url_for_rule(world, rule, "b")
            form = forms.get(url_for_rule(world, rule, "a"))
            before = contents()
            status = client.post(url, data=form.data() if form else {}).status_code
            cases["IDOR: POST other kecamatan"] += 1
            if status not in (403, 404) and not (is_api(rule) and status == 401):
                failures.append(f"{role}: POST {url} -> {status}")
            if contents() != before:
                failures.append(f"{role}: POST {url} wrote rows")
    assert not failures, "\n".join(failures)


@pytest.mark.slow
def test_a_viewer_writes_nothing_anywhere(app: Flask, world: World, cases) -> None:
    """The role matrix's floor: a viewer (of the whole kabupaten) sends every form of the site
    and nothing is written (only their own session, language, password, reminders, API tokens and
    notifications are theirs)."""
    own_account = {"auth.logout", "auth.change_locale", "auth.change_password", "auth.login"}
    own_account |= {"auth.change_reminders", "auth.create_api_token", "notifications.mark_all_read"}
    forms = harvest(_client(app, "admin-kab"), object_pages(app, world))
    factories.user("viewer", username="pembaca")
    client = _client(app, "pembaca")
    failures = []
    for rule in rules(app, "POST"):
        if rule.endpoint in own_account or rule.endpoint == "verification.letter":
            continue
        url = url_for_rule(world, rule, "a")
        form = forms.get(url)
        before = contents()
        status = client.post(url, data=form.data() if form else {}).status_code
        cases["roles: viewer POST"] += 1
        if status not in (403, 404) and not (is_api(rule) and status == 401):
            failures.append(f"POST {url} -> {status}")
        if contents() != before:
            failures.append(f"POST {url} wrote rows")
    assert not failures, "\n".join(failures)
