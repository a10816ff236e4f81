"""The /wilayah pages: KIM counts per subtree, breadcrumbs, search, and the user's scope."""

from __future__ import annotations

import re
from collections.abc import Callable
from contextlib import AbstractContextManager

import pytest
from flask import Flask, url_for
from flask.testing import FlaskClient

from tests import factories
from tracker.extensions import db
from tracker.models import Region
from tracker.models.kim import STATUS_INACTIVE

LoginAs = Callable[..., object]


def _registry_url(app: Flask, **args: str) -> str:
    """Where H2's registry lists KIMs filtered by a kecamatan or desa (its href, HTML-escaped)."""
    with app.test_request_context():
        return url_for("kims.index", **args).replace("&", "&amp;")


def _rows(html: str) -> dict[str, list[str]]:
    """Table rows keyed by their first cell (the region code), cells as plain text."""
    rows = {}
    for body in re.findall(r"<tr>(.*?)</tr>", html, flags=re.S):
        cells = [
            " ".join(re.sub(r"<[^>]+>", " ", c).split())
            for c in re.findall(r"<td[^>]*>(.*?)</td>", body, flags=re.S)
        ]
        if cells:
            rows[cells[0]] = cells
    return rows


@pytest.fixture
def kims(regions: factories.RegionTree) -> None:
    """Sukodono (35.08.09): 3 KIMs, one inactive; Pasirian (35.08.02): 1 KIM."""
    factories.kim(regions.desa_a1, name="KIM Kutorenon")
    factories.kim(regions.desa_a1, name="KIM Kutorenon Muda", status=STATUS_INACTIVE)
    factories.kim(regions.desa_a2, name="KIM Sumberejo")
    factories.kim(regions.desa_b1, name="KIM Condro")


def test_kabupaten_page_counts_whole_subtrees(
    client: FlaskClient, login_as: LoginAs, kims: None
) -> None:
    login_as("admin")

    response = client.get("/wilayah/")  # one scope root: its page is shown directly

    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Kabupaten Lumajang" in html
    rows = _rows(html)
    # code, name, sub-regions, KIM, active
    assert rows["35.08.09"][1:5] == ["Sukodono", "2", "3", "2"]
    assert rows["35.08.02"][1:5] == ["Pasirian", "1", "1", "1"]
    assert '<li><a href="/wilayah/35">Jawa Timur</a></li>' in html  # breadcrumb to the root


def test_kecamatan_page_lists_desa_with_counts_and_registry_links(
    app: Flask,
    client: FlaskClient,
    login_as: LoginAs,
    kims: None,
    regions: factories.RegionTree,
    count_queries,  # type: ignore[no-untyped-def]
) -> None:
    login_as("viewer")

    response = client.get("/wilayah/35.08.09")

    assert response.status_code == 200
    html = response.get_data(as_text=True)
    rows = _rows(html)
    assert rows["35.08.09.2001"][1:4] == ["Kutorenon · Desa", "2", "1"]
    assert rows["35.08.09.2002"][1:4] == ["Sumberejo · Desa", "1", "1"]
    assert f'href="{_registry_url(app, kecamatan="35.08.09")}"' in html
    assert f'href="{_registry_url(app, desa="35.08.09.2001")}"' in html
    for crumb in ("/wilayah/35", "/wilayah/35.08"):
        assert f'href="{crumb}"' in html


def test_desa_page_shows_its_own_counts(
    app: Flask, client: FlaskClient, login_as: LoginAs, kims: None
) -> None:
    login_as("viewer")

    response = client.get("/wilayah/35.08.09.2001")

    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Kutorenon" in html
    assert re.search(r'class="big">2</span>\s*KIM terdaftar', html)
    assert re.search(r'class="big">1</span>\s*KIM aktif', html)
    assert f'href="{_registry_url(app, desa="35.08.09.2001")}"' in html


def test_counts_take_a_fixed_number_of_queries(
    app: Flask,
    client: FlaskClient,
    login_as: LoginAs,
    kims: None,
    regions: factories.RegionTree,
    count_queries: Callable[[], AbstractContextManager[list[str]]],
) -> None:
    login_as("admin")
    with count_queries() as few:
        client.get("/wilayah/35.08")
    # more KIMs, and more kecamatan and desa to count them in
    for kec in range(10, 16):
        db.session.add(Region(code=f"35.08.{kec}", name=f"Kec {kec}", level=3, parent_code="35.08"))
        db.session.add(
            Region(
                code=f"35.08.{kec}.2001", name=f"Desa {kec}", level=4, parent_code=f"35.08.{kec}"
            )
        )
        db.session.commit()
        factories.kim(f"35.08.{kec}.2001", name=f"KIM Desa {kec}")
    for n in range(6):
        factories.kim(regions.desa_b1 if n % 2 else regions.desa_a2, name=f"KIM Tambahan {n}")
    with count_queries() as more:
        response = client.get("/wilayah/35.08")

    rows = _rows(response.get_data(as_text=True))
    assert len(rows) == 8
    assert rows["35.08.02"][3] == "4"
    assert rows["35.08.12"][2:5] == ["1", "1", "1"]
    assert len(more) == len(few)


def test_petugas_sees_only_its_kecamatan(
    client: FlaskClient,
    login_as: LoginAs,
    kims: None,
    regions: factories.RegionTree,
) -> None:
    login_as("petugas", scope=[regions.kec_a])

    start = client.get("/wilayah/")
    kabupaten = client.get("/wilayah/35.08")

    assert start.status_code == 200
    assert "35.08.09.2001" in _rows(start.get_data(as_text=True))  # starts at its kecamatan
    kab_html = kabupaten.get_data(as_text=True)
    assert kabupaten.status_code == 200  # an ancestor on the way to its scope
    assert set(_rows(kab_html)) == {"35.08.09"}
    assert "Pasirian" not in kab_html
    # Pasirian's KIM is not counted on the kabupaten page either
    assert re.search(r'class="big">3</span>\s*KIM terdaftar', kab_html)
    assert "Hanya wilayah dalam cakupan akun Anda" in kab_html
    assert "Hanya wilayah dalam cakupan" not in start.get_data(as_text=True)
    assert client.get(f"/wilayah/{regions.kec_b}").status_code == 404
    assert client.get(f"/wilayah/{regions.desa_b1}").status_code == 404


def test_user_with_several_kecamatan_starts_at_the_list_of_them(
    client: FlaskClient,
    login_as: LoginAs,
    kims: None,
    regions: factories.RegionTree,
) -> None:
    login_as("petugas", scope=[regions.kec_a, regions.kec_b])

    html = client.get("/wilayah/").get_data(as_text=True)

    rows = _rows(html)
    assert rows["35.08.09"][1:5] == ["Sukodono", "2", "3", "2"]
    assert rows["35.08.02"][1:5] == ["Pasirian", "1", "1", "1"]


def test_unknown_code_is_404_and_anonymous_is_sent_to_login(
    client: FlaskClient,
    login_as: LoginAs,
    regions,
) -> None:
    assert client.get("/wilayah/").status_code == 302
    login_as("admin")
    assert client.get("/wilayah/99.99").status_code == 404
    assert client.get("/wilayah/35.08.09.9999").status_code == 404


def test_search_finds_regions_in_scope_with_their_path(
    client: FlaskClient,
    login_as: LoginAs,
    regions: factories.RegionTree,
) -> None:
    login_as("petugas", scope=[regions.kec_a])

    found = client.get("/wilayah/?q=kuto")
    outside = client.get("/wilayah/?q=condro")

    assert found.status_code == 200
    html = found.get_data(as_text=True)
    row = _rows(html)["35.08.09.2001"]
    assert row[1] == "Kutorenon"
    assert "Sukodono" in row[3] and "Kabupaten Lumajang" in row[3]
    assert "35.08.02.2001" not in outside.get_data(as_text=True)
    assert "Tidak ada wilayah yang cocok" in outside.get_data(as_text=True)


def test_search_by_code_prefix_and_pagination(
    client: FlaskClient, login_as: LoginAs, regions: object
) -> None:
    for n in range(3, 33):
        db.session.add(
            Region(
                code=f"35.08.09.20{n:02d}",
                name=f"Desa Uji {n}",
                level=4,
                kind="desa",
                parent_code="35.08.09",
            )
        )
    db.session.commit()
    login_as("admin")

    first = client.get("/wilayah/?q=desa+uji").get_data(as_text=True)
    second = client.get("/wilayah/?q=desa+uji&page=2").get_data(as_text=True)
    by_code = client.get("/wilayah/?q=35.08.09.200").get_data(as_text=True)

    assert len(_rows(first)) == 25
    assert len(_rows(second)) == 5
    assert "Halaman 2 dari 2" in second
    assert set(_rows(by_code)) == {f"35.08.09.200{n}" for n in range(1, 10)}


def test_search_text_is_escaped(client: FlaskClient, login_as: LoginAs, regions: object) -> None:
    login_as("admin")

    html = client.get("/wilayah/?q=<script>alert(1)</script>").get_data(as_text=True)

    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html


def test_overlong_search_is_refused_with_a_message(
    client: FlaskClient, login_as: LoginAs, regions: object
) -> None:
    login_as("admin")

    response = client.get("/wilayah/?q=" + "a" * 101)

    assert response.status_code == 200
    assert "Kata kunci terlalu panjang" in response.get_data(as_text=True)
