"""The charts of tracker/charts: plain data in, SVG out; titled and described for screen readers,
text escaped, no style attribute (the CSP forbids inline styles), the product's tier colours,
and every number the reader needs printed on the chart."""

from __future__ import annotations

from xml.etree import ElementTree

from tracker.charts.bars import LETTER, BarRow, Mark, score_bars, stacked_bars
from tracker.charts.lines import Series, line_chart, tier_history
from tracker.charts.svg import TIER_COLOURS

NS = "{http://www.w3.org/2000/svg}"
TIERS = ("Rintisan", "Berkembang", "Maju", "Mandiri")


def _parsed(svg: str) -> ElementTree.Element:
    root = ElementTree.fromstring(svg)  # well-formed, whatever the labels held
    assert root.get("role") == "img"
    assert root.find(f"{NS}title").text and root.find(f"{NS}desc").text
    assert all(el.get("style") is None for el in root.iter())
    return root


def _texts(root: ElementTree.Element) -> list[str]:
    return [el.text or "" for el in root.iter(f"{NS}text")]


def test_stacked_bars_label_escape_and_colour_by_tier():
    svg = stacked_bars(
        [BarRow("Sukodono <b>&", [3, 2, 1, 0]), BarRow("Pasirian", [1, 0, 4, 2])],
        TIERS,
        title="Jenjang per kecamatan",
        description="Batang bertumpuk",
    )
    root = _parsed(svg)
    texts = _texts(root)
    assert "Sukodono <b>&" in texts  # escaped in the SVG, read back as written
    assert "6" in texts and "7" in texts  # each bar's total
    fills = {el.get("fill") for el in root.iter(f"{NS}rect")}
    assert {TIER_COLOURS[t] for t in TIERS} <= fills
    widths = [float(el.get("width")) for el in root.iter(f"{NS}rect") if el.get("height") == "16"]
    assert max(widths) > 0 and not any(w <= 0 for w in widths)  # empty segments not drawn


def test_lines_break_where_a_value_is_missing_and_tier_history_names_the_levels():
    root = _parsed(
        line_chart(
            ["2025-T1", "2025-T2", "2025-T3"],
            [Series("Maju", [1, None, 3]), Series("Mandiri", [0, 2, 5])],
            title="Tren",
            description="d",
        )
    )
    polylines = list(root.iter(f"{NS}polyline"))
    assert len(polylines) == 1  # Maju's line is broken by its gap (no segment of one point)
    history = _parsed(
        tier_history(
            ["2025-T1", "2025-T2"], ["Rintisan", "Maju"], TIERS, title="Riwayat", description="d"
        )
    )
    assert {"Rintisan", "Berkembang", "Maju", "Mandiri"} <= set(_texts(history))


def test_score_bars_print_values_and_marks_in_both_layouts():
    for layout in (None, LETTER):
        kwargs = {"layout": layout} if layout else {}
        root = _parsed(
            score_bars(
                [BarRow("K Kelembagaan", [75.0]), BarRow("W Aktivitas website", [120.0])],
                [Mark(60, "Maju ≥ 60")],
                title="Skor",
                description="d",
                **kwargs,
            )
        )
        texts = _texts(root)
        assert "75,0" in texts and "120,0" in texts and "Maju ≥ 60" in texts
        assert ("Skor" in texts) is (layout is None)  # the letter prints its own heading
