"""The coaching effect on a crafted dataset: attendees' score and tier change against comparable
non-attendees (same starting tier, same kecamatan when it has enough of them), group sizes, mean,
spread, the verdict (too small below 5 a group), the chart and the export."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from sqlalchemy import delete

from tests import factories
from tests.coaching.conftest import District
from tracker.charts.effect import ChartGroup, effect_chart
from tracker.extensions import db
from tracker.models import Assessment, Kim, Period
from tracker.scoring.effect import (
    MATCH_KECAMATAN,
    MATCH_NONE,
    MATCH_TIER,
    VERDICT_HIGHER,
    VERDICT_TOO_SMALL,
    Observation,
    compare,
)
from tracker.services.coaching.effect import session_effect, topic_effect
from tracker.services.rules.frameworks import get_active


def _dims(rest: float, p: float) -> dict[str, float]:
    return {"K": rest, "W": rest, "M": rest, "P": p, "D": rest}


def _kim_over(
    periods: tuple[Period, Period],
    name: str,
    desa: str,
    before: tuple[str, float],
    after: tuple[str, float],
    rest_gain: float,
) -> Kim:
    """A KIM assessed in both periods (tier, score), its score without P rising by
    `rest_gain`."""
    kim = factories.kim(desa, name=name)
    fw = get_active()
    t1, t2 = periods
    factories.make_assessment(
        kim, t1, fw, score=before[1], tier=before[0], dimension_scores=_dims(50, 0)
    )
    factories.make_assessment(
        kim, t2, fw, score=after[1], tier=after[0], dimension_scores=_dims(50 + rest_gain, 50)
    )
    return kim


@pytest.fixture
def crafted(district: District) -> dict[str, object]:
    """Five attendees in Sukodono (Berkembang, +10 +8 +6 +4 +2; the first reaches Maju; P1 gave
    each 2 points), five Sukodono non-attendees of the same tier (0 +1 +2 +1 +1), a Pasirian one
    (+30) and a Maju one (−5) that matching leaves out, and an attendee not assessed after."""
    for kim in (district.a1, district.a2, district.b1):
        kim.status = "nonaktif"
    both = (district.period, factories.make_period("2025-T2"))
    a, b = district.regions.desa_a1, district.regions.desa_b1
    attendees = [
        _kim_over(both, "Peserta 1", a, ("Berkembang", 55), ("Maju", 65), 8),
        *(
            _kim_over(
                both, f"Peserta {n}", a, ("Berkembang", 50), ("Berkembang", 50 + gain), gain - 2
            )
            for n, gain in ((2, 8), (3, 6), (4, 4), (5, 2))
        ),
    ]
    others = [
        _kim_over(both, f"Bukan {n}", a, ("Berkembang", 45), ("Berkembang", 45 + gain), gain)
        for n, gain in ((1, 0), (2, 1), (3, 2), (4, 1), (5, 1))
    ]
    far = _kim_over(both, "Jauh", b, ("Berkembang", 45), ("Berkembang", 75), 30)
    higher = _kim_over(both, "Maju Turun", a, ("Maju", 70), ("Maju", 65), -5)
    gone = factories.kim(a, name="Tidak Dinilai Lagi")
    factories.make_assessment(gone, both[0], get_active(), score=40, tier="Berkembang")
    session = factories.make_session(
        "Pelatihan Menulis Berita",
        date(2025, 5, 10),
        invited=[*attendees, *others, gone],
        attended=[*attendees, gone],
        topics=[district.topic],
    )
    return {"session": session, "others": others, "far": far, "higher": higher}


def test_the_effect_of_a_session(crafted) -> None:
    report = session_effect(None, crafted["session"].id)
    assert report.pairs == [("2025-T1", "2025-T2")]
    c = report.comparison
    assert c is not None
    assert (c.attended.size, c.compared.size) == (5, 5)
    assert round(c.attended.mean, 2) == 6.0 and round(c.attended.sd, 2) == 3.16
    assert round(c.attended.rest_mean, 2) == 4.0  # 2 points a KIM came from P itself
    assert round(c.compared.mean, 2) == 1.0 and round(c.compared.sd, 2) == 0.71
    assert (c.attended.up, c.attended.same, c.attended.down) == (1, 4, 0)
    assert round(c.difference, 2) == 5.0 and round(2 * c.standard_error, 2) == 2.9
    assert c.verdict == VERDICT_HIGHER
    assert c.matched(MATCH_KECAMATAN) == 5
    compared = {row.name for row in report.rows if row.group == "pembanding"}
    assert compared == {f"Bukan {n}" for n in range(1, 6)}  # not "Jauh", not "Maju Turun"


def test_groups_too_small_say_so(client, login_as, crafted) -> None:
    """With three comparable KIMs left in Sukodono, fewer than five: nothing is concluded."""
    gone = [kim.id for kim in crafted["others"][3:]]
    db.session.execute(delete(Assessment).where(Assessment.kim_id.in_(gone)))
    db.session.commit()
    report = session_effect(None, crafted["session"].id)
    assert report.comparison is not None
    assert report.comparison.compared.size == 3
    assert report.comparison.verdict == VERDICT_TOO_SMALL
    login_as("admin")
    page = client.get(f"/pembinaan/sesi/{crafted['session'].id}/dampak").text
    assert "Kelompok terlalu kecil untuk menyimpulkan apa pun." in page
    assert "ada 5 peserta dan 3 pembanding" in page
    assert "<svg" in page and 'role="img"' in page


def test_the_page_chart_and_export(client, login_as, crafted) -> None:
    login_as("viewer")
    page = client.get(f"/pembinaan/sesi/{crafted['session'].id}/dampak").text
    assert "Peserta naik 5,00 poin lebih banyak daripada pembanding." in page
    assert "+6,00" in page and "3,16" in page and "+4,00" in page
    assert '<title id="effect-title">Perubahan skor: Pelatihan Menulis Berita</title>' in page
    export = client.get(f"/pembinaan/sesi/{crafted['session'].id}/dampak.csv")
    assert export.status_code == 200
    rows = list(csv.reader(io.StringIO(export.data.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Kelompok", "KIM", "Kecamatan"]
    assert [r[0] for r in rows[1:]] == ["peserta"] * 5 + ["pembanding"] * 5
    first = next(r for r in rows if r[1] == "Peserta 1")
    assert first[3:11] == [
        "2025-T1",
        "2025-T2",
        "Berkembang",
        "Maju",
        "55.0",
        "65.0",
        "10.0",
        "8.0",
    ]
    assert first[11] == "sekecamatan, sejenjang"


def test_a_topic_counts_each_kim_at_its_first_session(district: District) -> None:
    for kim in (district.a1, district.a2, district.b1):
        kim.status = "nonaktif"
    fw = get_active()
    periods = [district.period, factories.make_period("2025-T2"), factories.make_period("2025-T3")]
    kims = [factories.kim(district.regions.desa_a1, name=f"KIM {n}") for n in range(1, 5)]
    for kim in kims:
        for step, period in enumerate(periods):
            factories.make_assessment(
                kim, period, fw, score=40 + step * kim.id % 7, tier="Berkembang"
            )
    first, second = kims[0], kims[1]
    factories.make_session(
        "Sesi 1", date(2025, 5, 1), invited=kims, attended=[first], topics=[district.topic]
    )
    factories.make_session(
        "Sesi 2", date(2025, 8, 1), invited=kims, attended=[first, second], topics=[district.topic]
    )
    report = topic_effect(None, district.topic.id)
    assert report.sessions == 2
    assert report.pairs == [("2025-T1", "2025-T2"), ("2025-T2", "2025-T3")]
    attendees = [(r.name, r.before) for r in report.attendees]
    assert attendees == [("KIM 1", "2025-T1"), ("KIM 2", "2025-T2")]
    c = report.comparison
    assert c is not None
    # first quarter: KIM 2, 3, 4 had not come yet (three: matched in the kecamatan);
    # second: KIM 3 and 4 (two: matched by tier across the kabupaten)
    assert c.compared.size == 5
    assert (c.matched(MATCH_KECAMATAN), c.matched(MATCH_TIER)) == (1, 1)


def _obs(kim_id: int, kecamatan: str, tier: int, change: float) -> Observation:
    return Observation(kim_id, kecamatan, tier, tier, 50.0, 50.0 + change)


def test_matching_falls_back_to_the_tier_then_to_none() -> None:
    attendees = [_obs(1, "a", 1, 5), _obs(2, "b", 1, 3), _obs(3, "a", 3, 1)]
    pool = [
        _obs(10, "a", 1, 0),
        _obs(11, "a", 1, 1),
        _obs(12, "a", 1, 2),
        _obs(13, "b", 1, 9),  # Pasirian's only one of tier 1: too few to match there
        _obs(14, "a", 2, -4),
    ]
    c = compare([(attendees, pool)])
    assert [(m.kim_id, m.by, m.comparators) for m in c.matches] == [
        (1, MATCH_KECAMATAN, 3),
        (2, MATCH_TIER, 4),
        (3, MATCH_NONE, 0),
    ]
    assert sorted(o.kim_id for o in c.comparators) == [10, 11, 12, 13]
    assert c.verdict == VERDICT_TOO_SMALL


def test_the_chart_is_plain_escaped_svg() -> None:
    svg = effect_chart(
        [
            ChartGroup("Peserta <b>", [1.5, -2.0], -0.25, 2.47),
            ChartGroup("Pembanding", [], None, None),
        ],
        title='Dampak "A & B"',
        y_label="poin",
        description="uji",
    )
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert "Peserta &lt;b&gt;" in svg and 'Dampak "A &amp; B"' in svg
    assert "style=" not in svg and "<script" not in svg
    assert svg.count("<circle") == 2
    assert "−2" in svg  # the axis reads the Indonesian way, with a minus sign
