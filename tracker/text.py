"""Text keys shared by every layer: how two spellings of one name are recognised as the same."""

from __future__ import annotations

import unicodedata


def fold(text: str | None) -> str:
    """Case-, accent- and spacing-insensitive key: '  Desa  KUTORENON ' → 'desa kutorenon'."""
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", text)
    return " ".join(text.casefold().split())
