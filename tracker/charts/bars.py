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


def score_bars(
    rows: Sequence[BarRow],
    marks: Sequence[Mark],
    *,
    title: str,
    description: str,
    maximum: float = 100.0,
    key: str = "scores",
) -> str:
    """One bar per row (its first value, 0 to `maximum`), with each mark as a dashed line across
    the bars and its label above."""
    plot_w = WIDTH - LABEL_W - 56
    height = TOP + 14 + max(len(rows), 1) * ROW_H + 24

    def x_of(value: float) -> float:
        return LABEL_W + max(0.0, min(value, maximum)) / maximum * plot_w

    parts = opening(WIDTH, height, key, title, description)
    parts.append(f'<text x="8" y="20" fill="{INK}" font-weight="bold">{text(title)}</text>')
    top = TOP + 14
    bottom = top + max(len(rows), 1) * ROW_H
    for tick in range(0, int(maximum) + 1, max(int(maximum) // 5, 1)):
        at = coordinate(x_of(tick))
        parts.append(
            f'<line x1="{at}" x2="{at}" y1="{top - 4}" y2="{bottom}" stroke="{GRID}"/>'
            f'<text x="{at}" y="{bottom + 14}" text-anchor="middle" fill="{MUTED}" '
            f'font-size="10">{tick}</text>'
        )
    for index, row in enumerate(rows):
        y = top + index * ROW_H
        value = row.values[0] if row.values else 0.0
        parts.append(
            f'<text x="{LABEL_W - 6}" y="{coordinate(y + BAR_H - 3)}" text-anchor="end" '
            f'fill="{INK}">{text(_clip(row.label))}</text>'
            f'<rect x="{LABEL_W}" y="{y}" width="{coordinate(x_of(value) - LABEL_W)}" '
            f'height="{BAR_H}" fill="#2a6ebb"/>'
            f'<text x="{coordinate(x_of(value) + 4)}" y="{coordinate(y + BAR_H - 3)}" '
            f'fill="{INK}">{text(number(value, 1))}</text>'
        )
    for mark in marks:
        at = coordinate(x_of(mark.value))
        parts.append(
            f'<line x1="{at}" x2="{at}" y1="{top - 4}" y2="{bottom}" stroke="{INK}" '
            f'stroke-width="1.5" stroke-dasharray="4 3"/>'
            f'<text x="{at}" y="{top - 6}" text-anchor="middle" fill="{INK}" font-size="10">'
            f"{text(mark.label)}</text>"
        )
    parts.append("</svg>")
    return "\n".join(parts)
