"""CSRF: every POST route of the URL map, sent with the form its page shows but without the
token (or with another session's token): 400, nothing written, and the session still signed in.
The same form with its token goes through, so the refusal is the token's."""

from __future__ import annotations

import re

import pytest
from flask import Flask

from tests import factories
from tests.security.forms import harvest
from tests.security.world import World, contents, is_api, object_pages, rules, url_for_rule


@pytest.mark.slow
def test_every_form_needs_its_token(app: Flask, world: World, cases) -> None:
    client = app.test_client()
    client.post("/login", data={"username": "admin-kab", "password": factories.PASSWORD})
    forms = harvest(client, object_pages(app, world))
    app.config["WTF_CSRF_ENABLED"] = True
    other = app.test_client()
    page = other.get("/login").text
    foreign_token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    failures = []
    for rule in rules(app, "POST"):
        url = url_for_rule(world, rule, "a")
        form = forms.get(url)
        data = {k: v for k, v in (form.data() if form else {}).items() if k != "csrf_token"}
        for token in (None, foreign_token):
            sent = data if token is None else {**data, "csrf_token": token}
            before = contents()
            response = client.post(url, data=sent)
            cases["CSRF: POST without a valid token"] += 1
            # the API takes no session cookie (Bearer tokens): 401 is its refusal
            refused = (400, 401) if is_api(rule) else (400,)
            if response.status_code not in refused:
                failures.append(f"POST {url} (token {token is not None}) -> {response.status_code}")
            if contents() != before:
                failures.append(f"POST {url} wrote rows without a token")
    assert client.get("/akun").status_code == 200  # still signed in: logout was refused too
    assert not failures, "\n".join(failures)
    # with the token the page gives, the same kind of request is accepted
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', client.get("/akun").text)
    assert token is not None
    response = client.post("/akun/bahasa", data={"locale": "en", "csrf_token": token.group(1)})
    assert response.status_code == 302
