"""The few SVG pieces every chart writes the same way: escaped text, numbers the Indonesian way,
presentation attributes (never a style attribute: the Content-Security-Policy forbids inline
styles)."""

from __future__ import annotations

from xml.sax.saxutils import escape


def text(value: object) -> str:
    """Element text, escaped."""
    return escape(str(value))


def number(value: float, digits: int = 2) -> str:
    """1234.5 → '1.234,50' (Indonesian separators); a minus sign for negatives."""
    formatted = f"{abs(value):,.{digits}f}".replace(",", "_").replace(".", ",").replace("_", ".")
    return ("−" if value < 0 and round(abs(value), digits) != 0 else "") + formatted


def coordinate(value: float) -> str:
    """A coordinate as SVG reads it: a dot, at most two decimals."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


# The product's palette (static/css/app.css): one colour per tier, lowest first, and the ink.
TIER_COLOURS = {
    "Rintisan": "#b03a3a",
    "Berkembang": "#c98a00",
    "Maju": "#2a6ebb",
    "Mandiri": "#2e8540",
}
SERIES_COLOURS = ("#2a6ebb", "#c98a00", "#2e8540", "#b03a3a", "#7a7f87", "#6a3d9a")
INK = "#111111"
MUTED = "#555555"
GRID = "#e3e5e8"


def colour_of(name: str, index: int) -> str:
    """A tier's own colour, else the index-th of the series colours."""
    return TIER_COLOURS.get(name) or SERIES_COLOURS[index % len(SERIES_COLOURS)]


def opening(width: float, height: float, key: str, title: str, description: str) -> list[str]:
    """The <svg> start with its title and description (named by `key`, unique on the page), on
    a white ground."""
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {coordinate(width)} '
        f'{coordinate(height)}" role="img" aria-labelledby="{key}-title {key}-desc" '
        f'class="chart" font-family="Liberation Sans, sans-serif" font-size="12">',
        f'<title id="{key}-title">{text(title)}</title>',
        f'<desc id="{key}-desc">{text(description)}</desc>',
        f'<rect x="0" y="0" width="{coordinate(width)}" height="{coordinate(height)}" '
        f'fill="#ffffff"/>',
    ]


def legend(names: list[str], colours: list[str], x: float, y: float, width: float) -> list[str]:
    """A row (wrapping) of colour keys with their names."""
    parts: list[str] = []
    at_x, at_y = x, y
    for name, colour in zip(names, colours, strict=True):
        span = 22 + 7 * len(name)
        if at_x + span > x + width and at_x > x:
            at_x, at_y = x, at_y + 18
        parts.append(
            f'<rect x="{coordinate(at_x)}" y="{coordinate(at_y - 10)}" width="12" height="12" '
            f'fill="{colour}"/>'
        )
        parts.append(
            f'<text x="{coordinate(at_x + 16)}" y="{coordinate(at_y)}" fill="{INK}">'
            f"{text(name)}</text>"
        )
        at_x += span
    return parts


def legend_height(names: list[str], width: float) -> float:
    """How tall `legend` draws these names in `width`."""
    rows, at = 1, 0.0
    for name in names:
        span = 22 + 7 * len(name)
        if at + span > width and at > 0:
            rows, at = rows + 1, 0.0
        at += span
    return rows * 18.0
