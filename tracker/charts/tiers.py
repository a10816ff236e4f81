"""The tier distribution chart: one horizontal bar per kecamatan (and one for the whole district),
split into the tiers in the framework's order, each part labelled with its count. Readable in
black and white (grey levels from light to dark, counts written in the parts, a legend) and
without JavaScript; `role="img"` with a title. Presentation attributes only (no style attribute:
the Content-Security-Policy forbids inline styles), so the same SVG goes into a page or a PDF."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from tracker.charts.svg import coordinate, text

WIDTH = 640
ROW = 20
BAR = 13
LABEL_WIDTH = 150
COUNT_WIDTH = 40
TOP = 26
FONT = "Liberation Sans, Arial, sans-serif"
# light to dark: the lowest tier lightest; text dark on light parts, white on dark ones
FILLS = ("#e3e3e3", "#b4b4b4", "#747474", "#333333", "#111111")
TEXT_ON = ("#000000", "#000000", "#ffffff", "#ffffff", "#ffffff")


@dataclass(frozen=True)
class TierRow:
    label: str
    counts: Sequence[int]  # one per tier, in the tier order
    emphasis: bool = False  # the district's total row


def tier_distribution(rows: Sequence[TierRow], tier_names: Sequence[str], title: str) -> str:
    """The chart as an SVG element (a string)."""
    height = TOP + ROW * len(rows) + 8
    plot = WIDTH - LABEL_WIDTH - COUNT_WIDTH
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart tier-chart" '
        f'viewBox="0 0 {WIDTH} {height}" role="img" aria-label="{text(title)}">',
        f"<title>{text(title)}</title>",
    ]
    x = LABEL_WIDTH
    for i, name in enumerate(tier_names):  # the legend, left to right
        fill = FILLS[min(i, len(FILLS) - 1)]
        out.append(
            f'<rect x="{coordinate(x)}" y="4" width="10" height="10" fill="{fill}" '
            f'stroke="#000000" stroke-width="0.4"/>'
        )
        out.append(
            f'<text x="{coordinate(x + 14)}" y="13" font-size="10" font-family="{FONT}">'
            f"{text(name)}</text>"
        )
        x += 14 + 7 * len(name) + 16
    for r, row in enumerate(rows):
        y = TOP + r * ROW
        total = sum(row.counts)
        weight = ' font-weight="bold"' if row.emphasis else ""
        out.append(
            f'<text x="0" y="{coordinate(y + BAR - 3)}" font-size="10" font-family="{FONT}"'
            f"{weight}>{text(row.label[:28])}</text>"
        )
        left = float(LABEL_WIDTH)
        for i, count in enumerate(row.counts):
            if not count or not total:
                continue
            width = plot * count / total
            shade = min(i, len(FILLS) - 1)
            out.append(
                f'<rect x="{coordinate(left)}" y="{coordinate(y)}" width="{coordinate(width)}" '
                f'height="{BAR}" fill="{FILLS[shade]}" stroke="#ffffff" stroke-width="0.6"/>'
            )
            if width >= 14:
                out.append(
                    f'<text x="{coordinate(left + width / 2)}" y="{coordinate(y + BAR - 3)}" '
                    f'font-size="9" text-anchor="middle" font-family="{FONT}" '
                    f'fill="{TEXT_ON[shade]}">{count}</text>'
                )
            left += width
        out.append(
            f'<text x="{WIDTH}" y="{coordinate(y + BAR - 3)}" font-size="10" text-anchor="end" '
            f'font-family="{FONT}"{weight}>{total}</text>'
        )
    out.append("</svg>")
    return "".join(out)
