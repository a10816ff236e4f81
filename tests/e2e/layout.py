"""What a phone-width check measures: every element whose box reaches past the viewport.

`overflowing(page)` lists the visible elements whose right edge lies beyond the viewport (or left
edge before it), described by tag, classes and text, so a failure names what to fix. A table
inside a scrolling container is not excused: at 360 px every value must be readable without
scrolling sideways (tables turn into cards or fold their less important columns instead).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"

_OVERFLOWING = """
() => {
  const width = document.documentElement.clientWidth;
  const describe = (el) => {
    const cls = el.className && typeof el.className === 'string'
      ? '.' + el.className.trim().split(/\\s+/).join('.') : '';
    const text = (el.innerText || el.value || '').trim().replace(/\\s+/g, ' ').slice(0, 40);
    return `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}${cls} "${text}"`;
  };
  const found = [];
  for (const el of document.body.querySelectorAll('*')) {
    const box = el.getBoundingClientRect();
    if (box.width <= 1 || box.height <= 1) continue;  // empty, or visually hidden for readers
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden' || style.display === 'none') continue;
    if (box.right > width + 0.5 || box.left < -0.5) {
      found.push(`${describe(el)} ${Math.round(box.left)}..${Math.round(box.right)}`);
    }
  }
  return found;
}
"""


def overflowing(page: Any) -> list[str]:
    """Visible elements reaching past the viewport's left or right edge."""
    return list(page.evaluate(_OVERFLOWING))


def page_width(page: Any) -> int:
    return int(page.evaluate("document.documentElement.scrollWidth"))


def screenshot(page: Any, name: str) -> Path:
    """A full-page PNG under tests/e2e/artifacts/ (not committed) for a person to look at."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


_CUT_SELECTS = """
() => {
  const canvas = document.createElement('canvas').getContext('2d');
  const found = [];
  for (const el of document.querySelectorAll('main select')) {
    const box = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    if (box.width <= 1 || style.display === 'none' || style.visibility === 'hidden') continue;
    const option = el.options[el.selectedIndex];
    if (!option) continue;
    canvas.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
    const room = el.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    const text = canvas.measureText(option.text.trim()).width;
    if (text > room + 0.5) found.push(`select[name=${el.name}] "${option.text.trim()}"`);
  }
  return found;
}
"""


def cut_selects(page: Any) -> list[str]:
    """Visible drop-downs in <main> whose chosen option is wider than the box shows (cut off)."""
    return list(page.evaluate(_CUT_SELECTS))
