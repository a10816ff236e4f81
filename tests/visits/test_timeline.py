"""A KIM's visits (with photo thumbnails) and follow-ups as timeline items for its page."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from tests import factories
from tests.visits.conftest import Place, photo, send, visit_form
from tracker.extensions import db
from tracker.models import User, VisitPhoto
from tracker.services.common.clock import office_today
from tracker.services.common.errors import NotFound
from tracker.services.visits.timeline import kim_timeline_items


def test_a_kims_visits_and_follow_ups_newest_first(
    app: Flask, client: FlaskClient, place: Place, petugas: User
) -> None:
    today = office_today()
    data = visit_form(
        place,
        started_on=(today - timedelta(days=3)).isoformat(),
        **{
            "findings-0-photos": [photo("a.jpg"), photo("b.png", fmt="PNG")],
            "findings-0-follow_up_due": (today + timedelta(days=20)).isoformat(),
        },
    )
    assert send(client, data).status_code == 302
    closed = factories.make_follow_up(
        place.alpha,
        petugas,
        date(2025, 1, 31),
        status="done",
        closed_on=today - timedelta(days=1),
        recommendation="Pasang papan nama sekretariat",
        created_at=datetime(2025, 1, 2, 3, 0),  # 10.00 in Jakarta
    )
    factories.make_follow_up(place.beta, petugas, date(2025, 1, 31))  # another KIM's

    with app.test_request_context():
        items = kim_timeline_items(petugas, place.alpha.id)
    kinds = [(item.kind, item.date) for item in items]
    assert kinds[:3] == [
        ("follow_up_done", today - timedelta(days=1)),
        ("follow_up", today - timedelta(days=3)),  # made on the visit's day
        ("visit", today - timedelta(days=3)),
    ]
    assert kinds[3] == ("follow_up", date(2025, 1, 2))  # the closed one, made earlier
    assert len(items) == 4
    visit = items[2]
    assert visit.title == "Kunjungan pemantauan Kecamatan Sukodono"
    assert "Perlu perbaikan" in visit.detail and "SDM (pengelola)" in visit.detail
    stored = db.session.scalars(select(VisitPhoto).order_by(VisitPhoto.id)).all()
    assert [t.photo_id for t in visit.thumbnails] == [p.id for p in stored]
    assert visit.visit_id == stored[0].visit_id and visit.follow_up_id is None
    assert items[0].title == "Tindak lanjut selesai: Pasang papan nama sekretariat"
    assert (items[0].follow_up_id, items[0].visit_id) == (closed.id, None)

    # the KIM page links each item and shows the thumbnails, which load as images
    page = client.get(f"/kim/{place.alpha.id}").text
    timeline = page.split('id="linimasa"', 1)[1].split("</section>", 1)[0]
    assert f'href="/pemantauan/{visit.visit_id}"' in timeline
    assert f'href="/tindak-lanjut/{closed.id}"' in timeline
    for row in stored:
        assert f'href="/pemantauan/foto/{row.id}"' in timeline
        assert f'src="/pemantauan/foto/{row.id}?kecil=1"' in timeline
        thumbnail = client.get(f"/pemantauan/foto/{row.id}?kecil=1")
        assert thumbnail.headers["Content-Type"] == "image/jpeg"


def test_a_kim_outside_the_scope_has_no_timeline(app: Flask, place: Place, petugas: User) -> None:
    with app.test_request_context(), pytest.raises(NotFound):
        kim_timeline_items(petugas, place.gamma.id)
