"""A KIM's page: one timeline of its assessments and the sessions it was invited to, newest
first, at a fixed number of queries whatever its length."""

from __future__ import annotations

from datetime import date

from tests import factories
from tests.coaching.conftest import District
from tracker.services.assessment.runner import assess_period
from tracker.services.rules.frameworks import get_active


def _timeline(html: str) -> str:
    return html.split('id="linimasa"', 1)[1].split("</section>", 1)[0]


def test_assessments_and_sessions_on_one_timeline(client, login_as, district: District) -> None:
    login_as("viewer")
    factories.make_period("2025-T2")
    factories.make_session(
        "Pelatihan Menulis Berita", date(2025, 2, 10), invited=[district.a1], attended=[district.a1]
    )
    factories.make_session("Bimtek Video", date(2025, 5, 6), invited=[district.a1])
    factories.make_session("Kelas Nanti", date(2099, 1, 6), invited=[district.a1])
    factories.make_session("Sesi Lain", date(2025, 3, 1), invited=[district.b1])
    assess_period("2025-T1", None)
    assess_period("2025-T2", None)
    page = client.get(f"/kim/{district.a1.id}")
    assert page.status_code == 200
    timeline = _timeline(page.text)
    order = [
        "6 Januari 2099",
        "Penilaian 2025-T2",
        "Bimtek Video",
        "Penilaian 2025-T1",
        "Pelatihan Menulis Berita",
    ]
    positions = [timeline.index(text) for text in order]
    assert positions == sorted(positions)
    assert "hadir, 1 peserta" in timeline
    assert "diundang, tidak hadir" in timeline  # Bimtek Video
    assert "Sesi Lain" not in timeline  # another KIM's


def test_the_kim_page_queries_do_not_grow_with_its_timeline(
    client, login_as, district: District, count_queries
) -> None:
    """(The page asks per open period whether its result is stale: the periods stay the same.)"""
    login_as("admin")
    factories.make_period("2024-T4", state="closed")
    factories.make_session("Satu", date(2025, 2, 1), invited=[district.a1], topics=[district.topic])
    assess_period("2025-T1", None)
    with count_queries() as few:
        assert client.get(f"/kim/{district.a1.id}").status_code == 200
    for n in range(6):
        factories.make_session(
            f"Sesi {n}",
            date(2025, 1, 3 + n),
            invited=[district.a1],
            attended=[district.a1] if n % 2 else [],
            topics=[district.topic],
        )
    factories.make_assessment(
        district.a1, factories.make_period("2024-T3", state="closed"), get_active(), score=12.5
    )
    with count_queries() as many:
        assert client.get(f"/kim/{district.a1.id}").status_code == 200
    assert len(many) == len(few)


def test_visits_and_follow_ups_join_the_timeline(client, login_as, district: District) -> None:
    """The KIM page's one timeline also holds the monitoring visits that found something about
    the KIM and its follow-ups (made, done), in date order with the sessions."""
    user = login_as("admin")
    factories.make_session("Pelatihan Foto", date(2025, 1, 20), invited=[district.a1])
    factories.make_visit(user, district.regions.kec_a, [district.a1], started_on=date(2025, 2, 4))
    factories.make_follow_up(
        district.a1,
        user,
        date(2025, 3, 1),
        status="done",
        closed_on=date(2025, 3, 10),
        recommendation="Susun kalender editorial mingguan",
    )
    factories.make_visit(user, district.regions.kec_b, [district.b1], started_on=date(2025, 2, 5))
    timeline = _timeline(client.get(f"/kim/{district.a1.id}").text)
    order = ["10 Maret 2025", "4 Februari 2025", "Pelatihan Foto"]
    positions = [timeline.index(text) for text in order]
    assert positions == sorted(positions)
    assert "Susun kalender editorial mingguan" in timeline
    assert "5 Februari 2025" not in timeline  # a visit that found nothing about this KIM
