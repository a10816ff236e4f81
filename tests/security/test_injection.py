"""SQL injection through every query parameter a GET route reads (search, filters, sort, page),
found by recording which parameters each view asks the request for, so a filter added later is
attacked without being listed: no 500, no row that a harmless unmatched value does not show
either, nothing written. Open redirects through `next=`, and path traversal in downloads and
uploads, are here too."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
from flask import Flask, Request
from werkzeug.datastructures import ImmutableMultiDict

from tests import factories
from tests.security.world import World, fingerprint, object_pages

SQL_PAYLOADS = (
    "' OR '1'='1",
    '" OR ""="',
    "'; DROP TABLE kim; --",
    'x\') UNION SELECT username, password_hash FROM "user" --',
    "%' OR '%'='",
    "99999999999999999999999",
)
HARMLESS = "zzqq-tidak-ada"
WORLD_NAMES = ("KIM Alfa Sukodono", "KIM Bravo Pasirian", "Pelatihan a", "Pelatihan b")
READ: set[str] = set()


class _RecordingArgs(ImmutableMultiDict):  # type: ignore[type-arg]
    """The query string, noting every parameter name a view asks for."""

    def __getitem__(self, key):  # type: ignore[no-untyped-def]
        READ.add(key)
        return super().__getitem__(key)

    def get(self, key, default=None, type=None):  # type: ignore[no-untyped-def]
        READ.add(key)
        return super().get(key, default, type)

    def getlist(self, key, type=None):  # type: ignore[no-untyped-def]
        READ.add(key)
        return super().getlist(key, type)

    def __contains__(self, key):  # type: ignore[no-untyped-def]
        READ.add(key)
        return super().__contains__(key)


class _RecordingRequest(Request):
    parameter_storage_class = _RecordingArgs


def _names(text: str) -> set[str]:
    return {name for name in WORLD_NAMES if name in text}


@pytest.mark.slow
def test_sql_injection_in_every_query_parameter(app: Flask, world: World, cases) -> None:
    app.request_class = _RecordingRequest
    client = app.test_client()
    client.post("/login", data={"username": "admin-kab", "password": factories.PASSWORD})
    before = fingerprint()
    failures = []
    tried = 0
    for page in dict.fromkeys(object_pages(app, world, sides="a")):
        READ.clear()
        if client.get(page).status_code >= 500:
            failures.append(f"GET {page} -> 500")
        params = set(READ) - {"next"}
        path, _sep, query = page.partition("?")
        base = dict(parse_qsl(query))
        for name in sorted(params):
            baseline = client.get(path, query_string={**base, name: HARMLESS})
            allowed = _names(baseline.get_data().decode("utf-8", "replace"))
            for payload in SQL_PAYLOADS:
                response = client.get(path, query_string={**base, name: payload})
                tried += 1
                cases["SQL injection: query parameters"] += 1
                if response.status_code >= 500:
                    failures.append(f"GET {page} {name}={payload!r} -> 500")
                elif "text/html" in response.content_type:
                    extra = _names(response.get_data().decode("utf-8", "replace")) - allowed
                    if extra:
                        failures.append(f"GET {page} {name}={payload!r} shows {extra}")
    assert tried > 50  # the list pages' search, filters, sort and page were found
    after = fingerprint()
    after.pop("verification_hit"), before.pop("verification_hit")  # the page's rate counter
    assert after == before
    assert not failures, "\n".join(failures)


EXTERNAL = (
    "https://jahat.example/",
    "//jahat.example/",
    "/\\jahat.example",
    "\\\\jahat.example",
    "https:jahat.example",
    "/%2F%2Fjahat.example",
    "javascript:alert(1)",
    " //jahat.example",
    "http://localhost@jahat.example/",
)


def _within_the_site(location: str) -> bool:
    """A path of this site as a browser reads it: no scheme, no host, not `//` or `/\\`."""
    parts = urlsplit(location)
    return (
        not parts.scheme
        and not parts.netloc
        and location.startswith("/")
        and not location.startswith(("//", "/\\"))
        and "\\" not in location
    )


def test_next_never_leads_to_another_site(app: Flask, world: World, cases) -> None:
    for target in EXTERNAL:
        client = app.test_client()
        response = client.post(
            "/login",
            query_string={"next": target},
            data={"username": "viewer-a", "password": factories.PASSWORD},
        )
        cases["open redirect: next="] += 1
        location = response.headers["Location"]
        assert _within_the_site(location), (target, location)
        # signed in already: the login page sends on, still only within the site
        again = client.get("/login", query_string={"next": target})
        cases["open redirect: next="] += 1
        assert _within_the_site(again.headers["Location"]), (target, again.headers["Location"])
    client = app.test_client()
    response = client.post(
        "/login",
        query_string={"next": "/kim/?q=alfa"},
        data={"username": "viewer-a", "password": factories.PASSWORD},
    )
    assert response.headers["Location"] == "/kim/?q=alfa"  # a page of the site is kept


TRAVERSALS = (
    "../../etc/passwd",
    "..\\..\\windows\\win.ini",
    "/etc/passwd",
    "....//....//etc/passwd",
    "%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "materi/../../../config.py",
)


def test_path_traversal_in_downloads_is_not_found(app: Flask, world: World, cases) -> None:
    client = app.test_client()
    client.post("/login", data={"username": "admin-kab", "password": factories.PASSWORD})
    session_id = world.a.session_id
    for path in TRAVERSALS:
        for url in (
            f"/static/{path}",
            f"/pembinaan/sesi/{session_id}/bahan/{path}",
            f"/pemantauan/foto/{path}",
            f"/surat/{path}/pdf",
            f"/verifikasi/{path}",
        ):
            response = client.get(url, follow_redirects=True)  # /static//x: merged slashes
            cases["path traversal: downloads"] += 1
            assert response.status_code in (400, 404), (url, response.status_code)
            assert b"root:" not in response.data and b"SECRET_KEY" not in response.data


def test_path_traversal_in_upload_names_stays_in_its_folder(
    app: Flask, world: World, tmp_path: Path, cases
) -> None:
    """A material named ../../etc/passwd is kept under its hash in the materials folder, its
    name reduced to the last part; a photo's name never reaches the disk."""
    client = app.test_client()
    client.post("/login", data={"username": "admin-kab", "password": factories.PASSWORD})
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    outside_before = {p for p in tmp_path.parent.rglob("passwd*")}
    for name in ("../../etc/passwd.pdf", "..\\..\\win.ini.pdf", "/etc/cron.d/x.pdf"):
        response = client.post(
            f"/pembinaan/sesi/{world.a.session_id}/bahan",
            data={"title": "", "file": (BytesIO(pdf), name)},
            content_type="multipart/form-data",
        )
        cases["path traversal: uploads"] += 1
        assert response.status_code in (302, 422), (name, response.status_code)
    registry = b"Nama KIM;Desa\nKIM Jalur;Kutorenon\n"
    for name in ("../../../etc/passwd.csv", "..\\..\\registri.csv"):
        response = client.post(
            "/kim/transfer/impor",
            data={"file": (BytesIO(registry), name)},
            content_type="multipart/form-data",
        )
        cases["path traversal: uploads"] += 1
        assert response.status_code in (200, 422), (name, response.status_code)
    photo = factories.photo_bytes()
    response = client.post(
        "/pemantauan/baru",
        data={
            "idempotency_key": "kunci-jalur-uji-000000001",
            "kecamatan_code": world.a.kecamatan,
            "started_on": "2025-04-07",
            "findings-0-kim_id": str(world.a.kim.id),
            "findings-0-rating": "menonjol",
            "findings-0-photos": (BytesIO(photo), "../../../../tmp/jalur.jpg"),
        },
        content_type="multipart/form-data",
    )
    cases["path traversal: uploads"] += 1
    assert response.status_code == 302, response.status_code  # the visit and its photo kept
    for setting in ("MATERIALS_FOLDER", "UPLOAD_FOLDER", "PHOTO_FOLDER"):
        folder = Path(app.config[setting]).resolve()
        for stored in folder.rglob("*"):
            assert stored.resolve().is_relative_to(folder), stored
            assert "passwd" not in stored.name and "jalur" not in stored.name, stored
    assert not Path("/tmp/jalur.jpg").exists()
    assert {p for p in tmp_path.parent.rglob("passwd*")} == outside_before
    page = client.get(f"/pembinaan/sesi/{world.a.session_id}").text
    assert "../" not in page.replace('href="../', "")
