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
