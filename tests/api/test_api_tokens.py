"""Personal API tokens on the account page: created (shown once, stored hashed, audited), listed
by their prefix with the time last used, revoked (audited); a token is its owner's alone."""

from __future__ import annotations

import hashlib
import re

from sqlalchemy import select

from tests import factories
from tracker.extensions import db
from tracker.models import ApiToken, AuditEntry
from tracker.services.accounts import api_tokens

SECRET = re.compile(r"jjg_[A-Za-z0-9_-]{43}")


def test_a_new_token_is_shown_once_and_kept_only_as_its_hash(client, login_as) -> None:
    user = login_as("viewer")
    response = client.post("/akun/token", data={"name": "Dasbor provinsi"})
    assert response.status_code == 201
    page = response.get_data(as_text=True)
    secret = SECRET.search(page).group(0)
    assert "hanya ditampilkan sekali" in page

    token = db.session.scalar(select(ApiToken).where(ApiToken.user_id == user.id))
    assert token.name == "Dasbor provinsi"
    assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert token.prefix == secret[:12]
    assert f"Authorization: Bearer {token.prefix}…" in page
    stored = [str(value) for value in vars(token).values()]
    assert not any(secret in value for value in stored)

    later = client.get("/akun").get_data(as_text=True)
    assert secret not in later
    assert token.prefix in later and "Dasbor provinsi" in later

    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "api_token.create"))
    assert entry.user_id == user.id and entry.entity_id == str(token.id)
    assert secret not in str(entry.params) and secret not in str(entry.changes)


def test_the_token_works_on_the_api_and_its_last_use_is_shown(client, login_as) -> None:
    login_as("viewer")
    page = client.post("/akun/token", data={"name": "Satu Data"}).get_data(as_text=True)
    secret = SECRET.search(page).group(0)
    assert db.session.scalar(select(ApiToken.last_used_at)) is None
    response = client.get("/api/v1/periods", headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 200
    assert db.session.scalar(select(ApiToken.last_used_at)) is not None


def test_a_token_needs_a_name(client, login_as) -> None:
    login_as("viewer")
    response = client.post("/akun/token", data={"name": "   "})
    assert response.status_code == 422
    assert "Isi nama token." in response.get_data(as_text=True)
    assert db.session.scalar(select(ApiToken)) is None


def test_active_tokens_are_capped(client, login_as) -> None:
    user = login_as("viewer")
    for n in range(api_tokens.MAX_ACTIVE_TOKENS):
        api_tokens.create_token(user, f"Sistem {n}")
    response = client.post("/akun/token", data={"name": "Satu lagi"})
    assert response.status_code == 422
    assert "token aktif" in response.get_data(as_text=True)


def test_revoking_a_token_ends_its_access_and_is_audited(client, login_as) -> None:
    user = login_as("viewer")
    created = api_tokens.create_token(user, "Dasbor provinsi")
    headers = {"Authorization": f"Bearer {created.secret}"}
    assert client.get("/api/v1/periods", headers=headers).status_code == 200

    response = client.post(f"/akun/token/{created.row.id}/cabut")
    assert response.status_code == 302
    assert "dicabut" in client.get("/akun").get_data(as_text=True)
    assert db.session.get(ApiToken, created.row.id).revoked_at is not None
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "api_token.revoke"))
    assert entry.user_id == user.id and entry.entity_id == str(created.row.id)

    refused = client.get("/api/v1/periods", headers=headers)
    assert refused.status_code == 401
    assert refused.is_json


def test_nobody_revokes_another_users_token(client, login_as, regions) -> None:
    owner = factories.user(role="viewer", username="pemilik")
    created = api_tokens.create_token(owner, "Milik orang lain")
    login_as("admin")
    response = client.post(f"/akun/token/{created.row.id}/cabut")
    assert response.status_code == 404
    assert db.session.get(ApiToken, created.row.id).revoked_at is None


def test_the_account_page_lists_only_the_users_own_tokens(client, login_as, regions) -> None:
    other = factories.user(role="viewer", username="orang-lain")
    api_tokens.create_token(other, "Token orang lain")
    user = login_as("viewer")
    api_tokens.create_token(user, "Token saya")
    page = client.get("/akun").get_data(as_text=True)
    assert "Token saya" in page
    assert "Token orang lain" not in page


def test_the_account_page_links_to_the_api_description(client, login_as) -> None:
    login_as("viewer")
    page = client.get("/akun").get_data(as_text=True)
    assert "docs/api.md" not in page  # a file of the source code, out of an officer's reach
    assert 'href="/api/v1/openapi.json"' in page
    assert "/api/v1" in page and "Authorization: Bearer" in page
