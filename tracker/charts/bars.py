"""Bar charts: stacked horizontal bars (tiers per kecamatan) and plain horizontal bars against
marks (a KIM's dimension scores against what the next tier asks). One bar per row, the label on
its left, the total at its end; readable without colour (each segment wide enough carries its
number) and without JavaScript."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from tracker.charts.svg import (
    GRID,
    INK,
    MUTED,
    colour_of,
    coordinate,
    legend,
    legend_height,
    number,
    opening,
    text,
)

WIDTH = 640
LABEL_W = 170
ROW_H = 24
BAR_H = 16
TOP = 34


@dataclass(frozen=True)
class BarRow:
    label: str
    values: Sequence[float]  # one per series


def _clip(label: str, chars: int = 24) -> str:
    return label if len(label) <= chars else label[: chars - 1] + "…"


def stacked_bars(
    rows: Sequence[BarRow],
    series: Sequence[str],
    *,
    title: str,
    description: str,
    key: str = "bars",
) -> str:
    """Each row a bar made of its series' values end to end, scaled to the largest total."""
    names = list(series)
    colours = [colour_of(name, i) for i, name in enumerate(names)]
    plot_w = WIDTH - LABEL_W - 56
    legend_h = legend_height(names, WIDTH - 16)
    height = TOP + max(len(rows), 1) * ROW_H + 12 + legend_h + 8
    largest = max((sum(row.values) for row in rows), default=0) or 1
    parts = opening(WIDTH, height, key, title, description)
    parts.append(f'<text x="8" y="20" fill="{INK}" font-weight="bold">{text(title)}</text>')
    for index, row in enumerate(rows):
        y = TOP + index * ROW_H
        parts.append(
            f'<text x="{LABEL_W - 6}" y="{coordinate(y + BAR_H - 3)}" text-anchor="end" '
            f'fill="{INK}">{text(_clip(row.label))}</text>'
        )
        x = float(LABEL_W)
        for value, colour in zip(row.values, colours, strict=True):
            width = value / largest * plot_w
            if width <= 0:
                continue
            parts.append(
                f'<rect x="{coordinate(x)}" y="{y}" width="{coordinate(width)}" '
                f'height="{BAR_H}" fill="{colour}"/>'
            )
            if width >= 8 * len(number(value, 0)) + 4:
                parts.append(
                    f'<text x="{coordinate(x + width / 2)}" y="{coordinate(y + BAR_H - 4)}" '
                    f'text-anchor="middle" fill="#ffffff" font-size="10">'
                    f"{text(number(value, 0))}</text>"
                )
            x += width
        parts.append(
            f'<text x="{coordinate(x + 4)}" y="{coordinate(y + BAR_H - 3)}" fill="{MUTED}">'
            f"{text(number(sum(row.values), 0))}</text>"
        )
    parts.extend(legend(names, colours, 8, TOP + max(len(rows), 1) * ROW_H + 22, WIDTH - 16))
    parts.append("</svg>")
    return "\n".join(parts)


@dataclass(frozen=True)
class Mark:
    """A value the bars are read against (e.g. the score the next tier needs)."""

    value: float
    label: str


@dataclass(frozen=True)
class Layout:
    """Sizes of a bar chart, in the SVG's own units (the page scales the whole drawing)."""

    width: float = WIDTH
    label_width: float = LABEL_W
    row_height: float = ROW_H
    bar_height: float = BAR_H
    font_size: float = 12
    colour: str = "#2a6ebb"
    titled: bool = True  # the title drawn at the top (a printed page may set its own above)


PAGE = Layout()
# the letter's attachment: an 88 mm column, printed in black and grey
LETTER = Layout(
    width=330,
    label_width=128,
    row_height=16,
    bar_height=11,
    font_size=9,
    colour="#3a3a3a",
    titled=False,
)


def score_bars(
    rows: Sequence[BarRow],
    marks: Sequence[Mark],
    *,
    title: str,
    description: str,
    maximum: float = 100.0,
    key: str = "scores",
    layout: Layout = PAGE,
) -> str:
    """One bar per row (its first value, 0 to `maximum`), with each mark as a dashed line across
    the bars and its label above."""
    lay = layout
    label_w = lay.label_width
    plot_w = lay.width - label_w - 4 * lay.font_size
    top = (TOP if lay.titled else 4) + lay.font_size + 2
    bottom = top + max(len(rows), 1) * lay.row_height
    height = bottom + 2 * lay.font_size

    def x_of(value: float) -> float:
        return label_w + max(0.0, min(value, maximum)) / maximum * plot_w

    parts = opening(lay.width, height, key, title, description)
    parts[0] = parts[0].replace('font-size="12"', f'font-size="{coordinate(lay.font_size)}"')
    if lay.titled:
        parts.append(f'<text x="8" y="20" fill="{INK}" font-weight="bold">{text(title)}</text>')
    small = coordinate(lay.font_size * 0.85)
    for tick in range(0, int(maximum) + 1, max(int(maximum) // 5, 1)):
        at = coordinate(x_of(tick))
        parts.append(
            f'<line x1="{at}" x2="{at}" y1="{coordinate(top - 4)}" y2="{coordinate(bottom)}" '
            f'stroke="{GRID}"/>'
            f'<text x="{at}" y="{coordinate(bottom + lay.font_size + 2)}" text-anchor="middle" '
            f'fill="{MUTED}" font-size="{small}">{tick}</text>'
        )
    clip = int(label_w / (lay.font_size * 0.55))
    for index, row in enumerate(rows):
        y = top + index * lay.row_height
        base = coordinate(y + lay.bar_height - 2)
        value = row.values[0] if row.values else 0.0
        parts.append(
            f'<text x="{coordinate(label_w - 6)}" y="{base}" text-anchor="end" '
            f'fill="{INK}">{text(_clip(row.label, clip))}</text>'
            f'<rect x="{coordinate(label_w)}" y="{coordinate(y)}" '
            f'width="{coordinate(x_of(value) - label_w)}" height="{coordinate(lay.bar_height)}" '
            f'fill="{lay.colour}"/>'
            f'<text x="{coordinate(x_of(value) + 4)}" y="{base}" '
            f'fill="{INK}">{text(number(value, 1))}</text>'
        )
    for mark in marks:
        at = coordinate(x_of(mark.value))
        parts.append(
            f'<line x1="{at}" x2="{at}" y1="{coordinate(top - 4)}" y2="{coordinate(bottom)}" '
            f'stroke="{INK}" stroke-width="1.2" stroke-dasharray="4 3"/>'
            f'<text x="{at}" y="{coordinate(top - 6)}" text-anchor="middle" fill="{INK}" '
            f'font-size="{small}">{text(mark.label)}</text>'
        )
    parts.append("</svg>")
    return "\n".join(parts)
