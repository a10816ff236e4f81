"""Visit photos: JPEG, PNG or WebP by content, at most the size setting, no decompression bombs;
stored without EXIF (no GPS), by content hash, with a thumbnail; shown only within scope."""

from __future__ import annotations

import hashlib
from io import BytesIO
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image
from sqlalchemy import func, select

from tests import factories
from tests.factories.visits import GPS_IFD, GPS_LATITUDE, MAKE
from tests.visits.conftest import Place, photo, send, visit_form
from tracker.extensions import db
from tracker.models import MonitoringVisit, User, VisitPhoto
from tracker.services.visits import photos


def _count(model: type) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def _stored(app: Flask, row: VisitPhoto, thumbnail: bool = False) -> Path:
    return Path(app.config["PHOTO_FOLDER"]) / (row.thumb_path if thumbnail else row.path)


def test_a_stored_photo_carries_no_exif_gps(
    app: Flask, client: FlaskClient, place: Place, petugas: User
) -> None:
    original = factories.photo_bytes(gps=True)
    with Image.open(BytesIO(original)) as sent:  # the test photo does carry a position
        assert sent.getexif().get_ifd(GPS_IFD)[GPS_LATITUDE] == (8.0, 7.0, 30.5)
    assert (
        send(client, visit_form(place, photos=[photo("ponsel.jpg", original)])).status_code == 302
    )

    row = db.session.scalars(select(VisitPhoto)).one()
    for path in (_stored(app, row), _stored(app, row, thumbnail=True)):
        with Image.open(path) as kept:
            exif = kept.getexif()
            assert not exif.get_ifd(GPS_IFD)
            assert MAKE not in exif and GPS_IFD not in exif
            assert "exif" not in kept.info
            assert kept.format == "JPEG"
    served = client.get(f"/pemantauan/foto/{row.id}")
    with Image.open(BytesIO(served.data)) as image:
        assert not image.getexif().get_ifd(GPS_IFD)


def test_a_photo_is_turned_upright_before_its_exif_is_dropped(app: Flask) -> None:
    with app.test_request_context():
        # orientation 6: the camera was held sideways; the pixels are 640×480, shown 480×640
        clean = photos.clean(factories.photo_bytes(orientation=6), "miring.jpg")
    assert (clean.width, clean.height) == (480, 640)


def test_photos_are_stored_by_content_hash_in_shards_with_a_thumbnail(
    app: Flask, client: FlaskClient, place: Place, petugas: User
) -> None:
    same = factories.photo_bytes(size=(1200, 900))
    data = visit_form(
        place,
        photos=[photo("a.jpg", same), photo("b.jpg", same)],
        **{"findings-0-photos": [photo("c.webp", fmt="WEBP", colour=(200, 50, 50))]},
    )
    assert send(client, data).status_code == 302
    rows = list(db.session.scalars(select(VisitPhoto).order_by(VisitPhoto.id)))
    assert len(rows) == 3
    assert rows[0].sha256 == rows[1].sha256 and rows[0].path == rows[1].path  # stored once
    for row in rows:
        stored = _stored(app, row).read_bytes()
        assert hashlib.sha256(stored).hexdigest() == row.sha256
        extension = row.path.rsplit(".", 1)[1]
        assert row.path == f"{row.sha256[:2]}/{row.sha256[2:4]}/{row.sha256}.{extension}"
        assert row.size == len(stored)
        with Image.open(_stored(app, row, thumbnail=True)) as thumb:
            assert max(thumb.size) == app.config["PHOTO_THUMB_SIDE"]
    assert rows[2].content_type == "image/webp" and rows[2].path.endswith(".webp")
    assert (rows[0].width, rows[0].height) == (1200, 900)


def test_a_large_photo_is_stored_at_the_largest_side_setting(app: Flask) -> None:
    app.config["PHOTO_MAX_SIDE"] = 800
    with app.test_request_context():
        clean = photos.clean(factories.photo_bytes(size=(1600, 1000)), "besar.jpg")
    assert (clean.width, clean.height) == (800, 500)


def test_a_renamed_non_image_is_refused_and_the_other_fields_are_kept(
    client: FlaskClient, place: Place, petugas: User
) -> None:
    spreadsheet = b"No,Nama KIM,Jumlah\n1,KIM Alpha,12\n"
    response = send(client, visit_form(place, photos=[photo("laporan.jpg", spreadsheet)]))
    assert response.status_code == 422
    text = response.text
    assert "Berkas laporan.jpg bukan foto JPEG, PNG atau WebP" in text
    assert "isinya yang diperiksa, bukan nama berkasnya" in text
    for typed in ("Kunjungan rutin triwulan", "Sinyal lemah di balai desa", "Pak Camat"):
        assert typed in text
    assert 'value="12"' in text and 'value="61,5"' in text
    assert _count(MonitoringVisit) == 0 and _count(VisitPhoto) == 0


def test_an_oversized_file_is_refused_and_the_other_fields_are_kept(
    app: Flask, client: FlaskClient, place: Place, petugas: User
) -> None:
    limit = app.config["PHOTO_MAX_BYTES"]
    assert limit == 10 * 1024 * 1024  # the setting's default
    too_big = factories.photo_bytes() + b"\0" * (limit + 1)
    data = visit_form(place, **{"findings-0-photos": [photo("besar.jpg", too_big)]})
    response = send(client, data)
    assert response.status_code == 422
    assert (
        "Berkas besar.jpg terlalu besar (10 MB); setiap foto paling besar 10 MB." in response.text
    )
    assert "Unggah berita kegiatan setiap minggu" in response.text
    assert _count(MonitoringVisit) == 0


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("animasi.jpg", factories.photo_bytes(fmt="GIF"), "bukan foto JPEG, PNG atau WebP"),
        ("kosong.jpg", b"", "Berkas kosong.jpg kosong."),
        ("terpotong.jpg", factories.photo_bytes(size=(800, 600))[:2000], "rusak atau terpotong"),
    ],
)
def test_what_is_not_a_whole_jpeg_png_or_webp_is_refused(
    app: Flask, name: str, data: bytes, message: str
) -> None:
    with app.test_request_context(), pytest.raises(photos.PhotoRefusedError) as refused:
        photos.clean(data, name)
    assert message in refused.value.message


def test_too_many_pixels_is_refused_before_decoding(app: Flask) -> None:
    app.config["PHOTO_MAX_PIXELS"] = 100_000
    with app.test_request_context(), pytest.raises(photos.PhotoRefusedError) as refused:
        photos.clean(factories.photo_bytes(fmt="PNG", size=(400, 300)), "peta.png")
    assert "terlalu besar resolusinya (0,1 megapiksel); paling besar 0,1 megapiksel" in (
        refused.value.message
    )


def test_pillows_decompression_bomb_limit_holds_whatever_the_setting(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file Pillow itself calls a decompression bomb (more pixels than MAX_IMAGE_PIXELS, or
    twice that) is refused, even with a larger setting."""
    bomb = factories.photo_bytes(fmt="PNG", size=(300, 300))
    for limit in (40_000, 80_000):  # 90,000 pixels: above twice the first, above the second
        monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", limit)
        with app.test_request_context(), pytest.raises(photos.PhotoRefusedError) as refused:
            photos.clean(bomb, "bom.png")
        assert "terlalu besar resolusinya" in refused.value.message


def test_an_accepted_photo_of_a_refused_form_is_kept_for_the_next_sending(
    client: FlaskClient, place: Place, petugas: User
) -> None:
    data = visit_form(place, started_on="", photos=[photo("diterima.jpg")])
    refused = send(client, data)
    assert refused.status_code == 422
    text = refused.text
    assert "diterima.jpg" in text and "(sudah diterima)" in text
    assert "tidak perlu dipilih lagi" in text
    start = text.index('name="kept_photos" value="') + len('name="kept_photos" value="')
    token = text[start : text.index('"', start)]

    again = send(client, visit_form(place, kept_photos=[token]))
    assert again.status_code == 302
    row = db.session.scalars(select(VisitPhoto)).one()
    assert row.original_name == "diterima.jpg" and row.kim_id is None
    # the token was used up: a third sending of it keeps nothing
    assert send(client, visit_form(place, key="kunci-ketiga-00000001", kept_photos=[token]))
    assert _count(VisitPhoto) == 1


def test_a_kept_photo_is_only_its_uploaders(
    client: FlaskClient, auth, place: Place, petugas: User
) -> None:
    refused = send(client, visit_form(place, started_on="", photos=[photo("punya-saya.jpg")]))
    text = refused.text
    start = text.index('name="kept_photos" value="') + len('name="kept_photos" value="')
    token = text[start : text.index('"', start)]
    auth.logout()
    factories.user("petugas", scope=[place.regions.kec_a], username="orang-lain")
    auth.login("orang-lain")
    assert send(client, visit_form(place, key="kunci-orang-lain-0001", kept_photos=[token]))
    assert _count(VisitPhoto) == 0


def test_a_photo_is_served_only_within_scope_with_a_fixed_type(
    client: FlaskClient, auth, place: Place, petugas: User
) -> None:
    data = visit_form(place, **{"findings-0-photos": [photo("alpha.png", fmt="PNG")]})
    assert send(client, data).status_code == 302
    row = db.session.scalars(select(VisitPhoto)).one()

    own = client.get(f"/pemantauan/foto/{row.id}")
    assert own.status_code == 200
    assert own.headers["Content-Type"] == "image/png"
    assert own.headers["X-Content-Type-Options"] == "nosniff"
    thumb = client.get(f"/pemantauan/foto/{row.id}?kecil=1")
    assert thumb.status_code == 200 and thumb.headers["Content-Type"] == "image/jpeg"
    auth.logout()

    factories.user("petugas", scope=[place.regions.kec_b], username="pasirian")
    auth.login("pasirian")
    assert client.get(f"/pemantauan/foto/{row.id}").status_code == 404
    assert client.get(f"/pemantauan/foto/{row.id}?kecil=1").status_code == 404
    assert client.get("/pemantauan/foto/999999").status_code == 404
    auth.logout()

    factories.user("kabid", scope=[place.regions.kabupaten], username="kabid2")
    auth.login("kabid2")
    assert client.get(f"/pemantauan/foto/{row.id}").status_code == 200


def test_a_photo_of_the_visit_as_a_whole_follows_the_visits_kecamatan(
    client: FlaskClient, auth, place: Place, petugas: User
) -> None:
    assert send(client, visit_form(place, photos=[photo("umum.jpg")])).status_code == 302
    row = db.session.scalars(select(VisitPhoto)).one()
    assert row.kim_id is None
    auth.logout()
    factories.user("petugas", scope=[place.regions.desa_b1], username="desa-lain")
    auth.login("desa-lain")
    assert client.get(f"/pemantauan/foto/{row.id}").status_code == 404


def test_a_photo_needs_a_login(client: FlaskClient, place: Place, petugas: User, auth) -> None:
    assert send(client, visit_form(place, photos=[photo()])).status_code == 302
    row = db.session.scalars(select(VisitPhoto)).one()
    auth.logout()
    response = client.get(f"/pemantauan/foto/{row.id}")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_visit_form_may_carry_more_than_other_forms(
    app: Flask, client: FlaskClient, place: Place, petugas: User
) -> None:
    """Two photos of 9 MB each: more than MAX_CONTENT_LENGTH (16 MB) allows any other form, within
    VISIT_FORM_MAX_BYTES. (Pillow reads a JPEG up to its end marker: the padding is dropped.)"""
    assert app.config["MAX_CONTENT_LENGTH"] < 18 * 1024 * 1024 < app.config["VISIT_FORM_MAX_BYTES"]
    big = factories.photo_bytes() + b"\0" * (9 * 1024 * 1024)
    data = visit_form(place, photos=[photo("satu.jpg", big), photo("dua.jpg", big)])
    assert send(client, data).status_code == 302
    assert _count(VisitPhoto) == 2
    assert all(row.size < 1024 * 1024 for row in db.session.scalars(select(VisitPhoto)))
    # another form keeps the general limit
    assert (
        client.post(
            "/tindak-lanjut/baru", data={"recommendation": "x" * (17 * 1024 * 1024)}
        ).status_code
        == 413
    )


def test_a_cut_off_photo_is_refused_even_after_a_letter_was_rendered(app) -> None:
    """WeasyPrint sets Pillow's global LOAD_TRUNCATED_IMAGES when imported (a web worker that
    rendered a letter): a truncated JPEG must still be refused."""
    import weasyprint  # noqa: F401 - the import is the point
    from PIL import ImageFile

    from tracker.services.visits import photos

    assert ImageFile.LOAD_TRUNCATED_IMAGES is True
    whole = factories.photo_bytes()
    with pytest.raises(photos.PhotoRefusedError, match="terpotong"):
        photos.clean(whole[: len(whole) // 2], "terpotong.jpg")
    assert ImageFile.LOAD_TRUNCATED_IMAGES is True  # left as the process had it
