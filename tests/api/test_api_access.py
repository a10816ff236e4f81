"""The API as another system sees it: no token, a wrong or revoked token, the scope of a petugas
(another kecamatan's objects are not found), pagination, filters, JSON errors for every status,
the security headers, no cookies, and the rate limit per token."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import update

from tests.api.conftest import District
from tracker.extensions import db
from tracker.models import ApiToken, User
from tracker.services.accounts import api_tokens
from tracker.services.registry import kims as kim_service

LISTS = (
    "/api/v1/kims",
    "/api/v1/regions",
    "/api/v1/periods",
    "/api/v1/periods/2025-T1/assessments",
    "/api/v1/sessions",
    "/api/v1/visits",
    "/api/v1/follow-ups",
    "/api/v1/letters",
)


def _json_error(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert body["code"] == status
    assert "<html" not in response.get_data(as_text=True).lower()
    return body


# --- who is asking ------------------------------------------------------------------------------


@pytest.mark.parametrize("url", LISTS)
def test_no_token_is_refused_with_json(client, district, url: str) -> None:
    response = client.get(url)
    body = _json_error(response, 401)
    assert "Bearer" in body["message"]
    assert response.headers["WWW-Authenticate"].lower().startswith("bearer")


@pytest.mark.parametrize(
    "header", ["Bearer jjg_tidak-ada", "Bearer ", "Basic dXNlcjpwYXNz", "jjg_tanpa-bearer"]
)
def test_an_unknown_or_malformed_token_is_refused(client, district, header: str) -> None:
    _json_error(client.get("/api/v1/kims", headers={"Authorization": header}), 401)


def test_a_revoked_token_is_refused(client, api_token, district) -> None:
    token = api_token("kabid")
    assert client.get("/api/v1/kims", headers=token.headers).status_code == 200
    api_tokens.revoke_token(db.session.get(User, token.user_id), token.token_id)
    body = _json_error(client.get("/api/v1/kims", headers=token.headers), 401)
    assert "dicabut" in body["message"]


def test_a_deactivated_users_token_is_refused(client, api_token, district) -> None:
    token = api_token("kabid")
    db.session.get(User, token.user_id).is_active_account = False
    db.session.commit()
    _json_error(client.get("/api/v1/kims", headers=token.headers), 401)


def test_a_signed_in_browser_without_a_token_is_refused(client, login_as, district) -> None:
    """The API reads no session cookie: being signed in to the pages is not a token."""
    login_as("admin")
    assert client.get("/kim/").status_code == 200
    _json_error(client.get("/api/v1/kims"), 401)


# --- scope --------------------------------------------------------------------------------------


@pytest.fixture
def petugas_a(api_token, regions) -> Any:
    return api_token("petugas", scope=[regions.kec_a])


def _ids(client: Any, url: str, headers: dict[str, str], key: str = "id") -> set[Any]:
    response = client.get(url, headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    return {item[key] for item in response.get_json()["items"]}


def test_a_petugas_lists_only_his_kecamatan(client, district: District, petugas_a) -> None:
    h = petugas_a.headers
    ids_a = {k.id for k in district.kims_a}
    assert _ids(client, "/api/v1/kims", h) == ids_a
    assert _ids(client, "/api/v1/periods/2025-T1/assessments", h, "kim_id") == ids_a
    assert _ids(client, "/api/v1/follow-ups", h, "kim_id") == ids_a
    letters = client.get("/api/v1/letters", headers=h).get_json()["items"]
    assert {item["kim_id"] for item in letters} == ids_a
    assert _ids(client, "/api/v1/visits", h) == {district.visit_id}
    regions = _ids(client, "/api/v1/regions", h, "code")
    assert "35.08.09.2001" in regions and "35.08.02.2001" not in regions
    sessions = client.get("/api/v1/sessions", headers=h).get_json()["items"]
    assert sessions[0]["invited"] == len(district.kims_a)
    sheet = client.get(f"/api/v1/sessions/{district.session_id}", headers=h).get_json()
    assert {row["kim_id"] for row in sheet["attendance"]} == ids_a
    periods = client.get("/api/v1/periods", headers=h).get_json()["items"]
    assert periods[0]["assessed"] == len(district.kims_a)


def test_another_kecamatans_objects_are_not_found(client, district: District, petugas_a) -> None:
    h = petugas_a.headers
    kim_b = district.kims_b[0].id
    for url in (
        f"/api/v1/kims/{kim_b}",
        f"/api/v1/periods/2025-T1/assessments/{kim_b}",
        f"/api/v1/letters/{district.letter_b}",
    ):
        _json_error(client.get(url, headers=h), 404)
    kim_a = district.kims_a[0].id
    for url in (
        f"/api/v1/kims/{kim_a}",
        f"/api/v1/periods/2025-T1/assessments/{kim_a}",
        f"/api/v1/letters/{district.letter_a}",
        f"/api/v1/visits/{district.visit_id}",
    ):
        assert client.get(url, headers=h).status_code == 200


def test_a_kecamatan_filter_reveals_nothing_of_another_kecamatan(
    client, district: District, petugas_a, regions
) -> None:
    """The district's session invited KIMs of both kecamatan; a petugas of A filtering by B must
    not learn that it invited anyone there (only invitations in his scope are matched)."""
    h = petugas_a.headers
    assert _ids(client, f"/api/v1/sessions?kecamatan={regions.kec_a}", h) == {district.session_id}
    assert _ids(client, f"/api/v1/sessions?kecamatan={regions.kec_b}", h) == set()
    for url in ("/api/v1/kims", "/api/v1/follow-ups", "/api/v1/letters", "/api/v1/visits"):
        assert _ids(client, f"{url}?kecamatan={regions.kec_b}", h) == set()


def test_a_visit_in_another_kecamatan_is_not_found(client, district, api_token, regions) -> None:
    petugas_b = api_token("petugas", scope=[regions.kec_b])
    _json_error(client.get(f"/api/v1/visits/{district.visit_id}", headers=petugas_b.headers), 404)
    assert _ids(client, "/api/v1/visits", petugas_b.headers) == set()


def test_an_assessment_detail_has_its_breakdown(client, district: District, api_token) -> None:
    kim = district.kims_a[0]
    body = client.get(
        f"/api/v1/periods/2025-T1/assessments/{kim.id}", headers=api_token().headers
    ).get_json()
    assert body["assessed"] is True
    assert body["score"] == 40.0 and body["tier"] == "Berkembang"
    assert body["framework_version"] == 1
    assert [d["code"] for d in body["dimensions"]]
    assert all(d["indicators"] for d in body["dimensions"])
    assert body["history"][0]["period_code"] == "2025-T1"


# --- pagination and filters ---------------------------------------------------------------------


def test_pages_follow_their_links_in_a_stable_order(client, district: District, api_token) -> None:
    headers = api_token().headers
    url: str | None = "/api/v1/kims?per_page=1&sort=kecamatan"
    seen: list[int] = []
    pages = 0
    while url:
        body = client.get(url, headers=headers).get_json()
        assert body["total"] == 4 and body["pages"] == 4 and body["per_page"] == 1
        seen += [item["id"] for item in body["items"]]
        pages += 1
        url = body["links"]["next"]
        if url is None:
            assert body["page"] == 4 and body["links"]["last"] == body["links"]["self"]
    assert pages == 4
    assert len(seen) == len(set(seen)) == 4
    # Pasirian (B) before Sukodono (A)
    assert seen[:2] == sorted(k.id for k in district.kims_b)


def test_a_page_past_the_end_answers_the_last_one(client, district, api_token) -> None:
    body = client.get("/api/v1/letters?per_page=3&page=99", headers=api_token().headers).get_json()
    assert body["page"] == 2 and len(body["items"]) == 1
    assert body["links"]["next"] is None and body["links"]["prev"].endswith("page=1")


@pytest.mark.parametrize(
    "query", ["per_page=101", "per_page=0", "page=0", "page=satu", "sort=warna", "filter=x"]
)
def test_bad_paging_arguments_are_refused(client, district, api_token, query: str) -> None:
    body = _json_error(client.get(f"/api/v1/kims?{query}", headers=api_token().headers), 422)
    assert body["errors"]


def test_the_lists_filter_as_their_pages_do(client, district: District, api_token, regions) -> None:
    h = api_token().headers
    kim_b = district.kims_b[0]
    assert _ids(client, f"/api/v1/kims?kecamatan={regions.kec_b}", h) == {
        k.id for k in district.kims_b
    }
    kim_service.set_active(None, kim_b.id, False)
    assert _ids(client, "/api/v1/kims?status=nonaktif", h) == {kim_b.id}
    assert _ids(
        client, f"/api/v1/periods/2025-T1/assessments?kecamatan={regions.kec_a}", h, "kim_id"
    ) == {k.id for k in district.kims_a}
    assert _ids(client, "/api/v1/follow-ups?status=done", h) == set()
    assert len(_ids(client, "/api/v1/follow-ups?terlambat=1", h)) == 4
    assert _ids(client, f"/api/v1/letters?kecamatan={regions.kec_b}", h, "kim_id") == {
        k.id for k in district.kims_b
    }
    assert _ids(client, "/api/v1/letters?status=revoked", h) == set()
    assert len(_ids(client, "/api/v1/sessions?q=menulis", h)) == 1
    assert _ids(client, "/api/v1/sessions?q=fotografi", h) == set()
    assert _ids(client, "/api/v1/regions?level=3", h, "code") == {regions.kec_a, regions.kec_b}
    assert _ids(client, f"/api/v1/regions?parent={regions.kec_b}", h, "code") == {regions.desa_b1}


# --- errors, headers, cookies -------------------------------------------------------------------


def test_every_error_is_json(client, district, api_token, monkeypatch) -> None:
    h = api_token().headers
    _json_error(client.get("/api/v1/tidak-ada", headers=h), 404)
    _json_error(client.get("/api/v1/kims/999999999", headers=h), 404)
    _json_error(client.get("/api/v1/periods/2099-T9/assessments", headers=h), 404)
    not_allowed = client.post("/api/v1/kims", headers=h, data={"name": "x"})
    _json_error(not_allowed, 405)
    assert "GET" in not_allowed.headers["Allow"]
    _json_error(client.get("/api/v1/kims?q=a%00b", headers=h), 400)

    def crash(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(kim_service, "registry_page", crash)
    client.application.config["PROPAGATE_EXCEPTIONS"] = False
    body = _json_error(client.get("/api/v1/kims", headers=h), 500)
    assert "boom" not in str(body)


def test_a_forbidden_refusal_is_json_403(client, district, api_token, monkeypatch) -> None:
    from tracker.services.common.permissions import PermissionDenied

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise PermissionDenied("Tidak boleh.")

    monkeypatch.setattr(kim_service, "registry_page", refuse)
    body = _json_error(client.get("/api/v1/kims", headers=api_token().headers), 403)
    assert body["message"] == "Tidak boleh."


def test_answers_carry_the_security_headers_and_no_cookie(client, district, api_token) -> None:
    response = client.get("/api/v1/kims", headers=api_token().headers)
    assert response.status_code == 200
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in response.headers
    refused = client.get("/api/v1/kims")
    assert "Set-Cookie" not in refused.headers
    assert refused.headers["X-Frame-Options"] == "DENY"


def test_the_api_needs_no_csrf_token(app, district, api_token) -> None:
    """With CSRF on (as in production), a token's request is not refused for a missing CSRF
    token: a wrong method is still a 405, a GET answers."""
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    h = api_token().headers
    assert client.get("/api/v1/kims", headers=h).status_code == 200
    _json_error(client.post("/api/v1/kims", headers=h), 405)


def test_the_openapi_document_is_3_1_and_names_every_list(client) -> None:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    spec = response.get_json()
    assert spec["openapi"] == "3.1.0"
    assert {"/api/v1" + url.removeprefix("/api/v1") for url in LISTS} - {
        path.replace("{code}", "2025-T1") for path in spec["paths"]
    } == set()
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


# --- rate limit ---------------------------------------------------------------------------------


def test_each_token_has_its_own_rate_limit(app, client, district, api_token) -> None:
    app.config["API_RATE_LIMIT"] = 3
    first, second = api_token(), api_token()
    remaining = [
        client.get("/api/v1/periods", headers=first.headers).headers["RateLimit-Remaining"]
        for _ in range(3)
    ]
    assert remaining == ["2", "1", "0"]
    refused = client.get("/api/v1/periods", headers=first.headers)
    body = _json_error(refused, 429)
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert body["message"]
    assert client.get("/api/v1/periods", headers=second.headers).status_code == 200

    # the window ends: the token may ask again
    db.session.execute(
        update(ApiToken)
        .where(ApiToken.id == first.token_id)
        .values(window_start=ApiToken.window_start - timedelta(seconds=61))
    )
    db.session.commit()
    assert client.get("/api/v1/periods", headers=first.headers).status_code == 200
